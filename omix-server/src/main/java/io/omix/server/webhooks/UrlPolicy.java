package io.omix.server.webhooks;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which URLs webhooks may be sent to, so that an application cannot use them to reach into the
 * operator's network: https to hosts on public addresses; http only to this machine's loopback and
 * only where the operator allows it (development); private, link-local and other special addresses
 * only on a closed network whose operator says so. Checked when an endpoint is registered and again at every
 * delivery, on the addresses the host resolves to then: those and only those are the ones the delivery connects to
 * ({@link WebhookSender}), so a name re-pointed after the check (DNS rebinding) cannot lead it elsewhere.
 */
final class UrlPolicy {
    /** Looks a host name up: the system's resolver, or a test's. */
    @FunctionalInterface
    interface NameLookup {
        InetAddress[] addresses(String host) throws UnknownHostException;
    }

    /** A delivery the address check refused: why, in words for the endpoint's owner. */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    private final boolean allowHttpLoopback;
    private final boolean allowPrivateNetworks;
    private final NameLookup lookup;

    UrlPolicy(boolean allowHttpLoopback, boolean allowPrivateNetworks) {
        this(allowHttpLoopback, allowPrivateNetworks, InetAddress::getAllByName);
    }

    UrlPolicy(boolean allowHttpLoopback, boolean allowPrivateNetworks, NameLookup lookup) {
        this.allowHttpLoopback = allowHttpLoopback;
        this.allowPrivateNetworks = allowPrivateNetworks;
        this.lookup = lookup;
    }

    /**
     * Why {@code url} may not be registered, or empty when it may. An https host given by name is not looked up here:
     * every delivery checks what it resolves to then, and a registration that answered whether an internal name exists
     * (refused as private, or accepted as unknown) would let any client map the operator's network one name at a time.
     */
    Optional<String> refusal(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("must be an absolute https URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        if (!uri.isAbsolute() || host == null || host.isEmpty()) return Optional.of("must be an absolute https URL");
        if (uri.getRawUserInfo() != null) return Optional.of("must not carry a user name or password");
        if (uri.getRawFragment() != null) return Optional.of("must not have a fragment");
        if (!scheme.equals("https") && !scheme.equals("http")) return Optional.of("must be an https URL");
        if (scheme.equals("https") && !isAddressLiteral(host)) return Optional.empty();
        // Plain http where the operator has not enabled it: refused before any lookup (an answer that differed by whether
        // the name resolves would tell which internal names exist).
        if (scheme.equals("http") && !allowHttpLoopback) return Optional.of(HTTP_OFF);
        InetAddress[] addresses;
        try {
            // An address written as such is read, never looked up.
            addresses = isAddressLiteral(host) ? InetAddress.getAllByName(host) : lookup.addresses(host);
        } catch (UnknownHostException e) {
            return scheme.equals("https") ? Optional.empty() : Optional.of("http is allowed only to this machine's loopback address");
        }
        return refusal(scheme, addresses);
    }

    static final String NOT_REACHABLE = "the host name does not resolve to an address webhooks may reach";
    private static final String HTTP_OFF = "must be an https URL (http to this machine is a development setting the operator has not enabled)";

    /**
     * The addresses a delivery to {@code host} over {@code scheme} may connect to: the host looked up now, every address
     * it resolves to checked (one refused address refuses them all, as at registration).
     *
     * @throws Refused when the name does not resolve or an address may not be reached
     */
    List<InetAddress> deliveryAddresses(String scheme, String host) {
        scheme = scheme.toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) throw new Refused("must be an https URL");
        if (scheme.equals("http") && !allowHttpLoopback) throw new Refused(HTTP_OFF);   // the operator's setting, before any lookup
        InetAddress[] addresses;
        try {
            addresses = lookup.addresses(host);
        } catch (UnknownHostException e) {
            throw new Refused(NOT_REACHABLE);
        }
        if (addresses.length == 0) throw new Refused(NOT_REACHABLE);
        // One answer whether the name resolves nowhere or somewhere a webhook may not go: a delivery log that told the two
        // apart would map the operator's internal names, one endpoint at a time.
        if (refusal(scheme, addresses).isPresent()) throw new Refused(NOT_REACHABLE);
        return List.of(addresses);
    }

    /** Whether {@code host} is written as an address (IPv4 dotted, or IPv6 in brackets) rather than a name. */
    static boolean isAddressLiteral(String host) {
        return host.startsWith("[") || host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    }

