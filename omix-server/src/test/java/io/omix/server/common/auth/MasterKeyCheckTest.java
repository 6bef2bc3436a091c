package io.omix.server.common.auth;

import io.omix.server.Platform;
import io.omix.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A platform opens only with the master key its database was made with: a missing data/master.key (a backup restored
 * without it) or a mistyped security.master-key made a new key and ran, leaving every stored secret, id and signed link
 * unreadable and the audit chain's head looking tampered with.
 */
class MasterKeyCheckTest {
    static ServerConfig config(Path dir, String key) {
        return ServerConfig.defaults(Map.of("data.dir", dir.toString(), "demo.enabled", "false", "security.master-key", key));
    }

    @Test
    void aPlatformOpensOnlyWithTheKeyItsDatabaseWasMadeWith(@TempDir Path dir) throws Exception {
        Platform.open(config(dir, ""), Clock.systemUTC()).close();   // a new database: a new key, written
        Path keyFile = dir.resolve("master.key");
        String original = Files.readString(keyFile).trim();
        Platform.open(config(dir, ""), Clock.systemUTC()).close();   // the file's key: opens
        Platform.open(config(dir, original), Clock.systemUTC()).close();   // the same key, configured: opens

        String other = Base64.getEncoder().encodeToString(new byte[32]);
        IllegalStateException wrong = assertThrows(IllegalStateException.class, () -> Platform.open(config(dir, other), Clock.systemUTC()));
        assertTrue(wrong.getMessage().contains("not the one this database was made with"), wrong.getMessage());

        Files.delete(keyFile);
        IllegalStateException missing = assertThrows(IllegalStateException.class, () -> Platform.open(config(dir, ""), Clock.systemUTC()));
        assertTrue(missing.getMessage().contains("not the one this database was made with"), missing.getMessage());
        assertFalse(Files.exists(keyFile), "no new key was written beside a database made with another");

        Files.writeString(keyFile, original + "\n");
        Platform.open(config(dir, ""), Clock.systemUTC()).close();   // the key restored: opens again
    }

    @Test
    void aDatabaseMadeBeforeTheCheckKeepsItsKeyAndRefusesANewOne(@TempDir Path dir) throws Exception {
        Platform first = Platform.open(config(dir, ""), Clock.systemUTC());
        first.audit().record(io.omix.server.audit.AuditLog.Entry.of("operator", "os:test", null, "cli", "omix admin user list", null, null,
                "local", null, "ok"));
        first.close();
        String original = Files.readString(dir.resolve("master.key")).trim();
        // As a database made before the check was kept: no check value.
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(io.omix.server.common.db.Database.embeddedUrl(dir), "", "")) {
            c.createStatement().execute("DELETE FROM omix_meta WHERE name = '" + MasterKeyCheck.NAME + "'");
        }
        Files.delete(dir.resolve("master.key"));
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> Platform.open(config(dir, ""), Clock.systemUTC()));
        assertTrue(refused.getMessage().contains("made with a master key that is not here"), refused.getMessage());
        assertFalse(Files.exists(dir.resolve("master.key")));

        // Another key (a stray key file an older omix admin made) would be recorded as the database's: its audit trail's
        // head, sealed with the key the database was made with, refuses it.
        IllegalStateException stray = assertThrows(IllegalStateException.class,
                () -> Platform.open(config(dir, Base64.getEncoder().encodeToString(new byte[32])), Clock.systemUTC()));
        assertTrue(stray.getMessage().contains("does not seal this database's audit trail"), stray.getMessage());

        // A head someone changed carries no key's seal, the right one's included: it judges no key, and the database opens.
        String sealedMac = read(dir, "SELECT mac FROM audit_head WHERE id = 1");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(io.omix.server.common.db.Database.embeddedUrl(dir), "", "")) {
            c.createStatement().execute("UPDATE audit_head SET mac = 'unsealed-" + "-".repeat(55) + "' WHERE id = 1");
            Platform.open(config(dir, original), Clock.systemUTC()).close();
            c.createStatement().execute("DELETE FROM omix_meta WHERE name = '" + MasterKeyCheck.NAME + "'");
            c.createStatement().execute("UPDATE audit_head SET mac = '" + sealedMac + "' WHERE id = 1");
        }

        Platform p = Platform.open(config(dir, original), Clock.systemUTC());   // its key given: opens, and the check is kept from now on
        p.close();
        String other = Base64.getEncoder().encodeToString(new byte[32]);
        assertThrows(IllegalStateException.class, () -> Platform.open(config(dir, other), Clock.systemUTC()));
        assertEquals(MasterKeyCheck.value(MasterKey.fromBase64(original)),
                read(dir, "SELECT meta_value FROM omix_meta WHERE name = '" + MasterKeyCheck.NAME + "'"));
    }

    static String read(Path dir, String sql) throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(io.omix.server.common.db.Database.embeddedUrl(dir), "", "");
             java.sql.ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
