package io.omix.sdk;

import io.omix.sdk.internal.ApiRequest;
import io.omix.sdk.internal.HttpTransport;

/** The liveness check shared by the clients that have {@code alive()}. */
final class Ping {
    private Ping() {}

    static boolean alive(HttpTransport transport) {
        try {
            return transport.send(ApiRequest.get("/ping")).ok();
        } catch (OmixException unreachable) {
            return false;
        }
    }
}
