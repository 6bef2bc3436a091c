package io.omix.sdk;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omix.sdk.internal.ApiRequest;
import io.omix.sdk.internal.ClientConfig;
import io.omix.sdk.internal.HttpTransport;
import io.omix.sdk.internal.Signing;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Client of the private platform for partners (seeds 000 to 002), acting as one app. Every request
 * is signed with the app secret (HMAC-SHA256, fresh timestamp and nonce per attempt); the secret
 * itself never crosses the wire. Defaults as in the seeds: 3 retries, 16 s timeout.
 * Thread-safe; close it to release its connections.
 */
public final class PrivateApi implements AutoCloseable {
    private final String appKey;
    private final HttpTransport transport;
    private final Streams streams = new Streams();
    private final RequestOptions options;
    private final boolean ownsTransport;

    private PrivateApi(String appKey, String appSecret, ClientConfig config, Clock clock) {
        this.appKey = Objects.requireNonNull(appKey, "appKey");
        this.transport = new HttpTransport(config, new Signing(appKey, Objects.requireNonNull(appSecret, "appSecret"), clock));
        this.options = RequestOptions.NONE;
        this.ownsTransport = true;
    }

    /** A view onto a root client's pool, signing with the app's secret. */
    PrivateApi(String appKey, String appSecret, HttpTransport pool) {
        this.appKey = Objects.requireNonNull(appKey, "appKey");
        this.transport = new HttpTransport(pool, new Signing(appKey, Objects.requireNonNull(appSecret, "appSecret"), Clock.systemUTC()));
        this.options = RequestOptions.NONE;
        this.ownsTransport = true;
    }

    private PrivateApi(PrivateApi base, RequestOptions options) {
        this.appKey = base.appKey;
        this.transport = base.transport;
        this.options = Objects.requireNonNull(options, "options");
        this.ownsTransport = false;
    }

    /** This client with {@code options} on every call made through the answer (a view: closing it closes nothing). */
    public PrivateApi with(RequestOptions options) {
        return new PrivateApi(this, options);
    }

    public PrivateApi(String appKey, String appSecret) {
        this(appKey, appSecret, builder(appKey, appSecret).config(), Clock.systemUTC());
    }

    public static Builder builder(String appKey, String appSecret) {
        return new Builder(appKey, appSecret);
    }

    public static final class Builder extends ClientBuilder<Builder, PrivateApi> {
        private final String appKey;
        private final String appSecret;
        private Clock clock = Clock.systemUTC();

        private Builder(String appKey, String appSecret) {
            super(Duration.ofSeconds(16));
            this.appKey = appKey;
            this.appSecret = appSecret;
        }

        /** The clock that timestamps signatures (the server refuses more than 5 minutes of skew). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        @Override
        public PrivateApi build() {
            return new PrivateApi(appKey, appSecret, config(), clock);
        }
    }

    public String appKey() {
        return appKey;
    }

    /** This client's settings (read-only). */
    public Settings config() {
        return Settings.of(transport.config());
    }

    /**
     * The app's samples (the private platform's get_samples), filtered by biosample ids and/or external ids
     * (comma lists, or null), one page: {@code {result, count, next_page}}.
     */
    public Model getSamples(String biosampleId, String externalSampleId, Integer page, Integer limit) {
        return Answers.model(call(ApiRequest.get("/private/samples").query("biosample_id", Api.upper(biosampleId))
                .query("external_sample_id", externalSampleId).query("page", page).query("limit", limit)));
    }

    /** Every sample of the app, page by page as the iteration goes. */
    public Iterable<Model> samples() {
        return new Paged(next -> getSamples(null, null, next == null ? 1 : ((Number) next).intValue(), 100));
    }

    /** One of the app's samples; 41303 otherwise. */
    public Model getSample(String biosampleId) {
        return Answers.model(call(ApiRequest.get("/private/samples/" + Api.upper(biosampleId))));
    }

    /** Streams, typed: {@code partner.streams().bind(sampleId)}, {@code .write(records, Duplicates.REJECT)}. */
    public Streams streams() {
        return streams;
    }

    /** The app's streams (the private platform's stream_bind and batch_write_stream), typed. */
    public final class Streams {
        private Streams() {}

        /** The entity behind a sample of the app's, to write its records to: the same every time. */
        public String bind(String biosampleId) {
            return streamBind(biosampleId).getString("fundamental_entity_id");
        }

