package io.omix.sdk;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The platform failed (HTTP 5xx, after the retries the settings allow) or answered with an HTTP
 * error that is not one of its API answers. {@link #requestId()} names the failure in the server's log;
 * when the answer explained itself, {@link #code()} is its code (500, 503) and {@link #dataModel()}
 * its details (for 503, why: {@code reason}).
 */
@SuppressWarnings("deprecation") // extends the earlier name so that old catch clauses still work
public class ServerException extends BgeException {
    private static final long serialVersionUID = 1L;
    /** The code of the answer's envelope or problem body, 0 when it had none. */
    private final int code;
    private final transient JsonNode data;

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
        this.code = 0;
        this.data = null;
    }

    /**
     * A failure the platform explained ({@code {code, msg, data}}, or the dataset batches API's {@code {status_code,
     * detail, extra}}); the message reads as an {@link ApiException}'s ({@code 503 服务暂不可用: reason ... (request ...)}).
     *
     * @param code       the answer's code
     * @param msg        the answer's message
     * @param data       its details, or null
     * @param httpStatus the last answer's status
     * @param requestId  the server's request id, or null
     * @param attempts   how many times the request was sent
     */
    public ServerException(int code, String msg, JsonNode data, int httpStatus, String requestId, int attempts) {
        super(ApiException.describe(code, msg, data, requestId), null, attempts, httpStatus, requestId);
        this.code = code;
        this.data = data == null ? null : data.deepCopy();
    }

    @Override
    public int code() {
        return code;
    }

    /**
     * The failure's details, as the platform gave them.
     *
     * @return the envelope's {@code data} (the dataset batches API's {@code extra}) when it is an object; otherwise null
     */
    public Model dataModel() {
        return data != null && data.isObject() ? (Model) Model.wrap(data.deepCopy()) : null;
    }
}
