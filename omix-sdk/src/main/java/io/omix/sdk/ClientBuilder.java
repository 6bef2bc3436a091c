package io.omix.sdk;

import io.omix.sdk.internal.ClientConfig;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings every Omix client shares, with the original clients' defaults: endpoint
 * {@value #DEFAULT_ENDPOINT}, 3 retries, 18 s timeout (16 s for the private platform), verbose off,
 * backoff from 200 ms up to 10 s, {@code Retry-After} waited for up to 60 s, no deadline.
 * Every setter returns this builder, for chaining; {@link #build()} makes the client.
 *
 * @param <B> the concrete builder
 * @param <C> the client it builds
 */
public abstract class ClientBuilder<B extends ClientBuilder<B, C>, C> {
    /** Where a local {@code omix serve} listens. */
    public static final String DEFAULT_ENDPOINT = "http://localhost:8080";

    private URI endpoint = URI.create(DEFAULT_ENDPOINT);
    private int maxRetries = 3;
    private Duration timeout;
    private boolean verbose;
    private Duration backoffBase = Duration.ofMillis(200);
    private Duration backoffMax = Duration.ofSeconds(10);
    private Duration maxRetryAfter = Duration.ofSeconds(60);
    private Duration deadline;

    /**
     * A builder with the shared defaults and the client's own timeout per attempt.
     *
     * @param defaultTimeout the limit of one attempt unless {@link #timeout(Duration)} sets another
     */
    protected ClientBuilder(Duration defaultTimeout) {
        this.timeout = defaultTimeout;
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /**
     * Sets the base address of the platform (default {@value #DEFAULT_ENDPOINT}).
     *
     * @param endpoint the platform's root URL, e.g. {@code https://omix.example.org}
     * @return this builder
     * @throws NullPointerException     when {@code endpoint} is null
     * @throws IllegalArgumentException when {@code endpoint} is not a URI
     */
    public B endpoint(String endpoint) {
        this.endpoint = URI.create(Objects.requireNonNull(endpoint, "endpoint"));
        return self();
    }

    /**
     * Sets how many times a failed attempt is retried (default 3). Reads and keyed writes are retried
     * after connection failures, timeouts, HTTP 5xx and 429; token requests only when the connection
     * could not be made (docs/sdk.md, "Retries and timeouts").
     *
     * @param maxRetries retries after the first attempt, 0 to 20
     * @return this builder
     */
    public B maxRetries(int maxRetries) {
        this.maxRetries = maxRetries;
        return self();
    }

    /**
     * Sets the limit of one attempt, connecting and reading the whole answer included (default 18 s;
     * 16 s for the private platform). An attempt past it fails and may be retried.
     *
     * @param timeout the limit per attempt
     * @return this builder
     */
    public B timeout(Duration timeout) {
        this.timeout = timeout;
        return self();
    }

    /**
     * Sets the limit of one attempt in seconds, as the original clients take it.
     *
     * @param seconds the limit per attempt, in seconds
     * @return this builder
     */
    public B timeout(int seconds) {
        return timeout(Duration.ofSeconds(seconds));
    }

    /**
     * Turns logging of each request and answer on or off (default off): at INFO through SLF4J, logger
     * {@code io.omix.sdk}, with tokens, secrets, passwords, codes and signatures masked.
     *
     * @param verbose true to log every request and answer
     * @return this builder
     */
    public B verbose(boolean verbose) {
        this.verbose = verbose;
        return self();
    }

    /**
     * Sets the backoff between retries: the n-th retry waits a random time up to
     * min(max, base * 2^(n-1)) (full jitter). A server's {@code Retry-After} is waited for instead.
     *
     * @param base the bound of the first wait (default 200 ms)
     * @param max  the bound no wait exceeds (default 10 s)
     * @return this builder
     */
    public B backoff(Duration base, Duration max) {
        this.backoffBase = base;
        this.backoffMax = max;
        return self();
    }

    /**
     * Sets the longest {@code Retry-After} (of a 429, a 409 or a 5xx) the client waits for before retrying;
     * a longer one ends the retries and the answer is returned as it is (a 429 as
     * {@link RateLimitedException}).
     *
     * @param maxRetryAfter the longest wait for a server's {@code Retry-After} (default 60 s)
     * @return this builder
     */
    public B maxRetryAfter(Duration maxRetryAfter) {
        this.maxRetryAfter = maxRetryAfter;
        return self();
    }

    /**
     * Sets a limit on a whole call: its attempts, retries and the waits between them (none by default:
     * each attempt has {@link #timeout(Duration)}, and the retries their number). Past it the call
     * ends with {@link TransportException}, or the last answer when there was one.
     *
     * @param deadline the limit of one call, or null for none
     * @return this builder
     */
    public B deadline(Duration deadline) {
        this.deadline = deadline;
        return self();
    }

    ClientConfig config() {
        return new ClientConfig(endpoint, maxRetries, timeout, verbose, backoffBase, backoffMax, maxRetryAfter, deadline);
    }

    /**
     * Builds the client with these settings; it owns one HTTP connection pool until closed.
     *
     * @return the new client: close it to release its connections and threads
     * @throws IllegalArgumentException when the endpoint is not an http(s) URL with a host,
     *                                  {@code maxRetries} is not 0 to 20, or a duration is zero or negative
     */
    public abstract C build();
}
