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

    /** A writer refusing one request of its group (a null answer) sends only that one to be retried alone. */
    @Test
    void aRequestRefusedInItsGroupIsTheOnlyOneToRetryAlone() throws Exception {
        CountDownLatch firstGroupRunning = new CountDownLatch(1);
        CountDownLatch othersQueued = new CountDownLatch(1);
        List<List<Integer>> groups = java.util.Collections.synchronizedList(new ArrayList<>());
        GroupCommit<Integer, Integer> gc = new GroupCommit<>(group -> {
            groups.add(List.copyOf(group));
            if (group.contains(0)) {
                firstGroupRunning.countDown();
                try {
                    othersQueued.await(); // the next requests queue meanwhile: they make one group
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            List<Integer> answers = new ArrayList<>();
            for (int r : group) answers.add(r % 2 == 0 && r != 0 ? null : r);
            return Optional.of(answers);
        });
        ExecutorService pool = Executors.newFixedThreadPool(3);
        Future<Optional<Integer>> first = pool.submit(() -> gc.submit(0));
        firstGroupRunning.await();
        Future<Optional<Integer>> refused = pool.submit(() -> gc.submit(2));
        Future<Optional<Integer>> kept = pool.submit(() -> gc.submit(3));
        Thread.sleep(200);
        othersQueued.countDown();
        assertEquals(Optional.of(0), first.get());
        assertEquals(Optional.empty(), refused.get(), "refused in its group: retried alone by its caller");
        assertEquals(Optional.of(3), kept.get(), "its group's other request is answered");
        pool.shutdown();
        assertTrue(groups.stream().anyMatch(g -> g.size() == 2 && g.containsAll(List.of(2, 3))), "the two shared a group: " + groups);
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

    /**
     * A caller interrupted while its request waits to be written is refused and its request never written; one
     * interrupted while its request is being written gets the outcome (a caller told of a failure must not find
     * the write done later).
     */
    @Test
    void anInterruptedCallerIsRefusedOnlyWhileItsRequestIsNotYetWritten() throws Exception {
        List<List<Integer>> groups = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.Map<Integer, Thread> leaders = new java.util.concurrent.ConcurrentHashMap<>();
        CountDownLatch firstHeld = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        CountDownLatch secondHeld = new CountDownLatch(1);
        CountDownLatch releaseSecond = new CountDownLatch(1);
        GroupCommit<Integer, Integer> gc = new GroupCommit<>(group -> {
            groups.add(List.copyOf(group));
            leaders.put(groups.size(), Thread.currentThread());
            try {
                if (groups.size() == 1) {
                    firstHeld.countDown();
                    releaseFirst.await();
                } else if (groups.size() == 2) {
                    secondHeld.countDown();
                    releaseSecond.await();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Optional.of(group);
        });
        ExecutorService pool = Executors.newFixedThreadPool(4);
        Future<Optional<Integer>> one = pool.submit(() -> gc.submit(1));
        firstHeld.await();
        // 2 waits behind the first group and is interrupted before anyone writes it.
        java.util.concurrent.atomic.AtomicReference<Thread> twoThread = new java.util.concurrent.atomic.AtomicReference<>();
        Future<Optional<Integer>> two = pool.submit(() -> {
            twoThread.set(Thread.currentThread());
            return gc.submit(2);
        });
        while (twoThread.get() == null) Thread.sleep(1);
        Thread.sleep(200);
        twoThread.get().interrupt();
        assertTrue(assertThrows(java.util.concurrent.ExecutionException.class, two::get).getCause() instanceof IllegalStateException);
        // 3 and 4 wait together; once the first group is done one of them writes both, and the other is interrupted meanwhile.
        java.util.Map<Integer, Thread> threads = new java.util.concurrent.ConcurrentHashMap<>();
        Future<Optional<Integer>> three = pool.submit(() -> {
            threads.put(3, Thread.currentThread());
            return gc.submit(3);
        });
        Future<Optional<Integer>> four = pool.submit(() -> {
            threads.put(4, Thread.currentThread());
            return gc.submit(4);
        });
        while (threads.size() < 2) Thread.sleep(1);
        Thread.sleep(200);
        releaseFirst.countDown();
        secondHeld.await();
        Thread follower = threads.get(3) == leaders.get(2) ? threads.get(4) : threads.get(3);
        follower.interrupt();
        Thread.sleep(200);
        releaseSecond.countDown();
        assertEquals(Optional.of(1), one.get());
        assertEquals(Optional.of(3), three.get(), "written, so answered");
        assertEquals(Optional.of(4), four.get(), "written, so answered");
        pool.shutdown();
        assertEquals(List.of(List.of(1), List.of(3, 4)), groups.stream().map(g -> g.stream().sorted().toList()).toList(), "2 was never written");
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
