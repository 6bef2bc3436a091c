package io.omix.server.common.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.javalin.http.Context;
import io.omix.server.common.auth.Caller;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One API call as handlers see it: the Javalin context plus every parameter the caller gave, from
 * the path, the query string and the body (form-encoded or JSON) merged into one map.
 */
public final class ApiRequest {
    public static final String REQUEST_ID = "omix.request_id";

    private final Context ctx;
    private final boolean bodyIsPayload;
    private Map<String, List<JsonNode>> input;
    private Caller caller = Caller.ANONYMOUS;
    private boolean nonceInWrite;
    private io.omix.server.common.auth.PendingNonce pendingNonce;

    public ApiRequest(Context ctx) {
        this(ctx, false);
    }

    /** @param bodyIsPayload the body is data for the handler (a file), not parameters */
    public ApiRequest(Context ctx, boolean bodyIsPayload) {
        this.ctx = ctx;
        this.bodyIsPayload = bodyIsPayload;
    }

    /** True when the body is a payload streamed to the handler (not parsed as parameters). */
    public boolean bodyIsPayload() {
        return bodyIsPayload;
    }

    private DigestingBody digestingBody;

    /**
     * A payload's bytes, as the handler streams them (hashed on the way when the request carries an Idempotency-Key, so
     * that a repeat under the key can be told from another body). Handlers read payloads here, never from the context.
     */
    public java.io.InputStream body() throws java.io.IOException {
        return digestingBody != null ? digestingBody : ctx.bodyInputStream();
    }

    /** From now on {@link #body()} hashes what is read under {@code mac}. */
    void digestBody(javax.crypto.Mac mac) throws java.io.IOException {
        digestingBody = new DigestingBody(ctx.bodyInputStream(), mac);
    }

    /**
     * The body's keyed hash once the handler is done ({@link DigestingBody#finish}, reading at most {@code maxRest} bytes it
     * left); null when it was not being hashed, the handler never read it, or more than {@code maxRest} was left.
     *
     * @throws java.io.IOException when the body cannot be read to its end (the client went away mid-body)
     */
    DigestingBody.Digest finishBodyDigest(long maxRest) throws java.io.IOException {
        return digestingBody == null || !digestingBody.touched() ? null : digestingBody.finish(maxRest);
    }

    /** The whole body's keyed hash, read now (at most {@code maxBytes}: null beyond); the handler never sees this body. */
    DigestingBody.Digest digestWholeBody(javax.crypto.Mac mac, long maxBytes) throws java.io.IOException {
        return new DigestingBody(ctx.bodyInputStream(), mac).finish(maxBytes);
    }

    public Context ctx() {
        return ctx;
    }

    /** Who is calling, as the route's {@link io.omix.server.common.auth.Access} established. */
    public Caller caller() {
        return caller;
    }

    void caller(Caller caller) {
        this.caller = caller;
    }

    /** True when the route records a signed request's nonce in its write ({@code Routes.postRecordingNonceInWrite}). */
    public boolean nonceInWrite() {
        return nonceInWrite;
    }

    void nonceInWrite(boolean nonceInWrite) {
        this.nonceInWrite = nonceInWrite;
    }

    /** The signed request's nonce, left for the route's write to record; null unless the request is signed and its route takes the nonce into its write. */
    public io.omix.server.common.auth.PendingNonce pendingNonce() {
        return pendingNonce;
    }

    /** Set by the authenticator of signed requests, only when {@link #nonceInWrite()}. */
    public void pendingNonce(io.omix.server.common.auth.PendingNonce nonce) {
        if (!nonceInWrite) throw new IllegalStateException("this route records nonces before its handler runs");
        if (pendingNonce != null) throw new IllegalStateException("the request's nonce is set already");
        this.pendingNonce = nonce;
    }

    /** Records the nonce no write took (refused with 40103 when it was used before). */
    void settleNonce() {
        if (pendingNonce != null) pendingNonce.record();
    }

    public String header(String name) {
        return ctx.header(name);
    }

    /** The token of an {@code Authorization: Bearer} header, or null. */
    public String bearerToken() {
        return bearerToken(header("Authorization"));
    }

    /** The token of an {@code Authorization} header's value when it is {@code Bearer}, or null (routes without an ApiRequest). */
    public static String bearerToken(String authorization) {
        if (authorization == null || authorization.length() < 8 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) return null;
        return authorization.substring(7).trim();
    }

