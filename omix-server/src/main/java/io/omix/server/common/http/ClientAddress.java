package io.omix.server.common.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.util.Set;

/**
 * The address a request came from, for the audit trail, sign-in throttling and the Beacon's probe limit. Behind a
 * load balancer every connection comes from the balancer, so when the connection's peer is one of the operator's
 * {@code server.trusted-proxies}, the client is the last address of {@code X-Forwarded-For} that is not a trusted
 * proxy itself (the header's earlier entries are the client's own claims and are not believed).
 */
public final class ClientAddress {
    static final String ATTRIBUTE = "omix.client_address";

    private ClientAddress() {}

    public static void install(RoutesConfig routes, Set<String> trustedProxies) {
        if (trustedProxies.isEmpty()) return;
        // Every line of the header, in order: a balancer may add its own line after the client's instead of appending to it.
        routes.before(ctx -> ctx.attribute(ATTRIBUTE, resolve(ctx.ip(), String.join(",", java.util.Collections.list(ctx.req().getHeaders("X-Forwarded-For"))),
                trustedProxies)));
    }

    /**
     * An IP address literal in one form for each address, IPv6 in full without brackets ({@code [fd00::5]} and
     * {@code fd00:0:0:0:0:0:0:5} alike: the HTTP server gives an IPv6 peer bracketed and in full, operators write it
     * short); null when {@code literal} is not an address. Only a literal is parsed, never a name looked up.
     */
    public static String canonical(String literal) {
        if (literal == null) return null;
        String bare = literal.startsWith("[") && literal.endsWith("]") ? literal.substring(1, literal.length() - 1) : literal;
        if (bare.length() < 2 || bare.length() > 45 || !bare.matches("[0-9A-Fa-f:.]+")) return null;
        // Four numbers of 0-255, or IPv6 (a colon): anything else InetAddress would take for a name and look up.
        if (bare.indexOf(':') < 0 && !bare.matches("((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])")) {
            return null;
        }
        try {
            // Bracketed, an IPv6 form is parsed or refused, never taken for a name (".::1" would have been looked up).
            return java.net.InetAddress.getByName(bare.indexOf(':') >= 0 ? "[" + bare + "]" : bare).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    /** The client's address: set by {@link #install} behind trusted proxies, else the connection's peer. */
    public static String of(Context ctx) {
        String resolved = ctx.attribute(ATTRIBUTE);
        return resolved != null ? resolved : ctx.ip();
    }

    static String resolve(String peer, String forwardedFor, Set<String> trusted) {
        String from = canonical(peer);
        if (from == null) from = peer;
        if (!trusted.contains(from) || forwardedFor == null || forwardedFor.isBlank()) return from;
        String[] hops = forwardedFor.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            String address = hop.length() > 64 ? null : canonical(hop);
            if (address == null) return from; // not an address: believe nothing
            if (!trusted.contains(address)) return address;
        }
        return from;
    }

    /**
     * The subscriber an address stands for, where callers are counted (sign-in attempts, the Beacon's probes): an IPv4
     * address, or an IPv6 address's /64, the block one subscriber holds (counted by address, one host could come from
     * 2^64 of them, each with its own allowance).
     */
    public static String subscriber(String address) {
        // Only a literal is parsed (never a name to look up).
        if (address == null || address.indexOf(':') < 0 || !address.matches("\\[?[0-9A-Fa-f:.]{2,45}]?")) return address;
        try {
            byte[] bytes = java.net.InetAddress.getByName(address.startsWith("[") ? address.substring(1, address.length() - 1) : address).getAddress();
            if (bytes.length != 16) return address;
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < 8; i += 2) {
                out.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
            }
            return out.append(":/64").toString();
        } catch (java.net.UnknownHostException | RuntimeException notAnAddress) {
            return address;
        }
    }
}
