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
 * Client of the private platform for partners, acting as one app: its samples, streams, batches of
 * data items and tasks, all within the app's own namespace. Every request is signed with the app
 * secret (HMAC-SHA256, fresh timestamp and nonce per attempt, so a retry is never a replay); the
 * secret itself never crosses the wire. Defaults as in the original client: 3 retries, 16 s timeout.
 * Thread-safe; close it to release its connections.
 * <p>Every call may fail with {@link AuthenticationException} when the signature is refused (40101 an
 * unknown or disabled key or a wrong signature, 40102 a clock more than 5 minutes off, 40103 a reused
 * nonce), {@link RateLimitedException} past the minute's limit, {@link ServerException} and
 * {@link TransportException}; answers are {@link Model}s of the envelope's {@code data}.
 */
public final class PrivateApi implements AutoCloseable {
    private final String appKey;
    private final HttpTransport transport;
    private final Streams streams = new Streams();
    private final Samples samples = new Samples();
    private final Batches batches = new Batches();
    private final Tasks tasks = new Tasks();
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

    /**
     * This client with {@code options} on every call made through the answer.
     *
     * @param options a timeout per attempt and/or the {@code Idempotency-Key} of the next write
     * @return a view sharing this client's connections (closing it closes nothing)
     * @throws NullPointerException when {@code options} is null
     */
    public PrivateApi with(RequestOptions options) {
        return new PrivateApi(this, options);
    }

    /**
     * A client with the default settings (local endpoint, 3 retries, 16 s timeout) and its own
     * connection pool (prefer {@link Omix#privatePlatform} in new code).
     *
     * @param appKey    the private app's key
     * @param appSecret the private app's secret, used to sign and never sent
     * @throws NullPointerException when either is null
     */
    public PrivateApi(String appKey, String appSecret) {
        this(appKey, appSecret, builder(appKey, appSecret).config(), Clock.systemUTC());
    }

    /**
     * Starts the settings of a client with its own connection pool.
     *
     * @param appKey    the private app's key
     * @param appSecret the private app's secret, used to sign and never sent
     * @return a builder with the defaults: local endpoint, 3 retries, 16 s timeout, the system clock
     */
    public static Builder builder(String appKey, String appSecret) {
        return new Builder(appKey, appSecret);
    }

    /** Settings of a {@link PrivateApi} client, with the clock that timestamps signatures; {@link #build()} makes it. */
    public static final class Builder extends ClientBuilder<Builder, PrivateApi> {
        private final String appKey;
        private final String appSecret;
        private Clock clock = Clock.systemUTC();

        private Builder(String appKey, String appSecret) {
            super(Duration.ofSeconds(16));
            this.appKey = appKey;
            this.appSecret = appSecret;
        }

        /**
         * Sets the clock that timestamps signatures (the server refuses more than 5 minutes of skew: 40102).
         *
         * @param clock the clock to use (the system's UTC clock by default)
         * @return this builder
         * @throws NullPointerException when {@code clock} is null
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        @Override
        public PrivateApi build() {
            return new PrivateApi(appKey, appSecret, config(), clock);
        }
    }

    /**
     * The app this client acts as.
     *
     * @return the private app's key
     */
    public String appKey() {
        return appKey;
    }

    /**
     * This client's settings.
     *
     * @return the settings its builder set (read-only)
     */
    public Settings config() {
        return Settings.of(transport.config());
    }

    /**
     * One page of the app's samples (the private platform's get_samples), filtered by biosample ids
     * and/or external ids.
     *
     * @param biosampleId      biosample ids, comma-separated, or null
     * @param externalSampleId external sample ids, comma-separated, or null
     * @param page             the page, from 1, or null for the first
     * @param limit            samples per page, 1 to 100, or null for the default
     * @return {@code {result, count, next_page}}, each sample in the private platform's shape
     *         (external_sample_id, library, sequencing, statistics, alignment, project...)
     * @throws InvalidParameterException  when a parameter is refused (41001; {@code parameterErrors()} names each)
     */
    public Model getSamples(String biosampleId, String externalSampleId, Integer page, Integer limit) {
        return Answers.model(call(ApiRequest.get("/private/samples").query("biosample_id", Api.upper(biosampleId))
                .query("external_sample_id", externalSampleId).query("page", page).query("limit", limit)));
    }

