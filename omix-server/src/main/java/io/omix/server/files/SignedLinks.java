package io.omix.server.files;

import io.omix.server.Platform;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ApiRequest;
import io.omix.server.common.http.ErrorCode;
import io.omix.server.oauth.TokenStore;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Expiring download links for objects: {@code /oss/objects/NAME?Expires=..&Grant=..&Signature=..}, the
 * signature an HMAC-SHA256 under a key derived from the master key, so every server checks a link
 * any of them signed. A link names the grant of the request that asked for it (an OAuth grant, or a
 * browser session) and works only while that grant stands: revoking it, disabling its user or client,
 * taking the scope from its client or signing out ends its links too. Used by get_download_url, DRS
 * access, FHIR attachments, the microbiome gene tables, the export archive, and for htsget's own URLs.
 */
public final class SignedLinks {
    private final byte[] key;
    private final TokenStore grants;

    public SignedLinks(Platform platform) {
        this.key = platform.masterKey().derive("download-url");
        this.grants = new TokenStore(platform);
    }

    /**
     * A link to {@code objectName} for the caller of {@code r}, valid until {@code expiresEpochSecond} and while the
     * caller's grant stands.
     *
     * @throws ApiException 40101-family when the caller holds no grant a link can be tied to; no permission (401) from inside a model
     */
    public String url(ApiRequest r, String baseUrl, String objectName, long expiresEpochSecond) {
        return url(grantOf(r), baseUrl, objectName, expiresEpochSecond);
    }

    /**
     * The grant of {@code r}'s caller, for links made later on its behalf (a task's result).
     *
     * @throws ApiException 40101-family when the caller holds no grant a link can be tied to; no permission (401) from inside a model
     */
    public String grantOf(ApiRequest r) {
        // A model makes no links: inside its box it cannot fetch them, so their only use would be to carry its invoker's data
        // out, a link in its answer or its log for its author to download from anywhere while the invoker's grant stands.
        if (r.viaModelChannel()) {
            throw new ApiException(ErrorCode.NO_PERMISSION, java.util.Map.of("model", "links are not made for a model: it reads through the API"));
        }
        // Once per request: an answer may hold many links (a FHIR bundle of a thousand documents).
        String known = r.ctx().attribute(LINK_GRANT);
        if (known != null) return known;
        String grant = grants.grantOf(r.grantHash()).orElseThrow(() -> new ApiException(ErrorCode.TOKEN_INVALID));
        r.ctx().attribute(LINK_GRANT, grant);
        return grant;
    }

    private static final String LINK_GRANT = "omix.link_grant";

    /** A link to {@code objectName} valid until {@code expiresEpochSecond} and while {@code grant} ({@link #grantOf}) stands. */
    public String url(String grant, String baseUrl, String objectName, long expiresEpochSecond) {
        return baseUrl + "/oss/objects/" + ObjectNames.encodePath(objectName) + "?Expires=" + expiresEpochSecond
                + "&Grant=" + URLEncoder.encode(grant, StandardCharsets.UTF_8)
                + "&Signature=" + URLEncoder.encode(signature(objectName, expiresEpochSecond, grant), StandardCharsets.UTF_8);
    }

    /** base64url(HMAC-SHA256(derived key, object name \n expires \n grant)): tamper-proof, checkable by every server. */
    String signature(String objectName, long expires, String grant) {
        return io.omix.server.common.auth.Secrets.hmac(key, objectName + "\n" + expires + "\n" + grant);
    }

    /** Whether the grant a link names still sees sample {@code biosampleId} (for links to a sample's data). */
    public boolean sees(String grant, String biosampleId) {
        return grants.grantSees(grant, biosampleId);
    }

    /**
     * Counts one use of a link under {@code grant} as a call of the grant's client and person ({@link
     * io.omix.server.common.http.RateLimits#chargeLink}): the refusal, its {@code Retry-After} set, when a limit of theirs
     * is used up this minute; null otherwise.
     */
    public ApiException charge(io.javalin.http.Context ctx, io.omix.server.common.http.RateLimits limits, String grant) {
        // A grant that stands has its parties; one gone between the two reads is refused by the checks that follow.
        return parties(ctx, grant).map(p -> limits.chargeLink(ctx, p.clientId(), p.userId())).orElse(null);
    }

    /** What a link used past its grant's calls of this minute answers, once {@link #charge} has set Retry-After. */
    public static String usedUp(io.javalin.http.Context ctx) {
        return "the calls of this minute of the grant this URL was made under are used up: retry after " + ctx.res().getHeader("Retry-After") + " s";
    }

    /**
     * Who holds the grant a link names: {@code user:ID} or {@code client:ID} ({@link io.omix.server.oauth.TokenStore#holderOf}),
     * read once a request (with {@link #charge}).
     */
    public java.util.Optional<String> holderOf(io.javalin.http.Context ctx, String grant) {
        return parties(ctx, grant).map(TokenStore.GrantParties::holder);
    }

    /** The parties of {@code grant}, read once a request. */
    private java.util.Optional<TokenStore.GrantParties> parties(io.javalin.http.Context ctx, String grant) {
        TokenStore.GrantParties known = ctx.attribute(LINK_PARTIES);
        if (known != null) return java.util.Optional.of(known);
        java.util.Optional<TokenStore.GrantParties> read = grants.partiesOf(grant);
        read.ifPresent(p -> ctx.attribute(LINK_PARTIES, p));
        return read;
    }

    private static final String LINK_PARTIES = "omix.link_parties";

    /** Whether the grant a link names still stands, its client holding {@code scope}. */
    public boolean stands(String grant, String scope) {
        return grants.grantStands(grant, scope);
    }
}
