package io.omix.server.common.http;

/**
 * An API error for the caller: rendered as the envelope {@code {code, msg, data}} (on HTTP 200 for
 * API errors). Throw it from any handler or service; nothing else of the failure reaches the client.
 */
public class ApiException extends RuntimeException {
    private final ErrorCode error;
    private final transient Object data;

    public ApiException(ErrorCode error, Object data) {
        super(error.code() + " " + error.msg(), null, false, false);
        this.error = error;
        this.data = data;
    }

    public ApiException(ErrorCode error) {
        this(error, null);
    }

    /** 41001 {@code 参数错误} naming one parameter and why it was refused. */
    public static ApiException invalidParam(String param, String reason) {
        return new ApiException(ErrorCode.PARAMETER_ERROR, java.util.Map.of(param, reason));
    }

    /** {@code error} for a presented credential that did not verify ({@link CredentialRefusal}). */
    public static ApiException credentialRefused(ErrorCode error, Object data) {
        return new Refused(error, data);
    }

    private static final class Refused extends ApiException implements CredentialRefusal {
        Refused(ErrorCode error, Object data) {
            super(error, data);
        }
    }

    public ErrorCode error() {
        return error;
    }

    public Object data() {
        return data;
    }
}
