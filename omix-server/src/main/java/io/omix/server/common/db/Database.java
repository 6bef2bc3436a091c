package io.omix.server.common.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.omix.server.ServerConfig;
import org.flywaydb.core.Flyway;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The platform's one database: a pooled {@link DataSource} migrated to the current schema on open.
 * The embedded H2 file database (PostgreSQL mode) and PostgreSQL run the same migrations and the same SQL.
 */
public final class Database implements AutoCloseable {
    public enum Vendor { H2, POSTGRESQL }

    static {
        // H2 caches small values in a shared map by hash; for bulk imports of distinct values that is
        // pure cost (hashing every string). Off unless the operator chose otherwise.
        if (System.getProperty("h2.objectCache") == null) System.setProperty("h2.objectCache", "false");
    }

    private static final System.Logger LOG = System.getLogger(Database.class.getName());

    private final HikariDataSource dataSource;
    private final Vendor vendor;
    private final Jdbc jdbc;
    private final ScheduledExecutorService syncer;

    private Database(HikariDataSource dataSource, Vendor vendor, boolean embeddedFile) {
        this.dataSource = dataSource;
        this.vendor = vendor;
        this.jdbc = new Jdbc(dataSource, Math.max(1, dataSource.getMaximumPoolSize() / 4));
        this.syncer = embeddedFile ? maintainEverySecond(dataSource) : null;
    }

