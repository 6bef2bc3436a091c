package io.omix.server.users;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Attempts are counted per IPv4 address and per IPv6 /64: one subscriber's block is one source. */
class LoginThrottleTest {
    @Test
    void anIpv6BlockIsOneSource() {
        assertEquals("2001:db8:1:2::/64", LoginThrottle.sourceOf("2001:db8:1:2:3:4:5:6"));
        assertEquals("2001:db8:1:2::/64", LoginThrottle.sourceOf("2001:0db8:0001:0002:ffff::1"));
        assertEquals("2001:db8:1:2::/64", LoginThrottle.sourceOf("[2001:db8:1:2::9]"));
        assertEquals("2001:db8:1:3::/64", LoginThrottle.sourceOf("2001:db8:1:3::1"), "the next block is another source");
        assertEquals("0:0:0:0::/64", LoginThrottle.sourceOf("::1"));
        assertEquals("203.0.113.7", LoginThrottle.sourceOf("203.0.113.7"));
        assertEquals("not-an-address:x", LoginThrottle.sourceOf("not-an-address:x"), "no name is looked up");
        assertEquals(null, LoginThrottle.sourceOf(null));
    }
}
