package io.omix.sdk;

/**
 * No usable answer: the platform could not be reached (refused, timed out, connection lost, after
 * the retries the settings allow), the call was interrupted, or what came back is not an answer of
 * the platform (not JSON, not an envelope).
 */
@SuppressWarnings("deprecation") // extends the earlier name so that old catch clauses still work
public class TransportException extends BgeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message    what happened
     * @param cause      the underlying failure, or null
     * @param attempts   how many times the request was sent
     * @param httpStatus the last answer's status, 0 when none came
     */
    public TransportException(String message, Throwable cause, int attempts, int httpStatus) {
        super(message, cause, attempts, httpStatus, null);
    }

    /**
     * @param message  what happened
     * @param cause    the underlying failure, or null
     * @param attempts how many times the request was sent
     */
    public TransportException(String message, Throwable cause, int attempts) {
        this(message, cause, attempts, 0);
    }

    /** @param message what happened (nothing was sent) */
    public TransportException(String message) {
        this(message, null, 0, 0);
    }
}
