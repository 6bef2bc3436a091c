package io.omix.server.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omix.server.Capability;
import io.omix.server.Platform;
import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Scope;
import io.omix.server.common.http.Routes;
import io.omix.server.common.http.ServerJson;
import io.omix.server.common.validation.ParamSpec;
import io.omix.server.files.FileStore;
import io.omix.server.files.ObjectStore;
import io.omix.server.files.SignedLinks;
import io.omix.server.tasks.TaskEngine;
import io.omix.server.tasks.TasksCapability;

import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

/**
 * The right of access: {@code POST /user/export} queues a task that builds the signed-in person's
 * archive ({@link ExportArchive}) and stores it among their files; the task's answer (on
 * {@code GET /task/{task_id}}, like any task) gives a signed download link valid for a day. One
 * export per person runs at a time: asking again while one runs answers that one.
 */
public final class PrivacyCapability implements Capability {
    static final String EXPORT_TASK = "user.export";
    /** How long an export's download link stays valid. */
    static final Duration LINK_VALIDITY = Duration.ofHours(24);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final Platform platform;
    private final SignedLinks links;

    public PrivacyCapability(Platform platform) {
        this.platform = platform;
        this.links = new SignedLinks(platform);
        platform.tasks().handle(EXPORT_TASK, this::export);
        platform.tasks().viewResults(EXPORT_TASK, this::withLink);
    }

    /** Who owns a person's export tasks: the person, whichever of their tools asked. */
    public static String exportOwner(String userId) {
        return "user:" + userId;
    }

    @Override
    public void routes(Routes routes) {
        routes.post("/user/export", Access.USER_TOKEN, ParamSpec.NONE, (r, p) -> {
            r.caller().requireScope(Scope.GRANTS);
            String userId = r.caller().userId();
            String owner = exportOwner(userId);
            Optional<TaskEngine.Task> running = platform.database().jdbc().queryOne("SELECT task_id FROM tasks WHERE owner = ? AND kind = ?"
                    + " AND status IN ('PENDING', 'STARTED') ORDER BY job_id DESC", rs -> rs.getString(1), owner, EXPORT_TASK)
                    .flatMap(platform.tasks()::byTaskId);
            TaskEngine.Task task = running.orElseGet(() -> platform.tasks().submit(EXPORT_TASK, owner,
                    ServerJson.MAPPER.createObjectNode().put("user_id", userId), "/user/export"));
            return TasksCapability.taskView(r, platform, task);
        });
    }

    /**
     * An export's result with its link, signed now for the grant of the request reading it (any of the person's own tools
     * reads the task), valid until the result's {@code expires}: a link signed for the grant that asked would have let
     * another tool keep downloading the archive after its own grant was revoked, for as long as the asking one stood.
     */
    private JsonNode withLink(TaskEngine.Task task, io.omix.server.common.http.ApiRequest reader) {
        JsonNode result = task.result();
        if (!result.hasNonNull("object_name") || !result.hasNonNull("expires")) return result;
        ObjectNode shown = result.deepCopy();
        shown.put("url", links.url(links.grantOf(reader), reader.baseUrl(platform.config()),
                result.get("object_name").asText(), Long.parseLong(result.get("expires").asText())));
        return shown;
    }

