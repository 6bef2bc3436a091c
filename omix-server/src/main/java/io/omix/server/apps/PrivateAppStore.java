package io.omix.server.apps;

import io.omix.server.Platform;
import io.omix.server.common.auth.Secrets;
import io.omix.server.common.db.Jdbc;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Private-platform apps. The server must compute HMACs with an app's secret, so the secret is kept
 * encrypted under the master key (bound to the app key) rather than hashed; it is shown once.
 */
public final class PrivateAppStore {
    static final Pattern NAMESPACE = Pattern.compile("[A-Z][A-Z0-9_]{2,63}");

    public record Created(PrivateApp app, String appSecret) {}

    private final Platform platform;
    private final Jdbc jdbc;

    public PrivateAppStore(Platform platform) {
        this.platform = platform;
        this.jdbc = platform.database().jdbc();
    }

    public Created create(String name, String namespace) {
        if (name == null || name.isBlank() || name.length() > 100) throw new IllegalArgumentException("name must be 1-100 characters");
        String ns = namespace != null ? namespace : name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]+", "_").replaceAll("^_+|_+$", "");
        if (!NAMESPACE.matcher(ns).matches()) {
            throw new IllegalArgumentException("namespace must be 3-64 of A-Z, 0-9, _ starting with a letter: " + ns);
        }
        if (ns.equals(io.omix.server.streams.StreamStore.OPEN_PLATFORM)) {
            // The open platform's own stream records live under this name: an app holding it would read and write them.
            throw new IllegalArgumentException("namespace " + ns + " is reserved for the open platform");
        }
        if (jdbc.queryOne("SELECT 1 FROM private_apps WHERE namespace = ?", rs -> 1, ns).isPresent()) {
            throw new IllegalArgumentException("namespace " + ns + " is taken");
        }
        String appKey = "pak" + Secrets.alphanumeric(21).toLowerCase(Locale.ROOT);
        String secret = Secrets.token("pas_");
        jdbc.update("INSERT INTO private_apps (app_key, name, namespace, secret_sealed, disabled, created_at) VALUES (?,?,?,?,FALSE,?)",
                appKey, name, ns, platform.masterKey().seal(secret, appKey), platform.now());
        return new Created(find(appKey).orElseThrow(), secret);
    }

    public Optional<PrivateApp> find(String appKey) {
        if (appKey == null || appKey.length() > 64) return Optional.empty();
        return jdbc.queryOne("SELECT app_key, name, namespace, disabled FROM private_apps WHERE app_key = ?",
                rs -> new PrivateApp(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4)), appKey);
    }

    record Credentials(String secret, String namespace) {}

    /**
     * The secret (decrypted for signature checks) and namespace of an enabled app; empty for unknown or disabled apps,
     * and for an app made before the open platform's namespace was reserved that holds it (V34 disables such an app).
     */
    Optional<Credentials> credentialsOf(String appKey) {
        if (appKey == null || appKey.length() > 64) return Optional.empty();
        return jdbc.queryOne("SELECT secret_sealed, namespace FROM private_apps WHERE app_key = ? AND disabled = FALSE AND namespace <> ?",
                rs -> new Credentials(rs.getString(1), rs.getString(2)), appKey, io.omix.server.streams.StreamStore.OPEN_PLATFORM)
                .map(c -> new Credentials(platform.masterKey().open(c.secret(), appKey), c.namespace()));
    }

    public List<PrivateApp> list() {
        return jdbc.query("SELECT app_key, name, namespace, disabled FROM private_apps ORDER BY created_at, app_key",
                rs -> new PrivateApp(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4)));
    }

    /**
     * A new secret for the app, shown once; the old one is refused from now on. A leaked secret is replaced without giving
     * up the app's namespace and data (a new app could not take the namespace over). Empty for an unknown app.
     */
    public Optional<String> rotateSecret(String appKey) {
        Optional<PrivateApp> app = find(appKey);
        if (app.isEmpty()) return Optional.empty();
        String secret = Secrets.token("pas_");
        java.time.OffsetDateTime now = platform.now();
        return jdbc.inTransaction(c -> {
            if (Jdbc.update(c, "UPDATE private_apps SET secret_sealed = ? WHERE app_key = ?", platform.masterKey().seal(secret, appKey), appKey) != 1) {
                return Optional.<String>empty();
            }
            // Endpoints registered with the leaked secret would go on hearing the app's events: off, until the partner
            // checks they are theirs (as a client's rotation does).
            io.omix.server.webhooks.WebhookEvents.disableEndpointsForRotation(c, "app:" + app.get().namespace(), now, "the app's");
            return Optional.of(secret);
        });
    }

    public boolean setDisabled(String appKey, boolean disabled) {
        return jdbc.update("UPDATE private_apps SET disabled = ? WHERE app_key = ?", disabled, appKey) == 1;
    }
}
