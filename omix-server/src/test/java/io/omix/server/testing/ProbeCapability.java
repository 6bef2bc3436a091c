package io.omix.server.testing;

import io.omix.server.Capability;
import io.omix.server.Platform;
import io.omix.server.common.auth.Access;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ErrorCode;
import io.omix.server.common.http.Routes;
import io.omix.server.common.validation.BoolParam;
import io.omix.server.common.validation.IntListParam;
import io.omix.server.common.validation.IntParam;
import io.omix.server.common.validation.JsonParam;
import io.omix.server.common.validation.Param;
import io.omix.server.common.validation.ParamSpec;
import io.omix.server.common.validation.StringParam;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Endpoints that exist only in tests, to exercise the shared plumbing (validation, both body
 * encodings, error rendering, slow requests) through the real server.
 */
public final class ProbeCapability implements Capability {
    static final StringParam NAME = Param.string("name").required().maxLength(20);
    static final StringParam SAMPLE = Param.string("biosample_id")
            .pattern(Pattern.compile("E-[A-Z][0-9]{11}"), "E- + an upper-case letter + 11 digits");
    static final IntParam LIMIT = Param.integer("limit").range(1, 100).orElse(50);
    static final IntListParam SITES = Param.intList("biosample_sites").range(1, 15);
    static final BoolParam FLAG = Param.bool("duplicate_enabled").orElse(false);
    static final JsonParam DOC = Param.json("stream_data").objectOnly();
    static final IntParam MILLIS = Param.integer("millis").range(0, 10_000).orElse(1000);
    static final StringParam OPTIONAL_NAME = Param.string("name");
    static final ParamSpec ECHO = ParamSpec.of(NAME, SAMPLE, LIMIT, SITES, FLAG, DOC);

    private final Platform platform;
    private final io.omix.server.common.http.CallerTurns oneAtATime = new io.omix.server.common.http.CallerTurns("probe", 1);
    /** How many requests entered /test/one-at-a-time (a test waits for the first before sending the second). */
    public static final java.util.concurrent.atomic.AtomicInteger ONE_AT_A_TIME_ENTERED = new java.util.concurrent.atomic.AtomicInteger();

    public ProbeCapability(Platform platform) {
        this.platform = platform;
    }

    @Override
    public void routes(Routes routes) {
        Routes.ApiHandler echo = (request, p) -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("name", p.get(NAME));
            out.put("biosample_id", p.get(SAMPLE));
            out.put("limit", p.get(LIMIT));
            out.put("biosample_sites", p.get(SITES));
            out.put("duplicate_enabled", p.get(FLAG));
            out.put("stream_data", p.get(DOC));
            return out;
        };
        routes.get("/test/echo", Access.PUBLIC, ECHO, echo);
        // Holds a caller's turn (CallerTurns) for millis: what a long $stats does.
        routes.get("/test/one-at-a-time", Access.TOKEN, ParamSpec.of(MILLIS), (request, p) -> {
            try (io.omix.server.common.http.CallerTurns.Turn turn = oneAtATime.enter(request)) {
                ONE_AT_A_TIME_ENTERED.incrementAndGet();
                Thread.sleep(p.get(MILLIS));
                return Map.of("slept", p.get(MILLIS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
        routes.post("/test/echo", Access.PUBLIC, ECHO, echo);
        routes.post("/private/test/echo", Access.PUBLIC, ECHO, echo);
        routes.get("/test/refuse", Access.PUBLIC, ParamSpec.NONE, (request, p) -> {
            throw new ApiException(ErrorCode.NOT_OWN_SAMPLE);
        });
        routes.get("/test/boom", Access.PUBLIC, ParamSpec.NONE, (request, p) -> {
            throw new IllegalStateException("internal detail: db password is hunter2");
        });
        routes.get("/api/v2/test/boom", Access.PUBLIC, ParamSpec.NONE, (request, p) -> {
            throw new IllegalStateException("internal detail");
        });
        Routes.ApiHandler whoami = (request, p) -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("kind", request.caller().kind().name());
            out.put("client_id", request.caller().clientId());
            out.put("user_id", request.caller().userId());
            out.put("app_key", request.caller().appKey());
            out.put("scopes", request.caller().scopes());
            out.put("params", Map.of("name", String.valueOf(p.get(OPTIONAL_NAME))));
            return out;
        };
        ParamSpec whoamiSpec = ParamSpec.of(OPTIONAL_NAME);
        routes.get("/test/whoami", Access.TOKEN, whoamiSpec, whoami);
        routes.get("/test/user-only", Access.USER_TOKEN, whoamiSpec, whoami);
        routes.get("/test/client-only", Access.CLIENT_TOKEN, whoamiSpec, whoami);
        routes.get("/private/test/whoami", Access.PRIVATE_APP, whoamiSpec, whoami);
        routes.post("/private/test/whoami", Access.PRIVATE_APP, whoamiSpec, whoami);
        routes.resource(io.javalin.http.HandlerType.GET, "/api/v2/test/whoami", Access.DATASET_KEY, ParamSpec.NONE, (request, p) -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("api_key", request.caller().appKey());
            return out;
        });
        // A write whose commit goes through and whose acknowledgement is then lost (a dropped connection): the
        // request's nonce is in the committed transaction, and the handler fails as if the commit had.
        routes.postRecordingNonceInWrite("/private/test/committed-then-lost", Access.PRIVATE_APP, ParamSpec.NONE, (request, p) -> {
            platform.database().jdbc().inTransaction(c -> {
                request.pendingNonce().insertWith(c);
                return null;
            });
            throw new IllegalStateException("the connection dropped after the commit");
        });
        routes.get("/test/slow", Access.PUBLIC, ParamSpec.of(MILLIS), (request, p) -> {
            Thread.sleep(p.get(MILLIS));
            return Map.of("slept", p.get(MILLIS));
        });
    }
}
