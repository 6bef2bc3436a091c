package io.omix.server.batches;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.omix.server.Capability;
import io.omix.server.Platform;
import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.auth.Scope;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ApiRequest;
import io.omix.server.common.http.PageToken;
import io.omix.server.common.http.Routes;
import io.omix.server.common.http.ServerJson;
import io.omix.server.common.validation.IntParam;
import io.omix.server.common.validation.JsonParam;
import io.omix.server.common.validation.LongParam;
import io.omix.server.common.validation.Param;
import io.omix.server.common.validation.ParamSpec;
import io.omix.server.common.validation.Params;
import io.omix.server.common.validation.StringListParam;
import io.omix.server.common.validation.StringParam;
import io.omix.server.samples.SampleAccess;
import io.omix.server.tasks.TaskEngine;
import io.omix.server.tasks.TasksCapability;

import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Private batches: register, retrieve, import (at most 100 data items a call), commit (a
 * task that makes the whole batch visible at once), and reading committed items
 * ({@code get_data_items}: {@code /data_item/batch_retrieve} and its private twin).
 */
public final class BatchesCapability implements Capability {
    static final String COMMIT_TASK = "batch.commit";
    static final int MAX_ITEMS = 100;
    static final int MAX_ATTRIBUTES_CHARS = 64 * 1024;
    /** The attributes one page of items holds at most (one item at least); the page ends early, with its next_page. */
    static final long PAGE_CHARS = 8L << 20;
    private static final Pattern UUID_LIKE = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final DateTimeFormatter LOCAL_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    static final StringParam TITLE = Param.string("title").required().maxLength(200);
    static final StringParam INTRO = Param.string("intro").maxLength(2000).orElse("");
    static final LongParam BATCH_NO = Param.longInt("batch_no").required().range(1, Long.MAX_VALUE);
    static final JsonParam DATA_ITEMS = Param.json("data_items").required().maxChars(8 << 20);
    static final StringParam BIOSAMPLE = Param.string("biosample_id").maxLength(64);
    static final StringParam REQUIRED_BIOSAMPLE = Param.string("biosample_id").required().maxLength(64);
    static final StringParam NAMESPACE = Param.string("namespace").maxLength(100);
    static final StringParam REQUIRED_NAMESPACE = Param.string("namespace").required().maxLength(100);
    static final LongParam COLLECTION = Param.longInt("collection_id").range(1, Long.MAX_VALUE);
    static final StringListParam ELEMENTS = Param.stringList("data_element_ids").maxItems(100).pattern(UUID_LIKE, "a UUID").distinct();
    static final StringParam NEXT_PAGE = Param.string("next_page").maxLength(200);
    static final IntParam LIMIT = Param.integer("limit").range(1, 1000).orElse(100);

    private final Platform platform;
    private final BatchStore store;
    private final SampleAccess access;
    private final Jdbc jdbc;
    private final TaskEngine tasks;

    public BatchesCapability(Platform platform) {
        this.platform = platform;
        this.store = new BatchStore(platform);
        this.jdbc = platform.database().jdbc();
        this.access = new SampleAccess(jdbc);
        this.tasks = platform.tasks();
        tasks.handle(COMMIT_TASK, (run, tx) -> {
            long batchNo = run.task().payload().path("batch_no").asLong();
            long items = BatchStore.commit(tx, batchNo, platform.now());
            io.omix.server.webhooks.WebhookEvents.publish(tx, platform.now(), run.task().owner(), io.omix.server.webhooks.WebhookEvents.BATCH_COMMITTED,
                    java.util.Map.of("batch_no", batchNo, "data_items", items, "task_id", run.task().taskId()));
            return JsonNodeFactory.instance.objectNode().put("batch_no", batchNo).put("data_items", items).put("committed", true);
        });
        // A commit that failed for good (its retries used up) leaves the batch open again: it refused imports and another
        // commit for good, and counted against batches.max-open-per-namespace.
        tasks.onGivenUp(COMMIT_TASK, (tx, task) -> Jdbc.update(tx, "UPDATE batches SET commit_task_id = NULL WHERE batch_no = ? AND commit_task_id = ?"
                + " AND committed = FALSE", task.payload().path("batch_no").asLong(), task.taskId()));
    }

