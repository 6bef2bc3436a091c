package io.omix.sdk;

/**
 * The platform failed (HTTP 5xx, after the retries the settings allow) or answered with an HTTP
 * error that is not one of its API answers. {@link #requestId()} names the failure in the server's log.
 */
@SuppressWarnings("deprecation") // extends the earlier name so that old catch clauses still work
public class ServerException extends BgeException {
    private static final long serialVersionUID = 1L;

    /**
     * A failure of the platform itself, after the retries.
     *
     * @param message    what happened
     * @param attempts   how many times the request was sent
     * @param httpStatus the last answer's status
     * @param requestId  the server's request id, or null
     */
    public ServerException(String message, int attempts, int httpStatus, String requestId) {
        super(message, null, attempts, httpStatus, requestId);
    }
}
