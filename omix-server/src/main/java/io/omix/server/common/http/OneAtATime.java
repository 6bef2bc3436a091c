package io.omix.server.common.http;

import io.omix.server.common.auth.Caller;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One request of a kind at a time for each caller (a person, whatever application asks; else the application) on this
 * server, for work whose cost the per-minute limits do not bound (a FHIR {@code $stats} reads up to a million records):
 * a caller asking again before its first has answered is refused with 429 and {@code Retry-After: 1}, so that one
 * caller's parallel requests cannot take every database connection.
 */
public final class OneAtATime {
    private final String what;
    private final Set<String> running = ConcurrentHashMap.newKeySet();

    /** @param what the requests counted, as the refusal names them ({@code "$stats"}) */
    public OneAtATime(String what) {
        this.what = what;
    }

    /** A turn for {@code caller}'s request, to close when it has answered; 429 when its previous one still runs here. */
    public Turn enter(ApiRequest request) {
        Caller caller = request.caller();
        // A person's requests through any application (or the console) are the person's; others by their credential's holder.
        String who = caller.userId() != null ? "user:" + caller.userId() : caller.kind() + "\n" + caller.clientId() + "\n" + caller.appKey();
        if (!running.add(who)) {
            request.ctx().header("Retry-After", "1");
            throw new ApiException(ErrorCode.HTTP_TOO_MANY_REQUESTS, Map.of(what, "one at a time for each caller: retry once the one"
                    + " under way has answered", "retry_after_seconds", 1));
        }
        return () -> running.remove(who);
    }

    /** A request's turn. */
    @FunctionalInterface
    public interface Turn extends AutoCloseable {
        @Override
        void close();
    }
}