    /**
     * The app's samples: {@code list()} typed, {@code get}, {@code register}, {@code improve}; iterating
     * the group itself yields every sample as a {@link Model}, 100 a page, as before.
     *
     * @return the sample calls of this app
     */
    public Samples samples() {
        return samples;
    }

    /**
     * The app's batches of data items: register, import, commit, read; typed.
     *
     * @return the batch calls of this app
     */
    public Batches batches() {
        return batches;
    }

    /**
     * The app's tasks (batch commits): read and wait for; typed.
     *
     * @return the task calls of this app
     */
    public Tasks tasks() {
        return tasks;
    }

    /**
     * Data items of the app's committed batches, typed, page by page as the iteration goes.
     *
     * @param query optionally a sample, a batch and data elements (the namespace is the app's own)
     * @return the items; nothing is fetched until the iteration (or {@code page()}) starts
     * @throws PermissionException when the sample is not one of the app's (41303)
     */
    public Paginated<DataItem> dataItems(DataItemQuery query) {
        return new Paginated<>(cursor -> {
            Model page = getDataItems(query.biosampleId(), query.collectionId(), query.dataElementIds(), cursor, 1000);
            java.util.List<DataItem> items = page.getList("result").models().stream().map(DataItem::of).toList();
            return Paginated.pageOf(items, page);
        }, null);
    }

    /**
     * The app's samples, typed; iterating the group itself still yields every sample as a {@link Model}
     * (as {@code samples()} did before it was a group).
     */
    public final class Samples implements Iterable<Model> {
        private Samples() {}

        /** Every sample of the app as a {@link Model}, 100 a page as the iteration goes. */
        @Override
        public java.util.Iterator<Model> iterator() {
            return new Paged(next -> getSamples(null, null, next == null ? 1 : ((Number) next).intValue(), 100)).iterator();
        }

        /**
         * Every sample of the app, typed, page by page as the iteration goes.
         *
         * @return the samples; nothing is fetched until the iteration (or {@code page()}) starts
         */
        public Paginated<PartnerSample> list() {
            return new Paginated<>(cursor -> {
                Model page = getSamples(null, null, cursor == null ? 1 : Integer.parseInt(cursor), 100);
                java.util.List<PartnerSample> items = page.getList("result").models().stream().map(PartnerSample::of).toList();
                return Paginated.pageOf(items, page);
            }, null);
        }

        /**
         * One of the app's samples.
         *
         * @param biosampleId the sample's id ({@code E-...})
         * @return the sample, typed
         * @throws PermissionException when the sample is not one of the app's (41303; also an unknown or malformed id)
         */
        public PartnerSample get(String biosampleId) {
            return PartnerSample.of(getSample(biosampleId));
        }

        /**
         * Registers a sample in the app's namespace (the private platform's register_sample).
         *
         * @param registration the project, site, external id and further fields
         * @return the new sample's {@code biosample_id}
         * @throws InvalidParameterException when a field is refused (41001, naming it)
         */
        public String register(SampleRegistration registration) {
            java.util.Map<String, Object> fields = new java.util.LinkedHashMap<>(registration.fields());
            if (registration.duplicateEnabled()) fields.put("duplicate_enabled", true);
            return registerSample(registration.biosampleSite(), registration.projectId(), registration.externalSampleId(), fields)
                    .getString("biosample_id");
        }

        /**
         * Fills fields of a sample that are still empty (the private platform's improve_sample).
         *
         * @param biosampleId the sample's id ({@code E-...})
         * @param fields      sample fields by wire name
         * @throws InvalidParameterException when a field is refused or already set (41001, naming it)
         */
        public void improve(String biosampleId, java.util.Map<String, ?> fields) {
            improveSample(biosampleId, fields);
        }
    }

