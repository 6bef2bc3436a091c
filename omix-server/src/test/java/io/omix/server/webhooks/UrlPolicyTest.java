package io.omix.server.webhooks;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a webhook may never reach, even where the operator allows private networks: this machine, link-local, the
 * cloud metadata services, and IPv6 forms that stand for those IPv4 addresses.
 */
class UrlPolicyTest {
    static boolean never(String literal) throws Exception {
        return UrlPolicy.never(InetAddress.getByName(literal));
    }

    /**
     * Registration checks addresses written as such, and leaves names to each delivery: a client cannot tell from the
     * answer whether an internal name exists (refused as private before, accepted as unknown), so cannot map the
     * operator's network. The delivery still refuses the name's private address.
     */
    @Test
    void registrationTellsNothingOfWhatANameResolvesTo() {
        UrlPolicy policy = new UrlPolicy(false, false, host -> switch (host) {
            case "intranet.example" -> new InetAddress[] {InetAddress.getByAddress(host, new byte[] {10, 0, 0, 5})};
            case "public.example" -> new InetAddress[] {InetAddress.getByAddress(host, new byte[] {93, (byte) 184, (byte) 216, 34})};
            default -> throw new java.net.UnknownHostException(host);
        });
        java.util.Set<java.util.Optional<String>> httpAnswers = new java.util.HashSet<>();
        for (String host : new String[] {"intranet.example", "public.example", "nowhere.example"}) {
            assertTrue(policy.refusal("https://" + host + "/hook").isEmpty(), host + ": the same answer whatever it resolves to");
            httpAnswers.add(policy.refusal("http://" + host + "/hook"));
        }
        assertEquals(1, httpAnswers.size(), "over http too (refused before any lookup): " + httpAnswers);
        assertTrue(policy.refusal("https://10.0.0.5/hook").isPresent(), "a private address written as such is refused at once");
        assertTrue(policy.refusal("https://[::1]/hook").isPresent());
        org.junit.jupiter.api.Assertions.assertThrows(UrlPolicy.Refused.class, () -> policy.deliveryAddresses("https", "intranet.example"),
                "a delivery to the name is refused");
        assertTrue(policy.deliveryAddresses("https", "public.example").size() == 1);
    }

    @Test
    void metadataServicesAndTheirIpv6DisguisesAreNeverReached() throws Exception {
        for (String refused : new String[] {"127.0.0.1", "169.254.169.254", "100.100.100.200", "fd00:ec2::254", "::1", "0.0.0.0",
                "64:ff9b::a9fe:a9fe",      // NAT64 for 169.254.169.254
                "64:ff9b::7f00:1",         // NAT64 for 127.0.0.1
                "2002:a9fe:a9fe::1",       // 6to4 for 169.254.169.254
                "::ffff:169.254.169.254", "::169.254.169.254"}) {
            assertTrue(never(refused), refused);
        }
        // Teredo carries its client's IPv4 address inverted in the last 32 bits: ~169.254.169.254 = 86.1.86.1 = 5601:5601.
        assertTrue(never("2001:0:4136:e378:8000:63bf:5601:5601"), "Teredo standing for 169.254.169.254");
        // As a name's AAAA record gives them: IPv6 objects, not the IPv4 ones the JDK makes of a mapped literal.
        for (String mappedByDns : new String[] {"127.0.0.1", "169.254.169.254", "100.100.100.200"}) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(InetAddress.getByName(mappedByDns).getAddress(), 0, mapped, 12, 4);
            java.net.Inet6Address resolved = java.net.Inet6Address.getByAddress(null, mapped, -1);
            assertTrue(UrlPolicy.never(resolved), "::ffff:" + mappedByDns + " as an IPv6 address");
            assertTrue(UrlPolicy.special(resolved));
        }
        assertTrue(never("64:ff9b:1::a9fe:a9fe"), "local-use NAT64 for 169.254.169.254");
        for (String allowed : new String[] {"10.0.0.5", "192.168.1.10", "100.64.0.1", "fd12:3456::1", "93.184.216.34", "2606:4700::1111",
                "64:ff9b::5db8:d822"}) {
            assertFalse(never(allowed), allowed + " (a private or public address, allowed where private networks are)");
        }
    }
}
