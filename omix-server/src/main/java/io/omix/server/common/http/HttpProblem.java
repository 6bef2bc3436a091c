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

    /** {@code status} for a presented dataset key that did not verify ({@link CredentialRefusal}). */
    public static HttpProblem credentialRefused(int status, String detail) {
        return new Refused(status, detail);
    }

    private static final class Refused extends HttpProblem implements CredentialRefusal {
        Refused(int status, String detail) {
            super(status, detail);
        }
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
