package io.omix.server.files;

import io.omix.server.Platform;
import io.omix.server.common.auth.Caller;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Other capabilities' way to the objects a caller may read: models read their deployment zips, the
 * GA4GH DRS endpoints describe objects and hand out their signed links.
 */
public final class ObjectAccess {
    private final FileStore store;
    private final ObjectStore objects;
    private final SignedLinks links;
    private final io.omix.server.samples.SampleAccess samples;
    private final io.omix.server.common.db.Jdbc jdbc;

    public ObjectAccess(Platform platform) {
        this.jdbc = platform.database().jdbc();
        this.store = new FileStore(platform);
        this.objects = platform.objects();
        this.links = new SignedLinks(platform);
        this.samples = new io.omix.server.samples.SampleAccess(platform.database().jdbc());
    }

    /** An object a caller may read: its name, size, SHA-256 and when it was stored. */
    public record Readable(String objectName, long size, String sha256, java.time.OffsetDateTime createdAt) {}

    /**
     * The object, when the caller may read it: its own (the {@code files} scope), or what the platform
     * made of a sample the caller sees (gene tables: the {@code microbiome} scope). Anything else is
     * absent, whether or not it exists.
     */
    public Optional<Readable> readable(String objectName, Caller caller) {
        if (caller.kind() != Caller.Kind.USER_TOKEN && caller.kind() != Caller.Kind.CLIENT_TOKEN) return Optional.empty();
        return store.object(objectName).filter(o -> mayRead(o.owner(), caller) && ObjectNames.withinReach(objectName, caller))
                .map(o -> new Readable(o.objectName(), o.size(), o.sha256(), o.createdAt()));
    }

    private boolean mayRead(String owner, Caller caller) {
        if (owner.equals(FilesCapability.ownerOf(caller))) return caller.hasScope(io.omix.server.common.auth.Scope.FILES.id());
        // A sample's gene tables are microbiome data, which only the person's own grant reads (as the microbiome endpoints
        // take user tokens only): an application's own token, even one that registered the sample, never does.
        if (owner.startsWith("sample:") && caller.kind() == Caller.Kind.USER_TOKEN && caller.hasScope(io.omix.server.common.auth.Scope.MICROBIOME.id())) {
            try {
                samples.requireVisible(caller, owner.substring("sample:".length()), io.omix.server.common.auth.Scope.MICROBIOME);
                return true;
            } catch (io.omix.server.common.http.ApiException notVisible) {
                return false;
            }
        }
        return false;
    }

    /** Where a page of {@link #ownedPage} ends: the last file read (oldest first, then by document id). */
    public record Position(java.time.OffsetDateTime createdAt, String documentId) {}

    /** A page of the caller's files, and where the next page starts (null: none after it). */
    public record OwnedPage(java.util.List<Readable> files, Position next) {}

    /** Whether {@code caller} owns files it may list: an OAuth token (a person's or an application's) with the files scope. */
    private static boolean holdsFiles(Caller caller) {
        return (caller.kind() == Caller.Kind.USER_TOKEN || caller.kind() == Caller.Kind.CLIENT_TOKEN)
                && caller.hasScope(io.omix.server.common.auth.Scope.FILES.id());
    }

    /**
     * The caller's own files (with the {@code files} scope), oldest first, {@code count} rows from just after {@code after}
     * (null: from the first). A file out of the caller's reach is left out of the page, so a page can hold fewer;
     * {@code next} says whether more follow.
     */
    public OwnedPage ownedPage(Caller caller, int count, Position after) {
        if (!holdsFiles(caller)) return new OwnedPage(java.util.List.of(), null);
        int rowsAPage = Math.max(1, count);
        io.omix.server.common.db.SqlWhere where = new io.omix.server.common.db.SqlWhere().and("owner = ?", FilesCapability.ownerOf(caller));
        if (after != null) {
            where.and("(created_at > ? OR (created_at = ? AND document_id > ?))", after.createdAt(), after.createdAt(), after.documentId());
        }
        record Row(Readable file, String documentId) {}
        java.util.List<Row> rows = jdbc.query("SELECT object_name, size_bytes, sha256, created_at, document_id FROM file_objects" + where.sql()
                + " ORDER BY created_at, document_id FETCH FIRST " + (rowsAPage + 1) + " ROWS ONLY",
                rs -> new Row(new Readable(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getObject(4, java.time.OffsetDateTime.class)), rs.getString(5)),
                where.args());
        boolean more = rows.size() > rowsAPage;
        if (more) rows = rows.subList(0, rowsAPage);
        Position next = more ? new Position(rows.get(rows.size() - 1).file().createdAt(), rows.get(rows.size() - 1).documentId()) : null;
        return new OwnedPage(rows.stream().map(Row::file).filter(o -> ObjectNames.withinReach(o.objectName(), caller)).toList(), next);
    }

    /** The caller's file of that FHIR id ({@link FileStore#documentId}), under the same rules as {@link #ownedPage}. */
    public Optional<Readable> ownedDocument(Caller caller, String documentId) {
        if (!holdsFiles(caller)) return Optional.empty();
        return jdbc.query("SELECT object_name, size_bytes, sha256, created_at FROM file_objects WHERE owner = ? AND document_id = ?",
                rs -> new Readable(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getObject(4, java.time.OffsetDateTime.class)),
                FilesCapability.ownerOf(caller), documentId).stream().filter(o -> ObjectNames.withinReach(o.objectName(), caller)).findFirst();
    }

    /**
     * A link that downloads the object until {@code expiresEpochSecond} (GET {@code /oss/objects/...}, Range honoured)
     * and while the grant of {@code r}'s caller stands.
     */
    public String signedUrl(io.omix.server.common.http.ApiRequest r, String baseUrl, String objectName, long expiresEpochSecond) {
        return links.url(r, baseUrl, objectName, expiresEpochSecond);
    }

    /** Who owns the files {@code caller} uploads ({@code user:ID}, {@code client:ID}), for work done later on its behalf. */
    public static String fileOwnerOf(Caller caller) {
        return FilesCapability.ownerOf(caller);
    }

    /** Whether the object exists and belongs to {@code fileOwner} ({@link #fileOwnerOf}). */
    public boolean ownedBy(String objectName, String fileOwner) {
        return store.object(objectName).map(o -> o.owner().equals(fileOwner)).orElse(false);
    }

    /** The object's size, when it exists and belongs to the caller. */
    public Optional<Long> ownedSize(String objectName, Caller caller) {
        return store.object(objectName).filter(o -> o.owner().equals(FilesCapability.ownerOf(caller)) && ObjectNames.withinReach(objectName, caller))
                .map(FileStore.FileObject::size);
    }

    /** The bytes of a recorded object (wherever the store keeps them: {@link FileStore.FileObject#key}). */
    public InputStream open(String objectName) throws IOException {
        FileStore.FileObject o = store.object(objectName).orElseThrow(() -> new java.nio.file.NoSuchFileException("no object recorded as " + objectName));
        return objects.open(o.key());
    }
}
