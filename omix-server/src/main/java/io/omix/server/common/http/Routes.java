package io.omix.server.common.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.omix.server.common.validation.ParamSpec;
import io.omix.server.common.validation.Params;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * How every capability registers its endpoints: a path, the parameters it accepts, and a handler
 * that returns the answer's {@code data}. Validation, the envelope and error rendering happen here,
 * the same way for every endpoint.
 */
public final class Routes {
    static final String ROUTE = "omix.route";
    static final String CODE = "omix.code";

    /** Handles one validated call and returns {@code data} (or a whole {@link Envelope}). */
    @FunctionalInterface
    public interface ApiHandler {
        Object handle(ApiRequest request, Params params) throws Exception;
    }

    /** An endpoint as registered, for docs and checks. */
    public record Route(String method, String path, ParamSpec spec) {}

    private final RoutesConfig routes;
    private final List<Route> registered = new ArrayList<>();

    public Routes(RoutesConfig routes) {
        this.routes = routes;
    }

    public void get(String path, ParamSpec spec, ApiHandler handler) {
        api(HandlerType.GET, path, spec, handler);
    }

    public void post(String path, ParamSpec spec, ApiHandler handler) {
        api(HandlerType.POST, path, spec, handler);
    }

    /** An endpoint answering with the envelope. */
    public void api(HandlerType method, String path, ParamSpec spec, ApiHandler handler) {
        registered.add(new Route(method.name(), path, spec));
        routes.addHttpHandler(method, path, ctx -> {
            ctx.attribute(ROUTE, path);
            ApiRequest request = new ApiRequest(ctx);
            Params params = spec.parse(request.input());
            Object result = handler.handle(request, params);
            Envelope envelope = result instanceof Envelope e ? e : Envelope.ok(result);
            writeJson(ctx, 200, envelope.fields());
            ctx.attribute(CODE, envelope.code());
        });
    }

    /** An endpoint whose answer is not an envelope (plain text, metrics, redirects, pages). */
    public void plain(HandlerType method, String path, Handler handler) {
        registered.add(new Route(method.name(), path, ParamSpec.NONE));
        routes.addHttpHandler(method, path, ctx -> {
            ctx.attribute(ROUTE, path);
            handler.handle(ctx);
        });
    }

    public List<Route> registered() {
        return Collections.unmodifiableList(registered);
    }

    static void writeJson(Context ctx, int status, Object body) {
        try {
            ctx.status(status)
                    .contentType("application/json; charset=utf-8")
                    .result(ServerJson.MAPPER.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
