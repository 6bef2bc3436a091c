package io.omix.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omix.sdk.internal.Json;

/**
 * The platform answered with an API error: a non-zero envelope {@code code}, its {@code msg}, and
 * optional {@code data} with details (for 41001, the parameters that failed and why).
 * For the dataset batches API, {@code code} is the HTTP status and {@code msg} the {@code detail}.
 */
public class ApiException extends BgeException {
    private final int code;
    private final String msg;
    private final JsonNode data;

    public ApiException(int code, String msg, JsonNode data, int httpStatus) {
        super(describe(code, msg, data), null, 1, httpStatus);
        this.code = code;
        this.msg = msg;
        this.data = data == null ? JsonNodeFactory.instance.nullNode() : data;
    }

    private static String describe(int code, String msg, JsonNode data) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("code", code);
        o.put("msg", msg);
        o.set("data", data);
        return Json.dumps(o, 4);
    }

    public int code() {
        return code;
    }

    public String msg() {
        return msg;
    }

    /** Details of the error: a {@link Model}, {@link ListModel}, scalar or null. */
    public Object data() {
        return Model.wrap(data);
    }

    /** Details as a Model, or null when {@code data} is not an object. */
    public Model dataModel() {
        Object d = data();
        return d instanceof Model ? (Model) d : null;
    }
}
