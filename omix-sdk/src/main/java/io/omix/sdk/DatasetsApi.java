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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * Client of the dataset batches API, authenticated by an API key and secret sent as
 * {@code X-API-KEY} / {@code X-API-SECRET}. Its three groups are named as in the seed:
 * {@link #batches()}, {@link #datasets()} and {@link #jobs()}. The server URL is the platform's
 * root; the API lives under {@code /api/v2} there. Answers are {@link Model}s of the API's JSON;
 * error statuses become {@link ApiException} whose {@code code()} is the HTTP status and whose
 * {@code dataModel()} is the {@code extra} block. Thread-safe; close it to release its connections.
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

    public static Builder builder(String apiKey, String apiSecret) {
        return new Builder(apiKey, apiSecret);
    }

    public static final class Builder extends ClientBuilder<Builder, DatasetsApi> {
        private final String apiKey;
        private final String apiSecret;

        private Builder(String apiKey, String apiSecret) {
            super(Duration.ofSeconds(18));
            this.apiKey = apiKey;
            this.apiSecret = apiSecret;
        }

        /** The seed's name for the endpoint. */
        public Builder serverUrl(String serverUrl) {
            return endpoint(serverUrl);
        }

        @Override
        public DatasetsApi build() {
            return new DatasetsApi(apiKey, apiSecret, config());
        }
    }

    public String apiKey() {
        return apiKey;
    }

    /** This client's settings (read-only). */
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

    /** This client with {@code options} on every call made through the answer (a view: closing it closes nothing). */
    public DatasetsApi with(RequestOptions options) {
        return new DatasetsApi(this, options);
    }

    private Model model(ApiRequest request) {
        JsonNode answer = call(request);
        if (!answer.isObject()) throw new TransportException("answer of " + request.path() + " is not a JSON object");
        return new Model((ObjectNode) answer);
    }

    public Batches batches() {
        return batches;
    }

    public Datasets datasets() {
        return datasets;
    }

    /** This dataset key's webhook endpoints (events in docs/api.md). */
    public WebhookEndpoints webhooks() {
        return new WebhookEndpoints("/api/v2/webhooks", true, this::model);
    }

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
    private static Iterable<Model> offsetPages(String listKey, int firstOffset, java.util.function.IntFunction<Model> fetchAt) {
        return () -> new Iterator<>() {
            private Model page = fetchAt.apply(firstOffset);
            private int offset = firstOffset;
            private int index;

            @Override
            public boolean hasNext() {
                while (index >= page.getList(listKey).size()) {
                    String next = page.getString("next");
                    if (next == null || next.isEmpty() || page.getList(listKey).isEmpty()) return false;
                    offset += page.getList(listKey).size();
                    page = fetchAt.apply(offset);
                    index = 0;
                }
                return true;
            }

            @Override
            public Model next() {
                if (!hasNext()) throw new NoSuchElementException();
                return page.getList(listKey).getModel(index++);
            }
        };
    }

    /** The batches of a dataset: every dataset's rows arrive in batches, its initial rows being the first. */
    public final class Batches {
        private Batches() {}

        /** One page of a dataset's batches: {@code {batches, offset, limit, next}}. */
        public Model list(long workspaceId, long projectId, long datasetId, BatchQuery query) {
            return model(query.apply(ApiRequest.get(dataset(workspaceId, projectId, datasetId) + "/batches")));
        }

        public Model list(long workspaceId, long projectId, long datasetId) {
            return list(workspaceId, projectId, datasetId, BatchQuery.all());
        }

        /** Every batch the query matches, page after page, fetched as the iteration goes. */
        public Iterable<Model> all(long workspaceId, long projectId, long datasetId, BatchQuery query) {
            int from = query.offset() == null ? 0 : query.offset();
            return offsetPages("batches", from, offset -> list(workspaceId, projectId, datasetId, query.atOffset(offset)));
        }

        /**
         * Appends a source dataset's rows as a new batch. Answers {@code {status_code, job_id, failure_reason}}:
         * wait for the job with {@link Jobs#waitFor(Model, Duration)}. With {@code validateOnly} nothing
         * is written and {@code job_id} is null. Values that do not fit the expected types fail at once
         * with a 400 whose {@code extra.misfits} lists them.
         */
        public Model create(long workspaceId, long projectId, long datasetId, BatchCreation creation) {
            return model(ApiRequest.post(dataset(workspaceId, projectId, datasetId) + "/batches").json(creation.body()));
        }

        /** Deletes several batches and their rows; answers the job doing it. */
        public Model remove(long workspaceId, long projectId, long datasetId, Collection<Long> batchIds) {
            if (batchIds.isEmpty()) throw new IllegalArgumentException("give at least one batch id");
            return model(ApiRequest.of("DELETE", dataset(workspaceId, projectId, datasetId) + "/batches").query("ids", batchIds));
        }

        /** Suspends batches (their rows leave the dataset's data) and restores others; answers the job doing it. */
        public Model update(long workspaceId, long projectId, long datasetId, Collection<Long> suspend, Collection<Long> restore) {
            Map<String, Object> value = new LinkedHashMap<>();
            value.put("suspend", List.copyOf(suspend));
            value.put("restore", List.copyOf(restore));
            Map<String, Object> patch = Map.of("op", "replace", "path", "batches", "value", value);
            return model(ApiRequest.of("PATCH", dataset(workspaceId, projectId, datasetId) + "/batches").json(Map.of("patch", patch)));
        }

        /** One batch: {@code {batch: {...}}}, with the fields asked for (null: the standard ones). */
        public Model get(long workspaceId, long projectId, long datasetId, long batchId, String fields) {
            return model(ApiRequest.get(dataset(workspaceId, projectId, datasetId) + "/batches/" + batchId).query("fields", fields));
        }

        public Model get(long workspaceId, long projectId, long datasetId, long batchId) {
            return get(workspaceId, projectId, datasetId, batchId, null);
        }

        /** Deletes one batch and its rows; answers the job doing it. */
        public Model delete(long workspaceId, long projectId, long datasetId, long batchId) {
            return model(ApiRequest.of("DELETE", dataset(workspaceId, projectId, datasetId) + "/batches/" + batchId));
        }
    }

    /** Datasets of a project: made from a schema and rows or from a CSV file, listed, read. */
    public final class Datasets {
        private Datasets() {}

        /** Creates a dataset from a schema and rows; answers {@code {dataset: {...}}} (HTTP 201). */
        public Model create(long workspaceId, long projectId, DatasetSpec spec) {
            return model(ApiRequest.post(project(workspaceId, projectId) + "/datasets").json(spec.body()));
        }

        /** Creates a dataset from CSV text (a header row, then rows); column types are inferred from the values. */
        public Model upload(long workspaceId, long projectId, String name, String csv) {
            return upload(workspaceId, projectId, name, HttpRequest.BodyPublishers.ofString(csv, StandardCharsets.UTF_8));
        }

        /** Creates a dataset from a CSV file, streamed from disk whatever its size. */
        public Model upload(long workspaceId, long projectId, String name, Path csvFile) {
            try {
                return upload(workspaceId, projectId, name, HttpRequest.BodyPublishers.ofFile(csvFile));
            } catch (FileNotFoundException e) {
                throw new UncheckedIOException(e);
            }
        }

        private Model upload(long workspaceId, long projectId, String name, HttpRequest.BodyPublisher body) {
            return model(ApiRequest.post(project(workspaceId, projectId) + "/datasets/upload").query("name", name)
                    .rawBody(body, "text/csv; charset=utf-8"));
        }

        /** One dataset: {@code {dataset: {...}}}, with the fields asked for (null: the standard ones). */
        public Model get(long workspaceId, long projectId, long datasetId, String fields) {
            return model(ApiRequest.get(dataset(workspaceId, projectId, datasetId)).query("fields", fields));
        }

        public Model get(long workspaceId, long projectId, long datasetId) {
            return get(workspaceId, projectId, datasetId, null);
        }

        /**
         * One page of a project's datasets: {@code {datasets, offset, limit, next}}. Filters are the
         * API's query parameters ({@code fields, id, name, status, created_at, sort, limit, offset}...).
         */
        public Model list(long workspaceId, long projectId, Map<String, ?> parameters) {
            ApiRequest request = ApiRequest.get(project(workspaceId, projectId) + "/datasets");
            parameters.forEach(request::query);
            return model(request);
        }

        public Model list(long workspaceId, long projectId) {
            return list(workspaceId, projectId, Map.of());
        }

        /**
         * One page of a dataset's rows: {@code {data: [{c_id: value}], columns, count, offset, limit, next}};
         * rows of suspended or deleted batches are not there. {@code columns} null or empty: all of them.
         */
        public Model data(long workspaceId, long projectId, long datasetId, List<String> columns, int limit, int offset) {
            return model(ApiRequest.get(dataset(workspaceId, projectId, datasetId) + "/data")
                    .query("columns", columns == null || columns.isEmpty() ? null : columns)
                    .query("limit", limit).query("offset", offset));
        }

        /** Every row of a dataset, a page of 1,000 at a time as the iteration goes. */
        public Iterable<Model> rows(long workspaceId, long projectId, long datasetId, List<String> columns) {
            return offsetPages("data", 0, offset -> data(workspaceId, projectId, datasetId, columns, 1000, offset));
        }
    }

    /** The jobs that batch creation, update and deletion answer with. */
    public final class Jobs {
        private static final Set<String> FINISHED = Set.of("success", "failure", "error");

        private Jobs() {}

        /** {@code {job: {id, status, response, path, operation, created_at, last_updated_at}}}; status is processing, success, failure or error. */
        public Model get(long jobId) {
            return model(ApiRequest.get(BASE + "/jobs/" + jobId));
        }

        /**
         * Polls a job until it finishes (50 ms at first, backing off to 1 s) and returns its {@code job} block.
         * @throws OmixException when it is still processing after {@code timeout}
         */
        public Model waitFor(long jobId, Duration timeout) {
            return TaskWait.poll(() -> get(jobId).getModel("job"), null, "status", FINISHED, "job " + jobId, timeout);
        }

        /** Waits for the job an answer of {@code batches().create/update/remove/delete} names. */
        public Model waitFor(Model objectJob, Duration timeout) {
            Long id = objectJob.getLong("job_id");
            if (id == null) throw new IllegalArgumentException("the answer names no job (validate_only?): " + objectJob);
            return waitFor(id, timeout);
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
