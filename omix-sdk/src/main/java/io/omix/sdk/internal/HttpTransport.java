package io.omix.sdk.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omix.sdk.ApiException;
import io.omix.sdk.OmixException;
import io.omix.sdk.ServerException;
import io.omix.sdk.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Sends {@link ApiRequest}s with one pooled JDK {@link HttpClient}: retries with exponential backoff
 * and full jitter, {@code Retry-After}, per-attempt timeouts, verbose logs with secrets masked.
 * Thread-safe; one per client instance.
 */
public final class HttpTransport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("io.omix.sdk");
    private static final String USER_AGENT = "omix-sdk-java/0.1 (Java " + Runtime.version().feature() + ")";
    private static final int LOGGED_BODY_CHARS = 4096;
    private static final AtomicInteger THREADS = new AtomicInteger();

    /**
     * Adds credentials to each attempt (so that a retry is signed afresh).
     * {@code uri} is what is sent, {@code body} the exact body bytes.
     */
    @FunctionalInterface
    public interface Decorator {
        /**
         * Adds this attempt's credentials to the request being built.
         *
         * @param request the request
         * @param uri     the address sent to, query included
         * @param body    the exact body bytes (empty for none)
         * @param builder the attempt's request, to add headers to
         */
        void decorate(ApiRequest request, URI uri, byte[] body, HttpRequest.Builder builder);
    }

    private final ClientConfig config;
    private final Decorator decorator;
    private final String base;
    private final Pool pool;
    private final HttpClient client;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * The connections and threads, shared by every transport made from one: each holds a reference
     * and the pool is shut down when the last lets go (or when its owner closes it for all).
     */
    private static final class Pool {
        final ExecutorService executor;
        final HttpClient client;
        final AtomicInteger references = new AtomicInteger(1);

        Pool(ExecutorService executor, HttpClient client) {
            this.executor = executor;
            this.client = client;
        }

        void release() {
            if (references.decrementAndGet() == 0) shutdown();
        }

        void shutdown() {
            // HttpClient is AutoCloseable from Java 21 on; on 17 shutting down its executor frees the threads.
            if (client instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception ignored) {
                    // closing is best effort
                }
            }
            executor.shutdownNow();
        }
    }

    /**
     * A transport with its own connections and threads, adding no credentials.
     *
     * @param config the settings: endpoint, retries, timeouts, logging
     */
    public HttpTransport(ClientConfig config) {
        this(config, null);
    }

    /**
     * A transport with its own connections and threads.
     *
     * @param config    the settings: endpoint, retries, timeouts, logging
     * @param decorator adds credentials to each attempt, or null for none
     */
    public HttpTransport(ClientConfig config, Decorator decorator) {
        this.config = config;
        this.decorator = decorator;
        String endpoint = config.endpoint().toString();
        this.base = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        // Our own executor so that close() releases the client's threads on Java 17 too.
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "omix-sdk-http-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        HttpBuffers.prefer();
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(executor)
                .build();
        this.pool = new Pool(executor, client);
    }

    /**
     * A transport that sends through {@code shared}'s connections and threads, adding its own
     * credentials: no thread or connection of its own. The pool lives while any transport made from
     * it is open, unless its owner {@linkplain #closePool() closes it for all}.
     *
     * @param shared    the transport whose settings, connections and threads are used
     * @param decorator adds this transport's credentials to each attempt, or null for none
     */
    public HttpTransport(HttpTransport shared, Decorator decorator) {
        this.config = shared.config;
        this.decorator = decorator;
        this.base = shared.base;
        this.pool = shared.pool;
        this.client = shared.client;
        pool.references.incrementAndGet();
    }

    /**
     * The settings this transport sends with.
     *
     * @return the settings, shared with the transports made from the same pool
     */
    public ClientConfig config() {
        return config;
    }

    /**
     * The raw answer of a request, after retries.
     *
     * @param status   the HTTP status
     * @param headers  the answer's headers, by name as received
     * @param body     the body's bytes (empty for none)
     * @param attempts how many times the request was sent
     */
    public record Response(int status, Map<String, java.util.List<String>> headers, byte[] body, int attempts) {
        /**
         * The body as text.
         *
         * @return the body decoded as UTF-8
         */
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The same answer, counted as reported after {@code attempts} attempts. */
        Response after(int attempts) {
            return new Response(status, headers, body, attempts);
        }

        /**
         * A header's first value.
         *
         * @param name the header's name, compared case-insensitively
         * @return its first value, or empty when the answer has none
         */
        public Optional<String> header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty())
                    .map(e -> e.getValue().get(0))
                    .findFirst();
        }

        /**
         * Whether the status is a success.
         *
         * @return true for 2xx
         */
        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    /**
     * Sends the request, retrying as the policy allows: connection failures and 5xx, 429 and (keyed writes) 409
     * answers when sending again is safe, within the retries, {@code Retry-After} limit and deadline. Gives a write
     * its {@code Idempotency-Key} first.
     *
     * @param request the request
     * @return the last answer, whatever its status (when the deadline cuts a retry short, the answer before it)
     * @throws TransportException when no answer came (after the retries or past the deadline) or the thread was interrupted
     */
    public Response send(ApiRequest request) {
        int maxAttempts = config.maxRetries() + 1;
        request.keyIfWrite();
        long deadline = config.deadline() == null ? Long.MAX_VALUE : System.nanoTime() + config.deadline().toNanos();
        Duration perAttempt = request.timeout() != null ? request.timeout() : config.timeout();
        // The answer before a retry: when the deadline cuts the retry short, the caller gets that answer, not a timeout.
        Response previous = null;
        for (int attempt = 1; ; attempt++) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                if (previous != null) return previous.after(attempt - 1);
                throw new TransportException(request.method() + " " + request.path() + ": the deadline of " + config.deadline().toMillis()
                        + " ms passed after " + (attempt - 1) + (attempt == 2 ? " attempt" : " attempts"), null, attempt - 1);
            }
            boolean cutByDeadline = left < perAttempt.toNanos();
            Duration timeout = cutByDeadline ? Duration.ofNanos(left) : perAttempt;
            HttpRequest httpRequest = build(request, timeout);
            long started = System.nanoTime();
            if (config.verbose()) logRequest(request, httpRequest, attempt);
            HttpResponse<byte[]> answer;
            try {
                answer = client.send(httpRequest, HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                if (config.verbose()) LOG.info("<-- {} {} failed: {}", request.method(), request.path(), e.toString());
                Duration wait = backoff(attempt);
                if (attempt < maxAttempts && retryable(e, request) && fits(wait, deadline)) {
                    sleep(wait, attempt);
                    continue;
                }
                if (previous != null && cutByDeadline && e instanceof HttpTimeoutException) return previous.after(attempt);
                throw new TransportException(request.method() + " " + request.path() + " failed after " + attempt
                        + (attempt == 1 ? " attempt: " : " attempts: ") + describe(e), e, attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TransportException("interrupted while calling " + request.path(), e, attempt);
            }
            Response response = new Response(answer.statusCode(), answer.headers().map(), answer.body(), attempt);
            if (config.verbose()) logResponse(request, response, started);
            if (attempt < maxAttempts && retryable(response.status(), request)) {
                Optional<Duration> asked = retryAfter(response);
                Duration wait = asked.isPresent() ? asked.get() : backoff(attempt);
                if (wait.compareTo(config.maxRetryAfter()) <= 0 && fits(wait, deadline)) {
                    previous = response;
                    sleep(wait, attempt);
                    continue;
                }
            }
            return response;
        }
    }

    /** Whether waiting {@code wait} still leaves time for an attempt before the deadline. */
    private static boolean fits(Duration wait, long deadline) {
        return deadline == Long.MAX_VALUE || System.nanoTime() + wait.toNanos() < deadline;
    }

    /**
     * Sends a request to an envelope API ({@code {code, msg, data}}) and returns the envelope of a
     * successful answer; a non-zero code becomes {@link ApiException} (of an HTTP 5xx answer, {@link ServerException}
     * with the code), an HTTP error without an envelope {@link ServerException}, anything else {@link TransportException}.
     *
     * @param request the request
     * @return the envelope, {@code code} 0
     * @throws ApiException       of the family of the code (e.g. {@link io.omix.sdk.InvalidParameterException} for 41001),
     *                            the HTTP layer's refusals (405, 413) and 429 and 409 answers included; an HTTP 404
     *                            without an envelope as {@link io.omix.sdk.NotFoundException}
     * @throws ServerException    for an HTTP 5xx answer (its code and details when it has an envelope), or another HTTP
     *                            error without an envelope
     * @throws TransportException when no answer came or it is not an envelope
     */
    public ObjectNode envelope(ApiRequest request) {
        Response response = send(request);
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            if (!response.ok()) throw httpError(request, response);
            throw new TransportException("answer of " + request.path() + " is not JSON", e, response.attempts(), response.status());
        }
        if (root == null || !root.isObject() || !root.path("code").isIntegralNumber()) {
            if (!response.ok()) throw httpError(request, response);
            throw new TransportException("answer of " + request.path() + " is not an envelope: "
                    + snippet(response.bodyText()), null, response.attempts(), response.status());
        }
        int code = root.get("code").intValue();
        if (code != 0) throw refusal(code, root.path("msg").asText(""), root.get("data"), response, false);
        if (!response.ok()) throw httpError(request, response);
        return (ObjectNode) root;
    }

    private static OmixException refusal(int code, String msg, JsonNode data, Response response, boolean problem) {
        return explained(code, msg, data, response.status(), requestId(response), response.attempts(), problem);
    }

    /**
     * The exception for an answer that explains its error: a failure of the platform (HTTP 5xx) as {@link ServerException}
     * with its code, a refusal of the call as the {@link ApiException} of its family.
     *
     * @param code       the envelope's code, or the problem body's status
     * @param msg        its message
     * @param data       its details, or null
     * @param httpStatus the answer's HTTP status
     * @param requestId  the server's request id, or null
     * @param attempts   how many times the request was sent
     * @param problem    true for the dataset batches API's {@code {status_code, detail, extra}}
     * @return the exception to throw
     */
    public static OmixException explained(int code, String msg, JsonNode data, int httpStatus, String requestId, int attempts, boolean problem) {
        if (httpStatus >= 500) return new ServerException(code, msg, data, httpStatus, requestId, attempts);
        return ApiException.of(code, msg, data, httpStatus, requestId, attempts, problem);
    }

    private static OmixException httpError(ApiRequest request, Response response) {
        String message = "HTTP " + response.status() + " from " + request.method() + " " + request.path() + ": " + snippet(response.bodyText());
        if (response.status() == 404) {
            return new io.omix.sdk.NotFoundException(404, message, null, 404, requestId(response), response.attempts());
        }
        return new ServerException(message, response.attempts(), response.status(), requestId(response));
    }

    private static String requestId(Response response) {
        return response.header("X-Request-Id").orElse(null);
    }

    /**
     * Sends a request to the dataset batches API: a 2xx answer's JSON is returned; an error status
     * with {@code {status_code, detail, extra}} becomes {@link ApiException} (code = status).
     *
     * @param request the request
     * @return the answer's JSON
     * @throws ApiException       of the family of the status (e.g. {@link io.omix.sdk.InvalidParameterException} for 400);
     *                            an HTTP 404 without a problem body as {@link io.omix.sdk.NotFoundException}
     * @throws ServerException    for a 5xx answer (with its status code and details when it is a problem body), or when
     *                            any other error answer is not a problem body
     * @throws TransportException when no answer came or a 2xx answer is not JSON
     */
    public JsonNode problemJson(ApiRequest request) {
        Response response = send(request);
        JsonNode root = null;
        try {
            root = response.body().length == 0 ? null : Json.MAPPER.readTree(response.body());
        } catch (IOException notJson) {
            // handled below
        }
        if (response.ok()) {
            if (root == null) throw new TransportException("answer of " + request.path() + " is not JSON", null, response.attempts(), response.status());
            return root;
        }
        if (root != null && root.isObject() && root.has("detail")) {
            throw refusal(root.path("status_code").asInt(response.status()), root.path("detail").asText(""), root.get("extra"), response, true);
        }
        throw httpError(request, response);
    }

    private HttpRequest build(ApiRequest request, Duration timeout) {
        String query = encode(request.query());
        URI uri = URI.create(base + request.path() + (query.isEmpty() ? "" : "?" + query));
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("User-Agent", USER_AGENT)
                .header("Accept", "application/json");
        request.headers().forEach(b::header);
        byte[] body = new byte[0];
        if (request.jsonBody() != null) {
            b.header("Content-Type", "application/json; charset=utf-8");
            body = jsonBytes(request.jsonBody());
        } else if (!request.form().isEmpty()) {
            b.header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
            body = encode(request.form()).getBytes(StandardCharsets.UTF_8);
        }
        if (request.rawBody() != null) b.header("Content-Type", request.rawContentType());
        if (decorator != null) decorator.decorate(request, uri, body, b);
        HttpRequest.BodyPublisher publisher = request.rawBody() != null ? request.rawBody()
                : body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body);
        return b.method(request.method(), publisher).build();
    }

    private static byte[] jsonBytes(Object body) {
        try {
            return Json.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("request body cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Parameters as {@code application/x-www-form-urlencoded} text.
     *
     * @param params names and values, in order
     * @return {@code name=value} pairs joined by {@code &}, each part URL-encoded
     */
    static String encode(Map<String, String> params) {
        return params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    /**
     * A request that got no answer is retried when sending it again cannot do harm: idempotent
     * methods and writes with an {@code Idempotency-Key} (the server answers a repeat with the first
     * answer), and others only when the connection was never made (the server saw nothing).
     *
     * @param e       why no answer came
     * @param request the request
     * @return true when the request may be sent again
     */
    static boolean retryable(IOException e, ApiRequest request) {
        if (request.safeToResend()) return true;
        return e instanceof ConnectException || e instanceof HttpConnectTimeoutException;
    }

    /**
     * An answer is retried when it says "try again" and sending again is safe; 409 is the server
     * still serving the first attempt of a keyed write (its answer comes on a later attempt).
     *
     * @param status  the answer's HTTP status
     * @param request the request
     * @return true for 5xx, 429 and a keyed write's 409, when sending again is safe
     */
    static boolean retryable(int status, ApiRequest request) {
        return request.safeToResend() && (status >= 500 || status == 429 || status == 409 && request.headers().containsKey(ApiRequest.IDEMPOTENCY_KEY));
    }

    /**
     * Full jitter: a random wait in [0, min(max, base * 2^(attempt-1))].
     *
     * @param attempt the attempt that just failed, from 1
     * @return how long to wait before the next one
     */
    Duration backoff(int attempt) {
        long bound = config.backoffBase().toMillis() << Math.min(attempt - 1, 20);
        bound = Math.min(bound, config.backoffMax().toMillis());
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(bound + 1));
    }

    /**
     * {@code Retry-After} as seconds or an HTTP date.
     *
     * @param response the answer
     * @return how long the server asks to wait (zero for a time past), or empty when it asks nothing readable
     */
    static Optional<Duration> retryAfter(Response response) {
        Optional<String> value = response.header("Retry-After");
        if (value.isEmpty()) return Optional.empty();
        String v = value.get().trim();
        try {
            long seconds = Long.parseLong(v);
            return Optional.of(Duration.ofSeconds(Math.max(0, seconds)));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime when = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(when.getZone()), when);
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (DateTimeParseException unparseable) {
                return Optional.empty();
            }
        }
    }

    private void sleep(Duration wait, int attempt) {
        if (config.verbose()) LOG.info("retrying in {} ms (attempt {} of {})", wait.toMillis(), attempt + 1, config.maxRetries() + 1);
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted while waiting to retry", e, attempt);
        }
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : " (" + message + ")");
    }

    private static String snippet(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    private void logRequest(ApiRequest request, HttpRequest http, int attempt) {
        String query = Redactor.urlEncoded(http.uri().getRawQuery());
        String headers = http.headers().map().entrySet().stream()
                .filter(e -> !e.getKey().equalsIgnoreCase("User-Agent") && !e.getKey().equalsIgnoreCase("Accept"))
                .map(e -> e.getKey() + ": " + Redactor.header(e.getKey(), String.join(",", e.getValue())))
                .collect(Collectors.joining(", "));
        String body = request.jsonBody() != null ? Redactor.json(new String(jsonBytes(request.jsonBody()), StandardCharsets.UTF_8))
                : request.form().isEmpty() ? "" : Redactor.urlEncoded(encode(request.form()));
        LOG.info("--> {} {}{}{}{}{}", request.method(), base + request.path(),
                query == null ? "" : "?" + query,
                headers.isEmpty() ? "" : " [" + headers + "]",
                body.isEmpty() ? "" : " " + body,
                attempt > 1 ? " (attempt " + attempt + ")" : "");
    }

    private void logResponse(ApiRequest request, Response response, long startedNanos) {
        long ms = (System.nanoTime() - startedNanos) / 1_000_000;
        String body = Redactor.json(response.bodyText());
        if (body.length() > LOGGED_BODY_CHARS) body = body.substring(0, LOGGED_BODY_CHARS) + "... (" + response.body().length + " bytes)";
        LOG.info("<-- {} {} {} ({} ms) {}", response.status(), request.method(), request.path(), ms, body);
    }

    /**
     * Runs {@code work} on the pool's threads: the async variants of long calls.
     *
     * @param <T>  what the work returns
     * @param work the call to make
     * @return a future completed with the work's result, or exceptionally with what it threw
     */
    public <T> java.util.concurrent.CompletableFuture<T> async(java.util.function.Supplier<T> work) {
        return java.util.concurrent.CompletableFuture.supplyAsync(work, pool.executor);
    }

    /** Lets go of the pool: it is shut down when no transport made from it is open any more. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) pool.release();
    }

    /** Shuts the pool down for every transport made from it (the root client's close). */
    public void closePool() {
        closed.set(true);
        pool.shutdown();
    }
}
