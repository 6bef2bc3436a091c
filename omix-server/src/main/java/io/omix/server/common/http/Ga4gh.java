package io.omix.server.common.http;

import java.net.URI;
import java.util.Locale;

/** What the GA4GH APIs (DRS, htsget, Beacon) name the same way. */
public final class Ga4gh {
    /** The Beacon framework version the Beacon answers speak. */
    public static final String BEACON_API_VERSION = "v2.0.0";

    private Ga4gh() {}

    /**
     * A service's id in GA4GH service-info's reverse-domain style, {@code io.omix.<host>.<artifact>}: the same
     * for every server of a deployment behind one name. {@code hostOrUrl} is a base URL or a Host header.
     */
    public static String serviceId(String hostOrUrl, String artifact) {
        String host = null;
        if (hostOrUrl != null) {
            host = hostOrUrl.contains("://") ? URI.create(hostOrUrl).getHost() : hostOrUrl.replaceFirst(":\\d+$", "");
        }
        if (host == null || !host.matches("[A-Za-z0-9.-]{1,200}")) host = "localhost";
        return "io.omix." + host.toLowerCase(Locale.ROOT) + "." + artifact;
    }
}
