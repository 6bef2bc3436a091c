package io.omix.server.housekeeping;

import io.omix.server.Platform;
import io.omix.server.testing.MutableClock;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A housekeeping run longer than the interval keeps the turn: another server does not start a second run beside it
 * (two runs at once removed the same rows twice and raced each other's deletions); the turn passes an interval after
 * the run ends.
 */
class HousekeepingTurnTest {
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aLongRunKeepsItsTurn(String kind) throws Exception {
        MutableClock clock = new MutableClock();
        // The server's own housekeeping never runs here: two instances below play two servers.
        try (TestServer s = TestServer.builder().database(kind).clock(clock).setting("housekeeping.interval-seconds", "0").start()) {
            Platform platform = s.server().platform();
            Duration interval = Duration.ofSeconds(3);
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger running = new AtomicInteger();
            AtomicInteger mostAtOnce = new AtomicInteger();
            Housekeeping.Job slow = new Housekeeping.Job("slow", (now, r) -> {
                mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                try {
                    release.await(30, TimeUnit.SECONDS);
                } finally {
                    running.decrementAndGet();
                }
                return 0;
            });
            try (Housekeeping first = new Housekeeping(platform, List.of(slow), interval);
                 Housekeeping second = new Housekeeping(platform, List.of(slow), interval)) {
                CompletableFuture<Map<String, Long>> firstRun = CompletableFuture.supplyAsync(first::runIfDue);
                while (running.get() == 0) Thread.sleep(10);
                clock.advance(Duration.ofSeconds(10));   // the run has lasted three intervals
                Thread.sleep(1500);                       // the first renews its turn (every second here)
                assertTrue(second.runIfDue().isEmpty(), "the turn is the first's while its run lasts");
                release.countDown();
                assertFalse(firstRun.get(30, TimeUnit.SECONDS).isEmpty());
                assertEquals(1, mostAtOnce.get());
                assertTrue(second.runIfDue().isEmpty(), "an interval after the run ended");
                clock.advance(interval.plusSeconds(1));
                assertFalse(second.runIfDue().isEmpty(), "then the turn passes");
            }
        }
    }
}
