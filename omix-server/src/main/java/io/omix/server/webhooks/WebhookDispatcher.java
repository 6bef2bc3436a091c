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
 * docs/api.md); 2xx is success; anything else (or no whole answer within 20 s, or a redirect, which is never
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
    /** The whole of one attempt: the lookup, the connection and the whole answer share it. */
    private static final Duration DEADLINE = TIMEOUT.plus(CONNECT_TIMEOUT).plus(LOOKUP_ALLOWANCE);
    /** Deliveries in flight at once on this server. */
    private static final int BATCH = 16;
    /** Deliveries of one endpoint in flight at once, over all servers. */
    private static final int PER_ENDPOINT = 2;
    /**
     * This server's slots one owner may hold at once: half, so that an owner whose twenty endpoints hang (forty deliveries
     * in flight) leaves the other half to everyone else instead of holding every slot until its receivers time out.
     */
    static final int PER_OWNER = BATCH / 2;
    /** The slots an owner beyond {@link #PER_OWNER} leaves free, for the next owner whose event comes. */
    static final int RESERVED = BATCH / 4;
    /** A delivery due now and not in flight (two parameters: now, now). */
    private static final String DUE = "status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)";

    private final Platform platform;
    private final Jdbc jdbc;
    private final WebhookStore store;
    private final ServerConfig.Webhooks settings;
    private final String workerId = "webhooks-" + Secrets.alphanumeric(12);
    private final WebhookSender sender;
    /** Look receivers' names up and check their addresses (a name lookup can be slow), off the claiming thread. */
    private final java.util.concurrent.ExecutorService workers;
    /** Records answers as they come: apart from the workers, which slow name lookups may all hold. */
    private final java.util.concurrent.ExecutorService recorders;
    private final Counter delivered;
    private final Counter failedAttempts;
    private volatile boolean stopping;
    private Thread thread;
    private final Object wakeUp = new Object();
    /** One permit per delivery in flight: a slow receiver holds its own, never a whole round. */
    private final java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(BATCH);

    WebhookDispatcher(Platform platform, WebhookStore store, UrlPolicy policy) {
        this.platform = platform;
        this.jdbc = platform.database().jdbc();
        this.store = store;
        this.settings = platform.config().webhooks();
        this.workers = java.util.concurrent.Executors.newFixedThreadPool(BATCH, r -> {
            Thread t = new Thread(r, "omix-webhooks-send");
            t.setDaemon(true);
            return t;
        });
        this.recorders = java.util.concurrent.Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "omix-webhooks-record");
            t.setDaemon(true);
            return t;
        });
        this.sender = new WebhookSender(policy, workers, CONNECT_TIMEOUT);
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
     * Claims and starts what is due, as many as this server has free slots; how many were started. Each delivery's
     * answer is recorded as it comes (a receiver that never answers holds one slot for its timeout, not a round). At
     * most {@link #PER_ENDPOINT} deliveries of one endpoint are in flight at a time (over every server), one owner holds at
     * most {@link #PER_OWNER} of this server's slots (more only while {@link #RESERVED} stay free), and the due deliveries
     * are taken owner by owner, counting what each
     * owner has in flight already (an owner with none goes before one holding slots; then every owner's first turn before
     * any owner's second, endpoint by endpoint within an owner), so that no owner's backlog, many endpoints or slow
     * receivers starve the others.
     *
     * <p>What a round reads is bounded by the endpoints, not by the backlog: the deliveries in flight (by their lease), each
     * enabled endpoint's oldest due delivery (one step down its index), then the deliveries taken, endpoint by endpoint.
     */
    int sendDue() {
        int free = slots.availablePermits();
        if (free == 0) return 0;
        OffsetDateTime now = platform.now();
        // Nothing due, nothing more read (one step down the due index): the round below costs a look per enabled endpoint.
        if (jdbc.query("SELECT 1 FROM webhook_deliveries WHERE " + DUE + " ORDER BY status, next_attempt_at LIMIT 1", rs -> 1, now, now).isEmpty()) {
            return 0;
        }
        java.util.Map<String, Integer> endpointInFlight = new java.util.HashMap<>();
        java.util.Map<String, Integer> ownerInFlight = new java.util.HashMap<>();
        java.util.Map<String, Integer> ownerHere = new java.util.HashMap<>();
        jdbc.query("SELECT d.webhook_id, e.owner, COUNT(*), SUM(CASE WHEN d.claimed_by = ? THEN 1 ELSE 0 END) FROM webhook_deliveries d"
                + " JOIN webhook_endpoints e ON e.webhook_id = d.webhook_id WHERE d.lease_until >= ? AND d.status = 'pending'"
                + " GROUP BY d.webhook_id, e.owner", rs -> {
                    endpointInFlight.put(rs.getString(1), rs.getInt(3));
                    ownerInFlight.merge(rs.getString(2), rs.getInt(3), Integer::sum);
                    ownerHere.merge(rs.getString(2), rs.getInt(4), Integer::sum);
                    return null;
                }, workerId, now);
        List<Oldest> endpoints = jdbc.query("SELECT webhook_id, owner, oldest FROM (SELECT e.webhook_id, e.owner,"
                + " (SELECT next_attempt_at FROM webhook_deliveries d WHERE d.webhook_id = e.webhook_id AND " + DUE
                + WebhookEvents.ALONG_ENDPOINT + " LIMIT 1) AS oldest"
                + " FROM webhook_endpoints e WHERE e.enabled = TRUE) candidates WHERE oldest IS NOT NULL",
                rs -> new Oldest(rs.getString(1), rs.getString(2), rs.getObject(3, OffsetDateTime.class)), now, now);
        List<Turn> turns = turns(endpoints, endpointInFlight, ownerInFlight);
        // This round's turns, each owner within what it may still hold here; then, slots still free, owners beyond that while
        // a quarter of the slots stay free for whoever comes next (one busy owner alone is not held to half the server).
        java.util.Map<String, Integer> wanted = new java.util.LinkedHashMap<>();
        List<Turn> beyond = new java.util.ArrayList<>();
        int taken = 0;
        for (Turn t : turns) {
            if (taken >= free) break;
            if (ownerHere.merge(t.owner(), 1, Integer::sum) > PER_OWNER) {
                beyond.add(t);
                continue;
            }
            wanted.merge(t.webhookId(), 1, Integer::sum);
            taken++;
        }
        for (Turn t : beyond) {
            if (free - taken <= RESERVED) break;
            wanted.merge(t.webhookId(), 1, Integer::sum);
            taken++;
        }
        List<Long> round = new java.util.ArrayList<>();
        for (var w : wanted.entrySet()) {
            round.addAll(jdbc.query("SELECT delivery_id FROM webhook_deliveries WHERE webhook_id = ? AND " + DUE + WebhookEvents.ALONG_ENDPOINT
                    + " LIMIT " + w.getValue(), rs -> rs.getLong(1), w.getKey(), now, now));
        }
        int started = 0;
        for (long id : round) {
            if (stopping || !slots.tryAcquire()) break;
            boolean tracked = false;
            boolean claimed = false;
            try {
                OffsetDateTime claimedAt = platform.now(); // each claim its own lease
                // Claimed, it grows no more (its open key gone): what it says is read once, below, and sent as read.
                claimed = jdbc.update("UPDATE webhook_deliveries SET claimed_by = ?, lease_until = ?, open_key = NULL WHERE delivery_id = ?"
                        + " AND status = 'pending' AND (lease_until IS NULL OR lease_until < ?)", workerId, claimedAt.plus(LEASE), id, claimedAt) == 1;
                Optional<InFlight> f = claimed ? start(id) : Optional.empty();
                if (f.isPresent()) {
                    tracked = true; // from here the slot is released once, when the delivery is recorded
                    started++;
                    track(f.get());
                }
            } catch (RuntimeException e) {
                // One delivery that could not be started (its row or endpoint unreadable a moment) holds up neither the round's
                // others nor itself: its claim is given back below, not left to run out.
                LOG.warn("webhook delivery {}: {}", id, e.toString());
            } finally {
                if (!tracked) {
                    slots.release();
                    if (claimed) releaseClaim(id);
                }
            }
        }
        return started;
    }

    /** Gives a claim that started nothing back, so that the delivery is due again at the next poll (on any server). */
    private void releaseClaim(long deliveryId) {
        try {
            jdbc.update("UPDATE webhook_deliveries SET claimed_by = NULL, lease_until = NULL WHERE delivery_id = ? AND claimed_by = ?", deliveryId, workerId);
        } catch (RuntimeException e) {
            LOG.warn("webhook delivery {}: its claim runs out instead of being given back: {}", deliveryId, e.toString());
        }
    }

    /** Records the delivery's outcome when its answer comes (or its deadline passes), then frees its slot. */
    private void track(InFlight f) {
        if (f.answer() == null) {
            finishSafely(f, null);
            return;
        }
        // The whole answer within the timeout (a receiver that trickles its body forever is cut off too).
        long left = DEADLINE.toNanos() - (System.nanoTime() - f.startedNanos());
        f.answer().orTimeout(Math.max(1, left), java.util.concurrent.TimeUnit.NANOSECONDS)
                .whenCompleteAsync((answer, failure) -> finishSafely(f, failure), recorders);
    }

    private void finishSafely(InFlight f, Throwable failure) {
        try {
            finish(f, failure);
        } catch (RuntimeException e) {
            // One delivery's bookkeeping failing (its endpoint deleted meanwhile) must not leave the others unrecorded.
            LOG.warn("webhook delivery {}: {}", f.delivery().deliveryId(), e.toString());
        } finally {
            slots.release();
            wake();
        }
    }

    /** An enabled endpoint's oldest due delivery not in flight: when it became due. */
    record Oldest(String webhookId, String owner, OffsetDateTime due) {}

    /** One delivery an endpoint may start: its owner's turn (what the owner has in flight, plus its place) and when it became due. */
    record Turn(String webhookId, String owner, int ownerTurn, OffsetDateTime due) {}

    /**
     * The turns the endpoints with due deliveries may take, in the order they are taken: each endpoint up to
     * {@link #PER_ENDPOINT} less what it has in flight; within an owner, every endpoint's first before any one's second (the
     * longest due first); across owners, by the owner's turn (what it has in flight, plus the turn's place within the owner),
     * then the longest due.
     */
    static List<Turn> turns(List<Oldest> endpoints, java.util.Map<String, Integer> endpointInFlight, java.util.Map<String, Integer> ownerInFlight) {
        record Place(Oldest endpoint, int endpointTurn) {}
        java.util.Map<String, List<Place>> byOwner = new java.util.TreeMap<>();
        for (Oldest e : endpoints) {
            int room = PER_ENDPOINT - endpointInFlight.getOrDefault(e.webhookId(), 0);
            for (int t = 1; t <= room; t++) byOwner.computeIfAbsent(e.owner(), o -> new java.util.ArrayList<>()).add(new Place(e, t));
        }
        List<Turn> out = new java.util.ArrayList<>();
        for (var owner : byOwner.entrySet()) {
            List<Place> places = owner.getValue();
            places.sort(java.util.Comparator.comparingInt(Place::endpointTurn).thenComparing(p -> p.endpoint().due()).thenComparing(p -> p.endpoint().webhookId()));
            int base = ownerInFlight.getOrDefault(owner.getKey(), 0);
            for (int i = 0; i < places.size(); i++) {
                Oldest e = places.get(i).endpoint();
                out.add(new Turn(e.webhookId(), owner.getKey(), base + i + 1, e.due()));
            }
        }
        out.sort(java.util.Comparator.comparingInt(Turn::ownerTurn).thenComparing(Turn::due).thenComparing(Turn::webhookId));
        return out;
    }

    private record Claimed(long deliveryId, String webhookId, String eventId, String type, String data, String coalesceKey, long coalesced,
                           int attempts, OffsetDateTime createdAt, OffsetDateTime retryUntil, int backoffFrom) {}

    /**
     * A delivery on its way: the answer to come, or the reason it was not sent.
     *
     * @param answer the receiver's HTTP status to come
     */
    private record InFlight(Claimed delivery, long startedNanos, java.util.concurrent.CompletableFuture<Integer> answer, String notSent) {}

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
            boolean active = jdbc.withConnection(c -> io.omix.server.tasks.TasksCapability.ownerActive(c, endpoint.get().owner()));
            if (!active) return Optional.of(new InFlight(d, started, null, OWNER_DISABLED));
            String owner = endpoint.get().owner();
            if (!jdbc.withConnection(c -> WebhookEvents.stillAllowed(c, owner, d.type(), d.data()))) {
                return Optional.of(new InFlight(d, started, null, WITHHELD));
            }
            URI uri = URI.create(endpoint.get().url());
            String body = body(d);
            String secret = platform.masterKey().open(endpoint.get().secretSealed(), d.webhookId());
            long timestamp = platform.clock().millis() / 1000;
            java.util.Map<String, String> headers = java.util.Map.of(ID_HEADER, d.eventId(), TIMESTAMP_HEADER, Long.toString(timestamp),
                    SIGNATURE_HEADER, "v1=" + sign(secret, timestamp, body));
            // The address check (a name lookup) runs on a worker when the connection opens, and the connection goes to the
            // addresses it approved.
            java.util.concurrent.CompletableFuture<Integer> answer = sender.post(uri, headers, body, DEADLINE);
            return Optional.of(new InFlight(d, started, answer, null));
        } catch (RuntimeException e) {
            LOG.warn("webhook delivery {} to {}: {}", deliveryId, d.webhookId(), e.toString());
            return Optional.of(new InFlight(d, started, null, "could not be sent (the operator's log has the details under delivery " + deliveryId + ")"));
        }
    }

    /** @param failure how the answer failed (null: it came, or nothing was sent) */
    private void finish(InFlight f, Throwable failure) {
        Integer status = null;
        String error = f.notSent();
        if (f.answer() != null) {
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            UrlPolicy.Refused refused = refusal(cause);
            if (cause == null) {
                status = f.answer().join();
                if (status / 100 != 2) error = status / 100 == 3 ? "redirects are not followed" : "the receiver answered HTTP " + status;
            } else if (refused != null) {
                error = "not sent: " + refused.getMessage();
            } else if (cause instanceof java.util.concurrent.TimeoutException) {
                error = "no answer within " + DEADLINE.toSeconds() + " s";
            } else if (cause instanceof java.util.concurrent.CancellationException) {
                error = "the server stopped before an answer";
            } else if (cause instanceof IOException) {
                // Refused, unreachable or cut: one answer (telling them apart would map which ports answer where).
                error = "the connection failed before an answer";
            } else {
                LOG.warn("webhook delivery {}: {}", f.delivery().deliveryId(), String.valueOf(cause));
                error = "could not be sent (the operator's log has the details under delivery " + f.delivery().deliveryId() + ")";
            }
        }
        record(f.delivery(), status, error, (int) ((System.nanoTime() - f.startedNanos()) / 1_000_000));
    }

    /** The address check's refusal among a failure's causes (the HTTP client passes it on as the connection's failure), or null. */
    private static UrlPolicy.Refused refusal(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof UrlPolicy.Refused r) return r;
            for (Throwable s : t.getSuppressed()) if (s instanceof UrlPolicy.Refused r) return r;
        }
        return null;
    }

    /** Why a delivery is not sent and never will be: the application no longer reads what it tells of. */
    static final String WITHHELD = "not sent: the application no longer reads this sample's data (a grant revoked, a scope or the sample taken back)";

    /** Why a delivery waits: its owner is disabled (an incident); it is sent once the owner is enabled again. */
    static final String OWNER_DISABLED = "not sent yet: the application is disabled";
    /** How often a delivery waiting for its disabled owner is looked at again. */
    private static final java.time.Duration OWNER_RECHECK = java.time.Duration.ofMinutes(1);

    private void record(Claimed d, Integer status, String error, int millis) {
        OffsetDateTime now = platform.now();
        OffsetDateTime retryUntil = d.retryUntil() != null ? d.retryUntil() : d.createdAt().plus(settings.giveUpAfter());
        if (OWNER_DISABLED.equals(error)) {
            // Not an attempt: the delivery waits, looked at again in a minute (so that it goes soon after the owner is
            // enabled again), its give-up time moved on with it (a suspension of more than a day would otherwise use its
            // retries up and turn its endpoint off), but never past its kept time (housekeeping then removes it, as any
            // event of weeks before).
            OffsetDateTime next = now.plus(OWNER_RECHECK.compareTo(settings.retryMax()) < 0 ? OWNER_RECHECK : settings.retryMax());
            OffsetDateTime latest = d.createdAt().plus(settings.giveUpAfter()).plus(settings.retention());
            OffsetDateTime wanted = next.plus(settings.giveUpAfter());
            OffsetDateTime until = retryUntil.isAfter(wanted) ? retryUntil : wanted.isAfter(latest) ? latest : wanted;
            jdbc.update("UPDATE webhook_deliveries SET next_attempt_at = ?, retry_until = ?, last_error = ?, claimed_by = NULL, lease_until = NULL"
                    + " WHERE delivery_id = ? AND claimed_by = ?", next, until, error, d.deliveryId(), workerId);
            return;
        }
        jdbc.inTransaction(c -> {
            // Still ours? (A lease that ran out, a redelivery or a delete may have taken it.) The row lock numbers the attempt.
            List<int[]> mine = Jdbc.query(c, "SELECT attempts, backoff_from FROM webhook_deliveries WHERE delivery_id = ? AND claimed_by = ? FOR UPDATE",
                    rs -> new int[] {rs.getInt(1), rs.getInt(2)}, d.deliveryId(), workerId);
            if (mine.isEmpty()) return null;
            int attempt = mine.get(0)[0] + 1;
            Jdbc.update(c, "INSERT INTO webhook_attempts (delivery_id, attempt, attempted_at, http_status, error, duration_ms) VALUES (?,?,?,?,?,?)",
                    d.deliveryId(), attempt, now, status, error, millis);
            // Only a delivery's last attempts are kept: redelivered again and again, one delivery would otherwise grow its log
            // (and every listing of it) without end.
            Jdbc.update(c, "DELETE FROM webhook_attempts WHERE delivery_id = ? AND attempt <= ?", d.deliveryId(), attempt - WebhookStore.KEPT_ATTEMPTS);
            if (error == null) {
                delivered.increment();
                Jdbc.update(c, "UPDATE webhook_deliveries SET status = 'delivered', attempts = ?, finished_at = ?, last_status = ?, last_error = NULL,"
                        + " claimed_by = NULL, lease_until = NULL WHERE delivery_id = ?", attempt, now, status, d.deliveryId());
                Jdbc.update(c, "UPDATE webhook_endpoints SET failing_since = NULL WHERE webhook_id = ? AND failing_since IS NOT NULL", d.webhookId());
                return null;
            }
            if (WITHHELD.equals(error)) {
                // Over for good, and no failure of the receiver's: the endpoint is not counted as failing.
                Jdbc.update(c, "UPDATE webhook_deliveries SET status = 'failed', attempts = ?, finished_at = ?, last_status = NULL, last_error = ?,"
                        + " claimed_by = NULL, lease_until = NULL WHERE delivery_id = ?", attempt, now, error, d.deliveryId());
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
        try {
            if (thread != null) {
                thread.join(TIMEOUT.toMillis() + 1000);
                thread = null;
            }
            // Deliveries in flight are recorded as their answers come, up to their deadline.
            if (slots.tryAcquire(BATCH, DEADLINE.toMillis() + 1000,
                    java.util.concurrent.TimeUnit.MILLISECONDS)) {
                slots.release(BATCH);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sender.close();
        workers.shutdownNow();
        recorders.shutdownNow();
    }
}
