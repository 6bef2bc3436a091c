package io.omix.server.oauth;

import io.omix.server.Platform;
import io.omix.server.common.auth.Scope;
import io.omix.server.common.auth.Secrets;
import io.omix.server.common.db.Jdbc;

import java.net.URI;
import java.net.URISyntaxException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** The registry of client applications. Secrets are shown once, at creation, and stored hashed. */
public final class ClientStore {
    private final Platform platform;
    private final Jdbc jdbc;

    public ClientStore(Platform platform) {
        this.platform = platform;
        this.jdbc = platform.database().jdbc();
    }

    /** A new client and, for confidential clients, its secret (null for public ones). */
    public record Created(OAuthClient client, String secret) {}

    public Created create(String name, List<String> redirectUris, Set<String> grantTypes, Set<String> scopes,
                          boolean publicClient, String ownerUserId) {
        if (name == null || name.isBlank() || name.length() > 100) throw new IllegalArgumentException("name must be 1-100 characters");
        checkRedirectUris(redirectUris);
        for (String g : grantTypes) {
            if (!g.equals(OAuthClient.AUTHORIZATION_CODE) && !g.equals(OAuthClient.CLIENT_CREDENTIALS)) {
                throw new IllegalArgumentException("grant types are authorization_code and client_credentials, not " + g);
            }
        }
        if (grantTypes.isEmpty()) throw new IllegalArgumentException("at least one grant type");
        if (grantTypes.contains(OAuthClient.AUTHORIZATION_CODE) && redirectUris.isEmpty()) {
            throw new IllegalArgumentException("the authorization_code grant needs at least one redirect URI");
        }
        if (publicClient && grantTypes.contains(OAuthClient.CLIENT_CREDENTIALS)) {
            throw new IllegalArgumentException("a public client cannot use client_credentials: it has no secret");
        }
        for (String s : scopes) {
            if (Scope.of(s).isEmpty()) throw new IllegalArgumentException("unknown scope " + s + "; known: " + Scope.all());
        }
        String clientId = "omx" + Secrets.alphanumeric(17).toLowerCase(Locale.ROOT);
        String secret = publicClient ? null : Secrets.token("ocs_");
        jdbc.update("INSERT INTO oauth_clients (client_id, name, secret_hash, redirect_uris, grant_types, scopes, owner_user_id, "
                        + "disabled, created_at) VALUES (?,?,?,?,?,?,?,FALSE,?)",
                clientId, name, secret == null ? null : Secrets.hash(secret), String.join("\n", redirectUris),
                String.join(",", grantTypes), String.join(" ", scopes), ownerUserId, platform.now());
        return new Created(find(clientId).orElseThrow(), secret);
    }

    /** Each as {@link #checkRedirectUri}, and all of them within the 4,000 characters their column holds (one a line). */
    static void checkRedirectUris(List<String> redirectUris) {
        for (String uri : redirectUris) checkRedirectUri(uri);
        if (String.join("\n", redirectUris).length() > 4000) throw new IllegalArgumentException("the redirect URIs take at most 4000 characters together");
    }

    /** Absolute http(s) URIs without fragments; plain http only for loopback hosts (RFC 8252 native apps). */
    static void checkRedirectUri(String uri) {
        URI u;
        try {
            u = new URI(uri);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("redirect URI is not a URI: " + uri);
        }
        if (!u.isAbsolute() || u.getHost() == null || u.getFragment() != null) {
            throw new IllegalArgumentException("redirect URI must be absolute with a host and no fragment: " + uri);
        }
        boolean loopback = u.getHost().equals("127.0.0.1") || u.getHost().equals("localhost") || u.getHost().equals("[::1]");
        if (!"https".equals(u.getScheme()) && !("http".equals(u.getScheme()) && loopback)) {
            throw new IllegalArgumentException("redirect URI must be https (http only on loopback): " + uri);
        }
    }

    public Optional<OAuthClient> find(String clientId) {
        if (clientId == null || clientId.length() > 64 || io.omix.server.common.validation.StringParam.hasControlCharacters(clientId)) {
            return Optional.empty();
        }
        return jdbc.queryOne("SELECT * FROM oauth_clients WHERE client_id = ?", ClientStore::map, clientId);
    }

    public List<OAuthClient> list() {
        return jdbc.query("SELECT * FROM oauth_clients ORDER BY created_at, client_id", ClientStore::map);
    }

    /** The client's own calls a minute, or 0 when it has the default (ratelimit.per-client-per-minute). */
    public int rateLimitOf(String clientId) {
        return jdbc.queryOne("SELECT rate_limit_per_minute FROM oauth_clients WHERE client_id = ?", rs -> rs.getInt(1), clientId).orElse(0);
    }

    /** Sets the client's own calls a minute (0: back to the default); false when there is no such client. Servers see it within 10 s. */
    public boolean setRateLimit(String clientId, int perMinute) {
        return jdbc.update("UPDATE oauth_clients SET rate_limit_per_minute = ? WHERE client_id = ?", perMinute > 0 ? perMinute : null, clientId) == 1;
    }

