package io.omix.server.audit;

import io.omix.server.common.db.Jdbc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The audit trail's writer: entries are appended to one hash chain shared by every server of a
 * deployment.
 * <p>A caller's {@link #record} returns once its entry is written to this process's spool file (one
 * append, no database commit), so an answer never leaves before the access it gives is recorded; a
 * mover thread appends what the spool holds to the chain every quarter second in one transaction
 * and then deletes the spool. A commit per request (even grouped) cost get_variants 25-30 % of its
 * throughput on the embedded store, because reads slow down under frequent small commits; a commit
 * four times a second costs nothing measurable (docs/benchmarks.md). A process that dies leaves its
 * spool file behind: the next process to open the platform on that data directory (the restarted
 * server, or {@code omix admin}) appends it, once (the spool's id is recorded with its entries).
 * Listing and verifying move this process's spool first, so a server reads its own writes.
 */
public final class AuditLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    static final String GENESIS = "0".repeat(64);
    /** How entries are written in a spool file: the record's fields, the time as ISO text. */
    private static final ObjectMapper SPOOL_JSON = io.omix.server.common.http.ServerJson.MAPPER.copy()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** One access, as recorded. {@code seq}, {@code at} and the hashes are set when it is appended. */
    public record Entry(long seq, Instant at, String actorKind, String actorId, String userId, String credential, String operation,
                        String resources, Integer records, String source, String requestId, String outcome, String prevHash, String hash) {
        /** A new entry, not yet appended. */
        public static Entry of(String actorKind, String actorId, String userId, String credential, String operation, String resources,
                               Integer records, String source, String requestId, String outcome) {
            return new Entry(0, null, actorKind, printable(clip(actorId, 200)), printable(clip(userId, 64)), credential,
                    printable(clip(operation, 200)), printable(clip(resources, 1000)), records, printable(clip(source, 64)),
                    printable(clip(requestId, 64)), outcome, null, null);
        }

        /** The entry's fields by their wire names, in order: what the CLI prints and the API answers. */
        public java.util.Map<String, Object> fields() {
            java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("seq", seq);
            m.put("at", at.toString());
            m.put("actor_kind", actorKind);
            m.put("actor_id", actorId);
            m.put("user_id", userId);
            m.put("credential", credential);
            m.put("operation", operation);
            m.put("resources", resources);
            m.put("records", records);
            m.put("source", source);
            m.put("request_id", requestId);
            m.put("outcome", outcome);
            m.put("hash", hash);
            return m;
        }

        /** The same entry at time {@code at} (when it happened; the chain keeps it). */
        Entry withAt(Instant at) {
            return new Entry(seq, at, actorKind, actorId, userId, credential, operation, resources, records, source, requestId, outcome, prevHash, hash);
        }

        Entry appended(long seq, Instant at, String prevHash) {
            Entry e = new Entry(seq, at, actorKind, actorId, userId, credential, operation, resources, records, source, requestId, outcome, prevHash, null);
            return new Entry(seq, at, actorKind, actorId, userId, credential, operation, resources, records, source, requestId, outcome, prevHash, e.computeHash());
        }

        /** SHA-256 over the previous hash and every field, one per line (a line break inside a value is escaped). */
        String computeHash() {
            StringBuilder s = new StringBuilder(384).append(prevHash).append('\n').append(seq).append('\n').append(at.truncatedTo(ChronoUnit.MICROS));
            for (Object field : new Object[] {actorKind, actorId, userId, credential, operation, resources, records, source, requestId, outcome}) {
                s.append('\n');
                if (field != null) appendEscaped(s, field.toString());
            }
            return HexFormat.of().formatHex(SHA_256.get().digest(s.toString().getBytes(StandardCharsets.UTF_8)));
        }

        /** {@code value} with a backslash written as two and a line break as backslash-n. */
        private static void appendEscaped(StringBuilder s, String value) {
            if (value.indexOf('\\') < 0 && value.indexOf('\n') < 0) {
                s.append(value);
                return;
            }
            for (int i = 0; i < value.length(); i++) {
                char ch = value.charAt(i);
                if (ch == '\\') s.append("\\\\");
                else if (ch == '\n') s.append("\\n");
                else s.append(ch);
            }
        }
    }

    /** One digest per thread: the mover hashes every entry it appends, and a provider lookup per entry showed in its profile. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    /** How often the mover appends the spool to the chain, and how many entries wake it sooner. */
    private static final long MOVE_EVERY_MILLIS = 250;
    private static final int MOVE_AT_ENTRIES = 2000;
    private static final String SPOOL_PREFIX = "audit-spool-";

    private final Jdbc jdbc;
    private final Clock clock;
    private final boolean enabled;
    private final Path spoolDir;
    private final Thread writer;
    private volatile boolean closed;

    /** This process's current spool: the file entries are appended to, and the same entries in memory. */
    private final Object spoolLock = new Object();
    private Spool spool;
    /**
     * Lines queued for the spool file and not yet written (guarded by spoolLock): requests arriving
     * together are written with one system call by whichever of them holds {@link #writeLock} (group write).
     */
    private List<byte[]> pendingLines = new ArrayList<>();
    private long queued;
    private volatile long written;
    private final java.util.concurrent.locks.ReentrantLock writeLock = new java.util.concurrent.locks.ReentrantLock();
    /** Spools whose entries are written but not yet in the chain (the database refused or was away): retried. */
    private final java.util.ArrayDeque<Spool> unmoved = new java.util.ArrayDeque<>();
    private final java.util.concurrent.locks.ReentrantLock moveLock = new java.util.concurrent.locks.ReentrantLock();

    /** One spool file, held locked by this process so that no other process moves it while it is written. */
    private static final class Spool {
        final String id = java.util.UUID.randomUUID().toString();
        final Path file;
        final FileChannel channel;
        final FileLock lock;
        final List<Entry> entries = new ArrayList<>();

        Spool(Path dir) throws IOException {
            Files.createDirectories(dir);
            file = dir.resolve(SPOOL_PREFIX + id + ".ndjson");
            channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            lock = channel.tryLock();
        }

        void write(List<byte[]> lines) throws IOException {
            if (lines.isEmpty()) return;
            ByteBuffer[] buffers = new ByteBuffer[lines.size()];
            long total = 0;
            for (int i = 0; i < buffers.length; i++) {
                buffers[i] = ByteBuffer.wrap(lines.get(i));
                total += buffers[i].remaining();
            }
            for (long done = 0; done < total; ) done += channel.write(buffers);
        }

        void delete() {
            try {
                if (lock != null) lock.release();
                channel.close();
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.warn("audit spool {} stays; it is appended once more only if its id is not recorded: {}", file, e.toString());
            }
        }
    }

    /**
     * @param enabled  false only to measure what the trail costs (audit.enabled)
     * @param spoolDir where this process spools entries (data.dir/audit-spool); spools other processes
     *                 left behind there are appended now
     */
    public AuditLog(Jdbc jdbc, Clock clock, boolean enabled, Path spoolDir) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.enabled = enabled;
        this.spoolDir = spoolDir;
        if (enabled) {
            recoverSpools();
            writer = new Thread(this::moveLoop, "omix-audit");
            writer.setDaemon(true);
            writer.start();
        } else {
            writer = null;
        }
    }

    public boolean enabled() {
        return enabled;
    }

    /**
     * Records {@code entry}: returns once it is in this process's spool file (the chain has it within a
     * quarter second).
     * @throws IllegalStateException when it could not be recorded (the caller must not hand out the answer)
     */
    public void record(Entry entry) {
        if (!enabled) return;
        Entry timed = entry.at() != null ? entry : entry.withAt(clock.instant().truncatedTo(ChronoUnit.MICROS));
        byte[] line;
        try {
            line = spoolLine(timed);
        } catch (IOException e) {
            throw new IllegalStateException("the audit entry could not be recorded", e);
        }
        boolean wake;
        long mine;
        synchronized (spoolLock) {
            if (closed) {
                append(List.of(timed));
                return;
            }
            try {
                if (spool == null) spool = new Spool(spoolDir);
            } catch (IOException e) {
                LOG.error("audit entry not recorded (request {} refused its answer)", timed.requestId(), e);
                throw new IllegalStateException("the audit entry could not be recorded", e);
            }
            pendingLines.add(line);
            spool.entries.add(timed);
            mine = ++queued;
            wake = spool.entries.size() >= MOVE_AT_ENTRIES;
        }
        try {
            writeUpTo(mine);
        } catch (IOException e) {
            LOG.error("audit entry not recorded (request {} refused its answer)", timed.requestId(), e);
            throw new IllegalStateException("the audit entry could not be recorded", e);
        }
        if (wake) LockSupport.unpark(writer);
    }

    /**
     * The spool's line for {@code e}: its fields by their record names (what {@link #recoverSpools} reads
     * back as an {@link Entry}), nulls left out, written field by field (the record's generic
     * serialization and the time module's formatter were half of what recording cost a request).
     */
    static byte[] spoolLine(Entry e) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(320);
        try (com.fasterxml.jackson.core.JsonGenerator g = SPOOL_JSON.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("at", e.at().toString());
            String[] names = {"actorKind", "actorId", "userId", "credential", "operation", "resources", "source", "requestId", "outcome"};
            String[] values = {e.actorKind(), e.actorId(), e.userId(), e.credential(), e.operation(), e.resources(), e.source(), e.requestId(), e.outcome()};
            for (int i = 0; i < names.length; i++) {
                if (values[i] != null) g.writeStringField(names[i], values[i]);
            }
            if (e.records() != null) g.writeNumberField("records", e.records());
            g.writeEndObject();
        }
        out.write('\n');
        return out.toByteArray();
    }

    /** An entry from its spool line (this version's {@link #spoolLine}, or the record as earlier versions wrote it). */
    static Entry readSpoolLine(String line) throws IOException {
        return SPOOL_JSON.readValue(line, Entry.class);
    }

    /**
     * Returns once line number {@code mine} is in the spool file: written by this thread together with
     * every line queued so far, or already by another. One writer at a time; the spool is not rotated
     * while a write is under way ({@link #moveSpooled} takes the same lock).
     */
    private void writeUpTo(long mine) throws IOException {
        if (written >= mine) return;
        writeLock.lock();
        try {
            if (written >= mine) return;
            List<byte[]> lines;
            long upTo;
            Spool target;
            synchronized (spoolLock) {
                lines = pendingLines;
                pendingLines = new ArrayList<>();
                upTo = queued;
                target = spool;
            }
            if (target != null) target.write(lines);   // none: the spool moved, its lines written as it went
            written = upTo;
        } finally {
            writeLock.unlock();
        }
    }

    /** Appends this process's spooled entries to the chain now (listing and verifying call it first). */
    public void flush() {
        if (enabled) moveSpooled();
    }

    private void moveLoop() {
        while (!closed) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(MOVE_EVERY_MILLIS));
            try {
                moveSpooled();
            } catch (RuntimeException e) {
                LOG.warn("audit entries stay spooled until the database takes them: {}", e.toString());
            }
        }
    }

    /** Closes the current spool (the next entry opens a new one) and appends every spool not yet moved. */
    private void moveSpooled() {
        moveLock.lock();
        try {
            writeLock.lock();   // no group write under way: its lines go to the spool being closed
            try {
                synchronized (spoolLock) {
                    if (spool != null) {
                        try {
                            spool.write(pendingLines);
                        } catch (IOException e) {
                            // Their requests are told when they try to write; the entries go to the chain below all the same.
                            LOG.warn("audit spool {}: lines not written before it moves: {}", spool.file, e.toString());
                        }
                        pendingLines = new ArrayList<>();
                        written = queued;
                        unmoved.add(spool);
                        spool = null;
                    }
                }
            } finally {
                writeLock.unlock();
            }
            while (!unmoved.isEmpty()) {
                Spool next = unmoved.peek();
                appendSpool(next.id, next.entries);
                unmoved.poll();
                next.delete();
            }
        } finally {
            moveLock.unlock();
        }
    }

    /** Appends a spool's entries and records its id in one transaction; nothing when its id is recorded already. */
    private void appendSpool(String spoolId, List<Entry> entries) {
        if (entries.isEmpty()) return;
        jdbc.inTransaction(c -> {
            if (!Jdbc.query(c, "SELECT 1 FROM audit_spools WHERE spool_id = ?", rs -> 1, spoolId).isEmpty()) return null;
            Jdbc.update(c, "INSERT INTO audit_spools (spool_id, appended_at) VALUES (?, ?)", spoolId, OffsetDateTime.now(clock));
            append(c, entries);
            return null;
        });
    }

    /** Appends the spools processes that died left in the spool directory (those no live process holds). */
    private void recoverSpools() {
        if (spoolDir == null || !Files.isDirectory(spoolDir)) return;
        List<Path> files;
        try (var listing = Files.list(spoolDir)) {
            files = listing.filter(f -> f.getFileName().toString().startsWith(SPOOL_PREFIX)).sorted().toList();
        } catch (IOException e) {
            LOG.warn("audit spools in {} not read: {}", spoolDir, e.toString());
            return;
        }
        for (Path file : files) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (java.nio.channels.OverlappingFileLockException held) {
                    continue; // this process writes it
                }
                if (lock == null) continue; // another live process writes it
                try {
                    String name = file.getFileName().toString();
                    String id = name.substring(SPOOL_PREFIX.length(), name.length() - ".ndjson".length());
                    List<Entry> entries = new ArrayList<>();
                    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                        if (line.isBlank()) continue;
                        try {
                            entries.add(readSpoolLine(line));
                        } catch (IOException torn) {
                            // The last line of a process killed while writing it: that answer never left.
                            LOG.warn("audit spool {}: a line cut short is skipped", file);
                        }
                    }
                    appendSpool(id, entries);
                    LOG.info("audit spool {} of a stopped process: {} entries appended", file.getFileName(), entries.size());
                } finally {
                    lock.release();
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("audit spool {} not appended now, later: {}", file, e.toString());
                continue;
            }
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.warn("audit spool {} not deleted: {}", file, e.toString());
            }
        }
    }

    /** Appends entries at the chain's end in one transaction, holding the chain's head row meanwhile. */
    public List<Entry> append(List<Entry> entries) {
        return jdbc.inTransaction(c -> append(c, entries));
    }

    /** Appends entries at the chain's end in {@code c}'s transaction (the head row stays locked until it ends). */
    private List<Entry> append(Connection c, List<Entry> entries) throws SQLException {
        long seq;
        String prev;
        try (PreparedStatement head = c.prepareStatement("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE");
             ResultSet rs = head.executeQuery()) {
            rs.next();
            seq = rs.getLong(1);
            prev = rs.getString(2);
        }
        Instant at = clock.instant().truncatedTo(ChronoUnit.MICROS);
        List<Entry> written = new ArrayList<>(entries.size());
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_log (seq, at, actor_kind, actor_id, user_id, credential, operation,"
                + " resources, records, source, request_id, outcome, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            for (Entry e : entries) {
                Entry w = e.appended(++seq, e.at() != null ? e.at() : at, prev);
                Jdbc.bind(ps, w.seq(), OffsetDateTime.ofInstant(w.at(), ZoneOffset.UTC), w.actorKind(), w.actorId(), w.userId(), w.credential(),
                        w.operation(), w.resources(), w.records(), w.source(), w.requestId(), w.outcome(), w.prevHash(), w.hash());
                ps.addBatch();
                prev = w.hash();
                written.add(w);
            }
            ps.executeBatch();
        }
        Jdbc.update(c, "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", seq, prev);
        return written;
    }

    /** Filters for {@link #list}; null fields do not filter. */
    public record Query(String userId, String actorId, String sample, Instant since, Instant until, String operation, long afterSeq, int limit) {}

    /** Entries matching {@code q}, oldest first, at most {@code q.limit()}. */
    public List<Entry> list(Query q) {
        flush();
        StringBuilder sql = new StringBuilder(SELECT + " WHERE seq > ?");
        List<Object> args = new ArrayList<>(List.of(q.afterSeq()));
        if (q.userId() != null) {
            sql.append(" AND user_id = ?");
            args.add(q.userId());
        }
        if (q.actorId() != null) {
            sql.append(" AND actor_id = ?");
            args.add(q.actorId());
        }
        if (q.sample() != null) {
            sql.append(" AND resources LIKE ?");
            args.add("%" + q.sample().replace("\\", "").replace("%", "").replace("_", "\\_") + "%");
        }
        if (q.since() != null) {
            sql.append(" AND at >= ?");
            args.add(OffsetDateTime.ofInstant(q.since(), ZoneOffset.UTC));
        }
        if (q.until() != null) {
            sql.append(" AND at < ?");
            args.add(OffsetDateTime.ofInstant(q.until(), ZoneOffset.UTC));
        }
        if (q.operation() != null) {
            sql.append(" AND operation LIKE ?");
            args.add("%" + q.operation().replace("\\", "").replace("%", "").replace("_", "\\_") + "%");
        }
        sql.append(" ORDER BY seq LIMIT ").append(Math.max(1, Math.min(q.limit(), 100_000)));
        return jdbc.query(sql.toString(), AuditLog::entry, args.toArray());
    }

    /**
     * What was done with {@code userId}'s data by others, newest first: entries on their behalf and
     * entries naming one of their samples (partner apps reach samples, not people).
     */
    public List<Entry> listForPerson(String userId, OffsetDateTime since, int limit) {
        flush();
        List<String> samples = jdbc.query("SELECT biosample_id FROM sample_users WHERE user_id = ?", rs -> rs.getString(1), userId);
        StringBuilder sql = new StringBuilder(SELECT + " WHERE (user_id = ?");
        List<Object> args = new ArrayList<>(List.of(userId));
        for (String s : samples.subList(0, Math.min(samples.size(), 50))) {
            sql.append(" OR resources LIKE ?");
            args.add("%biosample_id%" + s + "%");
        }
        sql.append(")");
        if (since != null) {
            sql.append(" AND at >= ?");
            args.add(since);
        }
        // Their own console session is not someone else using their data (its caller id is console:<user id>).
        sql.append(" AND (actor_id IS NULL OR actor_id <> ?) ORDER BY seq DESC LIMIT ").append(Math.max(1, Math.min(limit, 1000)));
        args.add("console:" + userId);
        return jdbc.query(sql.toString(), AuditLog::entry, args.toArray());
    }

    /** Display names of the OAuth2 clients and partner apps among {@code ids}. */
    public java.util.Map<String, String> clientNames(List<String> ids) {
        java.util.Map<String, String> names = new java.util.HashMap<>();
        List<String> distinct = ids.stream().filter(java.util.Objects::nonNull).distinct().limit(500).toList();
        if (distinct.isEmpty()) return names;
        String marks = String.join(",", java.util.Collections.nCopies(distinct.size(), "?"));
        jdbc.query("SELECT client_id, name FROM oauth_clients WHERE client_id IN (" + marks + ")", rs -> names.put(rs.getString(1), rs.getString(2)),
                distinct.toArray());
        jdbc.query("SELECT app_key, name FROM private_apps WHERE app_key IN (" + marks + ")", rs -> names.put(rs.getString(1), rs.getString(2)),
                distinct.toArray());
        return names;
    }

    /** Where the chain breaks, if it does: the first entry whose hash or link does not hold. */
    public record Verification(long checked, Optional<Long> firstBrokenSeq, String reason) {}

    /**
     * Walks the chain from its oldest kept entry (older ones may have gone with the retention): each
     * entry's hash must be its fields' hash, its link the previous entry's hash, its seq the next
     * number, and the head must name the last entry.
     */
    public Verification verify() {
        flush();
        long[] checked = {0};
        Long[] broken = {null};
        String[] reason = {null};
        String[] prev = {null};
        long[] lastSeq = {0};
        jdbc.withConnection(c -> {
            // The head first: entries appended while the walk goes on are past it and not looked at.
            long headSeq;
            String headHash;
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, hash FROM audit_head WHERE id = 1"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                headSeq = rs.getLong(1);
                headHash = rs.getString(2);
            }
            c.setAutoCommit(false); // PostgreSQL streams rows with a fetch size only inside a transaction
            try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE seq <= ? ORDER BY seq")) {
                ps.setLong(1, headSeq);
                ps.setFetchSize(1000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next() && broken[0] == null) {
                        Entry e = entry(rs);
                        checked[0]++;
                        if (prev[0] != null && e.seq() != lastSeq[0] + 1) {
                            broken[0] = lastSeq[0] + 1;
                            reason[0] = "entry " + (lastSeq[0] + 1) + " is missing";
                        } else if (prev[0] != null && !prev[0].equals(e.prevHash())) {
                            broken[0] = e.seq();
                            reason[0] = "entry " + e.seq() + " does not link to entry " + lastSeq[0];
                        } else if (!e.computeHash().equals(e.hash())) {
                            broken[0] = e.seq();
                            reason[0] = "entry " + e.seq() + " was changed after it was written";
                        }
                        prev[0] = e.hash();
                        lastSeq[0] = e.seq();
                    }
                }
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
            if (broken[0] == null) {
                if (headSeq > lastSeq[0]) {
                    broken[0] = lastSeq[0] + 1;
                    reason[0] = "entries " + (lastSeq[0] + 1) + " to " + headSeq + " are missing";
                } else if (prev[0] != null && !prev[0].equals(headHash)) {
                    broken[0] = lastSeq[0];
                    reason[0] = "the chain's head does not name entry " + lastSeq[0];
                }
            }
            return null;
        });
        return new Verification(checked[0], Optional.ofNullable(broken[0]), reason[0]);
    }

    /** Forgets the ids of spools appended before {@code before}: a spool is appended within seconds, or at the next start. */
    public long forgetSpoolsBefore(OffsetDateTime before) {
        return jdbc.update("DELETE FROM audit_spools WHERE appended_at < ?", before);
    }

    /** Removes entries older than {@code before} (the retention); the chain stays verifiable from the oldest kept. */
    public long removeBefore(OffsetDateTime before) {
        flush();
        // Never the newest entry: it carries the chain's end.
        return jdbc.update("DELETE FROM audit_log WHERE at < ? AND seq < (SELECT seq FROM audit_head WHERE id = 1)", before);
    }

    private static final String SELECT = "SELECT seq, at, actor_kind, actor_id, user_id, credential, operation, resources, records, source,"
            + " request_id, outcome, prev_hash, hash FROM audit_log";

    private static Entry entry(ResultSet rs) throws SQLException {
        int records = rs.getInt(9);
        Integer boxed = rs.wasNull() ? null : records;
        return new Entry(rs.getLong(1), rs.getObject(2, OffsetDateTime.class).toInstant(), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), boxed, rs.getString(10), rs.getString(11), rs.getString(12),
                rs.getString(13), rs.getString(14));
    }

    /**
     * Control characters written as {@code \\uXXXX}: what a caller sends (a NUL in an id, say) is
     * recorded as sent, and every database stores it (PostgreSQL refuses NUL in text).
     */
    static String printable(String s) {
        if (s == null) return null;
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < 0x20 || ch == 0x7f) {
                if (out == null) out = new StringBuilder(s.substring(0, i));
                out.append(String.format("\\u%04x", (int) ch));
            } else if (out != null) {
                out.append(ch);
            }
        }
        return out == null ? s : out.toString();
    }

    static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    /** Stops the mover and appends what is spooled; later entries are appended by their callers. */
    @Override
    public void close() {
        synchronized (spoolLock) {
            closed = true;
        }
        if (writer != null) {
            LockSupport.unpark(writer);
            try {
                writer.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                moveSpooled();
            } catch (RuntimeException e) {
                LOG.warn("audit entries stay spooled for the next process on this data directory: {}", e.toString());
            }
        }
    }
}
