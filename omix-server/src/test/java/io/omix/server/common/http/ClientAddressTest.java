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
        assertEquals("2001:db8::1", ClientAddress.resolve("10.0.0.2", "2001:db8::1", BALANCERS));
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