    @Override
    public void routes(Routes routes) {
        routes.post("/private/batch/register", Access.PRIVATE_APP, ParamSpec.of(TITLE, INTRO), (r, p) ->
                Map.of("batch_no", store.register(r.caller().namespace(), p.get(TITLE), p.get(INTRO)).batchNo()));
        routes.get("/private/batch/retrieve", Access.PRIVATE_APP, ParamSpec.of(BATCH_NO), (r, p) -> view(batch(r.caller(), p.get(BATCH_NO))));
        routes.post("/private/batch/import", Access.PRIVATE_APP, ParamSpec.of(BATCH_NO, DATA_ITEMS, BIOSAMPLE), this::importItems);
        routes.post("/private/batch/commit", Access.PRIVATE_APP, ParamSpec.of(BATCH_NO), this::commit);
        routes.get("/private/data_item/batch_retrieve", Access.PRIVATE_APP,
                ParamSpec.of(NAMESPACE, BIOSAMPLE, COLLECTION, ELEMENTS, NEXT_PAGE, LIMIT), (r, p) -> {
                    if (p.get(NAMESPACE) != null && !p.get(NAMESPACE).equals(r.caller().namespace())) {
                        throw ApiException.invalidParam("namespace", "is not this app's namespace");
                    }
                    if (p.get(BIOSAMPLE) == null && p.get(COLLECTION) == null) {
                        throw ApiException.invalidParam("biosample_id", "give biosample_id, collection_id or both");
                    }
                    return items(r.caller(), r.caller().namespace(), p.get(BIOSAMPLE), p);
                });
        routes.get("/data_item/batch_retrieve", Access.TOKEN,
                ParamSpec.of(REQUIRED_NAMESPACE, REQUIRED_BIOSAMPLE, COLLECTION, ELEMENTS, NEXT_PAGE, LIMIT), (r, p) -> {
                    r.caller().requireScope(Scope.SAMPLES);
                    return items(r.caller(), p.get(REQUIRED_NAMESPACE), p.get(REQUIRED_BIOSAMPLE), p);
                });
    }

    private BatchStore.Batch batch(Caller caller, long batchNo) {
        return store.find(caller.namespace(), batchNo).orElseThrow(() -> ApiException.invalidParam("batch_no", "no such batch"));
    }

    /** the private platform retrieve_batch. */
    private Map<String, Object> view(BatchStore.Batch b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ctime", LOCAL_TIME.format(b.ctime().withOffsetSameInstant(platform.config().defaultZone())));
        m.put("batch_no", b.batchNo());
        m.put("extracted", b.extracted());
        m.put("committed", b.committed());
        m.put("commit_time", b.commitTime() == null ? null : LOCAL_TIME.format(b.commitTime().withOffsetSameInstant(platform.config().defaultZone())));
        m.put("namespace", b.namespace());
        m.put("intro", b.intro());
        m.put("name", b.name());
        m.put("data_items", b.itemCount());
        return m;
    }

