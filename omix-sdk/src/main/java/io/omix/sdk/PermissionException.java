package io.omix.sdk;

import com.fasterxml.jackson.databind.JsonNode;

/** The credentials are good but do not allow this: a missing scope (401), a user token where only the application may call (40014), a sample that is not the caller's (41303), or HTTP 403 on the dataset batches API. */
public class PermissionException extends ApiException {
    private static final long serialVersionUID = 1L;

    /**
     * A refusal for want of permission, as the platform answered it.
     *
     * @param code       the platform's code (dataset batches API: the HTTP status)
     * @param msg        the platform's message
     * @param data       details, or null
     * @param httpStatus the HTTP status of the answer
     * @param requestId  the server's request id, or null
     * @param attempts   how many times the request was sent
     */
    public PermissionException(int code, String msg, JsonNode data, int httpStatus, String requestId, int attempts) {
        super(code, msg, data, httpStatus, requestId, attempts);
    }
}
