package io.omix.sdk;

/**
 * The earlier name of {@link OmixException}, after the original Python client's {@code BGEError}
 * family. Every failure the SDK throws is still one, so existing {@code catch (BgeException e)}
 * clauses keep working; new code catches {@link OmixException} or one of its families.
 */
@Deprecated
public class BgeException extends OmixException {
    private static final long serialVersionUID = 1L;

    /**
     * A failure with everything known of the request.
     *
     * @param message    what went wrong
     * @param cause      the underlying failure, or null
     * @param attempts   how many times the request was sent
     * @param httpStatus the last answer's HTTP status, 0 when none came
     * @param requestId  the server's request id, or null
     */
    public BgeException(String message, Throwable cause, int attempts, int httpStatus, String requestId) {
        super(message, cause, attempts, httpStatus, requestId);
    }

    /**
     * A failure without a request id.
     *
     * @param message    what went wrong
     * @param cause      the underlying failure, or null
     * @param attempts   how many times the request was sent
     * @param httpStatus the last answer's HTTP status, 0 when none came
     */
    public BgeException(String message, Throwable cause, int attempts, int httpStatus) {
        this(message, cause, attempts, httpStatus, null);
    }

    /**
     * A failure with no answer.
     *
     * @param message  what went wrong
     * @param cause    the underlying failure, or null
     * @param attempts how many times the request was sent
     */
    public BgeException(String message, Throwable cause, int attempts) {
        this(message, cause, attempts, 0, null);
    }

    /**
     * A failure before anything was sent.
     *
     * @param message what went wrong
     */
    public BgeException(String message) {
        this(message, null, 0, 0, null);
    }
}
