package io.omix.server.webhooks;

import io.omix.server.common.db.Jdbc;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Webhook endpoints and their deliveries, always read through their owner (another owner's id is unknown). */
final class WebhookStore {
    static final int MAX_ENDPOINTS_PER_OWNER = 20;

    record Endpoint(String webhookId, String owner, String url, List<String> events, String secretSealed, boolean enabled,
                    String disabledReason, OffsetDateTime createdAt) {
        Map<String, Object> view() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("webhook_id", webhookId);
            m.put("url", url);
            m.put("events", events);
            m.put("enabled", enabled);
            if (disabledReason != null) m.put("disabled_reason", disabledReason);
            m.put("created_at", createdAt.toInstant().toString());
            return m;
        }
    }

    private final Jdbc jdbc;

    WebhookStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    private static final String ENDPOINT = "SELECT webhook_id, owner, url, events, secret_sealed, enabled, disabled_reason, created_at FROM webhook_endpoints";

    private static Endpoint endpoint(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Endpoint(rs.getString(1), rs.getString(2), rs.getString(3), Arrays.asList(rs.getString(4).split(" ")), rs.getString(5),
                rs.getBoolean(6), rs.getString(7), rs.getObject(8, OffsetDateTime.class));
    }

    /** Registers an endpoint; false when the owner already has as many as allowed. */
    boolean create(Endpoint e) {
        for (int attempt = 0; ; attempt++) {
            try {
                return jdbc.inTransaction(c -> {
                    // The owner's count row is locked by the update, so that two creations at once cannot pass the limit together.
                    int counted = Jdbc.update(c, "UPDATE webhook_owners SET endpoints = endpoints + 1 WHERE owner = ? AND endpoints < ?",
                            e.owner(), MAX_ENDPOINTS_PER_OWNER);
                    if (counted == 0) {
                        if (!Jdbc.query(c, "SELECT 1 FROM webhook_owners WHERE owner = ?", rs -> 1, e.owner()).isEmpty()) return false;
                        Jdbc.update(c, "INSERT INTO webhook_owners (owner, endpoints) VALUES (?, 1)", e.owner());
                    }
                    Jdbc.update(c, "INSERT INTO webhook_endpoints (webhook_id, owner, url, events, stream_events, secret_sealed, enabled, created_at)"
                                    + " VALUES (?,?,?,?,?,?,TRUE,?)", e.webhookId(), e.owner(), e.url(), String.join(" ", e.events()),
                            e.events().contains(WebhookEvents.STREAM_RECORDS_WRITTEN), e.secretSealed(), e.createdAt());
                    return true;
                });
            } catch (Jdbc.DataAccessException raced) {
                // Two first creations of one owner at once: one inserted its count row; the other counts on it.
                if (attempt >= 2 || !raced.isIntegrityViolation()) throw raced;
            }
        }
    }

    List<Endpoint> list(String owner) {
        return jdbc.query(ENDPOINT + " WHERE owner = ? ORDER BY created_at, webhook_id", WebhookStore::endpoint, owner);
    }

    Optional<Endpoint> find(String owner, String webhookId) {
        return jdbc.queryOne(ENDPOINT + " WHERE owner = ? AND webhook_id = ?", WebhookStore::endpoint, owner, webhookId);
    }

    Optional<Endpoint> find(String webhookId) {
        return jdbc.queryOne(ENDPOINT + " WHERE webhook_id = ?", WebhookStore::endpoint, webhookId);
    }

    /** Removes an endpoint of {@code owner} with its deliveries and their attempts (pending ones are not sent). */
    boolean delete(String owner, String webhookId) {
        return jdbc.inTransaction(c -> {
            // The owner is checked by the delete itself; the deliveries go with it (ON DELETE CASCADE), endpoint row first.
            if (Jdbc.update(c, "DELETE FROM webhook_endpoints WHERE owner = ? AND webhook_id = ?", owner, webhookId) != 1) return false;
            Jdbc.update(c, "UPDATE webhook_owners SET endpoints = endpoints - 1 WHERE owner = ?", owner);
            return true;
        });
    }

    /** Turns a disabled endpoint back on; its pending deliveries resume. */
    boolean enable(String owner, String webhookId) {
        return jdbc.update("UPDATE webhook_endpoints SET enabled = TRUE, disabled_reason = NULL, failing_since = NULL WHERE owner = ? AND webhook_id = ?",
                owner, webhookId) == 1;
    }

    /** How many of a delivery's attempts are kept and listed: its last ones. */
    static final int KEPT_ATTEMPTS = 20;

    /** The newest deliveries of an endpoint, each with its last attempts. */
    List<Map<String, Object>> deliveries(String webhookId, int limit) {
        List<Map<String, Object>> out = new ArrayList<>();
        Map<Long, Map<String, Object>> byId = new LinkedHashMap<>();
        jdbc.query("SELECT delivery_id, event_id, event_type, status, attempts, created_at, next_attempt_at, finished_at, last_status, last_error"
                + " FROM webhook_deliveries WHERE webhook_id = ? ORDER BY delivery_id DESC LIMIT ?", rs -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("delivery_id", rs.getLong(1));
            m.put("event_id", rs.getString(2));
            m.put("event_type", rs.getString(3));
            m.put("status", rs.getString(4));
            m.put("attempts", rs.getInt(5));
            m.put("created_at", rs.getObject(6, OffsetDateTime.class).toInstant().toString());
            if (rs.getString(4).equals("pending")) m.put("next_attempt_at", rs.getObject(7, OffsetDateTime.class).toInstant().toString());
            OffsetDateTime finished = rs.getObject(8, OffsetDateTime.class);
            if (finished != null) m.put("finished_at", finished.toInstant().toString());
            int status = rs.getInt(9);
            if (!rs.wasNull()) m.put("last_http_status", status);
            if (rs.getString(10) != null) m.put("last_error", rs.getString(10));
            m.put("attempt_log", new ArrayList<Map<String, Object>>());
            byId.put(rs.getLong(1), m);
            out.add(m);
            return null;
        }, webhookId, limit);
        if (byId.isEmpty()) return out;
        long oldest = java.util.Collections.min(byId.keySet());
        jdbc.query("SELECT a.delivery_id, a.attempt, a.attempted_at, a.http_status, a.error, a.duration_ms FROM webhook_attempts a"
                + " JOIN webhook_deliveries d ON d.delivery_id = a.delivery_id WHERE d.webhook_id = ? AND a.delivery_id >= ? AND a.attempt > d.attempts - ?"
                + " ORDER BY a.delivery_id, a.attempt", rs -> {
            Map<String, Object> d = byId.get(rs.getLong(1));
            if (d == null) return null;
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("attempt", rs.getInt(2));
            a.put("at", rs.getObject(3, OffsetDateTime.class).toInstant().toString());
            int status = rs.getInt(4);
            if (!rs.wasNull()) a.put("http_status", status);
            if (rs.getString(5) != null) a.put("error", rs.getString(5));
            a.put("duration_ms", rs.getInt(6));
            @SuppressWarnings("unchecked") List<Map<String, Object>> log = (List<Map<String, Object>>) d.get("attempt_log");
            log.add(a);
            return null;
        }, webhookId, oldest, KEPT_ATTEMPTS);
        return out;
    }

    /** What a redelivery found. */
    enum Redelivery { QUEUED, UNKNOWN, BEING_SENT }

    /**
     * Queues a delivery again, now, retried (with backoff from the start) for another give-up period.
     * A delivery being sent at this moment is left to its sender.
     */
    Redelivery redeliver(String webhookId, long deliveryId, OffsetDateTime now, OffsetDateTime retryUntil) {
        int queued = jdbc.update("UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?, retry_until = ?, finished_at = NULL,"
                + " backoff_from = attempts, claimed_by = NULL, lease_until = NULL WHERE webhook_id = ? AND delivery_id = ?"
                + " AND (lease_until IS NULL OR lease_until < ?)", now, retryUntil, webhookId, deliveryId, now);
        if (queued == 1) return Redelivery.QUEUED;
        return jdbc.queryOne("SELECT 1 FROM webhook_deliveries WHERE webhook_id = ? AND delivery_id = ?", rs -> 1, webhookId, deliveryId).isPresent()
                ? Redelivery.BEING_SENT : Redelivery.UNKNOWN;
    }

    /**
     * Delivered and failed deliveries finished before {@code before} (housekeeping), and pending ones whose retrying ended
     * before it: those wait on an endpoint that was disabled, and would otherwise be kept past the retention, and sent
     * long after their event if it is turned on again. Their attempts go with them.
     */
    long removeFinishedBefore(OffsetDateTime before, java.time.Duration giveUp) {
        return jdbc.update("DELETE FROM webhook_deliveries WHERE (status <> 'pending' AND finished_at < ?)"
                + " OR (status = 'pending' AND (retry_until < ? OR retry_until IS NULL AND created_at < ?))", before, before, before.minus(giveUp));
    }
}