    /** Builds the archive in a scratch file, stores it as the person's file, and answers with a link to it (signed when read). */
    private JsonNode export(TaskEngine.Run run, Connection tx) throws Exception {
        JsonNode payload = run.task().payload();
        String userId = payload.path("user_id").asText();
        Path scratch = Files.createTempFile("omix-export-", ".zip");
        try {
            ObjectNode manifest;
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(scratch), 1 << 16)) {
                manifest = new ExportArchive(platform).write(userId, out, run::progress);
            }
            OffsetDateTime now = platform.now().withOffsetSameInstant(ZoneOffset.UTC);
            String name = ExportArchive.OBJECT_PREFIX + userId + "/omix-export-" + STAMP.format(now) + "-" + run.task().taskId().substring(0, 8) + ".zip";
            ObjectStore.Stored stored;
            try (InputStream in = Files.newInputStream(scratch)) {
                stored = platform.objects().put(name, in, Long.MAX_VALUE, null);
            }
            // Not recorded after all (an erasure of the person or a sample of it took the task meanwhile): its bytes go now.
            run.then(false, () -> platform.objects().deleteQuietly(name));
            // The person's row first, as an account's erasure takes it: an erasure in flight either waits for this archive and
            // removes it, or came first (the archive is no one's: refused, its bytes go). Without it, the archive of a person
            // with no samples was recorded beside the erasure, which had listed their files already, and outlived it.
            if (!io.omix.server.users.UserStore.holdPerson(tx, platform.database(), userId)) {
                throw new io.omix.server.tasks.TaskEngine.TaskFailure("the account was erased", null);
            }
            // The samples it holds, held until this commits and checked still the person's: an erasure (or the person leaving
            // a shared sample) that committed while the archive was written would otherwise miss this archive, which holds it.
            List<String> exported = new java.util.ArrayList<>();
            manifest.path("samples").forEach(id -> exported.add(id.asText()));
            if (!exported.isEmpty()) {
                io.omix.server.common.db.SqlWhere samples = new io.omix.server.common.db.SqlWhere().in("biosample_id", exported);
                io.omix.server.common.db.Jdbc.query(tx, "SELECT biosample_id FROM samples" + samples.sql() + " ORDER BY biosample_id"
                        + platform.database().holdRows(), rs -> 1, samples.args());
                io.omix.server.common.db.SqlWhere theirs = new io.omix.server.common.db.SqlWhere().and("user_id = ?", userId).in("biosample_id", exported);
                long still = io.omix.server.common.db.Jdbc.query(tx, "SELECT COUNT(*) FROM sample_users" + theirs.sql(), rs -> rs.getLong(1),
                        theirs.args()).get(0);
                if (still < exported.size()) throw new IllegalStateException("a sample of the export was erased while it was written: written again");
            }
            // One archive a person: the earlier ones go with this one's recording (their bytes once it has committed), so that
            // exporting again and again does not pile up copies outside the file quota, nor keeps what an erasure took since.
            List<String> earlier = Erasure.dropArchivesOf(tx, userId);
            run.then(true, () -> earlier.forEach(platform.objects()::deleteQuietly));
            // Recorded with the task's outcome: if this run rolls back, housekeeping removes the unreferenced object.
            FileStore.recordObject(tx, name, "user:" + userId, stored, now);
            long expires = now.plus(LINK_VALIDITY).toEpochSecond();
            // The link itself is not stored (a live credential to the whole archive in clear): it is signed when the task is read.
            ObjectNode result = ServerJson.MAPPER.createObjectNode();
            result.put("object_name", name).put("size", stored.size()).put("sha256", stored.sha256())
                    .put("expires", String.valueOf(expires))
                    .put("samples", manifest.path("samples").size()).put("files", manifest.path("files").size())
                    .put("entries", manifest.path("entries").size() + 1);
            return result;
        } finally {
            Files.deleteIfExists(scratch);
        }
    }

    /**
     * An archive lives as long as its link: then its row and bytes go (a person asks for a new export). And what requests
     * authenticated just before an account's erasure left naming the person goes ({@link Erasure#forgetLeftoversOfErasedPeople}).
     */
    @Override
    public java.util.List<io.omix.server.housekeeping.Housekeeping.Job> housekeeping() {
        return java.util.List.of(new io.omix.server.housekeeping.Housekeeping.Job("export_archives", (now, r) -> {
            var jdbc = platform.database().jdbc();
            String like = io.omix.server.common.db.Jdbc.likeEscaped(ExportArchive.OBJECT_PREFIX) + "%";
            java.util.List<String> old = jdbc.query("SELECT object_name FROM file_objects WHERE object_name LIKE ? ESCAPE '\\' AND created_at < ?",
                    rs -> rs.getString(1), like, now.minus(LINK_VALIDITY));
            long removed = 0;
            for (String name : old) {
                if (jdbc.update("DELETE FROM file_objects WHERE object_name = ?", name) == 0) continue;
                removed++;
                try {
                    platform.objects().delete(name);
                } catch (java.io.IOException | RuntimeException e) {
                    // Unreferenced now: the sweep of unreferenced objects takes the bytes later.
                }
            }
            return removed;
        }), new io.omix.server.housekeeping.Housekeeping.Job("leftovers_of_erased_people",
                (now, r) -> Erasure.forgetLeftoversOfErasedPeople(platform.database().jdbc(), now)),
                new io.omix.server.housekeeping.Housekeeping.Job("interrupted_restores", (now, r) -> ArchiveRestore.undoInterruptedRestores(platform, now)));
    }
}
