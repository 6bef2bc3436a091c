package io.omix.sdk;

/**
 * What a dataset batches call that works as a job answered: the job's id (null when nothing was
 * queued, e.g. a validate-only creation) or why it was not started.
 *
 * @param statusCode    the API's status code for the request
 * @param jobId         the job doing the work, or null
 * @param failureReason why nothing was queued, or null
 */
public record JobStart(Integer statusCode, Long jobId, String failureReason) {
    static JobStart of(Model m) {
        return new JobStart(m.getInt("status_code"), m.getLong("job_id"), m.getString("failure_reason"));
    }
}
