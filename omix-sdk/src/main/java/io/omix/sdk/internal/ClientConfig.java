package io.omix.sdk.internal;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings every client shares.
 *
 * @param endpoint      base address of the platform, e.g. {@code http://localhost:8080}
 * @param maxRetries    retries after the first attempt (0 = none)
 * @param timeout       limit for one attempt: connecting plus the whole answer
 * @param verbose       log every request and answer (secrets masked) through SLF4J
 * @param backoffBase   first retry waits up to this long; each further retry doubles the bound
 * @param backoffMax    upper bound of one computed wait
 * @param maxRetryAfter a server's {@code Retry-After} longer than this ends the retries
 * @param deadline      limit of a whole call, its retries and their waits included; null for none
 */
public record ClientConfig(URI endpoint, int maxRetries, Duration timeout, boolean verbose,
                           Duration backoffBase, Duration backoffMax, Duration maxRetryAfter, Duration deadline) {
    /**
     * Settings without a deadline.
     *
     * @param endpoint      base address of the platform, e.g. {@code http://localhost:8080}
     * @param maxRetries    retries after the first attempt (0 = none)
     * @param timeout       limit for one attempt: connecting plus the whole answer
     * @param verbose       log every request and answer (secrets masked) through SLF4J
     * @param backoffBase   first retry waits up to this long; each further retry doubles the bound
     * @param backoffMax    upper bound of one computed wait
     * @param maxRetryAfter a server's {@code Retry-After} longer than this ends the retries
     * @throws IllegalArgumentException as the canonical constructor does
     */
    public ClientConfig(URI endpoint, int maxRetries, Duration timeout, boolean verbose, Duration backoffBase, Duration backoffMax,
                        Duration maxRetryAfter) {
        this(endpoint, maxRetries, timeout, verbose, backoffBase, backoffMax, maxRetryAfter, null);
    }

    /**
     * Checks the settings.
     *
     * @param endpoint      base address of the platform, e.g. {@code http://localhost:8080}
     * @param maxRetries    retries after the first attempt (0 = none)
     * @param timeout       limit for one attempt: connecting plus the whole answer
     * @param verbose       log every request and answer (secrets masked) through SLF4J
     * @param backoffBase   first retry waits up to this long; each further retry doubles the bound
     * @param backoffMax    upper bound of one computed wait
     * @param maxRetryAfter a server's {@code Retry-After} longer than this ends the retries
     * @param deadline      limit of a whole call, its retries and their waits included; null for none
     * @throws NullPointerException     when {@code endpoint} or a duration other than {@code deadline} is null
     * @throws IllegalArgumentException when the endpoint is not an http(s) URL with a host, {@code maxRetries}
     *                                  is not 0 to 20, or a duration is zero or negative
     */
    public ClientConfig {
        Objects.requireNonNull(endpoint, "endpoint");
        String scheme = endpoint.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("endpoint must be an http(s) URL: " + endpoint);
        }
        if (endpoint.getHost() == null) throw new IllegalArgumentException("endpoint has no host: " + endpoint);
        if (maxRetries < 0 || maxRetries > 20) throw new IllegalArgumentException("maxRetries must be 0..20");
        requirePositive(timeout, "timeout");
        requirePositive(backoffBase, "backoffBase");
        requirePositive(backoffMax, "backoffMax");
        requirePositive(maxRetryAfter, "maxRetryAfter");
        if (deadline != null) requirePositive(deadline, "deadline");
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive");
    }
}
