package io.omix.server.files;

import io.omix.server.Platform;
import io.omix.server.common.db.Jdbc;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/** The database side of files: upload credentials, objects and their owners, multipart uploads and parts. */
public final class FileStore {
    /** @param grantTokenHash the hash of the access token that obtained the credentials; null for a browser session */
    record Credential(String accessKeyId, String secretSealed, String tokenHash, String owner, String clientId, String userId,
                      String destination, OffsetDateTime expiresAt, OffsetDateTime revokedAt, String grantTokenHash) {}

    /** A recorded file; {@code key} is where its bytes are in the object store (its name, or a version key of its own). */
    record FileObject(String objectName, String owner, long size, String sha256, String crc32c, OffsetDateTime createdAt, String key) {}

    /** The object-store key of a {@code file_objects} row, in SQL. */
    public static final String KEY = "COALESCE(stored_as, object_name)";

    record Upload(String uploadId, String objectName, String owner, long size, String sha256, long partSize) {}

    record Part(int partNumber, long size, String sha256) {}

    private final Jdbc jdbc;
    private final io.omix.server.oauth.TokenStore grants;

    FileStore(Platform platform) {
        this.jdbc = platform.database().jdbc();
        this.grants = new io.omix.server.oauth.TokenStore(platform);
    }

    void insertCredential(Credential c, OffsetDateTime now) {
        jdbc.update("INSERT INTO upload_credentials (access_key_id, secret_sealed, token_hash, owner, client_id, user_id, destination,"
                + " created_at, expires_at, grant_token_hash) VALUES (?,?,?,?,?,?,?,?,?,?)", c.accessKeyId(), c.secretSealed(), c.tokenHash(),
                c.owner(), c.clientId(), c.userId(), c.destination(), now, c.expiresAt(), c.grantTokenHash());
    }

    Optional<Credential> credential(String accessKeyId) {
        return jdbc.queryOne("SELECT access_key_id, secret_sealed, token_hash, owner, client_id, user_id, destination, expires_at, revoked_at,"
                + " grant_token_hash FROM upload_credentials WHERE access_key_id = ?", rs -> new Credential(rs.getString(1), rs.getString(2),
                rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getObject(8, OffsetDateTime.class),
                rs.getObject(9, OffsetDateTime.class), rs.getString(10)), accessKeyId);
    }

    /** True when the owner's credential was live and is now revoked. */
    boolean revoke(String accessKeyId, String owner, OffsetDateTime now) {
        return jdbc.update("UPDATE upload_credentials SET revoked_at = ? WHERE access_key_id = ? AND owner = ? AND revoked_at IS NULL",
                now, accessKeyId, owner) == 1;
    }

    /**
     * Records an object stored under {@code key} (replacing an earlier one of the same name) if its owner's files and
     * unfinished uploads leave room for it under {@code maxBytesPerOwner}, checked with the owner's lock held: NO_ROOM
     * (nothing recorded) when they do not, because another upload took the room while this one's bytes arrived. The
     * outcome names the key of the object it replaced, whose bytes the caller deletes once this has committed.
     */
    Outcome putObjectWithin(String objectName, String key, String owner, ObjectStore.Stored stored, OffsetDateTime now, long maxBytesPerOwner,
                            long maxObjectsPerOwner, String accessKeyId) {
        ensureOwnerLock(owner);
        return jdbc.inTransaction(tx -> {
            if (accessKeyId != null && !holdCredential(tx, accessKeyId, owner)) return new Outcome(Recorded.CREDENTIALS_GONE, null);
            holdOwner(tx, owner);
            Held held = held(tx, owner, objectName);
            if (held.bytes() + stored.size() > maxBytesPerOwner) return new Outcome(Recorded.NO_ROOM, null);
            if (held.items() + 1 > maxObjectsPerOwner) return new Outcome(Recorded.TOO_MANY, null);
            return new Outcome(Recorded.YES, recordObject(tx, objectName, key, owner, stored, now));
        });
    }

