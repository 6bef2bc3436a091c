package io.omix.sdk;

/**
 * What an interpretation model answered to an invocation.
 *
 * @param code    the model's own code (0 for success)
 * @param message the model's own message
 * @param data    the model's data
 * @param raw     the whole answer, for fields this type does not name
 */
public record ModelResult(int code, String message, Model data, Model raw) {
    static ModelResult of(Model m) {
        Integer code = m.getInt("model_code");
        return new ModelResult(code == null ? 0 : code, m.getString("model_msg"), m.getModel("model_data"), m);
    }
}
