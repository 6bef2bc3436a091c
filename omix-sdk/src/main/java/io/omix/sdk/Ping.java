package io.omix.sdk;

import io.omix.sdk.internal.ApiRequest;
import io.omix.sdk.internal.HttpTransport;

/** The liveness check shared by the clients that have {@code alive()}. */
final class Ping {
    private Ping() {}

    /**
     * Asks {@code GET /ping}, with the transport's retries; never throws.
     *
     * @param transport the client's transport
     * @return true when the platform answers with a 2xx status, false otherwise or when it cannot be reached
     */
    static boolean alive(HttpTransport transport) {
        try {
            return transport.send(ApiRequest.get("/ping")).ok();
        } catch (OmixException unreachable) {
            return false;
        }
    }
}
