package io.omix.server.common.db;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit with natural batching: a request that finds no commit running becomes the leader and
 * writes every request waiting at that moment in one transaction; the others wait for its outcome
 * (and lead the next group themselves if nobody else does). Under load, commits carry many
 * requests; alone, a request commits at once. A request is answered only after the transaction
 * holding it committed, so nothing acknowledged is lost on a crash.
 *
 * @param <R> a request
 * @param <A> its answer
 */
public final class GroupCommit<R, A> {
    /**
     * Writes a group in one transaction: the answers in order (null for a request that must be retried alone), or
     * empty when the whole group must be retried request by request.
     */
    @FunctionalInterface
    public interface Writer<R, A> {
        Optional<List<A>> write(List<R> group);
    }

    private record Waiting<R, A>(R request, CompletableFuture<Optional<A>> answer) {}

    private final Writer<R, A> writer;
    // A lock and condition rather than a monitor: the waiting requests are virtual threads, which a monitor's wait pins to their carrier on JDK 21.
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition groupDone = lock.newCondition();
    private List<Waiting<R, A>> queue = new ArrayList<>();
    private boolean leading;

    public GroupCommit(Writer<R, A> writer) {
        this.writer = writer;
    }

    /**
     * The request's answer once its group committed; empty when it was refused in its group (retry it alone). A
     * request leads at most the group holding itself: once answered it returns, and the requests that
     * arrived meanwhile (woken when a group is done) choose the next leader among themselves, so no request
     * is held back writing other requests' groups for as long as they keep coming.
     */
    public Optional<A> submit(R request) {
        Waiting<R, A> me = new Waiting<>(request, new CompletableFuture<>());
        lock.lock();
        try {
            queue.add(me);
        } finally {
            lock.unlock();
        }
        boolean interrupted = false;
        try {
            while (true) {
                List<Waiting<R, A>> group = null;
                lock.lock();
                try {
                    while (!me.answer().isDone()) {
                        if (!leading && !queue.isEmpty()) {
                            leading = true;
                            group = queue;
                            queue = new ArrayList<>();
                            break;
                        }
                        try {
                            groupDone.await(2, TimeUnit.MILLISECONDS);
                        } catch (InterruptedException e) {
                            // Not written yet: taken out and refused. Already in a group being written: its outcome is
                            // awaited all the same, so that a caller told of a failure never finds the write done later.
                            if (queue.remove(me)) {
                                Thread.currentThread().interrupt();
                                throw new IllegalStateException("interrupted while waiting for a group commit", e);
                            }
                            interrupted = true;
                        }
                    }
                } finally {
                    lock.unlock();
                }
                if (group == null) return answerOf(me);
                lead(group);
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private Optional<A> answerOf(Waiting<R, A> me) {
        try {
            return me.answer().join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    private void lead(List<Waiting<R, A>> group) {
        try {
            List<R> requests = new ArrayList<>(group.size());
            for (Waiting<R, A> w : group) requests.add(w.request());
            Optional<List<A>> answers = writer.write(requests);
            for (int i = 0; i < group.size(); i++) {
                group.get(i).answer().complete(answers.isPresent() ? Optional.ofNullable(answers.get().get(i)) : Optional.empty());
            }
        } catch (RuntimeException | Error e) {
            for (Waiting<R, A> w : group) w.answer().completeExceptionally(e);
        } finally {
            lock.lock();
            try {
                leading = false;
                groupDone.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
