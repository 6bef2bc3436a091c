package io.omix.server.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.HandlerType;
import io.omix.server.Capability;
import io.omix.server.Platform;
import io.omix.server.common.auth.Access;
import io.omix.server.common.db.SqlWhere;
import io.omix.server.common.http.ApiRequest;
import io.omix.server.common.http.CallerTurns;
import io.omix.server.common.http.HttpProblem;
import io.omix.server.common.http.Routes;
import io.omix.server.common.validation.BoolParam;
import io.omix.server.common.validation.IntParam;
import io.omix.server.common.validation.JsonParam;
import io.omix.server.common.validation.LongParam;
import io.omix.server.common.validation.Param;
import io.omix.server.common.validation.ParamSpec;
import io.omix.server.common.validation.Params;
import io.omix.server.common.validation.StringParam;
import io.omix.server.demo.DemoData;
import io.omix.server.tasks.TaskEngine;
import io.omix.server.tasks.TasksCapability;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The dataset batches API (the dataset batches API, {@code dataset-batches.openapi.yaml}) under {@code /api/v2}:
 * datasets (create from a schema and rows or from a CSV upload, get, list, read rows) and their
 * batches (list, get, create from another dataset, suspend / restore, remove, delete), with jobs for
 * what changes data. A dataset API key sees only its own workspaces; anything else is a 404.
 */
public final class DatasetsCapability implements Capability {
    static final String PROJECT = "/api/v2/workspaces/{workspace_id}/projects/{project_id}";
    static final String DATASETS = PROJECT + "/datasets";
    static final String DATASET = DATASETS + "/{dataset_id}";
    static final String BATCHES = DATASET + "/batches";
    static final String CREATE_BATCH_JOB = "dataset.batch.create";
    static final String BATCH_STATE_JOB = "dataset.batch.state";
    static final String DELETE_BATCHES_JOB = "dataset.batch.delete";
    /** Removes the rows of an API key's deleted datasets (queued by their deletion, one waiting at most per caller). */
    static final String PURGE_KEY_JOB = "dataset.purge";
    /** How long a batch marked deleting is left to its job before housekeeping removes it. */
    static final java.time.Duration PURGE_GRACE = java.time.Duration.ofHours(1);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

    static final LongParam WORKSPACE_ID = Param.longInt("workspace_id").required().range(1, Long.MAX_VALUE);
    static final LongParam PROJECT_ID = Param.longInt("project_id").required().range(1, Long.MAX_VALUE);
    static final LongParam DATASET_ID = Param.longInt("dataset_id").required().range(1, Long.MAX_VALUE);
    static final LongParam BATCH_ID = Param.longInt("batch_id").required().range(1, Long.MAX_VALUE);
    static final StringParam FIELDS = Param.string("fields").maxLength(1000);
    static final StringParam ID = Param.string("id").maxLength(20_000);
    static final StringParam IDS = Param.string("ids").required().maxLength(20_000);
    static final StringParam NAME = Param.string("name").maxLength(20_000);
    static final StringParam CREATED_AT = Param.string("created_at").maxLength(200);
    static final StringParam UPDATED_AT = Param.string("updated_at").maxLength(200);
    static final StringParam CREATED_BY = Param.string("created_by").maxLength(20_000);
    static final StringParam SOURCE_TYPE = Param.string("source_type").maxLength(200);
    static final StringParam STATUS = Param.string("status").maxLength(200);
    static final StringParam ROW_COUNT = Param.string("row_count").maxLength(20_000);
    static final IntParam LIMIT = Param.integer("limit").range(0, 100).orElse(50);
    static final IntParam OFFSET = Param.integer("offset").range(0, Integer.MAX_VALUE).orElse(0);
    static final IntParam DATA_LIMIT = Param.integer("limit").range(0, 10_000).orElse(100);
    static final StringParam SORT = Param.string("sort").maxLength(1000);
    static final StringParam COLUMNS = Param.string("columns").maxLength(20_000);
    static final StringParam CREATION_TYPE = Param.string("ds_creation_type").required().oneOf("clone", "cloud", "sketch", "weburl");
    static final JsonParam DATASET_SPEC = Param.json("dataset_spec").required().maxChars(Integer.MAX_VALUE);
    static final StringParam FOLDER = Param.string("folder_resource_id").maxLength(200);
    static final StringParam UPLOAD_NAME = Param.string("name").required().maxLength(200);
    static final LongParam SOURCE_ID = Param.longInt("source_id").required().range(1, Long.MAX_VALUE);
    static final JsonParam MAPPING = Param.json("mapping").required();
    static final BoolParam VALIDATE_ONLY = Param.bool("validate_only").required();
    static final BoolParam DELETE_SOURCE = Param.bool("delete_source_ds").required();
    static final JsonParam NEW_DS = Param.json("new_ds_details");
    static final JsonParam PATCH = Param.json("patch").required();
    static final BoolParam VALIDATION_ONLY = Param.bool("validation_only").orElse(false);
    static final BoolParam SKIP_DEPENDENCY_VALIDATION = Param.bool("skip_dependency_validation").orElse(false);

