package io.omix.server.common.auth;

import io.omix.server.common.http.ApiRequest;

import java.util.EnumMap;
import java.util.Map;

/**
 * The authenticator for each {@link Access}, registered by the capabilities that own the credentials
 * (oauth for tokens, apps for signatures and API keys). A route whose access has no authenticator
 * refuses every call: a missing registration can never open an endpoint.
 */
public final class Authenticators {
    private final Map<Access, Authenticator> byAccess = new EnumMap<>(Access.class);

    public synchronized void register(Access access, Authenticator authenticator) {
        if (access == Access.PUBLIC) throw new IllegalArgumentException("PUBLIC needs no authenticator");
        if (byAccess.putIfAbsent(access, authenticator) != null) {
            throw new IllegalStateException("an authenticator for " + access + " is registered already");
        }
    }

    public Caller authenticate(ApiRequest request, Access access) {
        if (access == Access.PUBLIC) return Caller.ANONYMOUS;
        Authenticator a;
        synchronized (this) {
            a = byAccess.get(access);
        }
        if (a == null) throw new IllegalStateException("no authenticator for " + access);
        return a.authenticate(request, access);
    }
}
