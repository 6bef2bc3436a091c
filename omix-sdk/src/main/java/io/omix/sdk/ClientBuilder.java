package io.omix.sdk;

import io.omix.sdk.internal.ClientConfig;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings every Omix client shares, with the seeds' defaults: endpoint {@value #DEFAULT_ENDPOINT},
 * 3 retries, 18 s timeout, verbose off.
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

    protected ClientBuilder(Duration defaultTimeout) {
        this.timeout = defaultTimeout;
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** Base address of the platform, e.g. {@code https://omix.example.org}. */
    public B endpoint(String endpoint) {
        this.endpoint = URI.create(Objects.requireNonNull(endpoint, "endpoint"));
        return self();
    }

    /** Retries after the first attempt (0 to 20); see the SDK guide for which failures are retried. */
    public B maxRetries(int maxRetries) {
        this.maxRetries = maxRetries;
        return self();
    }

    /** Limit of one attempt, connection included. */
    public B timeout(Duration timeout) {
        this.timeout = timeout;
        return self();
    }

    /** Seconds, as the seeds write it. */
    public B timeout(int seconds) {
        return timeout(Duration.ofSeconds(seconds));
    }

    /** Logs each request and answer through SLF4J (logger {@code io.omix.sdk}), secrets masked. */
    public B verbose(boolean verbose) {
        this.verbose = verbose;
        return self();
    }

    /** Backoff between retries: the n-th retry waits a random time up to min(max, base * 2^(n-1)). */
    public B backoff(Duration base, Duration max) {
        this.backoffBase = base;
        this.backoffMax = max;
        return self();
    }

    /** A {@code Retry-After} longer than this is not waited for: the answer is returned as it is. */
    public B maxRetryAfter(Duration maxRetryAfter) {
        this.maxRetryAfter = maxRetryAfter;
        return self();
    }

    /**
     * A limit on a whole call: its attempts, retries and the waits between them (none by default:
     * each attempt has {@link #timeout(Duration)}, and the retries their number). Past it the call
     * ends with {@link TransportException}, or the last answer when there was one.
     */
    public B deadline(Duration deadline) {
        this.deadline = deadline;
        return self();
    }

    ClientConfig config() {
        return new ClientConfig(endpoint, maxRetries, timeout, verbose, backoffBase, backoffMax, maxRetryAfter, deadline);
    }

    /** Builds the client; it owns one HTTP connection pool until closed. */
    public abstract C build();
}
