package io.omix.server.webhooks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.omix.server.Platform;
import io.omix.server.ServerConfig;
import io.omix.server.common.auth.Secrets;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.http.ServerJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sends queued deliveries: every server runs one, and claims due deliveries through the database
 * (a lease, as the task engine does), so each is sent by one server at a time and a server that dies
 * mid-send leaves it to another once the lease runs out. At least once: a receiver that answered
 * but whose answer was lost gets the event again, with the same event id.
 * <p>A delivery is a POST of {@code {id, type, created_at, data}} with the signature headers (see
 * docs/api.md); 2xx is success; anything else (or no answer in 10 s, or a redirect, which is never
 * followed) is retried with exponential backoff until the give-up time, then marked failed and its
 * endpoint disabled with the reason.
 */
final class WebhookDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);
    static final String ID_HEADER = "Omix-Webhook-Id";
    static final String TIMESTAMP_HEADER = "Omix-Webhook-Timestamp";
    static final String SIGNATURE_HEADER = "Omix-Webhook-Signature";
    private static final Duration POLL = Duration.ofMillis(250);
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** What a name lookup may add to a delivery's deadline. */
    private static final Duration LOOKUP_ALLOWANCE = Duration.ofSeconds(5);
    private static final int BATCH = 16;
    /** Deliveries of one endpoint in flight at once, over all servers. */
    private static final int PER_ENDPOINT = 2;

    private final Platform platform;
    private final Jdbc jdbc;
    private final WebhookStore store;
    private final UrlPolicy policy;
    private final ServerConfig.Webhooks settings;
    private final String workerId = "webhooks-" + Secrets.alphanumeric(12);
    private final HttpClient http;
    /** Checks each receiver's addresses (a name lookup can be slow) and starts its request, off the claiming thread. */
    private final java.util.concurrent.ExecutorService workers;
    private final Counter delivered;
    private final Counter failedAttempts;
    private volatile boolean stopping;
    private Thread thread;
    private final Object wakeUp = new Object();

    WebhookDispatcher(Platform platform, WebhookStore store, UrlPolicy policy) {
        this.platform = platform;
        this.jdbc = platform.database().jdbc();
        this.store = store;
        this.policy = policy;
        this.settings = platform.config().webhooks();
        // Straight to the receiver: a proxy would resolve the host itself, past the address check.
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(CONNECT_TIMEOUT)
                .proxy(HttpClient.Builder.NO_PROXY).version(HttpClient.Version.HTTP_1_1).build();
        this.workers = java.util.concurrent.Executors.newFixedThreadPool(BATCH, r -> {
            Thread t = new Thread(r, "omix-webhooks-send");
            t.setDaemon(true);
            return t;
        });
        this.delivered = Counter.builder("omix.webhooks.delivered").description("webhook deliveries a receiver accepted").register(platform.metrics());
        this.failedAttempts = Counter.builder("omix.webhooks.failed_attempts").description("webhook attempts that did not succeed")
                .register(platform.metrics());
    }

    synchronized void start() {
        if (thread != null) return;
        thread = new Thread(this::loop, "omix-webhooks");
        thread.setDaemon(true);
        thread.start();
    }

    /** Looks for due deliveries now rather than at the next poll (a redelivery asked for by hand). */
    void wake() {
        synchronized (wakeUp) {
            wakeUp.notifyAll();
        }
    }

    private void loop() {
        while (!stopping) {
            int sent = 0;
            try {
                sent = sendDue();
            } catch (RuntimeException | Error e) {
                // Nothing may end delivery on this server: log it and carry on at the next poll.
                LOG.warn("webhook dispatcher: {}", e.toString());
            }
            if (sent > 0) continue;
            synchronized (wakeUp) {
                if (stopping) return;
                try {
                    wakeUp.wait(POLL.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /**
     * Claims and sends what is due; how many were claimed. At most {@link #PER_ENDPOINT} deliveries of
     * one endpoint are in flight at a time (over every server), and each round takes from as many
     * endpoints as have work before it takes a second of any, so that no owner's backlog or slow
     * receiver starves the others.
     */
    int sendDue() {
        OffsetDateTime now = platform.now();
        List<Due> due = jdbc.query("SELECT d.delivery_id, d.webhook_id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.webhook_id = d.webhook_id"
                + " WHERE d.status = 'pending' AND e.enabled = TRUE AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until < ?)"
                + " AND (SELECT COUNT(*) FROM webhook_deliveries x WHERE x.webhook_id = d.webhook_id AND x.status = 'pending'"
                + " AND x.lease_until >= ?) < " + PER_ENDPOINT
                + " ORDER BY d.next_attempt_at LIMIT " + (BATCH * 4), rs -> new Due(rs.getLong(1), rs.getString(2)), now, now, now);
        java.util.Map<String, Integer> taken = new java.util.HashMap<>();
        List<Long> round = new java.util.ArrayList<>();
        for (int pass = 0; pass < PER_ENDPOINT && round.size() < BATCH; pass++) {
            for (Due d : due) {
                if (round.size() >= BATCH) break;
                if (round.contains(d.deliveryId()) || taken.getOrDefault(d.webhookId(), 0) != pass) continue;
                taken.merge(d.webhookId(), 1, Integer::sum);
                round.add(d.deliveryId());
            }
        }
        List<InFlight> sending = new java.util.ArrayList<>();
        for (long id : round) {
            if (stopping) break;
            OffsetDateTime claimedAt = platform.now(); // each claim its own lease
            int won = jdbc.update("UPDATE webhook_deliveries SET claimed_by = ?, lease_until = ? WHERE delivery_id = ? AND status = 'pending'"
                    + " AND (lease_until IS NULL OR lease_until < ?)", workerId, claimedAt.plus(LEASE), id, claimedAt);
            if (won == 1) start(id).ifPresent(sending::add);
        }
        for (InFlight f : sending) {
            try {
                finish(f);
            } catch (RuntimeException e) {
                // One delivery's bookkeeping failing (its endpoint deleted meanwhile) must not leave the others unrecorded.
                LOG.warn("webhook delivery {}: {}", f.delivery().deliveryId(), e.toString());
            }
        }
        return sending.size();
    }

    private record Due(long deliveryId, String webhookId) {}

    private record Claimed(long deliveryId, String webhookId, String eventId, String type, String data, String coalesceKey, long coalesced,
                           int attempts, OffsetDateTime createdAt, OffsetDateTime retryUntil, int backoffFrom) {}

    /** A delivery on its way: the answer to come, or the reason it was not sent. */
    private record InFlight(Claimed delivery, long startedNanos, java.util.concurrent.CompletableFuture<HttpResponse<Void>> answer, String notSent) {}

    private Optional<InFlight> start(long deliveryId) {
        Optional<Claimed> row = jdbc.queryOne("SELECT delivery_id, webhook_id, event_id, event_type, data, coalesce_key, coalesced, attempts, created_at,"
                        + " retry_until, backoff_from FROM webhook_deliveries WHERE delivery_id = ? AND claimed_by = ?",
                rs -> new Claimed(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getLong(7),
                        rs.getInt(8), rs.getObject(9, OffsetDateTime.class), rs.getObject(10, OffsetDateTime.class), rs.getInt(11)), deliveryId, workerId);
        if (row.isEmpty()) return Optional.empty();
        Claimed d = row.get();
        Optional<WebhookStore.Endpoint> endpoint = store.find(d.webhookId());
        if (endpoint.isEmpty()) return Optional.empty(); // deleted meanwhile: its deliveries went with it
        long started = System.nanoTime();
        try {
            boolean active = jdbc.withConnection(c -> WebhookEvents.ownerActive(c, endpoint.get().owner()));
            if (!active) return Optional.of(new InFlight(d, started, null, "not sent: the application is disabled"));
            URI uri = URI.create(endpoint.get().url());
            String body = body(d);
            String secret = platform.masterKey().open(endpoint.get().secretSealed(), d.webhookId());
            // The address check (a name lookup) and the request run on a worker: a slow name server holds up this delivery only.
            java.util.concurrent.CompletableFuture<HttpResponse<Void>> answer = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                Optional<String> refused = policy.refusalAtDelivery(uri);
                if (refused.isPresent()) throw new Refused(refused.get());
                long timestamp = platform.clock().millis() / 1000;
                return HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                        .header("Content-Type", "application/json")
                        .header("User-Agent", "Omix-Webhooks/1")
                        .header(ID_HEADER, d.eventId())
                        .header(TIMESTAMP_HEADER, Long.toString(timestamp))
                        .header(SIGNATURE_HEADER, "v1=" + sign(secret, timestamp, body))
                        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
            }, workers).thenCompose(request -> http.sendAsync(request, HttpResponse.BodyHandlers.discarding()));
            return Optional.of(new InFlight(d, started, answer, null));
        } catch (RuntimeException e) {
            LOG.warn("webhook delivery {} to {}: {}", deliveryId, d.webhookId(), e.toString());
            return Optional.of(new InFlight(d, started, null, "could not be sent (the operator's log has the details under delivery " + deliveryId + ")"));
        }
    }

    /** A receiver the address check refused at delivery. */
    private static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    private void finish(InFlight f) {
        Integer status = null;
        String error = f.notSent();
        if (f.answer() != null) {
            // The whole answer within the timeout (a receiver that trickles its body forever is cut off too).
            long left = TIMEOUT.toNanos() + CONNECT_TIMEOUT.toNanos() + LOOKUP_ALLOWANCE.toNanos() - (System.nanoTime() - f.startedNanos());
            try {
                status = f.answer().get(Math.max(1, left), java.util.concurrent.TimeUnit.NANOSECONDS).statusCode();
                if (status / 100 != 2) error = status / 100 == 3 ? "redirects are not followed" : "the receiver answered HTTP " + status;
            } catch (java.util.concurrent.TimeoutException e) {
                f.answer().cancel(true);
                error = "no answer within " + TIMEOUT.toSeconds() + " s";
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof Refused refused) error = "not sent: " + refused.getMessage();
                else if (cause instanceof HttpTimeoutException) error = "no answer within " + TIMEOUT.toSeconds() + " s";
                else if (cause instanceof java.net.ConnectException) error = "connection refused or unreachable";
                else if (cause instanceof IOException) error = "the connection failed before an answer";
                else {
                    LOG.warn("webhook delivery {}: {}", f.delivery().deliveryId(), String.valueOf(cause));
                    error = "could not be sent (the operator's log has the details under delivery " + f.delivery().deliveryId() + ")";
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                f.answer().cancel(true);
                error = "the server stopped before an answer";
            }
        }
        record(f.delivery(), status, error, (int) ((System.nanoTime() - f.startedNanos()) / 1_000_000));
    }

    private void record(Claimed d, Integer status, String error, int millis) {
        OffsetDateTime now = platform.now();
        OffsetDateTime retryUntil = d.retryUntil() != null ? d.retryUntil() : d.createdAt().plus(settings.giveUpAfter());
        jdbc.inTransaction(c -> {
            // Still ours? (A lease that ran out, a redelivery or a delete may have taken it.) The row lock numbers the attempt.
            List<int[]> mine = Jdbc.query(c, "SELECT attempts, backoff_from FROM webhook_deliveries WHERE delivery_id = ? AND claimed_by = ? FOR UPDATE",
                    rs -> new int[] {rs.getInt(1), rs.getInt(2)}, d.deliveryId(), workerId);
            if (mine.isEmpty()) return null;
            int attempt = mine.get(0)[0] + 1;
            Jdbc.update(c, "INSERT INTO webhook_attempts (delivery_id, attempt, attempted_at, http_status, error, duration_ms) VALUES (?,?,?,?,?,?)",
                    d.deliveryId(), attempt, now, status, error, millis);
            if (error == null) {
                delivered.increment();
                Jdbc.update(c, "UPDATE webhook_deliveries SET status = 'delivered', attempts = ?, finished_at = ?, last_status = ?, last_error = NULL,"
                        + " claimed_by = NULL, lease_until = NULL WHERE delivery_id = ?", attempt, now, status, d.deliveryId());
                Jdbc.update(c, "UPDATE webhook_endpoints SET failing_since = NULL WHERE webhook_id = ? AND failing_since IS NOT NULL", d.webhookId());
                return null;
            }
            failedAttempts.increment();
            OffsetDateTime next = now.plus(backoff(attempt - mine.get(0)[1]));
            boolean giveUp = next.isAfter(retryUntil);
            Jdbc.update(c, "UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, finished_at = ?, last_status = ?, last_error = ?,"
                            + " claimed_by = NULL, lease_until = NULL WHERE delivery_id = ?",
                    giveUp ? "failed" : "pending", attempt, next, giveUp ? now : null, status, error, d.deliveryId());
            Jdbc.update(c, "UPDATE webhook_endpoints SET failing_since = ? WHERE webhook_id = ? AND failing_since IS NULL", now, d.webhookId());
            if (giveUp) {
                // An endpoint that failed every attempt for the whole give-up time is turned off, not retried forever;
                // its owner sees why in the list and turns it back on when the receiver works again.
                String reason = "disabled at " + now.toInstant() + ": delivery " + d.deliveryId() + " failed every attempt for "
                        + settings.giveUpAfter().toSeconds() + " s (last: " + error + ")";
                int disabled = Jdbc.update(c, "UPDATE webhook_endpoints SET enabled = FALSE, disabled_reason = ? WHERE webhook_id = ? AND enabled = TRUE",
                        reason, d.webhookId());
                if (disabled == 1) LOG.warn("webhook {} {}", d.webhookId(), reason);
            }
            return null;
        });
    }

    /** The wait after {@code attempt} failed attempts (since the last redelivery): the initial wait doubled each time, capped, with a fifth of jitter. */
    Duration backoff(int attempt) {
        attempt = Math.max(1, attempt);
        long initial = settings.retryInitial().toMillis();
        long max = settings.retryMax().toMillis();
        long wait = attempt >= 30 ? max : Math.min(max, initial << (attempt - 1));
        long jitter = wait / 5 == 0 ? 0 : ThreadLocalRandom.current().nextLong(wait / 5);
        return Duration.ofMillis(wait - wait / 10 + jitter);
    }

    /** The body of a delivery, the same bytes on every attempt. */
    private static String body(Claimed d) {
        try {
            ObjectNode event = ServerJson.MAPPER.createObjectNode();
            event.put("id", d.eventId());
            event.put("type", d.type());
            event.put("created_at", d.createdAt().toInstant().toString());
            ObjectNode data = (ObjectNode) ServerJson.MAPPER.readTree(d.data());
            if (d.coalesceKey() != null) data.put("records", d.coalesced());
            event.set("data", data);
            return ServerJson.MAPPER.writeValueAsString(event);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** HMAC-SHA256 over {@code timestamp + "." + body}, lowercase hex. */
    static String sign(String secret, long timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        stopping = true;
        wake();
        if (thread != null) {
            try {
                thread.join(TIMEOUT.toMillis() + 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
        workers.shutdownNow();
    }
}
