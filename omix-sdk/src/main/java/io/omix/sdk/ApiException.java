package io.omix.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * The platform refused the call: its code ({@link #code()}: the envelope's {@code code} on the open
 * and private platforms, the HTTP status on the dataset batches API), its message ({@link #msg()})
 * and details ({@link #data()}: for 41001, each failing parameter and why). Thrown as one of its
 * families where one applies ({@link InvalidParameterException}, {@link AuthenticationException},
 * {@link PermissionException}, {@link NotFoundException}, {@link RateLimitedException},
 * {@link ConflictException}).
 */
@SuppressWarnings("deprecation") // extends the earlier name so that old catch clauses still work
public class ApiException extends BgeException {
    private static final long serialVersionUID = 1L;
    /** The platform's code (dataset batches API: the HTTP status). */
    private final int code;
    /** The platform's message, empty when it gave none. */
    private final String msg;
    private final transient JsonNode data;

    /**
     * A refusal answered at the first attempt, without a request id.
     *
     * @param code       the platform's code (dataset batches API: the HTTP status)
     * @param msg        the platform's message
     * @param data       details, or null
     * @param httpStatus the HTTP status of the answer
     */
    public ApiException(int code, String msg, JsonNode data, int httpStatus) {
        this(code, msg, data, httpStatus, null, 1);
    }

    /**
     * A refusal; the message joins the code, the platform's message, the details and the request id
     * ({@code 41001 参数错误: limit must be an integer from 1 to 100 (request 3f2a...)}).
     *
     * @param code       the platform's code (dataset batches API: the HTTP status)
     * @param msg        the platform's message
     * @param data       details, or null
     * @param httpStatus the HTTP status of the answer
     * @param requestId  the server's {@code X-Request-Id}, or null
     * @param attempts   how many times the request was sent
     */
    public ApiException(int code, String msg, JsonNode data, int httpStatus, String requestId, int attempts) {
        super(describe(code, msg, data, requestId), null, attempts, httpStatus, requestId);
        this.code = code;
        this.msg = msg == null ? "" : msg;
        this.data = data == null ? JsonNodeFactory.instance.nullNode() : data.deepCopy();
    }

    /**
     * The exception of the family a refusal belongs to (what the SDK's clients throw).
     *
     * @param code       the platform's code, or the HTTP status on the dataset batches API
     * @param msg        the platform's message
     * @param data       details, or null
     * @param httpStatus the HTTP status of the answer
     * @param requestId  the server's request id, or null
     * @param attempts   how many times the request was sent
     * @param problem    true for the dataset batches API's {@code {status_code, detail, extra}} answers (code is an HTTP status)
     * @return the exception to throw
     */
    public static ApiException of(int code, String msg, JsonNode data, int httpStatus, String requestId, int attempts, boolean problem) {
        if (problem) {
            return switch (code) {
                case 400, 422 -> new InvalidParameterException(code, msg, data, httpStatus, requestId, attempts);
                case 401 -> new AuthenticationException(code, msg, data, httpStatus, requestId, attempts);
                case 403 -> new PermissionException(code, msg, data, httpStatus, requestId, attempts);
                case 404 -> new NotFoundException(code, msg, data, httpStatus, requestId, attempts);
                case 409 -> new ConflictException(code, msg, data, httpStatus, requestId, attempts);
                case 429 -> new RateLimitedException(code, msg, data, httpStatus, requestId, attempts);
                default -> new ApiException(code, msg, data, httpStatus, requestId, attempts);
            };
        }
        return switch (code) {
            case Codes.PARAMETER_ERROR, Codes.BAD_REQUEST -> new InvalidParameterException(code, msg, data, httpStatus, requestId, attempts);
            case Codes.TOKEN_INVALID, Codes.SIGNATURE_INVALID, Codes.REQUEST_EXPIRED, Codes.REQUEST_REPLAYED, Codes.UPLOAD_CREDENTIALS_INVALID ->
                    new AuthenticationException(code, msg, data, httpStatus, requestId, attempts);
            case Codes.NO_PERMISSION, Codes.AUTHORIZATION_CODE_TOKEN_REFUSED, Codes.NOT_OWN_SAMPLE ->
                    new PermissionException(code, msg, data, httpStatus, requestId, attempts);
            case Codes.MODEL_NOT_FOUND, Codes.OBJECT_NOT_FOUND, 404 -> new NotFoundException(code, msg, data, httpStatus, requestId, attempts);
            case Codes.TOO_MANY_REQUESTS -> new RateLimitedException(code, msg, data, httpStatus, requestId, attempts);
            case Codes.IN_PROGRESS -> new ConflictException(code, msg, data, httpStatus, requestId, attempts);
            default -> new ApiException(code, msg, data, httpStatus, requestId, attempts);
        };
    }

    static String describe(int code, String msg, JsonNode data, String requestId) {
        StringBuilder b = new StringBuilder().append(code);
        if (msg != null && !msg.isEmpty()) b.append(' ').append(msg);
        if (data != null && data.isObject() && data.size() > 0) {
            b.append(": ");
            var fields = data.fields();
            boolean first = true;
            while (fields.hasNext()) {
                var f = fields.next();
                if (!first) b.append("; ");
                first = false;
                b.append(f.getKey()).append(' ').append(f.getValue().isValueNode() ? f.getValue().asText() : f.getValue().toString());
            }
        } else if (data != null && !data.isNull() && !data.isMissingNode()) {
            b.append(": ").append(data.isValueNode() ? data.asText() : data.toString());
        }
        if (requestId != null) b.append(" (request ").append(requestId).append(')');
        return b.toString();
    }

    @Override
    public int code() {
        return code;
    }

    /**
     * The platform's message.
     *
     * @return the envelope's {@code msg} (e.g. {@code 参数错误}); for the dataset batches API, its
     *         {@code detail}; empty when the platform gave none
     */
    public String msg() {
        return msg;
    }

    /**
     * Details of the error: the envelope's {@code data}, or the dataset batches API's {@code extra}.
     *
     * @return a {@link Model}, {@link ListModel}, scalar or null; a copy, so changing it changes nothing
     */
    public Object data() {
        return Model.wrap(data.deepCopy());
    }

    /**
     * Details as a {@link Model}: for 41001 each failing parameter with the reason, for 429
     * {@code {retry_after_seconds, limit_per_minute}}, for OAuth2 errors {@code {error, error_description}}.
     *
     * @return the details, or null when {@code data} is not an object
     */
    public Model dataModel() {
        Object d = data();
        return d instanceof Model ? (Model) d : null;
    }
}
