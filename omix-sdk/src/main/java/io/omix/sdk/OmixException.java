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
    /** How many times the request was sent (1 + retries); 0 where nothing was sent. */
    private final int attempts;
    /** The HTTP status of the last answer, 0 when none came. */
    private final int httpStatus;
    /** The server's {@code X-Request-Id} of the last answer, or null. */
    private final String requestId;

    /**
     * A failure with what is known of the request that met it; subclasses name the family.
     *
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

    /**
     * How many times the request was sent.
     *
     * @return 1 plus the retries made; 0 when nothing was sent
     */
    public int attempts() {
        return attempts;
    }

    /**
     * The HTTP status of the last answer. On the open and private platforms a refusal usually comes
     * with HTTP 200 and its own {@link #code()}; on the dataset batches API the status is the code.
     *
     * @return the status, or 0 when no answer arrived
     */
    public int httpStatus() {
        return httpStatus;
    }

    /**
     * The platform's error code, as listed in {@link Codes} and docs/api.md.
     *
     * @return the code (41001, 41303, ...; the HTTP status on the dataset batches API), or 0 when
     *         the failure carries none (no answer, a server failure)
     */
    public int code() {
        return 0;
    }

    /**
     * The id under which the server logged the call ({@code X-Request-Id}): quote it when reporting
     * a problem, the server's log has the details under it.
     *
     * @return the request id, or null when no answer came
     */
    public String requestId() {
        return requestId;
    }
}
