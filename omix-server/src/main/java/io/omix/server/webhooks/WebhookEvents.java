package io.omix.server.webhooks;

import io.omix.server.common.auth.Secrets;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.http.ServerJson;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Announces a change to the endpoints that asked for it: one delivery row per endpoint, written in
 * the transaction of the change itself, so that an event exists exactly when its change committed
 * (a crash loses neither; a rolled-back change announces nothing). {@link WebhookDispatcher} sends them.
 * <p>Endpoints belong to an owner named as tasks name theirs: {@code client:<client_id>},
 * {@code app:<namespace>} (a private app) or {@code dsk:<api key>} (a dataset key).
 */
public final class WebhookEvents {
    public static final String SAMPLE_DATA_IMPORTED = "sample.data_imported";
    public static final String STREAM_RECORDS_WRITTEN = "stream.records_written";
    public static final String BATCH_COMMITTED = "batch.committed";
    public static final String TASK_FINISHED = "task.finished";
    public static final String DATASET_JOB_FINISHED = "dataset.job_finished";
    public static final String MODEL_DEPLOYED = "model.deployed";
    public static final String GRANT_REVOKED = "grant.revoked";
    public static final String USER_ERASED = "user.erased";

    /** The events each kind of owner can subscribe to (what can happen to what it sees). */
    public static final List<String> FOR_CLIENTS = List.of(SAMPLE_DATA_IMPORTED, STREAM_RECORDS_WRITTEN, TASK_FINISHED, MODEL_DEPLOYED,
            GRANT_REVOKED, USER_ERASED);
    public static final List<String> FOR_PRIVATE_APPS = List.of(SAMPLE_DATA_IMPORTED, STREAM_RECORDS_WRITTEN, BATCH_COMMITTED, TASK_FINISHED);
    public static final List<String> FOR_DATASET_KEYS = List.of(DATASET_JOB_FINISHED, TASK_FINISHED);

    private WebhookEvents() {}

    /** Queues {@code type} with {@code data} for every enabled endpoint of {@code owner} that chose it. */
    public static void publish(Connection tx, OffsetDateTime now, String owner, String type, Map<String, ?> data) throws SQLException {
        List<String> endpoints = subscribed(tx, owner, type);
        if (endpoints.isEmpty()) return;
        String eventId = eventId();
        String json = json(data);
        for (String webhookId : endpoints) insert(tx, now, webhookId, eventId, type, json, null, 0, now);
    }

    /** Queues {@code type} for every application that can see the sample (its private app, its clients, apps its people granted). */
    public static void publishForSample(Connection tx, OffsetDateTime now, String biosampleId, String type, Map<String, ?> data) throws SQLException {
        for (String owner : viewersOf(tx, biosampleId)) publish(tx, now, owner, type, data);
    }

    /** Queues {@code type} for every client application that holds (or held until this transaction) a grant of the person. */
    public static void publishForGrantHolders(Connection tx, OffsetDateTime now, String userId, String type, Map<String, ?> data) throws SQLException {
        for (String owner : grantHolders(tx, userId)) publish(tx, now, owner, type, data);
    }

    /** The owners that hold a grant of the person: read before a change that removes the grants. */
    public static Set<String> grantHolders(Connection tx, String userId) throws SQLException {
        return new LinkedHashSet<>(Jdbc.query(tx, "SELECT 'client:' || client_id FROM oauth_consents WHERE user_id = ?"
                + " UNION SELECT 'client:' || client_id FROM oauth_tokens WHERE user_id = ?", rs -> rs.getString(1), userId, userId));
    }

