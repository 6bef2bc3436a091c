package io.omix.sdk;

/**
 * Root of every failure the SDK reports. What a caller needs to act on or to report it: the HTTP
 * status of the last answer ({@link #httpStatus()}, 0 when none came), the platform's own code
 * ({@link #code()}, 0 when the platform gave none), a readable message, the request id the server
 * logged the call under ({@link #requestId()}) and how many times the request was sent.
 * <p>The families callers handle differently have their own subclasses: {@link InvalidParameterException},
 * {@link AuthenticationException}, {@link PermissionException}, {@link NotFoundException},
 * {@link RateLimitedException}, {@link ConflictException}, {@link ServerException} and
 * {@link TransportException}. Every one of them is also an {@link BgeException} (and the platform's
 * refusals an {@link ApiException}), so code written against the earlier names keeps working.
 */
public class OmixException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int attempts;
    private final int httpStatus;
    private final String requestId;

    /**
     * @param message    what went wrong, readable
     * @param cause      the underlying failure, or null
     * @param attempts   how many times the request was sent (0 when it never was)
     * @param httpStatus the last answer's HTTP status, 0 when none came
     * @param requestId  the server's {@code X-Request-Id} of the last answer, or null
     */
    protected OmixException(String message, Throwable cause, int attempts, int httpStatus, String requestId) {
        super(message, cause);
        this.attempts = attempts;
        this.httpStatus = httpStatus;
        this.requestId = requestId;
    }

    /** How many times the request was sent (1 + retries); 0 where nothing was sent. */
    public int attempts() {
        return attempts;
    }

    /** The HTTP status of the last answer, or 0 when no answer arrived. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The platform's error code (41001, 41303, ...), or 0 when the failure carries none. */
    public int code() {
        return 0;
    }

    /** The id under which the server logged the call ({@code X-Request-Id}): quote it when reporting a problem. Null when no answer came. */
    public String requestId() {
        return requestId;
    }
}
