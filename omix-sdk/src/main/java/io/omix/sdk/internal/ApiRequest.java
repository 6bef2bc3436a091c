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
    private volatile String sentToken;

    /** The header that makes a write safe to send again (the server answers a repeat with the first answer). */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private ApiRequest(String method, String path) {
        if (!path.startsWith("/")) throw new IllegalArgumentException("path must start with /");
        this.method = method;
        this.path = path;
    }

    /**
     * A GET request.
     *
     * @param path the path below the endpoint, starting with {@code /}
     * @return a new request
     * @throws IllegalArgumentException when {@code path} does not start with {@code /}
     */
    public static ApiRequest get(String path) {
        return new ApiRequest("GET", path);
    }

    /**
     * A POST request.
     *
     * @param path the path below the endpoint, starting with {@code /}
     * @return a new request
     * @throws IllegalArgumentException when {@code path} does not start with {@code /}
     */
    public static ApiRequest post(String path) {
        return new ApiRequest("POST", path);
    }

    /**
     * A request of any method.
     *
     * @param method the HTTP method, upper-case ({@code DELETE}, {@code PATCH}, ...)
     * @param path   the path below the endpoint, starting with {@code /}
     * @return a new request
     * @throws IllegalArgumentException when {@code path} does not start with {@code /}
     */
    public static ApiRequest of(String method, String path) {
        return new ApiRequest(method, path);
    }

    /**
     * Adds a query parameter, replacing one of the same name.
     *
     * @param name  the parameter's name
     * @param value its value (a collection is comma-joined); null leaves the parameter out
     * @return this request
     */
    public ApiRequest query(String name, Object value) {
        if (value != null) query.put(name, text(value));
        return this;
    }

    /**
     * Adds a form field; the body is then {@code application/x-www-form-urlencoded} (unless a JSON body is set).
     *
     * @param name  the field's name
     * @param value its value (a collection is comma-joined); null leaves the field out
     * @return this request
     */
    public ApiRequest form(String name, Object value) {
        if (value != null) form.put(name, text(value));
        return this;
    }

    /**
     * Sets a JSON body, written with {@link Json#MAPPER}; it takes the place of any form fields.
     *
     * @param body a map, list, record or Jackson node; null for none
     * @return this request
     */
    public ApiRequest json(Object body) {
        this.jsonBody = body;
        return this;
    }

    /**
     * A body sent as is (a CSV upload, say). The publisher is used again on a retry, so it must be
     * repeatable: {@code BodyPublishers.ofFile} and {@code ofByteArray} are.
     *
     * @param body        the body's publisher
     * @param contentType the body's {@code Content-Type}
     * @return this request
     */
    public ApiRequest rawBody(HttpRequest.BodyPublisher body, String contentType) {
        this.rawBody = body;
        this.rawContentType = contentType;
        return this;
    }

    /**
     * The body sent as is.
     *
     * @return its publisher, or null when the body is JSON, a form or empty
     */
    public HttpRequest.BodyPublisher rawBody() {
        return rawBody;
    }

    /**
     * The {@code Content-Type} of the body sent as is.
     *
     * @return the content type, or null when there is no such body
     */
    public String rawContentType() {
        return rawContentType;
    }

    /**
     * Adds a header, replacing one of the same name.
     *
     * @param name  the header's name
     * @param value its value; null leaves the header out
     * @return this request
     */
    public ApiRequest header(String name, String value) {
        if (value != null) headers.put(name, value);
        return this;
    }

    /**
     * Text of a parameter as the original clients send it: lists comma-joined, booleans lower-case.
     *
     * @param value the parameter's value, not null
     * @return its text
     */
    static String text(Object value) {
        if (value instanceof Collection<?> c) {
            return c.stream().map(ApiRequest::text).collect(Collectors.joining(","));
        }
        return String.valueOf(value);
    }

    /**
     * The HTTP method.
     *
     * @return the method, e.g. {@code GET}
     */
    public String method() {
        return method;
    }

    /**
     * The path below the endpoint, before any query.
     *
     * @return the path, starting with {@code /}
     */
    public String path() {
        return path;
    }

    /**
     * The query parameters as their text, in the order added.
     *
     * @return the live map of this request
     */
    public Map<String, String> query() {
        return query;
    }

    /**
     * The form fields as their text, in the order added.
     *
     * @return the live map of this request; empty when the body is not a form
     */
    public Map<String, String> form() {
        return form;
    }

    /**
     * The request's own headers, {@link #IDEMPOTENCY_KEY} among them once {@link #keyIfWrite()} gave one.
     *
     * @return the live map of this request
     */
    public Map<String, String> headers() {
        return headers;
    }

    /**
     * The JSON body.
     *
     * @return the object to write as JSON, or null when there is none
     */
    public Object jsonBody() {
        return jsonBody;
    }

    /**
     * Sets this request's limit per attempt, instead of the client's.
     *
     * @param timeout the limit of one attempt, connecting plus the whole answer; null for the client's
     * @return this request
     */
    public ApiRequest timeout(java.time.Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    /**
     * This request's limit per attempt.
     *
     * @return the limit, or null for the client's
     */
    public java.time.Duration timeout() {
        return timeout;
    }

    /**
     * Marks a request whose method says "safe" but whose work is not (a model invocation runs code and
     * may take long): retried only when the connection was never made, never after a timeout.
     *
     * @return this request
     */
    public ApiRequest withSideEffects() {
        this.sideEffects = true;
        return this;
    }

    /**
     * Marks a write that must not be sent twice once the server may have seen it, even with an
     * {@code Idempotency-Key} (the token endpoint: a refresh token or code used twice ends its family).
     *
     * @return this request
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

    /**
     * Safe to send again after a lost answer: idempotent by itself, or a write with an {@code Idempotency-Key}.
     *
     * @return true when a retry after a lost answer cannot do harm
     */
    public boolean safeToResend() {
        return idempotent() || headers.containsKey(IDEMPOTENCY_KEY);
    }

    /**
     * Safe to send twice: a retry after a lost answer cannot change anything.
     *
     * @return true for GET, HEAD, PUT, DELETE and OPTIONS not marked {@linkplain #withSideEffects() with side effects}
     */
    public boolean idempotent() {
        if (sideEffects) return false;
        return switch (method) {
            case "GET", "HEAD", "PUT", "DELETE", "OPTIONS" -> true;
            default -> false;
        };
    }

    /**
     * Notes the bearer token the last attempt of this request carried, so that a refusal renews that one (and not one
     * another thread renewed meanwhile).
     *
     * @param token the token sent
     */
    public void sentToken(String token) {
        this.sentToken = token;
    }

    /** @return the bearer token the last attempt carried, or null */
    public String sentToken() {
        return sentToken;
    }
}