    /**
     * Disables or enables a client. Disabling revokes every token and upload credential it holds, for every person, and
     * ends the links its own tokens signed, so that enabling it again revives none of them: its users sign in again
     * (their consent stays).
     */
    public boolean setDisabled(String clientId, boolean disabled) {
        java.time.OffsetDateTime now = platform.now();
        boolean found = jdbc.inTransaction(c -> {
            if (Jdbc.update(c, "UPDATE oauth_clients SET disabled = ? WHERE client_id = ?", disabled, clientId) != 1) return false;
            if (disabled) {
                Jdbc.update(c, "DELETE FROM oauth_codes WHERE client_id = ? AND used_at IS NULL", clientId);
                Jdbc.update(c, "UPDATE oauth_tokens SET revoked_at = ? WHERE client_id = ? AND revoked_at IS NULL", now, clientId);
                Jdbc.update(c, "UPDATE upload_credentials SET revoked_at = ? WHERE client_id = ? AND revoked_at IS NULL", now, clientId);
                // The links its own tokens signed name this generation: enabling the client again must not bring them back.
                Jdbc.update(c, "UPDATE oauth_clients SET links_generation = links_generation + 1 WHERE client_id = ?", clientId);
            }
            return true;
        });
        if (found && disabled) platform.credentials().changed();
        return found;
    }

    /**
     * A new secret for a confidential client; the old one stops working at once, and so does what the old one
     * obtained on its own: the client's client-credentials tokens and the upload credentials they got (a secret is
     * rotated because it leaked). Tokens of people's grants stay: using or refreshing them needs the new secret. The
     * application's webhook endpoints are turned off with the reason: one registered with the leaked secret would go on
     * receiving the application's events; the application turns on again the ones it knows as its own.
     */
    public String rotateSecret(String clientId) {
        String secret = Secrets.token("ocs_");
        java.time.OffsetDateTime now = platform.now();
        boolean rotated = jdbc.inTransaction(c -> {
            if (Jdbc.update(c, "UPDATE oauth_clients SET secret_hash = ? WHERE client_id = ? AND secret_hash IS NOT NULL",
                    Secrets.hash(secret), clientId) != 1) return false;
            Jdbc.update(c, "UPDATE oauth_tokens SET revoked_at = ? WHERE client_id = ? AND grant_type = ? AND revoked_at IS NULL",
                    now, clientId, OAuthClient.CLIENT_CREDENTIALS);
            Jdbc.update(c, "UPDATE upload_credentials SET revoked_at = ? WHERE client_id = ? AND user_id IS NULL AND revoked_at IS NULL", now, clientId);
            io.omix.server.webhooks.WebhookEvents.disableEndpointsForRotation(c, "client:" + clientId, now, "the application's");
            return true;
        });
        if (!rotated) throw new IllegalArgumentException("no confidential client " + clientId);
        platform.credentials().changed();
        return secret;
    }

    /** Changes what is given (null: unchanged), with the rules of {@link #create}; true when the client exists. */
    public boolean update(String clientId, List<String> redirectUris, Set<String> scopes, Boolean disabled) {
        OAuthClient c = find(clientId).orElse(null);
        if (c == null) return false;
        if (redirectUris != null) {
            checkRedirectUris(redirectUris);
            if (redirectUris.isEmpty() && c.grantTypes().contains(OAuthClient.AUTHORIZATION_CODE)) {
                throw new IllegalArgumentException("the authorization_code grant needs at least one redirect URI");
            }
            jdbc.update("UPDATE oauth_clients SET redirect_uris = ? WHERE client_id = ?", String.join("\n", redirectUris), clientId);
        }
        if (scopes != null) {
            for (String s : scopes) {
                if (Scope.of(s).isEmpty()) throw new IllegalArgumentException("unknown scope " + s + "; known: " + Scope.all());
            }
            jdbc.update("UPDATE oauth_clients SET scopes = ? WHERE client_id = ?", String.join(" ", scopes), clientId);
            platform.credentials().changed();   // tokens lose the scopes their client lost
        }
        if (disabled != null) setDisabled(clientId, disabled);
        return true;
    }

    private static Set<String> words(String text, String separator) {
        Set<String> out = new LinkedHashSet<>();
        for (String w : text.split(separator)) if (!w.isBlank()) out.add(w.trim());
        return out;
    }

    private static OAuthClient map(ResultSet rs) throws SQLException {
        String uris = rs.getString("redirect_uris");
        return new OAuthClient(rs.getString("client_id"), rs.getString("name"), rs.getString("secret_hash"),
                uris.isEmpty() ? List.of() : List.of(uris.split("\n")),
                words(rs.getString("grant_types"), ","), words(rs.getString("scopes"), " "),
                rs.getString("owner_user_id"), rs.getBoolean("disabled"));
    }
}
