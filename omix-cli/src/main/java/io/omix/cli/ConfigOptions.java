package io.omix.cli;

import io.omix.server.ServerConfig;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** How a command finds the platform's settings: the same for {@code serve} and {@code admin}. */
final class ConfigOptions {
    @Option(names = "--config", paramLabel = "FILE",
            description = "Properties file with settings (default: $OMIX_CONFIG, else ./omix.properties if present and yours alone to write).")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory (data.dir).")
    Path dataDir;

    @Option(names = "--db-url", paramLabel = "JDBC_URL", description = "PostgreSQL JDBC URL instead of the embedded database (db.url).")
    String dbUrl;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any other setting, e.g. --set db.pool-size=20.")
    Map<String, String> settings = new HashMap<>();

    /** Settings that are secrets: on the command line, any user of the machine reads them (ps, /proc/PID/cmdline) for as long as it runs. */
    static final java.util.Set<String> SECRETS = java.util.Set.of("security.master-key", "db.password", "files.s3-secret-key");
    private final java.util.Set<String> warned = new java.util.HashSet<>();

    ServerConfig load(Map<String, String> more) {
        for (String key : settings.keySet()) {
            if (SECRETS.contains(key) && warned.add(key)) {   // once, however many times a command loads its settings
                System.err.println("warning: --set " + key + " puts a secret on the command line, where any user of this machine reads it"
                        + " (ps, /proc); give it as " + ServerConfig.envName(key) + " or in a --config file only you can read");
            }
        }
        Map<String, String> overrides = new HashMap<>(settings);
        if (dataDir != null) overrides.put("data.dir", dataDir.toString());
        if (dbUrl != null) overrides.put("db.url", dbUrl);
        overrides.putAll(more);
        return ServerConfig.load(configFile(), System.getenv(), overrides);
    }

    private Path configFile() {
        if (config != null) {
            if (!Files.isRegularFile(config)) throw new IllegalArgumentException("config file not found: " + config);
            return config;
        }
        String env = System.getenv("OMIX_CONFIG");
        if (env != null && !env.isBlank()) return Path.of(env);
        Path local = Path.of("omix.properties");
        if (!Files.exists(local, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return null;
        if (!yoursAlone(local)) {
            // Found, not named: in a shared directory (/tmp) another user could plant one that sends this command's
            // secrets (a new user's password, the master key) to a database of theirs.
            throw new IllegalArgumentException("./omix.properties is not yours alone to write (a link, another user's, or writable by"
                    + " others): settings are read from it only then; if it is yours, 'chmod go-w omix.properties', or name it with --config");
        }
        return local;
    }

    /** Whether an owner's name is the user's: as it is, or (Windows) {@code DOMAIN\\user}. */
    static boolean ownerNamed(String owner, String user) {
        return owner.equals(user) || owner.endsWith("\\" + user);
    }

    /** A regular file, not a link, owned by this process's user, that neither its group nor others may write. */
    static boolean yoursAlone(Path file) {
        try {
            if (!Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return false;
            boolean own = Files.exists(Path.of("/proc/self")) ? io.omix.server.common.io.FileTrees.ownedByThisProcess(file)
                    : ownerNamed(Files.getOwner(file, java.nio.file.LinkOption.NOFOLLOW_LINKS).getName(), System.getProperty("user.name"));
            if (!own) return false;
            if (!file.getFileSystem().supportedFileAttributeViews().contains("posix")) return true;
            java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = Files.getPosixFilePermissions(file, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            return !perms.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)
                    && !perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE);
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
