package io.omix.sdk;

/**
 * Base of every SDK failure. Thrown as such when the platform could not be reached or answered
 * with something that is not an API answer (connection refused, timeout, HTTP 5xx after retries,
 * malformed body); {@link ApiException} is the subclass for API errors the platform reported.
 */
public class BgeException extends RuntimeException {
    private final int attempts;
    private final int httpStatus;

    public BgeException(String message, Throwable cause, int attempts, int httpStatus) {
        super(message, cause);
        this.attempts = attempts;
        this.httpStatus = httpStatus;
    }

    public BgeException(String message, Throwable cause, int attempts) {
        this(message, cause, attempts, 0);
    }

    public BgeException(String message) {
        this(message, null, 0, 0);
    }

    /** How many times the request was sent (1 + retries); 0 where nothing was sent. */
    public int attempts() {
        return attempts;
    }

    /** The HTTP status of the last answer, or 0 when no answer arrived. */
    public int httpStatus() {
        return httpStatus;
    }
}
