package io.omix.sdk;

import java.time.Duration;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/** Polls a task or job until it finishes: 50 ms at first, backing off to 1 s, never past the deadline. */
final class TaskWait {
    static final Set<String> FINISHED = Set.of("SUCCESS", "FAILURE", "REVOKED");

    private TaskWait() {}

    /**
     * @param fetch  the task's current view by id
     * @param task   a task answer ({@code {task_id, progress, ...}})
     * @return the finished task's view
     * @throws OmixException when the task has not finished within {@code timeout}
     */
    static Model waitFor(Function<String, Model> fetch, Model task, Duration timeout) {
        String id = task.getString("task_id");
        if (id == null) throw new IllegalArgumentException("not a task answer: " + task);
        Model[] current = {task};
        return poll(() -> current[0] = fetch.apply(id), current[0], "progress", FINISHED, "task " + id, timeout);
    }

    /**
     * Fetches until {@code statusField} holds one of {@code finished}.
     * @param first the view already at hand (checked before any fetch), or null
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
