package io.omix.sdk;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omix.sdk.internal.ApiRequest;
import io.omix.sdk.internal.ClientConfig;
import io.omix.sdk.internal.HttpTransport;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Client of the open platform, acting with one OAuth2 access token.
 * Thread-safe; close it to release its connections.
 *
 * <pre>{@code
 * try (Api api = Api.builder(accessToken).endpoint("http://localhost:8080").build()) {
 *     System.out.println(api.alive());
 * }
 * }</pre>
 */
public final class Api implements AutoCloseable {
    private final TokenSupply tokens;
    private final HttpTransport transport;
    private final RequestOptions options;
    private final boolean ownsTransport;
    private FileTransfer files; // made on first use: most clients never move files
    private final Samples samples = new Samples();
    private final Variants variants = new Variants();
    private final Streams streams = new Streams();

    Api(String accessToken, ClientConfig config) {
        Objects.requireNonNull(accessToken, "accessToken");
        this.tokens = TokenSupply.fixed(accessToken);
        this.transport = new HttpTransport(config, (request, uri, body, builder) -> builder.header("Authorization", "Bearer " + tokens.get()));
        this.options = RequestOptions.NONE;
        this.ownsTransport = true;
    }

    /** A view onto {@code pool}'s connections and threads, with its tokens from {@code tokens} (asked on every attempt). */
    Api(TokenSupply tokens, HttpTransport pool) {
        this.tokens = tokens;
        this.transport = new HttpTransport(pool, (request, uri, body, builder) -> builder.header("Authorization", "Bearer " + tokens.get()));
        this.options = RequestOptions.NONE;
        this.ownsTransport = true;
    }

    private Api(Api base, RequestOptions options) {
        this.tokens = base.tokens;
        this.transport = base.transport;
        this.options = Objects.requireNonNull(options, "options");
        this.ownsTransport = false;
    }

    /** This client with {@code options} on every call made through the answer (a view: closing it closes nothing). */
    public Api with(RequestOptions options) {
        return new Api(this, options);
    }

    /** A client with the default settings (local endpoint, 3 retries, 18 s timeout). */
    public Api(String accessToken) {
        this(accessToken, builder(accessToken).config());
    }

    public static Builder builder(String accessToken) {
        return new Builder(accessToken);
    }

    public static final class Builder extends ClientBuilder<Builder, Api> {
        private final String accessToken;

        private Builder(String accessToken) {
            super(Duration.ofSeconds(18));
            this.accessToken = accessToken;
        }

        @Override
        public Api build() {
            return new Api(accessToken, config());
        }
    }

    /** The access token calls are made with now (with a token provider: the current one, renewed as needed). */
    public String accessToken() {
        return tokens.get();
    }

    /** This client's settings (read-only). */
    public Settings config() {
        return Settings.of(transport.config());
    }

    /** True when the platform answers {@code /ping} with a 2xx status; never throws. */
    public boolean alive() {
        return Ping.alive(transport);
    }

    /**
     * The user's profile (the open platform's get_user): only the fields the token's scopes allow.
     * Authorization-code tokens only. Typed: {@code api.getUser().as(User.class)}.
     */
    public Model getUser() {
        return Answers.model(call(ApiRequest.get("/profile")));
    }

    /** Samples, typed: {@code api.samples().list(query)}. */
    public Samples samples() {
        return samples;
    }

    /** Variant calls, typed: {@code api.variants().get(VariantQuery.of(sampleId, "rs762551"))}. */
    public Variants variants() {
        return variants;
    }

    /** Stream records, typed: {@code api.streams().range(StreamRange.of(element)...build())}. */
    public Streams streams() {
        return streams;
    }

    /** The caller's samples (the open platform's get_samples), typed. */
    public final class Samples {
        private Samples() {}

        /** Every sample matching {@code query}, page by page ({@code limit} is the page size). */
        public Paginated<Sample> list(SampleQuery query) {
            return new Paginated<>(cursor -> {
                Model page = getSamples(cursor == null ? query : query.withPage(Integer.parseInt(cursor)));
                List<Sample> items = page.getList("result").models().stream().map(m -> m.as(Sample.class)).toList();
                Object next = page.get("next_page");
                return new Paginated.Page<>(items, next == null || items.isEmpty() ? null : String.valueOf(next));
            }, null);
        }

