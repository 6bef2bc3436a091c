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
     * A failure after an answer that could not be used (not JSON, not an envelope), or none.
     *
     * @param message    what happened
     * @param cause      the underlying failure, or null
     * @param attempts   how many times the request was sent
     * @param httpStatus the last answer's status, 0 when none came
     */
    public TransportException(String message, Throwable cause, int attempts, int httpStatus) {
        super(message, cause, attempts, httpStatus, null);
    }

    /**
     * A failure with no answer at all (unreachable, timed out, interrupted).
     *
     * @param message  what happened
     * @param cause    the underlying failure, or null
     * @param attempts how many times the request was sent
     */
    public TransportException(String message, Throwable cause, int attempts) {
        this(message, cause, attempts, 0);
    }

    /**
     * A failure before anything was sent, or while waiting (a task that did not finish in time).
     *
     * @param message what happened
     */
    public TransportException(String message) {
        this(message, null, 0, 0);
    }
}