    /**
     * Removes {@code owner}'s object {@code objectName}: the key its bytes are under (the caller deletes them once this has
     * committed), or empty when the owner has no object of that name. The owner's lock is held first, as an upload
     * recording a file holds it: an upload replacing this file records before this (and its file is the one removed) or
     * after it (a new file); without it, PostgreSQL's wait for the row a replacement deleted found nothing, and the
     * delete answered that there was no such file.
     */
    Optional<String> deleteObject(String objectName, String owner) {
        ensureOwnerLock(owner); // an owner whose files all came another way (a restore) has none yet
        return jdbc.inTransaction(tx -> {
            holdOwner(tx, owner);
            List<String> key = Jdbc.query(tx, "SELECT " + KEY + " FROM file_objects WHERE object_name = ? AND owner = ? FOR UPDATE",
                    rs -> rs.getString(1), objectName, owner);
            if (key.isEmpty()) return Optional.empty();
            Jdbc.update(tx, "DELETE FROM file_objects WHERE object_name = ? AND owner = ?", objectName, owner);
            return Optional.of(key.get(0));
        });
    }

    /** Whether a write was recorded, and the key of the object it replaced (null: none, or kept under the same key). */
    record Outcome(Recorded recorded, String replacedKey) {}

    /** Whether a write was recorded, or why not. */
    enum Recorded { YES, NO_ROOM, TOO_MANY, CREDENTIALS_GONE, UPLOAD_GONE }

    /** Records a new multipart upload (its size reserved) if the owner's quota leaves room for it, checked as above. */
    Recorded insertUploadWithin(Upload u, OffsetDateTime now, long maxBytesPerOwner, long maxObjectsPerOwner, String accessKeyId) {
        ensureOwnerLock(u.owner());
        return jdbc.inTransaction(tx -> {
            if (!holdCredential(tx, accessKeyId, u.owner())) return Recorded.CREDENTIALS_GONE;
            holdOwner(tx, u.owner());
            Held held = held(tx, u.owner(), u.objectName());
            if (held.bytes() + u.size() > maxBytesPerOwner) return Recorded.NO_ROOM;
            if (held.items() + 1 > maxObjectsPerOwner) return Recorded.TOO_MANY;
            Jdbc.update(tx, "INSERT INTO multipart_uploads (upload_id, object_name, owner, size_bytes, sha256, part_size, created_at) VALUES (?,?,?,?,?,?,?)",
                    u.uploadId(), u.objectName(), u.owner(), u.size(), u.sha256(), u.partSize(), now);
            return Recorded.YES;
        });
    }

    /**
     * Holds the credentials a write came with until it is recorded: false when they were revoked or went with an erasure
     * of their owner while the bytes arrived (an erasure deletes them before it lists the owner's files, so a write
     * holding them first is listed and erased with the rest). The owner's lock row, made again by this write, goes with
     * an owner that is gone.
     */
    private boolean holdCredential(java.sql.Connection tx, String accessKeyId, String owner) throws java.sql.SQLException {
        // The grant behind them first, held (the order revoking, disabling and erasing take the two rows in): a write
        // authenticated before its grant was revoked, its client or user disabled, records nothing after it.
        for (String grant : Jdbc.query(tx, "SELECT grant_token_hash FROM upload_credentials WHERE access_key_id = ?", rs -> rs.getString(1), accessKeyId)) {
            io.omix.server.oauth.TokenStore.holdToken(tx, grant);
        }
        List<String[]> held = Jdbc.query(tx, "SELECT grant_token_hash, user_id FROM upload_credentials WHERE access_key_id = ? AND revoked_at IS NULL"
                + " FOR UPDATE", rs -> new String[] {rs.getString(1), rs.getString(2)}, accessKeyId);
        if (!held.isEmpty() && grants.stands(tx, held.get(0)[0], held.get(0)[1], io.omix.server.common.auth.Scope.FILES.id())) {
            return true;
        }
        forgetLockOfErasedOwner(tx, owner);
        return false;
    }

