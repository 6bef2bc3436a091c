package io.omix.server.system;

import io.javalin.http.HandlerType;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.omix.server.Capability;
import io.omix.server.Platform;
import io.omix.server.common.http.Routes;

/**
 * Liveness ({@code GET /ping}), Prometheus metrics ({@code GET /metrics}), the OpenAPI document of every
 * endpoint ({@code GET /openapi.json}) and its reference page ({@code GET /console/api}).
 */
public final class SystemRoutes implements Capability {
    private final PrometheusMeterRegistry metrics;
    /** Hex SHA-256 of the bearer token /metrics requires, or empty when the operator keeps it behind the balancer. */
    private final String metricsTokenSha256;
    /** The document, drawn once the route table is complete (on first request). */
    private volatile byte[] openApi;

    public SystemRoutes(Platform platform) {
        this.metrics = platform.metrics();
        this.metricsTokenSha256 = platform.config().metricsTokenSha256();
    }

    private boolean presentsMetricsToken(String authorization) {
        if (authorization == null || authorization.length() > 1024) return false;
        return io.omix.server.common.auth.Secrets.matches(io.omix.server.common.http.ApiRequest.bearerToken(authorization), metricsTokenSha256);
    }

    @Override
    public void routes(Routes routes) {
        // Plain text, as the original platform answered; alive() only looks at the status.
        routes.plain(HandlerType.GET, "/ping", ctx -> ctx.contentType("text/plain; charset=utf-8").result("pong"));
        routes.plain(HandlerType.GET, "/metrics", ctx -> {
            // (Closed to a model's channel, as every plain route is.)
            if (!metricsTokenSha256.isEmpty() && !presentsMetricsToken(ctx.header("Authorization"))) {
                ctx.status(401).header("WWW-Authenticate", "Bearer realm=\"metrics\"")
                        .contentType("text/plain; charset=utf-8").result("metrics.token-sha256 is set: send Authorization: Bearer <token>");
                return;
            }
            ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
        });
        routes.plain(HandlerType.GET, "/openapi.json", ctx -> {
            byte[] doc = openApi;
            if (doc == null) openApi = doc = io.omix.server.common.http.ServerJson.MAPPER.writerWithDefaultPrettyPrinter()
                    .writeValueAsBytes(OpenApiDocument.build(routes.table()));
            ctx.contentType("application/json; charset=utf-8").result(doc);
        });
        routes.plain(HandlerType.GET, "/console/api", ctx -> ctx.contentType("text/html; charset=utf-8")
                .header("Content-Security-Policy", ApiReferencePage.contentSecurityPolicy()).result(ApiReferencePage.HTML));
    }
}
