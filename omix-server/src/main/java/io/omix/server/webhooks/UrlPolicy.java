package io.omix.server.webhooks;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Which URLs webhooks may be sent to, so that an application cannot use them to reach into the
 * operator's network: https to hosts on public addresses; http only to this machine's loopback and
 * only where the operator allows it (development); private, link-local and other special addresses
 * only on a closed network whose operator says so. Checked when an endpoint is registered and again,
 * on the addresses the host resolves to then, before every delivery (a name may be re-pointed).
 */
final class UrlPolicy {
    private final boolean allowHttpLoopback;
    private final boolean allowPrivateNetworks;

    UrlPolicy(boolean allowHttpLoopback, boolean allowPrivateNetworks) {
        this.allowHttpLoopback = allowHttpLoopback;
        this.allowPrivateNetworks = allowPrivateNetworks;
    }

    /** Why {@code url} may not be registered, or empty when it may (a host that does not resolve yet is checked at delivery). */
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
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return scheme.equals("https") ? Optional.empty() : Optional.of("http is allowed only to this machine's loopback address");
        }
        return refusal(scheme, addresses);
    }

    /** Why a delivery to {@code uri} may not be sent now (its host resolved again), or empty. */
    Optional<String> refusalAtDelivery(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        try {
            return refusal(scheme, InetAddress.getAllByName(uri.getHost()));
        } catch (UnknownHostException e) {
            return Optional.of("the host name does not resolve");
        }
    }

    private Optional<String> refusal(String scheme, InetAddress[] addresses) {
        boolean allLoopback = true;
        for (InetAddress a : addresses) allLoopback &= a.isLoopbackAddress();
        if (scheme.equals("http")) {
            if (!allowHttpLoopback) return Optional.of("must be an https URL (http to this machine is a development setting the operator has not enabled)");
            if (!allLoopback) return Optional.of("http is allowed only to this machine's loopback address");
            return Optional.empty();
        }
        if (allLoopback && allowHttpLoopback) return Optional.empty();
        if (allowPrivateNetworks) return Optional.empty();
        for (InetAddress a : addresses) {
            if (special(a)) return Optional.of("the host resolves to a private, loopback or reserved address, which webhooks may not reach");
        }
        return Optional.empty();
    }

    /** Loopback, private, link-local, unique-local, carrier-grade NAT, multicast, unspecified or documentation ranges. */
    static boolean special(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isMulticastAddress()) return true;
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff, second = b[1] & 0xff;
            return first == 0 || first >= 240 || (first == 100 && second >= 64 && second < 128) || (first == 192 && second == 0)
                    || (first == 198 && (second == 18 || second == 19));
        }
        if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) return true; // fc00::/7, unique local
            boolean mapped = true; // ::ffff:a.b.c.d: judge the IPv4 address inside
            for (int i = 0; i < 10; i++) mapped &= b[i] == 0;
            if (mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
                try {
                    return special(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
                } catch (UnknownHostException e) {
                    return true;
                }
            }
        }
        return false;
    }
}