    /** The owner's lock row, made again by a write that came too late, goes when the owner's account is gone. */
    private static void forgetLockOfErasedOwner(java.sql.Connection tx, String owner) throws java.sql.SQLException {
        if (owner.startsWith("user:") && Jdbc.query(tx, "SELECT 1 FROM users WHERE user_id = ?", rs -> 1, owner.substring(5)).isEmpty()) {
            Jdbc.update(tx, "DELETE FROM owner_locks WHERE owner = ?", owner);
        }
    }



    /** The owner's lock row, made once (in a statement of its own: a second maker's duplicate must not end a transaction). */
    private void ensureOwnerLock(String owner) {
        if (jdbc.queryOne("SELECT 1 FROM owner_locks WHERE owner = ?", rs -> 1, owner).isPresent()) return;
        try {
            jdbc.update("INSERT INTO owner_locks (owner) VALUES (?)", owner);
        } catch (Jdbc.DataAccessException e) {
            if (!(e.getCause() instanceof java.sql.SQLException s && "23505".equals(s.getSQLState()))) throw e;
        }
    }

    private static void holdOwner(java.sql.Connection tx, String owner) throws java.sql.SQLException {
        Jdbc.query(tx, "SELECT owner FROM owner_locks WHERE owner = ? FOR UPDATE", rs -> 1, owner);
    }

    /**
     * Records an object stored under its own name in {@code tx}, replacing an earlier one of the same name (the platform's
     * own files: exports, their restores, gene tables); the key of the replaced object when its bytes were elsewhere.
     */
    public static String recordObject(java.sql.Connection tx, String objectName, String owner, ObjectStore.Stored stored, OffsetDateTime now)
            throws java.sql.SQLException {
        return recordObject(tx, objectName, objectName, owner, stored, now);
    }

    /**
     * Records an object whose bytes are under {@code key} in {@code tx}, replacing an earlier one of the same name: the one
     * place the rows of {@code file_objects} are written. Answers the replaced object's key when it differs from
     * {@code key} (its bytes are the caller's to delete once {@code tx} has committed), else null.
     */
    static String recordObject(java.sql.Connection tx, String objectName, String key, String owner, ObjectStore.Stored stored, OffsetDateTime now)
            throws java.sql.SQLException {
        String replaced = Jdbc.query(tx, "SELECT " + KEY + " FROM file_objects WHERE object_name = ? FOR UPDATE", rs -> rs.getString(1), objectName)
                .stream().findFirst().orElse(null);
        Jdbc.update(tx, "DELETE FROM file_objects WHERE object_name = ?", objectName);
        Jdbc.update(tx, "INSERT INTO file_objects (object_name, owner, size_bytes, sha256, crc32c, created_at, document_id, stored_as) VALUES (?,?,?,?,?,?,?,?)",
                objectName, owner, stored.size(), stored.sha256(), stored.crc32c(), now, documentId(objectName), key.equals(objectName) ? null : key);
        return replaced == null || replaced.equals(key) ? null : replaced;
    }

    /**
     * A file's FHIR id (DocumentReference): a digest of its object name, since names run to 400 characters and FHIR ids to
     * 64. Kept with the file and indexed, so that a read by id is one lookup, not a digest of every file of its owner.
     */
    public static String documentId(String objectName) {
        return "f" + java.util.HexFormat.of().formatHex(io.omix.server.common.auth.Secrets.sha256(objectName.getBytes(java.nio.charset.StandardCharsets.UTF_8)), 0, 20);
    }

    /**
     * What an owner's files and unfinished uploads hold, leaving out object {@code replaced} (the upload about to take its
     * name frees it): what {@code files.max-bytes-per-owner} and {@code files.max-objects-per-owner} bound.
     */
    Held held(String owner, String replaced) {
        return jdbc.withConnection(c -> held(c, owner, replaced));
    }

    /** What an owner's files and unfinished uploads hold: bytes, and how many they are. */
    record Held(long bytes, long items) {}

