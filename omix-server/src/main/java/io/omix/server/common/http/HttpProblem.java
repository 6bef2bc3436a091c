package io.omix.server.common.http;

import java.util.Map;

/** An error of the dataset batches API: an HTTP status with {@code {status_code, detail, extra}}. */
public class HttpProblem extends RuntimeException {
    private final int status;
    private final String detail;
    private final transient Map<String, Object> extra;

    public HttpProblem(int status, String detail, Map<String, Object> extra) {
        super(status + " " + detail, null, false, false);
        this.status = status;
        this.detail = detail;
        this.extra = extra == null ? Map.of() : extra;
    }

    public HttpProblem(int status, String detail) {
        this(status, detail, Map.of());
    }

    public int status() {
        return status;
    }

    public String detail() {
        return detail;
    }

    public Map<String, Object> extra() {
        return extra;
    }
}
