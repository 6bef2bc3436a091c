package io.omix.server.common.db;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
    /** Writes a group in one transaction: the answers in order, or empty when the group must be retried request by request. */
    @FunctionalInterface
    public interface Writer<R, A> {
        Optional<List<A>> write(List<R> group);
    }

    private record Waiting<R, A>(R request, CompletableFuture<Optional<A>> answer) {}

    private final Writer<R, A> writer;
    private final Object lock = new Object();
    private List<Waiting<R, A>> queue = new ArrayList<>();
    private boolean leading;

    public GroupCommit(Writer<R, A> writer) {
        this.writer = writer;
    }

    /** The request's answer once its group committed; empty when its group was refused (retry it alone). */
    public Optional<A> submit(R request) {
        Waiting<R, A> me = new Waiting<>(request, new CompletableFuture<>());
        synchronized (lock) {
            queue.add(me);
        }
        while (true) {
            List<Waiting<R, A>> group = null;
            synchronized (lock) {
                if (!leading && !queue.isEmpty()) {
                    leading = true;
                    group = queue;
                    queue = new ArrayList<>();
                }
            }
            if (group != null) {
                lead(group);
                continue; // lead again while others are waiting, then return
            }
            try {
                return me.answer().get(2, TimeUnit.MILLISECONDS);
            } catch (TimeoutException stillWaiting) {
                // the group holding this request is being written, or nobody leads yet: look again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a group commit", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
        }
    }

    private void lead(List<Waiting<R, A>> group) {
        try {
            List<R> requests = new ArrayList<>(group.size());
            for (Waiting<R, A> w : group) requests.add(w.request());
            Optional<List<A>> answers = writer.write(requests);
            for (int i = 0; i < group.size(); i++) {
                group.get(i).answer().complete(answers.isPresent() ? Optional.of(answers.get().get(i)) : Optional.empty());
            }
        } catch (RuntimeException | Error e) {
            for (Waiting<R, A> w : group) w.answer().completeExceptionally(e);
        } finally {
            synchronized (lock) {
                leading = false;
            }
        }
    }
}