    private static Held held(java.sql.Connection c, String owner, String replaced) throws java.sql.SQLException {
        // A person's exports are the platform's copies of what they hold, not uploads: never counted against them. Counted
        // in the same pass as the bytes: objects of no bytes cost the file system all the same (one file each).
        long[] objects = Jdbc.query(c, "SELECT COALESCE(SUM(size_bytes), 0), COUNT(*) FROM file_objects WHERE owner = ? AND object_name <> ?"
                + " AND object_name NOT LIKE ?", rs -> new long[] {rs.getLong(1), rs.getLong(2)}, owner, replaced, ObjectNames.PERSONAL_ARCHIVES + "%").get(0);
        long[] uploads = Jdbc.query(c, "SELECT COALESCE(SUM(size_bytes), 0), COUNT(*) FROM multipart_uploads WHERE owner = ?",
                rs -> new long[] {rs.getLong(1), rs.getLong(2)}, owner).get(0);
        return new Held(objects[0] + uploads[0], objects[1] + uploads[1]);
    }

    /** An owner's objects, newest first. */
    List<FileObject> objectsOf(String owner, int limit) {
        return jdbc.query("SELECT object_name, owner, size_bytes, sha256, crc32c, created_at, " + KEY + " FROM file_objects WHERE owner = ?"
                        + " ORDER BY created_at DESC, object_name LIMIT " + limit, FileStore::object, owner);
    }

    Optional<FileObject> object(String objectName) {
        return jdbc.queryOne("SELECT object_name, owner, size_bytes, sha256, crc32c, created_at, " + KEY + " FROM file_objects WHERE object_name = ?",
                FileStore::object, objectName);
    }