    /** The app's batches of data items (the private platform's register_batch, import_batch, commit_batch, retrieve_batch), typed. */
    public final class Batches {
        private Batches() {}

        /**
         * Registers an empty batch.
         *
         * @param title its title, 1 to 200 characters
         * @param intro its description, up to 2000 characters
         * @return the batch's number
         * @throws InvalidParameterException when a parameter is refused (41001)
         * @throws ApiException              {@link Codes#QUOTA_EXCEEDED} (41401) when the namespace holds as many uncommitted
         *                                   batches as the server allows ({@code batches.max-open-per-namespace}): commit some first
         */
        public long register(String title, String intro) {
            return registerBatch(title, intro).getLong("batch_no");
        }

        /**
         * The batch now.
         *
         * @param batchNo the batch's number
         * @return the batch, typed
         * @throws InvalidParameterException when the batch is unknown or another app's (41001 on {@code batch_no})
         */
        public Batch get(long batchNo) {
            return Batch.of(retrieveBatch(batchNo));
        }

        /**
         * Adds items to an uncommitted batch, 100 a request, items of one sample together (any number).
         *
         * @param batchNo the batch's number
         * @param items   the items
         * @throws InvalidParameterException when an item is refused (41001 naming it); the requests before it stay imported
         * @throws PermissionException       when an item's sample is not one of the app's (41303)
         */
        public void add(long batchNo, java.util.List<BatchItem> items) {
            java.util.Map<String, java.util.List<java.util.Map<String, Object>>> bySample = new java.util.LinkedHashMap<>();
            for (BatchItem item : items) bySample.computeIfAbsent(item.biosampleId() == null ? "" : item.biosampleId(), k -> new java.util.ArrayList<>()).add(item.wire());
            bySample.forEach((sample, wire) -> {
                for (int from = 0; from < wire.size(); from += 100) {
                    importBatch(batchNo, wire.subList(from, Math.min(wire.size(), from + 100)), sample.isEmpty() ? null : sample);
                }
            });
        }

        /**
         * Commits the batch: its items become visible once the task finishes.
         *
         * @param batchNo the batch's number
         * @return the commit's task, to {@link Tasks#waitFor(Task, Duration)} for
         * @throws InvalidParameterException when the batch is unknown, another app's or already committed (41001 on {@code batch_no})
         */
        public Task commit(long batchNo) {
            return Task.of(commitBatch(batchNo));
        }
    }

    /** The app's tasks (batch commits), typed. */
    public final class Tasks {
        private Tasks() {}

        /**
         * The task now.
         *
         * @param taskId the task's id
         * @return where it stands, and its result once finished
         * @throws InvalidParameterException when the app has no such task (41001 on {@code task_id})
         */
        public Task get(String taskId) {
            return Task.of(task(taskId));
        }

        /**
         * Polls the task until it finishes (with backoff), or the timeout passes.
         *
         * @param task    the task, as queued
         * @param timeout how long to wait at most
         * @return the finished task (SUCCESS, FAILURE or REVOKED)
         * @throws TransportException when it has not finished in time
         */
        public Task waitFor(Task task, Duration timeout) {
            return Task.of(PrivateApi.this.waitFor(task.raw(), timeout));
        }
    }

    /**
     * One of the app's samples.
     *
     * @param biosampleId the sample's id ({@code E-...}; upper-cased before sending)
     * @return the sample in the private platform's shape
     * @throws PermissionException        when the sample is not one of the app's (41303; also an unknown or malformed id)
     */
    public Model getSample(String biosampleId) {
        return Answers.model(call(ApiRequest.get("/private/samples/" + io.omix.sdk.internal.PathSegment.of("biosample_id", Api.upper(biosampleId)))));
    }

    /**
     * The app's streams, typed: {@code partner.streams().bind(sampleId)}, {@code .write(records, Duplicates.REJECT)}.
     *
     * @return the typed stream calls of this client
     */
    public Streams streams() {
        return streams;
    }

    /** The app's streams (the private platform's stream_bind and batch_write_stream), typed. */
    public final class Streams {
        private Streams() {}

