package io.omix.server.common.auth;

import io.omix.server.common.db.Jdbc;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Whether the master key is the one the database was made with. Everything sealed or signed with it (applications'
 * secrets, stream ids, signed links, the audit chain's seal) is unreadable under another key: a server started without
 * {@code data/master.key} (a backup restored without it, a lost file) made a new key and ran, failing later in many
 * places (the audit chain's head then taken for tampering), and so did one with a mistyped {@code security.master-key}.
 * A check value, an HMAC under a key derived for it, is kept in {@code omix_meta}; it is compared before any migration
 * (one keys the audit chain), and a key file is written only for a database that has none yet.
 */
public final class MasterKeyCheck {
    static final String NAME = "master_key_check";
    private static final String PURPOSE = "master-key-check";

    private MasterKeyCheck() {}

    /** The check value of {@code key}. */
    static String value(MasterKey key) {
        return Secrets.hmac(key.derive(PURPOSE), "omix master key");
    }

    /**
     * The key a platform opens with: {@code configured} (base64) when given, else {@code data/master.key}; when neither is
     * there, a new key, written to the file only once the database is known to have none ({@link #verify}).
     */
    public static Opening opening(String configured, Path keyFile) {
        if (!configured.isEmpty()) return new Opening(MasterKey.fromBase64(configured), null, keyFile);
        if (Files.exists(keyFile)) {
            try {
                // Read only: a file removed since the look must not be made anew here, past the database's check.
                return new Opening(MasterKey.fromBase64(Files.readString(keyFile)), null, keyFile);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot read the master key " + keyFile, e);
            }
        }
        byte[] fresh = Secrets.randomBytes(32);
        return new Opening(MasterKey.of(fresh), fresh, keyFile);
    }

    /**
     * Whether {@code e} says a table (or, {@code orColumn}, a column) is not there: PostgreSQL's undefined_table and
     * undefined_column; H2's table not found (also in an empty database) and column not found.
     */
    static boolean undefined(SQLException e, boolean orColumn) {
        if (java.util.Set.of("42P01", "42S02", "42S04").contains(e.getSQLState()) || java.util.Set.of(42102, 42104).contains(e.getErrorCode())) {
            return true;
        }
        return orColumn && ("42703".equals(e.getSQLState()) || "42S22".equals(e.getSQLState()) || e.getErrorCode() == 42122);
    }

    /** A key being opened: {@code fresh} holds its bytes when it was just made (not yet written). */
    public static final class Opening {
        private final MasterKey key;
        private final byte[] fresh;
        private final Path keyFile;

        Opening(MasterKey key, byte[] fresh, Path keyFile) {
            this.key = key;
            this.fresh = fresh;
            this.keyFile = keyFile;
        }

        public MasterKey key() {
            return key;
        }

        /**
         * Before migrating: refuses a key that is not the database's (IllegalStateException, saying what to do), and a
         * new key for a database made before (its key is elsewhere); writes a new key's file for a new database.
         */
        public void verify(DataSource ds) {
            String stored;
            boolean existing;
            try (Connection c = ds.getConnection()) {
                List<String> values;
                try {
                    values = Jdbc.query(c, "SELECT meta_value FROM omix_meta WHERE name = ?", rs -> rs.getString(1), NAME);
                    existing = true;
                } catch (SQLException noTable) {
                    // A new database (its tables come with the migrations): only "no such table", anything else stands.
                    if (!undefined(noTable, false)) throw noTable;
                    values = List.of();
                    existing = false;
                }
                stored = values.isEmpty() ? null : values.get(0);
                if (stored == null && existing && fresh == null && !sealsAuditHead(c)) {
                    // A database made before the check: the first key it opens with is recorded, so it must be the right one.
                    throw new IllegalStateException("the master key does not seal this database's audit trail: it is not the key the"
                            + " database was made with (a stray " + keyFile + "?). Set security.master-key (or restore " + keyFile
                            + ") to that key; if the trail's head was changed outside the platform, 'omix admin audit verify' with that key"
                            + " says so");
                }
            } catch (SQLException e) {
                throw new Jdbc.DataAccessException(e);
            }
            if (stored != null && !Secrets.constantTimeEquals(stored, value(key))) {
                throw new IllegalStateException("the master key is not the one this database was made with: set security.master-key"
                        + " (or restore " + keyFile + ") to that key" + (fresh != null ? " (none was found, and none was written)" : ""));
            }
            if (stored == null && existing && fresh != null) {
                throw new IllegalStateException("this database was made with a master key that is not here: set security.master-key or"
                        + " restore " + keyFile + " (a new key would leave every stored secret, id and link unreadable; none was written)");
            }
            if (fresh != null) {
                MasterKey written = MasterKey.loadOrCreate(keyFile, fresh);
                // Another process made the file at the same moment: its key stands, and this process derived keys from its own.
                if (!value(written).equals(value(key))) {
                    throw new IllegalStateException("another process made " + keyFile + " at the same moment: start again (its key is used then)");
                }
            }
        }

        /**
         * Whether the audit chain's head carries this key's seal, or carries none to judge by: no entry yet, a head someone
         * changed (marked unsealed: no key seals it, the right one included), a schema from before the head was sealed.
         */
        private boolean sealsAuditHead(Connection c) throws SQLException {
            io.omix.server.audit.ChainKey chain = new io.omix.server.audit.ChainKey(key.derive(io.omix.server.audit.ChainKey.PURPOSE));
            try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT seq, hash, mac FROM audit_head WHERE id = 1");
                 java.sql.ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getLong(1) == 0 || rs.getString(3) == null || rs.getString(3).startsWith("unsealed-")) return true;
                return chain.sealsHead(rs.getLong(1), rs.getString(2), rs.getString(3));
            } catch (SQLException e) {
                // Only a schema without the head or its seal (undefined table or column); anything else stands.
                if (undefined(e, true)) return true;
                throw e;
            }
        }

        /** After migrating: records the key's check value where none is (a new database, or one made before it), then compares. */
        public void record(Jdbc jdbc) {
            String mine = value(key);
            try {
                jdbc.update("INSERT INTO omix_meta (name, meta_value) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM omix_meta WHERE name = ?)", NAME, mine, NAME);
            } catch (Jdbc.DataAccessException raced) {
                if (!raced.isIntegrityViolation()) throw raced;   // another server recorded it at the same moment: compared below
            }
            String stored = jdbc.queryOne("SELECT meta_value FROM omix_meta WHERE name = ?", rs -> rs.getString(1), NAME).orElseThrow();
            if (!stored.equals(mine)) {
                throw new IllegalStateException("another server made this database with another master key at the same moment: set the same"
                        + " security.master-key on every server");
            }
        }
    }
}
