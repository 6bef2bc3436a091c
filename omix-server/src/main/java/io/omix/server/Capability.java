package io.omix.server;

import io.omix.server.common.http.Routes;
import io.omix.server.demo.DemoData;

/**
 * One capability of the platform (oauth, samples, streams...): its routes, and the demo data it
 * adds to a fresh installation.
 */
public interface Capability {
    void routes(Routes routes);

    /** Adds to the HTTP server before it starts (a connector of its own, for instance). */
    default void jetty(io.javalin.config.JettyConfig jetty) {}

    /** What this capability's data needs cleaned up on schedule (see {@link io.omix.server.housekeeping.Housekeeping}). */
    default java.util.List<io.omix.server.housekeeping.Housekeeping.Job> housekeeping() {
        return java.util.List.of();
    }

    /** Starts the capability's background work, once the server serves requests and runs tasks. */
    default void start() {}

    /** Releases what the capability holds, once the server has stopped serving requests. */
    default void close() {}

    /** Adds this capability's demo data and the credentials or ids a newcomer needs. */
    default void demo(DemoData demo) {}

    /** Builds a capability once the platform is up. */
    @FunctionalInterface
    interface Factory {
        Capability create(Platform platform);
    }
}