    static final QuerySyntax.FieldSets BATCH_FIELDS = new QuerySyntax.FieldSets(
            List.of("id", "name", "state", "created_at"),
            List.of("id", "name", "state", "created_at", "description", "row_count", "column_count", "source"),
            List.of("id", "name", "state", "created_at", "description", "row_count", "column_count", "source", "data_schema"),
            Map.of("status", "state"));
    static final QuerySyntax.FieldSets DATASET_FIELDS = new QuerySyntax.FieldSets(
            List.of("id", "name", "created_at", "updated_at", "created_by", "status", "status_info", "get_url"),
            List.of("id", "name", "created_at", "updated_at", "created_by", "status", "status_info", "get_url", "data_schema", "stats",
                    "sources", "display_info", "dependencies", "data_url", "resource_path", "configurations"),
            List.of("id", "name", "created_at", "updated_at", "created_by", "status", "status_info", "get_url", "data_schema", "stats",
                    "sources", "display_info", "dependencies", "data_url", "resource_path", "configurations", "batch_ids"),
            Map.of());
    static final Map<String, String> BATCH_SORT = sortable("id", "b.batch_id", "name", "b.name", "state", "b.state", "status", "b.state",
            "created_at", "b.created_at", "row_count", "b.row_count", "column_count", "b.column_count");
    static final Map<String, String> DATASET_SORT = sortable("id", "d.dataset_id", "name", "d.name", "status", "d.status",
            "created_at", "d.created_at", "updated_at", "d.updated_at", "created_by", "d.created_by");

    private final Platform platform;
    private final DatasetStore store;
    private final TaskEngine tasks;
    private final BatchJobs jobs;

    public DatasetsCapability(Platform platform) {
        this.platform = platform;
        this.store = new DatasetStore(platform);
        this.tasks = platform.tasks();
        this.jobs = new BatchJobs(platform, store);
        tasks.handle(CREATE_BATCH_JOB, jobs::create);
        tasks.handle(BATCH_STATE_JOB, jobs::changeState);
        tasks.handle(DELETE_BATCHES_JOB, jobs::purge);
        tasks.handle(PURGE_KEY_JOB, jobs::purgeKey);
    }

    /**
     * Deleted batches a purge job left (it failed for good, or its server stopped for good), an hour after they were
     * marked (not those a job is removing now): removed the same way; how many rows.
     */
    @Override
    public List<io.omix.server.housekeeping.Housekeeping.Job> housekeeping() {
        return List.of(new io.omix.server.housekeeping.Housekeeping.Job("deleted_dataset_batches", (now, r) -> {
            List<Long> doomed = DatasetStore.deleting(store.jdbc(), new io.omix.server.common.db.SqlWhere()
                    .and("(b.deleting_since IS NULL OR b.deleting_since < ?)", now.minus(PURGE_GRACE)));
            return DatasetStore.purge(store.jdbc(), doomed, percent -> { });
        }));
    }