    private Optional<String> refusal(String scheme, InetAddress[] addresses) {
        boolean allLoopback = true;
        for (InetAddress a : addresses) allLoopback &= a.isLoopbackAddress();
        if (scheme.equals("http")) {
            if (!allowHttpLoopback) return Optional.of(HTTP_OFF);
            if (!allLoopback) return Optional.of("http is allowed only to this machine's loopback address");
            return Optional.empty();
        }
        if (allLoopback && allowHttpLoopback) return Optional.empty();
        for (InetAddress a : addresses) {
            // A closed network may allow its private ranges; this machine, link-local (cloud metadata) and reserved ranges never.
            boolean refused = allowPrivateNetworks ? never(a) : special(a);
            if (refused) return Optional.of("the host resolves to a private, loopback or reserved address, which webhooks may not reach");
        }
        return Optional.empty();
    }

    /**
     * Addresses no webhook may reach, whatever the operator allows: this machine, link-local (metadata services),
     * multicast, unspecified, the cloud metadata services outside link-local (Alibaba Cloud's 100.100.100.200, AWS's
     * fd00:ec2::254), IPv6 addresses that carry any of those as an embedded IPv4 address (NAT64, 6to4, Teredo,
     * IPv4-compatible, IPv4-mapped), and local-use NAT64, whose embedded address cannot be told.
     */
    static boolean never(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isMulticastAddress()) return true;
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) return (b[0] & 0xff) == 100 && (b[1] & 0xff) == 100 && (b[2] & 0xff) == 100 && (b[3] & 0xff) == 200;
        if (java.util.Arrays.equals(b, AWS_METADATA_V6)) return true;
        // Local-use NAT64 (64:ff9b:1::/48): where its IPv4 address sits depends on the network's prefix length, so which
        // address it stands for cannot be told here.
        if (b.length == 16 && b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b && b[4] == 0 && b[5] == 1) return true;
        InetAddress embedded = embeddedIpv4(b);
        return embedded != null && never(embedded);
    }

    private static final byte[] AWS_METADATA_V6 = {(byte) 0xfd, 0, 0x0e, (byte) 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54};

    /**
     * The IPv4 address an IPv6 address stands for: NAT64 (64:ff9b::/96), 6to4
     * (2002::/16), Teredo's client (2001::/32), IPv4-compatible (::/96) and IPv4-mapped (::ffff:0:0/96). A mapped address
     * written in a URL becomes an IPv4 address in the JDK, but one a name resolves to (an AAAA record) stays IPv6, and a
     * dual-stack socket connects to the IPv4 address it maps.
     */
    static InetAddress embeddedIpv4(byte[] b) {
        if (b.length != 16) return null;
        byte[] v4;
        boolean zeroPrefix = allZero(b, 0, 12);
        boolean mapped = allZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean nat64 = b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b && allZero(b, 4, 12);
        if (zeroPrefix || mapped || nat64) {
            v4 = java.util.Arrays.copyOfRange(b, 12, 16);
        } else if (b[0] == 0x20 && b[1] == 0x02) {
            v4 = java.util.Arrays.copyOfRange(b, 2, 6);
        } else if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) {
            v4 = new byte[4];
            for (int i = 0; i < 4; i++) v4[i] = (byte) ~b[12 + i]; // Teredo stores its client's address inverted
        } else {
            return null;
        }
        try {
            return InetAddress.getByAddress(v4);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] != 0) return false;
        return true;
    }

    /**
     * Anything but a public unicast address: {@link #never} plus private (RFC 1918), carrier-grade NAT,
     * the IETF, documentation and benchmarking ranges, 6to4 relays and class E; for IPv6, anything
     * outside global unicast (2000::/3), and inside it Teredo, 6to4 and documentation (they embed or
     * stand for addresses elsewhere, NAT64's 64:ff9b:: is outside 2000::/3 already).
     */
    static boolean special(InetAddress a) {
        if (never(a) || a.isSiteLocalAddress()) return true;
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff, second = b[1] & 0xff, third = b[2] & 0xff;
            return first == 0 || first >= 240 || (first == 100 && second >= 64 && second < 128)
                    || (first == 192 && second == 0 && (third == 0 || third == 2)) || (first == 192 && second == 88 && third == 99)
                    || (first == 198 && (second == 18 || second == 19)) || (first == 198 && second == 51 && third == 100)
                    || (first == 203 && second == 0 && third == 113);
        }
        if (a instanceof Inet6Address) {
            if ((b[0] & 0xe0) != 0x20) return true; // outside 2000::/3: unique local, NAT64, IPv4-compatible and -mapped, the rest
            int first16 = (b[0] & 0xff) << 8 | (b[1] & 0xff), second16 = (b[2] & 0xff) << 8 | (b[3] & 0xff);
            return first16 == 0x2002 || (first16 == 0x2001 && (second16 == 0 || second16 == 0x0db8));
        }
        return true;
    }
}
