package io.omix.server.testing;

import io.omix.server.Platform;
import io.omix.server.common.db.Database;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Whether a transaction waits on a row another holds, read from the database's own view of its sessions: a test holding a
 * row (an erasure in flight) lets go as soon as the path it races waits, rather than after a fixed time (the embedded
 * store gives up a wait after two seconds, and a loaded machine may take longer than that to get there).
 */
public final class LockWaits {
    private LockWaits() {}

    public static boolean someoneWaits(Platform platform) {
        String sql = platform.database().vendor() == Database.Vendor.POSTGRESQL
                ? "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
                : "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE BLOCKER_ID IS NOT NULL";
        return platform.database().jdbc().queryOne(sql, rs -> rs.getLong(1)).orElse(0L) > 0;
    }

    /** True as soon as a transaction waits on a lock; false when {@code over} says the raced path ended first, or at {@code timeout}. */
    public static boolean awaitWaiter(Platform platform, Duration timeout, BooleanSupplier over) throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < until) {
            if (someoneWaits(platform)) return true;
            if (over.getAsBoolean()) return false;
            Thread.sleep(10);
        }
        return false;
    }
}
