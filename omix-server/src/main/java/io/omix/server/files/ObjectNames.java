package io.omix.server.files;

import io.omix.server.common.http.ApiException;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** What an object name may be: relative, '/'-separated, no empty, '.' or '..' segment, no backslash or control character. */
public final class ObjectNames {
    /** Where a person's export archives are kept: among their files, but only within reach of their own tools (scope grants). */
    public static final String PERSONAL_ARCHIVES = "exports/";
    /** Where a sample's microbiome gene tables are kept (owned by the sample, linked under the microbiome scope). */
    public static final String SAMPLE_GENE_TABLES = "microbiome/";

    /**
     * Whether {@code caller} may see or sign {@code objectName} among its owner's files: an export archive holds
     * everything the person has (their profile, every sample, the applications they use, the audit trail about
     * them), which an application allowed their files must not read; only the person's own tools may.
     */
    public static boolean withinReach(String objectName, io.omix.server.common.auth.Caller caller) {
        return !objectName.startsWith(PERSONAL_ARCHIVES) || caller.hasScope(io.omix.server.common.auth.Scope.GRANTS.id());
    }

    static final int MAX_LENGTH = 400;
    static final int MAX_SEGMENT_BYTES = 255;

    private ObjectNames() {}

    /** The name when it is acceptable; 41001 naming {@code parameter} otherwise. */
    static String check(String parameter, String name) {
        if (name == null || name.isEmpty()) throw ApiException.invalidParam(parameter, "is required");
        if (name.length() > MAX_LENGTH) throw ApiException.invalidParam(parameter, "at most " + MAX_LENGTH + " characters");
        if (name.startsWith("/")) throw ApiException.invalidParam(parameter, "must be relative (no leading '/')");
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (ch < 0x20 || ch == 0x7f) throw ApiException.invalidParam(parameter, "must not contain control characters");
            if (ch == '\\') throw ApiException.invalidParam(parameter, "must not contain '\\'");
        }
        for (String segment : name.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw ApiException.invalidParam(parameter, "must not contain empty, '.' or '..' path segments");
            }
        }
        // Where uploads' bytes are kept under keys of their own (ObjectStore.VERSIONS): no name may be one of them.
        if (name.startsWith(ObjectStore.VERSIONS)) throw ApiException.invalidParam(parameter, "must not start with " + ObjectStore.VERSIONS);
        return name;
    }

    /**
     * A new file's name ({@link #check}, and within what stores hold): each part between '/' becomes a file name where
     * the object store is a file system (and where an archive is restored), which holds 255 bytes, and an S3 key holds
     * 1024; a name beyond was accepted and then could not be restored. Files named before these limits keep their names
     * for reading, linking and deleting ({@link #check}).
     */
    static String checkNew(String parameter, String name) {
        check(parameter, name);
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 1024) {
            throw ApiException.invalidParam(parameter, "at most 1024 bytes in UTF-8 (an S3 key's most)");
        }
        for (String segment : name.split("/", -1)) {
            if (segment.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
                throw ApiException.invalidParam(parameter, "each part between '/' is at most " + MAX_SEGMENT_BYTES + " bytes in UTF-8");
            }
        }
        return name;
    }

    /** Whether {@code name} is an acceptable object name (for names that do not come from a request). */
    public static boolean acceptable(String name) {
        try {
            check("object_name", name);
            return true;
        } catch (ApiException e) {
            return false;
        }
    }

    /** Percent-encodes each segment, keeping the '/' between them. */
    static String encodePath(String name) {
        StringBuilder out = new StringBuilder();
        for (String segment : name.split("/", -1)) {
            if (out.length() > 0) out.append('/');
            out.append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return out.toString();
    }
}