    /**
     * Part of what H2's background writer would do, which WRITE_DELAY=0 turns off: once a second, while
     * the file is less than 80 % live, rewrite its sparsest chunks (for at most 50 ms, as it holds the store), so
     * that their space is freed and reused, then force the file to the device. Not MVStore.compactFile:
     * moving chunks while commits go on trips H2's own free-space assertions (seen under -ea).
     * Each commit reaches the operating system before it is acknowledged (a killed server loses
     * nothing); the sync means a power loss costs at most about a second of writes instead of
     * whatever the OS had not flushed yet.
     */
    private static ScheduledExecutorService maintainEverySecond(DataSource dataSource) {
        MVStore store = embeddedStore(dataSource);
        ScheduledExecutorService syncer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "omix-db-maintenance");
            t.setDaemon(true);
            return t;
        });
        syncer.scheduleWithFixedDelay(() -> {
            try {
                if (store != null && !store.isClosed()) {
                    long until = System.nanoTime() + 50_000_000L;
                    while (org.h2.mvstore.SparseChunkRewriter.rewrite(store, 80, 4 << 20) && System.nanoTime() < until) {
                        // next chunks
                    }
                    store.sync();
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "embedded database maintenance skipped: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, 1, 1, TimeUnit.SECONDS);
        return syncer;
    }

    /** The store under the embedded database this process opened (none when it reached another process's). */
    private static MVStore embeddedStore(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            return c.unwrap(JdbcConnection.class).getSession() instanceof SessionLocal local
                    ? local.getDatabase().getStore().getMvStore() : null;
        } catch (SQLException e) {
            return null;
        }
    }

    /** The JDBC URL of the embedded database kept under {@code dataDir}. */
    public static String embeddedUrl(Path dataDir) {
        // PostgreSQL mode so one set of SQL serves both; WRITE_DELAY=0 writes each commit before
        // answering, so a killed server loses nothing it acknowledged; AUTO_SERVER lets `omix admin`
        // open the database while `omix serve` has it (H2 then refuses DB_CLOSE_ON_EXIT=FALSE, so `omix serve`
        // handles SIGINT and SIGTERM itself and drains before the JVM's shutdown hooks, H2's among them, run).
        // RETENTION_TIME=100: H2 keeps every written chunk for 45 s after it was written, so with a chunk
        // per commit (WRITE_DELAY=0 also stops the background writer that compacts) the file grew by
        // ~33 KB per commit and never shrank (1.2 GB for 30,000 commits over 400 KB of live rows;
        // docs/benchmarks.md). Retention guards against a power loss before the OS wrote the newer
        // chunks (the store is synced to the device every second, see maintainEverySecond) and lets
        // a reader that just took a version register it before its chunks go: at 0, a chunk was freed
        // under a reader ("Chunk ... not found", seen with two servers on one store). 100 ms keeps the
        // file bounded (H2GrowthBench: 35 MB against 237 MB at 1 s and 1.2 GB at the default).
        // CACHE_SIZE: H2's page cache (KB) holds the indexes' working set; at 10M stream records its
        // default pushed stream_range's p99 past 10 ms (docs/benchmarks.md). A quarter of the heap, at most 256 MB.
        // COMPRESS: pages are written LZF-compressed. A commit rewrites its pages into a new chunk and the space of the
        // old ones is reused but not given back while the server runs (H2 cannot move chunks safely beside commits), so
        // the file is bounded by the peak of what is written: compressed, that is 2 - 3 times less (StorageBench: peak
        // 1.9x the data's dense uncompressed size against about 4x, docs/benchmarks.md). It costs small commits (token
        // grants about 30 % of their rate: with compression H2 also splits pages at 64 KB, not 16) and a VCF import about
        // 10 %; a read that misses the page cache unpacks its page.
        long cacheKb = Math.max(16 * 1024, Math.min(256 * 1024, Runtime.getRuntime().maxMemory() / 4 / 1024));
        return "jdbc:h2:file:" + dataDir.resolve("db").resolve("omix").toAbsolutePath()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0;RETENTION_TIME=100;AUTO_SERVER=TRUE"
                + ";COMPRESS=TRUE;CACHE_SIZE=" + cacheKb;
    }

    /** Which databases an opening migrates to this build's schema. */
    public enum Upgrade {
        /** Every one (a server: each migrates the database it starts on, as docs/operations.md's upgrade notes say). */
        ANY,
        /**
         * A new, empty one only ({@code omix admin}): an operator's command run on a host upgraded first would otherwise
         * migrate a shared database under servers of the older version; {@code omix admin migrate} does it on purpose.
         */
        NEW_ONLY
    }

    /**
     * Opens the database and migrates it; {@code javaMigrations} are the migrations that need more than SQL (the master
     * key's derived keys), given by their owners.
     */
    public static Database open(ServerConfig config, MeterRegistry metrics, org.flywaydb.core.api.migration.JavaMigration... javaMigrations) {
        return open(config, metrics, ds -> { }, Upgrade.ANY, javaMigrations);
    }

    /**
     * {@link #open(ServerConfig, MeterRegistry, org.flywaydb.core.api.migration.JavaMigration...)}, running {@code beforeMigrating}
     * on the pool first, migrating as {@code upgrade} allows.
     *
     * @throws IllegalStateException when the database's schema is older than this build's and {@code upgrade} is {@link Upgrade#NEW_ONLY}
     */
    public static Database open(ServerConfig config, MeterRegistry metrics, java.util.function.Consumer<DataSource> beforeMigrating,
                                Upgrade upgrade, org.flywaydb.core.api.migration.JavaMigration... javaMigrations) {
        String url = config.embeddedDatabase() ? embeddedUrl(config.dataDir()) : config.dbUrl();
        Vendor vendor;
        if (url.startsWith("jdbc:h2:")) {
            vendor = Vendor.H2;
        } else if (url.startsWith("jdbc:postgresql:")) {
            vendor = Vendor.POSTGRESQL;
        } else {
            throw new IllegalArgumentException("db.url must be a jdbc:postgresql: or jdbc:h2: URL");
        }
        if (config.embeddedDatabase()) {
            try {
                Files.createDirectories(config.dataDir().resolve("db"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create data directory " + config.dataDir(), e);
            }
        }
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("omix-db");
        hc.setJdbcUrl(url);
        if (!config.dbUser().isEmpty()) hc.setUsername(config.dbUser());
        if (!config.dbPassword().isEmpty()) hc.setPassword(config.dbPassword());
        hc.setMaximumPoolSize(config.dbPoolSize());
        hc.setMinimumIdle(Math.min(2, config.dbPoolSize()));
        hc.setConnectionTimeout(10_000);
        hc.setAutoCommit(true);
        if (metrics != null) hc.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(metrics));
        HikariDataSource ds = new HikariDataSource(hc);
        try {
            beforeMigrating.accept(ds);
            Flyway flyway = Flyway.configure()
                    .dataSource(ds)
                    .locations("classpath:db/migration")
                    .failOnMissingLocations(true)
                    .javaMigrations(javaMigrations)
                    .load();
            if (upgrade == Upgrade.NEW_ONLY) {
                org.flywaydb.core.api.MigrationInfoService info = flyway.info();
                org.flywaydb.core.api.MigrationInfo[] pending = info.pending();
                org.flywaydb.core.api.MigrationInfo newer = java.util.Arrays.stream(info.applied())
                        .filter(m -> m.getState() == org.flywaydb.core.api.MigrationState.FUTURE_SUCCESS).reduce((a, b) -> b).orElse(null);
                if (newer != null) {
                    // An older omix on a newer schema would write what the servers no longer expect.
                    throw new IllegalStateException("the database's schema is at version " + newer.getVersion() + ", newer than this omix's:"
                            + " use the omix of the servers' version");
                }
                if (info.applied().length > 0 && pending.length > 0) {
                    throw new IllegalStateException("the database's schema is at version " + info.current().getVersion() + " and this omix's at "
                            + pending[pending.length - 1].getVersion() + ": upgrading it here could stop servers of the older version that"
                            + " use it. Upgrade the servers first (each upgrades the database as it starts), or stop them and run"
                            + " 'omix admin migrate'");
                }
            }
            flyway.migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return new Database(ds, vendor, vendor == Vendor.H2 && config.embeddedDatabase());
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public Vendor vendor() {
        return vendor;
    }

    /**
     * The clause that holds the rows a statement reads until its transaction ends, against their update or deletion but
     * not against other holders: PostgreSQL's {@code FOR SHARE}; H2 has no shared row lock, so {@code FOR UPDATE}.
     */
    public String holdRows() {
        return vendor == Vendor.POSTGRESQL ? " FOR SHARE" : " FOR UPDATE";
    }

    public Jdbc jdbc() {
        return jdbc;
    }

    /** For benchmarks: how full the embedded store's file and chunks are; empty on PostgreSQL. */
    public String embeddedFillRates() {
        MVStore store = vendor == Vendor.H2 ? embeddedStore(dataSource) : null;
        return store == null ? "" : org.h2.mvstore.SparseChunkRewriter.fillRates(store);
    }

    @Override
    public void close() {
        if (syncer != null) {
            syncer.shutdown();
            try {
                syncer.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        dataSource.close();
    }
}