    @Override
    public void routes(Routes routes) {
        ParamSpec project = ParamSpec.of(WORKSPACE_ID, PROJECT_ID);
        routes.get("/admin/datasets", Access.OPERATOR, ParamSpec.NONE, (r, p) -> Map.of("datasets", store.allDatasets(500)));
        routes.resource(HandlerType.GET, DATASETS, Access.DATASET_KEY, project.with(FIELDS, ID, NAME, CREATED_AT, UPDATED_AT, CREATED_BY,
                SOURCE_TYPE, STATUS, LIMIT, OFFSET, SORT), this::listDatasets);
        routes.resource(HandlerType.POST, DATASETS, Access.DATASET_KEY, project.with(CREATION_TYPE, DATASET_SPEC, FOLDER), (r, p) -> {
            long projectId = project(r, p);
            if (!p.get(CREATION_TYPE).equals("sketch")) {
                throw QuerySyntax.bad("ds_creation_type", "only sketch datasets are created here; upload CSV files to " + DATASETS + "/upload");
            }
            long id;
            try (CallerTurns.Turn turn = heavyTurns.enter(r)) { // its rows (up to the request's 16 MiB) stored in one transaction
                id = new DatasetCreation(platform).sketch(projectId, p.get(DATASET_SPEC), actingKey(r, projectId));
            }
            r.ctx().status(201);
            return Map.of("dataset", datasetView(dataset(projectId, id), DATASET_FIELDS.select(null)));
        });
        routes.resourceUpload(HandlerType.POST, DATASETS + "/upload", Access.DATASET_KEY, project.with(UPLOAD_NAME), (r, p) -> {
            long projectId = project(r, p);
            long id = new DatasetCreation(platform).csv(projectId, p.get(UPLOAD_NAME), r.body(), actingKey(r, projectId), () -> heavyTurns.enter(r));
            r.ctx().status(201);
            return Map.of("dataset", datasetView(dataset(projectId, id), DATASET_FIELDS.select(null)));
        });
        ParamSpec dataset = project.with(DATASET_ID);
        routes.resource(HandlerType.DELETE, DATASETS, Access.DATASET_KEY, project.with(IDS), (r, p) ->
                deleteDatasets(r, p, QuerySyntax.longs("ids", p.get(IDS))));
        routes.resource(HandlerType.DELETE, DATASET, Access.DATASET_KEY, dataset, (r, p) -> deleteDatasets(r, p, List.of(p.get(DATASET_ID))));
        routes.resource(HandlerType.PATCH, DATASETS, Access.DATASET_KEY, project.with(VALIDATION_ONLY, PATCH), this::renameDatasets);
        routes.resource(HandlerType.PATCH, DATASET, Access.DATASET_KEY, dataset.with(VALIDATION_ONLY, SKIP_DEPENDENCY_VALIDATION, PATCH),
                this::renameDataset);
        routes.resource(HandlerType.GET, DATASET, Access.DATASET_KEY, dataset.with(FIELDS), (r, p) ->
                Map.of("dataset", datasetView(dataset(r, p), DATASET_FIELDS.select(p.get(FIELDS)))));
        routes.resource(HandlerType.GET, DATASET + "/data", Access.DATASET_KEY, dataset.with(COLUMNS, DATA_LIMIT, OFFSET), this::data);

        routes.resource(HandlerType.GET, BATCHES, Access.DATASET_KEY, dataset.with(FIELDS, ID, CREATED_AT, STATUS, ROW_COUNT, LIMIT, OFFSET, SORT),
                this::listBatches);
        routes.resource(HandlerType.POST, BATCHES, Access.DATASET_KEY, dataset.with(SOURCE_ID, MAPPING, VALIDATE_ONLY, DELETE_SOURCE, NEW_DS), (r, p) -> {
            try (CallerTurns.Turn turn = heavyTurns.enter(r)) {
                return createBatch(r, p);
            }
        });
        routes.resource(HandlerType.PATCH, BATCHES, Access.DATASET_KEY, dataset.with(PATCH), this::updateBatches);
        routes.resource(HandlerType.DELETE, BATCHES, Access.DATASET_KEY, dataset.with(IDS), (r, p) ->
                deleteBatches(r, p, QuerySyntax.longs("ids", p.get(IDS))));
        routes.resource(HandlerType.GET, BATCHES + "/{batch_id}", Access.DATASET_KEY, dataset.with(BATCH_ID, FIELDS), (r, p) -> {
            DatasetStore.Dataset d = dataset(r, p);
            DatasetStore.Batch b = store.batch(d.id(), p.get(BATCH_ID)).orElseThrow(() -> noBatch(p.get(BATCH_ID)));
            return Map.of("batch", batchView(b, d, BATCH_FIELDS.select(p.get(FIELDS))));
        });
        routes.resource(HandlerType.DELETE, BATCHES + "/{batch_id}", Access.DATASET_KEY, dataset.with(BATCH_ID), (r, p) ->
                deleteBatches(r, p, List.of(p.get(BATCH_ID))));
    }

    /** Demo: a workspace for the demo dataset key with a small dataset of two batches. */
    @Override
    public void demo(DemoData demo) {
        String apiKey = demo.credentials().path("dataset_api").path("api_key").asText(null);
        if (apiKey == null) return;
        DatasetStore.Workspace w = store.createWorkspace(apiKey, "Demo workspace");
        ObjectNode creds = (ObjectNode) demo.credentials().path("dataset_api");
        creds.put("workspace_id", w.workspaceId()).put("project_id", w.projectId());
        ObjectNode spec = JsonNodeFactory.instance.objectNode().put("name", "Fruit");
        ArrayNode schema = spec.putArray("dataschema");
        schema.addObject().put("c_id", "fruit").put("c_name", "Fruit").put("c_type", "text");
        schema.addObject().put("c_id", "taste").put("c_name", "Taste").put("c_type", "text");
        schema.addObject().put("c_id", "price").put("c_name", "Price").put("c_type", "numeric");
        ArrayNode rows = spec.putArray("data_content");
        rows.addArray().add("apple").add("sweet").add("3.5");
        rows.addArray().add("orange").add("citrus").add("4");
        rows.addArray().add("banana").add("sweet").add("1.25");
        long id = new DatasetCreation(platform).sketch(w.projectId(), spec, apiKey);
        creds.put("dataset_id", id);
    }

