package io.omix.server.files;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.omix.server.Capability;
import io.omix.server.Platform;
import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.auth.Scope;
import io.omix.server.common.auth.Secrets;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ApiRequest;
import io.omix.server.common.http.ErrorCode;
import io.omix.server.common.http.Routes;
import io.omix.server.common.validation.BoolParam;
import io.omix.server.common.validation.IntParam;
import io.omix.server.common.validation.LongParam;
import io.omix.server.common.validation.Param;
import io.omix.server.common.validation.ParamSpec;
import io.omix.server.common.validation.StringParam;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Files (the open platform's get_upload_token, upload, get_download_url, download): {@code /sts/token} hands out
 * short-lived upload credentials bound to one destination prefix; objects are written with them under
 * {@code /oss/objects/...} in one request or as a resumable multipart upload under {@code /oss/uploads};
 * {@code /oss/sign_url} signs expiring download URLs for the caller's own objects, which
 * {@code GET /oss/objects/...} serves with Range support.
 */
public final class FilesCapability implements Capability {
    static final String BUCKET = "omix";
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    static final StringParam REGION_ID = Param.string("region_id").maxLength(50);
    static final BoolParam INTERNAL = Param.bool("internal");
    static final StringParam ACCESS_KEY_ID = Param.string("access_key_id").required().maxLength(40);
    static final StringParam OBJECT_NAME = Param.string("object_name").required().maxLength(400);
    static final StringParam REGION = Param.string("region").oneOf("domestic", "international");
    static final IntParam EXPIRATION = Param.integer("expiration_time").range(1, 7 * 24 * 3600).orElse(600);
    static final LongParam SIZE = Param.longInt("size").required().range(0, Long.MAX_VALUE);
    /** The whole object's SHA-256: at initiation, or at completion (so a client can hash while its parts travel). */
    static final StringParam SHA256 = Param.string("sha256").pattern(HEX64, "64 lower-case hex digits (SHA-256)");
    static final StringParam CRC32C = Param.string("crc32c").pattern(java.util.regex.Pattern.compile("[0-9a-f]{8}"), "8 lower-case hex digits (CRC-32C)");
    static final LongParam PART_SIZE = Param.longInt("part_size").required().range(1024, Long.MAX_VALUE);
    static final StringParam UPLOAD_ID = Param.string("upload_id").required().pattern(Pattern.compile("[A-Za-z0-9_-]{1,40}"), "an upload id");
    static final IntParam PART_NUMBER = Param.integer("part_number").required().range(1, 10_000);

    private final Platform platform;
    private final FileStore store;
    private final ObjectStore objects;
    private final SignedLinks links;
    /** Links' uses count as calls of their grants (set with the routes). */
    private io.omix.server.common.http.RateLimits rateLimits;

    public FilesCapability(Platform platform) {
        this.platform = platform;
        this.store = new FileStore(platform);
        this.objects = platform.objects();
        this.links = new SignedLinks(platform);
        platform.authenticators().register(Access.UPLOAD_CREDENTIALS, new UploadAuthenticator(platform, store));
        // Each machine's own temporary directory: housekeeping runs on one server of a deployment, and clears only its own.
        try {
            io.omix.server.common.io.ScratchFiles.removeOlderThan(java.time.Instant.now().minus(java.time.Duration.ofDays(1)));
        } catch (java.io.IOException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(FilesCapability.class).warn("could not clear old scratch files: {}", e.getMessage());
        }
    }

    @Override
    public void routes(Routes routes) {
        this.rateLimits = routes.rateLimits();
        routes.post("/sts/token", Access.TOKEN, ParamSpec.of(REGION_ID, INTERNAL), (r, p) -> uploadToken(r, p.get(REGION_ID)));
        routes.post("/sts/revoke", Access.TOKEN, ParamSpec.of(ACCESS_KEY_ID), (r, p) -> {
            r.caller().requireScope(Scope.FILES);
            // Upload credentials are the person's (whichever application asked): managed by a token that may add documents.
            io.omix.server.oauth.SmartScopes.requireOwn(r.caller(), "DocumentReference", 'c');
            if (!store.revoke(p.get(ACCESS_KEY_ID), ownerOf(r.caller()), platform.now())) {
                throw ApiException.invalidParam("access_key_id", "no live credentials of yours with this id");
            }
            return Map.of("access_key_id", p.get(ACCESS_KEY_ID), "revoked", true);
        });
        // The caller's own objects (the console's files page): name, size, SHA-256, time; sign_url gives a link.
        routes.get("/oss/objects", Access.TOKEN, ParamSpec.NONE, (r, p) -> {
            r.caller().requireScope(Scope.FILES);
            return Map.of("objects", store.objectsOf(ownerOf(r.caller()), 1000).stream().filter(o -> ObjectNames.withinReach(o.objectName(), r.caller()))
                    .map(o -> Map.of("object_name", o.objectName(),
                    "size", o.size(), "sha256", o.sha256(), "created_at", o.createdAt().toString())).toList());
        });
        routes.post("/oss/sign_url", Access.TOKEN, ParamSpec.of(OBJECT_NAME, REGION, EXPIRATION), (r, p) -> signUrl(r, p.get(OBJECT_NAME), p.get(EXPIRATION)));
        routes.post("/oss/delete", Access.TOKEN, ParamSpec.of(OBJECT_NAME), (r, p) -> delete(r, p.get(OBJECT_NAME)));

        ParamSpec byName = ParamSpec.of(OBJECT_NAME);
        routes.upload(HandlerType.PUT, "/oss/objects/<object_name>", Access.UPLOAD_CREDENTIALS, byName, (r, p) -> {
            try (io.omix.server.common.http.CallerTurns.Turn turn = uploadBodies.enter(r)) {
                return putObject(r, p);
            }
        });
        routes.plain(HandlerType.GET, "/oss/objects/<object_name>", this::download);

        routes.post("/oss/uploads", Access.UPLOAD_CREDENTIALS, ParamSpec.of(OBJECT_NAME, SIZE, SHA256, PART_SIZE), (r, p) -> {
            FileStore.Credential c = credential(r);
            String name = uploadName(c, p.get(OBJECT_NAME));
            if (p.get(SIZE) > platform.config().fileMaxBytes()) throw tooLarge("object", platform.config().fileMaxBytes());
            if (p.get(PART_SIZE) > platform.config().filePartMaxBytes()) throw tooLarge("part", platform.config().filePartMaxBytes());
            if (p.get(PART_SIZE) < objects.minPartSize() && p.get(SIZE) > p.get(PART_SIZE)) {
                throw ApiException.invalidParam("part_size", "at least " + objects.minPartSize() + " bytes on this object store");
            }
            if ((p.get(SIZE) + p.get(PART_SIZE) - 1) / p.get(PART_SIZE) > 10_000) {
                throw ApiException.invalidParam("part_size", "too small: an upload has at most 10,000 parts");
            }
            String sha = p.get(SHA256) == null ? "" : p.get(SHA256);
            FileStore.Upload upload = store.resumable(name, c.owner(), p.get(SIZE), sha, p.get(PART_SIZE)).orElseGet(() -> {
                FileStore.Held held = store.held(c.owner(), name);
                long room = room(held);
                if (p.get(SIZE) > room) throw tooLarge("object", room, room);
                requireFewerThanMost(held);
                FileStore.Upload u = new FileStore.Upload(Secrets.alphanumeric(32), name, c.owner(), p.get(SIZE), sha, p.get(PART_SIZE));
                store(r, () -> {
                    objects.startParts(u.uploadId(), ObjectStore.versionKeyOfUpload(u.uploadId()));
                    return null;
                }, "object", 0);
                FileStore.Recorded recorded = store.insertUploadWithin(u, platform.now(), platform.config().fileMaxBytesPerOwner(),
                        platform.config().quotas().filesPerOwner(), c.accessKeyId());
                if (recorded != FileStore.Recorded.YES) {
                    try {
                        objects.abortParts(u.uploadId());
                    } catch (IOException e) {
                        // its staging goes with housekeeping's sweep of abandoned uploads
                    }
                    if (recorded == FileStore.Recorded.CREDENTIALS_GONE) throw credentialsGone();
                    if (recorded == FileStore.Recorded.TOO_MANY) throw tooMany();
                    throw tooLarge("object", room(c.owner(), name), room(c.owner(), name));
                }
                return u;
            });
            return uploadView(upload);
        });
        ParamSpec byUpload = ParamSpec.of(UPLOAD_ID);
        routes.get("/oss/uploads/{upload_id}", Access.UPLOAD_CREDENTIALS, byUpload, (r, p) -> uploadView(ownUpload(r, p.get(UPLOAD_ID))));
        routes.upload(HandlerType.PUT, "/oss/uploads/{upload_id}/parts/{part_number}", Access.UPLOAD_CREDENTIALS, byUpload.with(PART_NUMBER), (r, p) -> {
            try (io.omix.server.common.http.CallerTurns.Turn turn = uploadBodies.enter(r)) {
                return putPart(r, p);
            }
        });
        routes.post("/oss/uploads/{upload_id}/complete", Access.UPLOAD_CREDENTIALS, byUpload.with(SHA256, CRC32C), (r, p) -> {
            FileStore.Upload u = ownUpload(r, p.get(UPLOAD_ID));
            String declared = u.sha256().isEmpty() ? p.get(SHA256) : u.sha256();
            if (declared == null && p.get(CRC32C) == null) {
                throw ApiException.invalidParam("sha256", "give the whole object's SHA-256 (here or when the upload began) or its crc32c here");
            }
            if (p.get(SHA256) != null && !p.get(SHA256).equals(declared)) {
                throw ApiException.invalidParam("sha256", "differs from the one given when the upload began");
            }
            int count = partCount(u);
            List<FileStore.Part> parts = store.parts(u.uploadId());
            List<Integer> missing = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                final int n = i;
                if (parts.stream().noneMatch(part -> part.partNumber() == n)) missing.add(n);
            }
            if (!missing.isEmpty()) throw ApiException.invalidParam("upload_id", "parts still missing: " + missing);
            ObjectStore.Expected expected = new ObjectStore.Expected(declared, p.get(CRC32C));
            String key = store(r, () -> objects.keyOfUpload(u.uploadId()), "object", 0);
            ObjectStore.Stored stored = store(r, () -> objects.completeParts(u.uploadId(), u.size(), key, expected), "object", u.size());
            FileStore.Outcome outcome = store.finishUpload(u.uploadId(), u.objectName(), key, u.owner(), stored, platform.now(), credential(r).accessKeyId());
            if (outcome.recorded() != FileStore.Recorded.YES) {
                // Aborted, or its credentials revoked or erased, while it was being completed: the earlier object stays. A
                // completion sent again after the first was recorded finds the upload gone: its bytes are the file's now.
                if (!store.keyRecorded(key)) objects.deleteQuietly(key);
                if (outcome.recorded() == FileStore.Recorded.UPLOAD_GONE) throw new ApiException(ErrorCode.UPLOAD_NOT_FOUND, Map.of("upload_id", u.uploadId()));
                throw credentialsGone();
            }
            objects.deleteQuietly(outcome.replacedKey());
            return objectView(u.objectName(), stored);
        });
        routes.api(HandlerType.DELETE, "/oss/uploads/{upload_id}", Access.UPLOAD_CREDENTIALS, byUpload, (r, p) -> {
            FileStore.Upload u = ownUpload(r, p.get(UPLOAD_ID));
            store(r, () -> {
                objects.abortParts(u.uploadId());
                return null;
            }, "part", 0);
            store.abandonUpload(u.uploadId(), u.objectName(), u.owner(), platform.now());
            return Map.of("upload_id", u.uploadId(), "aborted", true);
        });
    }


    private static ApiException credentialsGone() {
        return new ApiException(ErrorCode.UPLOAD_CREDENTIALS_INVALID, Map.of("credentials",
                "these credentials were revoked, or went with their owner's account, while the upload was under way"));
    }

    /** Whose files a token's calls touch: the user's for authorization-code tokens, the client's otherwise. */
    static String ownerOf(Caller caller) {
        return switch (caller.kind()) {
            case USER_TOKEN -> "user:" + caller.userId();
            case CLIENT_TOKEN -> "client:" + caller.clientId();
            default -> throw new IllegalArgumentException("only tokens own files");
        };
    }

    /** Demo: a small report in the demo user's files, so the console's files page has a download to show. */
    @Override
    public void demo(io.omix.server.demo.DemoData demo) {
        String userId = demo.credentials().path("user").path("user_id").asText(null);
        if (userId == null) return;
        OffsetDateTime now = platform.now();
        String name = "DUS-" + Secrets.digits(11) + "-" + Secrets.alphanumeric(40) + "/" + DAY.format(now) + "TZ-"
                + HexFormat.of().formatHex(Secrets.randomBytes(16)) + "/caffeine-report.txt";
        byte[] body = ("Omix demo report\nrs762551 (CYP1A2): C/A - moderately fast caffeine metabolism\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try {
            ObjectStore.Stored stored = objects.put(name, new java.io.ByteArrayInputStream(body), body.length, null);
            store.putObjectWithin(name, name, "user:" + userId, stored, now, Long.MAX_VALUE, Long.MAX_VALUE, null);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        demo.section("files").put("object_name", name);
    }

    private Map<String, Object> uploadToken(ApiRequest r, String region) {
        // A model gets no upload credentials: its box cannot use them (the channel takes invocation tokens only), so their
        // only use would be to carry them out, in its answer or its log, and write into its invoker's files for as long as
        // they live, long after the invocation's token has died.
        if (r.viaModelChannel()) {
            throw new ApiException(ErrorCode.NO_PERMISSION, Map.of("model", "upload credentials are not made for a model: it writes through the API"));
        }
        Caller caller = r.caller();
        caller.requireScope(Scope.FILES);
        // Upload credentials add documents: a token that may only read them (patient/DocumentReference.rs) gets none.
        io.omix.server.oauth.SmartScopes.requireOwn(caller, "DocumentReference", 'c');
        OffsetDateTime now = platform.now();
        String accessKeyId = "STS." + Secrets.alphanumeric(28);
        String secret = Secrets.alphanumeric(44);
        String token = Secrets.token("");
        String destination = "DUS-" + Secrets.digits(11) + "-" + Secrets.alphanumeric(40) + "/"
                + DAY.format(now.withOffsetSameInstant(ZoneOffset.UTC)) + "TZ-" + HexFormat.of().formatHex(Secrets.randomBytes(16));
        OffsetDateTime expires = now.plus(platform.config().uploadCredentialTtl()).truncatedTo(ChronoUnit.SECONDS);
        store.insertCredential(new FileStore.Credential(accessKeyId, platform.masterKey().seal(secret, accessKeyId), Secrets.hash(token),
                ownerOf(caller), caller.clientId(), caller.userId(), destination, expires, null,
                r.grantHash()), now);
        String endpoint = r.baseUrl(platform.config()) + "/oss";
        Map<String, Object> credentials = new LinkedHashMap<>();
        credentials.put("access_key_secret", secret);
        credentials.put("security_token", token);
        credentials.put("expiration", expires.withOffsetSameInstant(ZoneOffset.UTC).toInstant().toString());
        credentials.put("access_key_id", accessKeyId);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("base_uri", endpoint + "/objects/" + destination);
        out.put("credentials", credentials);
        out.put("endpoint", endpoint);
        out.put("destination", destination);
        out.put("bucket", BUCKET);
        out.put("region_id", region == null ? "local" : region);
        return out;
    }

    private Map<String, Object> signUrl(ApiRequest r, String objectName, int expirationSeconds) {
        r.caller().requireScope(Scope.FILES);
        String name = ObjectNames.check("object_name", objectName);
        FileStore.FileObject object = store.object(name).filter(o -> o.owner().equals(ownerOf(r.caller())) && ObjectNames.withinReach(name, r.caller()))
                .orElseThrow(() -> new ApiException(ErrorCode.OBJECT_NOT_FOUND, Map.of("object_name", name)));
        long expires = platform.now().toEpochSecond() + expirationSeconds;
        String url = links.url(r, r.baseUrl(platform.config()), object.objectName(), expires);
        return Map.of("url", url, "expires", String.valueOf(expires));
    }

    /**
     * Upload bodies one owner may send this server at once (objects and parts together): each may be staged up to the room
     * the owner has left before the quota is checked again as it is recorded, so their number bounds how far past its
     * quota an owner's parallel uploads can fill the disk meanwhile. The SDK sends four parts at a time per upload.
     */
    static final int UPLOAD_BODIES_AT_ONCE = 8;
    private final io.omix.server.common.http.CallerTurns uploadBodies = new io.omix.server.common.http.CallerTurns("upload bodies", UPLOAD_BODIES_AT_ONCE);

    /** One part of a multipart upload, of the size its number calls for (its room was reserved when the upload began). */
    private Object putPart(ApiRequest r, io.omix.server.common.validation.Params p) throws Exception {
        FileStore.Upload u = ownUpload(r, p.get(UPLOAD_ID));
        int number = p.get(PART_NUMBER);
        long expected = expectedPartSize(u, number);
        long max = platform.config().filePartMaxBytes();
        if (expected > max) throw tooLarge("part", max);
        long offset = (number - 1) * u.partSize();
        boolean held = store.holdsPart(u.uploadId(), number);
        ObjectStore.Stored stored = store(r, () -> held
                        ? objects.replacePart(u.uploadId(), number, offset, expected, r.body(), contentSha(r))
                        : objects.putPart(u.uploadId(), number, offset, expected, r.body(), contentSha(r)),
                "part", expected);
        if (stored.size() != expected) {
            throw ApiException.invalidParam("body", "part " + number + " must be " + expected + " bytes, got " + stored.size());
        }
        store.putPart(u.uploadId(), stored, number);
        return Map.of("upload_id", u.uploadId(), "part_number", number, "size", stored.size(), "sha256", stored.sha256());
    }

    /** A single PUT of an object: stored within the owner's room, then recorded if the room is still there. */
    private Object putObject(ApiRequest r, io.omix.server.common.validation.Params p) throws Exception {
        FileStore.Credential c = credential(r);
        String name = uploadName(c, p.get(OBJECT_NAME));
        // The count and the room before any byte is read, in one look (both checked again under the owner's lock as the
        // object is recorded).
        FileStore.Held held = store.held(c.owner(), name);
        requireFewerThanMost(held);
        long room = room(held);
        long max = Math.min(platform.config().fileMaxBytes(), room);
        if (r.ctx().contentLength() > max) throw tooLarge("object", max, room);
        ObjectStore.Stored stored;
        String key = ObjectStore.versionKey();
        try {
            stored = store(r, () -> objects.put(key, r.body(), max, contentSha(r)), "object", max);
        } catch (ApiException e) {
            throw e.error() == ErrorCode.OBJECT_TOO_LARGE ? tooLarge("object", max, room) : e;
        }
        FileStore.Outcome outcome = store.putObjectWithin(name, key, c.owner(), stored, platform.now(), platform.config().fileMaxBytesPerOwner(),
                platform.config().quotas().filesPerOwner(), c.accessKeyId());
        if (outcome.recorded() != FileStore.Recorded.YES) {
            // Another upload took the room, or the credentials were revoked or erased, while these bytes arrived: they go,
            // and the name's earlier object stays as it was (its bytes are under a key of their own).
            objects.deleteQuietly(key);
            if (outcome.recorded() == FileStore.Recorded.CREDENTIALS_GONE) throw credentialsGone();
            if (outcome.recorded() == FileStore.Recorded.TOO_MANY) throw tooMany();
            throw tooLarge("object", 0, room(c.owner(), name));
        }
        objects.deleteQuietly(outcome.replacedKey());
        return objectView(name, stored);
    }

    /**
     * Deletes one of the caller's files: from the commit on, its name is free, its links, DRS and FHIR ids answer that it is
     * gone, and it no longer counts against the owner's quota; its bytes go right after (a crash in between leaves them to
     * housekeeping, which removes bytes no file names). An upload of the same name under way records after this, as a new file.
     */
    private Map<String, Object> delete(ApiRequest r, String objectName) {
        r.caller().requireScope(Scope.FILES);
        // A token that may only read the person's documents (patient/DocumentReference.rs) deletes none of them.
        io.omix.server.oauth.SmartScopes.requireOwn(r.caller(), "DocumentReference", 'd');
        String name = ObjectNames.check("object_name", objectName);
        String key = (ObjectNames.withinReach(name, r.caller()) ? store.deleteObject(name, ownerOf(r.caller())) : java.util.Optional.<String>empty())
                .orElseThrow(() -> new ApiException(ErrorCode.OBJECT_NOT_FOUND, Map.of("object_name", name)));
        objects.deleteQuietly(key);
        return Map.of("object_name", name, "deleted", true);
    }

    /** A signed URL's GET: 403 when the signature does not match or has expired, 404 when the object is gone; Range honoured. */
    private void download(Context ctx) throws IOException {
        String name = ctx.pathParam("object_name");
        String expiresText = ctx.queryParam("Expires");
        String grant = ctx.queryParam("Grant");
        String signature = ctx.queryParam("Signature");
        try {
            ObjectNames.check("object_name", name);
        } catch (ApiException bad) {
            ctx.status(400).result("bad object name");
            return;
        }
        if (expiresText == null || signature == null || grant == null || !expiresText.matches("\\d{1,12}")) {
            ctx.status(403).result("a signed URL needs Expires, Grant and Signature (POST /oss/sign_url)");
            return;
        }
        long expires = Long.parseLong(expiresText);
        if (!Secrets.constantTimeEquals(links.signature(name, expires, grant), signature)) {
            ctx.status(403).result("signature does not match");
            return;
        }
        if (platform.now().toEpochSecond() > expires) {
            ctx.status(403).result("this URL expired");
            return;
        }
        FileStore.FileObject object = store.object(name).orElse(null);
        // A sample's table was linked under the microbiome scope, a person's export archive under grants, anything else under
        // files; the grant is checked before the object is looked for, so that a link whose grant is gone tells nothing of it.
        String scope = (object != null ? object.owner().startsWith("sample:") : name.startsWith(ObjectNames.SAMPLE_GENE_TABLES)) ? Scope.MICROBIOME.id()
                : (name.startsWith(ObjectNames.PERSONAL_ARCHIVES) ? Scope.GRANTS : Scope.FILES).id();
        if (!links.stands(grant, scope)) {
            ctx.status(403).result("the grant this URL was made under was revoked, signed out, disabled or lost the " + scope + " scope");
            return;
        }
        if (links.charge(ctx, rateLimits, grant) != null) {
            ctx.status(429).result(SignedLinks.usedUp(ctx));
            return;
        }
        // A person's or an application's file, to the holder of the grant the link was made for only: a name that came to
        // another owner since (a restored archive naming it) is not theirs to read by an older link.
        if (object != null && !object.owner().startsWith("sample:") && !links.holderOf(ctx, grant).map(object.owner()::equals).orElse(false)) {
            object = null;
        }
        if (object == null || objects.size(object.key()).isEmpty()) {
            ctx.status(404).result("no such object");
            return;
        }
        if (object.owner().startsWith("sample:") && !links.sees(grant, object.owner().substring(7))) {
            ctx.status(403).result("the grant this URL was made under no longer sees the sample");
            return;
        }
        // The person whose data it is: the owner of a person's file, or for a sample's table the person whose grant reads it
        // (when bound to the sample), else its first person: another person the sample is shared with sees the read among
        // their sample's entries, without the reader's grant (AuditLog.Entry#fieldsFor), not as one of their own.
        String ownerUser = object.owner().startsWith("user:") ? object.owner().substring(5) : null;
        if (object.owner().startsWith("sample:")) {
            List<String> bound = platform.database().jdbc().query("SELECT user_id FROM sample_users WHERE biosample_id = ? ORDER BY user_id",
                    rs -> rs.getString(1), object.owner().substring(7));
            String reader = links.holderOf(ctx, grant).filter(h -> h.startsWith("user:")).map(h -> h.substring(5)).orElse(null);
            ownerUser = bound.contains(reader) ? reader : bound.isEmpty() ? null : bound.get(0);
        }
        boolean head = ctx.req().getMethod().equals("HEAD");
        // Recorded once the link is known to be one this platform signed: a stranger's guesses fill no one's trail. A HEAD
        // reads nothing of the object, and is not recorded as a read.
        if (!head) {
            io.omix.server.audit.AuditRecorder.attribute(ctx, new io.omix.server.audit.AuditRecorder.Actor("signed_link", grant, ownerUser, "signed_link",
                    "GET /oss/objects/<object_name>", "object_name=" + name));
        }
        ctx.header("X-Omix-Content-SHA256", object.sha256());
        // The same bytes' CRC-32C: clients check large downloads with it at memory speed.
        if (object.crc32c() != null) ctx.header("X-Omix-Content-CRC32C", object.crc32c());
        ctx.header("Cache-Control", "private, max-age=0");
        // Uploaded bytes are never rendered as a page of this origin, whatever they contain.
        ctx.header("X-Content-Type-Options", "nosniff");
        String fileName = name.substring(name.lastIndexOf('/') + 1);
        ctx.header("Content-Disposition", "attachment; filename*=UTF-8''" + ObjectNames.encodePath(fileName));
        ctx.header("Accept-Ranges", "bytes");
        ctx.contentType("application/octet-stream");
        long size = object.size();
        long[] range = ByteRange.parse(ctx.header("Range"), size);
        if (range == ByteRange.UNSATISFIABLE) {
            ctx.status(416).header("Content-Range", "bytes */" + size);
            return;
        }
        long from = range == null ? 0 : range[0];
        long length = range == null ? size : range[1] - range[0] + 1;
        if (range != null) ctx.status(206).header("Content-Range", "bytes " + range[0] + "-" + range[1] + "/" + size);
        io.omix.server.common.io.GuardedCopy.announce(ctx, length);
        if (head) return;   // the headers a GET would have: size, checksums, range; not the bytes
        String sample = object.owner().startsWith("sample:") ? object.owner().substring(7) : null;
        try (InputStream in = objects.open(object.key(), from)) {
            // Streamed straight to the response: memory stays one buffer whatever the object's size. A long download ends
            // with its grant, as every link does, within a second: not only at its start.
            io.omix.server.common.io.GuardedCopy.send(ctx, in, length, () -> links.stands(grant, scope) && (sample == null || links.sees(grant, sample)),
                    "download of " + name);
        }
    }

    /**
     * An owner at {@code files.max-objects-per-owner} files and unfinished uploads: objects of no bytes cost the object
     * store a file each all the same, and the byte quota alone would let one owner make them by the million.
     */
    private ApiException tooMany() {
        return new ApiException(ErrorCode.QUOTA_EXCEEDED, Map.of("object_name", "its owner holds " + platform.config().quotas().filesPerOwner()
                + " files and unfinished uploads (files.max-objects-per-owner): replace one of them by its name, or ask the operator"));
    }

    private static FileStore.Credential credential(ApiRequest r) {
        return r.ctx().attribute(UploadAuthenticator.CREDENTIAL);
    }

    /** Uploads go directly under the credentials' destination: {@code destination/filename}, nothing deeper. */
    private static String uploadName(FileStore.Credential c, String objectName) {
        String name = ObjectNames.checkNew("object_name", objectName);
        String prefix = c.destination() + "/";
        if (!name.startsWith(prefix) || name.substring(prefix.length()).contains("/")) {
            throw new ApiException(ErrorCode.OBJECT_NAME_FORBIDDEN, Map.of("object_name", name, "destination", c.destination()));
        }
        return name;
    }

    private FileStore.Upload ownUpload(ApiRequest r, String uploadId) {
        FileStore.Credential c = credential(r);
        return store.upload(uploadId).filter(u -> u.owner().equals(c.owner()) && u.objectName().startsWith(c.destination() + "/"))
                .orElseThrow(() -> new ApiException(ErrorCode.UPLOAD_NOT_FOUND, Map.of("upload_id", uploadId)));
    }

    private static int partCount(FileStore.Upload u) {
        return (int) Math.max(1, (u.size() + u.partSize() - 1) / u.partSize());
    }

    private static long expectedPartSize(FileStore.Upload u, int number) {
        int count = partCount(u);
        if (number > count) throw ApiException.invalidParam("part_number", "this upload has " + count + " parts");
        return number < count ? u.partSize() : u.size() - (long) (count - 1) * u.partSize();
    }

    private static String contentSha(ApiRequest r) {
        return r.header(UploadAuthenticator.CONTENT_SHA256);
    }

    @FunctionalInterface
    private interface StoreWork<T> {
        T run() throws IOException;
    }

    /** Object store failures as API errors; whatever failed, nothing half-written is visible. */
    private static <T> T store(ApiRequest r, StoreWork<T> work, String what, long max) {
        try {
            return work.run();
        } catch (ObjectStore.ChecksumMismatch e) {
            throw new ApiException(ErrorCode.CHECKSUM_MISMATCH, Map.of(what, e.getMessage()));
        } catch (ObjectStore.Busy e) {
            // Refused before anything changed: 409 with Retry-After, which the SDK retries.
            r.ctx().header("Retry-After", "1");
            throw new ApiException(ErrorCode.HTTP_CONFLICT, Map.of(what.equals("part") ? "part_number" : "upload_id",
                    e.getMessage() + "; send it again once that has been answered"));
        } catch (ObjectStore.TooLarge e) {
            throw tooLarge(what, max);
        } catch (java.io.EOFException e) { // Jetty's EofException included
            throw ApiException.invalidParam("body", "the " + what + " ended early: the connection was closed");
        } catch (java.nio.file.NoSuchFileException e) {
            // The upload went (aborted, completed or erased) while this part was on its way.
            throw new ApiException(ErrorCode.UPLOAD_NOT_FOUND, Map.of("upload_id", "the upload is gone: start it again"));
        } catch (IOException e) {
            String reason = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e.getMessage() != null && e.getMessage().contains("No space left") ? "no space left on the device" : "storage error";
            // The answer names no cause (paths, the store's own words); the operator's log does, with the request id.
            org.slf4j.LoggerFactory.getLogger(FilesCapability.class).warn("request {}: the object store failed to store the {}: {}", r.requestId(), what, e.toString(), e);
            throw new ApiException(ErrorCode.STORAGE_FAILED, Map.of(what, reason));
        }
    }

    private static ApiException tooLarge(String what, long max) {
        return new ApiException(ErrorCode.OBJECT_TOO_LARGE, Map.of(what, "at most " + max + " bytes"));
    }

    /** Too large for the object limit, or for the room left to its owner ({@code room}). */
    private ApiException tooLarge(String what, long max, long room) {
        if (room > max || room >= platform.config().fileMaxBytes()) return tooLarge(what, max);
        return new ApiException(ErrorCode.OBJECT_TOO_LARGE, Map.of(what, "at most " + room + " bytes: the owner's files and unfinished uploads"
                + " hold the rest of the " + platform.config().fileMaxBytesPerOwner() + " allowed (files.max-bytes-per-owner)"));
    }

    /** The bytes an owner may still store, an object of {@code name} being replaced. */
    private long room(String owner, String name) {
        return room(store.held(owner, name));
    }

    private long room(FileStore.Held held) {
        return Math.max(0, platform.config().fileMaxBytesPerOwner() - held.bytes());
    }

    /** Refuses one more file or upload to an owner holding {@code files.max-objects-per-owner} already. */
    private void requireFewerThanMost(FileStore.Held held) {
        if (held.items() >= platform.config().quotas().filesPerOwner()) throw tooMany();
    }

    private static Map<String, Object> objectView(String name, ObjectStore.Stored stored) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("object_name", name);
        m.put("size", stored.size());
        m.put("sha256", stored.sha256());
        if (stored.crc32c() != null) m.put("crc32c", stored.crc32c());
        return m;
    }

    private Map<String, Object> uploadView(FileStore.Upload u) {
        List<Map<String, Object>> parts = new ArrayList<>();
        for (FileStore.Part part : store.parts(u.uploadId())) {
            parts.add(Map.of("part_number", part.partNumber(), "size", part.size(), "sha256", part.sha256()));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("upload_id", u.uploadId());
        m.put("object_name", u.objectName());
        m.put("size", u.size());
        m.put("sha256", u.sha256());
        m.put("part_size", u.partSize());
        m.put("part_count", partCount(u));
        m.put("parts", parts);
        return m;
    }


    /**
     * Multipart uploads abandoned for a day (their credentials, at most 12 hours long, are dead) with
     * the bytes staged for them; upload credentials a day past their expiry; objects no file refers to
     * (a server killed between storing an object and recording it) once a day old, scratch of
     * interrupted writes as old, and uploads staged as long ago that no upload row names.
     */
    @Override
    public java.util.List<io.omix.server.housekeeping.Housekeeping.Job> housekeeping() {
        return java.util.List.of(
                new io.omix.server.housekeeping.Housekeeping.Job("multipart_uploads", (now, r) -> {
                    long removed = 0;
                    for (FileStore.Upload u : store.uploadsStartedBefore(now.minus(r.abandonedUploads()), 1000)) {
                        try {
                            objects.abortParts(u.uploadId());
                        } catch (java.io.IOException | RuntimeException e) {
                            org.slf4j.LoggerFactory.getLogger(FilesCapability.class).warn("housekeeping: the bytes of upload {} stay: {}", u.uploadId(), e.toString());
                            continue;
                        }
                        store.abandonUpload(u.uploadId(), u.objectName(), u.owner(), now);
                        removed++;
                    }
                    return removed;
                }),
                new io.omix.server.housekeeping.Housekeeping.Job("upload_credentials", (now, r) ->
                        platform.database().jdbc().update("DELETE FROM upload_credentials WHERE expires_at < ?", now.minus(r.expiredCredentials()))),
                new io.omix.server.housekeeping.Housekeeping.Job("unreferenced_objects", (now, r) -> removeUnreferenced(now.minus(r.abandonedUploads()).toInstant())),
                new io.omix.server.housekeeping.Housekeeping.Job("object_scratch", (now, r) -> objects.removeScratch(now.minus(r.abandonedUploads()).toInstant())),
                // The files' own times are the machine's: compared with the machine's clock, not the platform's.
                new io.omix.server.housekeeping.Housekeeping.Job("scratch_files", (now, r) ->
                        io.omix.server.common.io.ScratchFiles.removeOlderThan(java.time.Instant.now().minus(r.abandonedUploads()))),
                new io.omix.server.housekeeping.Housekeeping.Job("unrecorded_uploads", (now, r) -> abortUnrecorded(now.minus(r.abandonedUploads()).toInstant())));
    }

    /** Aborts the uploads staged before {@code before} that no upload row names; how many. */
    private long abortUnrecorded(java.time.Instant before) throws java.io.IOException {
        java.util.List<String> staged = new java.util.ArrayList<>();
        objects.forEachUploadStagedBefore(before, staged::add);
        long aborted = 0;
        for (String uploadId : staged) {
            if (store.uploadRecorded(uploadId)) continue;
            try {
                objects.abortParts(uploadId);
                aborted++;
            } catch (java.io.IOException | RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(FilesCapability.class).warn("housekeeping: the bytes of unrecorded upload {} stay: {}", uploadId, e.toString());
            }
        }
        return aborted;
    }

    /** Objects written before {@code before} that no file row names, checked 500 names at a time. */
    private long removeUnreferenced(java.time.Instant before) throws java.io.IOException {
        long[] removed = {0};
        java.util.List<String> names = new java.util.ArrayList<>();
        objects.forEachObjectWrittenBefore(before, name -> {
            names.add(name);
            if (names.size() == 500) removed[0] += removeUnknown(names);
        });
        return removed[0] + removeUnknown(names);
    }

    /** Deletes those of {@code names} that no file row names, and empties the list. */
    private long removeUnknown(java.util.List<String> names) throws java.io.IOException {
        java.util.Set<String> known = store.existing(names);
        long removed = 0;
        for (String name : names) {
            if (known.contains(name)) continue;
            objects.delete(name);
            removed++;
        }
        names.clear();
        return removed;
    }
}
