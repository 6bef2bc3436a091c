package io.omix.server.drs;

import io.javalin.http.HandlerType;
import io.omix.server.Capability;
import io.omix.server.Platform;
import io.omix.server.common.auth.Access;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ApiRequest;
import io.omix.server.common.http.ErrorCode;
import io.omix.server.common.http.Routes;
import io.omix.server.common.validation.Param;
import io.omix.server.common.validation.ParamSpec;
import io.omix.server.common.validation.StringParam;
import io.omix.server.files.ObjectAccess;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * GA4GH Data Repository Service 1.x under {@code /ga4gh/drs/v1}: the objects of the platform's file
 * store that the caller may read (its own uploads, the gene tables of samples it sees), described as
 * DRS objects with their SHA-256, and reached through the same short-lived signed links as
 * get_download_url. A DRS client needs no Omix-specific code: a bearer token and an object id.
 * Errors are {@code {msg, status_code}}; an object the caller may not read does not exist (404).
 */
public final class DrsCapability implements Capability {
    static final String BASE = "/ga4gh/drs/v1";
    /** DRS ids are the object names, base64url-encoded: URL-safe, stable, and no table to keep. */
    static final StringParam OBJECT_ID = Param.string("object_id").required().maxLength(600)
            .pattern(Pattern.compile("[A-Za-z0-9_-]{1,600}"), "a DRS object id (letters, digits, - and _)");
    static final StringParam ACCESS_ID = Param.string("access_id").required().maxLength(20);
    static final String HTTPS = "https";
    static final long LINK_SECONDS = 600;

    private final Platform platform;
    private final ObjectAccess objects;

    public DrsCapability(Platform platform) {
        this.platform = platform;
        this.objects = new ObjectAccess(platform);
    }

    @Override
    public void routes(Routes routes) {
        routes.resource(HandlerType.GET, BASE + "/service-info", Access.PUBLIC, ParamSpec.NONE, (r, p) -> serviceInfo(r));
        routes.resource(HandlerType.GET, BASE + "/objects/{object_id}", Access.TOKEN, ParamSpec.of(OBJECT_ID),
                (r, p) -> drsObject(r, readable(r, p.get(OBJECT_ID)), p.get(OBJECT_ID)));
        routes.resource(HandlerType.GET, BASE + "/objects/{object_id}/access/{access_id}", Access.TOKEN, ParamSpec.of(OBJECT_ID, ACCESS_ID), (r, p) -> {
            ObjectAccess.Readable o = readable(r, p.get(OBJECT_ID));
            if (!HTTPS.equals(p.get(ACCESS_ID))) {
                throw new ApiException(ErrorCode.OBJECT_NOT_FOUND, Map.of("access_id", "this object is reached by access id https"));
            }
            long expires = platform.now().toEpochSecond() + LINK_SECONDS;
            return Map.of("url", objects.signedUrl(r, r.baseUrl(platform.config()), o.objectName(), expires));
        });
    }

    static String idOf(String objectName) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(objectName.getBytes(StandardCharsets.UTF_8));
    }

    static Optional<String> nameOf(String id) {
        try {
            String name = new String(Base64.getUrlDecoder().decode(id), StandardCharsets.UTF_8);
            // No object name holds a control character; a NUL would reach the database as it is.
            return io.omix.server.common.validation.StringParam.hasControlCharacters(name) ? Optional.empty() : Optional.of(name);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private ObjectAccess.Readable readable(ApiRequest r, String id) {
        return nameOf(id).flatMap(name -> objects.readable(name, r.caller()))
                .orElseThrow(() -> new ApiException(ErrorCode.OBJECT_NOT_FOUND, Map.of("object_id", "no object " + id + " this caller may read")));
    }

    private Map<String, Object> drsObject(ApiRequest r, ObjectAccess.Readable o, String id) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("name", o.objectName().substring(o.objectName().lastIndexOf('/') + 1));
        m.put("self_uri", "drs://" + authority(r) + "/" + id);
        m.put("size", o.size());
        m.put("created_time", o.createdAt().toInstant().toString());
        m.put("mime_type", "application/octet-stream");
        m.put("checksums", List.of(Map.of("checksum", o.sha256(), "type", "sha-256")));
        m.put("access_methods", List.of(Map.of("type", HTTPS, "access_id", HTTPS)));
        return m;
    }

    /** The host (and port) clients reach this server at: the DRS URI's hostname part. */
    private String authority(ApiRequest r) {
        return URI.create(r.baseUrl(platform.config())).getRawAuthority();
    }

    private Map<String, Object> serviceInfo(ApiRequest r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", io.omix.server.common.http.Ga4gh.serviceId(r.baseUrl(platform.config()), "drs"));
        m.put("name", "Omix Data Repository Service");
        m.put("type", Map.of("group", "org.ga4gh", "artifact", "drs", "version", "1.4.0"));
        m.put("description", "The objects of the Omix file store the caller may read: bearer tokens with the files scope"
                + " (gene tables of visible samples: microbiome); access by short-lived signed https links.");
        m.put("organization", Map.of("name", "Omix", "url", r.baseUrl(platform.config())));
        m.put("version", version());
        return m;
    }

    private static String version() {
        String v = DrsCapability.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
