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
    private volatile SessionAuthenticator session;
    private final InvocationTokens invocations = new InvocationTokens();

    /** The live tokens of this server's model invocations. */
    public InvocationTokens invocations() {
        return invocations;
    }

    /**
     * A browser session (the web console) as a caller: consulted first for requests without an
     * Authorization header, it answers empty when the request carries no session, and the route's
     * own authenticator decides.
     */
    @FunctionalInterface
    public interface SessionAuthenticator {
        java.util.Optional<Caller> authenticate(ApiRequest request, Access required);
    }

    public synchronized void registerSession(SessionAuthenticator authenticator) {
        if (session != null) throw new IllegalStateException("a session authenticator is registered already");
        session = authenticator;
    }

    public synchronized void register(Access access, Authenticator authenticator) {
        if (access == Access.PUBLIC) throw new IllegalArgumentException("PUBLIC needs no authenticator");
        if (byAccess.putIfAbsent(access, authenticator) != null) {
            throw new IllegalStateException("an authenticator for " + access + " is registered already");
        }
    }

    public Caller authenticate(ApiRequest request, Access access) {
        boolean channel = request.viaModelChannel();
        // From inside a model's box, public routes too are closed (the token endpoints: revoking or introspecting tokens
        // of its author's would carry out, bit by bit, what the model read for its caller).
        if (access == Access.PUBLIC && channel) throw new io.omix.server.common.http.ApiException(io.omix.server.common.http.ErrorCode.TOKEN_INVALID);
        if (access == Access.PUBLIC) return Caller.ANONYMOUS;
        if (access == Access.TOKEN_IF_SENT) {
            if (!channel && request.header("Authorization") == null) return Caller.ANONYMOUS;
            access = Access.TOKEN;
        }
        if (channel && access != Access.TOKEN && access != Access.USER_TOKEN && access != Access.CLIENT_TOKEN) {
            // From inside a model's box only the invocation's own token is accepted.
            throw new io.omix.server.common.http.ApiException(io.omix.server.common.http.ErrorCode.TOKEN_INVALID);
        }
        SessionAuthenticator s = session;
        if (s != null && !channel && request.header("Authorization") == null) {
            java.util.Optional<Caller> caller = s.authenticate(request, access);
            if (caller.isPresent()) return caller.get();
        }
        Authenticator a;
        synchronized (this) {
            a = byAccess.get(access);
        }
        if (a == null) throw new IllegalStateException("no authenticator for " + access);
        return a.authenticate(request, access);
    }
}
