package io.omix.server.common.http;

import io.javalin.http.Context;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.db.Jdbc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Safe retries of writes: a request carrying an {@code Idempotency-Key} header is served once per
 * caller and key. Its answer (status, content type, body) is kept for a day; the same request again
 * gets that answer without the work being done again (with {@code Idempotent-Replayed: true}); the
 * same key with another request is refused (41001 naming {@code Idempotency-Key}); a repeat while the
 * first is still being served waits for its answer (up to {@link #WAIT}), then is told to come back
 * ({@code 409} with {@code Retry-After}). Answers that hand out secrets are never kept
 * ({@link #SECRET_ANSWERS}). Answers of
 * 500 and above are not kept, so that a retry does the work.
 * <p>The answer is kept once the handler is done (as it is about to be written), not in the handler's own transaction: a server killed
 * between the two leaves a key that is taken over once its lock lapses ({@link #LOCK}), and the write
 * is then done again. What the SDK retries, a lost answer, is covered exactly.
 */
public final class Idempotency {
    public static final String HEADER = "Idempotency-Key";
    static final String REPLAYED = "Idempotent-Replayed";
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");
    private static final Duration KEPT = Duration.ofHours(24);
    /** How long a request may hold its key before a repeat may take the key over (longer than any request runs). */
    static final Duration LOCK = Duration.ofMinutes(10);
    /** How long a repeat waits for the first request's answer before it is told to come back (409). */
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String CLAIMED = "omix.idempotency";
    /**
     * Routes whose answers hand out a secret (upload credentials, a client secret, a signed download link): an answer kept
     * for a day would be a secret stored in the clear, so these are served afresh every time (a
     * retry gets new credentials, which costs nothing).
     */
    static final java.util.Set<String> SECRET_ANSWERS = java.util.Set.of("/oauth2/access_token", "/sts/token", "/admin/clients",
            "/admin/clients/{client_id}/secret", "/webhooks", "/private/webhooks", "/api/v2/webhooks", "/oss/sign_url");

    /**
     * The reads that do work a repeat must not do again (a model invocation runs the model, which may write): every other
     * GET is answered afresh. A kept read would be a day-old copy of data (an erasure or a revocation since made no
     * difference to it) and of the signed links it holds.
     */
    static final java.util.Set<String> READS_WITH_EFFECTS = java.util.Set.of("/model/{model_id}", "/model/{model_id}/draft");

    /** What a claim found. */
    sealed interface Claim {}

    /** The key is this request's: serve it, then {@link #complete}. */
    record Fresh(String owner, String key) implements Claim {}

    /**
     * The answer given before.
     *
     * @param payloadDigest the keyed hash of the first request's streamed body, null when it had none or it was not kept
     * @param payloadBytes  that body's length
     */
    record Replay(int status, String contentType, String body, String payloadDigest, Long payloadBytes) implements Claim {}

    /** The most of a streamed body its handler left unread (a refused import) that is read to finish its hash. */
    static final long MAX_UNREAD_REST = 64L << 20;

    /**
     * The routes that check the bytes of a streamed body against its declared {@code X-Omix-Content-SHA256} (file uploads):
     * there the header stands for the body. Elsewhere nothing checks the header, so the body is hashed as it is read.
     */
    static final java.util.Set<String> CHECKED_CONTENT_SHA = java.util.Set.of("/oss/objects/<object_name>",
            "/oss/uploads/{upload_id}/parts/{part_number}");

    /** What a server derives the fingerprints' key for from its master key. */
    public static final String FINGERPRINT_KEY_PURPOSE = "idempotency-fingerprint";
    /** How many requests of one caller may wait on this server for keys others are serving; more are told to come back at once. */
    static final int MAX_WAITING_PER_OWNER = 8;

    private final Jdbc jdbc;
    private final Clock clock;
    /**
     * Routes whose POST only reads (a query too long for a URL: a region list, a Beacon request): answered afresh as a
     * GET is, never kept. A kept read would be a copy of a person's data outliving a revocation or an erasure.
     */
    private final java.util.Set<String> postedReads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final javax.crypto.spec.SecretKeySpec fingerprintKey;
    /** Requests waiting here for a key another request holds, per caller (each wait polls the database). */
    private final java.util.concurrent.ConcurrentHashMap<String, Integer> waiting = new java.util.concurrent.ConcurrentHashMap<>();

    /** @param fingerprintKey the key of the requests' fingerprints (derived from the master key, the same on every server) */
    public Idempotency(Jdbc jdbc, Clock clock, byte[] fingerprintKey) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.fingerprintKey = new javax.crypto.spec.SecretKeySpec(fingerprintKey, "HmacSHA256");
    }

    /**
     * For a request with the header and a caller: claims the key, or answers what a repeat gets; null
     * when the request carries no key (or has no caller to scope it to).
     */
    Claim claim(Context ctx, ApiRequest request) {
        String key = ctx.header(HEADER);
        Caller caller = request.caller();
        if (key == null || caller == null || caller.kind() == Caller.Kind.ANONYMOUS) return null;
        String route = ctx.<String>attribute(Routes.ROUTE);
        if (SECRET_ANSWERS.contains(route)) return null;
        if ((ctx.method() == io.javalin.http.HandlerType.GET || ctx.method() == io.javalin.http.HandlerType.HEAD) && !READS_WITH_EFFECTS.contains(route)) {
            return null;
        }
        if (postedReads.contains(route)) return null;
        if (!KEY.matcher(key).matches()) throw ApiException.invalidParam(HEADER, "1 to 255 visible ASCII characters (a UUID, say)");
        String owner = owner(caller);
        Fingerprint fingerprint = fingerprint(ctx, request.bodyIsPayload(), standing(request));
        Claim claim = claimOnce(owner, key, fingerprint);
        if (claim == null) claim = awaitTurn(ctx, owner, key, fingerprint);
        // A streamed body whose bytes nothing checks against a declared SHA-256 is known by its length and type until it has
        // been read; then by its keyed hash.
        boolean streamedUnchecked = request.bodyIsPayload() && !CHECKED_CONTENT_SHA.contains(route);
        if (claim instanceof Replay replay && replay.payloadDigest() != null && streamedUnchecked) {
            DigestingBody.Digest repeat;
            try {
                // Read no further than the first body's length: a longer one differs already.
                repeat = request.digestWholeBody(payloadMac(), replay.payloadBytes() == null ? 0 : replay.payloadBytes());
            } catch (java.io.IOException e) {
                throw ApiException.invalidParam("body", "was cut short before its end");
            }
            if (repeat == null || repeat.bytes() != replay.payloadBytes() || !DigestingBody.same(repeat.hash(), replay.payloadDigest())) {
                throw ApiException.invalidParam(HEADER, "was used with another body (its bytes differ from the first request's);"
                        + " a new write needs a new key");
            }
        }
        if (claim instanceof Fresh) {
            ctx.attribute(CLAIMED, claim);
            if (streamedUnchecked) {
                try {
                    request.digestBody(payloadMac());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
        return claim;
    }

    /** The keyed hash of streamed bodies: the fingerprints' key, in a domain of its own. */
    private javax.crypto.Mac payloadMac() {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(fingerprintKey);
            mac.update("streamed body\n".getBytes(StandardCharsets.US_ASCII));
            return mac;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A repeat while the first is still being served waits for its answer (a client that timed out and a client library
     * resending a GET both land here), for up to WAIT; then 409. Each wait looks at the key with a plain read, and tries
     * the key again only once the first request is done or gone; a caller has at most {@link #MAX_WAITING_PER_OWNER}
     * requests waiting on a server, so that copies of one slow request cannot hold the database's connections.
     */
    private Claim awaitTurn(Context ctx, String owner, String key, Fingerprint fingerprint) {
        boolean[] admitted = {false};
        // Counted and freed under the map's lock for the caller, so that a count going to zero and a new waiter never race.
        waiting.compute(owner, (k, n) -> {
            int now = n == null ? 0 : n;
            if (now >= MAX_WAITING_PER_OWNER) return n;
            admitted[0] = true;
            return now + 1;
        });
        if (!admitted[0]) throw comeBack(ctx);
        try {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                OffsetDateTime now = OffsetDateTime.now(clock);
                boolean stillHeld = jdbc.queryOne("SELECT 1 FROM idempotency_keys WHERE owner = ? AND idem_key = ? AND state = 'running'"
                        + " AND locked_until >= ? AND expires_at >= ?", rs -> 1, owner, key, now, now).isPresent();
                if (stillHeld) continue;
                Claim claim = claimOnce(owner, key, fingerprint);
                if (claim != null) return claim;
            }
            throw comeBack(ctx);
        } finally {
            waiting.compute(owner, (k, n) -> n == null || n <= 1 ? null : n - 1);
        }
    }

    private static ApiException comeBack(Context ctx) {
        ctx.header("Retry-After", "1");
        return new ApiException(ErrorCode.HTTP_CONFLICT, Map.of(HEADER, "a request with this key is still being served"));
    }

    /** One look at the key: this request's now, the answer kept, or null while another request holds it. */
    private Claim claimOnce(String owner, String key, Fingerprint fingerprint) {
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        for (int attempt = 0; ; attempt++) {
            try {
                return jdbc.inTransaction(c -> {
                    List<Object[]> rows = Jdbc.query(c, "SELECT fingerprint, state, status, content_type, body, locked_until, expires_at, body_deflated,"
                            + " payload_digest, payload_bytes FROM idempotency_keys WHERE owner = ? AND idem_key = ? FOR UPDATE", rs -> new Object[] {rs.getString(1),
                            rs.getString(2), rs.getObject(3), rs.getString(4), rs.getString(5), rs.getObject(6, OffsetDateTime.class),
                            rs.getObject(7, OffsetDateTime.class), rs.getBytes(8), rs.getString(9), rs.getObject(10)}, owner, key);
                    if (rows.isEmpty()) {
                        Jdbc.update(c, "INSERT INTO idempotency_keys (owner, idem_key, fingerprint, state, created_at, locked_until, expires_at)"
                                + " VALUES (?,?,?,'running',?,?,?)", owner, key, fingerprint.keyed(), now, now.plus(LOCK), now.plus(KEPT));
                        return new Fresh(owner, key);
                    }
                    Object[] row = rows.get(0);
                    if (((OffsetDateTime) row[6]).isBefore(now)) { // kept long enough: the key is new again
                        Jdbc.update(c, "UPDATE idempotency_keys SET fingerprint = ?, state = 'running', status = NULL, content_type = NULL,"
                                + " body = NULL, body_deflated = NULL, names = NULL, payload_digest = NULL, payload_bytes = NULL, created_at = ?, locked_until = ?, expires_at = ? WHERE owner = ? AND idem_key = ?",
                                fingerprint.keyed(), now, now.plus(LOCK), now.plus(KEPT), owner, key);
                        return new Fresh(owner, key);
                    }
                    if (!fingerprint.matches((String) row[0])) {
                        throw ApiException.invalidParam(HEADER, "was used with another request (method, path, parameters or body), or by a credential that may do other things;"
                                + " a new write needs a new key");
                    }
                    if ("done".equals(row[1])) {
                        return new Replay(((Number) row[2]).intValue(), (String) row[3], row[7] != null ? inflate((byte[]) row[7]) : (String) row[4],
                                (String) row[8], row[9] == null ? null : ((Number) row[9]).longValue());
                    }
                    if (((OffsetDateTime) row[5]).isBefore(now)) { // its server went away while serving it
                        Jdbc.update(c, "UPDATE idempotency_keys SET locked_until = ? WHERE owner = ? AND idem_key = ?", now.plus(LOCK), owner, key);
                        return new Fresh(owner, key);
                    }
                    return null;
                });
            } catch (Jdbc.DataAccessException e) {
                // Two first requests with one key at once: one inserted; the other looks again.
                if (attempt >= 2 || !e.isIntegrityViolation()) throw e;
            }
        }
    }

    /** {@code route}'s POST only reads: see {@link #postedReads}. */
    void postOnlyReads(String route) {
        postedReads.add(route);
    }

    private static final String KEEP_NOTHING = "omix.idempotency.keep-nothing";

    /**
     * The answer names what the request erased (an account): kept under the caller's key, it would name the erased for a
     * day after the erasure. Its key is freed instead, as for an answer whose sample went; a repeat finds nothing to erase.
     */
    public static void keepNothing(Context ctx) {
        ctx.attribute(KEEP_NOTHING, Boolean.TRUE);
    }

    /** The request was refused after it claimed its key (a replayed signature): the key is freed and nothing kept. */
    void release(Context ctx) {
        if (!(ctx.attribute(CLAIMED) instanceof Fresh fresh)) return;
        ctx.attribute(CLAIMED, null);
        jdbc.update("DELETE FROM idempotency_keys WHERE owner = ? AND idem_key = ? AND state = 'running'", fresh.owner(), fresh.key());
    }

    /** After the handler, as the answer is about to be written: keep it for repeats, or (a server error, a 429) free the key for a retry. */
    void complete(Context ctx) {
        if (!(ctx.attribute(CLAIMED) instanceof Fresh fresh)) return;
        int status = ctx.statusCode();
        byte[] body = ctx.attribute(Routes.ANSWER);
        // A 429 says "not now" (a queue or a caller's turns full): kept, it would answer every retry under the key with it.
        if (status >= 500 || status == 429 || body == null || Boolean.TRUE.equals(ctx.attribute(KEEP_NOTHING))) {
            jdbc.update("DELETE FROM idempotency_keys WHERE owner = ? AND idem_key = ? AND state = 'running'", fresh.owner(), fresh.key());
            return;
        }
        // A streamed body's hash, finished now that its handler is done (reading what it left): kept with the answer. One that
        // could not be read to its end (the client went away mid-body) keeps nothing: the answer spoke of a body that never
        // arrived whole, and the client's retry, with the whole body, does the work.
        ApiRequest request = ctx.attribute(Routes.REQUEST);
        DigestingBody.Digest payload;
        try {
            payload = request == null ? null : request.finishBodyDigest(MAX_UNREAD_REST);
        } catch (java.io.IOException cutShort) {
            jdbc.update("DELETE FROM idempotency_keys WHERE owner = ? AND idem_key = ? AND state = 'running'", fresh.owner(), fresh.key());
            return;
        }
        // The ids the request named too (a sample asked about, whose answer need not repeat its id), so that an erasure
        // finds every kept answer about what it erases.
        java.util.Set<String> answerIds = ids(new String(body, StandardCharsets.ISO_8859_1)); // ids are ASCII
        java.util.Set<String> ids = new java.util.LinkedHashSet<>(answerIds);
        if (request != null) ids.addAll(ids(requestText(ctx, request)));
        String names = ids.isEmpty() ? null : String.join(" ", ids);
        List<String> samples = samplesIn(ids);
        // Only the answer's own samples must still be there: a request may name an id that is no sample here (in a record's
        // data, say), and its answer is kept all the same.
        List<String> answered = samplesIn(answerIds);
        jdbc.inTransaction(c -> {
            // The samples the answer and the request name, held while it is kept (an erasure takes a sample's row before it forgets the
            // answers naming it): one erased while this request ran is not kept in an answer a repeat would give back for a
            // day. Its key is freed instead; a repeat does the work again and finds the sample gone.
            if (!samples.isEmpty()) {
                io.omix.server.common.db.SqlWhere named = new io.omix.server.common.db.SqlWhere().in("biosample_id", samples);
                List<String> present = Jdbc.query(c, "SELECT biosample_id FROM samples" + named.sql() + " ORDER BY biosample_id FOR UPDATE",
                        rs -> rs.getString(1), named.args());
                if (!present.containsAll(answered)) {
                    Jdbc.update(c, "DELETE FROM idempotency_keys WHERE owner = ? AND idem_key = ?", fresh.owner(), fresh.key());
                    return null;
                }
            }
            Jdbc.update(c, "UPDATE idempotency_keys SET state = 'done', status = ?, content_type = ?, body_deflated = ?, names = ?, payload_digest = ?,"
                            + " payload_bytes = ? WHERE owner = ? AND idem_key = ?", status, ctx.res().getContentType(), deflate(body), names,
                    payload == null ? null : payload.hash(), payload == null ? null : payload.bytes(), fresh.owner(), fresh.key());
            return null;
        });
    }

    private static List<String> samplesIn(java.util.Set<String> ids) {
        return ids.stream().filter(n -> n.startsWith("E-")).toList();
    }

    /** What an answer's ids could be: a biosample id, a UUID (entity ids), a run of 21 digits (user ids). */
    private static final Pattern NAME = Pattern.compile("E-[A-Z][0-9]{11}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9]{21}");

    /**
     * The ids {@code text} names, in order, once each: kept space-separated in text beside the deflated answer (names), so
     * that erasing a sample or a person finds every kept answer naming them (Erasure).
     */
    private static java.util.Set<String> ids(String text) {
        java.util.Set<String> found = new java.util.LinkedHashSet<>();
        java.util.regex.Matcher m = NAME.matcher(text);
        while (m.find()) found.add(m.group());
        return found;
    }

    /**
     * The request's path and query, as sent (the ids are letters, digits and hyphens, which nothing escapes), and its short
     * parameters: what a request names the sample or entity it is about with. Not its whole body, which may be 16 MiB of
     * ids, to be kept beside every answer and held row by row.
     */
    private static String requestText(Context ctx, ApiRequest request) {
        StringBuilder text = new StringBuilder(ctx.path()).append('?').append(ctx.queryString() == null ? "" : ctx.queryString());
        // And the short texts among its parameters, wherever they came (a write names its sample or entity in its body, and
        // its answer may name only the record it made): at most a hundred, each at most a hundred characters.
        Map<String, List<com.fasterxml.jackson.databind.JsonNode>> input = request.inputIfRead();
        if (input != null) {
            int taken = 0;
            for (List<com.fasterxml.jackson.databind.JsonNode> values : input.values()) {
                for (com.fasterxml.jackson.databind.JsonNode v : values) {
                    if (taken < 100 && v.isTextual() && v.textValue().length() <= 100) {
                        text.append('\n').append(v.textValue());
                        taken++;
                    }
                }
            }
        }
        return text.toString();
    }

    /**
     * An answer as kept: deflated. Answers are JSON, often of many like records (a batch write of 100
     * stream records answers about 40 KB, which deflates to a tenth), and they are kept a day; as
     * written they grew the embedded database by about 1 GB a minute under a steady load.
     */
    static byte[] deflate(byte[] answer) {
        return io.omix.server.common.db.Deflated.of(z -> z.write(answer), answer.length / 8);
    }

    static String inflate(byte[] kept) {
        try (java.io.InputStream in = io.omix.server.common.db.Deflated.reading(kept)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Keys kept past their day (housekeeping). */
    public int removeExpired(OffsetDateTime now) {
        return jdbc.update("DELETE FROM idempotency_keys WHERE expires_at < ?", now);
    }

    /** The owner of the keys of a person's tokens through an application (what a revocation of that grant forgets). */
    public static String ownerOf(String userId, String clientId) {
        return "user:" + userId + "/client:" + clientId;
    }

    /** Keys are per caller: the same key from two callers names two writes. */
    static String owner(Caller caller) {
        return switch (caller.kind()) {
            case USER_TOKEN -> ownerOf(caller.userId(), caller.clientId());
            case CLIENT_TOKEN -> "client:" + caller.clientId();
            case PRIVATE_APP -> "app:" + caller.appKey();
            case DATASET_KEY -> "dsk:" + caller.appKey();
            case ANONYMOUS -> throw new IllegalArgumentException("anonymous callers have no keys");
        };
    }

    /**
     * A request's fingerprint as kept: an HMAC under a key of the server's ({@code s} and its base64url, never hex digits as
     * the plain SHA-256 of keys kept before, so that they are told apart in the column of 64; {@code h} for one keyed
     * before the caller's standing was part of it, {@code keyedBefore}). A plain hash of a
     * body that holds a password (a keyed {@code POST /admin/users}) would let whoever reads the database test guesses of
     * it offline, at the speed of SHA-256. {@code legacy} computes the plain SHA-256 that keys kept before were stored
     * with, compared only against those (gone a day after the upgrade).
     */
    record Fingerprint(String keyed, java.util.function.Supplier<String> keyedBefore, java.util.function.Supplier<String> legacy) {
        boolean matches(String kept) {
            if (kept == null) return false;
            // s: keyed with the caller's standing; h: keyed without it, kept before that (replayed as then, gone a day after
            // the upgrade, so that a retry across it is not refused); else the plain SHA-256 of before those.
            String expected = kept.startsWith("s") ? keyed : kept.startsWith("h") ? keyedBefore.get() : null;
            if (expected == null) return kept.equals(legacy.get());
            return java.security.MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), kept.getBytes(StandardCharsets.US_ASCII));
        }
    }

    private String keyedHash(byte[] head, byte[] body) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(fingerprintKey);
            mac.update(head);
            return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What the caller may do, as part of what a repeat must match: a replay is answered before the route's checks run,
     * so a credential of the same owner that may do less (a model's invocation token, a token of narrower scopes, one
     * whose client lost a scope since) must not be handed the answer the first caller was allowed.
     */
    private static String standing(ApiRequest request) {
        Caller caller = request.caller();
        return caller.kind() + (caller.operator() ? " operator" : "") + (request.viaModelChannel() ? " model" : "")
                + " " + String.join(" ", new java.util.TreeSet<>(caller.scopes() == null ? java.util.Set.<String>of() : caller.scopes()));
    }

    /**
     * The request as the server reads it: method, path, query and body (signatures and nonces aside), and who asked.
     * A payload (a file streamed to its handler) is not read twice: its length, type and declared SHA-256
     * ({@code X-Omix-Content-SHA256}, which uploads carry and the server checks against the bytes) stand for it.
     */
    private Fingerprint fingerprint(Context ctx, boolean payload, String standing) {
        String request = ctx.method().name() + " " + ctx.path() + "?" + (ctx.queryString() == null ? "" : ctx.queryString()) + "\n";
        byte[] keyedHead = (request + standing + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] head = request.getBytes(StandardCharsets.UTF_8);
        String contentSha = ctx.header("X-Omix-Content-SHA256");
        String payloadHead = "payload " + ctx.header("Content-Length") + " " + ctx.contentType();
        byte[] legacyBody = payload ? payloadHead.getBytes(StandardCharsets.UTF_8) : ctx.bodyAsBytes();
        byte[] body = payload && contentSha != null ? (payloadHead + " sha256 " + contentSha).getBytes(StandardCharsets.UTF_8) : legacyBody;
        String keyed = "s" + keyedHash(keyedHead, body);
        return new Fingerprint(keyed, () -> "h" + keyedHash(head, body), () -> {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                sha.update(head);
                return HexFormat.of().formatHex(sha.digest(legacyBody));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
