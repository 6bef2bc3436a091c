package io.omix.server.common.db;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GroupCommitTest {
    @Test
    void everyRequestGetsItsOwnAnswerAndConcurrentOnesShareCommits() throws Exception {
        AtomicInteger commits = new AtomicInteger();
        AtomicInteger largest = new AtomicInteger();
        GroupCommit<Integer, String> gc = new GroupCommit<>(group -> {
            commits.incrementAndGet();
            largest.accumulateAndGet(group.size(), Math::max);
            try {
                Thread.sleep(5); // a commit takes time: requests arriving meanwhile form the next group
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            List<String> answers = new ArrayList<>();
            for (int r : group) answers.add("answer-" + r);
            return Optional.of(answers);
        });
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Optional<String>>> futures = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            int request = i;
            futures.add(pool.submit(() -> {
                start.await();
                return gc.submit(request);
            }));
        }
        start.countDown();
        for (int i = 0; i < 400; i++) assertEquals(Optional.of("answer-" + i), futures.get(i).get());
        pool.shutdown();
        assertTrue(commits.get() < 400, "requests shared commits: " + commits.get() + " commits for 400");
        assertTrue(largest.get() > 1);
    }

    /** Under a steady stream of requests, none is held back leading other requests' groups: each leads at most one. */
    @Test
    void aLeaderReturnsWithItsOwnAnswerWhileOthersKeepComing() throws Exception {
        java.util.Map<Thread, Integer> groupsLed = new java.util.concurrent.ConcurrentHashMap<>();
        GroupCommit<Integer, Integer> gc = new GroupCommit<>(group -> {
            groupsLed.merge(Thread.currentThread(), 1, Integer::sum);
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Optional.of(group);
        });
        ExecutorService pool = Executors.newFixedThreadPool(8);
        java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            writers.add(pool.submit(() -> {
                for (int i = 0; i < 200; i++) {
                    groupsLed.remove(Thread.currentThread());
                    assertEquals(Optional.of(i), gc.submit(i));
                    most.accumulateAndGet(groupsLed.getOrDefault(Thread.currentThread(), 0), Math::max);
                }
                return null;
            }));
        }
        for (Future<?> f : writers) f.get();
        pool.shutdown();
        assertEquals(1, most.get(), "a request led at most the group that held it");
    }

    @Test
    void aRefusedGroupAnswersEmptyAndFailuresReachEveryone() {
        GroupCommit<Integer, String> refusing = new GroupCommit<>(group -> Optional.empty());
        assertEquals(Optional.empty(), refusing.submit(1));
        GroupCommit<Integer, String> failing = new GroupCommit<>(group -> {
            throw new IllegalStateException("disk full");
        });
        assertEquals("disk full", assertThrows(IllegalStateException.class, () -> failing.submit(1)).getMessage());
        GroupCommit<Integer, String> recovering = new GroupCommit<>(group -> Optional.of(List.of("ok")));
        assertEquals(Optional.of("ok"), recovering.submit(2), "a failed group leaves the next one free to commit");
    }
}
