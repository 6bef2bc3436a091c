package io.omix.sdk;

/** Where a task stands (the platform's {@code progress}). */
public enum TaskState {
    /** Queued, not started. */
    PENDING,
    /** Running. */
    STARTED,
    /** Finished; its result is there. */
    SUCCESS,
    /** Finished with an error; its result says what. */
    FAILURE,
    /** Cancelled before it finished. */
    REVOKED;

    /**
     * Whether a task in this state will not change any more.
     *
     * @return true for SUCCESS, FAILURE and REVOKED
     */
    public boolean isFinished() {
        return this == SUCCESS || this == FAILURE || this == REVOKED;
    }
}
