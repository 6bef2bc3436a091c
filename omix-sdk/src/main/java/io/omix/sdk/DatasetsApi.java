package io.omix.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omix.sdk.internal.ApiRequest;
import io.omix.sdk.internal.ClientConfig;
import io.omix.sdk.internal.HttpTransport;

import java.io.FileNotFoundException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Client of the dataset batches API, authenticated by an API key and secret sent as
 * {@code X-API-KEY} / {@code X-API-SECRET}. Its three groups are named as in the dataset batches
 * API: {@link #batches()}, {@link #datasets()} and {@link #jobs()}; every method takes the
 * workspace, project and dataset ids first, as the original client does. The server URL is the
 * platform's root; the API lives under {@code /api/v2} there. Answers are {@link Model}s of the
 * API's JSON; error statuses become {@link ApiException} whose {@code code()} is the HTTP status,
 * {@code msg()} the {@code detail} and {@code dataModel()} the {@code extra} block, thrown as its
 * family: {@link InvalidParameterException} (400, 422), {@link AuthenticationException} (401: key or
 * secret refused), {@link PermissionException} (403), {@link NotFoundException} (404: another key's
 * workspace, project, dataset or batch), {@link ConflictException} (409), {@link RateLimitedException} (429).
 * Thread-safe; close it to release its connections.
 */
public final class DatasetsApi implements AutoCloseable {
    static final String BASE = "/api/v2";

    private final String apiKey;
    private final HttpTransport transport;
    private final RequestOptions options;
    private final boolean ownsTransport;
    private final Batches batches = new Batches();
    private final Datasets datasets = new Datasets();
    private final Jobs jobs = new Jobs();

    private DatasetsApi(String apiKey, String apiSecret, ClientConfig config) {
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        Objects.requireNonNull(apiSecret, "apiSecret");
        this.transport = new HttpTransport(config, (request, uri, body, builder) ->
                builder.header("X-API-KEY", apiKey).header("X-API-SECRET", apiSecret));
        this.options = RequestOptions.NONE;
        this.ownsTransport = true;
    }

    /** A view onto a root client's pool. */
    DatasetsApi(String apiKey, String apiSecret, HttpTransport pool) {
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        Objects.requireNonNull(apiSecret, "apiSecret");
        this.transport = new HttpTransport(pool, (request, uri, body, builder) ->
                builder.header("X-API-KEY", apiKey).header("X-API-SECRET", apiSecret));
        this.options = RequestOptions.NONE;
        this.ownsTransport = true;
    }

    /**
     * Starts the settings of a client with its own connection pool (prefer {@link Omix#datasetBatches} in new code).
     *
     * @param apiKey    the dataset API key ({@code omix admin apikey create} makes one)
     * @param apiSecret its secret
     * @return a builder with the defaults: local endpoint, 3 retries, 18 s timeout
     */
    public static Builder builder(String apiKey, String apiSecret) {
        return new Builder(apiKey, apiSecret);
    }

    /** Settings of a {@link DatasetsApi} client; {@link #build()} makes it. */
    public static final class Builder extends ClientBuilder<Builder, DatasetsApi> {
        private final String apiKey;
        private final String apiSecret;

        private Builder(String apiKey, String apiSecret) {
            super(Duration.ofSeconds(18));
            this.apiKey = apiKey;
            this.apiSecret = apiSecret;
        }

        /**
         * Sets the platform's root URL: the original client's name for {@link #endpoint(String)}.
         *
         * @param serverUrl the platform's root, e.g. {@code http://127.0.0.1:8080} (the API is under {@code /api/v2} there)
         * @return this builder
         */
        public Builder serverUrl(String serverUrl) {
            return endpoint(serverUrl);
        }

        @Override
        public DatasetsApi build() {
            return new DatasetsApi(apiKey, apiSecret, config());
        }
    }

    /**
     * The API key this client sends.
     *
     * @return the dataset API key (never the secret)
     */
    public String apiKey() {
        return apiKey;
    }

    /**
     * This client's settings.
     *
     * @return the settings its builder set (read-only)
     */
    public Settings config() {
        return Settings.of(transport.config());
    }

    /** Sends a request; the answer's JSON, or {@link ApiException} with the HTTP status as code. */
    JsonNode call(ApiRequest request) {
        return transport.problemJson(options.apply(request));
    }

    private DatasetsApi(DatasetsApi base, RequestOptions options) {
        this.apiKey = base.apiKey;
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
    public DatasetsApi with(RequestOptions options) {
        return new DatasetsApi(this, options);
    }

    private Model model(ApiRequest request) {
        JsonNode answer = call(request);
        if (!answer.isObject()) throw new TransportException("answer of " + request.path() + " is not a JSON object");
        return new Model((ObjectNode) answer);
    }

    /**
     * The dataset batches API's batches group: list, create, remove, update, get and delete a dataset's batches.
     *
     * @return the batch calls of this client
     */
    public Batches batches() {
        return batches;
    }

    /**
     * The datasets group: create a dataset from a schema and rows or from CSV, get, list, and read its rows.
     *
     * @return the dataset calls of this client
     */
    public Datasets datasets() {
        return datasets;
    }

    /**
     * This dataset key's webhook endpoints ({@code /api/v2/webhooks}, plain JSON): events such as
     * {@code dataset.job_finished} and {@code task.finished} (docs/api.md).
     *
     * @return the endpoint calls of this key
     */
    public WebhookEndpoints webhooks() {
        return new WebhookEndpoints("/api/v2/webhooks", true, this::model);
    }

    /**
     * The jobs group: read a job, or wait for it to finish.
     *
     * @return the job calls of this client
     */
    public Jobs jobs() {
        return jobs;
    }

    private static String project(long workspaceId, long projectId) {
        return BASE + "/workspaces/" + workspaceId + "/projects/" + projectId;
    }

    private static String dataset(long workspaceId, long projectId, long datasetId) {
        return project(workspaceId, projectId) + "/datasets/" + datasetId;
    }

    /** Walks the pages of an offset-paged answer lazily until its {@code next} link is empty. */
    private static Paginated<Model> offsetPages(String listKey, int firstOffset, java.util.function.IntFunction<Model> fetchAt) {
        // The cursor is the offset of the page: a page view can be resumed from it like any other.
        return new Paginated<>(cursor -> {
            int offset = cursor == null ? firstOffset : Integer.parseInt(cursor);
            Model page = fetchAt.apply(offset);
            List<Model> items = page.getList(listKey).models();
            String next = page.getString("next");
            return new Paginated.Page<>(items, next == null || next.isEmpty() || items.isEmpty() ? null : String.valueOf(offset + items.size()));
        }, null);
    }

    /** The batches of a dataset: every dataset's rows arrive in batches, its initial rows being the first. */
    public final class Batches {
        private Batches() {}

        /**
         * One page of a dataset's batches (the dataset batches API's batches.list).
         *
         * @param workspaceId the workspace (one of the API key's)
         * @param projectId   the project in it
         * @param datasetId   the dataset in it
         * @param query       fields, filters, sort, limit and offset, in the API's syntax ({@link BatchQuery#all()}: the defaults)
         * @return {@code {batches: [BatchInfo], offset, limit, next}}; {@code next} is the empty string on the last page
         * @throws InvalidParameterException when a filter, field or sort is malformed (400; {@code extra.parameter} names it)
         * @throws NotFoundException when the workspace, project or dataset is not the API key's (404)
         */
        public Model list(long workspaceId, long projectId, long datasetId, BatchQuery query) {
            return model(query.apply(ApiRequest.get(dataset(workspaceId, projectId, datasetId) + "/batches")));
        }

        /**
         * The first page of a dataset's batches, with the standard fields (50 a page).
         *
         * @param workspaceId the workspace (one of the API key's)
         * @param projectId   the project in it
         * @param datasetId   the dataset in it
         * @return {@code {batches: [BatchInfo], offset, limit, next}}
         * @throws NotFoundException when the workspace, project or dataset is not the API key's (404)
         */
        public Model list(long workspaceId, long projectId, long datasetId) {
            return list(workspaceId, projectId, datasetId, BatchQuery.all());
        }

        /**
         * Every batch the query matches, page after page, fetched as the iteration goes until
         * {@code next} is empty (from the query's offset, if any).
         *
         * @param workspaceId the workspace (one of the API key's)
         * @param projectId   the project in it
         * @param datasetId   the dataset in it
         * @param query       fields, filters, sort and page size
         * @return the batches ({@code BatchInfo}), lazily: nothing is fetched until the iteration starts,
         *         and a failed fetch throws {@link OmixException} from the iterator
         */
        public Paginated<Model> all(long workspaceId, long projectId, long datasetId, BatchQuery query) {
            int from = query.offset() == null ? 0 : query.offset();
            return offsetPages("batches", from, offset -> list(workspaceId, projectId, datasetId, query.atOffset(offset)));
        }

        /**
         * Appends a source dataset's rows as a new batch (the dataset batches API's batches.create).
         * Everything is checked before the job is queued. With {@code validateOnly} nothing is written
         * and {@code job_id} is null.
         *
         * @param workspaceId the workspace (one of the API key's)
         * @param projectId   the project in it
         * @param datasetId   the destination dataset
         * @param creation    the source dataset and the column mapping (and validate-only, delete-source, new-dataset options)
         * @return {@code {status_code, job_id, failure_reason}}: wait for the job with {@link Jobs#waitFor(Model, Duration)}
         * @throws InvalidParameterException when the mapping is wrong, or values do not fit the expected
         *                                   types (400; {@code extra.misfits} lists the first 10 with row and column)
         * @throws NotFoundException when the workspace, project or dataset is not the API key's (404)
         */
        public Model create(long workspaceId, long projectId, long datasetId, BatchCreation creation) {
            return model(ApiRequest.post(dataset(workspaceId, projectId, datasetId) + "/batches").json(creation.body()));
        }

        /**
         * Deletes several batches and their rows (the dataset batches API's batches.remove): they leave
         * every answer at once, and a job removes the rows.
         *
         * @param workspaceId the workspace (one of the API key's)
         * @param projectId   the project in it
         * @param datasetId   the dataset in it
         * @param batchIds    the batches to delete, at least one
         * @return the job doing it: {@code {status_code, job_id, failure_reason}}
         * @throws IllegalArgumentException  when {@code batchIds} is empty (nothing is sent)
         * @throws InvalidParameterException when a batch id is unknown (400; {@code extra.batch_ids} names them)
         * @throws NotFoundException when the workspace, project or dataset is not the API key's (404)
         */
        public Model remove(long workspaceId, long projectId, long datasetId, Collection<Long> batchIds) {
            if (batchIds.isEmpty()) throw new IllegalArgumentException("give at least one batch id");
            return model(ApiRequest.of("DELETE", dataset(workspaceId, projectId, datasetId) + "/batches").query("ids", batchIds));
        }

        /**
         * Suspends batches (their rows leave the dataset's data and row count) and restores others
         * (the dataset batches API's batches.update).
         *
         * @param workspaceId the workspace (one of the API key's)
         * @param projectId   the project in it
         * @param datasetId   the dataset in it
         * @param suspend     the batches to suspend, possibly none
         * @param restore     the batches to restore, possibly none
         * @return the job doing it: {@code {status_code, job_id, failure_reason}}
         * @throws InvalidParameterException when a batch id is unknown (400; {@code extra.batch_ids} names them)
         * @throws NotFoundException when the workspace, project or dataset is not the API key's (404)
         */
        public Model update(long workspaceId, long projectId, long datasetId, Collection<Long> suspend, Collection<Long> restore) {
            Map<String, Object> value = new LinkedHashMap<>();
            value.put("suspend", List.copyOf(suspend));
            value.put("restore", List.copyOf(restore));
            Map<String, Object> patch = Map.of("op", "replace", "path", "batches", "value", value);
            return model(ApiRequest.of("PATCH", dataset(workspaceId, projectId, datasetId) + "/batches").json(Map.of("patch", patch)));
        }

        /**
         * One batch (the dataset batches API's batches.get).
         *
         * @param workspaceId the workspace (one of the API key's)
         * @param projectId   the project in it
         * @param datasetId   the dataset in it
         * @param batchId     the batch
         * @param fields      a comma list of field names, or {@code __min}, {@code __standard}, {@code __full}
         *                    (with {@code data_schema}); null for the standard ones
         * @return {@code {batch: BatchInfo}} with the fields asked for
         * @throws NotFoundException when the batch, or its dataset, is not the API key's (404)
         */
        public Model get(long workspaceId, long projectId, long datasetId, long batchId, String fields) {
            return model(ApiRequest.get(dataset(workspaceId, projectId, datasetId) + "/batches/" + batchId).query("fields", fields));
        }

        /**
         * One batch, with the standard fields.
         *
         * @param workspaceId the workspace (one of the API key's)
         * @param projectId   the project in it
         * @param datasetId   the dataset in it
         * @param batchId     the batch
         * @return {@code {batch: BatchInfo}}
         * @throws NotFoundException when the batch, or its dataset, is not the API key's (404)
         */
        public Model get(long workspaceId, long projectId, long datasetId, long batchId) {
            return get(workspaceId, projectId, datasetId, batchId, null);
        }

        /**
         * Deletes one batch and its rows (the dataset batches API's batches.delete): it leaves every
         * answer at once, and a job removes the rows.
         *
         * @param workspaceId the workspace (one of the API key's)
         * @param projectId   the project in it
         * @param datasetId   the dataset in it
         * @param batchId     the batch
         * @return the job doing it: {@code {status_code, job_id, failure_reason}}
         * @throws NotFoundException when the batch, or its dataset, is not the API key's (404)
         */
        public Model delete(long workspaceId, long projectId, long datasetId, long batchId) {
            return model(ApiRequest.of("DELETE", dataset(workspaceId, projectId, datasetId) + "/batches/" + batchId));
        }

        /**
         * Every batch of the dataset matching {@code query}, typed, page by page as the iteration goes
         * (the query's limit is the page size, its offset where the first page starts).
         *
         * @param dataset the dataset
         * @param query   fields, filters, sort, limit and offset
         * @return the batches; nothing is fetched until the iteration (or {@code page()}) starts
         * @throws InvalidParameterException when a filter, field or sort is malformed (400)
         * @throws NotFoundException         when the dataset is not the API key's (404)
         */
        public Paginated<DatasetBatch> list(DatasetRef dataset, BatchQuery query) {
            Paginated<Model> pages = all(dataset.workspaceId(), dataset.projectId(), dataset.datasetId(), query);
            return new Paginated<>(cursor -> {
                Paginated.Page<Model> page = pages.page(cursor);
                return new Paginated.Page<>(page.items().stream().map(DatasetBatch::of).toList(), page.nextCursor());
            }, null);
        }

        /**
         * Appends a source dataset's rows as a new batch, as a job.
         *
         * @param dataset  the destination dataset
         * @param creation the source dataset and the column mapping
         * @return the job's start ({@code jobId} null for a validate-only creation)
         * @throws InvalidParameterException when the mapping is wrong (400; {@code extra.misfits} lists values that do not fit)
         */
        public JobStart create(DatasetRef dataset, BatchCreation creation) {
            return JobStart.of(create(dataset.workspaceId(), dataset.projectId(), dataset.datasetId(), creation));
        }

        /**
         * Deletes batches of the dataset, as a job.
         *
         * @param dataset  the dataset
         * @param batchIds the batches, at least one
         * @return the job's start
         * @throws IllegalArgumentException  when {@code batchIds} is empty
         * @throws InvalidParameterException when a batch id is unknown (400)
         */
        public JobStart remove(DatasetRef dataset, Collection<Long> batchIds) {
            return JobStart.of(remove(dataset.workspaceId(), dataset.projectId(), dataset.datasetId(), batchIds));
        }

        /**
         * Suspends and restores batches of the dataset, as a job.
         *
         * @param dataset the dataset
         * @param suspend the batches to suspend, possibly none
         * @param restore the batches to restore, possibly none
         * @return the job's start
         * @throws InvalidParameterException when a batch id is unknown (400)
         */
        public JobStart update(DatasetRef dataset, Collection<Long> suspend, Collection<Long> restore) {
            return JobStart.of(update(dataset.workspaceId(), dataset.projectId(), dataset.datasetId(), suspend, restore));
        }

        /**
         * One batch of the dataset, with its standard fields.
         *
         * @param dataset the dataset
         * @param batchId the batch
         * @return the batch, typed
         * @throws NotFoundException when the batch is not the API key's (404)
         */
        public DatasetBatch get(DatasetRef dataset, long batchId) {
            return DatasetBatch.of(get(dataset.workspaceId(), dataset.projectId(), dataset.datasetId(), batchId, null).getModel("batch"));
        }

        /**
         * Deletes one batch of the dataset, as a job.
         *
         * @param dataset the dataset
         * @param batchId the batch
         * @return the job's start
         * @throws NotFoundException when the batch is not the API key's (404)
         */
        public JobStart delete(DatasetRef dataset, long batchId) {
            return JobStart.of(delete(dataset.workspaceId(), dataset.projectId(), dataset.datasetId(), batchId));
        }
    }

    /** Datasets of a project: made from a schema and rows or from a CSV file, listed, read. */
    public final class Datasets {
        private Datasets() {}

        /**
         * Creates a dataset from a schema and rows (its first batch).
         *
         * @param workspaceId the workspace (one of the API key's)
         * @param projectId   the project in it
         * @param spec        the name, columns and rows ({@link DatasetSpec#named(String)})
         * @return {@code {dataset: DsInfo}} (HTTP 201)
         * @throws InvalidParameterException when the schema or a row is refused (400 or 422)
         * @throws NotFoundException         when the workspace or project is not the API key's (404)
         */
        public Model create(long workspaceId, long projectId, DatasetSpec spec) {
            return model(ApiRequest.post(project(workspaceId, projectId) + "/datasets").json(spec.body()));
        }

        /**
         * Creates a dataset from CSV text; column types are inferred from the values (numeric when
         * every value is a number, date when every value is an ISO date, else text).
         *
         * @param workspaceId the workspace (one of the API key's)
         * @param projectId   the project in it
         * @param name        the new dataset's name
         * @param csv         a header row of column names, then rows
         * @return {@code {dataset: DsInfo}} (HTTP 201)
         * @throws InvalidParameterException when the CSV or the name is refused (400)
         * @throws NotFoundException         when the workspace or project is not the API key's (404)
         */
        public Model upload(long workspaceId, long projectId, String name, String csv) {
            return upload(workspaceId, projectId, name, HttpRequest.BodyPublishers.ofString(csv, StandardCharsets.UTF_8));
        }

        /**
         * Creates a dataset from a CSV file, streamed from disk whatever its size (at most 1 GiB);
         * column types are inferred from the values.
         *
         * @param workspaceId the workspace (one of the API key's)
         * @param projectId   the project in it
         * @param name        the new dataset's name
         * @param csvFile     a CSV file: a header row of column names, then rows
         * @return {@code {dataset: DsInfo}} (HTTP 201)
         * @throws UncheckedIOException      when the file does not exist
         * @throws InvalidParameterException when the CSV or the name is refused (400)
         * @throws NotFoundException         when the workspace or project is not the API key's (404)
         */
        public Model upload(long workspaceId, long projectId, String name, Path csvFile) {
            try {
                return upload(workspaceId, projectId, name, HttpRequest.BodyPublishers.ofFile(csvFile));
            } catch (FileNotFoundException e) {
                throw new UncheckedIOException(e);
            }
        }

        private Model upload(long workspaceId, long projectId, String name, HttpRequest.BodyPublisher body) {
            // The whole body goes, and the server stores its rows, within one attempt: it may take the client's timeout
            // and 10 s more per started MiB (an idle server stores some 60,000 narrow rows, 1 MiB, a second, a busy one of
            // two cores a quarter of that: 4 s a MiB cut off a 3 MiB upload there; a view's own timeout, given by
            // RequestOptions, replaces this).
            long mebibytes = (Math.max(0, body.contentLength()) + (1 << 20) - 1) >> 20;
            return model(ApiRequest.post(project(workspaceId, projectId) + "/datasets/upload").query("name", name)
                    .rawBody(body, "text/csv; charset=utf-8")
                    .timeout(transport.config().timeout().plusSeconds(10 * mebibytes)));
        }

        /**
         * One dataset.
         *
         * @param workspaceId the workspace (one of the API key's)
         * @param projectId   the project in it
         * @param datasetId   the dataset in it
         * @param fields      a comma list of field names, or {@code __min}, {@code __standard},
         *                    {@code __full} (with {@code batch_ids}); null for the standard ones
         * @return {@code {dataset: DsInfo}} with the fields asked for ({@code stats.row_count}, ...)
         * @throws NotFoundException when the workspace, project or dataset is not the API key's (404)
         */
        public Model get(long workspaceId, long projectId, long datasetId, String fields) {
            return model(ApiRequest.get(dataset(workspaceId, projectId, datasetId)).query("fields", fields));
        }

        /**
         * One dataset, with the standard fields.
         *
         * @param workspaceId the workspace (one of the API key's)
         * @param projectId   the project in it
         * @param datasetId   the dataset in it
         * @return {@code {dataset: DsInfo}}
         * @throws NotFoundException when the workspace, project or dataset is not the API key's (404)
         */
        public Model get(long workspaceId, long projectId, long datasetId) {
            return get(workspaceId, projectId, datasetId, null);
        }

        /**
         * One page of a project's datasets.
         *
         * @param workspaceId the workspace (one of the API key's)
         * @param projectId   the project in it
         * @param parameters  the API's query parameters ({@code fields, id, name, status, created_at,
         *                    sort, limit, offset}...), each value sent as given; empty for none
         * @return {@code {datasets: [DsInfo], offset, limit, next}}
         * @throws InvalidParameterException when a parameter is malformed (400; {@code extra.parameter} names it)
         * @throws NotFoundException         when the workspace or project is not the API key's (404)
         */
        public Model list(long workspaceId, long projectId, Map<String, ?> parameters) {
            ApiRequest request = ApiRequest.get(project(workspaceId, projectId) + "/datasets");
            parameters.forEach(request::query);
            return model(request);
        }

        /**
         * The first page of a project's datasets, with the standard fields (50 a page).
         *
         * @param workspaceId the workspace (one of the API key's)
         * @param projectId   the project in it
         * @return {@code {datasets: [DsInfo], offset, limit, next}}
         * @throws NotFoundException when the workspace or project is not the API key's (404)
         */
        public Model list(long workspaceId, long projectId) {
            return list(workspaceId, projectId, Map.of());
        }

        /**
         * One page of a dataset's rows; rows of suspended or deleted batches are not there.
         *
         * @param workspaceId the workspace (one of the API key's)
         * @param projectId   the project in it
         * @param datasetId   the dataset in it
         * @param columns     the columns to read, by id or name; null or empty for all of them
         * @param limit       rows per page, 0 to 10000
         * @param offset      rows to skip
         * @return {@code {data: [{c_id: value}], columns, count, offset, limit, next}}
         * @throws InvalidParameterException when a column is unknown or {@code limit} out of range (400)
         * @throws NotFoundException when the workspace, project or dataset is not the API key's (404)
         */
        public Model data(long workspaceId, long projectId, long datasetId, List<String> columns, int limit, int offset) {
            return model(ApiRequest.get(dataset(workspaceId, projectId, datasetId) + "/data")
                    .query("columns", columns == null || columns.isEmpty() ? null : columns)
                    .query("limit", limit).query("offset", offset));
        }

        /**
         * Every row of a dataset, a page of 1,000 at a time as the iteration goes.
         *
         * @param workspaceId the workspace (one of the API key's)
         * @param projectId   the project in it
         * @param datasetId   the dataset in it
         * @param columns     the columns to read, by id or name; null or empty for all of them
         * @return the rows ({@code {c_id: value}}), lazily: nothing is fetched until the iteration starts,
         *         and a failed fetch throws {@link OmixException} from the iterator
         */
        public Paginated<Model> rows(long workspaceId, long projectId, long datasetId, List<String> columns) {
            return offsetPages("data", 0, offset -> data(workspaceId, projectId, datasetId, columns, 1000, offset));
        }
        /**
         * The dataset, with all its fields.
         *
         * @param dataset the dataset
         * @return the dataset, typed
         * @throws NotFoundException when the dataset is not the API key's (404)
         */
        public DatasetInfo get(DatasetRef dataset) {
            return DatasetInfo.of(get(dataset.workspaceId(), dataset.projectId(), dataset.datasetId(), "__full").getModel("dataset"));
        }

        /**
         * Every row of the dataset, page by page as the iteration goes.
         *
         * @param dataset the dataset
         * @param columns the columns to read, or null for all
         * @return the rows, lazily
         */
        public Paginated<Model> rows(DatasetRef dataset, List<String> columns) {
            return rows(dataset.workspaceId(), dataset.projectId(), dataset.datasetId(), columns);
        }
    }

    /** The jobs that batch creation, update and deletion answer with. */
    public final class Jobs {
        private static final Set<String> FINISHED = Set.of("success", "failure", "error");

        private Jobs() {}

        /**
         * One of the API key's jobs, as it is now.
         *
         * @param jobId the job, from the answer that queued it ({@code job_id})
         * @return {@code {job: {id, status, response, path, operation, created_at, last_updated_at}}}; status is
         *         processing, success, failure or error
         * @throws NotFoundException when the job is not the API key's (404)
         */
        public Model get(long jobId) {
            return model(ApiRequest.get(BASE + "/jobs/" + jobId));
        }

        /**
         * Polls a job until it finishes (50 ms at first, backing off to 1 s). A failed job is returned, not thrown.
         *
         * @param jobId   the job
         * @param timeout how long to wait at most
         * @return its {@code job} block: {@code {id, status (success, failure or error), response, ...}};
         *         a batch creation's {@code response} holds {@code batch_id} and {@code row_count}
         * @throws TransportException when it is still processing after {@code timeout}, or the thread is interrupted
         * @throws NotFoundException  when the job is not the API key's (404)
         */
        public Model waitFor(long jobId, Duration timeout) {
            return TaskWait.poll(() -> get(jobId).getModel("job"), null, "status", FINISHED, "job " + jobId, timeout);
        }

        /**
         * Waits for the job an answer of {@code batches().create/update/remove/delete} names, as
         * {@link #waitFor(long, Duration)} does.
         *
         * @param objectJob the answer naming the job ({@code {status_code, job_id, failure_reason}})
         * @param timeout   how long to wait at most
         * @return the finished job's {@code job} block
         * @throws IllegalArgumentException when the answer names no job (a {@code validateOnly} creation)
         * @throws TransportException       when it is still processing after {@code timeout}
         */
        public Model waitFor(Model objectJob, Duration timeout) {
            Long id = objectJob.getLong("job_id");
            if (id == null) throw new IllegalArgumentException("the answer names no job (validate_only?): " + objectJob);
            return waitFor(id, timeout);
        }

        /**
         * The job now, typed.
         *
         * @param jobId the job's id
         * @return the job
         * @throws NotFoundException when the job is not the API key's (404)
         */
        public Job status(long jobId) {
            return Job.of(get(jobId).getModel("job"));
        }

        /**
         * Polls the job a typed call started until it finishes; a failed job is returned, not thrown.
         *
         * @param start   what the call answered
         * @param timeout how long to wait at most
         * @return the finished job ({@link Job#succeeded()} says how it ended)
         * @throws IllegalArgumentException when nothing was queued ({@code jobId} null)
         * @throws TransportException       when it is still processing after {@code timeout}
         */
        public Job waitFor(JobStart start, Duration timeout) {
            if (start.jobId() == null) throw new IllegalArgumentException("no job was queued: " + start.failureReason());
            return Job.of(waitFor(start.jobId(), timeout));
        }
    }

    @Override
    public void close() {
        if (ownsTransport) transport.close();
    }

    @Override
    public String toString() {
        return "DatasetsApi(apiKey=" + apiKey + ", endpoint=" + transport.config().endpoint() + ")";
    }
}
