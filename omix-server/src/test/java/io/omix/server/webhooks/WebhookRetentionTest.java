package io.omix.server.webhooks;

import io.omix.server.common.db.Jdbc;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What housekeeping keeps of webhook deliveries, and what a listing shows of them. Before: deliveries waiting on an
 * endpoint that was disabled were kept for good (and sent, events long past, if it was turned on again), and a delivery
 * redelivered again and again listed every attempt it ever had.
 */
class WebhookRetentionTest {
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void waitingDeliveriesGoAfterTheRetentionAndListingsShowTheLastAttempts(String kind) {
        try (TestServer ts = TestServer.builder().database(kind).start()) {
            Jdbc jdbc = ts.server().platform().database().jdbc();
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            jdbc.update("INSERT INTO webhook_endpoints (webhook_id, owner, url, events, stream_events, secret_sealed, enabled, disabled_reason, created_at)"
                    + " VALUES ('wh_retention', 'client:retention', 'https://example.org/hook', 'task.finished', FALSE, 'x', FALSE, 'failing', ?)", now);
            String insert = "INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, data, status, attempts, next_attempt_at, retry_until,"
                    + " created_at, finished_at) VALUES ('wh_retention', ?, 'task.finished', '{}', ?, ?, ?, ?, ?, ?)";
            jdbc.update(insert, "redelivered-long-ago", "pending", 1, now, now.minusDays(8), now.minusDays(9), null);
            jdbc.update(insert, "queued-long-ago", "pending", 1, now, null, now.minusDays(9), null);
            jdbc.update(insert, "queued-lately", "pending", 1, now, null, now.minusDays(2), null);
            jdbc.update(insert, "delivered-long-ago", "delivered", 1, now, null, now.minusDays(9), now.minusDays(8));
            jdbc.update(insert, "delivered-lately", "delivered", 25, now, null, now.minusDays(1), now.minusDays(1));
            long lately = jdbc.queryOne("SELECT delivery_id FROM webhook_deliveries WHERE event_id = 'delivered-lately'", rs -> rs.getLong(1)).orElseThrow();
            for (int attempt = 1; attempt <= 25; attempt++) {
                jdbc.update("INSERT INTO webhook_attempts (delivery_id, attempt, attempted_at, http_status, error, duration_ms) VALUES (?,?,?,500,'failed',3)",
                        lately, attempt, now.minusDays(1));
            }

            WebhookStore store = new WebhookStore(jdbc);
            assertEquals(3, store.removeFinishedBefore(now.minusDays(7), Duration.ofDays(1)));
            List<String> left = jdbc.query("SELECT event_id FROM webhook_deliveries ORDER BY event_id", rs -> rs.getString(1));
            assertEquals(List.of("delivered-lately", "queued-lately"), left);

            Map<String, Object> listed = store.deliveries("wh_retention", 10).stream().filter(d -> "delivered-lately".equals(d.get("event_id")))
                    .findFirst().orElseThrow();
            List<?> log = (List<?>) listed.get("attempt_log");
            assertEquals(WebhookStore.KEPT_ATTEMPTS, log.size(), "its last attempts");
            assertEquals(6, ((Map<?, ?>) log.get(0)).get("attempt"));
        }
    }
}
