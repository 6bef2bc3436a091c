package io.omix.server.apps;

import io.omix.server.Platform;
import io.omix.server.common.auth.Secrets;
import io.omix.server.common.db.Jdbc;

import java.util.List;
import java.util.Locale;

/** API keys of the dataset batches API: the secret is sent on every request, so only its hash is kept. */
public final class DatasetKeyStore {
    public record DatasetKey(String apiKey, String name, boolean disabled) {}

    public record Created(DatasetKey key, String apiSecret) {}

    private final Platform platform;
    private final Jdbc jdbc;

    public DatasetKeyStore(Platform platform) {
        this.platform = platform;
        this.jdbc = platform.database().jdbc();
    }

    public Created create(String name) {
        if (name == null || name.isBlank() || name.length() > 100) throw new IllegalArgumentException("name must be 1-100 characters");
        String key = "dak" + Secrets.alphanumeric(21).toLowerCase(Locale.ROOT);
        String secret = Secrets.token("das_");
        jdbc.update("INSERT INTO dataset_api_keys (api_key, name, secret_hash, disabled, created_at) VALUES (?,?,?,FALSE,?)",
                key, name, Secrets.hash(secret), platform.now());
        return new Created(new DatasetKey(key, name, false), secret);
    }

    /** True for an enabled key with this secret; the same work whether or not the key exists. */
    boolean verify(String apiKey, String apiSecret) {
        if (apiKey == null || apiSecret == null || apiKey.length() > 64 || apiSecret.length() > 100) return false;
        String stored = jdbc.queryOne("SELECT secret_hash FROM dataset_api_keys WHERE api_key = ? AND disabled = FALSE",
                rs -> rs.getString(1), apiKey).orElse(null);
        boolean matches = Secrets.matches(apiSecret, stored == null ? Secrets.hash("no-such-key") : stored);
        return stored != null && matches;
    }

    public List<DatasetKey> list() {
        return jdbc.query("SELECT api_key, name, disabled FROM dataset_api_keys ORDER BY created_at, api_key",
                rs -> new DatasetKey(rs.getString(1), rs.getString(2), rs.getBoolean(3)));
    }

    /**
     * A new secret for the key, shown once; the old one is refused from now on. A leaked secret is replaced without giving
     * up the key's workspaces and datasets. Empty for an unknown key.
     */
    public java.util.Optional<String> rotateSecret(String apiKey) {
        String secret = Secrets.token("das_");
        java.time.OffsetDateTime now = platform.now();
        return jdbc.inTransaction(c -> {
            if (io.omix.server.common.db.Jdbc.update(c, "UPDATE dataset_api_keys SET secret_hash = ? WHERE api_key = ?", Secrets.hash(secret), apiKey) != 1) {
                return java.util.Optional.<String>empty();
            }
            // Endpoints registered with the leaked secret: off until the key's holder checks they are theirs.
            io.omix.server.webhooks.WebhookEvents.disableEndpointsForRotation(c, "dsk:" + apiKey, now, "the key's");
            return java.util.Optional.of(secret);
        });
    }

    public boolean setDisabled(String apiKey, boolean disabled) {
        return jdbc.update("UPDATE dataset_api_keys SET disabled = ? WHERE api_key = ?", disabled, apiKey) == 1;
    }
}