        /**
         * Writes records, 100 a request (more are sent in several): each item is written or refused
         * on its own; the result says which. {@link BatchWriteResult#requireAll()} to fail on any refusal.
         */
        public BatchWriteResult write(java.util.List<StreamWrite> records, Duplicates duplicates) {
            java.util.List<BatchWriteResult.Written> written = new java.util.ArrayList<>();
            java.util.List<BatchWriteResult.Refused> refused = new java.util.ArrayList<>();
            for (int from = 0; from < records.size(); from += 100) {
                java.util.List<StreamWrite> chunk = records.subList(from, Math.min(records.size(), from + 100));
                BatchWriteResult part = BatchWriteResult.of(batchWriteStream(chunk.stream().map(StreamWrite::item).toList(),
                        duplicates == Duplicates.ALLOW));
                int offset = from;
                part.written().forEach(w -> written.add(new BatchWriteResult.Written(offset + w.index(), w.streamId())));
                part.refused().forEach(r -> refused.add(new BatchWriteResult.Refused(offset + r.index(), r.reason())));
            }
            return new BatchWriteResult(written, refused);
        }
    }

    /** This app's webhook endpoints (events in docs/api.md). */
    public WebhookEndpoints webhooks() {
        return new WebhookEndpoints("/private/webhooks", false, r -> Answers.model(call(r)));
    }

    /** Registers a sample in the app's namespace (the private platform's register_sample); {@code fields} may hold any sample field. */
    public Model registerSample(int biosampleSite, String projectId, String externalSampleId, java.util.Map<String, ?> fields) {
        ApiRequest r = ApiRequest.post("/private/samples/register").form("biosample_site", biosampleSite)
                .form("project_id", Api.upper(projectId)).form("external_sample_id", externalSampleId);
        fields.forEach(r::form);
        return Answers.model(call(r));
    }

    /** Fills fields still empty (the private platform's improve_sample); answers the biosample id and the fields given. */
    public Model improveSample(String biosampleId, java.util.Map<String, ?> fields) {
        ApiRequest r = ApiRequest.post("/private/samples/improve").form("biosample_id", Api.upper(biosampleId));
        fields.forEach(r::form);
        return Answers.model(call(r));
    }

    /** The entity behind a sample (the private platform's stream_bind): {@code {fundamental_entity_id}}, the same every time. */
    public Model streamBind(String biosampleId) {
        return Answers.model(call(ApiRequest.post("/private/stream/bind").form("biosample_id", Api.upper(biosampleId))));
    }

    /**
     * Writes one record (the private platform's write_stream): {@code {stream_id}}.
     *
     * @param streamGenerateTime {@code 1986}, {@code 1970-01}, {@code 2021-04-01}, {@code 2021-04-01 10:11:00.123456} or ISO with offset
     * @param streamData         any JSON: a JSON text, or an object Jackson can write (a Map, a record)
     */
    public Model writeStream(String fundamentalEntityId, String dataElementId, String streamGenerateTime, Object streamData,
                             boolean duplicateEnabled) {
        return Answers.model(call(ApiRequest.post("/private/stream/write").form("fundamental_entity_id", fundamentalEntityId)
                .form("data_element_id", dataElementId).form("stream_generate_time", streamGenerateTime)
                .form("stream_data", Api.jsonText(streamData)).form("duplicate_enabled", duplicateEnabled)));
    }

    /**
     * Writes up to 100 records (the private platform's batch_write_stream); each item is a map with
     * fundamental_entity_id, data_element_id, stream_generate_time and stream_data. Answers
     * {@code {result: [{is_succeed, message, stream}]}}: one bad item never sinks the others.
     */
    public Model batchWriteStream(java.util.List<? extends java.util.Map<String, ?>> streams, boolean duplicateEnabled) {
        return Answers.model(call(ApiRequest.post("/private/stream/batch_write")
                .json(java.util.Map.of("streams", streams, "duplicate_enabled", duplicateEnabled))));
    }

    /** One record by id (the private platform's stream_retrieve). */
    public Model streamRetrieve(String streamId) {
        return Answers.model(call(ApiRequest.get("/private/stream/retrieve").query("stream_id", streamId)));
    }

