package io.omix.server.beacon;

import io.omix.server.common.db.Jdbc;

/** What an operator publishes of a project (a Beacon dataset) to callers who do not see its samples themselves. */
public final class BeaconPublication {
    private BeaconPublication() {}

    /**
     * Sets the project's level: {@code none}, {@code boolean} or {@code count}; every server answers by it from the
     * next query. False when there is no such project.
     */
    public static boolean publish(Jdbc jdbc, String projectId, String level) {
        if (!BeaconAudience.PUBLIC_LEVELS.contains(level)) {
            throw new IllegalArgumentException("the level is one of " + String.join(", ", BeaconAudience.PUBLIC_LEVELS) + ", not '" + level + "'");
        }
        return jdbc.update("UPDATE projects SET beacon_public = ? WHERE project_id = ?", level, projectId) == 1;
    }
}
