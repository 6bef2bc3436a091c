package io.omix.server.common.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Authenticators;
import io.omix.server.common.validation.ParamSpec;
import io.omix.server.common.validation.Params;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * How every capability registers its endpoints: a path, who may call it, the parameters it accepts,
 * and a handler that returns the answer's {@code data}. Authentication, validation, the envelope and
 * error rendering happen here, the same way for every endpoint, in that order.
 */
public final class Routes {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Routes.class);

    static final String ROUTE = "omix.route";
    static final String CODE = "omix.code";
    static final String REQUEST = "omix.api_request";
    static final String ACCESS = "omix.access";
    static final String RECORDS = "omix.records";
    /** The bytes of the JSON answer written, kept for {@link Idempotency}. */
    static final String ANSWER = "omix.answer";

    /** The route pattern that matched, or null (unknown path). */
    public static String routeOf(Context ctx) {
        return ctx.attribute(ROUTE);
    }

    /** The platform code the answer carried (0 for success), or the HTTP status of an HTTP-level error; null when unknown. */
    public static Object codeOf(Context ctx) {
        return ctx.attribute(CODE);
    }

    /** The API request behind an endpoint of the route table (null for plain endpoints). */
    public static ApiRequest requestOf(Context ctx) {
        return ctx.attribute(REQUEST);
    }

    static final String SPEC = "omix.spec";
    /** Set on a request refused for its address's refused credentials before its own were checked ({@link #unchecked}). */
    static final String UNCHECKED = "omix.unchecked";

    /** The parameters the endpoint that matched declares (null for plain endpoints). */
    public static ParamSpec specOf(Context ctx) {
        return ctx.attribute(SPEC);
    }

    /**
     * Whether the request was refused before its credentials were checked, its address having presented too many that
     * did not verify this minute: not recorded in the audit trail (a flood of them would fill it; the refusals that
     * led there are, and the server's log names the address).
     */
    public static boolean unchecked(Context ctx) {
        return ctx.attribute(UNCHECKED) != null;
    }

    /** Who may call the endpoint that matched (null for plain endpoints). */
    public static Access accessOf(Context ctx) {
        return ctx.attribute(ACCESS);
    }

    /** How many records the answer held, when it held a list. */
    public static Integer recordsOf(Context ctx) {
        return ctx.attribute(RECORDS);
    }

    /** Handles one validated call and returns {@code data} (or a whole {@link Envelope}). */
    @FunctionalInterface
    public interface ApiHandler {
        Object handle(ApiRequest request, Params params) throws Exception;
    }

    /** How an endpoint answers: the envelope, the dataset batches API's resources, or a page or text of its own. */
    public enum Kind { ENVELOPE, ENVELOPE_PAYLOAD, RESOURCE, RESOURCE_PAYLOAD, PLAIN }

    /**
     * One registered endpoint, as the route table lists it (tests walk it; documentation can be drawn from it);
     * {@code nonceInWrite}: registered with {@link #postRecordingNonceInWrite}.
     */
    public record Route(String method, String path, Access access, ParamSpec spec, Kind kind, boolean nonceInWrite) {
        Route(String method, String path, Access access, ParamSpec spec, Kind kind) {
            this(method, path, access, spec, kind, false);
        }
    }

    private final RoutesConfig routes;
    private final Authenticators authenticators;
    private final Idempotency idempotency;
    private final RateLimits rateLimits;
    private final java.util.List<Route> table = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Every endpoint registered, in registration order. */
    public java.util.List<Route> table() {
        return java.util.List.copyOf(table);
    }

    /** The limits every route's callers are counted against, for a route that counts something else as well. */
    public RateLimits rateLimits() {
        return rateLimits;
    }

    public Routes(RoutesConfig routes, Authenticators authenticators, Idempotency idempotency, RateLimits rateLimits) {
        this.routes = routes;
        this.authenticators = authenticators;
        this.idempotency = idempotency;
        this.rateLimits = rateLimits;
        routes.after(idempotency::complete);
    }

    public void get(String path, Access access, ParamSpec spec, ApiHandler handler) {
        api(HandlerType.GET, path, access, spec, handler);
    }

    public void post(String path, Access access, ParamSpec spec, ApiHandler handler) {
        api(HandlerType.POST, path, access, spec, handler);
    }

    /**
     * A POST of the private platform whose handler records the signed request's nonce in its own write
     * ({@link ApiRequest#pendingNonce()}, passed to the store): one commit instead of two. What no write took
     * is recorded before the answer leaves, so a replay is refused all the same. Only for handlers whose
     * every effect is in that write's transaction: a replay runs the handler up to its write.
     */
    public void postRecordingNonceInWrite(String path, Access access, ParamSpec spec, ApiHandler handler) {
        api(HandlerType.POST, path, access, spec, handler, true);
    }

    /**
     * Says that {@code path}'s POST only reads (a query too long for a URL): its answers are never kept for an
     * Idempotency-Key's repeats, as a GET's are not.
     */
    public void postOnlyReads(String path) {
        idempotency.postOnlyReads(path);
    }

    /** An endpoint answering with the envelope. */
    public void api(HandlerType method, String path, Access access, ParamSpec spec, ApiHandler handler) {
        api(method, path, access, spec, handler, false);
    }

    private void api(HandlerType method, String path, Access access, ParamSpec spec, ApiHandler handler, boolean nonceInWrite) {
        table.add(new Route(method.name(), path, access, spec, Kind.ENVELOPE, nonceInWrite));
        add(method, path, ctx -> envelope(ctx, invoke(ctx, path, access, spec, handler, false, nonceInWrite)));
    }

    /**
     * An endpoint whose body is a payload (a file streamed through {@link ApiRequest#body()},
     * not limited by {@code server.max-request-bytes}); parameters come from the path and query only.
     * Answers with the envelope.
     */
    public void upload(HandlerType method, String path, Access access, ParamSpec spec, ApiHandler handler) {
        table.add(new Route(method.name(), path, access, spec, Kind.ENVELOPE_PAYLOAD));
        add(method, path, ctx -> envelope(ctx, invoke(ctx, path, access, spec, handler, true, false)));
    }

    private static void envelope(Context ctx, Object result) {
        if (result instanceof Idempotency.Replay r) {
            replay(ctx, r);
            return;
        }
        countRecords(ctx, result instanceof Envelope e ? e.fields().get("data") : result);
        Envelope envelope = result instanceof Envelope e ? e : Envelope.ok(result);
        writeJson(ctx, 200, envelope.fields());
        ctx.attribute(CODE, envelope.code());
    }

    /**
     * An endpoint of the dataset batches API: the handler's result is the JSON body itself (HTTP 200
     * unless the handler sets another status); errors are {@code {status_code, detail, extra}}.
     */
    public void resource(HandlerType method, String path, Access access, ParamSpec spec, ApiHandler handler) {
        resource(method, path, access, spec, handler, false);
    }

    /** A dataset batches endpoint whose body is a payload streamed to the handler (as {@link #upload}). */
    public void resourceUpload(HandlerType method, String path, Access access, ParamSpec spec, ApiHandler handler) {
        resource(method, path, access, spec, handler, true);
    }

    private void resource(HandlerType method, String path, Access access, ParamSpec spec, ApiHandler handler, boolean payload) {
        table.add(new Route(method.name(), path, access, spec, payload ? Kind.RESOURCE_PAYLOAD : Kind.RESOURCE));
        add(method, path, ctx -> {
            Object result = invoke(ctx, path, access, spec, handler, payload, false);
            if (result instanceof Idempotency.Replay r) {
                replay(ctx, r);
                return;
            }
            countRecords(ctx, result);
            if (ctx.statusCode() == 204) {
                ctx.result(""); // "Request fulfilled, nothing follows"
                return;
            }
            writeJson(ctx, ctx.statusCode(), result);
        });
    }

    /**
     * Registers {@code handler}; a GET also for HEAD, served by the same checks and handler, the body left out (the
     * framework's own HEAD answered 200 for any path with a GET, running neither authentication nor the handler: a
     * forged signed link looked valid). Handlers that stream (downloads) answer a HEAD with their headers only; a GET
     * that runs a model answers HEAD 405.
     */
    private void add(HandlerType method, String path, io.javalin.http.Handler handler) {
        routes.addHttpHandler(method, path, handler);
        if (method != HandlerType.GET) return;
        if (Idempotency.READS_WITH_EFFECTS.contains(path)) {
            // A GET that does work (a model's run): a link checker's HEAD must not run it.
            routes.addHttpHandler(HandlerType.HEAD, path, ctx -> {
                throw new io.javalin.http.MethodNotAllowedResponse("", java.util.Map.of("allowed", "GET"));
            });
        } else {
            routes.addHttpHandler(HandlerType.HEAD, path, handler);
        }
    }

    /** A public endpoint whose answer is not an envelope (plain text, metrics, redirects, pages). */
    public void plain(HandlerType method, String path, Handler handler) {
        table.add(new Route(method.name(), path, Access.PUBLIC, ParamSpec.NONE, Kind.PLAIN));
        add(method, path, ctx -> {
            ctx.attribute(ROUTE, path);
            // A model's box reaches the API through its channel with its invocation token, and nothing else: not the sign-in
            // pages, the token endpoints or signed downloads, through which it could signal what it read to its author.
            if (ctx.req().getAttribute(ApiRequest.MODEL_CHANNEL) != null) {
                ctx.status(404).contentType("text/plain; charset=utf-8").result("not found");
                return;
            }
            handler.handle(ctx);
        });
    }

    /** Authentication, then validation, then the handler: the same for every kind of endpoint. */
    private Object invoke(Context ctx, String path, Access access, ParamSpec spec, ApiHandler handler, boolean payload,
                          boolean nonceInWrite) throws Exception {
        ctx.attribute(ROUTE, path);
        ctx.attribute(ACCESS, access);
        ctx.attribute(SPEC, spec);
        ApiRequest request = new ApiRequest(ctx, payload);
        request.nonceInWrite(nonceInWrite);
        ctx.attribute(REQUEST, request);
        // Only requests presenting a credential are held to their address's refusals (one without is not checked against
        // anything costly, and a web page can make its visitors' browsers send those); those from a model's box come from
        // the server itself, their refusals the box's.
        boolean counted = access != Access.PUBLIC && !request.viaModelChannel() && presentsCredentials(request);
        if (counted) {
            try {
                rateLimits.refuseIfGuessing(ctx);
            } catch (ApiException tooMany) {
                ctx.attribute(UNCHECKED, Boolean.TRUE);
                throw tooMany;
            }
        }
        try {
            request.caller(authenticators.authenticate(request, access));
        } catch (RuntimeException refused) {
            if (counted && refused instanceof CredentialRefusal) rateLimits.authenticationRefused(ctx);
            throw refused;
        }
        Throwable failure = null;
        try {
            rateLimits.check(ctx, request.caller());
            // A repeat of a write (same Idempotency-Key, same request) gets the first answer, before any check that could differ now.
            if (idempotency.claim(ctx, request) instanceof Idempotency.Replay replay) return replay;
            Params params = spec.parse(request.input());
            return handler.handle(request, params);
        } catch (ApiException refused) {
            throw refused;
        } catch (Exception | Error e) {
            failure = e;
            throw e;
        } finally {
            // Whatever the handler did or threw, a nonce its write did not take is recorded before the answer
            // leaves; a replay's refusal (40103) then takes the place of any other answer, as it would have first,
            // and frees the Idempotency-Key it claimed (a refusal kept under the key would answer the real retry).
            try {
                request.settleNonce();
            } catch (ApiException refused) {
                if (failure != null && refused.error() == ErrorCode.REQUEST_REPLAYED) {
                    // The handler failed after a write holding this nonce committed: its own commit whose acknowledgement
                    // was lost, or a copy's. Either way the request's effect happened once, so the answer stays a refusal
                    // that clients do not repeat (a 500 would be retried, and a write allowing duplicates done twice),
                    // saying what is known, and it is kept under the request's Idempotency-Key, so that a repeat with
                    // that key gets it again instead of doing the write; the failure goes to the log.
                    LOG.error("request {} failed after a write holding its nonce committed; answered 40103", request.requestId(), failure);
                    throw new ApiException(ErrorCode.REQUEST_REPLAYED, java.util.Map.of("X-Omix-Nonce",
                            "was recorded while this request failed, by its own write or by a copy of the request: read what was written before writing again"));
                }
                if (refused.error() == ErrorCode.REQUEST_REPLAYED) idempotency.release(ctx);
                throw refused;
            }
        }
    }

    /** Whether the request names a credential (a header a browser's cross-site request cannot set without the server's leave). */
    private static boolean presentsCredentials(ApiRequest request) {
        return request.header("Authorization") != null || request.header("X-Omix-App-Key") != null || request.header("X-API-KEY") != null
                || request.header("X-Omix-Access-Key-Id") != null;
    }

    /** The answer a write with this Idempotency-Key got the first time, as it was. */
    private static void replay(Context ctx, Idempotency.Replay r) {
        ctx.status(r.status()).contentType(r.contentType() == null ? "application/json; charset=utf-8" : r.contentType())
                .header(Idempotency.REPLAYED, "true").result(r.body() == null ? "" : r.body());
        ctx.attribute(CODE, "replayed");
    }

    /** A list answer, or an answer whose result/results/items/data is a list: its length, for the audit trail. */
    private static void countRecords(Context ctx, Object result) {
        Object list = result;
        if (result instanceof java.util.Map<?, ?> m) {
            for (String key : new String[] {"result", "results", "items", "data", "objects", "entry", "collections"}) {
                if (m.get(key) instanceof java.util.Collection<?> || m.get(key) instanceof com.fasterxml.jackson.databind.node.ArrayNode) {
                    list = m.get(key);
                    break;
                }
            }
        } else if (result instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
            for (String key : new String[] {"result", "results", "items", "data", "objects", "entry", "collections"}) {
                if (o.get(key) instanceof com.fasterxml.jackson.databind.node.ArrayNode) {
                    list = o.get(key);
                    break;
                }
            }
        }
        if (list instanceof java.util.Collection<?> c) ctx.attribute(RECORDS, c.size());
        else if (list instanceof com.fasterxml.jackson.databind.node.ArrayNode a) ctx.attribute(RECORDS, a.size());
    }

    static void writeJson(Context ctx, int status, Object body) {
        try {
            byte[] bytes = ServerJson.MAPPER.writeValueAsBytes(body);
            // FHIR clients ask for FHIR's own media type; everything else speaks plain JSON.
            boolean fhir = Surface.of(ctx.path()) == Surface.FHIR;
            ctx.status(status).contentType(fhir ? "application/fhir+json; charset=utf-8" : "application/json; charset=utf-8").result(bytes);
            ctx.attribute(ANSWER, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
