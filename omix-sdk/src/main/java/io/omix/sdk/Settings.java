package io.omix.sdk;

import java.net.URI;
import java.time.Duration;

/**
 * A client's settings, as its builder set them (read-only).
 *
 * @param endpoint      base address of the platform
 * @param maxRetries    retries after the first attempt
 * @param timeout       limit of one attempt, connection included
 * @param verbose       whether requests and answers are logged (secrets masked)
 * @param backoffBase   the first retry waits up to this long; each further one doubles the bound
 * @param backoffMax    upper bound of one wait
 * @param maxRetryAfter a server's {@code Retry-After} longer than this ends the retries
 */
public record Settings(URI endpoint, int maxRetries, Duration timeout, boolean verbose, Duration backoffBase, Duration backoffMax,
                       Duration maxRetryAfter) {
    static Settings of(io.omix.sdk.internal.ClientConfig c) {
        return new Settings(c.endpoint(), c.maxRetries(), c.timeout(), c.verbose(), c.backoffBase(), c.backoffMax(), c.maxRetryAfter());
    }
}