        /**
         * The entity behind a sample of the app's, to write its records to (the private platform's stream_bind).
         *
         * @param biosampleId the sample's id ({@code E-...})
         * @return the {@code fundamental_entity_id}: the same every time for the same sample
         * @throws PermissionException        when the sample is not one of the app's (41303; also an unknown or malformed id)
         */
        public String bind(String biosampleId) {
            return streamBind(biosampleId).getString("fundamental_entity_id");
        }

        /**
         * Writes records (the private platform's batch_write_stream), 100 a request (more are sent in
         * several): each item is written or refused on its own; the result says which, by position
         * in {@code records}. {@link BatchWriteResult#requireAll()} to fail on any refusal.
         *
         * @param records    the records to write, any number
         * @param duplicates what to do with a record whose entity, data element and time already have one
         * @return the written items with their stream ids and the refused ones with the reason
         * @throws OmixException when a request fails as a whole (the requests before it stay written)
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

        /**
         * One record of the app's (the private platform's stream_retrieve).
         *
         * @param streamId the record's id
         * @return the record, typed
         * @throws InvalidParameterException when there is no such record of the app's (41001)
         */
        public StreamRecord get(String streamId) {
            return StreamRecord.of(streamRetrieve(streamId));
        }

        /**
         * Every record of the range, page by page as the iteration goes (the private platform's
         * stream_range). The range names the app's namespace ({@code namespace}) and a sample
         * ({@code biosample}) or an entity ({@code entity}), not both.
         *
         * @param range the data element, sample or entity, window, order and page size
         * @return the records, typed; nothing is fetched until the iteration (or {@code page()}) starts
         * @throws IllegalArgumentException when the range names no namespace, or both or neither of a sample and an entity
         */
        public Paginated<StreamRecord> range(StreamRange range) {
            if (range.namespace() == null) throw new IllegalArgumentException("name the app's namespace (namespace)");
            if ((range.biosampleId() == null) == (range.entityId() == null)) {
                throw new IllegalArgumentException("name exactly one of a sample (biosample) and an entity (entity)");
            }
            return new Paginated<>(cursor -> {
                Model page = streamRange(range.namespace(), range.dataElementId(), range.entityId(), range.biosampleId(), range.start(), range.end(),
                        range.sort().wire(), cursor, range.pageSize());
                java.util.List<StreamRecord> items = page.getList("result").models().stream().map(StreamRecord::of).toList();
                return Paginated.pageOf(items, page);
            }, null);
        }
    }

    /**
     * This app's webhook endpoints ({@code /private/webhooks}, signed like every call): events such as
     * {@code batch.committed}, {@code task.finished}, {@code stream.records_written} (docs/api.md).
     *
     * @return the endpoint calls of this app
     */
    public WebhookEndpoints webhooks() {
        return new WebhookEndpoints("/private/webhooks", false, r -> Answers.model(call(r)));
    }

    /**
     * Registers a sample in the app's namespace (the private platform's register_sample).
     *
     * @param biosampleSite    the body site, 1 to 15 (1 oral, 10 feces, 11 blood, ...)
     * @param projectId        the project ({@code P-...}; upper-cased before sending)
     * @param externalSampleId the app's own id of the sample, or null
     * @param fields           any further sample fields by name (e.g. {@code depth}, {@code library_id},
     *                         {@code duplicate_enabled}); empty for none
     * @return {@code {biosample_id}}
     * @throws InvalidParameterException  when a parameter is refused (41001; {@code parameterErrors()} names each)
     */
    public Model registerSample(int biosampleSite, String projectId, String externalSampleId, java.util.Map<String, ?> fields) {
        ApiRequest r = ApiRequest.post("/private/samples/register").form("biosample_site", biosampleSite)
                .form("project_id", Api.upper(projectId)).form("external_sample_id", externalSampleId);
        fields.forEach(r::form);
        return Answers.model(call(r));
    }

