package io.omix.server.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The databases every database-touching test runs on: the embedded store always, and PostgreSQL
 * when {@code OMIX_TEST_PG_URL} names a server (CI starts one). With {@code OMIX_TEST_REQUIRE_PG=true}
 * a missing PostgreSQL fails the build instead of being skipped silently.
 */
public final class TestDatabases {
    public static final String H2 = "h2";
    public static final String POSTGRESQL = "postgresql";

    private TestDatabases() {}

    /** For {@code @MethodSource("io.omix.server.testing.TestDatabases#kinds")}. */
    public static List<String> kinds() {
        List<String> kinds = new ArrayList<>(List.of(H2));
        if (pgUrl() != null) {
            kinds.add(POSTGRESQL);
        } else if ("true".equalsIgnoreCase(System.getenv("OMIX_TEST_REQUIRE_PG"))) {
            throw new IllegalStateException("OMIX_TEST_REQUIRE_PG is set but OMIX_TEST_PG_URL is not");
        }
        return kinds;
    }

    static String pgUrl() {
        String url = System.getenv("OMIX_TEST_PG_URL");
        return url == null || url.isBlank() ? null : url;
    }

    static String pgUser() {
        String u = System.getenv("OMIX_TEST_PG_USER");
        return u == null ? "" : u;
    }

    static String pgPassword() {
        String p = System.getenv("OMIX_TEST_PG_PASSWORD");
        return p == null ? "" : p;
    }

    /** A fresh, empty PostgreSQL schema; dropped by {@link #dropSchema(String)}. Returns its JDBC URL. */
    static String createSchema(String schema) {
        try (Connection c = DriverManager.getConnection(pgUrl(), pgUser(), pgPassword());
             Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test schema on " + pgUrl() + ": " + e.getMessage(), e);
        }
        String url = pgUrl();
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    static void dropSchema(String schema) {
        try (Connection c = DriverManager.getConnection(pgUrl(), pgUser(), pgPassword());
             Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop test schema " + schema, e);
        }
    }

    static String newSchemaName() {
        return "omix_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
    }
}
