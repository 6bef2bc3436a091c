package io.omix.server.system;

import io.javalin.http.HandlerType;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.omix.server.Capability;
import io.omix.server.Platform;
import io.omix.server.common.http.Routes;

/** Liveness ({@code GET /ping}) and Prometheus metrics ({@code GET /metrics}). */
public final class SystemRoutes implements Capability {
    private final PrometheusMeterRegistry metrics;

    public SystemRoutes(Platform platform) {
        this.metrics = platform.metrics();
    }

    @Override
    public void routes(Routes routes) {
        // Plain text, as the original platform answered; alive() only looks at the status.
        routes.plain(HandlerType.GET, "/ping", ctx -> ctx.contentType("text/plain; charset=utf-8").result("pong"));
        routes.plain(HandlerType.GET, "/metrics", ctx -> ctx
                .contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(metrics.scrape()));
    }
}