        /** Every sample of the caller. */
        public Paginated<Sample> list() {
            return list(SampleQuery.all());
        }
    }

    /** Variant calls by rs id (the open platform's get_variants), typed. */
    public final class Variants {
        private Variants() {}

        /** The calls asked for, in the order asked; an rs id without a call comes back as not assayed. */
        public List<Variant> get(VariantQuery query) {
            return getVariants(query.biosampleId(), query.rsids()).models().stream().map(m -> m.as(Variant.class)).toList();
        }
    }

    /** Stream records (the open platform's get_range_stream), typed. */
    public final class Streams {
        private Streams() {}

        /** Every record of the range, page by page as the iteration goes. */
        public Paginated<StreamRecord> range(StreamRange range) {
            return new Paginated<>(cursor -> {
                Model page = getRangeStream(range.dataElementId(), range.biosampleId(), range.start(), range.end(), range.sort().wire(), cursor,
                        range.pageSize());
                List<StreamRecord> items = page.getList("result").models().stream().map(StreamRecord::of).toList();
                String next = page.getString("next_page");
                return new Paginated.Page<>(items, next == null || next.isEmpty() || items.isEmpty() ? null : next);
            }, null);
        }
    }

    /** This client application's webhook endpoints (a client-credentials token; events in docs/api.md). */
    public WebhookEndpoints webhooks() {
        return new WebhookEndpoints("/webhooks", false, r -> Answers.model(call(r)));
    }

    /** One page of the caller's samples (the open platform's get_samples): {@code {result, count, next_page}}. */
    public Model getSamples(SampleQuery query) {
        return Answers.model(call(query.apply(ApiRequest.get("/samples"))));
    }

    /**
     * The applications the signed-in person authorized: {@code {grants: [{client_id, client_name, scope,
     * granted_at, updated_at, last_used_at}]}}. Needs a user token with the {@code grants} scope
     * (first-party tools only: an operator allows it per client).
     */
    public Model getGrants() {
        return Answers.model(call(ApiRequest.get("/user/grants")));
    }