    /**
     * One page of an entity's (or a sample's: give exactly one) records of a data element in a closed
     * time interval (the private platform's stream_range): {@code {result, next_page, count}}.
     *
     * @param sortDirection asc or desc (default desc)
     * @param limit         1 to 100 (default 100)
     */
    public Model streamRange(String namespace, String dataElementId, String fundamentalEntityId, String biosampleId, String startTime,
                             String endTime, String sortDirection, String nextPage, Integer limit) {
        return Answers.model(call(ApiRequest.get("/private/stream/range").query("namespace", namespace).query("data_element_id", dataElementId)
                .query("fundamental_entity_id", fundamentalEntityId).query("biosample_id", Api.upper(biosampleId))
                .query("start_time", startTime).query("end_time", endTime).query("sort_direction", sortDirection)
                .query("next_page", nextPage).query("limit", limit)));
    }

    /** Every record of the range, page by page as the iteration goes. */
    public Iterable<Model> streams(String namespace, String dataElementId, String fundamentalEntityId, String biosampleId,
                                   String startTime, String endTime, String sortDirection) {
        return new Paged(next -> streamRange(namespace, dataElementId, fundamentalEntityId, biosampleId, startTime, endTime, sortDirection,
                (String) next, 100));
    }

    /** Opens a batch of data items (the private platform's register_batch): {@code {batch_no}}. */
    public Model registerBatch(String title, String intro) {
        return Answers.model(call(ApiRequest.post("/private/batch/register").form("title", title).form("intro", intro)));
    }

    /** A batch (the private platform's retrieve_batch): ctime, batch_no, extracted, committed, commit_time, namespace, intro, name. */
    public Model retrieveBatch(long batchNo) {
        return Answers.model(call(ApiRequest.get("/private/batch/retrieve").query("batch_no", batchNo)));
    }

    /**
     * Adds up to 100 data items to a batch not yet committed (the private platform's import_batch); each item is a
     * map with {@code data_element_id} and {@code attributes} (any JSON object). A call imports all
     * its items or, when one is invalid (41001 naming it), none.
     *
     * @param biosampleId the sample the items describe, or null
     */
    public void importBatch(long batchNo, java.util.List<? extends java.util.Map<String, ?>> dataItems, String biosampleId) {
        java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("batch_no", batchNo);
        body.put("data_items", dataItems);
        if (biosampleId != null) body.put("biosample_id", Api.upper(biosampleId));
        call(ApiRequest.post("/private/batch/import").json(body));
    }

    /**
     * Queues the commit of a batch (the private platform's commit_batch): the task
     * {@code {task_id, progress, result, completed, task_url}}. When it succeeds every item of the
     * batch is visible at once; a batch is committed once, and takes no imports after.
     */
    public Model commitBatch(long batchNo) {
        return Answers.model(call(ApiRequest.post("/private/batch/commit").form("batch_no", batchNo)));
    }

    /** A task of this app: {@code {task_id, progress (PENDING, STARTED, SUCCESS, FAILURE, REVOKED), result, completed, task_url}}. */
    public Model task(String taskId) {
        return Answers.model(call(ApiRequest.get("/private/task/" + java.net.URLEncoder.encode(taskId, java.nio.charset.StandardCharsets.UTF_8))));
    }

    /** Waits until a task answer (e.g. of {@link #commitBatch}) has finished; its final view. OmixException after {@code timeout}. */
    public Model waitFor(Model task, Duration timeout) {
        return TaskWait.waitFor(this::task, task, timeout);
    }

    /**
     * One page of committed data items (get_data_items) of a sample and/or a batch
     * ({@code collection_id} is the batch number), optionally of some data elements only:
     * {@code {result, count, next_page}}.
     */
    public Model getDataItems(String biosampleId, Long collectionId, java.util.List<String> dataElementIds, String nextPage, Integer limit) {
        return Answers.model(call(ApiRequest.get("/private/data_item/batch_retrieve").query("biosample_id", Api.upper(biosampleId))
                .query("collection_id", collectionId).query("data_element_ids", dataElementIds).query("next_page", nextPage).query("limit", limit)));
    }

    /** Every committed data item matching, page by page as the iteration goes. */
    public Iterable<Model> dataItems(String biosampleId, Long collectionId, java.util.List<String> dataElementIds) {
        return new Paged(next -> getDataItems(biosampleId, collectionId, dataElementIds, (String) next, 1000));
    }

    /** Sends a signed request; the envelope of a successful answer. */
    ObjectNode call(ApiRequest request) {
        return transport.envelope(options.apply(request));
    }

    @Override
    public void close() {
        if (ownsTransport) transport.close();
    }

    @Override
    public String toString() {
        return "PrivateApi(appKey=" + appKey + ", endpoint=" + transport.config().endpoint() + ")";
    }
}