    /** All items of a call are checked before any is written: a call imports all its items or none. */
    private Object importItems(ApiRequest r, Params p) {
        Caller caller = r.caller();
        JsonNode items = p.get(DATA_ITEMS);
        if (!items.isArray() || items.isEmpty()) throw ApiException.invalidParam("data_items", "must be a JSON array of 1 to " + MAX_ITEMS + " items");
        if (items.size() > MAX_ITEMS) throw ApiException.invalidParam("data_items", "must have at most " + MAX_ITEMS + " items");
        String biosample = p.get(BIOSAMPLE) == null ? null : access.requireVisible(caller, p.get(BIOSAMPLE), Scope.SAMPLES);
        Map<String, Boolean> known = new HashMap<>();
        List<BatchStore.NewItem> parsed = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            String at = "data_items[" + i + "]";
            if (!item.isObject()) throw ApiException.invalidParam(at, "must be a JSON object");
            String element = item.path("data_element_id").asText("");
            if (!UUID_LIKE.matcher(element).matches()) throw ApiException.invalidParam(at + ".data_element_id", "must be a UUID");
            if (!known.computeIfAbsent(element, this::elementExists)) throw ApiException.invalidParam(at + ".data_element_id", "no such data element");
            JsonNode attributes = item.get("attributes");
            if (attributes == null || attributes.isNull()) attributes = JsonNodeFactory.instance.objectNode();
            if (!attributes.isObject()) throw ApiException.invalidParam(at + ".attributes", "must be a JSON object");
            if (attributes.toString().length() > MAX_ATTRIBUTES_CHARS) {
                throw ApiException.invalidParam(at + ".attributes", "must be at most " + MAX_ATTRIBUTES_CHARS + " characters of JSON");
            }
            parsed.add(new BatchStore.NewItem(element.toLowerCase(java.util.Locale.ROOT), attributes));
        }
        Optional<BatchStore.Refusal> refused = store.importItems(caller.namespace(), p.get(BATCH_NO), biosample, parsed);
        refused.ifPresent(BatchesCapability::refuse);
        return null;
    }

    private boolean elementExists(String id) {
        return jdbc.queryOne("SELECT 1 FROM data_elements WHERE data_element_id = ?", rs -> 1, id.toLowerCase(java.util.Locale.ROOT)).isPresent();
    }

    private static void refuse(BatchStore.Refusal refusal) {
        throw switch (refusal) {
            case NO_SUCH_BATCH -> ApiException.invalidParam("batch_no", "no such batch");
            case COMMITTED -> ApiException.invalidParam("batch_no", "the batch is committed (or its commit is queued): it takes no more changes");
            case NO_SUCH_SAMPLE -> new ApiException(io.omix.server.common.http.ErrorCode.NOT_OWN_SAMPLE);
            case QUOTA_EXCEEDED -> new ApiException(io.omix.server.common.http.ErrorCode.QUOTA_EXCEEDED,
                    Map.of("limit", "batches.max-items-per-namespace"));
        };
    }

    /** Queues the commit task and marks the batch in one transaction: a second commit is refused. */
    private Object commit(ApiRequest r, Params p) {
        Caller caller = r.caller();
        long batchNo = p.get(BATCH_NO);
        TaskEngine.Task task = jdbc.inTransaction(tx -> {
            TaskEngine.Task queued = tasks.submit(tx, COMMIT_TASK, TasksCapability.ownerOf(caller),
                    JsonNodeFactory.instance.objectNode().put("batch_no", batchNo), r.ctx().path());
            Optional<BatchStore.Refusal> refused = BatchStore.queueCommit(tx, caller.namespace(), batchNo, queued.taskId());
            refused.ifPresent(BatchesCapability::refuse); // rolls back the task with it
            return queued;
        });
        return TasksCapability.taskView(r, platform, task);
    }

    /** get_data_items: committed items of a sample the caller sees, by batch (collection) and/or data elements. */
    private Map<String, Object> items(Caller caller, String namespace, String biosample, Params p) throws java.io.IOException {
        if (biosample != null) access.requireVisible(caller, biosample, Scope.SAMPLES);
        if (caller.kind() == Caller.Kind.PRIVATE_APP && biosample == null) batch(caller, p.get(COLLECTION));
        long[] after = PageToken.decode(p.get(NEXT_PAGE), 2, parts -> new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])});
        int limit = p.get(LIMIT);
        BatchStore.ItemPage found = store.committedItems(namespace, biosample, p.get(COLLECTION), lower(p.get(ELEMENTS)), after, limit, PAGE_CHARS);
        List<BatchStore.Item> page = found.items();
        boolean more = found.more();
        List<Map<String, Object>> result = new ArrayList<>(page.size());
        for (BatchStore.Item item : page) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("data_item_id", item.dataItemId());
            m.put("data_element_id", item.dataElementId());
            m.put("biosample_id", item.biosampleId());
            m.put("namespace", namespace);
            m.put("collection_id", item.batchNo());
            m.put("attributes", new com.fasterxml.jackson.databind.util.RawValue(item.attributes())); // stored as compact JSON: written as it is
            m.put("create_time", LOCAL_TIME.format(item.createTime().withOffsetSameInstant(platform.config().defaultZone())));
            result.add(m);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("result", result);
        answer.put("count", result.size());
        BatchStore.Item last = page.isEmpty() ? null : page.get(page.size() - 1);
        answer.put("next_page", more ? PageToken.encode(last.batchNo(), last.seq()) : null);
        return answer;
    }

    private static List<String> lower(List<String> ids) {
        return ids == null ? null : ids.stream().map(s -> s.toLowerCase(java.util.Locale.ROOT)).toList();
    }
}
