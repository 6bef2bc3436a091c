package io.omix.server.testing;

import io.omix.server.audit.AuditBlock;
import io.omix.server.audit.AuditLog;
import io.omix.server.common.db.Jdbc;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;
import java.util.function.UnaryOperator;

/** What an intruder with write access to the database could do to the audit trail's stored blocks. */
public final class AuditTampering {
    private AuditTampering() {}

    /** Rewrites entry {@code seq} in place (its block re-encoded in the text layout of earlier versions; hashes left as they were). */
    public static void change(Jdbc jdbc, long seq, UnaryOperator<AuditLog.Entry> change) {
        rewrite(jdbc, seq, change, false);
    }

    /** As {@link #change}, the block written back as this version stores blocks (its deflated bytes). */
    public static void changeInPlace(Jdbc jdbc, long seq, UnaryOperator<AuditLog.Entry> change) {
        rewrite(jdbc, seq, change, true);
    }

    /** Removes the entries whose seq matches from every block that holds one, leaving the rest of each block consistent. */
    public static void remove(Jdbc jdbc, LongPredicate which) {
        List<Object[]> blocks = jdbc.query("SELECT first_seq, entries, entries_deflated FROM audit_blocks ORDER BY first_seq",
                rs -> new Object[] {rs.getLong(1), AuditBlock.decode(rs.getString(2), rs.getBytes(3))});
        for (Object[] b : blocks) {
            @SuppressWarnings("unchecked") List<AuditLog.Entry> entries = (List<AuditLog.Entry>) b[1];
            List<AuditLog.Entry> kept = new ArrayList<>(entries.stream().filter(e -> !which.test(e.seq())).toList());
            if (kept.size() == entries.size()) continue;
            // A careful intruder: the block's bounds, count, times and keys made to agree with what is left.
            jdbc.update("DELETE FROM audit_block_keys WHERE first_seq = ?", b[0]);
            jdbc.update("DELETE FROM audit_blocks WHERE first_seq = ?", b[0]);
            if (kept.isEmpty()) continue;
            AuditBlock.TimeSpan span = AuditBlock.TimeSpan.of(kept);
            long firstSeq = kept.get(0).seq();
            jdbc.update("INSERT INTO audit_blocks (first_seq, last_seq, first_at, last_at, entry_count, entries) VALUES (?, ?, ?, ?, ?, ?)", firstSeq,
                    kept.get(kept.size() - 1).seq(), java.time.OffsetDateTime.ofInstant(span.first(), java.time.ZoneOffset.UTC),
                    java.time.OffsetDateTime.ofInstant(span.last(), java.time.ZoneOffset.UTC), kept.size(), AuditBlock.encodeAsText(kept));
            for (String subject : AuditBlock.subjects(kept)) jdbc.update("INSERT INTO audit_block_keys (subject, first_seq) VALUES (?, ?)", subject, firstSeq);
        }
    }

    /** Puts each entry of {@code bySeq} in the place of the stored entry with its seq (its block re-encoded). */
    public static void replace(Jdbc jdbc, java.util.Map<Long, AuditLog.Entry> bySeq) {
        List<Object[]> blocks = jdbc.query("SELECT first_seq, entries, entries_deflated FROM audit_blocks ORDER BY first_seq",
                rs -> new Object[] {rs.getLong(1), AuditBlock.decode(rs.getString(2), rs.getBytes(3))});
        for (Object[] b : blocks) {
            @SuppressWarnings("unchecked") List<AuditLog.Entry> entries = (List<AuditLog.Entry>) b[1];
            if (entries.stream().noneMatch(e -> bySeq.containsKey(e.seq()))) continue;
            List<AuditLog.Entry> changed = entries.stream().map(e -> bySeq.getOrDefault(e.seq(), e)).toList();
            jdbc.update("UPDATE audit_blocks SET entries = ?, entries_deflated = NULL WHERE first_seq = ?", AuditBlock.encodeAsText(changed), b[0]);
        }
    }

    private static void rewrite(Jdbc jdbc, long seq, UnaryOperator<AuditLog.Entry> change, boolean asBytes) {
        Object[] b = jdbc.queryOne("SELECT first_seq, entries, entries_deflated FROM audit_blocks WHERE first_seq <= ? AND last_seq >= ?",
                rs -> new Object[] {rs.getLong(1), AuditBlock.decode(rs.getString(2), rs.getBytes(3))}, seq, seq).orElseThrow();
        @SuppressWarnings("unchecked") List<AuditLog.Entry> entries = (List<AuditLog.Entry>) b[1];
        List<AuditLog.Entry> changed = entries.stream().map(e -> e.seq() == seq ? change.apply(e) : e).toList();
        // The text column is still read (blocks of earlier versions): the layout an intruder picks changes nothing.
        if (asBytes) {
            jdbc.update("UPDATE audit_blocks SET entries = '', entries_deflated = ? WHERE first_seq = ?", AuditBlock.encode(changed), b[0]);
        } else {
            jdbc.update("UPDATE audit_blocks SET entries = ?, entries_deflated = NULL WHERE first_seq = ?", AuditBlock.encodeAsText(changed), b[0]);
        }
    }
}
