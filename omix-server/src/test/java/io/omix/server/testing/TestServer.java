package io.omix.server.testing;

import io.omix.server.Capability;
import io.omix.server.OmixServer;
import io.omix.server.ServerConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The real server, in-process, on a random loopback port, with a temporary data directory and a
 * fresh database of the chosen kind. Closing it stops the server and removes what it created.
 */
public final class TestServer implements AutoCloseable {
    private final OmixServer server;
    private final Path dataDir;
    private final String schema;

    private TestServer(OmixServer server, Path dataDir, String schema) {
        this.server = server;
        this.dataDir = dataDir;
        this.schema = schema;
    }

    public static TestServer start(Capability.Factory... extra) {
        return builder().capabilities(extra).start();
    }

    public static TestServer start(String databaseKind, Capability.Factory... extra) {
        return builder().database(databaseKind).capabilities(extra).start();
    }

    /** @param settings extra server settings (keys as in {@link ServerConfig#DEFAULTS}) */
    public static TestServer start(String databaseKind, Map<String, String> settings, Capability.Factory... extra) {
        Builder b = builder().database(databaseKind).capabilities(extra);
        settings.forEach(b::setting);
        return b.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private String kind = TestDatabases.H2;
        private final Map<String, String> settings = new HashMap<>();
        private final List<Capability.Factory> extra = new ArrayList<>();
        private Clock clock = Clock.systemUTC();
        private String olderVersion;
        private SeedWork seed;

        /** Work on a database that is still at an older schema version. */
        @FunctionalInterface
        public interface SeedWork {
            void run(java.sql.Connection c) throws java.sql.SQLException;
        }

        /**
         * Before the server starts, migrates the database only up to {@code version} and runs
         * {@code seed} on it: the server then migrates data as an upgrade would find it.
         */
        public Builder upgradingFrom(String version, SeedWork seed) {
            this.olderVersion = version;
            this.seed = seed;
            return this;
        }

        public Builder database(String databaseKind) {
            this.kind = databaseKind;
            return this;
        }

        public Builder setting(String key, String value) {
            settings.put(key, value);
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public Builder capabilities(Capability.Factory... factories) {
            extra.addAll(List.of(factories));
            return this;
        }

        public TestServer start() {
            Path dir;
            try {
                dir = Files.createTempDirectory("omix-test-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Map<String, String> s = new HashMap<>();
            s.put("server.port", "0");
            s.put("data.dir", dir.toString());
            s.put("demo.enabled", "false");
            s.put("db.pool-size", "4");
            String schema = null;
            if (TestDatabases.POSTGRESQL.equals(kind)) {
                schema = TestDatabases.newSchemaName();
                s.put("db.url", TestDatabases.createSchema(schema));
                s.put("db.user", TestDatabases.pgUser());
                s.put("db.password", TestDatabases.pgPassword());
                s.put("security.master-key", Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'k'));
            } else if (!TestDatabases.H2.equals(kind)) {
                throw new IllegalArgumentException("unknown database kind " + kind);
            }
            s.putAll(settings);
            if (olderVersion != null) {
                try {
                    seedOlderSchema(s, dir);
                } catch (java.sql.SQLException | IOException e) {
                    cleanUp(dir, schema);
                    throw new IllegalStateException("cannot prepare the schema at version " + olderVersion, e);
                }
            }
            OmixServer.Builder b = OmixServer.builder(ServerConfig.defaults(s)).clock(clock);
            for (Capability.Factory f : extra) b.capability(f);
            try {
                return new TestServer(b.start(), dir, schema);
            } catch (RuntimeException e) {
                cleanUp(dir, schema);
                throw e;
            }
        }

        private void seedOlderSchema(Map<String, String> s, Path dir) throws java.sql.SQLException, IOException {
            String url = s.get("db.url");
            if (url == null) {
                Files.createDirectories(dir.resolve("db"));
                url = io.omix.server.common.db.Database.embeddedUrl(dir);
            }
            String user = s.getOrDefault("db.user", "");
            String password = s.getOrDefault("db.password", "");
            // The migrations that need the server's keys (the audit chain's keying, V39) get them as the server will.
            io.omix.server.ServerConfig config = io.omix.server.ServerConfig.defaults(s);
            io.omix.server.common.auth.MasterKey key = config.masterKey().isEmpty()
                    ? io.omix.server.common.auth.MasterKey.loadOrCreate(config.dataDir().resolve("master.key"))
                    : io.omix.server.common.auth.MasterKey.fromBase64(config.masterKey());
            org.flywaydb.core.Flyway.configure().dataSource(url, user, password).locations("classpath:db/migration")
                    .javaMigrations(new io.omix.server.audit.AuditChainKeying(new io.omix.server.audit.ChainKey(key.derive(io.omix.server.audit.ChainKey.PURPOSE))))
                    .target(olderVersion).load().migrate();
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, user, password)) {
                seed.run(c);
            }
        }
    }

    public OmixServer server() {
        return server;
    }

    /** Base URL, e.g. {@code http://127.0.0.1:41234}. */
    public String url() {
        return server.url().toString();
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } finally {
            cleanUp(dataDir, schema);
        }
    }

    private static void cleanUp(Path dir, String schema) {
        if (schema != null) TestDatabases.dropSchema(schema);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp directory is harmless
        }
    }
}
