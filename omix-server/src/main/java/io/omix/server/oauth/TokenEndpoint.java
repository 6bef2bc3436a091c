package io.omix.server.oauth;

import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Secrets;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ApiRequest;
import io.omix.server.common.http.ErrorCode;
import io.omix.server.common.http.Routes;
import io.omix.server.common.validation.Param;
import io.omix.server.common.validation.ParamSpec;
import io.omix.server.common.validation.Params;
import io.omix.server.common.validation.StringParam;
import io.omix.server.Platform;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** {@code POST /oauth2/access_token}, {@code /oauth2/introspect} and {@code POST /oauth2/revoke}. */
final class TokenEndpoint {
    static final StringParam CLIENT_ID = Param.string("client_id").maxLength(64);
    static final StringParam CLIENT_SECRET = Param.string("client_secret").maxLength(100);
    static final StringParam GRANT_TYPE = Param.string("grant_type").required()
            .oneOf(OAuthClient.AUTHORIZATION_CODE, OAuthClient.REFRESH_TOKEN, OAuthClient.CLIENT_CREDENTIALS);
    static final StringParam CODE = Param.string("code").maxLength(100);
    static final StringParam REDIRECT_URI = Param.string("redirect_uri").maxLength(1000);
    static final StringParam REFRESH = Param.string("refresh_token").maxLength(100);
    static final StringParam VERIFIER = Param.string("code_verifier").maxLength(128);
    static final StringParam SCOPE = Param.string("scope").maxLength(1000);
    static final StringParam TOKEN = Param.string("token").required().maxLength(100);
    static final StringParam TOKEN_TYPE_HINT = Param.string("token_type_hint").oneOf("access_token", "refresh_token");
    static final ParamSpec EXCHANGE = ParamSpec.of(CLIENT_ID, CLIENT_SECRET, GRANT_TYPE, CODE, REDIRECT_URI, REFRESH, VERIFIER, SCOPE);
    static final ParamSpec INTROSPECT = ParamSpec.of(TOKEN, TOKEN_TYPE_HINT, CLIENT_ID, CLIENT_SECRET);

    private final Platform platform;
    private final ClientStore clients;
    private final CodeStore codes;
    private final TokenStore tokens;

    TokenEndpoint(Platform platform, ClientStore clients, CodeStore codes, TokenStore tokens) {
        this.platform = platform;
        this.clients = clients;
        this.codes = codes;
        this.tokens = tokens;
    }

    /** What the tokens a client is given count against ({@link #spendToken}); set with the routes. */
    private io.omix.server.common.http.RateLimits limits;

    void routes(Routes routes) {
        this.limits = routes.rateLimits();
        routes.post("/oauth2/access_token", Access.PUBLIC, ParamSpec.NONE, (request, none) -> exchange(request));
        // The same exchange framed as RFC 6749 says (the answer itself; errors 400/401 {error, error_description}),
        // for standard clients such as SMART apps; the original platform's clients keep the envelope above.
        routes.resource(io.javalin.http.HandlerType.POST, "/oauth2/token", Access.PUBLIC, ParamSpec.NONE, (request, none) -> {
            try {
                return exchange(request);
            } catch (ApiException e) {
                if (e.data() instanceof Map<?, ?> m && m.containsKey("error")) {
                    request.ctx().status("invalid_client".equals(m.get("error")) ? 401 : 400).header("Cache-Control", "no-store");
                    return m;
                }
                throw e;
            }
        });
        routes.post("/oauth2/introspect", Access.PUBLIC, ParamSpec.NONE, (request, none) -> introspect(request));
        routes.post("/oauth2/revoke", Access.PUBLIC, ParamSpec.NONE, (request, none) -> revoke(request));
    }

    /** OAuth2 endpoints answer every request error as 400 invalid_request, with the parameters named. */
    private static Params parse(ParamSpec spec, ApiRequest request) {
        try {
            return spec.parse(request.input());
        } catch (ApiException e) {
            if (e.error() != ErrorCode.PARAMETER_ERROR) throw e;
            throw invalidRequest("invalid parameters", e.data());
        }
    }

