package io.omix.sdk;

import java.time.Duration;
import java.util.Set;
import java.util.function.Function;

/** Polls a task until it finishes: 50 ms at first, backing off to 1 s, never past the deadline. */
final class TaskWait {
    static final Set<String> FINISHED = Set.of("SUCCESS", "FAILURE", "REVOKED");

    private TaskWait() {}

    /**
     * @param fetch  the task's current view by id
     * @param task   a task answer ({@code {task_id, progress, ...}})
     * @return the finished task's view
     * @throws BgeException when the task has not finished within {@code timeout}
     */
    static Model waitFor(Function<String, Model> fetch, Model task, Duration timeout) {
        String id = task.getString("task_id");
        if (id == null) throw new IllegalArgumentException("not a task answer: " + task);
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 50;
        Model current = task;
        while (!FINISHED.contains(current.getString("progress"))) {
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new BgeException("task " + id + " still " + current.getString("progress") + " after " + timeout);
            sleep(Math.min(pause, Math.max(1, left / 1_000_000)));
            pause = Math.min(1000, pause * 2);
            current = fetch.apply(id);
        }
        return current;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BgeException("interrupted while waiting for a task");
        }
    }
}
