package io.omix.sdk;

import com.fasterxml.jackson.databind.JsonNode;

/** A parameter was refused (41001; HTTP 400/422 on the dataset batches API). {@link #parameterErrors()} names each failing parameter with the reason. */
public class InvalidParameterException extends ApiException {
    private static final long serialVersionUID = 1L;

    /**
     * A refusal of one or more parameters, as the platform answered it.
     *
     * @param code       the platform's code (dataset batches API: the HTTP status)
     * @param msg        the platform's message
     * @param data       details, or null
     * @param httpStatus the HTTP status of the answer
     * @param requestId  the server's request id, or null
     * @param attempts   how many times the request was sent
     */
    public InvalidParameterException(int code, String msg, JsonNode data, int httpStatus, String requestId, int attempts) {
        super(code, msg, data, httpStatus, requestId, attempts);
    }

    /**
     * Each failing parameter with the reason, from the answer's {@code data}.
     *
     * @return parameter name to reason ({@code {"biosample_id": "must be E- + ..."}}), in the order
     *         the platform gave them, unmodifiable; empty when the platform named none
     */
    public java.util.Map<String, String> parameterErrors() {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        if (data() instanceof Model m) {
            m.json().forEach((name, why) -> out.put(name, why == null ? "" : String.valueOf(why)));
        }
        return java.util.Collections.unmodifiableMap(out);
    }
}
