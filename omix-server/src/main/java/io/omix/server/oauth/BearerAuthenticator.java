package io.omix.server.oauth;

import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Authenticator;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.auth.InvocationTokens;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ApiRequest;
import io.omix.server.common.http.ErrorCode;

/**
 * {@code Authorization: Bearer <access_token>}. Missing, unknown, expired or revoked: 403. A live
 * token of the wrong grant: 401 where a user is needed, 40014 where the endpoint serves applications.
 */
final class BearerAuthenticator implements Authenticator {
    private final TokenStore tokens;

    private final InvocationTokens invocations;

    BearerAuthenticator(TokenStore tokens, InvocationTokens invocations) {
        this.tokens = tokens;
        this.invocations = invocations;
    }

    /**
     * The caller of a request from inside a model's box: the invocation's caller, as long as the
     * token the invocation came with is still live (not revoked, its user and client enabled), within
     * the scopes the model declared and the caller still holds.
     */
    private Caller invocation(ApiRequest request) {
        InvocationTokens.Grant grant = invocations.find(request.bearerToken()).orElseThrow(() -> new ApiException(ErrorCode.TOKEN_INVALID));
        // Invoked from the console (no token): the session it came with must still be signed in, its person enabled, as a
        // token is checked on every use: a model goes on acting for nobody who signed out, was disabled or erased.
        if (grant.parentToken() == null && (grant.grantCredential() == null
                || tokens.grantOf(io.omix.server.common.auth.Secrets.hash(grant.grantCredential())).isEmpty())) {
            throw new ApiException(ErrorCode.TOKEN_INVALID);
        }
        Caller caller = grant.parentToken() == null ? grant.caller()
                : tokens.authenticate(grant.parentToken()).orElseThrow(() -> new ApiException(ErrorCode.TOKEN_INVALID));
        request.grantedBy(grant.grantCredential());
        return caller.asInvocation(InvocationTokens.effectiveScopes(grant.scopes(), caller, request.isRead()));
    }

    /**
     * A token refused: counted against its address as a guess only when it was never issued (a client's expired or
     * revoked token, refused the same, is not: an application's users' tokens expiring together behind one address
     * would otherwise lock it out, its token renewals too). The check costs a lookup on refusals only.
     */
    private ApiException refused(String token) {
        return token == null || tokens.issued(token) ? new ApiException(ErrorCode.TOKEN_INVALID) : ApiException.credentialRefused(ErrorCode.TOKEN_INVALID, null);
    }

    @Override
    public Caller authenticate(ApiRequest request, Access required) {
        // A model's token counts only through the models' channel, and nothing else counts there.
        Caller caller = request.viaModelChannel() ? invocation(request)
                : tokens.authenticate(request.bearerToken()).orElseThrow(() -> refused(request.bearerToken()));
        if (!request.viaModelChannel()) request.grantedBy(request.bearerToken());
        if (required == Access.USER_TOKEN && caller.kind() != Caller.Kind.USER_TOKEN) {
            throw new ApiException(ErrorCode.NO_PERMISSION, java.util.Map.of("grant", "this endpoint acts for a user: use an authorization-code token"));
        }
        if (required == Access.OPERATOR && !caller.operator()) {
            throw new ApiException(ErrorCode.NO_PERMISSION, java.util.Map.of("operator", "this endpoint is for operators of the platform"));
        }
        if (required == Access.OPERATOR && !caller.hasScope(io.omix.server.common.auth.Scope.ADMIN.id())) {
            // Being an operator is not enough: the token must have been granted admin, by name, to a first-party client.
            throw new ApiException(ErrorCode.NO_PERMISSION, java.util.Map.of("scope", "this token lacks the admin scope"));
        }
        if (required == Access.CLIENT_TOKEN && caller.kind() != Caller.Kind.CLIENT_TOKEN) {
            throw new ApiException(ErrorCode.AUTHORIZATION_CODE_TOKEN_REFUSED);
        }
        return caller;
    }
}
