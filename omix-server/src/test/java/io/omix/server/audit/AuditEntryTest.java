package io.omix.server.audit;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An audit entry survives its spool line unchanged, and its hash is the one chains already written carry. */
class AuditEntryTest {
    private static final AuditLog.Entry AWKWARD = AuditLog.Entry.of("client", "app\\\"1", null, "client_token", "GET /samples/<biosample_id>",
            "biosample_id=E-A12345678901 name=a\\b \"quoted\" é", 3, "203.0.113.7", "req-1", "200 0")
            .withAt(Instant.parse("2026-12-03T10:15:30.123456Z"));

    @Test
    void aSpoolLineReadsBackAsTheEntryItWasWrittenFrom() throws Exception {
        byte[] line = AuditLog.spoolLine(AWKWARD);
        assertEquals('\n', line[line.length - 1], "one entry, one line");
        String text = new String(line, StandardCharsets.UTF_8).trim();
        assertTrue(!text.contains("\n"), text);
        assertEquals(AWKWARD, AuditLog.readSpoolLine(text));
        AuditLog.Entry bare = AuditLog.Entry.of("unknown", null, null, "refused", "GET /profile", null, null, null, null, "401 40101")
                .withAt(Instant.parse("2026-12-03T10:15:30Z"));
        assertEquals(bare, AuditLog.readSpoolLine(new String(AuditLog.spoolLine(bare), StandardCharsets.UTF_8)));
    }

    @Test
    void theHashIsTheChainsHashOfEveryField() throws Exception {
        AuditLog.Entry e = AuditLog.Entry.of("client", "a\\b", "u1", "user_token", "GET /x", "line\\nbreak and \\\\ back", 1, "::1", "r", "200 0")
                .appended(42, Instant.parse("2026-12-03T10:15:30.123456789Z"), "ab".repeat(32));
        // The chain's formula as entries already stored were hashed: a faster computation must not change a single one.
        StringBuilder s = new StringBuilder(e.prevHash()).append('\n').append(e.seq()).append('\n').append(e.at().truncatedTo(ChronoUnit.MICROS));
        for (Object field : new Object[] {e.actorKind(), e.actorId(), e.userId(), e.credential(), e.operation(), e.resources(), e.records(),
                e.source(), e.requestId(), e.outcome()}) {
            s.append('\n').append(field == null ? "" : field.toString().replace("\\", "\\\\").replace("\n", "\\n"));
        }
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.toString().getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, e.hash());
        assertEquals(expected, e.computeHash());
    }
}
