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

    private final HikariDataSource dataSource;
    private final Vendor vendor;
    private final Jdbc jdbc;

    private Database(HikariDataSource dataSource, Vendor vendor) {
        this.dataSource = dataSource;
        this.vendor = vendor;
        this.jdbc = new Jdbc(dataSource);
    }

    /** The JDBC URL of the embedded database kept under {@code dataDir}. */
    public static String embeddedUrl(Path dataDir) {
        // PostgreSQL mode so one set of SQL serves both; WRITE_DELAY=0 writes each commit before
        // answering, so a killed server loses nothing it acknowledged; AUTO_SERVER lets `omix admin`
        // open the database while `omix serve` has it (H2 then refuses DB_CLOSE_ON_EXIT=FALSE, so `omix serve`
        // handles SIGINT and SIGTERM itself and drains before the JVM's shutdown hooks, H2's among them, run).
        // CACHE_SIZE: H2's page cache (KB) holds the indexes' working set; at 10M stream records its
        // default pushed stream_range's p99 past 10 ms (docs/benchmarks.md). A quarter of the heap, at most 256 MB.
        long cacheKb = Math.max(16 * 1024, Math.min(256 * 1024, Runtime.getRuntime().maxMemory() / 4 / 1024));
        return "jdbc:h2:file:" + dataDir.resolve("db").resolve("omix").toAbsolutePath()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0;AUTO_SERVER=TRUE;CACHE_SIZE=" + cacheKb;
    }

    public static Database open(ServerConfig config, MeterRegistry metrics) {
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
            Flyway.configure()
                    .dataSource(ds)
                    .locations("classpath:db/migration")
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return new Database(ds, vendor);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public Vendor vendor() {
        return vendor;
    }

    public Jdbc jdbc() {
        return jdbc;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
