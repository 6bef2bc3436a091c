package io.omix.server.common.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Request ids, the structured access log and request metrics. The log names the route and path
 * but never the query string or body, where tokens and secrets travel.
 */
public final class RequestObservation {
    private static final Logger ACCESS = LoggerFactory.getLogger("omix.access");
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private RequestObservation() {}

    /**
     * A random version-4 UUID from the thread's own generator: a request id names a request in the logs
     * and is no secret (a client may send its own), and {@link UUID#randomUUID()} draws from the shared
     * SecureRandom, under a lock, on every request (3 % of a light read).
     */
    static String newRequestId() {
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        return new UUID((r.nextLong() & ~0xF000L) | 0x4000L, (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L).toString();
    }

    public static void install(JavalinConfig config, MeterRegistry metrics) {
        config.routes.before(ctx -> {
            String given = ctx.header("X-Request-Id");
            String id = given != null && SAFE_ID.matcher(given).matches() ? given : newRequestId();
            ctx.attribute(ApiRequest.REQUEST_ID, id);
            ctx.header("X-Request-Id", id);
        });
        Map<TimerKey, Timer> timers = new ConcurrentHashMap<>();
        config.requestLogger.http((ctx, ms) -> {
            String route = route(ctx);
            TimerKey key = new TimerKey(RequestShape.methodLabel(ctx.req().getMethod()), route, ctx.statusCode());
            Timer timer = timers.get(key);
            if (timer == null) {
                timer = Timer.builder("omix.http.requests")
                        .description("HTTP requests by route and status")
                        .tag("method", key.method())
                        .tag("route", key.route())
                        .tag("status", String.valueOf(key.status()))
                        .register(metrics);
                // Labels come from fixed sets (methods, route templates, statuses), so the map stays small.
                timers.putIfAbsent(key, timer);
            }
            timer.record((long) (ms * 1_000_000L), TimeUnit.NANOSECONDS);
            if (ACCESS.isInfoEnabled()) {
                Object code = ctx.attribute(Routes.CODE);
                ACCESS.info("method={} path={} route={} status={} code={} ms={} request_id={} remote={}",
                        RequestShape.methodLabel(ctx.req().getMethod()), quoteIfNeeded(ctx.path()), route, ctx.statusCode(),
                        code == null ? "-" : code, String.format("%.2f", ms),
                        ctx.attribute(ApiRequest.REQUEST_ID), ClientAddress.of(ctx));
            }
        });
    }

    /**
     * A request's labels: its timer is looked up by them, not built and registered again for every request (building
     * one sorts and merges its tags, a few per cent of a light read).
     */
    private record TimerKey(String method, String route, int status) {}

    private static String route(Context ctx) {
        String route = ctx.attribute(Routes.ROUTE);
        // Unknown paths share one label so that scanners cannot blow up the metric's cardinality.
        return route == null ? "unmatched" : route;
    }

    private static String quoteIfNeeded(String s) {
        return s.matches("[\\x21-\\x7e]*") && !s.contains("\"") ? s : '"' + s.replace("\"", "%22") + '"';
    }
}