    /**
     * Records written to stream series: one event per series and window for every application that
     * sees the series' sample (the count grows while the window is open), so an application hears of
     * a busy stream once a window, not once per record.
     */
    public static void recordsWritten(Connection tx, OffsetDateTime now, Duration window, List<SeriesWrite> writes) throws SQLException {
        // The common case costs one indexed look: nobody listens for stream writes.
        if (Jdbc.query(tx, "SELECT 1 FROM webhook_endpoints WHERE enabled = TRUE AND events LIKE ?", rs -> 1, "%" + STREAM_RECORDS_WRITTEN + "%")
                .isEmpty()) return;
        long windowMillis = window.toMillis();
        long start = now.toInstant().toEpochMilli() / windowMillis * windowMillis;
        OffsetDateTime windowEnd = OffsetDateTime.ofInstant(java.time.Instant.ofEpochMilli(start + windowMillis), java.time.ZoneOffset.UTC);
        Map<Long, SeriesWrite> bySeries = new TreeMap<>(); // one order for every writer, so that two never wait on each other's rows
        for (SeriesWrite w : writes) bySeries.merge(w.seriesId(), w, (a, b) -> new SeriesWrite(a.seriesId(), a.entityId(), a.dataElementId(), a.records() + b.records()));
        Map<String, List<String>> endpointsOfEntity = new java.util.HashMap<>();
        for (SeriesWrite w : bySeries.values()) {
            List<String> endpoints = endpointsOfEntity.get(w.entityId());
            String biosampleId = Jdbc.query(tx, "SELECT biosample_id FROM sample_entities WHERE entity_id = ?", rs -> rs.getString(1), w.entityId())
                    .stream().findFirst().orElse(null);
            if (endpoints == null) {
                endpoints = new ArrayList<>();
                if (biosampleId != null) for (String owner : viewersOf(tx, biosampleId)) endpoints.addAll(subscribed(tx, owner, STREAM_RECORDS_WRITTEN));
                endpointsOfEntity.put(w.entityId(), endpoints);
            }
            for (String webhookId : endpoints) {
                String key = w.seriesId() + "@" + start;
                int grown = Jdbc.update(tx, "UPDATE webhook_deliveries SET coalesced = coalesced + ? WHERE webhook_id = ? AND coalesce_key = ?"
                        + " AND status = 'pending' AND attempts = 0 AND claimed_by IS NULL", w.records(), webhookId, key);
                if (grown == 0) {
                    Map<String, Object> data = new java.util.LinkedHashMap<>();
                    data.put("biosample_id", biosampleId);
                    data.put("data_element_id", w.dataElementId());
                    data.put("window_start", java.time.Instant.ofEpochMilli(start).toString());
                    data.put("window_end", java.time.Instant.ofEpochMilli(start + windowMillis).toString());
                    insert(tx, now, webhookId, eventId(), STREAM_RECORDS_WRITTEN, json(data), key, w.records(), windowEnd);
                }
            }
        }
    }

    /** Records written to one series in a transaction. */
    public record SeriesWrite(long seriesId, String entityId, String dataElementId, long records) {}

    private static void insert(Connection tx, OffsetDateTime now, String webhookId, String eventId, String type, String data, String coalesceKey,
                               long coalesced, OffsetDateTime firstAttempt) throws SQLException {
        Jdbc.update(tx, "INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, data, coalesce_key, coalesced, status, attempts,"
                        + " next_attempt_at, created_at) SELECT webhook_id, ?, ?, ?, ?, ?, 'pending', 0, ?, ? FROM webhook_endpoints"
                        + " WHERE webhook_id = ?",
                eventId, type, data, coalesceKey, coalesced, firstAttempt, now, webhookId);
    }

    /** The enabled endpoints of {@code owner} that chose {@code type}. */
    private static List<String> subscribed(Connection tx, String owner, String type) throws SQLException {
        List<String> out = new ArrayList<>(1);
        for (String[] row : Jdbc.query(tx, "SELECT webhook_id, events FROM webhook_endpoints WHERE owner = ? AND enabled = TRUE",
                rs -> new String[] {rs.getString(1), rs.getString(2)}, owner)) {
            if ((" " + row[1] + " ").contains(" " + type + " ")) out.add(row[0]);
        }
        return out;
    }

    private static Set<String> viewersOf(Connection tx, String biosampleId) throws SQLException {
        return new LinkedHashSet<>(Jdbc.query(tx, "SELECT 'app:' || namespace FROM samples WHERE biosample_id = ? AND namespace IS NOT NULL"
                        + " UNION SELECT 'client:' || client_id FROM sample_clients WHERE biosample_id = ?"
                        + " UNION SELECT 'client:' || c.client_id FROM oauth_consents c JOIN sample_users u ON u.user_id = c.user_id"
                        + " WHERE u.biosample_id = ?",
                rs -> rs.getString(1), biosampleId, biosampleId, biosampleId));
    }

    static String eventId() {
        return "evt_" + Secrets.alphanumeric(24);
    }

    private static String json(Object data) {
        try {
            return ServerJson.MAPPER.writeValueAsString(data);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
