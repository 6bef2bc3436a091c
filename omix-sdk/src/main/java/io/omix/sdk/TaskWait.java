package io.omix.sdk;

import java.time.Duration;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/** Polls a task or job until it finishes: 50 ms at first, backing off to 1 s, never past the deadline. */
final class TaskWait {
    /** The {@code progress} of a task that will not change any more. */
    static final Set<String> FINISHED = Set.of("SUCCESS", "FAILURE", "REVOKED");

    private TaskWait() {}

    /**
     * Polls a task until its {@code progress} is SUCCESS, FAILURE or REVOKED; a failed task is returned, not thrown.
     *
     * @param fetch   the task's current view by id
     * @param task    a task answer ({@code {task_id, progress, ...}})
     * @param timeout how long to wait at most
     * @return the finished task's view
     * @throws IllegalArgumentException when {@code task} has no {@code task_id}
     * @throws OmixException            when the task has not finished within {@code timeout} (a {@link TransportException}),
     *                                  when a fetch fails, or when the thread is interrupted
     */
    static Model waitFor(Function<String, Model> fetch, Model task, Duration timeout) {
        String id = task.getString("task_id");
        if (id == null) throw new IllegalArgumentException("not a task answer: " + task);
        Model[] current = {task};
        return poll(() -> current[0] = fetch.apply(id), current[0], "progress", FINISHED, "task " + id, timeout);
    }

    /**
     * Fetches until {@code statusField} holds one of {@code finished}.
     *
     * @param fetch       the current view, fetched again
     * @param first       the view already at hand (checked before any fetch), or null
     * @param statusField the field holding the status, e.g. {@code progress}
     * @param finished    the statuses that end the wait
     * @param what        what is waited for, for the error message (e.g. {@code "task 42"})
     * @param timeout     how long to wait at most
     * @return the first view whose status is finished
     * @throws TransportException when the status is not finished within {@code timeout}, or the thread is interrupted
     */
    static Model poll(Supplier<Model> fetch, Model first, String statusField, Set<String> finished, String what, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 50;
        Model current = first != null ? first : fetch.get();
        while (!finished.contains(current.getString(statusField))) {
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new TransportException(what + " still " + current.getString(statusField) + " after " + timeout);
            sleep(Math.min(pause, Math.max(1, left / 1_000_000)), what);
            pause = Math.min(1000, pause * 2);
            current = fetch.get();
        }
        return current;
    }

    private static void sleep(long millis, String what) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted while waiting for " + what);
        }
    }
}
