package io.omix.server.oauth;

import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Authenticator;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ApiRequest;
import io.omix.server.common.http.ErrorCode;

/**
 * {@code Authorization: Bearer <access_token>}. Missing, unknown, expired or revoked: 403. A live
 * token of the wrong grant: 401 where a user is needed, 40014 where the endpoint serves applications.
 */
final class BearerAuthenticator implements Authenticator {
    private final TokenStore tokens;

    BearerAuthenticator(TokenStore tokens) {
        this.tokens = tokens;
    }

    @Override
    public Caller authenticate(ApiRequest request, Access required) {
        Caller caller = tokens.authenticate(request.bearerToken()).orElseThrow(() -> new ApiException(ErrorCode.TOKEN_INVALID));
        // A model's token counts only through the models' channel, and nothing else counts there.
        if (caller.invocation() != request.viaModelChannel()) throw new ApiException(ErrorCode.TOKEN_INVALID);
        if (caller.invocation()) caller = caller.asInvocation(invocationScopes(caller.scopes(), request.isRead()));
        if (required == Access.USER_TOKEN && caller.kind() != Caller.Kind.USER_TOKEN) {
            throw new ApiException(ErrorCode.NO_PERMISSION, java.util.Map.of("grant", "this endpoint acts for a user: use an authorization-code token"));
        }
        if (required == Access.OPERATOR && !caller.operator()) {
            throw new ApiException(ErrorCode.NO_PERMISSION, java.util.Map.of("operator", "this endpoint is for operators of the platform"));
        }
        if (required == Access.CLIENT_TOKEN && caller.kind() != Caller.Kind.CLIENT_TOKEN) {
            throw new ApiException(ErrorCode.AUTHORIZATION_CODE_TOKEN_REFUSED);
        }
        return caller;
    }

    /**
     * What a model's token may do in this request: reads (GET, HEAD) within every scope the model
     * declared, writes only within those it declared as {@code id:write}.
     */
    static java.util.Set<String> invocationScopes(java.util.Set<String> declared, boolean read) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (String s : declared) {
            boolean write = s.endsWith(":write");
            if (read || write) out.add(write ? s.substring(0, s.length() - ":write".length()) : s);
        }
        return out;
    }
}
