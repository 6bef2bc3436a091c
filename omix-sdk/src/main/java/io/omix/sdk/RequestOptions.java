package io.omix.sdk;

import io.omix.sdk.internal.ApiRequest;

import java.time.Duration;
import java.util.Objects;

/**
 * Options of the calls made through a client view: {@code api.with(RequestOptions.timeout(Duration.ofMinutes(2))).invokeModel(...)}.
 *
 * @param timeout        the limit per attempt instead of the client's, or null
 * @param idempotencyKey the {@code Idempotency-Key} of the next write instead of a fresh one (1 to 255
 *                       visible ASCII characters), or null: reuse a key of your own to retry a write
 *                       safely across runs of your program; a view with a key is for one write
 */
public record RequestOptions(Duration timeout, String idempotencyKey) {
    /** No options: the client's own. */
    public static final RequestOptions NONE = new RequestOptions(null, null);

    /**
     * Options, checked.
     *
     * @param timeout        the limit per attempt, or null
     * @param idempotencyKey the key of the next write, or null
     * @throws IllegalArgumentException when the timeout is zero or negative, or the key is not 1 to 255
     *                                  visible ASCII characters
     */
    public RequestOptions {
        if (timeout != null && (timeout.isZero() || timeout.isNegative())) throw new IllegalArgumentException("timeout must be positive");
        if (idempotencyKey != null && !idempotencyKey.matches("[\\x21-\\x7e]{1,255}")) {
            throw new IllegalArgumentException("an idempotency key is 1 to 255 visible ASCII characters");
        }
    }

    /**
     * Options with a limit per attempt for these calls (e.g. a model that runs longer than the client's timeout).
     *
     * @param timeout the limit per attempt, positive
     * @return the options
     * @throws IllegalArgumentException when {@code timeout} is zero or negative
     */
    public static RequestOptions timeout(Duration timeout) {
        return new RequestOptions(Objects.requireNonNull(timeout, "timeout"), null);
    }

    /**
     * Options with the {@code Idempotency-Key} of the write: the server answers a repeat of that key with
     * the first answer instead of writing again.
     *
     * @param key 1 to 255 visible ASCII characters, of your own making
     * @return the options
     * @throws IllegalArgumentException when {@code key} is not 1 to 255 visible ASCII characters
     */
    public static RequestOptions idempotencyKey(String key) {
        return new RequestOptions(null, Objects.requireNonNull(key, "key"));
    }

    /**
     * These options with {@code key} as the write's {@code Idempotency-Key}.
     *
     * @param key 1 to 255 visible ASCII characters, or null for a fresh key per call
     * @return new options; these stay as they are
     * @throws IllegalArgumentException when {@code key} is not 1 to 255 visible ASCII characters
     */
    public RequestOptions withIdempotencyKey(String key) {
        return new RequestOptions(timeout, key);
    }

    /**
     * These options with another limit per attempt.
     *
     * @param timeout the limit per attempt, or null for the client's
     * @return new options; these stay as they are
     * @throws IllegalArgumentException when {@code timeout} is zero or negative
     */
    public RequestOptions withTimeout(Duration timeout) {
        return new RequestOptions(timeout, idempotencyKey);
    }

    ApiRequest apply(ApiRequest request) {
        if (timeout != null) request.timeout(timeout);
        if (idempotencyKey != null) request.header(ApiRequest.IDEMPOTENCY_KEY, idempotencyKey);
        return request;
    }
}
