package io.omix.sdk;

import com.fasterxml.jackson.databind.JsonNode;

/** What was named does not exist for this caller: a model (41202), or HTTP 404. */
public class NotFoundException extends ApiException {
    private static final long serialVersionUID = 1L;

    /**
     * A refusal naming something that does not exist for the caller, as the platform answered it.
     *
     * @param code       the platform's code (dataset batches API: the HTTP status)
     * @param msg        the platform's message
     * @param data       details, or null
     * @param httpStatus the HTTP status of the answer
     * @param requestId  the server's request id, or null
     * @param attempts   how many times the request was sent
     */
    public NotFoundException(int code, String msg, JsonNode data, int httpStatus, String requestId, int attempts) {
        super(code, msg, data, httpStatus, requestId, attempts);
    }
}
