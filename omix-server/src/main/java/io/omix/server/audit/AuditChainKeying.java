package io.omix.server.audit;

import io.omix.server.common.db.Jdbc;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;

/**
 * Migration V39: the audit chain is keyed from the next entry on. It records, sealed with the chain
 * key, the place keying starts (the head's next entry, and its link), where the kept chain starts if a
 * retention already cut it, and the head's MAC. It is a migration (run once, in the schema's
 * transaction) rather than work at start-up, so that nobody can make a server key the chain again
 * from a later place by deleting a row: a missing seal is reported by verification, never re-made.
 */
public final class AuditChainKeying implements JavaMigration {
    private final ChainKey key;

    public AuditChainKeying(ChainKey key) {
        this.key = key;
    }

    @Override
    public MigrationVersion getVersion() {
        return MigrationVersion.fromVersion("39");
    }

    @Override
    public String getDescription() {
        return "audit chain keyed";
    }

    @Override
    public Integer getChecksum() {
        return 39;
    }

    @Override
    public boolean canExecuteInTransaction() {
        return true;
    }

    @Override
    public void migrate(Context context) throws SQLException {
        Connection c = context.getConnection();
        try (Statement ddl = c.createStatement()) {
            // kind: keyed-from (one: entries from seq on are keyed) or cut (where a retention left the chain's start);
            // prev_hash: that entry's link; mac: HMAC under the chain key over kind, seq and prev_hash.
            ddl.execute("CREATE TABLE audit_seals (kind VARCHAR(16) NOT NULL, seq BIGINT NOT NULL, prev_hash VARCHAR(64) NOT NULL,"
                    + " made_at TIMESTAMP WITH TIME ZONE NOT NULL, mac VARCHAR(64) NOT NULL, PRIMARY KEY (kind, seq))");
            ddl.execute("ALTER TABLE audit_head ADD COLUMN mac VARCHAR(64)");
        }
        Object[] head = Jdbc.query(c, "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE", rs -> new Object[] {rs.getLong(1), rs.getString(2)})
                .get(0);
        long headSeq = (Long) head[0];
        String headHash = (String) head[1];
        Instant now = Instant.now();
        AuditLog.insertSeal(c, key, AuditLog.KEYED_FROM, headSeq + 1, headHash, now);
        // The oldest entry kept, in blocks or still a row of an earlier version: if a retention removed entries before it.
        List<String> oldestBlock = Jdbc.query(c, "SELECT entries FROM audit_blocks ORDER BY first_seq LIMIT 1", rs -> rs.getString(1));
        AuditLog.Entry oldest = oldestBlock.isEmpty() ? null : AuditBlock.decode(oldestBlock.get(0), null).get(0);   // V39: every block is text
        List<Object[]> oldestRow = Jdbc.query(c, "SELECT seq, prev_hash FROM audit_log ORDER BY seq LIMIT 1",
                rs -> new Object[] {rs.getLong(1), rs.getString(2)});
        long firstSeq = oldest != null ? oldest.seq() : Long.MAX_VALUE;
        String firstLink = oldest != null ? oldest.prevHash() : null;
        if (!oldestRow.isEmpty() && (Long) oldestRow.get(0)[0] < firstSeq) {
            firstSeq = (Long) oldestRow.get(0)[0];
            firstLink = (String) oldestRow.get(0)[1];
        }
        if (firstSeq != Long.MAX_VALUE && firstSeq > 1) AuditLog.insertSeal(c, key, AuditLog.CUT, firstSeq, firstLink, now);
        Jdbc.update(c, "UPDATE audit_head SET mac = ? WHERE id = 1", key.mac(ChainKey.head(headSeq, headHash)));
    }
}
