package io.omix.server.tasks;

import io.omix.server.Capability;
import io.omix.server.Platform;
import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ApiRequest;
import io.omix.server.common.http.HttpProblem;
import io.omix.server.common.http.Routes;
import io.omix.server.common.validation.LongParam;
import io.omix.server.common.validation.Param;
import io.omix.server.common.validation.ParamSpec;
import io.omix.server.common.validation.StringParam;
import io.javalin.http.HandlerType;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where callers watch their tasks: {@code GET /task/{task_id}} (open platform, the private platform's commit
 * answer), {@code GET /private/task/{task_id}} (private apps) and {@code GET /api/v2/jobs/{job_id}}
 * (dataset batches). A caller sees only its own tasks; any other id is answered as unknown.
 */
public final class TasksCapability implements Capability {
    static final StringParam TASK_ID = Param.string("task_id").required().maxLength(36);
    static final LongParam JOB_ID = Param.longInt("job_id").required().range(1, Long.MAX_VALUE);
    private static final DateTimeFormatter JOB_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");

    private final Platform platform;
    private final TaskEngine engine;

    public TasksCapability(Platform platform) {
        this.platform = platform;
        this.engine = platform.tasks();
    }

    /** Who owns the tasks a caller queues: the app, the OAuth2 client, or the dataset API key. */
    public static String ownerOf(Caller caller) {
        return switch (caller.kind()) {
            case PRIVATE_APP -> "app:" + caller.namespace();
            case USER_TOKEN, CLIENT_TOKEN -> "client:" + caller.clientId();
            case DATASET_KEY -> "dsk:" + caller.appKey();
            case ANONYMOUS -> throw new IllegalArgumentException("anonymous callers own no tasks");
        };
    }

    /**
     * Whether {@code owner} is a kind of owner this platform makes: an application ({@code client:ID}, a console session
     * as {@code client:console:UID}), a person within one ({@code client:ID:user:UID}), a private app ({@code app:NS}), a
     * dataset key ({@code dsk:KEY}) or a person alone ({@code user:UID}, a data export).
     */
    public static boolean knownOwner(String owner) {
        return owner.startsWith("client:") || owner.startsWith("app:") || owner.startsWith("dsk:") || owner.startsWith("user:");
    }

    /**
     * Whether {@code owner} ({@link #knownOwner}) may still act: its application, app or API key there and enabled, and
     * the person too where one is named (a console session's is its operator); false for any other kind of owner.
     */
    public static boolean ownerActive(java.sql.Connection c, String owner) throws java.sql.SQLException {
        if (!knownOwner(owner)) return false;
        int colon = owner.indexOf(':');
        String kind = owner.substring(0, colon), id = owner.substring(colon + 1);
        String user = null;
        if (kind.equals("user")) {
            user = id;
            id = null;
        } else if (kind.equals("client")) {
            int person = id.indexOf(":user:");
            if (person >= 0) {
                user = id.substring(person + ":user:".length());
                id = id.substring(0, person);
            }
            if (id.startsWith(Caller.CONSOLE_CLIENT_PREFIX)) {
                // A console session acts through no OAuth2 client: its operator is who must still be enabled.
                if (user == null) user = id.substring(Caller.CONSOLE_CLIENT_PREFIX.length());
                id = null;
            }
        }
        if (id != null) {
            String sql = switch (kind) {
                case "client" -> "SELECT 1 FROM oauth_clients WHERE client_id = ? AND disabled = FALSE";
                case "app" -> "SELECT 1 FROM private_apps WHERE namespace = ? AND disabled = FALSE";
                default -> "SELECT 1 FROM dataset_api_keys WHERE api_key = ? AND disabled = FALSE";
            };
            if (io.omix.server.common.db.Jdbc.query(c, sql, rs -> 1, id).isEmpty()) return false;
        }
        return user == null || !io.omix.server.common.db.Jdbc.query(c, "SELECT 1 FROM users WHERE user_id = ? AND disabled = FALSE", rs -> 1, user).isEmpty();
    }

    /** The person an owner ({@link #knownOwner}) names: theirs, one acting through an application, or a console session's; else null. */
    public static String personOf(String owner) {
        if (owner.startsWith("user:")) return owner.substring("user:".length());
        if (!owner.startsWith("client:")) return null;
        int person = owner.indexOf(":user:");
        if (person >= 0) return owner.substring(person + ":user:".length());
        String console = "client:" + Caller.CONSOLE_CLIENT_PREFIX;
        return owner.startsWith(console) ? owner.substring(console.length()) : null;
    }

