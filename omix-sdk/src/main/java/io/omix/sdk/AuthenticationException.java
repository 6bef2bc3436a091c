package io.omix.sdk;

import com.fasterxml.jackson.databind.JsonNode;

/** The credentials were not accepted: an unknown, expired or revoked token (403), a private app's signature, timestamp or nonce (40101-40103), upload credentials (42001), or HTTP 401 on the dataset batches API. */
public class AuthenticationException extends ApiException {
    private static final long serialVersionUID = 1L;

    /**
     * A refusal of the credentials, as the platform answered it.
     *
     * @param code       the platform's code (dataset batches API: the HTTP status)
     * @param msg        the platform's message
     * @param data       details, or null
     * @param httpStatus the HTTP status of the answer
     * @param requestId  the server's request id, or null
     * @param attempts   how many times the request was sent
     */
    public AuthenticationException(int code, String msg, JsonNode data, int httpStatus, String requestId, int attempts) {
        super(code, msg, data, httpStatus, requestId, attempts);
    }
}
