package io.omix.server.common.auth;

import io.omix.server.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A full cache gives up what is past its time first: a client minting a fresh token for every call filled it, and clearing
 * it all at once made every other caller's next call read its token from the database again.
 */
class CredentialCacheTest {
    @Test
    void aFullCacheForgetsWhatIsPastItsTimeAndKeepsWhatIsFresh() throws Exception {
        try (TestServer s = TestServer.start();
             CredentialCache cache = new CredentialCache(s.server().platform().database().jdbc(), Clock.systemUTC(), Duration.ofSeconds(2))) {
            Caller caller = Caller.clientToken("omxcachetest", Set.of("samples"));
            long later = System.currentTimeMillis() + 3_600_000;
            AtomicInteger verified = new AtomicInteger();
            for (int i = 0; i < CredentialCache.MAX_ENTRIES - 1; i++) {
                cache.caller("minted-" + i, () -> Optional.of(new CredentialCache.Verified(caller, later)));
            }
            Thread.sleep(2_100);   // all of them past the cache's time
            cache.caller("steady", () -> {
                verified.incrementAndGet();
                return Optional.of(new CredentialCache.Verified(caller, later));
            });
            cache.caller("one-more", () -> Optional.of(new CredentialCache.Verified(caller, later)));   // the cache is full here
            cache.caller("steady", () -> {
                verified.incrementAndGet();
                return Optional.of(new CredentialCache.Verified(caller, later));
            });
            assertEquals(1, verified.get(), "the steady caller's token was kept: only the stale ones went");
        }
    }
}