    private static FileObject object(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new FileObject(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5), rs.getObject(6, OffsetDateTime.class),
                rs.getString(7));
    }

    void insertUpload(Upload u, OffsetDateTime now) {
        jdbc.update("INSERT INTO multipart_uploads (upload_id, object_name, owner, size_bytes, sha256, part_size, created_at) VALUES (?,?,?,?,?,?,?)",
                u.uploadId(), u.objectName(), u.owner(), u.size(), u.sha256(), u.partSize(), now);
    }

    Optional<Upload> upload(String uploadId) {
        return jdbc.queryOne("SELECT upload_id, object_name, owner, size_bytes, sha256, part_size FROM multipart_uploads WHERE upload_id = ?",
                FileStore::upload, uploadId);
    }

    /**
     * An unfinished upload to the same object by the same owner, of the same size and part size (and
     * SHA-256, when one was given): initiating again resumes it. Clients compare each held part's
     * checksum with their own before skipping it.
     */
    Optional<Upload> resumable(String objectName, String owner, long size, String sha256, long partSize) {
        return jdbc.queryOne("SELECT upload_id, object_name, owner, size_bytes, sha256, part_size FROM multipart_uploads"
                + " WHERE object_name = ? AND owner = ? AND size_bytes = ? AND sha256 = ? AND part_size = ? ORDER BY created_at DESC",
                FileStore::upload, objectName, owner, size, sha256, partSize);
    }

    /** Whether an upload of this id is recorded (begun and neither completed, aborted nor erased). */
    boolean uploadRecorded(String uploadId) {
        return jdbc.queryOne("SELECT 1 FROM multipart_uploads WHERE upload_id = ?", rs -> 1, uploadId).isPresent();
    }

    /** Uploads started before {@code cutoff} and never completed nor aborted (housekeeping). */
    List<Upload> uploadsStartedBefore(OffsetDateTime cutoff, int limit) {
        return jdbc.query("SELECT upload_id, object_name, owner, size_bytes, sha256, part_size FROM multipart_uploads WHERE created_at < ?"
                + " ORDER BY created_at LIMIT " + Math.max(1, limit), FileStore::upload, cutoff);
    }

    private static Upload upload(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Upload(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5), rs.getLong(6));
    }

    /**
     * Records a stored part; refused (42004) when its upload ended (aborted, completed, erased) while the part's bytes
     * travelled: the upload's row is locked here, so an end waits for this record or this record sees the end.
     */
    void putPart(String uploadId, ObjectStore.Stored stored, int partNumber) {
        jdbc.inTransaction(tx -> {
            if (Jdbc.query(tx, "SELECT 1 FROM multipart_uploads WHERE upload_id = ? FOR UPDATE", rs -> 1, uploadId).isEmpty()) {
                throw new io.omix.server.common.http.ApiException(io.omix.server.common.http.ErrorCode.UPLOAD_NOT_FOUND,
                        java.util.Map.of("upload_id", "the upload ended while this part was on its way: start it again"));
            }
            Jdbc.update(tx, "DELETE FROM upload_parts WHERE upload_id = ? AND part_number = ?", uploadId, partNumber);
            Jdbc.update(tx, "INSERT INTO upload_parts (upload_id, part_number, size_bytes, sha256) VALUES (?,?,?,?)",
                    uploadId, partNumber, stored.size(), stored.sha256());
            return null;
        });
    }

    /** Whether the upload holds part {@code partNumber} already (one key lookup, not the list of parts). */
    boolean holdsPart(String uploadId, int partNumber) {
        return jdbc.queryOne("SELECT 1 FROM upload_parts WHERE upload_id = ? AND part_number = ?", rs -> 1, uploadId, partNumber).isPresent();
    }

    List<Part> parts(String uploadId) {
        return jdbc.query("SELECT part_number, size_bytes, sha256 FROM upload_parts WHERE upload_id = ? ORDER BY part_number",
                rs -> new Part(rs.getInt(1), rs.getLong(2), rs.getString(3)), uploadId);
    }

    /** Ends an upload that records nothing (aborted, or abandoned and swept): its row and its parts' rows go. */
    void abandonUpload(String uploadId, String objectName, String owner, OffsetDateTime now) {
        finishUpload(uploadId, objectName, objectName, owner, null, now, null);
    }

    /**
     * Ends an upload as above, its object (stored under {@code key}) recorded only while the upload and the credentials it
     * is completed with ({@code accessKeyId}, when given) still stand: an abort or an erasure that came first leaves
     * nothing recorded. The outcome names the key of the object it replaced, to delete once this has committed.
     */
    Outcome finishUpload(String uploadId, String objectName, String key, String owner, ObjectStore.Stored stored, OffsetDateTime now, String accessKeyId) {
        if (stored != null) ensureOwnerLock(owner);
        return jdbc.inTransaction(tx -> {
            if (accessKeyId != null && !holdCredential(tx, accessKeyId, owner)) return new Outcome(Recorded.CREDENTIALS_GONE, null);
            // Recording holds the owner's lock as a PUT does (in its order: credentials, owner, upload): a PUT of the same
            // new name at the same moment is recorded before or after this, not beside it on the same key.
            if (stored != null) holdOwner(tx, owner);
            // The upload's row, its parts with it (ON DELETE CASCADE): the order putPart takes them, so the two never wait on each other.
            int ended = Jdbc.update(tx, "DELETE FROM multipart_uploads WHERE upload_id = ?", uploadId);
            if (stored != null && ended == 0) return new Outcome(Recorded.UPLOAD_GONE, null);
            String replaced = stored == null ? null : recordObject(tx, objectName, key, owner, stored, now);
            return new Outcome(Recorded.YES, replaced);
        });
    }

    /** Whether a recorded object's bytes are under {@code key}. */
    boolean keyRecorded(String key) {
        return !existing(List.of(key)).isEmpty();
    }

    /** Which of {@code keys} (the object store's) hold a recorded object's bytes, or a model version's package. */
    public java.util.Set<String> existing(java.util.List<String> keys) {
        if (keys.isEmpty()) return java.util.Set.of();
        String marks = String.join(",", java.util.Collections.nCopies(keys.size(), "?"));
        java.util.Set<String> out = new java.util.HashSet<>(jdbc.query("SELECT stored_as FROM file_objects WHERE stored_as IN (" + marks + ")",
                rs -> rs.getString(1), keys.toArray()));
        out.addAll(jdbc.query("SELECT object_name FROM file_objects WHERE stored_as IS NULL AND object_name IN (" + marks + ")",
                rs -> rs.getString(1), keys.toArray()));
        // The packages model versions keep of their own (ModelsCapability.keepPackage): the platform's, under no file's name.
        out.addAll(jdbc.query("SELECT package_key FROM model_versions WHERE package_key IN (" + marks + ")", rs -> rs.getString(1), keys.toArray()));
        return out;
    }
}
