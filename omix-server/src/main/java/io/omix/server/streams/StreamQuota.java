package io.omix.server.streams;

import io.omix.server.common.db.Jdbc;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ErrorCode;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The soft quotas on stream records: a private app's namespace ({@code streams.max-records-per-namespace}) and, on the
 * open platform, where people's applications write, each sample ({@code streams.max-records-per-sample}). What the
 * namespace or sample held at housekeeping's last count, plus what this server wrote to it since it read that count.
 * A write that would take the namespace beyond it is refused whole (41401). Soft: other servers' writes
 * since the count are seen only at the next count (every {@code housekeeping.interval-seconds}), so a
 * namespace can pass its quota by what the other servers write in that time; a hard count would need a
 * counter row that every write of the namespace updates, and writes of one series share their rows.
 */
public final class StreamQuota {
    /** How long a server trusts the count it read before reading it again. */
    static final Duration REREAD = Duration.ofSeconds(10);
    /** The row that says when the last count was made (a namespace without records has no row of its own): never a namespace. */
    private static final String COUNTED = "*";

    private record Count(long records, OffsetDateTime countedAt, OffsetDateTime readAt) {}

    /** What the open platform's samples are counted under: the prefix, then the sample's entity id. */
    private static final String SAMPLE = StreamStore.OPEN_PLATFORM + "/";

    /** How long a namespace's or sample's count stays known here after it was last read, when this server wrote nothing since. */
    static final Duration IDLE = Duration.ofMinutes(1);

    private final Jdbc jdbc;
    private final java.time.Clock clock;
    private final long namespaceLimit;
    private final long sampleLimit;
    private final Map<String, Count> counts = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> writtenSince = new ConcurrentHashMap<>();
    private volatile OffsetDateTime lastEviction;

