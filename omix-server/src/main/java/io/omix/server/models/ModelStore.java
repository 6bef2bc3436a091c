package io.omix.server.models;

import io.omix.server.Platform;
import io.omix.server.common.db.Jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/** Models and their versions in the database. */
final class ModelStore {
    /**
     * A model. {@code createdAt} tells one model of an id from a later one of the same id (a model goes with its owner's
     * erasure, and its id can be taken again): what a server keeps of a model's versions is kept by both.
     */
    record ModelRow(String modelId, String owner, String runtime, String handler, int memorySize, int timeoutSeconds,
                    String comment, Integer draftVersion, Integer stableVersion, OffsetDateTime createdAt) {
        /** A key for what a server keeps of {@code version} of this model (and of no later model of the same id). */
        String versionKey(int version) {
            return modelId + "/" + version + "/" + createdAt.toInstant().toEpochMilli();
        }
    }

    record VersionRow(int version, String comment, String message, OffsetDateTime createdAt, OffsetDateTime publishedAt) {}

    private static final String MODEL_COLUMNS = "model_id, owner, runtime, handler, memory_size, timeout_seconds, comment, draft_version, stable_version,"
            + " created_at";

    private final Jdbc jdbc;

    ModelStore(Platform platform) {
        this.jdbc = platform.database().jdbc();
    }

    Jdbc jdbc() {
        return jdbc;
    }

    Optional<ModelRow> model(String modelId) {
        return jdbc.queryOne("SELECT " + MODEL_COLUMNS + " FROM models WHERE model_id = ?", ModelStore::row, modelId);
    }

    /** The model row, locked until the transaction ends (deploys of one model take turns). */
    static Optional<ModelRow> lock(Connection tx, String modelId) throws SQLException {
        return Jdbc.query(tx, "SELECT " + MODEL_COLUMNS + " FROM models WHERE model_id = ? FOR UPDATE", ModelStore::row, modelId)
                .stream().findFirst();
    }

    private static ModelRow row(java.sql.ResultSet rs) throws SQLException {
        return new ModelRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5), rs.getInt(6), rs.getString(7),
                (Integer) rs.getObject(8), (Integer) rs.getObject(9), rs.getObject(10, OffsetDateTime.class));
    }

    static int nextVersion(Connection tx, String modelId) throws SQLException {
        return Jdbc.query(tx, "SELECT COALESCE(MAX(version), 0) FROM model_versions WHERE model_id = ?", rs -> rs.getInt(1), modelId).get(0) + 1;
    }

    /** Versions newest first, below {@code before} when given. */
    List<VersionRow> versions(String modelId, Integer before, int limit) {
        return jdbc.query("SELECT version, comment, message, created_at, published_at FROM model_versions WHERE model_id = ?"
                + (before == null ? "" : " AND version < " + before.intValue()) + " ORDER BY version DESC LIMIT " + limit,
                rs -> new VersionRow(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getObject(4, OffsetDateTime.class),
                        rs.getObject(5, OffsetDateTime.class)), modelId);
    }

    Optional<String> sourceObject(String modelId, int version) {
        return jdbc.queryOne("SELECT source_object FROM model_versions WHERE model_id = ? AND version = ?", rs -> rs.getString(1), modelId, version);
    }

    /**
     * A version's package: its object's name, the SHA-256 it had when the version was deployed, and the key of the
     * version's own copy in the object store (null for a version deployed before copies were kept: read by its name).
     */
    record Source(String objectName, String sha256, String packageKey) {}

    Optional<Source> source(String modelId, int version) {
        return jdbc.queryOne("SELECT source_object, source_sha256, package_key FROM model_versions WHERE model_id = ? AND version = ?",
                rs -> new Source(rs.getString(1), rs.getString(2), rs.getString(3)), modelId, version);
    }

    /** The scopes a version declared at deploy; empty when it declared none. */
    Optional<String> scopes(String modelId, int version) {
        return jdbc.queryOne("SELECT scopes FROM model_versions WHERE model_id = ? AND version = ?", rs -> Optional.ofNullable(rs.getString(1)),
                modelId, version).flatMap(s -> s);
    }

    boolean versionExists(String modelId, int version) {
        return jdbc.queryOne("SELECT 1 FROM model_versions WHERE model_id = ? AND version = ?", rs -> 1, modelId, version).isPresent();
    }

    /** Points the stable version at {@code version}; a publish also records its message. */
    void makeStable(String modelId, int version, String message, OffsetDateTime now) {
        jdbc.inTransaction(tx -> {
            Jdbc.update(tx, "UPDATE models SET stable_version = ?, updated_at = ? WHERE model_id = ?", version, now, modelId);
            if (message != null) {
                Jdbc.update(tx, "UPDATE model_versions SET message = ?, published_at = ? WHERE model_id = ? AND version = ?", message, now, modelId, version);
            }
            return null;
        });
    }
}
