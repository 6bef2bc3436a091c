package io.omix.sdk;

import io.omix.server.Platform;
import io.omix.server.common.db.Database;
import io.omix.server.oauth.ClientStore;
import io.omix.server.testing.TestDatabases;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Servers keep the callers of tokens they verified a moment ago (the hot read path), and yet a
 * revoked or disabled credential stops working on every server of a deployment within a second:
 * two servers on one database, both having served a token, then the token revoked through one, its
 * client disabled through the other, a token revoked behind the platform's back; on both databases.
 */
class CredentialCacheTest {
    /** The envelope's code: 0 served, 403 the token refused (the open platform answers both with HTTP 200). */
    static int status(TestServer s, String token) throws Exception {
        return Model.parse(RateLimitTest.get(s.url(), token).body()).getInt("code");
    }

    /** Milliseconds until {@code s} refuses {@code token} (403), failing after two seconds. */
    static long millisUntilRefused(TestServer s, String token) throws Exception {
        long start = System.nanoTime();
        while (status(s, token) != 403) {
            if (System.nanoTime() - start > 2_000_000_000L) throw new AssertionError("still accepted after 2 s");
            Thread.sleep(5);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    static void warm(TestServer s, String token) throws Exception {
        for (int i = 0; i < 5; i++) assertEquals(0, status(s, token), "served, and now cached");
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aRevokedOrDisabledCredentialStopsOnEveryServerWithinASecond(String kind) throws Exception {
        String key = java.util.Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'c');
        try (TestServer first = TestServer.builder().database(kind).setting("security.master-key", key).setting("security.token-cache-millis", "1000").start()) {
            String url = TestDatabases.H2.equals(kind) ? Database.embeddedUrl(first.dataDir()) : first.server().platform().config().dbUrl();
            try (TestServer second = TestServer.builder().database(kind).setting("db.url", url).setting("security.master-key", key)
                    .setting("security.token-cache-millis", "1000").start()) {
                Platform platform = Identity.platform(first);
                Identity.Client client = Identity.confidentialClient(first);
                Supplier<String> newToken = () -> RateLimitTest.clientToken(platform, client.id());

                // Revoked through the first server (RFC 7009): refused there at once, on the other within a poll.
                String token = newToken.get();
                warm(first, token);
                warm(second, token);
                try (OAuth2 oauth2 = OAuth2.builder(client.id(), client.secret()).endpoint(first.url()).build()) {
                    oauth2.revoke(token);
                }
                assertEquals(403, status(first, token), "the server that revoked it refuses it at once");
                long other = millisUntilRefused(second, token);
                // Well before the cached entry's own second is up: the other server heard of the revocation.
                assertTrue(other < 600, "the other server refused it after " + other + " ms");

                // The client disabled through the second server's stores: both refuse its live tokens within a second.
                String live = newToken.get();
                warm(first, live);
                warm(second, live);
                new ClientStore(Identity.platform(second)).setDisabled(client.id(), true);
                assertEquals(403, status(second, live));
                long disabled = millisUntilRefused(first, live);
                assertTrue(disabled < 600, "refused after " + disabled + " ms");
                new ClientStore(Identity.platform(second)).setDisabled(client.id(), false);

                // Revoked by hand in the database, which no server hears of: the cache's lifetime still bounds it.
                String manual = newToken.get();
                warm(first, manual);
                warm(second, manual);
                platform.database().jdbc().update("UPDATE oauth_tokens SET revoked_at = CURRENT_TIMESTAMP WHERE token_hash = ?",
                        io.omix.server.common.auth.Secrets.hash(manual));
                long a = millisUntilRefused(first, manual);
                long b = millisUntilRefused(second, manual);
                assertTrue(a < 1100 && b < 1100, "refused after " + a + " and " + b + " ms");
            }
        }
    }
}
