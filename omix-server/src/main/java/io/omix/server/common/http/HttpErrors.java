package io.omix.server.common.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns every failure into the answer its surface expects, and never lets a stack trace or an
 * internal message reach the client: API errors become envelopes on HTTP 200, HTTP-level errors keep
 * their status, and anything unexpected is logged with the request id and answered 500.
 */
public final class HttpErrors {
    private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);

    private HttpErrors() {}

    public static void install(RoutesConfig routes) {
        routes.exception(ApiException.class, (e, ctx) -> renderApiError(ctx, e.error(), e.data()));
        routes.exception(HttpProblem.class, (e, ctx) -> renderProblem(ctx, e.status(), e.detail(), e.extra()));
        routes.exception(HttpResponseException.class, (e, ctx) -> {
            if (e.getStatus() == 405) {
                // RFC 9110: a 405 says which methods the resource has.
                String allow = String.join(", ", e.getDetails().values()).replaceAll("[\\[\\]]", "");
                if (!allow.isBlank()) ctx.header("Allow", allow);
            }
            renderHttpError(ctx, e.getStatus());
        });
        // A request that met a concurrent one on the same rows (the same key inserted at once, a row deleted under it, a
        // lock not given in time, a deadlock broken): not a fault of the platform's nor of the request, and answered
        // again once the other is done, so 503 with Retry-After (the SDK retries it) instead of a 500. Where a path knows
        // the refusal the race stands for, it answers that itself; this is the rest.
        routes.exception(io.omix.server.common.db.Jdbc.DataAccessException.class, (e, ctx) -> {
            if (!concurrent(e)) {
                LOG.error("request {} {} {} failed", ctx.attribute(ApiRequest.REQUEST_ID), ctx.method(), ctx.path(), e);
                renderHttpError(ctx, 500);
                return;
            }
            // A key or reference conflict is logged as an error all the same: a race is rare, and one that comes back on every
            // retry is a fault to see (a lock conflict is only contention).
            if (io.omix.server.common.db.Jdbc.isLockConflict(e)) {
                LOG.warn("request {} {} {} met a concurrent one: {}", ctx.attribute(ApiRequest.REQUEST_ID), ctx.method(), ctx.path(),
                        e.getCause() == null ? e.toString() : e.getCause().toString());
            } else {
                LOG.error("request {} {} {} met a concurrent one (or a key or reference it will meet again):", ctx.attribute(ApiRequest.REQUEST_ID),
                        ctx.method(), ctx.path(), e);
            }
            ctx.header("Retry-After", "1");
            renderHttpError(ctx, 503);
        });
        routes.exception(Exception.class, (e, ctx) -> {
            LOG.error("request {} {} {} failed", ctx.attribute(ApiRequest.REQUEST_ID), ctx.method(), ctx.path(), e);
            renderHttpError(ctx, 500);
        });
        // Statuses set without an exception (e.g. Javalin's own 404 for an unknown path).
        for (int status : new int[] {404, 405, 413, 500, 503}) {
            routes.error(status, ctx -> {
                if (ctx.attribute(Routes.CODE) == null) renderHttpError(ctx, status);
            });
        }
    }

    static void renderApiError(Context ctx, ErrorCode error, Object data) {
        Surface surface = Surface.of(ctx.path());
        if (surface == Surface.HTSGET || surface == Surface.GA4GH || surface == Surface.BEACON || surface == Surface.FHIR) {
            int status = ga4ghStatus(error);
            // GA4GH clients are not the original platform's: the English meaning, then what was wrong.
            String message = describe(error.meaning(), data);
            Routes.writeJson(ctx, status, switch (surface) {
                case HTSGET -> htsget(status, data, message);
                case BEACON -> beacon(ctx.host(), status, message);
                case FHIR -> operationOutcome(status, message, data);
                default -> ga4gh(status, message);
            });
            ctx.attribute(Routes.CODE, status);
            return;
        }
        if (surface == Surface.DATASETS) {
            // As the API's own checks answer (QuerySyntax.bad): "limit: must be 0..100", extra.parameter naming it; in English,
            // as every detail of this API is.
            if (error == ErrorCode.PARAMETER_ERROR && data instanceof Map<?, ?> m && !m.isEmpty()) {
                Map<String, Object> extra = new LinkedHashMap<>();
                extra.put("parameter", String.valueOf(m.keySet().iterator().next()));
                if (m.size() > 1) extra.put("parameters", m);
                renderProblem(ctx, 400, m.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                        .collect(java.util.stream.Collectors.joining("; ")), extra);
                return;
            }
            renderProblem(ctx, error.httpLevel() ? error.code() : 400, describe(error.meaning(), data), data);
            return;
        }
        Routes.writeJson(ctx, error.httpLevel() ? error.code() : 200, Envelope.error(error, data).fields());
        ctx.attribute(Routes.CODE, error.code());
    }

    /** {@code head}, then each refused parameter and why: "invalid parameter: limit: must be 0..100; page: ...". */
    private static String describe(String head, Object data) {
        return data instanceof Map<?, ?> m && !m.isEmpty() ? head + ": " + m.entrySet().stream()
                .map(e -> e.getKey() + ": " + e.getValue()).collect(java.util.stream.Collectors.joining("; ")) : head;
    }

    /**
     * A unique key taken (23505) or a referenced row gone (PostgreSQL's 23503, the embedded store's 23506) at the same
     * moment, or a lock conflict. The embedded store's 23503 is a row still referenced by one being deleted: a fault
     * of the platform's, not a race.
     */
    static boolean concurrent(io.omix.server.common.db.Jdbc.DataAccessException e) {
        if (io.omix.server.common.db.Jdbc.isLockConflict(e)) return true;
        if (!(e.getCause() instanceof java.sql.SQLException s) || s.getSQLState() == null) return false;
        boolean embedded = s.getClass().getName().startsWith("org.h2.");
        return switch (s.getSQLState()) {
            case "23505" -> true;
            case "23503" -> !embedded;
            case "23506" -> embedded;
            default -> false;
        };
    }

    static void renderHttpError(Context ctx, int status) {
        Object data = status >= 500 ? Map.of("request_id", String.valueOf((Object) ctx.attribute(ApiRequest.REQUEST_ID))) : null;
        Routes.writeJson(ctx, status, httpErrorBody(ctx.path(), ctx.host(), status, data));
        ctx.attribute(Routes.CODE, status);
    }

    /**
     * The body of an HTTP-level error in the shape of the path's surface: the envelope with
     * {@code code} equal to the status, or the dataset batches API's problem (also what
     * {@link JsonErrorHandler} answers for Jetty's own refusals).
     */
    static Map<String, Object> httpErrorBody(String path, String host, int status, Object data) {
        ErrorCode known = ErrorCode.forHttpStatus(status);
        // The open platform's envelope says its fixed message (Chinese, as the original); the other surfaces speak English.
        String envelope = known != null ? known.msg() : "HTTP " + status + ": " + inWords(status);
        String msg = inWords(status);
        if (path != null && Surface.of(path) == Surface.DATASETS) return problem(status, msg, data);
        if (path != null && Surface.of(path) == Surface.GA4GH) return ga4gh(status, status >= 500 && data != null ? msg + " " + data : msg);
        if (path != null && Surface.of(path) == Surface.HTSGET) return htsget(status, null, status >= 500 && data != null ? msg + " " + data : msg);
        if (path != null && Surface.of(path) == Surface.BEACON) return beacon(host, status, status >= 500 && data != null ? msg + " " + data : msg);
        if (path != null && Surface.of(path) == Surface.FHIR) return operationOutcome(status, status >= 500 && data != null ? msg + " " + data : msg, null);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", status);
        body.put("msg", envelope);
        body.put("data", data);
        return body;
    }

    /** An HTTP-level refusal in words: ours where we say more than the status's name, else the status's own reason phrase. */
    static String inWords(int status) {
        return switch (status) {
            case 400 -> "the request could not be read: a malformed request line, URI (an escape such as %zz) or header";
            case 404 -> "no endpoint at this path";
            case 405 -> "the path exists, the method does not";
            case 408 -> "the request did not arrive in time";
            case 409 -> "a request with this Idempotency-Key, or a write to the same upload, is still being served: retry after Retry-After seconds";
            case 413 -> "the request body is larger than this server takes (server.max-request-bytes)";
            case 414 -> "the request's URI is too long";
            case 429 -> "too many calls this minute: retry after Retry-After seconds";
            case 431 -> "the request's headers are too large";
            case 500 -> "internal server error";
            case 503 -> "the server is stopping or busy: retry";
            default -> {
                String reason = org.eclipse.jetty.http.HttpStatus.getMessage(status);
                yield reason == null || reason.isBlank() ? "HTTP " + status : reason;
            }
        };
    }

    /**
     * The HTTP status a GA4GH client expects for the platform's refusal: a missing or dead token is
     * 401, a token without the right is 403, what the caller may not see does not exist (404).
     */
    static int ga4ghStatus(ErrorCode error) {
        if (error.httpLevel()) return error.code();
        return switch (error) {
            case TOKEN_INVALID, SIGNATURE_INVALID -> 401;
            case NO_PERMISSION, AUTHORIZATION_CODE_TOKEN_REFUSED -> 403;
            case NOT_OWN_SAMPLE, OBJECT_NOT_FOUND, MODEL_NOT_FOUND -> 404;
            case PARAMETER_ERROR -> 400;
            default -> error.code() >= 100 && error.code() < 600 ? error.code() : 400;
        };
    }

    /**
     * htsget's error body, {@code {"htsget": {"error": NAME, "message": TEXT}}}: the name from the
     * status, InvalidRange or UnsupportedFormat when the refused parameter says so.
     */
    static Map<String, Object> htsget(int status, Object data, String message) {
        String name = switch (status) {
            case 401 -> "InvalidAuthentication";
            case 403 -> "PermissionDenied";
            case 404 -> "NotFound";
            case 400 -> data instanceof Map<?, ?> m && m.containsKey("format") ? "UnsupportedFormat"
                    : data instanceof Map<?, ?> m && (m.containsKey("start") || m.containsKey("end")) ? "InvalidRange" : "InvalidInput";
            default -> status >= 500 ? "InternalError" : "InvalidInput";
        };
        return Map.of("htsget", Map.of("error", name, "message", message));
    }

    /**
     * The Beacon v2 error body: the response meta every Beacon answer carries (nothing returned, at boolean
     * granularity), then {@code error: {errorCode, errorMessage}} with the HTTP status as the code.
     */
    static Map<String, Object> beacon(String host, int status, String message) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("apiVersion", Ga4gh.BEACON_API_VERSION);
        summary.put("requestedSchemas", java.util.List.of());
        summary.put("pagination", Map.of("skip", 0, "limit", 0));
        summary.put("requestedGranularity", "boolean");
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("beaconId", Ga4gh.serviceId(host, "beacon"));
        meta.put("apiVersion", Ga4gh.BEACON_API_VERSION);
        meta.put("returnedSchemas", java.util.List.of());
        meta.put("returnedGranularity", "boolean");
        meta.put("receivedRequestSummary", summary);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("meta", meta);
        body.put("error", Map.of("errorCode", status, "errorMessage", message));
        return body;
    }

    /**
     * FHIR's error body: an OperationOutcome with one issue, its code from the status (invalid, login, forbidden,
     * not-found, throttled, exception) and the refused parameters as its expression.
     */
    static Map<String, Object> operationOutcome(int status, String message, Object data) {
        String code = switch (status) {
            case 400, 413 -> "invalid";
            case 401 -> "login";
            case 403 -> "forbidden";
            case 404, 410 -> "not-found";
            case 405 -> "not-supported";
            case 409 -> "conflict";
            case 429 -> "throttled";
            default -> status >= 500 ? "exception" : "processing";
        };
        Map<String, Object> issue = new LinkedHashMap<>();
        issue.put("severity", "error");
        issue.put("code", code);
        issue.put("diagnostics", message);
        if (data instanceof Map<?, ?> m && !m.isEmpty() && status < 500) {
            issue.put("expression", m.keySet().stream().map(String::valueOf).toList());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("resourceType", "OperationOutcome");
        body.put("issue", java.util.List.of(issue));
        return body;
    }

    /** The GA4GH APIs' error body (DRS, service-info): {@code {msg, status_code}}. */
    static Map<String, Object> ga4gh(int status, String msg) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("msg", msg);
        body.put("status_code", status);
        return body;
    }

    /** The dataset batches API's error body: {@code {status_code, detail, extra}}. */
    static void renderProblem(Context ctx, int status, String detail, Object extra) {
        Routes.writeJson(ctx, status, problem(status, detail, extra));
        ctx.attribute(Routes.CODE, status);
    }

    private static Map<String, Object> problem(int status, String detail, Object extra) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status_code", status);
        body.put("detail", detail);
        body.put("extra", extra == null ? Map.of() : extra);
        return body;
    }
}