    /**
     * Who owns the tasks a caller queues: as {@link #ownerOf}, except that a person's token queues the person's own task
     * within the application (read back, and counted against the queue's limit, for that person alone: the people of
     * one shared client do not read each other's tasks nor fill each other's queue).
     */
    public static String taskOwnerOf(Caller caller) {
        return caller.kind() == Caller.Kind.USER_TOKEN ? "client:" + caller.clientId() + ":user:" + caller.userId() : ownerOf(caller);
    }

    /** Whose webhooks hear of a task's end: the application, for a task a person queued through it. */
    public static String announcedTo(String taskOwner) {
        int person = taskOwner.indexOf(":user:");
        return taskOwner.startsWith("client:") && person > 0 ? taskOwner.substring(0, person) : taskOwner;
    }

    @Override
    public void routes(Routes routes) {
        ParamSpec byTask = ParamSpec.of(TASK_ID);
        routes.get("/task/{task_id}", Access.TOKEN, byTask, (r, p) -> taskView(r, platform, own(r.caller(), p.get(TASK_ID))));
        routes.get("/admin/tasks", Access.OPERATOR, ParamSpec.NONE, (r, p) -> Map.of("tasks", engine.recent(200).stream().map(t -> {
            Map<String, Object> m = jobView(t);
            m.put("task_id", t.taskId());
            m.put("kind", t.kind());
            m.put("state", t.status().name());
            m.put("owner", t.owner());
            m.put("progress", t.progress());
            m.put("attempts", t.attempts());
            return m;
        }).toList()));
        routes.get("/private/task/{task_id}", Access.PRIVATE_APP, byTask, (r, p) -> taskView(r, platform, own(r.caller(), p.get(TASK_ID))));
        routes.resource(HandlerType.GET, "/api/v2/jobs/{job_id}", Access.DATASET_KEY, ParamSpec.of(JOB_ID), (r, p) -> {
            TaskEngine.Task task = engine.byJobId(p.get(JOB_ID)).filter(t -> t.owner().equals(ownerOf(r.caller())))
                    .orElseThrow(() -> new HttpProblem(404, "no job " + p.get(JOB_ID)));
            return Map.of("job", jobView(task));
        });
    }

    /**
     * The caller's task: its own, or for a person's token holding {@code grants} also the person's (exports, whose
     * answer links to everything the person has), whichever of their own tools asked: an application the person allowed
     * less (their profile, say) does not read it, though it holds a token of the person.
     */
    private TaskEngine.Task own(Caller caller, String taskId) {
        return engine.byTaskId(taskId).filter(t -> t.owner().equals(taskOwnerOf(caller))
                        || caller.kind() == Caller.Kind.USER_TOKEN && caller.hasScope(io.omix.server.common.auth.Scope.GRANTS.id())
                        && t.owner().equals("user:" + caller.userId()))
                .orElseThrow(() -> ApiException.invalidParam("task_id", "no such task"));
    }

    /** the private platform's task answer: {@code {task_id, progress, result, completed, task_url}}. */
    public static Map<String, Object> taskView(ApiRequest request, io.omix.server.Platform platform, TaskEngine.Task task) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task_id", task.taskId());
        m.put("progress", task.status().name());
        m.put("result", platform.tasks().resultOf(task, request));
        m.put("completed", task.completedAt() == null ? null : task.completedAt().toString());
        String base = request.baseUrl(platform.config());
        String prefix = request.ctx().path().startsWith("/private/") ? "/private" : "";
        m.put("task_url", base + prefix + "/task/" + task.taskId());
        return m;
    }

    /** The dataset batches API's job ({@code JobSchema}). */
    public static Map<String, Object> jobView(TaskEngine.Task task) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", task.jobId());
        m.put("status", switch (task.status()) {
            case PENDING, STARTED -> "processing";
            case SUCCESS -> "success";
            case FAILURE -> "failure";
            case REVOKED -> "error";
        });
        m.put("response", task.result() == null ? Map.of() : task.result());
        m.put("last_updated_at", time(task.updatedAt()));
        m.put("created_at", time(task.createdAt()));
        m.put("path", task.path());
        m.put("operation", task.kind());
        return m;
    }

    private static String time(OffsetDateTime t) {
        return t == null ? null : JOB_TIME.format(t);
    }

    /** Finished tasks past housekeeping.task-retention-days; their answers go with them. */
    @Override
    public java.util.List<io.omix.server.housekeeping.Housekeeping.Job> housekeeping() {
        return java.util.List.of(new io.omix.server.housekeeping.Housekeeping.Job("tasks", (now, r) ->
                platform.database().jdbc().update("DELETE FROM tasks WHERE status IN ('SUCCESS', 'FAILURE', 'REVOKED') AND completed_at < ?",
                        now.minus(r.finishedTasks()))));
    }
}