    private long project(ApiRequest r, Params p) {
        // Operators (through the console) administer every key's datasets; a key only its own.
        boolean visible = r.caller().operator() ? store.projectExists(p.get(WORKSPACE_ID), p.get(PROJECT_ID))
                : store.ownsProject(r.caller().appKey(), p.get(WORKSPACE_ID), p.get(PROJECT_ID));
        if (!visible) {
            throw new HttpProblem(404, "no project " + p.get(PROJECT_ID) + " in workspace " + p.get(WORKSPACE_ID), Map.of());
        }
        return p.get(PROJECT_ID);
    }

    /**
     * The dataset key a call acts as in project {@code projectId}: the caller's own, or for an operator (through the console)
     * the key whose project it is: what it creates is that key's, and a batch's source one of that key's datasets.
     */
    private String actingKey(ApiRequest r, long projectId) {
        if (!r.caller().operator()) return r.caller().appKey();
        return store.ownerKeyOfProject(projectId).orElseThrow(() -> new HttpProblem(404, "no project " + projectId, Map.of()));
    }

    private DatasetStore.Dataset dataset(ApiRequest r, Params p) {
        return dataset(project(r, p), p.get(DATASET_ID));
    }

    private DatasetStore.Dataset dataset(long projectId, long datasetId) {
        return store.dataset(projectId, datasetId).orElseThrow(() -> new HttpProblem(404, "no dataset " + datasetId + " in project " + projectId));
    }

    private static HttpProblem noBatch(long batchId) {
        return new HttpProblem(404, "no batch " + batchId + " in this dataset");
    }

    /**
     * The names a {@code name} filter asks for: its comma-separated items, and the whole text as one name too, since a
     * dataset's name may hold a comma ("Fruit, second delivery"), which the list alone could never find.
     */
    static List<String> namesAsked(String text) {
        List<String> names = new java.util.ArrayList<>(QuerySyntax.items("name", text));
        String whole = text.strip();
        if (names.size() > 1 && !names.contains(whole)) names.add(whole);
        return names;
    }

    private Object listDatasets(ApiRequest r, Params p) {
        long projectId = project(r, p);
        Set<String> fields = DATASET_FIELDS.select(p.get(FIELDS));
        SqlWhere where = new SqlWhere().and("d.project_id = ?", projectId);
        where.in("d.dataset_id", QuerySyntax.longs("id", p.get(ID)));
        if (p.get(NAME) != null && !p.get(NAME).isBlank()) where.in("d.name", namesAsked(p.get(NAME)));
        if (p.get(CREATED_BY) != null && !p.get(CREATED_BY).isBlank()) where.in("d.created_by", QuerySyntax.items("created_by", p.get(CREATED_BY)));
        where.in("d.status", QuerySyntax.oneOf("status", p.get(STATUS), Set.of("ready", "processing", "deleting", "error", "need_action")));
        where.in("d.source_type", QuerySyntax.oneOf("source_type", p.get(SOURCE_TYPE), Set.of("file", "cloud", "sketch", "weburl", "append", "abstract")));
        QuerySyntax.range(where, "created_at", "d.created_at", p.get(CREATED_AT));
        QuerySyntax.range(where, "updated_at", "d.updated_at", p.get(UPDATED_AT));
        String order = QuerySyntax.orderBy(p.get(SORT), DATASET_SORT, "(id:asc)", "d.dataset_id");
        int limit = p.get(LIMIT);
        int offset = p.get(OFFSET);
        long total = store.countDatasets(copy(where));
        List<Map<String, Object>> out = new ArrayList<>();
        for (DatasetStore.Dataset d : store.datasets(where, order, limit, offset)) out.add(datasetView(d, fields));
        return page("datasets", out, r, limit, offset, total);
    }

    private static SqlWhere copy(SqlWhere where) {
        SqlWhere c = new SqlWhere();
        String sql = where.sql();
        if (!sql.isEmpty()) c.and(sql.substring(" WHERE ".length()), where.args());
        return c;
    }

