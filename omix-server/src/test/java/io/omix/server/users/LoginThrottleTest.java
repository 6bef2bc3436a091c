package io.omix.server.users;

import io.omix.server.Platform;
import io.omix.server.privacy.Erasure;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attempts are counted per IPv4 address and per IPv6 /64: one subscriber's block is one source. An account has an
 * allowance over all sources too, which locks out strangers' addresses but not those its owner signs in from.
 */
class LoginThrottleTest {
    @Test
    void anIpv6BlockIsOneSource() {
        assertEquals("2001:db8:1:2::/64", io.omix.server.common.http.ClientAddress.subscriber("2001:db8:1:2:3:4:5:6"));
        assertEquals("2001:db8:1:2::/64", io.omix.server.common.http.ClientAddress.subscriber("2001:0db8:0001:0002:ffff::1"));
        assertEquals("2001:db8:1:2::/64", io.omix.server.common.http.ClientAddress.subscriber("[2001:db8:1:2::9]"));
        assertEquals("2001:db8:1:3::/64", io.omix.server.common.http.ClientAddress.subscriber("2001:db8:1:3::1"), "the next block is another source");
        assertEquals("0:0:0:0::/64", io.omix.server.common.http.ClientAddress.subscriber("::1"));
        assertEquals("203.0.113.7", io.omix.server.common.http.ClientAddress.subscriber("203.0.113.7"));
        assertEquals("not-an-address:x", io.omix.server.common.http.ClientAddress.subscriber("not-an-address:x"), "no name is looked up");
        assertEquals(null, io.omix.server.common.http.ClientAddress.subscriber(null));
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void guessesFromManyAddressesLockTheAccountToStrangersOnly(String kind) {
        try (TestServer s = TestServer.start(kind)) {
            Platform platform = s.server().platform();
            User owner = new UserStore(platform).create("many_guesses", "many-guesses-S3cret", User.Profile.EMPTY, false);
            LoginThrottle throttle = new LoginThrottle(platform);
            assertTrue(throttle.admit("many_guesses", "198.51.100.1"));
            throttle.succeeded("many_guesses", "198.51.100.1");       // where the owner signs in

            for (int i = 0; i < LoginThrottle.MAX_PER_ACCOUNT_ALL_SOURCES; i++) {
                assertTrue(throttle.admit("many_guesses", "10.1." + (i / 250) + "." + (i % 250)), "guess " + i + ", each address's first");
            }
            assertFalse(throttle.admit("many_guesses", "10.2.0.1"), "one address more: the account is locked to strangers");
            assertFalse(throttle.admit("many_guesses", "10.1.0.0"), "and to the addresses that guessed");
            assertTrue(throttle.admit("many_guesses", "198.51.100.1"), "its owner's address goes on");
            assertTrue(throttle.admit("someone_else", "10.2.0.1"), "other accounts are not held back");

            long rows = platform.database().jdbc().queryOne("SELECT COUNT(*) FROM login_failures WHERE username LIKE '%many\\_guesses%' ESCAPE '\\'",
                    rs -> rs.getLong(1)).orElseThrow();
            assertTrue(rows > 100, "the throttle's rows name the account: " + rows);
            assertTrue(new Erasure(platform).eraseUser(owner.userId()).isPresent());
            assertEquals(0L, platform.database().jdbc().queryOne("SELECT COUNT(*) FROM login_failures WHERE username LIKE '%many\\_guesses%' ESCAPE '\\'",
                    rs -> rs.getLong(1)).orElseThrow(), "an erasure leaves no row naming the person's username");
        }
    }
}
