package io.omix.server.audit;

import io.omix.server.common.db.Jdbc;
import io.omix.server.common.io.ByteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


import java.io.IOException;
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
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.omix.server.common.validation.Texts.cut;

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

    /** One access, as recorded. {@code seq}, {@code at} and the hashes are set when it is appended. */
    public record Entry(long seq, Instant at, String actorKind, String actorId, String userId, String credential, String operation,
                        String resources, Integer records, String source, String requestId, String outcome, String prevHash, String hash) {
        /** A new entry, not yet appended. */
        public static Entry of(String actorKind, String actorId, String userId, String credential, String operation, String resources,
                               Integer records, String source, String requestId, String outcome) {
            return new Entry(0, null, actorKind, printable(actorId, 200), printable(userId, 64), credential,
                    printable(operation, 200), printable(resources, 1000), records, printable(source, 64),
                    printable(requestId, 64), outcome, null, null);
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

        /**
         * The entry as shown to person {@code personId} (their audit page, their export): never the address it came from
         * or the chain's hash, and for an entry made by someone else about one of their samples ({@code ownSamples}), not
         * that other person's user id (nor their console session's), the request id, nor the other ids the request named,
         * only which of the person's samples it named.
         */
        public java.util.Map<String, Object> fieldsFor(String personId, java.util.Collection<String> ownSamples) {
            java.util.Map<String, Object> m = fields();
            m.remove("source");
            m.remove("hash");
            if (!personId.equals(userId)) {
                m.put("user_id", null);
                // Another person's console session is named by their user id; a request id is the caller's own choice.
                if (actorId != null && actorId.startsWith("console:")) m.put("actor_id", "console");
                // A signed link's reader is named by its grant (a token family, a session's hash): the other person's.
                if ("signed_link".equals(actorKind)) m.put("actor_id", null);
                m.remove("request_id");
                java.util.List<String> named = new java.util.ArrayList<>();
                if (resources != null) for (String s : ownSamples) if (resources.contains(s)) named.add("biosample_id=" + s);
                m.put("resources", named.isEmpty() ? null : String.join(" ", named));
            }
            return m;
        }

        /** The same entry at time {@code at} (when it happened; the chain keeps it). */
        Entry withAt(Instant at) {
            return new Entry(seq, at, actorKind, actorId, userId, credential, operation, resources, records, source, requestId, outcome, prevHash, hash);
        }

        /** The same entry, linked to the entry whose hash is {@code prevHash} (as stored, its link is implied by its place). */
        Entry linkedTo(String prevHash) {
            return new Entry(seq, at, actorKind, actorId, userId, credential, operation, resources, records, source, requestId, outcome, prevHash, hash);
        }

        /**
         * The entry at place {@code seq} of a chain, after the entry whose hash is {@code prevHash}; its own hash computed
         * under {@code key} (null: plain SHA-256, as entries were hashed before the chain was keyed).
         */
        public Entry appended(long seq, Instant at, String prevHash, ChainKey key) {
            Entry e = new Entry(seq, at, actorKind, actorId, userId, credential, operation, resources, records, source, requestId, outcome, prevHash, null);
            return new Entry(seq, at, actorKind, actorId, userId, credential, operation, resources, records, source, requestId, outcome, prevHash,
                    e.computeHash(key));
        }

        /**
         * HMAC-SHA256 under {@code key} (SHA-256 when null) over the previous hash and every field, one per line (a line
         * break inside a value is escaped).
         */
        String computeHash(ChainKey key) {
            // The UTF-8 of the lines, written straight into bytes (the mover hashes every entry it appends).
            ByteBuilder b = new ByteBuilder(384).utf8(String.valueOf(prevHash)).ascii('\n').number(seq).ascii('\n')
                    .ascii(io.omix.server.common.time.IsoInstant.format(at.truncatedTo(ChronoUnit.MICROS)));
            hashLine(b, actorKind);
            hashLine(b, actorId);
            hashLine(b, userId);
            hashLine(b, credential);
            hashLine(b, operation);
            hashLine(b, resources);
            b.ascii('\n');
            if (records != null) b.number(records);
            hashLine(b, source);
            hashLine(b, requestId);
            hashLine(b, outcome);
            if (key != null) return key.mac(b.array(), b.length());
            MessageDigest sha256 = SHA_256.get();
            sha256.update(b.array(), 0, b.length());
            return HexFormat.of().formatHex(sha256.digest());
        }

        /** A line break, then {@code value} (when not null) with a backslash written as two and a line break as backslash-n. */
        private static void hashLine(ByteBuilder b, String value) {
            b.ascii('\n');
            if (value == null) return;
            if (value.indexOf('\\') < 0 && value.indexOf('\n') < 0) {
                b.utf8(value);
                return;
            }
            StringBuilder s = new StringBuilder(value.length() + 8);
            for (int i = 0; i < value.length(); i++) {
                char ch = value.charAt(i);
                if (ch == '\\') s.append("\\\\");
                else if (ch == '\n') s.append("\\n");
                else s.append(ch);
            }
            b.utf8(s.toString());
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
    private final ChainKey key;
    private final Clock clock;
    private final boolean enabled;
    private final Path spoolDir;
    private final Thread writer;
    private volatile boolean closed;

    /** This process's current spool: the file entries are appended to, and the same entries in memory (guarded by spoolLock). */
    private final Object spoolLock = new Object();
    private Spool spool;
    /**
     * Requests hold it shared while they write their line to the spool; the mover holds it alone while
     * it takes the spool away, so a spool it moves has every line its entries' answers waited for.
     */
    private final java.util.concurrent.locks.ReentrantReadWriteLock rotation = new java.util.concurrent.locks.ReentrantReadWriteLock();
    /** Spools whose entries are written but not yet in the chain (the database refused or was away): retried. */
    private final java.util.ArrayDeque<Spool> unmoved = new java.util.ArrayDeque<>();
    private final java.util.concurrent.locks.ReentrantLock moveLock = new java.util.concurrent.locks.ReentrantLock();
    /** Spools opened (guarded by spoolLock), and the number of the last one moved into the chain (guarded by itself). */
    private long spoolsOpened;
    private final Object movedMonitor = new Object();
    private long movedThrough;

    /** One spool file, held locked by this process so that no other process moves it while it is written. */
    private static final class Spool {
        final String id = java.util.UUID.randomUUID().toString();
        /** This process's spools in the order they were opened (awaitMove waits for a number). */
        final long number;
        final Path file;
        final java.io.FileOutputStream out;
        final FileLock lock;
        final List<Entry> entries = new ArrayList<>();
        /** Each entry's spool line: the stored block is made of them. */
        final List<byte[]> lines = new ArrayList<>();

        Spool(Path dir, long number) throws IOException {
            this.number = number;
            Files.createDirectories(dir);
            file = Files.createFile(dir.resolve(SPOOL_PREFIX + id + ".ndjson"));
            java.io.FileOutputStream opened = null;
            try {
                opened = new java.io.FileOutputStream(file.toFile(), true);
                lock = opened.getChannel().tryLock();
            } catch (IOException | RuntimeException e) {
                // Not used: neither its descriptor nor its empty file stays (each refused request made one more before).
                if (opened != null) opened.close();
                Files.deleteIfExists(file);
                throw e;
            }
            out = opened;
        }

        /**
         * One write(2) to a file opened for appending: the kernel appends it whole whatever other
         * threads write meanwhile, so requests write their lines side by side without a lock (a group
         * write under one cost more in parked and woken threads than the calls it saved).
         */
        void write(byte[] line) throws IOException {
            out.write(line);
        }

        void delete() {
            try (java.io.FileOutputStream closing = out) {
                if (lock != null) lock.release();   // closing the stream releases it too, should this fail
            } catch (IOException e) {
                LOG.warn("audit spool {} could not be closed: {}", file, e.toString());
            }
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.warn("audit spool {} stays; it is appended once more only if its id is not recorded: {}", file, e.toString());
            }
        }
    }

    /**
     * @param key      the chain's key (derived from the master key for {@link ChainKey#PURPOSE})
     * @param enabled  false only to measure what the trail costs (audit.enabled)
     * @param spoolDir where this process spools entries (data.dir/audit-spool); spools other processes
     *                 left behind there are appended now
     */
    public AuditLog(Jdbc jdbc, ChainKey key, Clock clock, boolean enabled, Path spoolDir) {
        this.jdbc = jdbc;
        this.key = key;
        this.clock = clock;
        this.enabled = enabled;
        this.spoolDir = spoolDir;
        if (enabled) {
            moveRowsIntoBlocks();
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
        rotation.readLock().lock();
        try {
            Spool target;
            synchronized (spoolLock) {
                if (closed) {
                    append(List.of(timed));
                    return;
                }
                try {
                    if (spool == null) spool = new Spool(spoolDir, ++spoolsOpened);
                } catch (IOException e) {
                    LOG.error("audit entry not recorded (request {} refused its answer)", timed.requestId(), e);
                    throw new IllegalStateException("the audit entry could not be recorded", e);
                }
                spool.entries.add(timed);
                spool.lines.add(line);
                target = spool;
                wake = spool.entries.size() >= MOVE_AT_ENTRIES;
            }
            try {
                target.write(line);
            } catch (IOException e) {
                // The entry goes to the chain with the others; this answer is refused all the same.
                LOG.error("audit entry not written to the spool (request {} refused its answer)", timed.requestId(), e);
                throw new IllegalStateException("the audit entry could not be recorded", e);
            }
        } finally {
            rotation.readLock().unlock();
        }
        if (wake) LockSupport.unpark(writer);
    }

    /** The spool's line for {@code e} (not yet appended: no place in the chain). */
    static byte[] spoolLine(Entry e) throws IOException {
        return AuditBlock.line(e);
    }

    /** An entry from its spool line (this version's {@link #spoolLine}, or the record as earlier versions wrote it). */
    static Entry readSpoolLine(String line) throws IOException {
        return AuditBlock.read(line);
    }

    /** Appends this process's spooled entries to the chain now (listing and verifying call it first). */
    public void flush() {
        if (enabled) moveSpooled();
    }

    private void moveLoop() {
        long rounds = 0;
        while (!closed) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(MOVE_EVERY_MILLIS));
            try {
                moveSpooled();
                // While servers of an earlier version still run beside this one, their rows are moved in once a minute.
                if (++rounds % (60_000 / MOVE_EVERY_MILLIS) == 0) moveRowsIntoBlocks();
            } catch (RuntimeException e) {
                LOG.warn("audit entries stay spooled until the database takes them: {}", e.toString());
            }
        }
    }

    /**
     * Returns once the entries this process spooled so far are in the chain (at most a second), without
     * forcing a move: a person's views wait for the mover's next quarter-second round instead of each
     * cutting a block of their own.
     */
    private void awaitMove() {
        if (!enabled) return;
        long target;
        synchronized (spoolLock) {
            target = spoolsOpened;   // already moved when nothing is spooled
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        synchronized (movedMonitor) {
            while (movedThrough < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return;   // the database is slow or away: what is there is shown
                try {
                    TimeUnit.NANOSECONDS.timedWait(movedMonitor, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Closes the current spool (the next entry opens a new one) and appends every spool not yet moved. While spools
     * closed before wait for the database (away, or refusing), the current one stays open and grows: closing one every
     * round held a file, its descriptor and its lock for each quarter second of the outage (an hour's, 14,400), which
     * could leave the server no descriptors to reach the database again with.
     */
    private void moveSpooled() {
        moveLock.lock();
        try {
            for (int pass = 0; pass < 2; pass++) {
                boolean waiting = !unmoved.isEmpty();
                if (!waiting) {
                    rotation.writeLock().lock();   // no request is between taking its place in the spool and writing its line
                    try {
                        synchronized (spoolLock) {
                            if (spool != null) {
                                unmoved.add(spool);
                                spool = null;
                            }
                        }
                    } finally {
                        rotation.writeLock().unlock();
                    }
                }
                while (!unmoved.isEmpty()) {
                    Spool next = unmoved.peek();
                    appendSpool(next.id, next.entries, next.lines);
                    unmoved.poll();
                    next.delete();
                    synchronized (movedMonitor) {
                        movedThrough = Math.max(movedThrough, next.number);
                        movedMonitor.notifyAll();
                    }
                }
                if (!waiting) return;   // the current spool was moved in this pass; else, the backlog gone, it is now
            }
        } finally {
            moveLock.unlock();
        }
    }

    /** Appends a spool's entries and records its id in one transaction; nothing when its id is recorded already. */
    private void appendSpool(String spoolId, List<Entry> entries, List<byte[]> spoolLines) {
        if (entries.isEmpty()) return;
        jdbc.inTransaction(c -> {
            if (!Jdbc.query(c, "SELECT 1 FROM audit_spools WHERE spool_id = ?", rs -> 1, spoolId).isEmpty()) return null;
            Jdbc.update(c, "INSERT INTO audit_spools (spool_id, appended_at) VALUES (?, ?)", spoolId, OffsetDateTime.now(clock));
            append(c, entries, spoolLines);
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
                    appendSpool(id, entries, null);
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
        return jdbc.inTransaction(c -> append(c, entries, null));
    }

    /** Appends entries at the chain's end in {@code c}'s transaction (the head row stays locked until it ends). */
    private List<Entry> append(Connection c, List<Entry> entries, List<byte[]> spoolLines) throws SQLException {
        HeadRow head = readHead(c, " FOR UPDATE");
        long seq = head.seq();
        String prev = head.hash();
        boolean sealed = head.sealed();
        if (!sealed) {
            // Someone changed the head. Entries still go on (answers are not refused for it), but the head stays unsealed, so
            // that verify keeps reporting it and no copy of it is handed out (sealing it here would launder the change).
            LOG.error("audit chain's head at entry {} does not carry the chain key's seal: it was changed outside the platform;"
                    + " entries are appended after it and it stays unsealed until the chain is repaired (omix admin audit verify)", seq);
        }
        Instant at = clock.instant().truncatedTo(ChronoUnit.MICROS);
        List<Entry> written = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            // Stored to the microsecond, as both databases keep times (and as the hash has always taken them).
            // Always keyed: the chain was keyed (V39) before this version appended anything.
            Entry w = e.appended(++seq, e.at() != null ? e.at().truncatedTo(ChronoUnit.MICROS) : at, prev, key);
            prev = w.hash();
            written.add(w);
        }
        for (int[] r : AuditBlock.ranges(written)) {
            insertBlock(c, written.subList(r[0], r[1]), spoolLines == null ? null : spoolLines.subList(r[0], r[1]));
        }
        Jdbc.update(c, "UPDATE audit_head SET seq = ?, hash = ?, mac = ? WHERE id = 1", seq, prev, sealed ? key.mac(ChainKey.head(seq, prev)) : UNSEALED);
        return written;
    }

    /** The chain's head row: its last entry's seq and hash, and whether it carries the chain key's seal. */
    private record HeadRow(long seq, String hash, boolean sealed) {}

    /** Reads the head row in {@code c} ({@code lock}: {@code " FOR UPDATE"} to hold it until the transaction ends, or empty). */
    private HeadRow readHead(Connection c, String lock) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT seq, hash, mac FROM audit_head WHERE id = 1" + lock); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new HeadRow(rs.getLong(1), rs.getString(2), key.holds(ChainKey.head(rs.getLong(1), rs.getString(2)), rs.getString(3)));
        }
    }

    /** Stores appended entries as one block, with the keys it is found by. */
    private static void insertBlock(Connection c, List<Entry> block, List<byte[]> spoolLines) throws SQLException {
        AuditBlock.TimeSpan span = AuditBlock.TimeSpan.of(block);
        long firstSeq = block.get(0).seq();
        Jdbc.update(c, "INSERT INTO audit_blocks (first_seq, last_seq, first_at, last_at, entry_count, entries, entries_deflated) VALUES (?, ?, ?, ?, ?, '', ?)",
                firstSeq, block.get(block.size() - 1).seq(), OffsetDateTime.ofInstant(span.first(), ZoneOffset.UTC),
                OffsetDateTime.ofInstant(span.last(), ZoneOffset.UTC), block.size(), AuditBlock.encode(block, spoolLines));
        try (PreparedStatement keys = c.prepareStatement("INSERT INTO audit_block_keys (subject, first_seq) VALUES (?, ?)")) {
            for (String subject : AuditBlock.subjects(block)) {
                Jdbc.bind(keys, subject, firstSeq);
                keys.addBatch();
            }
            keys.executeBatch();
        }
    }

    /** Removes a block and its keys. */
    private static void deleteBlock(Connection c, long firstSeq) throws SQLException {
        Jdbc.update(c, "DELETE FROM audit_block_keys WHERE first_seq = ?", firstSeq);
        Jdbc.update(c, "DELETE FROM audit_blocks WHERE first_seq = ?", firstSeq);
    }

    /**
     * Moves entries an earlier version stored a row each (audit_log) into blocks, a thousand at a time,
     * each move one transaction under the chain's head lock (servers starting together take turns).
     */
    private void moveRowsIntoBlocks() {
        long[] after = {Long.MIN_VALUE};
        while (true) {
            int moved = jdbc.inTransaction(c -> {
                Jdbc.query(c, "SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE", rs -> rs.getLong(1));
                List<Entry> rows = Jdbc.query(c, "SELECT seq, at, actor_kind, actor_id, user_id, credential, operation, resources, records, source,"
                        + " request_id, outcome, prev_hash, hash FROM audit_log WHERE seq > ? ORDER BY seq LIMIT " + AuditBlock.MAX_ENTRIES, AuditLog::row,
                        after[0]);
                if (rows.isEmpty()) return 0;
                for (List<Entry> block : AuditBlock.split(rows)) insertBlock(c, block, null);
                after[0] = rows.get(rows.size() - 1).seq();
                Jdbc.update(c, "DELETE FROM audit_log WHERE seq <= ?", after[0]);
                return rows.size();
            });
            if (moved == 0) return;
            LOG.info("audit trail: {} entries moved into blocks", moved);
        }
    }

    private static Entry row(ResultSet rs) throws SQLException {
        int records = rs.getInt(9);
        Integer boxed = rs.wasNull() ? null : records;
        return new Entry(rs.getLong(1), rs.getObject(2, OffsetDateTime.class).toInstant(), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), boxed, rs.getString(10), rs.getString(11), rs.getString(12),
                rs.getString(13), rs.getString(14));
    }

    /** Filters for {@link #list}; null fields do not filter. */
    public record Query(String userId, String actorId, String sample, Instant since, Instant until, String operation, long afterSeq, int limit) {}

    /** How many blocks one read of the database brings (a block holds up to a thousand entries). */
    private static final int BLOCKS_A_READ = 32;
    /** Blocks a verification reads a statement (each up to a few hundred KB of deflated entries). */
    private static final int VERIFY_BLOCKS = 64;
    /** A person's view reads at most this many blocks a call (its newest; a call asks for at most 1,000 entries). */
    private static final int MAX_PERSON_BLOCKS = 256;

    /**
     * Entries matching {@code q}, oldest first, at most {@code q.limit()}. The blocks that can hold
     * them are found by key (person, caller, sample) and time; the entries are filtered as they are read.
     */
    public List<Entry> list(Query q) {
        flush();
        int limit = Math.max(1, Math.min(q.limit(), 100_000));
        String sample = q.sample() == null ? null : q.sample().replace("\\", "").replace("%", "");
        String operation = q.operation() == null ? null : q.operation().replace("\\", "").replace("%", "");
        String subject = q.userId() != null ? AuditBlock.user(q.userId()) : q.actorId() != null ? AuditBlock.actor(q.actorId())
                : AuditBlock.sample(sample);
        StringBuilder sql = new StringBuilder("SELECT b.first_seq, b.entries, b.entries_deflated FROM audit_blocks b WHERE b.last_seq > ? AND b.first_seq > ?");
        List<Object> args = new ArrayList<>(List.of(q.afterSeq()));
        if (subject != null) {
            sql.append(" AND b.first_seq IN (SELECT k.first_seq FROM audit_block_keys k WHERE k.subject = ?)");
        }
        if (q.since() != null) sql.append(" AND b.last_at >= ?");
        if (q.until() != null) sql.append(" AND b.first_at < ?");
        sql.append(" ORDER BY b.first_seq LIMIT ").append(BLOCKS_A_READ);
        List<Entry> out = new ArrayList<>();
        long after = Long.MIN_VALUE;
        while (out.size() < limit) {
            List<Object> page = new ArrayList<>(args);
            page.add(after);
            if (subject != null) page.add(subject);
            if (q.since() != null) page.add(OffsetDateTime.ofInstant(q.since(), ZoneOffset.UTC));
            if (q.until() != null) page.add(OffsetDateTime.ofInstant(q.until(), ZoneOffset.UTC));
            List<Object[]> blocks = jdbc.query(sql.toString(), rs -> new Object[] {rs.getLong(1), rs.getString(2), rs.getBytes(3)}, page.toArray());
            for (Object[] block : blocks) {
                for (Entry e : AuditBlock.decode((String) block[1], (byte[]) block[2])) {
                    // seq past the last taken: a block the retention rewrote between two reads comes back later
                    long last = out.isEmpty() ? q.afterSeq() : out.get(out.size() - 1).seq();
                    if (out.size() < limit && e.seq() > last && matches(e, q, sample, operation)) out.add(e);
                }
                after = (Long) block[0];
            }
            if (blocks.size() < BLOCKS_A_READ) break;
        }
        return out;
    }

    private static boolean matches(Entry e, Query q, String sample, String operation) {
        return (q.userId() == null || q.userId().equals(e.userId()))
                && (q.actorId() == null || q.actorId().equals(e.actorId()))
                && (sample == null || (e.resources() != null && e.resources().contains(sample)))
                && (q.since() == null || !e.at().isBefore(q.since()))
                && (q.until() == null || e.at().isBefore(q.until()))
                && (operation == null || e.operation().contains(operation));
    }

    /**
     * What was done with {@code userId}'s data by others, newest first: entries on their behalf and
     * entries naming one of their samples (partner apps reach samples, not people).
     */
    public List<Entry> listForPerson(String userId, OffsetDateTime since, int limit) {
        return personPage(userId, since, Long.MAX_VALUE, limit).entries();
    }

    /** A page of a person's entries, and the seq to read on before ({@code nextBefore}), null when there is no more. */
    public record PersonPage(List<Entry> entries, Long nextBefore) {}

    /** As above, of the entries before {@code beforeSeq} only: the next page after an entry of that seq. */
    public PersonPage personPage(String userId, OffsetDateTime since, long beforeSeq, int limit) {
        awaitMove();
        int max = Math.max(1, Math.min(limit, 1000));
        List<String> samples = jdbc.query("SELECT biosample_id FROM sample_users WHERE user_id = ?", rs -> rs.getString(1), userId);
        samples = samples.subList(0, Math.min(samples.size(), 50));
        List<String> subjects = new ArrayList<>(List.of(AuditBlock.person(userId)));
        for (String s : samples) subjects.add(AuditBlock.sampleKey(s));
        String marks = String.join(",", java.util.Collections.nCopies(subjects.size(), "?"));
        String sql = "SELECT DISTINCT b.first_seq, b.entries, b.entries_deflated FROM audit_blocks b JOIN audit_block_keys k ON k.first_seq = b.first_seq"
                + " WHERE k.subject IN (" + marks + ") AND b.first_seq < ?" + (since != null ? " AND b.last_at >= ?" : "")
                + " ORDER BY b.first_seq DESC LIMIT " + BLOCKS_A_READ;
        // Their own console session is not someone else using their data (its caller id is console:<user id>).
        String ownConsole = "console:" + userId;
        List<Entry> out = new ArrayList<>();
        long before = beforeSeq;
        boolean exhausted = false;
        for (int read = 0; out.size() < max && read < MAX_PERSON_BLOCKS; ) {
            List<Object> args = new ArrayList<>(subjects);
            args.add(before);
            if (since != null) args.add(since);
            List<Object[]> blocks = jdbc.query(sql, rs -> new Object[] {rs.getLong(1), rs.getString(2), rs.getBytes(3)}, args.toArray());
            for (Object[] block : blocks) {
                List<Entry> entries = AuditBlock.decode((String) block[1], (byte[]) block[2]);
                for (int i = entries.size() - 1; i >= 0 && out.size() < max; i--) {
                    Entry e = entries.get(i);
                    if (e.seq() >= beforeSeq || ownConsole.equals(e.actorId()) || (since != null && e.at().isBefore(since.toInstant()))) continue;
                    if (userId.equals(e.userId()) || namesSample(e, samples)) out.add(e);
                }
                before = (Long) block[0];
            }
            read += blocks.size();
            if (blocks.size() < BLOCKS_A_READ) {
                exhausted = true;
                break;
            }
        }
        // A full page goes on after its last entry; one cut short by the blocks read at once goes on where the reading stopped.
        Long next = out.size() >= max ? Long.valueOf(out.get(out.size() - 1).seq()) : exhausted ? null : Long.valueOf(before);
        return new PersonPage(out, next);
    }

    private static boolean namesSample(Entry e, List<String> samples) {
        if (e.resources() == null) return false;
        int at = e.resources().indexOf("biosample_id");
        if (at < 0) return false;
        for (String s : samples) {
            if (e.resources().indexOf(s, at) >= 0) return true;
        }
        return false;
    }

    /**
     * When each of {@code actorIds} last used {@code userId}'s data: the latest time of the pair's
     * entries, read from the blocks that name the pair, latest first, until no block left can hold a later one.
     */
    public java.util.Map<String, OffsetDateTime> lastUses(String userId, java.util.Collection<String> actorIds) {
        awaitMove();
        java.util.Map<String, OffsetDateTime> out = new java.util.HashMap<>();
        for (String actorId : actorIds.stream().distinct().limit(500).toList()) {
            Instant best = null;
            List<Object[]> blocks = jdbc.query("SELECT b.last_at, b.entries, b.entries_deflated FROM audit_blocks b JOIN audit_block_keys k ON k.first_seq = b.first_seq"
                    + " WHERE k.subject = ? ORDER BY b.last_at DESC LIMIT 16", rs -> new Object[] {rs.getObject(1, OffsetDateTime.class), rs.getString(2), rs.getBytes(3)},
                    AuditBlock.use(userId, actorId));
            for (Object[] block : blocks) {
                if (best != null && !((OffsetDateTime) block[0]).toInstant().isAfter(best)) break;
                for (Entry e : AuditBlock.decode((String) block[1], (byte[]) block[2])) {
                    if (userId.equals(e.userId()) && actorId.equals(e.actorId()) && (best == null || e.at().isAfter(best))) best = e.at();
                }
            }
            if (best != null) out.put(actorId, OffsetDateTime.ofInstant(best, ZoneOffset.UTC));
        }
        return out;
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
     * The chain's head as an operator copies it somewhere else: its last entry's seq and hash, written {@code seq:hash}.
     * The head's seal cannot tell an earlier head from the current one (someone who can write to the database and kept an
     * earlier head row could cut the entries after it and put the row back); a copy can: {@link #verify(Collection)}.
     */
    public record Head(long seq, String hash) {
        /** How a copy is written: a seq, a colon, 64 hex digits. */
        public static final java.util.regex.Pattern FORM = java.util.regex.Pattern.compile("([0-9]{1,18}):([0-9a-f]{64})");

        /** A copy as {@link #toString()} wrote it, or empty when {@code text} is not one. */
        public static Optional<Head> parse(String text) {
            java.util.regex.Matcher m = FORM.matcher(text.strip());
            return m.matches() ? Optional.of(new Head(Long.parseLong(m.group(1)), m.group(2))) : Optional.empty();
        }

        @Override
        public String toString() {
            return seq + ":" + hash;
        }
    }

    /**
     * The chain's head now (entries recorded so far appended first), to copy elsewhere.
     *
     * @throws IllegalStateException when the head row does not carry the chain key's seal: a copy of a head someone put
     *                               there would fail every later check against it
     */
    public Head head() {
        flush();
        HeadRow head = jdbc.withConnection(c -> readHead(c, ""));
        if (!head.sealed()) {
            throw new IllegalStateException("the audit chain's head was changed (it does not carry the chain key's seal): nothing to copy;"
                    + " omix admin audit verify says more");
        }
        return new Head(head.seq(), head.hash());
    }

    /** {@link #verify(Collection)} without copies of earlier heads. */
    public Verification verify() {
        return verify(List.of());
    }

    /**
     * Walks the chain from its oldest kept entry (older ones may have gone with the retention): each
     * entry's hash must be its fields' hash (under the chain key from the keyed-from seal's place on),
     * its link the previous entry's hash, its seq the next number; the oldest kept entry must start the
     * chain or be where a retention cut it (a sealed record of the cut), and the head must name the last
     * entry and carry its MAC. Each copy of an earlier head must be at or behind the head, and its entry, where the
     * retention kept it, must be the one it names: a head moved back, or a chain rewritten from before a copy, is found.
     */
    public Verification verify(Collection<Head> copies) {
        Verification first = verifyOnce(copies);
        // The walk reads the trail a few dozen blocks a statement: a retention cut made meanwhile (blocks removed, the one it
        // cuts rewritten) can look like entries gone. A change someone made is still there when the walk is done again.
        return first.firstBrokenSeq().isEmpty() ? first : verifyOnce(copies);
    }

    private Verification verifyOnce(Collection<Head> copies) {
        java.util.Map<Long, String> copied = new java.util.HashMap<>();
        for (Head copy : copies) {
            String before = copied.putIfAbsent(copy.seq(), copy.hash());
            if (before != null && !before.equals(copy.hash())) {
                return new Verification(0, Optional.of(copy.seq()), "two copies of the head name different entries " + copy.seq());
            }
        }
        Head newestCopy = copies.stream().max(java.util.Comparator.comparingLong(Head::seq)).orElse(null);
        flush();
        long[] checked = {0};
        Long[] broken = {null};
        String[] reason = {null};
        String[] prev = {null};
        long[] lastSeq = {0};
        jdbc.withConnection(c -> {
            // The head first: entries appended while the walk goes on are past it and not looked at.
            HeadRow head = readHead(c, "");
            long headSeq = head.seq();
            String headHash = head.hash();
            if (!head.sealed()) {
                broken[0] = headSeq;
                reason[0] = "the chain's head was changed (it does not carry the chain key's seal)";
                return null;
            }
            if (newestCopy != null && newestCopy.seq() > headSeq) {
                broken[0] = headSeq + 1;
                reason[0] = "the chain's head is entry " + headSeq + ", behind a copy of it taken at entry " + newestCopy.seq()
                        + ": the entries after " + headSeq + " were removed and an earlier head put back";
                return null;
            }
            Seals seals = seals(c);
            if (seals.keyedFrom() == null) {
                broken[0] = 1L;
                reason[0] = "the record of where the chain was keyed is missing or was changed";
                return null;
            }
            c.setAutoCommit(false); // PostgreSQL streams rows with a fetch size only inside a transaction
            // VERIFY_BLOCKS blocks a statement, each after the last one read: the embedded store holds a statement's whole
            // result before its first row, and one statement for the whole trail held every block of it.
            try (PreparedStatement ps = c.prepareStatement("SELECT first_seq, last_seq, first_at, last_at, entry_count, entries, entries_deflated FROM audit_blocks"
                    + " WHERE first_seq > ? AND first_seq <= ? ORDER BY first_seq LIMIT " + VERIFY_BLOCKS);
                 PreparedStatement keysOf = c.prepareStatement("SELECT subject FROM audit_block_keys WHERE first_seq = ?")) {
                long after = Long.MIN_VALUE;
                for (int read = VERIFY_BLOCKS; read == VERIFY_BLOCKS && broken[0] == null; ) {
                    read = 0;
                    Jdbc.bind(ps, after, headSeq);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next() && broken[0] == null) {
                            read++;
                            long firstSeq = rs.getLong(1);
                            after = firstSeq;
                            List<Entry> entries;
                            try {
                                entries = AuditBlock.decode(rs.getString(6), rs.getBytes(7));
                            } catch (RuntimeException unreadable) {
                                broken[0] = firstSeq;
                                reason[0] = "the block from entry " + firstSeq + " was changed after it was written (it cannot be read)";
                                break;
                            }
                            // What finds a block (its bounds, times and keys) must be what it holds: else entries could be hidden from
                            // a person's view or a search while every hash still holds.
                            String misfiled = misfiled(rs, entries, keys(keysOf, firstSeq));
                            if (misfiled != null) {
                                broken[0] = firstSeq;
                                reason[0] = "the block from entry " + firstSeq + " was changed after it was written (" + misfiled + ")";
                                break;
                            }
                            for (Entry e : entries) {
                                if (broken[0] != null) break;
                                checked[0]++;
                                if (prev[0] == null && !startsTheKeptChain(e, seals)) {
                                    broken[0] = e.seq();
                                    reason[0] = e.seq() == 1 ? "entry 1 does not start the chain"
                                            : "entries before " + e.seq() + " were removed, and not by the retention (no sealed record of that cut)";
                                } else if (e.seq() > headSeq) {
                                    broken[0] = e.seq();
                                    reason[0] = "entry " + e.seq() + " is past the chain's head";
                                } else if (prev[0] != null && e.seq() != lastSeq[0] + 1) {
                                    broken[0] = lastSeq[0] + 1;
                                    reason[0] = "entry " + (lastSeq[0] + 1) + " is missing";
                                } else if (prev[0] != null && !prev[0].equals(e.prevHash())) {
                                    broken[0] = e.seq();
                                    reason[0] = "entry " + e.seq() + " does not link to entry " + lastSeq[0];
                                } else if (!e.computeHash(e.seq() >= seals.keyedFrom() ? key : null).equals(e.hash())) {
                                    broken[0] = e.seq();
                                    reason[0] = "entry " + e.seq() + " was changed after it was written";
                                } else if (copied.containsKey(e.seq()) && !copied.get(e.seq()).equals(e.hash())) {
                                    broken[0] = e.seq();
                                    reason[0] = "entry " + e.seq() + " is not the one a copy of the head taken at it names (the chain was rewritten from there)";
                                }
                                prev[0] = e.hash();
                                lastSeq[0] = e.seq();
                            }
                        }
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

    /** The chain's seals whose MACs hold: where it was keyed, and where retention cut it (seq to the link the cut left). */
    private record Seals(Long keyedFrom, java.util.Map<Long, String> cuts) {}

    private Seals seals(Connection c) throws SQLException {
        Long keyedFrom = null;
        java.util.Map<Long, String> cuts = new java.util.HashMap<>();
        for (Object[] seal : Jdbc.query(c, "SELECT kind, seq, prev_hash, mac FROM audit_seals",
                rs -> new Object[] {rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4)})) {
            String kind = (String) seal[0];
            long seq = (Long) seal[1];
            if (!key.holds(ChainKey.seal(kind, seq, (String) seal[2]), (String) seal[3])) continue;
            if (KEYED_FROM.equals(kind)) keyedFrom = seq;
            else if (CUT.equals(kind)) cuts.put(seq, (String) seal[2]);
        }
        return new Seals(keyedFrom, cuts);
    }

    /** Whether {@code first}, the oldest entry kept, is the chain's first or the place a sealed retention cut left. */
    private static boolean startsTheKeptChain(Entry first, Seals seals) {
        if (first.seq() == 1) return GENESIS.equals(first.prevHash());
        return first.prevHash() != null && first.prevHash().equals(seals.cuts().get(first.seq()));
    }

    static final String KEYED_FROM = "keyed-from";
    /** The head's MAC once someone changed it: never a valid one (64 characters, not hex). */
    static final String UNSEALED = "unsealed-" + "-".repeat(55);
    static final String CUT = "cut";

    private static java.util.Set<String> keys(PreparedStatement keysOf, long firstSeq) throws SQLException {
        keysOf.setLong(1, firstSeq);
        java.util.Set<String> keys = new java.util.TreeSet<>();
        try (ResultSet rs = keysOf.executeQuery()) {
            while (rs.next()) keys.add(rs.getString(1));
        }
        return keys;
    }

    /** What of a block's row (first_seq, last_seq, first_at, last_at, entry_count) and keys disagrees with its entries, or null. */
    private static String misfiled(ResultSet row, List<Entry> entries, java.util.Set<String> keys) throws SQLException {
        if (entries.isEmpty()) return "no entries";
        AuditBlock.TimeSpan span = AuditBlock.TimeSpan.of(entries);
        if (row.getLong(1) != entries.get(0).seq() || row.getLong(2) != entries.get(entries.size() - 1).seq()) return "its bounds";
        if (!row.getObject(3, OffsetDateTime.class).toInstant().equals(span.first())
                || !row.getObject(4, OffsetDateTime.class).toInstant().equals(span.last())) {
            return "its times";
        }
        if (row.getInt(5) != entries.size()) return "its count";
        if (!keys.equals(AuditBlock.subjects(entries))) return "its keys";
        return null;
    }

    /** Forgets the ids of spools appended before {@code before}: a spool is appended within seconds, or at the next start. */
    public long forgetSpoolsBefore(OffsetDateTime before) {
        return jdbc.update("DELETE FROM audit_spools WHERE appended_at < ?", before);
    }

    /**
     * Removes entries older than {@code before} (the retention) as a prefix of the chain, so that what
     * is kept verifies without a hole: the cut is the first entry that is newer, or that comes after it
     * in the chain. Servers' clocks and a crashed server's spool appended later put older times after
     * newer ones; cutting by time alone left holes that verification reported as missing entries.
     * Those older entries go once everything before them has. Never the newest entry: it carries the
     * chain's end.
     */
    public long removeBefore(OffsetDateTime before) {
        flush();
        return jdbc.inTransaction(c -> {
            // The head row, locked: one removal at a time, and appends wait for it.
            long headSeq = Jdbc.query(c, "SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE", rs -> rs.getLong(1)).get(0);
            // The first block holding anything newer (or the chain's end): everything before it goes, whole.
            long cutBlock = Jdbc.query(c, "SELECT MIN(first_seq) FROM audit_blocks WHERE last_at >= ? OR last_seq >= ?",
                    rs -> rs.getObject(1) == null ? Long.MAX_VALUE : rs.getLong(1), before, headSeq).get(0);
            long removed = 0;
            List<long[]> old = Jdbc.query(c, "SELECT first_seq, entry_count FROM audit_blocks WHERE first_seq < ?",
                    rs -> new long[] {rs.getLong(1), rs.getLong(2)}, cutBlock);
            for (long[] block : old) {
                deleteBlock(c, block[0]);
                removed += block[1];
            }
            // In that block (one server's entries, in time order), its older first entries.
            List<List<Entry>> first = Jdbc.query(c, "SELECT entries, entries_deflated FROM audit_blocks WHERE first_seq = ? AND first_at < ?",
                    rs -> AuditBlock.decode(rs.getString(1), rs.getBytes(2)), cutBlock, before);
            if (!first.isEmpty()) {
                List<Entry> entries = first.get(0);
                int drop = 0;
                while (drop < entries.size() && entries.get(drop).at().isBefore(before.toInstant()) && entries.get(drop).seq() < headSeq) drop++;
                if (drop > 0) {
                    deleteBlock(c, cutBlock);
                    insertBlock(c, entries.subList(drop, entries.size()), null);
                    removed += drop;
                }
            }
            if (removed > 0) sealCut(c, key, clock.instant());
            return removed;
        });
    }

    /**
     * Records, sealed with the chain key, where the chain now starts (its oldest kept entry and that entry's link), so that
     * verification tells a retention's cut from entries removed by someone without the key; older cut records go.
     */
    static void sealCut(Connection c, ChainKey key, Instant now) throws SQLException {
        List<List<Entry>> oldest = Jdbc.query(c, "SELECT entries, entries_deflated FROM audit_blocks ORDER BY first_seq LIMIT 1",
                rs -> AuditBlock.decode(rs.getString(1), rs.getBytes(2)));
        if (oldest.isEmpty()) return;
        Entry first = oldest.get(0).get(0);
        Jdbc.update(c, "DELETE FROM audit_seals WHERE kind = ? AND seq <= ?", CUT, first.seq());
        insertSeal(c, key, CUT, first.seq(), first.prevHash(), now);
    }

    /** Stores a seal of kind {@code kind} at entry {@code seq} (whose link is {@code prevHash}), its MAC under {@code key}. */
    static void insertSeal(Connection c, ChainKey key, String kind, long seq, String prevHash, Instant now) throws SQLException {
        Jdbc.update(c, "INSERT INTO audit_seals (kind, seq, prev_hash, made_at, mac) VALUES (?, ?, ?, ?, ?)", kind, seq, prevHash,
                OffsetDateTime.ofInstant(now, java.time.ZoneOffset.UTC), key.mac(ChainKey.seal(kind, seq, prevHash)));
    }

    /**
     * Control characters written as {@code \\uXXXX}: what a caller sends (a NUL in an id, say) is
     * recorded as sent, and every database stores it (PostgreSQL refuses NUL in text).
     */
    /**
     * {@link #printable} within {@code max} characters as written: cut after its escapes are made (each control character
     * is six), never through one.
     */
    static String printable(String s, int max) {
        String p = printable(s);
        if (p == null || p.length() <= max) return p;
        String c = cut(p, max);
        int escape = c.lastIndexOf("\\u");
        return escape >= 0 && escape > c.length() - 6 && p.startsWith("\\u", escape) ? c.substring(0, escape) : c;
    }

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

    /** The chain's key: what another process on the same database (omix admin) appends and verifies with. */
    public ChainKey chainKey() {
        return key;
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