    /**
     * Fills sample fields still empty (the private platform's improve_sample). A set field cannot
     * change: giving it another value refuses the whole request.
     *
     * @param biosampleId the sample's id ({@code E-...})
     * @param fields      sample fields by name
     * @return {@code {biosample_id, <fields given>}}
     * @throws InvalidParameterException  when a field is refused or already set to another value (41001 names it)
     * @throws PermissionException        when the sample is not one of the app's (41303; also an unknown or malformed id)
     */
    public Model improveSample(String biosampleId, java.util.Map<String, ?> fields) {
        ApiRequest r = ApiRequest.post("/private/samples/improve").form("biosample_id", Api.upper(biosampleId));
        fields.forEach(r::form);
        return Answers.model(call(r));
    }

    /**
     * The entity behind a sample of the app's (the private platform's stream_bind), to write its records to.
     *
     * @param biosampleId the sample's id ({@code E-...})
     * @return {@code {fundamental_entity_id}}, the same every time for the same sample
     * @throws PermissionException        when the sample is not one of the app's (41303; also an unknown or malformed id)
     */
    public Model streamBind(String biosampleId) {
        return Answers.model(call(ApiRequest.post("/private/stream/bind").form("biosample_id", Api.upper(biosampleId))));
    }

    /**
     * Writes one record (the private platform's write_stream).
     *
     * @param fundamentalEntityId the entity, from {@link #streamBind(String)}
     * @param dataElementId       the data element (what was measured)
     * @param streamGenerateTime  {@code 1986}, {@code 1970-01}, {@code 2021-04-01}, {@code 2021-04-01 10:11:00.123456} or ISO with offset
     * @param streamData          any JSON: a JSON text, or an object Jackson can write (a Map, a record)
     * @param duplicateEnabled    keep the record even when its entity, data element and time already have one
     * @return {@code {stream_id}}
     * @throws InvalidParameterException when a parameter is refused, or the record is a duplicate
     *                                   without {@code duplicateEnabled} (41001 on {@code stream_generate_time})
     * @throws IllegalArgumentException  when {@code streamData} cannot be written as JSON
     */
    public Model writeStream(String fundamentalEntityId, String dataElementId, String streamGenerateTime, Object streamData,
                             boolean duplicateEnabled) {
        return Answers.model(call(ApiRequest.post("/private/stream/write").form("fundamental_entity_id", fundamentalEntityId)
                .form("data_element_id", dataElementId).form("stream_generate_time", streamGenerateTime)
                .form("stream_data", Api.jsonText(streamData)).form("duplicate_enabled", duplicateEnabled)));
    }

    /**
     * Writes up to 100 records (the private platform's batch_write_stream); one bad item never sinks
     * the others. {@code streams().write(...)} does the same typed, for any number of records.
     *
     * @param streams          the records: maps with {@code fundamental_entity_id}, {@code data_element_id},
     *                         {@code stream_generate_time} and {@code stream_data}
     * @param duplicateEnabled keep records whose entity, data element and time already have one
     * @return {@code {result: [{is_succeed, message, stream: {stream_meta, stream_generate_time, stream_id, data_element}}]}},
     *         one entry per item in the order sent
     * @throws InvalidParameterException when the request as a whole is refused (e.g. more than 100 items)
     */
    public Model batchWriteStream(java.util.List<? extends java.util.Map<String, ?>> streams, boolean duplicateEnabled) {
        return Answers.model(call(ApiRequest.post("/private/stream/batch_write")
                .json(java.util.Map.of("streams", streams, "duplicate_enabled", duplicateEnabled))));
    }

    /**
     * One of the app's records by id (the private platform's stream_retrieve).
     *
     * @param streamId the record's id, as the write answered it
     * @return the record in the private platform's shape
     * @throws InvalidParameterException when there is no such record of the app's (41001)
     */
    public Model streamRetrieve(String streamId) {
        return Answers.model(call(ApiRequest.get("/private/stream/retrieve").query("stream_id", streamId)));
    }

