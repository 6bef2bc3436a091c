package io.omix.sdk;

import java.time.OffsetDateTime;

/**
 * A job of the dataset batches API ({@code JobSchema}), typed.
 *
 * @param id            the job's id
 * @param status        {@code processing}, {@code success}, {@code failure} or {@code error}
 * @param response      what it produced, or what went wrong
 * @param operation     what it does
 * @param createdAt     when it was queued
 * @param lastUpdatedAt when it last changed
 * @param raw           the whole answer, for fields this type does not name
 */
public record Job(long id, String status, Model response, String operation, OffsetDateTime createdAt, OffsetDateTime lastUpdatedAt, Model raw) {
    static Job of(Model job) {
        return new Job(job.getLong("id"), job.getString("status"), job.getModel("response"), job.getString("operation"),
                Times.parseOrNull(job.getString("created_at")), Times.parseOrNull(job.getString("last_updated_at")), job);
    }


    /**
     * Whether it finished with success.
     *
     * @return true when {@link #status()} is {@code success}
     */
    public boolean succeeded() {
        return "success".equals(status);
    }
}