    /** 400 invalid_request, the parameters at fault named. */
    private static ApiException invalidRequest(String description, Object parameters) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("error", "invalid_request");
        data.put("error_description", description);
        data.put("parameters", parameters);
        return new ApiException(ErrorCode.BAD_REQUEST, data);
    }

    /**
     * The client, authenticated by HTTP Basic or by client_id/client_secret parameters (not both). Basic credentials that
     * do not verify count against the request's address as refused tokens do ({@link io.omix.server.common.http.RateLimits#refuseIfGuessing});
     * parameters do not, since a web page's form can make its visitors' browsers post any.
     */
    private OAuthClient authenticateClient(ApiRequest request, Params p) {
        boolean basic = request.header("Authorization") != null;
        if (basic) limits.refuseIfGuessing(request.ctx());
        try {
            return checkClient(request, p);
        } catch (ApiException e) {
            if (basic && e.data() instanceof Map<?, ?> m && "invalid_client".equals(m.get("error"))) limits.authenticationRefused(request.ctx());
            throw e;
        }
    }

    private OAuthClient checkClient(ApiRequest request, Params p) {
        String id = p.get(CLIENT_ID);
        String secret = p.get(CLIENT_SECRET);
        String header = request.header("Authorization");
        if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            if (secret != null) throw OAuthErrors.error("invalid_request", "use one client authentication method");
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw OAuthErrors.invalidClient();
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) throw OAuthErrors.invalidClient();
            String basicId;
            try {
                basicId = java.net.URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8);
                secret = java.net.URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw OAuthErrors.invalidClient(); // a malformed %-escape
            }
            if (id != null && !id.equals(basicId)) throw OAuthErrors.invalidClient();
            id = basicId;
        }
        if (id == null) throw OAuthErrors.invalidClient();
        OAuthClient client = clients.find(id).orElse(null);
        if (client == null || client.disabled()) {
            Secrets.matches(secret == null ? "" : secret, Secrets.hash("x")); // same work as a real check
            throw OAuthErrors.invalidClient();
        }
        if (client.publicClient()) {
            if (secret != null) throw OAuthErrors.invalidClient();
        } else if (!Secrets.matches(secret, client.secretHash())) {
            throw OAuthErrors.invalidClient();
        }
        return client;
    }

    /** What a token request must never carry in its URL, which proxies and servers log: it goes in the form body. */
    private static final java.util.List<String> SECRETS = java.util.List.of("client_secret", "code", "code_verifier", "refresh_token");
    /** The same for introspection and revocation: the client's secret and the token asked about. */
    private static final java.util.List<String> INTROSPECT_SECRETS = java.util.List.of("client_secret", "token");

    private static void refuseInUrl(ApiRequest request, java.util.List<String> names) {
        for (String name : names) {
            if (request.ctx().queryParamMap().containsKey(name)) {
                throw invalidRequest(name + " belongs in the form body, not the URL", Map.of(name, "send it in the form body, not the URL"));
            }
        }
    }

    private Object exchange(ApiRequest request) {
        refuseInUrl(request, SECRETS);
        Params p = parse(EXCHANGE, request);
        OAuthClient client = authenticateClient(request, p);
        String grant = p.get(GRANT_TYPE);
        if (!client.allows(grant)) throw OAuthErrors.error("unauthorized_client", "this client may not use " + grant);
        TokenStore.Issued issued = switch (grant) {
            case OAuthClient.AUTHORIZATION_CODE -> fromCode(request, client, p);
            case OAuthClient.REFRESH_TOKEN -> fromRefreshToken(request, client, p);
            default -> forClient(request, client, p);
        };
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("access_token", issued.accessToken());
        data.put("token_type", "Bearer");
        data.put("expires_in", issued.expiresIn());
        data.put("scope", issued.scope());
        if (issued.refreshToken() != null) data.put("refresh_token", issued.refreshToken());
        // SMART's launch context: the person the token reads, for apps that asked for launch/patient.
        if (issued.patient() != null && TokenStore.scopes(issued.scope()).contains(SmartScopes.LAUNCH_PATIENT)) data.put("patient", issued.patient());
        request.ctx().header("Cache-Control", "no-store");
        return data;
    }

    private TokenStore.Issued fromCode(ApiRequest request, OAuthClient client, Params p) {
        String codeText = p.get(CODE);
        if (codeText == null) throw OAuthErrors.error("invalid_request", "code is required");
        CodeStore.Code code = codes.find(codeText).orElseThrow(() -> OAuthErrors.invalidGrant("unknown code"));
        if (!code.clientId().equals(client.clientId())) throw OAuthErrors.invalidGrant("the code was issued to another client");
        if (code.usedAt() != null) {
            tokens.revokeReplayedCode(code.hash());
            throw OAuthErrors.invalidGrant("the code was used already; the tokens issued from it are revoked");
        }
        if (!code.expiresAt().isAfter(platform.now())) throw OAuthErrors.invalidGrant("the code expired");
        if (!code.redirectUri().equals(p.get(REDIRECT_URI))) throw OAuthErrors.invalidGrant("redirect_uri differs from the authorization request");
        // Taken from the client since (by its operator, found to be an attacker's): its codes die with it.
        if (!client.registered(code.redirectUri())) throw OAuthErrors.invalidGrant("the redirect_uri is no longer registered for this client");
        if (code.codeChallenge() != null) {
            if (p.get(VERIFIER) == null) throw OAuthErrors.invalidGrant("code_verifier is required (PKCE)");
            if (!Pkce.verify(p.get(VERIFIER), code.codeChallenge())) throw OAuthErrors.invalidGrant("code_verifier does not match");
        } else if (client.publicClient()) {
            throw OAuthErrors.invalidGrant("public clients must use PKCE");
        } else if (p.get(VERIFIER) != null) {
            // RFC 9700 4.8.2: a verifier for a code issued without a challenge means someone else's code.
            throw OAuthErrors.invalidGrant("code_verifier given for a code issued without code_challenge");
        }
        spendToken(request, client, code.userId());   // before the code is used: a refusal leaves it for the retry
        if (!codes.markUsed(code.hash())) {
            tokens.revokeReplayedCode(code.hash());
            throw OAuthErrors.invalidGrant("the code was used already; the tokens issued from it are revoked");
        }
        return tokens.issueForGrant(TokenStore.newFamily(), client.clientId(), code.userId(), OAuthClient.AUTHORIZATION_CODE,
                code.scope(), code.hash(), null);
    }

    private TokenStore.Issued fromRefreshToken(ApiRequest request, OAuthClient client, Params p) {
        String text = p.get(REFRESH);
        if (text == null) throw OAuthErrors.error("invalid_request", "refresh_token is required");
        TokenStore.Token old = tokens.find(text).filter(t -> t.kind().equals(TokenStore.REFRESH))
                .orElseThrow(() -> OAuthErrors.invalidGrant("unknown refresh token"));
        if (!old.clientId().equals(client.clientId())) throw OAuthErrors.invalidGrant("the refresh token belongs to another client");
        if (old.revokedAt() != null) throw OAuthErrors.invalidGrant("the refresh token was revoked");
        if (old.usedAt() != null) {
            // A rotated token came back: someone holds a copy. End the whole family.
            tokens.revokeFamily(old.familyId());
            throw OAuthErrors.invalidGrant("the refresh token was used already; its tokens are revoked");
        }
        if (!old.expiresAt().isAfter(platform.now())) throw OAuthErrors.invalidGrant("the refresh token expired");
        if (!tokens.holdersEnabled(old)) throw OAuthErrors.invalidGrant("the user or client of this grant is disabled");
        // Narrowed against the grant and the client's scopes as they are now: a scope taken from the client is gone.
        Set<String> allowed = TokenStore.scopes(old.scope());
        SmartScopes.retainHeld(allowed, client.scopes());
        if (SmartScopes.nothingLeft(allowed, old.scope())) throw OAuthErrors.invalidGrant("the client no longer holds any scope of this grant");
        String scope = narrowed(allowed, p.get(SCOPE));
        // A SMART app narrowing in SMART's words keeps the platform scopes those words map onto (they were granted).
        Set<String> kept = TokenStore.scopes(scope);
        for (String s : TokenStore.scopes(scope)) {
            if (SmartScopes.isSmart(s)) for (String platformScope : SmartScopes.platformScopes(s)) if (allowed.contains(platformScope)) kept.add(platformScope);
        }
        // A grant held to SMART resource scopes stays held to them: the token keeps the grant's SMART resource scopes over what
        // it keeps, on every resource the request does not name in SMART's words (asking for "streams" alone dropped
        // patient/Observation.rs, and "files patient/Patient.rs" dropped patient/DocumentReference.rs, and with them the limit
        // to reading, without asking the person again). What the request names in SMART's words holds for that resource.
        if (p.get(SCOPE) != null) kept.addAll(SmartScopes.restrictionsFor(allowed, kept, TokenStore.scopes(p.get(SCOPE))));
        scope = String.join(" ", kept);
        spendToken(request, client, old.userId());   // before the refresh token is rotated: a refusal leaves it for the retry
        if (!tokens.markRotated(old.hash())) {
            tokens.revokeFamily(old.familyId());
            throw OAuthErrors.invalidGrant("the refresh token was used already; its tokens are revoked");
        }
        return tokens.issueForGrant(old.familyId(), client.clientId(), old.userId(), old.grantType(), scope, null, old.hash());
    }

    private TokenStore.Issued forClient(ApiRequest request, OAuthClient client, Params p) {
        // An application's own token never operates the platform: admin is for operators' user tokens.
        Set<String> allowed = new java.util.LinkedHashSet<>(client.scopes());
        allowed.remove(io.omix.server.common.auth.Scope.ADMIN.id());
        allowed.remove(io.omix.server.common.auth.Scope.GRANTS.id()); // a person's grants: no person behind this token
        String scope = narrowed(allowed, p.get(SCOPE));
        spendToken(request, client, null);
        return tokens.issueForClient(client.clientId(), client.secretHash(), scope);
    }

    /**
     * Counts a token about to be given ({@code ratelimit.tokens-per-client-per-minute}, over all servers): for a person
     * through a client, per person and client, so that one person rotating a refresh token in a loop spends nobody
     * else's; for a client's own token, per client. 429 beyond. Every token is a row kept until a day past its expiry,
     * and a client asking for a new one per call (or a refresh token rotated in a loop) filled the database by the
     * million a day. Counted once the request is known good (the client's secret, a valid code or refresh token), so
     * that no stranger spends it, and before anything is used up, so that the retry finds its code or refresh token.
     */
    private void spendToken(ApiRequest request, OAuthClient client, String userId) {
        if (limits == null) return;
        limits.spend(request.ctx(), "tokens:" + client.clientId() + (userId == null ? "" : ":" + userId), platform.config().tokensPerClientPerMinute());
    }

    /**
     * The requested scopes when all are within {@code allowed}; when none are requested, all of
     * {@code allowed} but admin and grants, which are only ever granted when asked for by name.
     */
    static String narrowed(Set<String> allowed, String requested) {
        if (requested == null || requested.isBlank()) {
            Set<String> all = new java.util.LinkedHashSet<>(allowed);
            all.remove(io.omix.server.common.auth.Scope.ADMIN.id());
            all.remove(io.omix.server.common.auth.Scope.GRANTS.id());
            return String.join(" ", all);
        }
        Set<String> asked = TokenStore.scopes(requested);
        for (String s : asked) {
            if (!allowed.contains(s)) throw OAuthErrors.error("invalid_scope", "scope not allowed: " + s);
        }
        return String.join(" ", asked);
    }

    /** RFC 7662: a client may introspect its own tokens; a token may introspect itself. */
    private Object introspect(ApiRequest request) {
        refuseInUrl(request, INTROSPECT_SECRETS);
        Params p = parse(INTROSPECT, request);
        String token = p.get(TOKEN);
        String callerClient;
        String bearer = request.bearerToken();
        if (bearer != null && Secrets.constantTimeEquals(bearer, token)) {
            // A token asking about itself: a guess, if it is not one, as a refused token elsewhere is.
            limits.refuseIfGuessing(request.ctx());
            callerClient = null;
        } else {
            callerClient = authenticateClient(request, p).clientId();
        }
        TokenStore.Token t = tokens.find(token).orElse(null);
        if (t == null && callerClient == null) limits.authenticationRefused(request.ctx());
        Map<String, Object> out = new LinkedHashMap<>();
        if (t == null || !t.activeAt(platform.now()) || (callerClient != null && !callerClient.equals(t.clientId()))
                || !tokens.holdersEnabled(t)) {
            out.put("active", false);
            return out;
        }
        // A scope the client has lost since the token was issued is lost by the token too, as when it is used.
        Set<String> scopes = TokenStore.scopes(t.scope());
        SmartScopes.retainHeld(scopes, clients.find(t.clientId()).map(OAuthClient::scopes).orElse(Set.of()));
        if (SmartScopes.nothingLeft(scopes, t.scope())) {
            out.put("active", false);
            return out;
        }
        out.put("active", true);
        out.put("client_id", t.clientId());
        out.put("scope", String.join(" ", scopes));
        out.put("token_type", t.kind().equals(TokenStore.ACCESS) ? "access_token" : "refresh_token");
        out.put("grant_type", t.grantType());
        out.put("sub", t.userId());
        out.put("iat", t.issuedAt().toEpochSecond());
        out.put("exp", t.expiresAt().toEpochSecond());
        return out;
    }

    /** RFC 7009: revoking a refresh token ends its family; unknown tokens are not an error. */
    private Object revoke(ApiRequest request) {
        refuseInUrl(request, INTROSPECT_SECRETS);
        Params p = parse(INTROSPECT, request);
        OAuthClient client = authenticateClient(request, p);
        tokens.find(p.get(TOKEN)).filter(t -> t.clientId().equals(client.clientId())).ifPresent(t -> {
            if (t.kind().equals(TokenStore.REFRESH)) {
                tokens.revokeFamily(t.familyId());
            } else {
                tokens.revoke(t.hash());
            }
        });
        return Map.of("revoked", true);
    }

}