    /**
     * One page of an entity's (or a sample's: give exactly one) records of a data element in a closed
     * time interval (the private platform's stream_range).
     *
     * @param namespace           the app's namespace, or null for it
     * @param dataElementId       the data element
     * @param fundamentalEntityId the entity, or null when {@code biosampleId} is given
     * @param biosampleId         the sample, or null when {@code fundamentalEntityId} is given
     * @param startTime           the earliest time, included (any form the platform reads), or null
     * @param endTime             the latest time, included, or null
     * @param sortDirection       asc or desc (default desc)
     * @param nextPage            the {@code next_page} of the previous page, or null for the first
     * @param limit               1 to 100 (default 100)
     * @return {@code {result, next_page, count}}; {@code next_page} an opaque token
     * @throws InvalidParameterException when a parameter is refused, or both or neither of entity and sample are given (41001)
     * @throws PermissionException       when the sample is not one of the app's (41303)
     */
    public Model streamRange(String namespace, String dataElementId, String fundamentalEntityId, String biosampleId, String startTime,
                             String endTime, String sortDirection, String nextPage, Integer limit) {
        return Answers.model(call(ApiRequest.get("/private/stream/range").query("namespace", namespace).query("data_element_id", dataElementId)
                .query("fundamental_entity_id", fundamentalEntityId).query("biosample_id", Api.upper(biosampleId))
                .query("start_time", startTime).query("end_time", endTime).query("sort_direction", sortDirection)
                .query("next_page", nextPage).query("limit", limit)));
    }

    /**
     * Every record of the range, fetched 100 a page as the iteration goes (see
     * {@link #streamRange(String, String, String, String, String, String, String, String, Integer)}).
     *
     * @param namespace           the app's namespace, or null for it
     * @param dataElementId       the data element
     * @param fundamentalEntityId the entity, or null when {@code biosampleId} is given
     * @param biosampleId         the sample, or null when {@code fundamentalEntityId} is given
     * @param startTime           the earliest time, included, or null
     * @param endTime             the latest time, included, or null
     * @param sortDirection       asc or desc (null: desc)
     * @return the records, lazily; a failed fetch throws {@link OmixException} from the iterator
     */
    public Iterable<Model> streams(String namespace, String dataElementId, String fundamentalEntityId, String biosampleId,
                                   String startTime, String endTime, String sortDirection) {
        return new Paged(next -> streamRange(namespace, dataElementId, fundamentalEntityId, biosampleId, startTime, endTime, sortDirection,
                (String) next, 100));
    }

    /**
     * Opens a batch of data items (the private platform's register_batch); its items stay invisible
     * until it is committed.
     *
     * @param title the batch's title, 1 to 200 characters
     * @param intro its description, up to 2000 characters
     * @return {@code {batch_no}}
     * @throws InvalidParameterException  when a parameter is refused (41001; {@code parameterErrors()} names each)
     * @throws ApiException               {@link Codes#QUOTA_EXCEEDED} (41401) when the namespace holds as many uncommitted
     *                                    batches as the server allows ({@code batches.max-open-per-namespace}): commit some first
     */
    public Model registerBatch(String title, String intro) {
        return Answers.model(call(ApiRequest.post("/private/batch/register").form("title", title).form("intro", intro)));
    }

    /**
     * One of the app's batches (the private platform's retrieve_batch).
     *
     * @param batchNo the batch number, from {@link #registerBatch(String, String)}
     * @return {@code {ctime, batch_no, extracted, committed, commit_time, namespace, intro, name, data_items}}
     * @throws InvalidParameterException when the batch is unknown or another app's (41001 on {@code batch_no})
     */
    public Model retrieveBatch(long batchNo) {
        return Answers.model(call(ApiRequest.get("/private/batch/retrieve").query("batch_no", batchNo)));
    }

