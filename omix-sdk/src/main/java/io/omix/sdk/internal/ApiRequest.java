package io.omix.sdk.internal;

import java.net.http.HttpRequest;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** One call to the platform, before it is encoded. Parameters whose value is null are left out. */
public final class ApiRequest {
    private final String method;
    private final String path;
    private final Map<String, String> query = new LinkedHashMap<>();
    private final Map<String, String> form = new LinkedHashMap<>();
    private final Map<String, String> headers = new LinkedHashMap<>();
    private Object jsonBody;
    private HttpRequest.BodyPublisher rawBody;
    private boolean sideEffects;
    private boolean sendOnce;
    private String rawContentType;
    private java.time.Duration timeout;

    /** The header that makes a write safe to send again (the server answers a repeat with the first answer). */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private ApiRequest(String method, String path) {
        if (!path.startsWith("/")) throw new IllegalArgumentException("path must start with /");
        this.method = method;
        this.path = path;
    }

    public static ApiRequest get(String path) {
        return new ApiRequest("GET", path);
    }

    public static ApiRequest post(String path) {
        return new ApiRequest("POST", path);
    }

    public static ApiRequest of(String method, String path) {
        return new ApiRequest(method, path);
    }

    public ApiRequest query(String name, Object value) {
        if (value != null) query.put(name, text(value));
        return this;
    }

    public ApiRequest form(String name, Object value) {
        if (value != null) form.put(name, text(value));
        return this;
    }

    public ApiRequest json(Object body) {
        this.jsonBody = body;
        return this;
    }

    /**
     * A body sent as is (a CSV upload, say). The publisher is used again on a retry, so it must be
     * repeatable: {@code BodyPublishers.ofFile} and {@code ofByteArray} are.
     */
    public ApiRequest rawBody(HttpRequest.BodyPublisher body, String contentType) {
        this.rawBody = body;
        this.rawContentType = contentType;
        return this;
    }

    public HttpRequest.BodyPublisher rawBody() {
        return rawBody;
    }

    public String rawContentType() {
        return rawContentType;
    }

    public ApiRequest header(String name, String value) {
        if (value != null) headers.put(name, value);
        return this;
    }

    /** Text of a parameter as the original clients send it: lists comma-joined, booleans lower-case. */
    static String text(Object value) {
        if (value instanceof Collection<?> c) {
            return c.stream().map(ApiRequest::text).collect(Collectors.joining(","));
        }
        return String.valueOf(value);
    }

    public String method() {
        return method;
    }

    public String path() {
        return path;
    }

    public Map<String, String> query() {
        return query;
    }

    public Map<String, String> form() {
        return form;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public Object jsonBody() {
        return jsonBody;
    }

    /** This request's limit per attempt, instead of the client's. */
    public ApiRequest timeout(java.time.Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    /** This request's limit per attempt, or null for the client's. */
    public java.time.Duration timeout() {
        return timeout;
    }

    /**
     * Marks a request whose method says "safe" but whose work is not (a model invocation runs code and
     * may take long): retried only when the connection was never made, never after a timeout.
     */
    public ApiRequest withSideEffects() {
        this.sideEffects = true;
        return this;
    }

    /**
     * Marks a write that must not be sent twice once the server may have seen it, even with an
     * {@code Idempotency-Key} (the token endpoint: a refresh token or code used twice ends its family).
     */
    public ApiRequest sendOnce() {
        this.sendOnce = true;
        return this;
    }

    /**
     * Gives a write its {@code Idempotency-Key} (once: every attempt of this request sends the same
     * key), unless it is idempotent by itself or must be sent once.
     */
    public void keyIfWrite() {
        if (!idempotent() && !sendOnce && !headers.containsKey(IDEMPOTENCY_KEY)) headers.put(IDEMPOTENCY_KEY, java.util.UUID.randomUUID().toString());
    }

    /** Safe to send again after a lost answer: idempotent by itself, or a write with an {@code Idempotency-Key}. */
    public boolean safeToResend() {
        return idempotent() || headers.containsKey(IDEMPOTENCY_KEY);
    }

    /** Safe to send twice: a retry after a lost answer cannot change anything. */
    public boolean idempotent() {
        if (sideEffects) return false;
        return switch (method) {
            case "GET", "HEAD", "PUT", "DELETE", "OPTIONS" -> true;
            default -> false;
        };
    }
}