    /** One per platform ({@link io.omix.server.Platform#streamQuota}): every way of writing (the stream APIs, FHIR) counts what this server wrote in one place. */
    public StreamQuota(Jdbc jdbc, java.time.Clock clock, io.omix.server.ServerConfig.Quotas quotas) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.namespaceLimit = quotas.streamRecordsPerNamespace();
        this.sampleLimit = quotas.streamRecordsPerSample();
        this.lastEviction = OffsetDateTime.now(clock);
    }

    /** What a record counts against: its private namespace, or on the open platform its sample (entity). */
    private static String keyOf(String namespace, StreamStore.NewRecord record) {
        return namespace.equals(StreamStore.OPEN_PLATFORM) ? SAMPLE + record.entityId() : namespace;
    }

    /**
     * Writes {@code records} with {@code store} within their quotas (refused whole beyond one: 41401), and counts what was
     * stored: the one way every writer (the stream APIs, FHIR) goes through the quota.
     */
    public List<StreamStore.Written> write(StreamStore store, String namespace, List<StreamStore.NewRecord> records, boolean duplicateEnabled,
                                           io.omix.server.common.auth.PendingNonce nonce) {
        admit(namespace, records);
        List<StreamStore.Written> written = store.write(namespace, records, duplicateEnabled, nonce);
        wrote(namespace, records, written);
        return written;
    }

    /** Refuses (41401) a write of {@code records} that would take a namespace, or an open-platform sample, beyond its quota. */
    private void admit(String namespace, List<StreamStore.NewRecord> records) {
        Map<String, Long> asked = new java.util.HashMap<>();
        for (StreamStore.NewRecord r : records) asked.merge(keyOf(namespace, r), 1L, Long::sum);
        for (Map.Entry<String, Long> e : asked.entrySet()) {
            boolean sample = e.getKey().startsWith(SAMPLE);
            long limit = sample ? sampleLimit : namespaceLimit;
            long held = count(e.getKey()).records() + writtenSince(e.getKey()).sum();
            if (held + e.getValue() > limit) {
                throw new ApiException(ErrorCode.QUOTA_EXCEEDED, Map.of("limit", sample ? "streams.max-records-per-sample" : "streams.max-records-per-namespace",
                        "room", Math.max(0, limit - held)));
            }
        }
    }

    /** Counts what a write stored ({@code written} in the order of {@code records}), until the next count is read. */
    private void wrote(String namespace, List<StreamStore.NewRecord> records, List<StreamStore.Written> written) {
        for (int i = 0; i < written.size(); i++) {
            if (written.get(i).problem() == null) writtenSince(keyOf(namespace, records.get(i))).increment();
        }
    }

    private LongAdder writtenSince(String namespace) {
        return writtenSince.computeIfAbsent(namespace, n -> new LongAdder());
    }

    private Count count(String namespace) {
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(java.time.ZoneOffset.UTC);
        evictIdle(now);
        Count known = counts.get(namespace);
        if (known != null && now.isBefore(known.readAt().plus(REREAD))) return known;
        // The namespace's row, or none when it held no records at the last count, whose time the marker row keeps.
        Count read = new Count(0, null, now);
        for (Object[] row : jdbc.query("SELECT namespace, records, counted_at FROM stream_usage WHERE namespace IN (?, ?)",
                rs -> new Object[] {rs.getString(1), rs.getLong(2), rs.getObject(3, OffsetDateTime.class)}, namespace, COUNTED)) {
            if (row[0].equals(namespace) || read.countedAt() == null) read = new Count((Long) row[1], (OffsetDateTime) row[2], now);
        }
        if (read.countedAt() != null && (known == null || known.countedAt() == null || read.countedAt().isAfter(known.countedAt()))) {
            // A newer count holds what this server wrote before it (and perhaps a little after: soft either way).
            writtenSince(namespace).reset();
        }
        counts.put(namespace, read);
        return read;
    }

    /**
     * Forgets, once a minute, the counts not read for {@link #IDLE} of what this server wrote nothing to since: one entry
     * per sample ever written would otherwise stay. Forgotten, a count is read again at the next write.
     */
    private void evictIdle(OffsetDateTime now) {
        if (now.isBefore(lastEviction.plus(IDLE))) return;
        lastEviction = now;
        OffsetDateTime before = now.minus(IDLE);
        counts.entrySet().removeIf(e -> e.getValue().readAt().isBefore(before) && nothingWrittenSince(e.getKey()));
        writtenSince.entrySet().removeIf(e -> !counts.containsKey(e.getKey()) && e.getValue().sum() == 0);
    }

    private boolean nothingWrittenSince(String namespace) {
        LongAdder written = writtenSince.get(namespace);
        return written == null || written.sum() == 0;
    }

    /** Housekeeping: counts every private namespace's records, and the open platform's by sample. */
    static long countAll(Jdbc jdbc, OffsetDateTime now) {
        jdbc.inTransaction(c -> {
            Jdbc.update(c, "DELETE FROM stream_usage");
            Jdbc.update(c, "INSERT INTO stream_usage (namespace, records, counted_at) VALUES (?, 0, ?)", COUNTED, now);
            // One statement each, however many namespaces and samples there are.
            Jdbc.update(c, "INSERT INTO stream_usage (namespace, records, counted_at) SELECT s.namespace, COUNT(*), ? FROM stream_records r"
                    + " JOIN stream_series s ON s.series_id = r.series_id WHERE s.namespace <> ? GROUP BY s.namespace", now, StreamStore.OPEN_PLATFORM);
            Jdbc.update(c, "INSERT INTO stream_usage (namespace, records, counted_at) SELECT '" + SAMPLE + "' || s.entity_id, COUNT(*), ? FROM stream_records r"
                    + " JOIN stream_series s ON s.series_id = r.series_id WHERE s.namespace = ? GROUP BY s.entity_id", now, StreamStore.OPEN_PLATFORM);
            return null;
        });
        return 0; // counts, removes nothing
    }
}
