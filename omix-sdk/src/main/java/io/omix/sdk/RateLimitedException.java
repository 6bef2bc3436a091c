package io.omix.sdk;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;

/**
 * Too many calls this minute (429): the client's, app's, key's or person's limit is used up.
 * The SDK already waited and retried as far as its settings allow; {@link #retryAfter()} says
 * when the next call can succeed.
 */
public class RateLimitedException extends ApiException {
    private static final long serialVersionUID = 1L;

    /**
     * A refusal for too many calls, as the platform answered it.
     *
     * @param code       429
     * @param msg        the platform's message
     * @param data       {@code {retry_after_seconds, limit_per_minute}}, or null
     * @param httpStatus 429
     * @param requestId  the server's request id, or null
     * @param attempts   how many times the request was sent
     */
    public RateLimitedException(int code, String msg, JsonNode data, int httpStatus, String requestId, int attempts) {
        super(code, msg, data, httpStatus, requestId, attempts);
    }

    /**
     * How long to wait before the next call can succeed, from the answer's {@code retry_after_seconds}.
     *
     * @return the time until the limit's minute ends, or zero when the platform did not say
     */
    public Duration retryAfter() {
        Model d = dataModel();
        Integer seconds = d == null ? null : d.getInt("retry_after_seconds");
        return Duration.ofSeconds(seconds == null ? 0 : seconds);
    }
}
