package io.omix.server.housekeeping;

import io.micrometer.core.instrument.Counter;
import io.omix.server.Platform;
import io.omix.server.common.db.Jdbc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one scheduled cleanup: every {@code housekeeping.interval-seconds} one server of a deployment
 * (whichever claims the turn in the database) runs every capability's {@link Job}: expired tokens,
 * codes, sessions and nonces, finished tasks past their retention, abandoned uploads and their bytes,
 * expired upload credentials. What each removed is counted in {@code /metrics}
 * ({@code omix_housekeeping_removed_total{job=...}}).
 */
public final class Housekeeping implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);

    /** One capability's cleanup: removes what is past {@code retention} and says how much. */
    public record Job(String name, Sweep sweep) {}

    @FunctionalInterface
    public interface Sweep {
        long run(OffsetDateTime now, Retention retention) throws Exception;
    }

    /** How long finished things are kept: tasks, and expired credentials (kept a little for forensics). */
    public record Retention(Duration finishedTasks, Duration expiredCredentials, Duration abandonedUploads) {}

    private final Platform platform;
    private final Jdbc jdbc;
    private final List<Job> jobs;
    private final Retention retention;
    private final Duration interval;
    private final String runner = "h-" + UUID.randomUUID().toString().substring(0, 13);
    private final Map<String, Counter> removed = new LinkedHashMap<>();
    private ScheduledExecutorService scheduler;
    /** Renews the turn while a run lasts ({@link #runIfDue}). */
    private final ScheduledExecutorService turnKeeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "omix-housekeeping-turn");
        t.setDaemon(true);
        return t;
    });

    public Housekeeping(Platform platform, List<Job> jobs) {
        this(platform, jobs, platform.config().housekeepingInterval());
    }

    Housekeeping(Platform platform, List<Job> jobs, Duration interval) {
        this.platform = platform;
        this.jdbc = platform.database().jdbc();
        this.jobs = List.copyOf(jobs);
        this.interval = interval;
        this.retention = new Retention(platform.config().taskRetention(), Duration.ofDays(1), Duration.ofDays(1));
        for (Job j : jobs) {
            removed.put(j.name(), Counter.builder("omix_housekeeping_removed").tag("job", j.name())
                    .description("rows (and their stored bytes) removed by housekeeping").register(platform.metrics()));
        }
    }

    /** Starts looking for its turn (never, when housekeeping.interval-seconds is 0). */
    public synchronized void start() {
        if (interval.isZero() || scheduler != null) return;
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "omix-housekeeping");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1, Math.min(interval.getSeconds(), 60));
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                runIfDue();
            } catch (RuntimeException e) {
                LOG.warn("housekeeping: {}", e.toString());
            }
        }, every, every, TimeUnit.SECONDS);
    }

    /**
     * Runs when this server claims the turn; the counts of what it removed, or empty when another server has the turn.
     * The turn is held while the run lasts (renewed every third of the interval), so that a run longer than the interval
     * is not joined by another server's; it is given up an interval after the run ends, or after this server stopped
     * renewing it (a crash).
     */
    public Map<String, Long> runIfDue() {
        if (turnKeeper.isShutdown()) return Map.of();   // closed: a turn claimed now could not be held
        Duration turn = interval.isZero() ? Duration.ofMinutes(10) : interval;
        OffsetDateTime now = platform.now();
        boolean mine = jdbc.update("UPDATE housekeeping_runs SET next_run_at = ?, last_run_by = ? WHERE name = 'main' AND next_run_at <= ?",
                now.plus(turn), runner, now) == 1;
        if (!mine) return Map.of();
        long renewEvery = Math.max(1000, turn.toMillis() / 3);
        ScheduledFuture<?> holding = turnKeeper.scheduleAtFixedRate(() -> holdTurn(turn), renewEvery, renewEvery, TimeUnit.MILLISECONDS);
        try {
            return runNow();
        } finally {
            holding.cancel(false);
            holdTurn(turn);
        }
    }

    /** Moves the next run an interval past now, while the turn is this server's. */
    private void holdTurn(Duration turn) {
        try {
            jdbc.update("UPDATE housekeeping_runs SET next_run_at = ? WHERE name = 'main' AND last_run_by = ?", platform.now().plus(turn), runner);
        } catch (RuntimeException e) {
            LOG.warn("housekeeping: could not hold the turn: {}", e.toString());
        }
    }

    /** Runs every job now, whoever's turn it is (operators, tests). */
    public Map<String, Long> runNow() {
        OffsetDateTime now = platform.now();
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Job j : jobs) {
            try {
                long n = j.sweep().run(now, retention);
                counts.put(j.name(), n);
                removed.get(j.name()).increment(n);
            } catch (Exception e) {
                LOG.warn("housekeeping job {} failed: {}", j.name(), e.toString());
            }
        }
        String summary = counts.toString();
        jdbc.update("UPDATE housekeeping_runs SET last_result = ? WHERE name = 'main'", summary.length() > 2000 ? summary.substring(0, 2000) : summary);
        if (counts.values().stream().mapToLong(Long::longValue).sum() > 0) LOG.info("housekeeping removed {}", summary);
        return counts;
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) scheduler.shutdownNow();
        scheduler = null;
        turnKeeper.shutdownNow();
    }
}
