package io.omix.server.common.http;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which address a request is from, behind a balancer and not: a client cannot name itself someone else. */
class ClientAddressTest {
    static final Set<String> BALANCERS = Set.of("10.0.0.2", "10.0.0.3");

    @Test
    void aTrustedBalancersForwardedClientIsTheClient() {
        assertEquals("203.0.113.7", ClientAddress.resolve("10.0.0.2", "203.0.113.7", BALANCERS));
        assertEquals("203.0.113.7", ClientAddress.resolve("10.0.0.2", "203.0.113.7, 10.0.0.3", BALANCERS), "through two balancers");
        assertEquals("2001:db8:0:0:0:0:0:1", ClientAddress.resolve("10.0.0.2", "2001:db8::1", BALANCERS), "IPv6 in one form");
        assertEquals("2001:db8:0:0:0:0:0:1", ClientAddress.resolve("10.0.0.2", "[2001:db8::1]", BALANCERS));
    }

    /**
     * A balancer reaching the servers over IPv6: the HTTP server gives its address bracketed and in full
     * ({@code [fd00:0:0:0:0:0:0:5]}), the operator lists it short; it is trusted all the same, and the client it forwards
     * is the client (before, no IPv6 balancer could be trusted, and all its clients shared one address).
     */
    @Test
    void anIpv6BalancerIsTrustedHoweverItsAddressIsWritten() {
        Set<String> trusted = Set.of(ClientAddress.canonical("fd00::5"));
        assertEquals("203.0.113.7", ClientAddress.resolve("[fd00:0:0:0:0:0:0:5]", "203.0.113.7", trusted));
        assertEquals("fd00:0:0:0:0:0:0:6", ClientAddress.resolve("[fd00:0:0:0:0:0:0:6]", "203.0.113.7", trusted), "another peer: itself");
        assertEquals(null, ClientAddress.canonical("example.org"), "a name is not looked up");
        assertEquals(null, ClientAddress.canonical("beef"));
        assertEquals("10.0.0.2", ClientAddress.canonical("10.0.0.2"));
        assertEquals(null, ClientAddress.canonical("999.1.1.1"), "not an address, and not looked up as a name");
        assertEquals(null, ClientAddress.canonical("01.2.3.4"));
        assertEquals(null, ClientAddress.canonical(".::1"), "not an IPv6 literal: refused, not looked up");
        assertEquals("0:0:0:0:0:0:0:1", ClientAddress.canonical("::1"));
        assertEquals("192.0.2.1", ClientAddress.canonical("::ffff:192.0.2.1"));
    }

    @Test
    void whatAClientWritesIntoTheHeaderItselfIsNotBelieved() {
        assertEquals("198.51.100.9", ClientAddress.resolve("198.51.100.9", "203.0.113.7", BALANCERS), "not from a balancer: the peer");
        assertEquals("203.0.113.7", ClientAddress.resolve("10.0.0.2", "1.1.1.1, 203.0.113.7", BALANCERS),
                "a spoofed first entry: the one the balancer added counts");
        assertEquals("10.0.0.2", ClientAddress.resolve("10.0.0.2", "not-an-address", BALANCERS));
        assertEquals("10.0.0.2", ClientAddress.resolve("10.0.0.2", "beef", BALANCERS), "hexadecimal letters alone are no address");
        assertEquals("10.0.0.2", ClientAddress.resolve("10.0.0.2", null, BALANCERS));
    }
}