    /**
     * How clients reach this server, for the links it hands out (signed URLs, upload endpoints):
     * {@code server.public-url} when set, else the address it listens on. Never the request's
     * {@code Host} header: anyone can send any, and a link built from it sends credentials elsewhere.
     */
    public String baseUrl(io.omix.server.ServerConfig config) {
        if (!config.publicUrl().isEmpty()) return config.publicUrl().replaceAll("/+$", "");
        String host = config.host().equals("0.0.0.0") || config.host().equals("::") ? "localhost" : config.host();
        if (host.contains(":")) host = "[" + host + "]";
        int port = ctx.req().getLocalPort();
        return "http://" + host + (port > 0 ? ":" + port : ":" + config.port());
    }

    /** The request attribute holding the credential the caller was authenticated with (in memory only). */
    private static final String GRANT_CREDENTIAL = "omix.grant_credential";

    /**
     * Records what the caller was authenticated with (its access token, the token an invocation came with, or its
     * browser session's id), so that what the request hands out (signed links, upload credentials) can die with it.
     */
    public void grantedBy(String credential) {
        ctx.attribute(GRANT_CREDENTIAL, credential);
    }

    /** The credential {@link #grantedBy} recorded, for what is handed on to act for this caller later (a model's invocation). */
    public String grantCredential() {
        return ctx.attribute(GRANT_CREDENTIAL);
    }

    /** The stored hash of the credential {@link #grantedBy} recorded (hashed only when asked); null when there is none. */
    public String grantHash() {
        String credential = grantCredential();
        return credential == null ? null : io.omix.server.common.auth.Secrets.hash(credential);
    }

    /** The request attribute set on requests that came through the models' channel (see ModelChannel). */
    public static final String MODEL_CHANNEL = "omix.model_channel";

    /** True when this request came from inside a model's sandbox, through the platform's channel. */
    public boolean viaModelChannel() {
        return ctx.req().getAttribute(MODEL_CHANNEL) != null;
    }

    /** A request that reads only (GET, HEAD). */
    public boolean isRead() {
        String method = ctx.method().name();
        return method.equals("GET") || method.equals("HEAD");
    }

    public String requestId() {
        return ctx.attribute(REQUEST_ID);
    }


    /** The parameters if they were read (and could be), else null: what the audit trail names. */
    public Map<String, List<JsonNode>> inputIfRead() {
        return input;
    }

    /** Every given parameter by name; a name given in more than one place has more than one value. */
    public Map<String, List<JsonNode>> input() {
        if (input == null) input = readInput();
        return input;
    }

    private Map<String, List<JsonNode>> readInput() {
        Map<String, List<JsonNode>> in = new LinkedHashMap<>();
        JsonNodeFactory f = JsonNodeFactory.instance;
        ctx.pathParamMap().forEach((k, v) -> add(in, k, f.textNode(v)));
        QueryEscapes.check(ctx.queryString());
        ctx.queryParamMap().forEach((k, vs) -> vs.forEach(v -> add(in, k, f.textNode(v))));
        if (bodyIsPayload || !hasBody()) return in;
        String type = contentType();
        if (type.equals("application/x-www-form-urlencoded")) {
            FormBody.fields(ctx).forEach((k, vs) -> vs.forEach(v -> add(in, k, f.textNode(v))));
        } else if (type.equals("application/json")) {
            JsonNode body = ServerJson.readClientJson(ctx.bodyAsBytes(), "body", caller.kind() == Caller.Kind.ANONYMOUS && !caller.operator());
            if (body == null || body.isMissingNode()) return in;
            if (!body.isObject()) throw ApiException.invalidParam("body", "must be a JSON object");
            body.fields().forEachRemaining(e -> add(in, e.getKey(), e.getValue()));
        } else if (!type.isEmpty()) {
            throw ApiException.invalidParam("Content-Type", "must be application/x-www-form-urlencoded or application/json");
        }
        return in;
    }

    private boolean hasBody() {
        String method = ctx.method().name();
        if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) return false;
        return ctx.contentLength() > 0 || ctx.header("Transfer-Encoding") != null;
    }

    /** The media type without parameters, lower-case; empty when absent. */
    private String contentType() {
        return mediaType(ctx);
    }

    /** The request's media type without parameters, lower-case; empty when absent. */
    static String mediaType(Context ctx) {
        String type = ctx.contentType();
        if (type == null) return "";
        int semi = type.indexOf(';');
        return (semi < 0 ? type : type.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    private static void add(Map<String, List<JsonNode>> in, String name, JsonNode value) {
        in.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
    }
}
