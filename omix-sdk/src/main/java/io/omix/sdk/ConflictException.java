package io.omix.sdk;

import com.fasterxml.jackson.databind.JsonNode;

/** A write with the same Idempotency-Key is still being served (409): retry it, with the same key, after a moment. */
public class ConflictException extends ApiException {
    private static final long serialVersionUID = 1L;

    /**
     * A refusal of a keyed write still being served, as the platform answered it.
     *
     * @param code       the platform's code (dataset batches API: the HTTP status)
     * @param msg        the platform's message
     * @param data       details, or null
     * @param httpStatus the HTTP status of the answer
     * @param requestId  the server's request id, or null
     * @param attempts   how many times the request was sent
     */
    public ConflictException(int code, String msg, JsonNode data, int httpStatus, String requestId, int attempts) {
        super(code, msg, data, httpStatus, requestId, attempts);
    }
}