    /**
     * Adds up to 100 data items to a batch not yet committed (the private platform's import_batch); each item is a
     * map with {@code data_element_id} and {@code attributes} (any JSON object). A call imports all
     * its items or, when one is invalid, none.
     *
     * @param batchNo     the batch number, from {@link #registerBatch(String, String)}
     * @param dataItems   1 to 100 items: maps with {@code data_element_id} and {@code attributes} (a JSON object of at most 64 KiB)
     * @param biosampleId the sample the items describe, or null
     * @throws InvalidParameterException when an item is invalid (41001 naming it, e.g. {@code data_items[3].data_element_id}),
     *                                   or the batch is unknown, another app's or already committed (41001 on {@code batch_no})
     * @throws PermissionException       when the sample is not one of the app's (41303)
     */
    public void importBatch(long batchNo, java.util.List<? extends java.util.Map<String, ?>> dataItems, String biosampleId) {
        java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("batch_no", batchNo);
        body.put("data_items", dataItems);
        if (biosampleId != null) body.put("biosample_id", Api.upper(biosampleId));
        call(ApiRequest.post("/private/batch/import").json(body));
    }

    /**
     * Queues the commit of a batch (the private platform's commit_batch). When the task succeeds every
     * item of the batch is visible at once; a batch is committed once, and takes no imports after.
     *
     * @param batchNo the batch number
     * @return the task {@code {task_id, progress, result, completed, task_url}}: {@link #waitFor(Model, Duration)} it
     * @throws InvalidParameterException when the batch is unknown, another app's or already committed (41001 on {@code batch_no})
     */
    public Model commitBatch(long batchNo) {
        return Answers.model(call(ApiRequest.post("/private/batch/commit").form("batch_no", batchNo)));
    }

    /**
     * One of this app's tasks, as it is now.
     *
     * @param taskId the task's id, from the answer that queued it
     * @return {@code {task_id, progress (PENDING, STARTED, SUCCESS, FAILURE, REVOKED), result, completed, task_url}};
     *         {@code result} is {@code {error, details}} on failure
     * @throws InvalidParameterException when the task is unknown or another app's (41001 on {@code task_id})
     */
    public Model task(String taskId) {
        return Answers.model(call(ApiRequest.get("/private/task/" + io.omix.sdk.internal.PathSegment.of("task_id", taskId))));
    }

    /**
     * Waits until a task (e.g. of {@link #commitBatch}) has finished, polling it (50 ms, doubling to 1 s).
     * A failed task is returned, not thrown.
     *
     * @param task    a task answer ({@code {task_id, ...}})
     * @param timeout how long to wait at most
     * @return the task's final view: {@code progress} SUCCESS, FAILURE ({@code result.error} says why) or REVOKED
     * @throws TransportException       when the task has not finished within {@code timeout}, or the thread is interrupted
     * @throws IllegalArgumentException when {@code task} has no {@code task_id}
     */
    public Model waitFor(Model task, Duration timeout) {
        return TaskWait.waitFor(this::task, task, timeout);
    }

    /**
     * One page of the app's committed data items (the private platform's get_data_items) of a sample
     * and/or a batch, optionally of some data elements only; in batch order, then import order.
     *
     * @param biosampleId    the sample, or null
     * @param collectionId   the batch number, or null
     * @param dataElementIds at most 100 data elements, or null for all
     * @param nextPage       the {@code next_page} of the previous page, or null for the first
     * @param limit          1 to 1000, or null for 100
     * @return {@code {result: [{data_item_id, data_element_id, biosample_id, namespace, collection_id, attributes, create_time}], count, next_page}}
     * @throws InvalidParameterException  when a parameter is refused (41001; {@code parameterErrors()} names each)
     * @throws PermissionException        when the sample is not one of the app's (41303; also an unknown or malformed id)
     */
    public Model getDataItems(String biosampleId, Long collectionId, java.util.List<String> dataElementIds, String nextPage, Integer limit) {
        return Answers.model(call(ApiRequest.get("/private/data_item/batch_retrieve").query("biosample_id", Api.upper(biosampleId))
                .query("collection_id", collectionId).query("data_element_ids", dataElementIds).query("next_page", nextPage).query("limit", limit)));
    }

    /**
     * Every committed data item matching, fetched 1,000 a page as the iteration goes.
     *
     * @param biosampleId    the sample, or null
     * @param collectionId   the batch number, or null
     * @param dataElementIds at most 100 data elements, or null for all
     * @return the items, lazily; a failed fetch throws {@link OmixException} from the iterator
     */
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
