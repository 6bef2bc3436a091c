package io.omix.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.omix.server.audit.AuditLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;

/** {@code omix admin audit list|verify|head}: the audit trail, read straight from the database (also while the server runs). */
final class AuditCommands {
    private AuditCommands() {}

    @Command(name = "audit", mixinStandardHelpOptions = true, description = "The audit trail: who reached whose data, and whether the record is intact.",
            subcommands = {AuditList.class, AuditVerify.class, AuditHead.class})
    static final class Audit extends AdminCommand.Group {}

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List audit entries, oldest first, filtered.")
    static final class AuditList extends AdminCommand.Sub implements Runnable {
        @Option(names = "--user", description = "Entries about this user id.") String user;
        @Option(names = "--client", description = "Entries by this client id, app key or dataset key.") String client;
        @Option(names = "--sample", description = "Entries naming this biosample id.") String sample;
        @Option(names = "--since", description = "From this time (ISO-8601 instant, or a date: its start in UTC).") String since;
        @Option(names = "--until", description = "Before this time (ISO-8601 instant, or a date: its start in UTC).") String until;
        @Option(names = "--operation", description = "Operations containing this text (GET /samples, admin user).") String operation;
        @Option(names = "--after", description = "Only entries after this sequence number (to page).", defaultValue = "0") long after;
        @Option(names = "--limit", description = "At most this many entries (default ${DEFAULT-VALUE}).", defaultValue = "1000") int limit;
        @Option(names = "--json", description = "One JSON object per entry, one per line.") boolean json;

        @Override
        public void run() {
            if (limit < 1 || limit > 100_000) throw new IllegalArgumentException("--limit must be 1..100000");
            AuditLog.Query q = new AuditLog.Query(user, client, sample == null ? null : sample.toUpperCase(java.util.Locale.ROOT),
                    instant("--since", since), instant("--until", until), operation, after, limit);
            List<AuditLog.Entry> entries = admin().withPlatform(p -> p.audit().list(q));
            PrintWriter out = out();
            ObjectMapper mapper = new ObjectMapper();
            for (AuditLog.Entry e : entries) {
                if (json) {
                    try {
                        out.println(mapper.writeValueAsString(e.fields()));
                    } catch (com.fasterxml.jackson.core.JsonProcessingException x) {
                        throw new IllegalStateException(x);
                    }
                } else {
                    out.printf("%d  %s  %s %s%s  %s  %s%s%s  %s  %s%n", e.seq(), e.at(), e.actorKind(), dash(e.actorId()),
                            e.userId() == null ? "" : " for user " + e.userId(), e.credential(), e.operation(),
                            e.resources() == null ? "" : " [" + e.resources() + "]", e.records() == null ? "" : " " + e.records() + " records",
                            dash(e.source()), e.outcome());
                }
            }
            out.flush();
        }

        private static String dash(String s) {
            return s == null ? "-" : s;
        }

        private static Instant instant(String option, String text) {
            if (text == null) return null;
            try {
                return text.length() == 10 ? LocalDate.parse(text).atStartOfDay().toInstant(ZoneOffset.UTC) : Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(option + " must be an ISO-8601 instant (2026-12-02T10:00:00Z) or a date (2026-12-02)");
            }
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check the audit trail's hash chain; exits 1 and names the first broken link when an entry was changed or removed.")
    static final class AuditVerify extends AdminCommand.Sub implements java.util.concurrent.Callable<Integer> {
        @Option(names = "--heads", paramLabel = "FILE", description = "A file of copies of earlier heads, one per line as `omix admin audit head`"
                + " prints them (blank lines and lines starting with # skipped): also finds the head moved back behind one, or the chain"
                + " rewritten before one.")
        java.nio.file.Path headsFile;

        @Override
        public Integer call() {
            List<AuditLog.Head> copies = copies(headsFile);
            AuditLog.Verification v = admin().withPlatform(p -> p.audit().verify(copies));
            PrintWriter out = out();
            if (v.firstBrokenSeq().isEmpty()) {
                out.printf("audit trail intact: %,d entries checked%n", v.checked());
                out.flush();
                return 0;
            }
            out.printf("audit trail BROKEN at entry %d: %s (%,d entries checked)%n", v.firstBrokenSeq().get(), v.reason(), v.checked());
            out.flush();
            return 1;
        }

        private static List<AuditLog.Head> copies(java.nio.file.Path file) {
            if (file == null) return List.of();
            List<String> lines;
            try {
                if (java.nio.file.Files.size(file) > 16L * 1024 * 1024) throw new IllegalArgumentException("--heads: " + file + " is larger than 16 MB");
                lines = java.nio.file.Files.readAllLines(file, java.nio.charset.StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("--heads: cannot read " + file + " (" + e.getMessage() + ")");
            }
            List<AuditLog.Head> copies = new java.util.ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty() || line.startsWith("#")) continue;
                int n = i + 1;
                copies.add(AuditLog.Head.parse(line).orElseThrow(() -> new IllegalArgumentException(
                        "--heads: line " + n + " of " + file + " is not a head as `omix admin audit head` prints it (seq:hash)")));
            }
            return copies;
        }
    }

    @Command(name = "head", mixinStandardHelpOptions = true,
            description = {"Print the audit chain's head (seq:hash) to copy somewhere the database's writers cannot reach.",
                    "Given back to `omix admin audit verify --heads`, a copy finds a head moved back behind it (the newest entries removed"
                            + " and an earlier head row put back), which the head's seal alone cannot tell.",
                    "Example, from cron after a verify: omix admin audit head >> /secure/omix-audit-heads"})
    static final class AuditHead extends AdminCommand.Sub implements Runnable {
        @Override
        public void run() {
            AuditLog.Head head = admin().withPlatform(p -> p.audit().head());
            PrintWriter out = out();
            out.println(head);
            out.flush();
        }
    }
}
