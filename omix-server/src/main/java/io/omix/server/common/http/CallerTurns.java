package io.omix.server.common.http;

import io.omix.server.common.auth.Caller;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A few requests of a kind at a time for each caller (a person, whatever application asks; else the application, app or
 * API key) on this server, for work whose cost the per-minute limits do not bound (a FHIR {@code $stats} reads up to a
 * million records; a dataset's CSV is stored in one transaction): a caller asking for more before one of its own has
 * answered is refused with 429 and {@code Retry-After: 1}, so that one caller's parallel requests cannot take every
 * database connection.
 */
public final class CallerTurns {
    private final String what;
    private final int atOnce;
    private final Map<String, Integer> running = new ConcurrentHashMap<>();

    /**
     * @param what   the requests counted, as the refusal names them ({@code "$stats"})
     * @param atOnce how many of them one caller may have under way at once
     */
    public CallerTurns(String what, int atOnce) {
        if (atOnce < 1) throw new IllegalArgumentException("at least one at a time");
        this.what = what;
        this.atOnce = atOnce;
    }

    /** A turn for {@code caller}'s request, to close when it has answered; 429 when it has as many under way here as it may. */
    public Turn enter(ApiRequest request) {
        Caller caller = request.caller();
        // A person's requests through any application (or the console) are the person's; others by their credential's holder.
        String who = caller.userId() != null ? "user:" + caller.userId() : caller.kind() + "\n" + caller.clientId() + "\n" + caller.appKey();
        boolean[] taken = {false};
        running.compute(who, (k, n) -> {
            int now = n == null ? 0 : n;
            if (now >= atOnce) return n;
            taken[0] = true;
            return now + 1;
        });
        if (!taken[0]) {
            request.ctx().header("Retry-After", "1");
            String rule = atOnce == 1 ? "one at a time for each caller: retry once the one under way has answered"
                    : atOnce + " at a time for each caller: retry once one under way has answered";
            throw new ApiException(ErrorCode.HTTP_TOO_MANY_REQUESTS, Map.of(what, rule, "retry_after_seconds", 1));
        }
        return () -> running.computeIfPresent(who, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** A request's turn. */
    @FunctionalInterface
    public interface Turn extends AutoCloseable {
        @Override
        void close();
    }
}