    /** A list answer with {@code offset}, {@code limit} and {@code next}: the link to the next page, empty on the last. */
    private static Map<String, Object> page(String key, List<?> items, ApiRequest r, int limit, int offset, long total) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(key, items);
        m.put("offset", offset);
        m.put("limit", limit);
        // A page may hold fewer items than asked (a byte budget): the next one starts after the last item sent.
        long next = offset + (long) items.size();
        boolean more = limit > 0 && !items.isEmpty() && next < total;
        m.put("next", more ? nextLink(r, limit, next) : "");
        return m;
    }

    private static String nextLink(ApiRequest r, int limit, long offset) {
        StringBuilder q = new StringBuilder("?limit=").append(limit).append("&offset=").append(offset);
        r.ctx().queryParamMap().forEach((k, vs) -> {
            if (k.equals("limit") || k.equals("offset")) return;
            for (String v : vs) q.append('&').append(enc(k)).append('=').append(enc(v));
        });
        return r.ctx().path().substring(1) + q;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private Object data(ApiRequest r, Params p) {
        DatasetStore.Dataset d = dataset(r, p);
        List<DatasetStore.Column> chosen = new ArrayList<>();
        if (p.get(COLUMNS) == null || p.get(COLUMNS).isBlank()) {
            chosen.addAll(d.columns());
        } else {
            for (String c : QuerySyntax.items("columns", p.get(COLUMNS))) {
                chosen.add(d.columns().stream().filter(x -> x.cId().equals(c) || x.cName().equals(c)).findFirst()
                        .orElseThrow(() -> QuerySyntax.bad("columns", "no column '" + c + "' in dataset " + d.id())));
            }
        }
        int[] positions = chosen.stream().mapToInt(d.columns()::indexOf).toArray();
        int limit = p.get(DATA_LIMIT);
        int offset = p.get(OFFSET);
        // The budget counts what is stored, and an answer's row also names each column (its id, quoted): 500 columns of long
        // ids and null cells made an answer twenty times the budget. The rows' names count against it with their cells.
        long namesARow = 2;
        for (DatasetStore.Column c : chosen) namesARow += c.cId().length() + 4L;
        List<Map<String, Object>> rows = new ArrayList<>();
        for (List<String> cells : store.data(d.id(), positions, limit, offset, PAGE_CHARS, namesARow, DatasetStore.ONE_STATEMENT_CHARS)) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 0; i < chosen.size(); i++) row.put(chosen.get(i).cId(), cells.get(i));
            rows.add(row);
        }
        Map<String, Object> m = page("data", rows, r, limit, offset, d.rowCount());
        m.put("columns", chosen.stream().map(DatasetsCapability::column).toList());
        m.put("count", d.rowCount());
        return m;
    }

    private Object listBatches(ApiRequest r, Params p) {
        DatasetStore.Dataset d = dataset(r, p);
        Set<String> fields = BATCH_FIELDS.select(p.get(FIELDS));
        SqlWhere where = new SqlWhere().and("b.dataset_id = ?", d.id()).and("b.state <> 'deleting'");
        where.in("b.batch_id", QuerySyntax.longs("id", p.get(ID)));
        where.in("b.state", QuerySyntax.oneOf("status", p.get(STATUS), Set.of("active", "suspended", "sync_pending")));
        where.in("b.row_count", QuerySyntax.longs("row_count", p.get(ROW_COUNT), 0));
        QuerySyntax.range(where, "created_at", "b.created_at", p.get(CREATED_AT));
        String order = QuerySyntax.orderBy(p.get(SORT), BATCH_SORT, "(id:asc)", "b.batch_id");
        int limit = p.get(LIMIT);
        int offset = p.get(OFFSET);
        long total = store.countBatches(copy(where));
        List<Map<String, Object>> out = new ArrayList<>();
        for (DatasetStore.Batch b : store.batches(where, order, limit, offset)) out.add(batchView(b, d, fields));
        return page("batches", out, r, limit, offset, total);
    }

    /**
     * Requests of a key that hold a database connection for long on this server (a CSV or a sketch's rows stored in one
     * transaction, a batch's source checked before the answer): two at a time for each key, so that one key's parallel calls cannot take
     * every connection of the pool (429 with {@code Retry-After: 1} beyond).
     */
    static final int HEAVY_AT_ONCE = 2;
    private final CallerTurns heavyTurns = new CallerTurns("dataset creations and batch checks", HEAVY_AT_ONCE);

    /** The stored text of rows one data page holds at most (one row at least): 8 MiB of cells, not 10,000 rows of 32 MiB. */
    static final long PAGE_CHARS = 8L << 20;

    /**
     * Source rows a batch request checks before it answers, within 64 Mi characters of stored cells (eight data pages);
     * the job checks the rest before it copies.
     */
    static final long CHECKED_AT_ONCE = 100_000;

    /** Checks the request now (a 400 at once, over the source's first rows), then queues the copy as a job. */
    private Object createBatch(ApiRequest r, Params p) {
        DatasetStore.Dataset destination = dataset(r, p);
        String apiKey = actingKey(r, destination.projectId());
        DatasetStore.Dataset source = store.ownedDataset(apiKey, p.get(SOURCE_ID))
                .orElseThrow(() -> QuerySyntax.bad("source_id", "no dataset " + p.get(SOURCE_ID) + " of this API key"));
        if (p.get(DELETE_SOURCE) && source.id() == destination.id()) {
            throw QuerySyntax.bad("delete_source_ds", "the source is the destination dataset itself");
        }
        String newName = null;
        JsonNode details = p.get(NEW_DS);
        if (details != null && !details.isNull()) {
            if (!details.isObject()) throw QuerySyntax.bad("new_ds_details", "must be an object {name}");
            newName = DatasetCreation.name("new_ds_details.name", details.path("name").asText(""));
            // A new dataset beyond the key's count is refused now, not after the job has read its source.
            store.jdbc().inTransaction(tx -> {
                DatasetStore.requireDatasetRoom(tx, destination.projectId(), platform.config().quotas());
                return null;
            });
        }
        List<BatchJobs.Mapped> mapping = BatchJobs.resolve(p.get(MAPPING), source, destination);
        long checked = jobs.check(source, mapping, CHECKED_AT_ONCE, PAGE_CHARS * 8);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("status_code", 200);
        if (p.get(VALIDATE_ONLY)) {
            answer.put("job_id", null);
            answer.put("failure_reason", null);
            answer.put("valid", true);
            answer.put("rows_checked", checked);
            return answer;
        }
        ObjectNode payload = JsonNodeFactory.instance.objectNode().put("dataset_id", destination.id()).put("project_id", destination.projectId())
                .put("source_id", source.id()).put("source_project_id", source.projectId()).put("delete_source_ds", p.get(DELETE_SOURCE))
                .put("created_by", apiKey);
        if (newName != null) payload.put("new_ds_name", newName);
        payload.set("mapping", BatchJobs.toJson(mapping));
        TaskEngine.Task task = tasks.submit(CREATE_BATCH_JOB, TasksCapability.ownerOf(r.caller()), payload, r.ctx().path());
        answer.put("job_id", task.jobId());
        answer.put("failure_reason", null);
        return answer;
    }

    private Object updateBatches(ApiRequest r, Params p) {
        DatasetStore.Dataset d = dataset(r, p);
        JsonNode patch = p.get(PATCH);
        if (!patch.isObject()) throw QuerySyntax.bad("patch", "must be an object {op, path, value}");
        String op = patch.path("op").asText("");
        if (!Set.of("replace", "add", "remove", "command").contains(op)) throw QuerySyntax.bad("patch.op", "must be replace, add, remove or command");
        if (!op.equals("replace")) throw QuerySyntax.bad("patch.op", "batches support op replace (suspend / restore)");
        if (!patch.path("path").asText("").equals("batches")) throw QuerySyntax.bad("patch.path", "must be batches");
        JsonNode value = patch.path("value");
        if (!value.isObject()) throw QuerySyntax.bad("patch.value", "must be an object {suspend: [ids], restore: [ids]}");
        List<Long> suspend = ids("patch.value.suspend", value.get("suspend"));
        List<Long> restore = ids("patch.value.restore", value.get("restore"));
        if (suspend.isEmpty() && restore.isEmpty()) throw QuerySyntax.bad("patch.value", "give batch ids to suspend and/or restore");
        List<Long> both = suspend.stream().filter(restore::contains).toList();
        if (!both.isEmpty()) throw new HttpProblem(400, "patch.value: batches both suspended and restored: " + both, Map.of("batch_ids", both));
        List<Long> all = new ArrayList<>(suspend);
        all.addAll(restore);
        requireKnown(d, all);
        ObjectNode payload = JsonNodeFactory.instance.objectNode().put("dataset_id", d.id());
        payload.set("suspend", BatchJobs.longs(suspend));
        payload.set("restore", BatchJobs.longs(restore));
        TaskEngine.Task task = tasks.submit(BATCH_STATE_JOB, TasksCapability.ownerOf(r.caller()), payload, r.ctx().path());
        r.ctx().status(202);
        return objectJob(202, task);
    }

    private static List<Long> ids(String parameter, JsonNode list) {
        if (list == null || list.isNull()) return List.of();
        if (!list.isArray() || list.size() > QuerySyntax.MAX_LIST) throw QuerySyntax.bad(parameter, "must be a list of at most " + QuerySyntax.MAX_LIST + " batch ids");
        List<Long> out = new ArrayList<>();
        for (JsonNode id : list) {
            if (!id.canConvertToLong() || !id.isIntegralNumber()) throw QuerySyntax.bad(parameter, "'" + id + "' is not a batch id");
            if (!out.contains(id.asLong())) out.add(id.asLong());
        }
        return out;
    }

    private void requireKnown(DatasetStore.Dataset d, List<Long> ids) {
        List<Long> unknown = store.unknownBatches(d.id(), ids);
        if (!unknown.isEmpty()) throw new HttpProblem(400, "no such batches in dataset " + d.id() + ": " + unknown, Map.of("batch_ids", unknown));
    }

    /** Deleted batches leave the dataset at once (state deleting); the job removes their rows. */
    /** Datasets one rename renames at most (each is read to be checked, and answered). */
    static final int MAX_RENAMED = 100;

    /** {@code {op: replace, path: name, value: {"<dataset id>": "<name>", ...}}}: several datasets renamed at once, all or none. */
    private Object renameDatasets(ApiRequest r, Params p) {
        long projectId = project(r, p);
        JsonNode value = namePatch(p.get(PATCH));
        if (!value.isObject() || value.isEmpty()) throw QuerySyntax.bad("patch.value", "must be an object {\"<dataset id>\": \"<new name>\"}");
        if (value.size() > MAX_RENAMED) throw QuerySyntax.bad("patch.value", "renames at most " + MAX_RENAMED + " datasets at once");
        Map<Long, String> names = new java.util.TreeMap<>();
        var fields = value.fields();
        while (fields.hasNext()) {
            var f = fields.next();
            long id;
            try {
                id = Long.parseLong(f.getKey());
            } catch (NumberFormatException e) {
                throw QuerySyntax.bad("patch.value", "keys must be dataset ids, got '" + f.getKey() + "'");
            }
            // "7", "07" and "+7" are one dataset: each is named once
            if (names.containsKey(id)) throw QuerySyntax.bad("patch.value", "dataset " + id + " is named twice");
            dataset(projectId, id);
            names.put(id, datasetName(f.getValue()));
        }
        if (!p.get(VALIDATION_ONLY)) {
            store.jdbc().inTransaction(tx -> {
                for (var e : names.entrySet()) DatasetStore.rename(tx, e.getKey(), e.getValue(), platform.now());
                return null;
            });
        }
        List<Object> views = new ArrayList<>();
        // Each in its smallest view (its name, times and status): a standard view holds the whole schema and display settings,
        // and a hundred wide datasets' views made an answer of tens of megabytes for a rename.
        for (long id : names.keySet()) views.add(datasetView(dataset(projectId, id), DATASET_FIELDS.select("__min")));
        return Map.of("datasets", views, "validation_only", p.get(VALIDATION_ONLY));
    }

    /** {@code {op: replace, path: name, value: "<name>"}}: the dataset renamed. */
    private Object renameDataset(ApiRequest r, Params p) {
        DatasetStore.Dataset d = dataset(r, p);
        String name = datasetName(namePatch(p.get(PATCH)));
        if (!p.get(VALIDATION_ONLY)) store.jdbc().inTransaction(tx -> {
            DatasetStore.rename(tx, d.id(), name, platform.now());
            return null;
        });
        return Map.of("dataset", datasetView(dataset(d.projectId(), d.id()), DATASET_FIELDS.select(null)), "validation_only", p.get(VALIDATION_ONLY));
    }

    /** The value of a name patch; other changes of whole datasets (columns, types, refresh, settings) are not offered. */
    private static JsonNode namePatch(JsonNode patch) {
        if (!patch.isObject()) throw QuerySyntax.bad("patch", "must be an object {op, path, value}");
        if (!patch.path("op").asText("").equals("replace") || !patch.path("path").asText("").equals("name")) {
            throw QuerySyntax.bad("patch", "only {op: replace, path: name} is offered for datasets; columns, column types and names, refresh,"
                    + " connection and schema settings cannot be changed here");
        }
        return patch.path("value");
    }

    private static String datasetName(JsonNode value) {
        if (!value.isTextual()) throw QuerySyntax.bad("patch.value", "a name must be text");
        return DatasetCreation.name("patch.value", value.asText());
    }

    /**
     * Deletes datasets of the project with their batches, all or none (an unknown id: 404, nothing deleted). 204. Their
     * rows are unreadable and leave the key's quota at once, and are removed by a purge job after the answer.
     */
    private Object deleteDatasets(ApiRequest r, Params p, List<Long> ids) {
        long projectId = project(r, p);
        if (ids == null || ids.isEmpty()) throw QuerySyntax.bad("ids", "give dataset ids");
        for (long id : ids) dataset(projectId, id);
        java.util.TreeSet<Long> doomed = new java.util.TreeSet<>(ids);
        store.jdbc().inTransaction(tx -> {
            for (long id : doomed) DatasetStore.deleteDataset(tx, id, platform.now());
            BatchJobs.purgeLater(tasks, tx, TasksCapability.ownerOf(r.caller()), DatasetStore.ownerKeyOf(tx, doomed.first()), r.ctx().path());
            return null;
        });
        r.ctx().status(204);
        return null;
    }

    private Object deleteBatches(ApiRequest r, Params p, List<Long> ids) {
        DatasetStore.Dataset d = dataset(r, p);
        if (ids == null || ids.isEmpty()) throw QuerySyntax.bad("ids", "give batch ids");
        requireKnown(d, ids);
        ObjectNode payload = JsonNodeFactory.instance.objectNode().put("dataset_id", d.id());
        payload.set("ids", BatchJobs.longs(ids));
        TaskEngine.Task task = store.jdbc().inTransaction(tx -> {
            DatasetStore.touch(tx, d.id(), platform.now());   // the dataset's row before its batches, as a deletion takes them
            DatasetStore.markDeleting(tx, d.id(), ids, platform.now());
            return tasks.submit(tx, DELETE_BATCHES_JOB, TasksCapability.ownerOf(r.caller()), payload, r.ctx().path());
        });
        r.ctx().status(202);
        return objectJob(202, task);
    }

    private static Map<String, Object> objectJob(int status, TaskEngine.Task task) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status_code", status);
        m.put("job_id", task.jobId());
        m.put("failure_reason", null);
        return m;
    }

    static Map<String, Object> column(DatasetStore.Column c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("c_id", c.cId());
        m.put("c_name", c.cName());
        m.put("c_type", c.cType());
        return m;
    }

    /** {@code BatchInfoSchema}, restricted to the fields asked for. */
    static Map<String, Object> batchView(DatasetStore.Batch b, DatasetStore.Dataset d, Set<String> fields) {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("id", b.id());
        all.put("name", b.name());
        all.put("state", b.state());
        all.put("created_at", time(b.createdAt()));
        all.put("description", b.description());
        all.put("row_count", b.rowCount());
        all.put("column_count", b.columnCount());
        all.put("source", b.source());
        if (fields.contains("data_schema")) all.put("data_schema", d.columns().stream().map(DatasetsCapability::column).toList());
        all.keySet().retainAll(fields);
        return all;
    }

    /** {@code DsInfo}, restricted to the fields asked for. */
    static Map<String, Object> datasetView(DatasetStore.Dataset d, Set<String> fields) {
        Map<String, Object> all = new LinkedHashMap<>();
        String getUrl = "/workspaces/" + d.workspaceId() + "/projects/" + d.projectId() + "/datasets/" + d.id();
        all.put("resource_path", "/workspace:" + d.workspaceId() + "/project:" + d.projectId() + "/datasource:" + d.name() + ":" + d.id());
        all.put("id", d.id());
        all.put("name", d.name());
        all.put("created_at", time(d.createdAt()));
        all.put("created_by", d.createdBy());
        all.put("updated_at", time(d.updatedAt()));
        all.put("status", d.status());
        all.put("status_info", null);
        all.put("get_url", getUrl);
        all.put("data_schema", d.columns().stream().map(DatasetsCapability::column).toList());
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("row_count", d.rowCount());
        stats.put("column_count", d.columns().size());
        stats.put("batch_count", d.batchCount());
        stats.put("size", null);
        all.put("stats", stats);
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("type", d.sourceType());
        source.put("details", d.source());
        all.put("sources", List.of(source));
        all.put("display_info", d.displayProperties());
        all.put("dependencies", null);
        all.put("data_url", getUrl + "/data");
        all.put("configurations", null);
        all.put("batch_ids", d.batchIds());
        all.keySet().retainAll(fields);
        return all;
    }

    static String time(OffsetDateTime t) {
        return t == null ? null : TIME.format(t.withOffsetSameInstant(java.time.ZoneOffset.UTC));
    }

    private static Map<String, String> sortable(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) m.put(pairs[i], pairs[i + 1]);
        return m;
    }
}
