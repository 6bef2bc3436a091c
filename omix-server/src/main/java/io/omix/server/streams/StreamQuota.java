package io.omix.server.streams;

import io.omix.server.Platform;
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

    private final Platform platform;
    private final Jdbc jdbc;
    private final long namespaceLimit;
    private final long sampleLimit;
    private final Map<String, Count> counts = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> writtenSince = new ConcurrentHashMap<>();
    /** One per platform: every way of writing (the stream APIs, FHIR) counts what this server wrote in one place. */
    private static final Map<Platform, StreamQuota> OF_PLATFORM = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    private StreamQuota(Platform platform) {
        this.platform = platform;
        this.jdbc = platform.database().jdbc();
        this.namespaceLimit = platform.config().quotas().streamRecordsPerNamespace();
        this.sampleLimit = platform.config().quotas().streamRecordsPerSample();
    }

    public static StreamQuota of(Platform platform) {
        return OF_PLATFORM.computeIfAbsent(platform, StreamQuota::new);
    }

    /** What a record counts against: its private namespace, or on the open platform its sample (entity). */
    private static String keyOf(String namespace, StreamStore.NewRecord record) {
        return namespace.equals(StreamStore.OPEN_PLATFORM) ? SAMPLE + record.entityId() : namespace;
    }

    /** Refuses (41401) a write of {@code records} that would take a namespace, or an open-platform sample, beyond its quota. */
    public void admit(String namespace, List<StreamStore.NewRecord> records) {
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
    public void wrote(String namespace, List<StreamStore.NewRecord> records, List<StreamStore.Written> written) {
        for (int i = 0; i < written.size(); i++) {
            if (written.get(i).problem() == null) writtenSince(keyOf(namespace, records.get(i))).increment();
        }
    }

    private LongAdder writtenSince(String namespace) {
        return writtenSince.computeIfAbsent(namespace, n -> new LongAdder());
    }

    private Count count(String namespace) {
        OffsetDateTime now = platform.now();
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

    /** Housekeeping: counts every private namespace's records, and the open platform's by sample. */
    static long countAll(Jdbc jdbc, OffsetDateTime now) {
        List<Object[]> rows = new java.util.ArrayList<>(jdbc.query("SELECT s.namespace, COUNT(*) FROM stream_records r JOIN stream_series s"
                + " ON s.series_id = r.series_id WHERE s.namespace <> ? GROUP BY s.namespace", rs -> new Object[] {rs.getString(1), rs.getLong(2)},
                StreamStore.OPEN_PLATFORM));
        rows.addAll(jdbc.query("SELECT s.entity_id, COUNT(*) FROM stream_records r JOIN stream_series s ON s.series_id = r.series_id"
                + " WHERE s.namespace = ? GROUP BY s.entity_id", rs -> new Object[] {SAMPLE + rs.getString(1), rs.getLong(2)}, StreamStore.OPEN_PLATFORM));
        jdbc.inTransaction(c -> {
            Jdbc.update(c, "DELETE FROM stream_usage");
            Jdbc.update(c, "INSERT INTO stream_usage (namespace, records, counted_at) VALUES (?, 0, ?)", COUNTED, now);
            for (Object[] row : rows) {
                Jdbc.update(c, "INSERT INTO stream_usage (namespace, records, counted_at) VALUES (?, ?, ?)", row[0], row[1], now);
            }
            return null;
        });
        return 0; // counts, removes nothing
    }
}
