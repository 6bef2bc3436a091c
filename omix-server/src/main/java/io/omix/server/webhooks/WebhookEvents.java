package io.omix.server.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
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
    public static final String SAMPLE_ERASED = "sample.erased";

    /** The events each kind of owner can subscribe to (what can happen to what it sees). */
    public static final List<String> FOR_CLIENTS = List.of(SAMPLE_DATA_IMPORTED, STREAM_RECORDS_WRITTEN, TASK_FINISHED, MODEL_DEPLOYED,
            GRANT_REVOKED, USER_ERASED, SAMPLE_ERASED);
    public static final List<String> FOR_PRIVATE_APPS = List.of(SAMPLE_DATA_IMPORTED, STREAM_RECORDS_WRITTEN, BATCH_COMMITTED, TASK_FINISHED, SAMPLE_ERASED);
    public static final List<String> FOR_DATASET_KEYS = List.of(DATASET_JOB_FINISHED, TASK_FINISHED);

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WebhookEvents.class);

    private WebhookEvents() {}

    /** Queues {@code type} with {@code data} for every enabled endpoint of {@code owner} that chose it. */
    public static void publish(Connection tx, OffsetDateTime now, String owner, String type, Map<String, ?> data) throws SQLException {
        List<String> endpoints = subscribed(tx, owner, type);
        if (endpoints.isEmpty()) return;
        String eventId = eventId();
        String json = json(data);
        for (String webhookId : endpoints) insert(tx, now, webhookId, eventId, type, json, null, null, 0, now);
    }

    /**
     * Queues {@code type} for every application that may read this data of the sample: its private
     * app, the clients it was registered by or assigned to, and clients holding a grant of its person
     * that includes {@code scope} (the scope reading that data needs).
     */
    public static void publishForSample(Connection tx, OffsetDateTime now, String biosampleId, String scope, String type, Map<String, ?> data)
            throws SQLException {
        for (String owner : viewersOf(tx, biosampleId, scope, true)) publish(tx, now, owner, type, data);
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
     * may read the series (a private app's series: that app; the open platform's: the sample's clients
     * and the grant holders with the streams scope), the count growing while the window is open, so
     * that an application hears of a busy stream once a window, not once per record. Give all of a
     * transaction's writes in one call: rows are then touched in one order by every writer.
     */
    public static void recordsWritten(Connection tx, OffsetDateTime now, Duration window, List<SeriesWrite> writes) throws SQLException {
        // The common case costs one look in an index: nobody listens for stream writes.
        if (Jdbc.query(tx, "SELECT 1 FROM webhook_endpoints WHERE stream_events = TRUE AND enabled = TRUE LIMIT 1", rs -> 1).isEmpty()) return;
        long windowMillis = window.toMillis();
        long start = now.toInstant().toEpochMilli() / windowMillis * windowMillis;
        OffsetDateTime windowEnd = OffsetDateTime.ofInstant(java.time.Instant.ofEpochMilli(start + windowMillis), java.time.ZoneOffset.UTC);
        Map<Long, SeriesWrite> bySeries = new TreeMap<>();
        for (SeriesWrite w : writes) bySeries.merge(w.seriesId(), w, (a, b) -> new SeriesWrite(a.seriesId(), a.entityId(), a.dataElementId(),
                a.privateNamespace(), a.records() + b.records()));
        Map<String, String> sampleOf = new java.util.HashMap<>();
        Map<String, List<String>> endpointsOf = new java.util.HashMap<>();
        // (series, endpoint) pairs in one order for every writer, so that two transactions never wait on each other's rows.
        java.util.TreeMap<String, Object[]> pairs = new java.util.TreeMap<>();
        for (SeriesWrite w : bySeries.values()) {
            String biosampleId = sampleOf.computeIfAbsent(w.entityId(), entity -> {
                try {
                    return Jdbc.query(tx, "SELECT biosample_id FROM sample_entities WHERE entity_id = ?", rs -> rs.getString(1), entity)
                            .stream().findFirst().orElse(null);
                } catch (SQLException e) {
                    throw new Jdbc.DataAccessException(e);
                }
            });
            String readers = (w.privateNamespace() == null ? "open\n" : "app\n" + w.privateNamespace() + "\n") + biosampleId;
            List<String> endpoints = endpointsOf.get(readers);
            if (endpoints == null) {
                endpoints = new ArrayList<>();
                if (w.privateNamespace() != null) {
                    endpoints.addAll(subscribed(tx, "app:" + w.privateNamespace(), STREAM_RECORDS_WRITTEN));
                } else if (biosampleId != null) {
                    for (String owner : viewersOf(tx, biosampleId, "streams", false)) endpoints.addAll(subscribed(tx, owner, STREAM_RECORDS_WRITTEN));
                }
                endpointsOf.put(readers, endpoints);
            }
            for (String webhookId : endpoints) pairs.put(String.format("%020d/%s", w.seriesId(), webhookId), new Object[] {w, webhookId, biosampleId});
        }
        for (Object[] pair : pairs.values()) {
            SeriesWrite w = (SeriesWrite) pair[0];
            String webhookId = (String) pair[1];
            String key = w.seriesId() + "@" + start;
            if (grow(tx, webhookId, key, w.records())) continue;
            Map<String, Object> data = new java.util.LinkedHashMap<>();
            data.put("biosample_id", pair[2]);
            data.put("data_element_id", w.dataElementId());
            data.put("window_start", java.time.Instant.ofEpochMilli(start).toString());
            data.put("window_end", java.time.Instant.ofEpochMilli(start + windowMillis).toString());
            // The window's open delivery, unique by its key: a writer of the same window at once (another server, a request
            // written alone beside a group) made one first, and this one grows it instead; if that one was claimed
            // meanwhile, these records go in a delivery of their own, never in two.
            java.sql.Savepoint before = tx.setSavepoint();
            try {
                insert(tx, now, webhookId, eventId(), STREAM_RECORDS_WRITTEN, json(data), key, key, w.records(), windowEnd);
                tx.releaseSavepoint(before);
            } catch (SQLException taken) {
                if (!Jdbc.isIntegrityViolation(taken)) throw taken;
                tx.rollback(before);
                if (!grow(tx, webhookId, key, w.records())) {
                    insert(tx, now, webhookId, eventId(), STREAM_RECORDS_WRITTEN, json(data), key, null, w.records(), windowEnd);
                }
            }
        }
    }

    /**
     * Records written to one series in a transaction.
     *
     * @param privateNamespace the private app's namespace the series belongs to, or null for the open platform's
     */
    public record SeriesWrite(long seriesId, String entityId, String dataElementId, String privateNamespace, long records) {}

    /** Adds {@code records} to the open delivery of {@code key} (its window's, not claimed yet); false when there is none. */
    private static boolean grow(Connection tx, String webhookId, String key, long records) throws SQLException {
        return Jdbc.update(tx, "UPDATE webhook_deliveries SET coalesced = coalesced + ? WHERE webhook_id = ? AND open_key = ?"
                + " AND status = 'pending' AND attempts = 0 AND claimed_by IS NULL", records, webhookId, key) > 0;
    }

    /**
     * The deliveries one endpoint may have waiting (not yet delivered, nor given up): beyond, its events are not queued. A
     * receiver that never answers, fed by its own application's writes, grew its queue without end (a hundred thousand rows
     * a minute), every one of them kept for the retention time.
     */
    static final int MAX_WAITING_PER_ENDPOINT = 10_000;
    /** How long this server goes by an endpoint's last count of what it has waiting (plus what it queued since) before counting again. */
    static final long WAITING_COUNT_MILLIS = 10_000;

    /**
     * One endpoint's deliveries of one status in the order of their index (V58's webhook_deliveries_turns): named in full,
     * so that H2 walks the index and stops at a limit instead of reading them all and sorting.
     */
    static final String ALONG_ENDPOINT = " ORDER BY webhook_id, status, next_attempt_at, delivery_id";

    /** An endpoint's deliveries waiting, as counted at {@code countedAt} (epoch millis), plus those this server queued since. */
    private record Waiting(long countedAt, int count) {}

    /** The counts this server goes by, by endpoint (webhook ids are unique across servers in one process); emptied beyond 10,000 endpoints. */
    private static final Map<String, Waiting> WAITING = new java.util.concurrent.ConcurrentHashMap<>();
    private static final Map<String, Long> DROP_LOGGED = new java.util.concurrent.ConcurrentHashMap<>();

    /** @param openKey the key under which later writes grow this delivery ({@link #grow}), or null: none may */
    private static void insert(Connection tx, OffsetDateTime now, String webhookId, String eventId, String type, String data, String coalesceKey,
                               String openKey, long coalesced, OffsetDateTime firstAttempt) throws SQLException {
        // Counted once in a while (every writer's transactions queue behind stream writes' group commit: an endpoint at its
        // limit counted on every write made every tenant's writes wait), down the endpoint's index and no further than the
        // limit; in between, what this server queued is added to the last count. Other servers' rows show at the next count.
        long millis = now.toInstant().toEpochMilli();
        if (WAITING.size() > 10_000) WAITING.clear();   // counts of endpoints long gone, deleted ones among them: counted again when used
        if (DROP_LOGGED.size() > 10_000) DROP_LOGGED.clear();
        Waiting known = WAITING.get(webhookId);
        if (known == null || millis - known.countedAt() >= WAITING_COUNT_MILLIS || millis < known.countedAt()) {
            int counted = Jdbc.query(tx, "SELECT COUNT(*) FROM (SELECT delivery_id FROM webhook_deliveries WHERE webhook_id = ? AND status = 'pending'"
                    + ALONG_ENDPOINT + " LIMIT " + MAX_WAITING_PER_ENDPOINT + ") waiting", rs -> rs.getInt(1), webhookId).get(0);
            known = new Waiting(millis, counted);
            WAITING.put(webhookId, known);
        }
        if (known.count() >= MAX_WAITING_PER_ENDPOINT) {
            long minute = millis / 60_000;
            if (!Long.valueOf(minute).equals(DROP_LOGGED.put(webhookId, minute))) {
                LOG.warn("webhook {}: {} deliveries waiting already; its {} events are not queued until some are delivered or given up",
                        webhookId, MAX_WAITING_PER_ENDPOINT, type);
            }
            return;
        }
        int queued = Jdbc.update(tx, "INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, data, coalesce_key, open_key, coalesced, status, attempts,"
                        + " next_attempt_at, created_at) SELECT webhook_id, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ? FROM webhook_endpoints"
                        + " WHERE webhook_id = ?",
                eventId, type, data, coalesceKey, openKey, coalesced, firstAttempt, now, webhookId);
        if (queued == 1) WAITING.computeIfPresent(webhookId, (k, w) -> new Waiting(w.countedAt(), w.count() + 1));
    }

    /** The enabled endpoints of {@code owner} that chose {@code type}; none while the owner itself is disabled. */
    private static List<String> subscribed(Connection tx, String owner, String type) throws SQLException {
        List<String> out = new ArrayList<>(1);
        for (String[] row : Jdbc.query(tx, "SELECT webhook_id, events FROM webhook_endpoints WHERE owner = ? AND enabled = TRUE ORDER BY webhook_id",
                rs -> new String[] {rs.getString(1), rs.getString(2)}, owner)) {
            if ((" " + row[1] + " ").contains(" " + type + " ")) out.add(row[0]);
        }
        if (!out.isEmpty() && !io.omix.server.tasks.TasksCapability.ownerActive(tx, owner)) return List.of();
        return out;
    }

    /**
     * Turns off every enabled endpoint of {@code owner}, saying why (in the caller's transaction). For a rotated secret:
     * an endpoint registered with the leaked one would otherwise go on receiving the application's events; its owner
     * checks the list and turns on again what is theirs.
     */
    /**
     * Turns off {@code owner}'s endpoints because its secret was rotated ({@code whose}: "the application's", "the app's",
     * "the key's"): the leaked secret may have registered some, which its holder turns back on once it has checked them.
     */
    public static void disableEndpointsForRotation(Connection tx, String owner, java.time.OffsetDateTime now, String whose) throws SQLException {
        disableEndpointsOf(tx, owner, "disabled at " + now.toInstant() + ": " + whose + " secret was rotated; check that this endpoint is yours,"
                + " then turn it back on");
    }

    public static void disableEndpointsOf(Connection tx, String owner, String reason) throws SQLException {
        Jdbc.update(tx, "UPDATE webhook_endpoints SET enabled = FALSE, disabled_reason = ? WHERE owner = ? AND enabled = TRUE", reason, owner);
    }

    /**
     * The owners that may read {@code scope} data of a sample: its clients (registered by or assigned) whose own scopes
     * include {@code scope}, the clients holding a grant of its person that includes {@code scope} (and whose own scopes
     * still do), and (with {@code withApp}) the private app whose namespace it is in. An event tells what was written
     * for whom and when: nobody learns it who could not read the data itself.
     */
    /**
     * Everyone who could see a sample, whatever of it (its private app, its clients, the clients holding a grant of its
     * person): read before an erasure takes the rows that say so, and told once it is done ({@link #SAMPLE_ERASED}).
     */
    public static Set<String> everyViewerOf(Connection tx, String biosampleId) throws SQLException {
        return viewersOf(tx, biosampleId, null, true);
    }

    /** The scopes that read something of a sample: who holds one of them for it is told of its erasure. */
    private static final List<String> SAMPLE_DATA_SCOPES = List.of("samples", "variants", "microbiome", "streams", "files");

    /** Whether a space-separated list of scopes holds {@code scope}. */
    private static boolean holds(String scopes, String scope) {
        return scopes != null && (" " + scopes + " ").contains(" " + scope + " ");
    }

    private static Set<String> viewersOf(Connection tx, String biosampleId, String scope, boolean withApp) throws SQLException {
        Set<String> owners = new java.util.TreeSet<>();
        if (withApp) {
            owners.addAll(Jdbc.query(tx, "SELECT 'app:' || namespace FROM samples WHERE biosample_id = ? AND namespace IS NOT NULL",
                    rs -> rs.getString(1), biosampleId));
        }
        // Any scope: whoever could read something of the sample (a grant of its person that holds only her profile could not).
        List<String> words = scope == null ? SAMPLE_DATA_SCOPES : List.of(scope);
        // A sample registered on a person's behalf is the application's as far as the person's consent goes (SampleAccess).
        for (String[] assigned : Jdbc.query(tx, "SELECT sc.client_id, k.scopes, sc.for_user, g.scope FROM sample_clients sc"
                + " JOIN oauth_clients k ON k.client_id = sc.client_id LEFT JOIN oauth_consents g ON g.user_id = sc.for_user AND g.client_id = sc.client_id"
                + " WHERE sc.biosample_id = ?", rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)}, biosampleId)) {
            for (String word : words) {
                boolean consented = assigned[2] == null || assigned[3] != null && holds(assigned[3], word);
                if (consented && holds(assigned[1], word)) owners.add("client:" + assigned[0]);
            }
        }
        for (String[] grant : Jdbc.query(tx, "SELECT c.client_id, c.scope, k.scopes FROM oauth_consents c JOIN sample_users u ON u.user_id = c.user_id"
                + " JOIN oauth_clients k ON k.client_id = c.client_id WHERE u.biosample_id = ?",
                rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)}, biosampleId)) {
            for (String word : words) {
                if (holds(grant[1], word) && holds(grant[2], word)) owners.add("client:" + grant[0]);
            }
        }
        return owners;
    }

    /**
     * Whether {@code owner} may still be told of this event as it is sent: an event about a sample's data goes to an
     * application only while it reads that data (a grant revoked, a scope taken, a sample unassigned since the event was
     * queued, or before a redelivery, stops it). Events of other kinds, and a private app's, are not about what a
     * grant allows.
     */
    public static boolean stillAllowed(Connection c, String owner, String type, String data) throws SQLException {
        if (!owner.startsWith("client:")) return true;
        String scope;
        JsonNode event;
        try {
            event = ServerJson.MAPPER.readTree(data);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return false;
        }
        if (STREAM_RECORDS_WRITTEN.equals(type)) scope = "streams";
        else if (SAMPLE_DATA_IMPORTED.equals(type)) scope = event.path("data").asText();
        else return true;
        String biosampleId = event.path("biosample_id").asText(null);
        if (biosampleId == null) return true;
        return viewersOf(c, biosampleId, scope, false).contains(owner);
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
