package io.omix.server.common.auth;

import java.util.Set;

/**
 * Who is calling, as established by authentication.
 *
 * @param kind     how the caller authenticated
 * @param clientId the OAuth2 client (token callers), else null
 * @param userId   the user a user token acts for, else null
 * @param scopes   what the token allows (empty for non-token callers)
 * @param appKey   the private app or dataset API key, else null
 * @param namespace the private app's data namespace, else null
 * @param operator  a user token whose user operates the platform
 */
public record Caller(Kind kind, String clientId, String userId, Set<String> scopes, String appKey, String namespace, boolean operator) {
    public enum Kind { ANONYMOUS, USER_TOKEN, CLIENT_TOKEN, PRIVATE_APP, DATASET_KEY }

    public static final Caller ANONYMOUS = new Caller(Kind.ANONYMOUS, null, null, Set.of(), null, null, false);
    /** An operator's own tools in the server's process (the CLI's admin commands): no token, no application, an operator. */
    public static final Caller OPERATOR_TOOLS = new Caller(Kind.ANONYMOUS, null, null, Set.of(), null, null, true);
    /** The console's pseudo-clients' ids begin so ({@code console:<user id>}): no OAuth2 client of that id exists. */
    public static final String CONSOLE_CLIENT_PREFIX = "console:";

    /** The OAuth2 application this caller acts through (a client token's, or a person's token's), null for none or the console. */
    public String application() {
        return clientId == null || clientId.startsWith(CONSOLE_CLIENT_PREFIX) ? null : clientId;
    }

    public static Caller userToken(String clientId, String userId, Set<String> scopes) {
        return userToken(clientId, userId, scopes, false);
    }

    public static Caller userToken(String clientId, String userId, Set<String> scopes, boolean operator) {
        return new Caller(Kind.USER_TOKEN, clientId, userId, Set.copyOf(scopes), null, null, operator);
    }

    public static Caller clientToken(String clientId, Set<String> scopes) {
        return new Caller(Kind.CLIENT_TOKEN, clientId, null, Set.copyOf(scopes), null, null, false);
    }

    public static Caller privateApp(String appKey, String namespace) {
        return new Caller(Kind.PRIVATE_APP, null, null, Set.of(), appKey, namespace, false);
    }

    public static Caller datasetKey(String apiKey) {
        return new Caller(Kind.DATASET_KEY, null, null, Set.of(), apiKey, null, false);
    }

    /** The same caller as a model invocation's token: never an operator, within {@code scopes}. */
    public Caller asInvocation(Set<String> scopes) {
        return new Caller(kind, clientId, userId, Set.copyOf(scopes), null, null, false);
    }

    public boolean hasScope(String scope) {
        return scopes.contains(scope);
    }

    public boolean isToken() {
        return kind == Kind.USER_TOKEN || kind == Kind.CLIENT_TOKEN;
    }

    /** Token callers need {@code scope}; other callers are not scoped. 401 otherwise. */
    public void requireScope(Scope scope) {
        if (isToken() && !scopes.contains(scope.id())) {
            throw new io.omix.server.common.http.ApiException(io.omix.server.common.http.ErrorCode.NO_PERMISSION,
                    java.util.Map.of("scope", "this token lacks the " + scope.id() + " scope"));
        }
    }
}
