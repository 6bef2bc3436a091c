package io.omix.sdk;

/**
 * Where a dataset is in the dataset batches API: its workspace, project and id, named so that they
 * cannot be swapped.
 *
 * @param workspaceId the workspace
 * @param projectId   the project in the workspace
 * @param datasetId   the dataset in the project
 */
public record DatasetRef(long workspaceId, long projectId, long datasetId) {
    /**
     * Checks the ids.
     *
     * @param workspaceId the workspace, positive
     * @param projectId   the project, positive
     * @param datasetId   the dataset, positive
     * @throws IllegalArgumentException when an id is not positive
     */
    public DatasetRef {
        if (workspaceId <= 0 || projectId <= 0 || datasetId <= 0) throw new IllegalArgumentException("dataset ids are positive");
    }

    /**
     * The dataset {@code datasetId} of project {@code projectId} in workspace {@code workspaceId}.
     *
     * @param workspaceId the workspace, positive
     * @param projectId   the project, positive
     * @param datasetId   the dataset, positive
     * @return the reference
     * @throws IllegalArgumentException when an id is not positive
     */
    public static DatasetRef of(long workspaceId, long projectId, long datasetId) {
        return new DatasetRef(workspaceId, projectId, datasetId);
    }
}