    /**
     * Takes back what the person allowed application {@code clientId}: its consent and every access
     * token, refresh token and upload credential it holds for them stop at once. Answers
     * {@code {client_id, revoked: true}}; 41001 naming {@code client_id} when there was no such grant.
     */
    public Model revokeGrant(String clientId) {
        return Answers.model(call(ApiRequest.of("DELETE", "/user/grants/"
                + java.net.URLEncoder.encode(clientId, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"))));
    }

    /**
     * Erases one of the signed-in person's samples and everything derived from it (variant calls,
     * microbiome profiles, stream records, data items): {@code {biosample_id, erased: true}}. Needs
     * the person's own tool (scope {@code grants}); 41303 for a sample that is not theirs. Cannot be undone.
     */
    public Model deleteSample(String biosampleId) {
        return Answers.model(call(ApiRequest.of("DELETE", "/samples/" + upper(biosampleId))));
    }

    /**
     * Erases the signed-in person's account and all their data: samples (and everything derived),
     * files, grants, tokens. Answers {@code {user_id, erased: true, samples, files}}; this token stops
     * working. Needs the person's own tool (scope {@code grants}). Cannot be undone.
     */
    public Model deleteAccount() {
        return Answers.model(call(ApiRequest.of("DELETE", "/user")));
    }

    /**
     * Asks for an archive of all the signed-in person's data (their right of access): a task that
     * builds one zip (samples as JSON, variant calls as VCF, microbiome profiles as TSV, stream records
     * as FHIR Observations in NDJSON, their files, grants and audit entries, and a manifest with
     * checksums). Answers the task ({@code {task_id, progress, ...}}); its result, once
     * {@code SUCCESS}, is {@code {object_name, size, sha256, url, expires, samples, files, entries}}
     * with {@code url} a signed download link valid for a day. Asking while an export runs answers that
     * one. Needs the person's own tool (scope {@code grants}).
     */
    public Model requestExport() {
        return Answers.model(call(ApiRequest.post("/user/export")));
    }

    /**
     * {@link #requestExport}, waits for it (at most {@code timeout}) and downloads the archive into
     * {@code target}, checking its SHA-256; the finished task. OmixException when the export failed.
     */
    public Model exportData(java.nio.file.Path target, java.time.Duration timeout) {
        return exportData(target, timeout, TransferListener.NONE);
    }

    /** As {@link #exportData(java.nio.file.Path, java.time.Duration)}, telling {@code listener} how the download goes. */
    public Model exportData(java.nio.file.Path target, java.time.Duration timeout, TransferListener listener) {
        Model done = waitFor(requestExport(), timeout);
        Model result = done.getModel("result");
        if (!"SUCCESS".equals(done.getString("progress")) || result == null || result.getString("url") == null) {
            throw new TransportException("the export failed: " + (result == null ? done.dumps() : result.getString("error")));
        }
        files().download(result.getString("object_name"), () -> result.getString("url"), target, listener);
        return done;
    }

    /** Every sample matching {@code query}, fetched page by page as the iteration goes. */
    public Iterable<Model> samples(SampleQuery query) {
        return new Paged(next -> getSamples(next == null ? query : query.withPage(((Number) next).intValue())));
    }

    /** One sample (the open platform's get_sample); 41303 unless it is the caller's. Typed: {@code .as(Sample.class)}. */
    public Model getSample(String biosampleId) {
        return Answers.model(call(ApiRequest.get("/samples/" + upper(biosampleId))));
    }

    /** Registers a sample (the open platform's register_sample); answers {@code {biosample_id}}. */
    public Model registerSample(String externalSampleId, int biosampleSite, String projectId) {
        return registerSample(externalSampleId, biosampleSite, projectId, false, java.util.Map.of());
    }

    /**
     * Registers a sample with any further sample fields (e.g. {@code depth}, {@code library_id}).
     *
     * @param duplicateEnabled register even when the external id exists in the project and site
     */
    public Model registerSample(String externalSampleId, int biosampleSite, String projectId, boolean duplicateEnabled,
                                java.util.Map<String, ?> fields) {
        ApiRequest r = ApiRequest.post("/samples/register").form("external_sample_id", externalSampleId)
                .form("biosample_site", biosampleSite).form("project_id", upper(projectId)).form("duplicate_enabled", duplicateEnabled);
        fields.forEach(r::form);
        return Answers.model(call(r));
    }

    /** Fills sample fields still empty (the open platform's improve_sample); a set field cannot change (41001 names it). */
    public Model improveSample(String biosampleId, java.util.Map<String, ?> fields) {
        ApiRequest r = ApiRequest.post("/samples/improve").form("biosample_id", upper(biosampleId));
        fields.forEach(r::form);
        return Answers.model(call(r));
    }

    /** The caller's samples of a project and site by external id: a list of {@code {external_sample_id, biosample_id}}. */
    public ListModel getExternalIds(String projectId, int biosampleSite, java.util.List<String> externalIds) {
        return Answers.list(call(ApiRequest.get("/samples/external_ids").query("project_id", upper(projectId))
                .query("biosample_site", biosampleSite).query("external_ids", externalIds)));
    }

    /**
     * The sample's calls for 1 to 100 rs ids (the open platform's get_variants), in the order asked; ids without
     * a call come back as not assayed. Typed: {@code .as(Variant.class)}.
     *
     * @param rsids comma-separated, e.g. {@code "rs762551,rs333"}
     */
    public ListModel getVariants(String biosampleId, String rsids) {
        return Answers.list(call(ApiRequest.get("/variants").query("biosample_id", upper(biosampleId)).query("rsids", rsids)));
    }

    public ListModel getVariants(String biosampleId, java.util.List<String> rsids) {
        return getVariants(biosampleId, String.join(",", rsids));
    }

    /**
     * Taxon abundances of a metagenomics sample with each taxon's background in the reference cohort
     * (the open platform's get_taxon_abundance): {@code result} (most abundant first), {@code next_page}, {@code limit}, {@code count}.
     *
     * @param taxonIds comma-separated taxon ids, or null for all
     * @param page     from 1, or null
     * @param limit    1 to 100, or null for 50
     */
    public Model getTaxonAbundance(String biosampleId, String taxonIds, Integer page, Integer limit) {
        return Answers.paginated(call(ApiRequest.get("/microbiome/taxon_abundance").query("biosample_id", upper(biosampleId))
                .query("taxon_id", taxonIds).query("page", page).query("limit", limit)));
    }

    public Model getTaxonAbundance(String biosampleId) {
        return getTaxonAbundance(biosampleId, null, null, null);
    }

    /** Every taxon abundance of the sample, page by page as the iteration goes. */
    public Iterable<Model> taxonAbundances(String biosampleId) {
        return new Paged(next -> getTaxonAbundance(biosampleId, null, next == null ? 1 : ((Number) next).intValue(), 100));
    }

    /**
     * Functional abundances of one catalog (the open platform's get_func_abundance): {@code result}, {@code count},
     * {@code next_page} (an opaque token), {@code limit}.
     *
     * @param catalog go, ko, eggnog, pfam, kegg-pwy, kegg-mdl, level4ec, metacyc-rxn or metacyc-pwy
     */
    public Model getFuncAbundance(String biosampleId, String catalog, String ids, String nextPage, Integer limit) {
        return Answers.model(call(ApiRequest.get("/microbiome/func_abundance").query("biosample_id", upper(biosampleId))
                .query("catalog", catalog).query("ids", ids).query("next_page", nextPage).query("limit", limit)));
    }

    public Model getFuncAbundance(String biosampleId, String catalog) {
        return getFuncAbundance(biosampleId, catalog, null, null, null);
    }

    public Iterable<Model> funcAbundances(String biosampleId, String catalog) {
        return new Paged(next -> getFuncAbundance(biosampleId, catalog, null, (String) next, 1000));
    }

    /**
     * Gene abundances of one catalog (the open platform's get_gene_abundance).
     *
     * @param catalog  IGC_9.9M or UniRef90_HUMAnN2_0.11
     * @param dataType list (file comes with the file service)
     */
    public Model getGeneAbundance(String biosampleId, String catalog, String dataType, String ids, String nextPage, Integer limit) {
        return Answers.model(call(ApiRequest.get("/microbiome/gene_abundance").query("biosample_id", upper(biosampleId))
                .query("catalog", catalog).query("data_type", dataType).query("ids", ids).query("next_page", nextPage).query("limit", limit)));
    }

    public Model getGeneAbundance(String biosampleId, String catalog, String dataType) {
        return getGeneAbundance(biosampleId, catalog, dataType, null, null, null);
    }

    public Iterable<Model> geneAbundances(String biosampleId, String catalog) {
        return new Paged(next -> getGeneAbundance(biosampleId, catalog, "list", null, (String) next, 1000));
    }

    /**
     * Records of a data element in a closed time interval (the open platform's get_range_stream):
     * {@code {result, count, next_page}}. Client-credentials tokens must give a biosample id.
     */
    public Model getRangeStream(String dataElementId, String biosampleId, String startTime, String endTime, String sortDirection,
                                String nextPage, Integer limit) {
        return Answers.model(call(ApiRequest.get("/stream/range").query("data_element_id", dataElementId)
                .query("biosample_id", upper(biosampleId)).query("start_time", startTime).query("end_time", endTime)
                .query("sort_direction", sortDirection).query("next_page", nextPage).query("limit", limit)));
    }

    public Model getRangeStream(String dataElementId, String biosampleId) {
        return getRangeStream(dataElementId, biosampleId, null, null, null, null, null);
    }

    /** Every record of the range, page by page as the iteration goes. */
    public Iterable<Model> rangeStreams(String dataElementId, String biosampleId, String startTime, String endTime, String sortDirection) {
        return new Paged(next -> getRangeStream(dataElementId, biosampleId, startTime, endTime, sortDirection, (String) next, 100));
    }

    /** Writes a phenotype record for a sample (client-credentials tokens only; 40014 otherwise): {@code {stream_id}}. */
    public Model writePhenotype(String biosampleId, String dataElementId, String streamGenerateTime, Object streamData,
                                boolean duplicateEnabled) {
        return Answers.model(call(ApiRequest.post("/datamall/phenotype/write").form("biosample_id", upper(biosampleId))
                .form("data_element_id", dataElementId).form("stream_generate_time", streamGenerateTime)
                .form("stream_data", jsonText(streamData)).form("duplicate_enabled", duplicateEnabled)));
    }

    /**
     * The numeric value of a data element's records, by calendar period (aggregate_omics_data):
     * {@code {time_dimension, interval, periods: [{start_time, end_time, count, sum, mean, min, max}], skipped_without_value}}.
     *
     * @param timeDimension year, quarter, month, week, day, hour, minute or second
     * @param endTime       or null when {@code periods} is given
     * @param periods       1 to 100, or null to reach {@code endTime}
     */
    public Model aggregateOmicsData(String dataElementId, String timeDimension, String startTime, String endTime, String biosampleId,
                                    Integer interval, Integer periods) {
        return Answers.model(call(ApiRequest.get("/omics_data/aggregate").query("data_element_id", dataElementId)
                .query("time_dimension", timeDimension).query("start_time", startTime).query("end_time", endTime)
                .query("biosample_id", upper(biosampleId)).query("interval", interval).query("periods", periods)));
    }

    /**
     * One page of committed data items of a sample (get_data_items, {@code /data_item/batch_retrieve}),
     * of one batch ({@code collectionId}, the batch number) and/or some data elements (at most 100):
     * {@code {result, count, next_page}}.
     *
     * @param namespace the private app's namespace the items were imported in
     */
    public Model getDataItems(String namespace, String biosampleId, Long collectionId, java.util.List<String> dataElementIds, String nextPage) {
        return Answers.model(call(ApiRequest.get("/data_item/batch_retrieve").query("namespace", namespace)
                .query("biosample_id", upper(biosampleId)).query("collection_id", collectionId).query("data_element_ids", dataElementIds)
                .query("next_page", nextPage)));
    }

    /** Every committed data item matching, page by page as the iteration goes. */
    public Iterable<Model> dataItems(String namespace, String biosampleId, Long collectionId, java.util.List<String> dataElementIds) {
        return new Paged(next -> getDataItems(namespace, biosampleId, collectionId, dataElementIds, (String) next));
    }

    /** A task this client queued: {@code {task_id, progress, result, completed, task_url}}. */
    public Model task(String taskId) {
        return Answers.model(call(ApiRequest.get("/task/" + java.net.URLEncoder.encode(taskId, java.nio.charset.StandardCharsets.UTF_8))));
    }

    /** Waits until a task answer has finished; its final view. OmixException after {@code timeout}. */
    public java.util.concurrent.CompletableFuture<Model> waitForAsync(Model task, java.time.Duration timeout) {
        return transport.async(() -> waitFor(task, timeout));
    }

    /** Waits until a task answer has finished, as {@link #waitFor(Model, java.time.Duration)} does, without blocking the caller. */
    public Model waitFor(Model task, java.time.Duration timeout) {
        return TaskWait.waitFor(this::task, task, timeout);
    }

    /**
     * Invokes a model's published version (the open platform's invoke_model) with its own parameters; the
     * model's answer {@code {model_code, model_msg, model_data}}. Not retried after a timeout (the
     * model may still be running): give the client a {@code timeout} longer than the model's.
     */
    public Model invokeModel(String modelId, java.util.Map<String, ?> params) {
        return Answers.model(call(withParams(ApiRequest.get("/model/" + modelId(modelId)).withSideEffects(), params)));
    }

    /** Invokes the newest deployed (draft) version; the owner only. */
    public Model invokeDraftModel(String modelId, java.util.Map<String, ?> params) {
        return Answers.model(call(withParams(ApiRequest.get("/model/" + modelId(modelId) + "/draft").withSideEffects(), params)));
    }

    private static ApiRequest withParams(ApiRequest request, java.util.Map<String, ?> params) {
        if (params != null) params.forEach(request::query);
        return request;
    }

    private static String modelId(String modelId) {
        if (modelId == null || !modelId.matches("[A-Za-z0-9_-]{1,64}")) throw new IllegalArgumentException("model_id is 1 to 64 letters, digits, _ or -");
        return modelId;
    }

    /**
     * Deploys a model (the open platform's deploy_model): uploads {@code sourceFile} (a zip of the code) and queues
     * its deployment as a new draft version; the task answer. {@link #waitFor} it, or use the overload
     * that waits.
     */
    public Model deployModel(String modelId, java.nio.file.Path sourceFile, ModelConfig config) {
        String objectName = upload(modelId(modelId) + "-" + System.currentTimeMillis() + ".zip", sourceFile);
        return Answers.model(call(config.apply(ApiRequest.post("/model/deploy").form("model_id", modelId).form("object_name", objectName))));
    }

    public Model deployModel(String modelId, java.nio.file.Path sourceFile) {
        return deployModel(modelId, sourceFile, ModelConfig.defaults());
    }

    /**
     * Deploys and waits: the deployment's result {@code {model_id, version}}, as the open platform shows it.
     * @throws OmixException when the deployment failed (its reason in the message) or took longer than {@code timeout}
     */
    public Model deployModel(String modelId, java.nio.file.Path sourceFile, ModelConfig config, java.time.Duration timeout) {
        Model done = waitFor(deployModel(modelId, sourceFile, config), timeout);
        if (!"SUCCESS".equals(done.getString("progress"))) {
            throw new TransportException("deployment of model " + modelId + " ended " + done.getString("progress") + ": " + done.get("result"));
        }
        return done.getModel("result");
    }

    /** Makes the draft the stable version (publish); {@code {version}}. */
    public Model publishModel(String modelId, String message) {
        return Answers.model(call(ApiRequest.post("/model/publish").form("model_id", modelId(modelId)).form("message", message)));
    }

    /** Makes an earlier source version stable again (the open platform's rollback_model; configuration stays); {@code {version}}. */
    public Model rollbackModel(String modelId, int version) {
        return Answers.model(call(ApiRequest.post("/model/rollback").form("model_id", modelId(modelId)).form("version", version)));
    }

    /** One page of a model's versions, newest first: {@code {result: [{version, comment, message, stable, draft...}], count, next_page}}. */
    public Model getModelVersions(String modelId, Integer limit, String nextPage) {
        return Answers.model(call(ApiRequest.get("/model/" + modelId(modelId) + "/versions").query("limit", limit).query("next_page", nextPage)));
    }

    /** Every version of a model, newest first, page by page. */
    public Iterable<Model> modelVersions(String modelId) {
        return new Paged(next -> getModelVersions(modelId, 100, (String) next));
    }

    /** A JSON text as given, or any other value written as JSON, as nested values travel in form fields. */
    static String jsonText(Object value) {
        if (value == null || value instanceof String) return (String) value;
        try {
            return io.omix.sdk.internal.Json.MAPPER.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("stream_data cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    static String upper(String id) {
        return id == null ? null : id.toUpperCase(java.util.Locale.ROOT);
    }

    /** Sends a request with this client's token; the envelope of a successful answer. */
    /**
     * Upload credentials (the open platform's get_upload_token): {@code {credentials: {access_key_id, access_key_secret,
     * security_token, expiration}, destination, bucket, endpoint, base_uri, region_id}}. Objects may be
     * written directly under {@code destination} until {@code expiration}; {@link #upload} uses them for you.
     */
    public Model getUploadToken() {
        return Answers.model(call(ApiRequest.post("/sts/token")));
    }

    /** Revokes upload credentials at once (before they expire). */
    public Model revokeUploadToken(String accessKeyId) {
        return Answers.model(call(ApiRequest.post("/sts/revoke").form("access_key_id", accessKeyId)));
    }

    private synchronized FileTransfer files() {
        if (files == null) files = new FileTransfer(this, transport.config());
        return files;
    }

    /** Uploads text (UTF-8) as {@code filename}; returns the object name (the open platform's upload). */
    public String upload(String filename, String content) {
        return upload(filename, content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public String upload(String filename, byte[] content) {
        return files().upload(filename, content, UploadOptions.defaults());
    }

    /** Uploads a stream's bytes (spooled to a temporary file first, so memory stays small). */
    public String upload(String filename, java.io.InputStream content) {
        return upload(filename, content, UploadOptions.defaults());
    }

    public String upload(String filename, java.io.InputStream content, UploadOptions options) {
        return files().upload(filename, content, options);
    }

    /** Uploads a file as {@code filename}: in one request, or in parallel parts from the multipart threshold on. */
    public String upload(String filename, java.nio.file.Path file) {
        return upload(filename, file, UploadOptions.defaults());
    }

    public java.util.concurrent.CompletableFuture<String> uploadAsync(String filename, java.nio.file.Path file, UploadOptions options) {
        return transport.async(() -> upload(filename, file, options));
    }

    /** Uploads a file as {@link #upload(String, java.nio.file.Path, UploadOptions)} does: the object name. */
    public String upload(String filename, java.nio.file.Path file, UploadOptions options) {
        return files().upload(filename, file, options);
    }

    /** Uploads each file under its own name; the object names in the same order. */
    public java.util.List<String> batchUpload(java.util.List<java.nio.file.Path> paths, UploadOptions options) {
        java.util.List<String> names = new java.util.ArrayList<>();
        for (java.nio.file.Path p : paths) names.add(upload(p.getFileName().toString(), p, options));
        return names;
    }

    public java.util.List<String> batchUpload(java.util.List<java.nio.file.Path> paths) {
        return batchUpload(paths, UploadOptions.defaults());
    }

    /** Uploads the regular files directly in {@code dir} (no recursion, as on the original), sorted by name. */
    public java.util.List<String> uploadDir(java.nio.file.Path dir, UploadOptions options) {
        try (java.util.stream.Stream<java.nio.file.Path> entries = java.nio.file.Files.list(dir)) {
            return batchUpload(entries.filter(java.nio.file.Files::isRegularFile).sorted().toList(), options);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot list " + dir, e);
        }
    }

    public java.util.List<String> uploadDir(java.nio.file.Path dir) {
        return uploadDir(dir, UploadOptions.defaults());
    }

    /** A signed download URL for one of the caller's objects (the open platform's get_download_url): {@code {url, expires}}. */
    public Model getDownloadUrl(String objectName) {
        return getDownloadUrl(objectName, null, null);
    }

    /**
     * @param region         {@code domestic} or {@code international} (null: the server's default)
     * @param expirationTime seconds the URL stays valid (null: 600)
     */
    public Model getDownloadUrl(String objectName, String region, Integer expirationTime) {
        return Answers.model(call(ApiRequest.post("/oss/sign_url").form("object_name", objectName).form("region", region)
                .form("expiration_time", expirationTime)));
    }

    /** Streams an object into {@code out} (the open platform's download), checking its SHA-256; returns the bytes written. */
    public long download(String objectName, java.io.OutputStream out) {
        return files().download(objectName, out, TransferListener.NONE);
    }

    public long download(String objectName, java.io.OutputStream out, TransferListener listener) {
        return files().download(objectName, out, listener);
    }

    /**
     * Downloads into a file; an interrupted download leaves {@code target.part}, which the next call
     * continues from where it stopped.
     */
    public long download(String objectName, java.nio.file.Path target) {
        return files().download(objectName, target, TransferListener.NONE);
    }

    public java.util.concurrent.CompletableFuture<Long> downloadAsync(String objectName, java.nio.file.Path target, TransferListener listener) {
        return transport.async(() -> download(objectName, target, listener));
    }

    /** Downloads into a file as {@link #download(String, java.nio.file.Path)} does, telling {@code listener} how it goes: the bytes written. */
    public long download(String objectName, java.nio.file.Path target, TransferListener listener) {
        return files().download(objectName, target, listener);
    }

    ObjectNode call(ApiRequest request) {
        options.apply(request);
        try {
            return transport.envelope(request);
        } catch (AuthenticationException e) {
            // A renewable token the platform no longer accepts (revoked, expired early): renew it once and try again.
            if (e.code() != Codes.TOKEN_INVALID || !tokens.renewable()) throw e;
            tokens.invalidate();
            return transport.envelope(request);
        }
    }

    @Override
    public String toString() {
        return "Api(endpoint=" + transport.config().endpoint() + ", accessToken=***)";
    }

    @Override
    public void close() {
        synchronized (this) {
            if (files != null) files.close();
        }
        if (ownsTransport) transport.close();
    }
}
