package io.omix.sdk;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omix.sdk.internal.ApiRequest;
import io.omix.sdk.internal.ClientConfig;
import io.omix.sdk.internal.HttpTransport;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Client of the open platform, acting with one OAuth2 access token (or tokens its credentials
 * renew): samples, variant calls, microbiome profiles, streams, data items, tasks, files,
 * interpretation models, webhooks and the person's own grants, export and erasure.
 * Thread-safe; close it to release its connections.
 * <p>Every call may fail with {@link AuthenticationException} when the token is unknown, expired or
 * revoked (403), {@link PermissionException} when it lacks the call's scope (401) or is a user token where
 * only the application's own may call (40014), {@link InvalidParameterException} for a refused parameter (41001), {@link RateLimitedException}
 * past the minute's limit, {@link ServerException} and {@link TransportException}. Ids are upper-cased
 * before sending, as the original client does.
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
    /** The client a view ({@link #with}) was made of, whose transfers it uses (closed with it); null for a client of its own. */
    private final Api owner;
    private final Samples samples = new Samples();
    private final Variants variants = new Variants();
    private final Streams streams = new Streams();
    private final Microbiome microbiome = new Microbiome();
    private final Models models = new Models();
    private final Tasks tasks = new Tasks();
    private final Files filesGroup = new Files();

    Api(String accessToken, ClientConfig config) {
        Objects.requireNonNull(accessToken, "accessToken");
        this.tokens = TokenSupply.fixed(accessToken);
        this.transport = new HttpTransport(config, (request, uri, body, builder) -> bearer(request, builder));
        this.options = RequestOptions.NONE;
        this.ownsTransport = true;
        this.owner = null;
    }

    /** A view onto {@code pool}'s connections and threads, with its tokens from {@code tokens} (asked on every attempt). */
    Api(TokenSupply tokens, HttpTransport pool) {
        this.tokens = tokens;
        this.transport = new HttpTransport(pool, (request, uri, body, builder) -> bearer(request, builder));
        this.options = RequestOptions.NONE;
        this.ownsTransport = true;
        this.owner = null;
    }

    private Api(Api base, RequestOptions options) {
        this.tokens = base.tokens;
        this.transport = base.transport;
        this.options = Objects.requireNonNull(options, "options");
        this.ownsTransport = false;
        this.owner = base.owner != null ? base.owner : base;
    }

    /**
     * This client with {@code options} on every call made through the answer, e.g. a longer timeout
     * for a slow model: {@code api.with(RequestOptions.timeout(Duration.ofMinutes(2))).invokeModel(...)}.
     *
     * @param options a timeout per attempt and/or the {@code Idempotency-Key} of the next write
     * @return a view sharing this client's token and connections (closing it closes nothing)
     * @throws NullPointerException when {@code options} is null
     */
    public Api with(RequestOptions options) {
        return new Api(this, options);
    }

    /**
     * A client with the default settings (local endpoint, 3 retries, 18 s timeout) and its own
     * connection pool (prefer {@link Omix#openPlatform(String)} in new code).
     *
     * @param accessToken an access token of either grant ({@code oat_...}); it is not renewed
     * @throws NullPointerException when {@code accessToken} is null
     */
    public Api(String accessToken) {
        this(accessToken, builder(accessToken).config());
    }

    /**
     * Starts the settings of a client with its own connection pool.
     *
     * @param accessToken an access token of either grant ({@code oat_...}); it is not renewed
     * @return a builder with the defaults: local endpoint, 3 retries, 18 s timeout
     */
    public static Builder builder(String accessToken) {
        return new Builder(accessToken);
    }

    /** Settings of an {@link Api} client with a fixed access token; {@link #build()} makes it. */
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

    /**
     * The access token calls are made with now.
     *
     * @return the fixed token, or with renewable credentials the current one (fetched or renewed first when due)
     * @throws OmixException when renewable credentials cannot fetch a token
     */
    public String accessToken() {
        return tokens.get();
    }

    /**
     * This client's settings.
     *
     * @return the settings its builder (or its root client) set (read-only)
     */
    public Settings config() {
        return Settings.of(transport.config());
    }

    /**
     * Checks that the platform is up (the open platform's alive): {@code GET /ping}, with the retries
     * the settings allow; no token is needed.
     *
     * @return true when the platform answers with a 2xx status, false otherwise or when it cannot be
     *         reached (never throws)
     */
    public boolean alive() {
        return Ping.alive(transport);
    }

    /**
     * The user's profile (the open platform's get_user): only the fields the token's scopes allow.
     * Authorization-code tokens only. Typed: {@code api.getUser().as(User.class)}.
     *
     * @return e.g. {@code {userId, username, nickname, avatar, sex, birthday}} with {@code profile},
     *         {@code email} with {@code email}, {@code phone}, {@code userAddress}, {@code personnelInfoCode}
     * @throws PermissionException when no profile scope was granted, or the token is a client-credentials one (401)
     */
    public Model getUser() {
        return Answers.model(call(ApiRequest.get("/profile")));
    }

    /**
     * The user's profile (the open platform's get_user), typed. Authorization-code tokens only.
     *
     * @return the fields the token's scopes allow; the others are null
     * @throws PermissionException when no profile scope was granted, or the token is a client-credentials one (401)
     */
    public User user() {
        return getUser().as(User.class);
    }

    /**
     * Data items of committed batches (the open platform's get_data_items), typed, page by page as
     * the iteration goes. Needs the {@code samples} scope; the query must name the importing app's namespace.
     *
     * @param query the namespace and, optionally, sample, batch and data elements
     * @return the items; nothing is fetched until the iteration (or {@code page()}) starts
     * @throws PermissionException when the sample is not one the token sees (41303)
     */
    public Paginated<DataItem> dataItems(DataItemQuery query) {
        return new Paginated<>(cursor -> {
            Model page = getDataItems(query.namespace(), query.biosampleId(), query.collectionId(), query.dataElementIds(), cursor);
            List<DataItem> items = page.getList("result").models().stream().map(DataItem::of).toList();
            return Paginated.pageOf(items, page);
        }, null);
    }

    /**
     * A metagenomics sample's taxon, function and gene abundances, typed.
     *
     * @return the typed microbiome calls of this client
     */
    public Microbiome microbiome() {
        return microbiome;
    }

    /**
     * Interpretation models: invoke, deploy, publish, roll back, list versions; typed.
     *
     * @return the typed model calls of this client
     */
    public Models models() {
        return models;
    }

    /**
     * Tasks (deployments, exports): read and wait for; typed.
     *
     * @return the typed task calls of this client
     */
    public Tasks tasks() {
        return tasks;
    }

    /**
     * The file store: upload, signed links, download.
     *
     * @return the file calls of this client
     */
    public Files files() {
        return filesGroup;
    }

    /**
     * The caller's samples, typed: {@code api.samples().list(query)}.
     *
     * @return the typed sample calls of this client
     */
    public Samples samples() {
        return samples;
    }

    /**
     * Variant calls, typed: {@code api.variants().get(VariantQuery.of(sampleId, "rs762551"))}.
     *
     * @return the typed variant calls of this client
     */
    public Variants variants() {
        return variants;
    }

    /**
     * Stream records, typed: {@code api.streams().range(StreamRange.of(element)...build())}.
     *
     * @return the typed stream calls of this client
     */
    public Streams streams() {
        return streams;
    }

    /** The caller's samples (the open platform's get_samples), typed. */
    public final class Samples {
        private Samples() {}

        /**
         * Every sample matching {@code query}, fetched page by page as the iteration goes. Needs the
         * {@code samples} scope; a user token sees its person's samples, a client-credentials token its application's.
         *
         * @param query the filters and paging ({@code limit} is the page size, {@code page} the first page)
         * @return the samples, typed; nothing is fetched until the iteration (or {@code page()}) starts
         */
        public Paginated<Sample> list(SampleQuery query) {
            return new Paginated<>(cursor -> {
                Model page = getSamples(cursor == null ? query : query.withPage(Integer.parseInt(cursor)));
                List<Sample> items = page.getList("result").models().stream().map(m -> m.as(Sample.class)).toList();
                return Paginated.pageOf(items, page);
            }, null);
        }

        /**
         * Every sample of the caller, 50 a page.
         *
         * @return the samples, typed; nothing is fetched until the iteration (or {@code page()}) starts
         */
        public Paginated<Sample> list() {
            return list(SampleQuery.all());
        }

        /**
         * One sample the token sees.
         *
         * @param biosampleId the sample's id ({@code E-...})
         * @return the sample, typed
         * @throws PermissionException when the sample is not one the token sees (41303; also an unknown or malformed id)
         */
        public Sample get(String biosampleId) {
            return getSample(biosampleId).as(Sample.class);
        }

        /**
         * What the platform holds of one sample at a glance (the open platform client's get_overview):
         * its kind and status, and, each for a token with its scope, the current variant import, the
         * microbiome profiles (a person's token) and the stream series with their counts and time spans.
         *
         * @param biosampleId the sample's id ({@code E-...})
         * @return {@code {biosample_id, omic, biosample_site, status, variants?, microbiome?, streams?}}
         * @throws PermissionException when the sample is not one the token sees (41303), or the token lacks {@code samples} (401)
         */
        public Model overview(String biosampleId) {
            return getOverview(biosampleId);
        }

        /**
         * Registers a sample for the application (the open platform's register_sample). Client-credentials tokens.
         *
         * @param registration the project, site, external id and further fields
         * @return the new sample's {@code biosample_id}
         * @throws InvalidParameterException when a field is refused, or the external id exists without {@code allowDuplicate()} (41001)
         */
        public String register(SampleRegistration registration) {
            return registerSample(registration.externalSampleId(), registration.biosampleSite(), registration.projectId(),
                    registration.duplicateEnabled(), registration.fields()).getString("biosample_id");
        }

        /**
         * Fills fields of a sample that are still empty (the open platform's improve_sample); a set field cannot change.
         *
         * @param biosampleId the sample's id ({@code E-...})
         * @param fields      sample fields by wire name
         * @throws InvalidParameterException when a field is refused or already set (41001, naming it)
         */
        public void improve(String biosampleId, Map<String, ?> fields) {
            improveSample(biosampleId, fields);
        }

        /**
         * The platform's ids of the application's samples, by the ids it registered them under.
         *
         * @param projectId     the project ({@code P-...})
         * @param biosampleSite the body site, 1 to 15
         * @param externalIds   the external ids to look up; empty for all
         * @return external id to {@code biosample_id}, in the platform's order; ids not registered are absent
         */
        public Map<String, String> externalIds(String projectId, int biosampleSite, List<String> externalIds) {
            Map<String, String> ids = new java.util.LinkedHashMap<>();
            for (Model m : getExternalIds(projectId, biosampleSite, externalIds.isEmpty() ? null : externalIds).models()) {
                ids.put(m.getString("external_sample_id"), m.getString("biosample_id"));
            }
            return java.util.Collections.unmodifiableMap(ids);
        }
    }

    /** Variant calls by rs id (the open platform's get_variants), typed. */
    public final class Variants {
        private Variants() {}

        /**
         * The calls asked for, in the order asked; an rs id without a call comes back as not assayed
         * ({@link Variant#isAssayed()} false), never dropped. Needs the {@code variants} scope.
         *
         * @param query the sample and 1 to 100 rs ids
         * @return one entry per asked id (more for a multi-allelic id), typed
         * @throws PermissionException       when the sample is not one the token sees (41303; also an unknown or malformed id)
         * @throws InvalidParameterException when an rs id is malformed or repeated (41001)
         */
        public List<Variant> get(VariantQuery query) {
            return getVariants(query.biosampleId(), query.rsids()).models().stream().map(m -> m.as(Variant.class)).toList();
        }

        /**
         * The sample's calls in regions or a BED file's regions, in the regions' order, then by position,
         * page by page as the iteration goes (the open platform client's professional_variant). The
         * platform keeps the calls that carry an rs id; by default only variant sites come back.
         *
         * @param query the sample, the regions, which sites, the page size
         * @return the calls, typed; nothing is fetched until the iteration (or {@code page()}) starts
         * @throws PermissionException       when the sample is not one the token sees (41303)
         * @throws InvalidParameterException when a region or a BED line is malformed (41001 naming {@code regions} or {@code bed})
         */
        public Paginated<Variant> region(RegionQuery query) {
            return new Paginated<>(cursor -> {
                Model page = getProfessionalVariant(query.biosampleId(), query.regions(), query.bed(), query.onlyVariantSites(), cursor, query.pageSize());
                List<Variant> items = page.getList("result").models().stream().map(m -> m.as(Variant.class)).toList();
                return Paginated.pageOfMaybeEmpty(items, page);
            }, null);
        }
    }

    /** Stream records (the open platform's get_range_stream), typed. */
    public final class Streams {
        private Streams() {}

        /**
         * Every record of the range, page by page as the iteration goes. Needs the {@code streams}
         * scope; a client-credentials token must name the sample.
         *
         * @param range the data element, sample, time window, order and page size
         * @return the records, typed; nothing is fetched until the iteration (or {@code page()}) starts
         */
        public Paginated<StreamRecord> range(StreamRange range) {
            return new Paginated<>(cursor -> {
                Model page = getRangeStream(range.dataElementId(), range.biosampleId(), range.start(), range.end(), range.sort().wire(), cursor,
                        range.pageSize());
                List<StreamRecord> items = page.getList("result").models().stream().map(StreamRecord::of).toList();
                return Paginated.pageOf(items, page);
            }, null);
        }

        /**
         * The numeric values of a data element's records by period (the open platform's
         * aggregate_omics_data): {@code stream_data.value_quantity.value}, else {@code stream_data.value}.
         *
         * @param aggregation the data element, sample, unit and window
         * @return one entry per period, oldest first
         * @throws InvalidParameterException when the window spans more than 100 periods (41001)
         */
        public AggregateResult aggregate(Aggregation aggregation) {
            return AggregateResult.of(aggregateOmicsData(aggregation.dataElementId(), aggregation.dimension().wire(), aggregation.start(),
                    aggregation.end(), aggregation.biosampleId(), aggregation.interval(), aggregation.periods()));
        }

        /**
         * Writes one record of one of the application's samples (the open platform's write_phenotype).
         * Client-credentials tokens only.
         *
         * @param biosampleId   the sample's id ({@code E-...})
         * @param dataElementId the data element
         * @param generatedAt   when it was measured (kept to the microsecond)
         * @param data          the payload: a Map, a record, or a JSON text
         * @param duplicates    what to do when the sample, element and time already have a record
         * @return the new record's {@code stream_id}
         * @throws InvalidParameterException when the record is a refused duplicate (41001 on {@code stream_generate_time})
         * @throws PermissionException       when the token is a user's (40014), or the sample is not the application's (41303)
         */
        public String write(String biosampleId, String dataElementId, java.time.OffsetDateTime generatedAt, Object data, Duplicates duplicates) {
            return writePhenotype(biosampleId, dataElementId, Times.format(generatedAt), data, duplicates == Duplicates.ALLOW).getString("stream_id");
        }
    }

    /** A metagenomics sample's abundances (the open platform's get_taxon_abundance, get_func_abundance, get_gene_abundance), typed. */
    public final class Microbiome {
        private Microbiome() {}

        /**
         * The sample's taxa at every rank, most abundant first, with the reference cohort's
         * distribution of each, page by page as the iteration goes. Needs a user token with the
         * {@code microbiome} scope.
         *
         * @param query the sample, optionally NCBI taxon ids (any rank), the page size
         * @return the taxa, typed; nothing is fetched until the iteration (or {@code page()}) starts
         * @throws PermissionException when the sample is not one the token sees (41303), or the token is not a user's (401)
         */
        public Paginated<TaxonAbundance> taxa(AbundanceQuery query) {
            return new Paginated<>(cursor -> {
                Model page = getTaxonAbundance(query.biosampleId(), query.idList(), cursor == null ? 1 : Integer.parseInt(cursor), query.pageSize());
                List<TaxonAbundance> items = page.getList("result").models().stream().map(TaxonAbundance::of).toList();
                return Paginated.pageOf(items, page);
            }, null);
        }

        /**
         * The sample's functions in one catalog, page by page as the iteration goes. Needs a user
         * token with the {@code microbiome} scope.
         *
         * @param catalog the functional catalog
         * @param query   the sample, optionally the catalog's ids, the page size
         * @return the functions, typed; nothing is fetched until the iteration (or {@code page()}) starts
         * @throws PermissionException when the sample is not one the token sees (41303), or the token is not a user's (401)
         */
        public Paginated<FunctionAbundance> functions(FunctionCatalog catalog, AbundanceQuery query) {
            Objects.requireNonNull(catalog, "catalog");
            return new Paginated<>(cursor -> {
                Model page = getFuncAbundance(query.biosampleId(), catalog.wire(), query.idList(), cursor, query.pageSize());
                List<FunctionAbundance> items = page.getList("result").models().stream().map(FunctionAbundance::of).toList();
                return Paginated.pageOf(items, page);
            }, null);
        }

        /**
         * The sample's genes in a catalog that can be listed ({@link GeneCatalog#IGC_9_9M}), page by
         * page as the iteration goes. Needs a user token with the {@code microbiome} scope.
         *
         * @param catalog the gene catalog
         * @param query   the sample, optionally gene ids, the page size
         * @return the genes, typed; nothing is fetched until the iteration (or {@code page()}) starts
         * @throws InvalidParameterException when the catalog is offered as a file only (41001 on {@code data_type}: use {@link #geneTable})
         * @throws PermissionException       when the sample is not one the token sees (41303), or the token is not a user's (401)
         */
        public Paginated<GeneAbundance> genes(GeneCatalog catalog, AbundanceQuery query) {
            Objects.requireNonNull(catalog, "catalog");
            return new Paginated<>(cursor -> {
                Model page = getGeneAbundance(query.biosampleId(), catalog.wire(), "list", query.idList(), cursor, query.pageSize());
                List<GeneAbundance> items = page.getList("result").models().stream().map(GeneAbundance::of).toList();
                return Paginated.pageOf(items, page);
            }, null);
        }

        /**
         * The sample's whole gene table in a catalog, as a signed link to a tab-separated file
         * ({@code gene_id, abundance, gene_name, annotation}); its {@code raw()} holds {@code size} and {@code sha256}.
         *
         * @param catalog     the gene catalog
         * @param biosampleId the metagenomics sample's id ({@code E-...})
         * @return the link, valid for a limited time
         * @throws PermissionException when the sample is not one the token sees (41303), or the token is not a user's (401)
         * @throws NotFoundException   when the sample has no gene table in that catalog
         */
        public FileLink geneTable(GeneCatalog catalog, String biosampleId) {
            Model page = getGeneAbundance(biosampleId, catalog.wire(), "file", null, null, null);
            List<Model> links = page.getList("result").models();
            if (links.isEmpty()) throw new IllegalStateException("the platform answered no gene table");
            return FileLink.of(links.get(0), null);
        }
    }

    /** Interpretation models (the open platform's invoke_model, deploy_model, publish, rollback, versions), typed. */
    public final class Models {
        private Models() {}

        /**
         * Runs the model's published version with {@code params} as its query. Needs the {@code models} scope.
         *
         * @param modelId the model ({@code [A-Za-z0-9_-]}, 1 to 64)
         * @param params  the model's own parameters; empty for none
         * @return what the model answered
         * @throws NotFoundException when no model of the caller's application has that id (41202)
         * @throws OmixException     when the model has no published version, failed or timed out (its code and message)
         */
        public ModelResult invoke(String modelId, Map<String, ?> params) {
            return ModelResult.of(invokeModel(modelId, params));
        }

        /**
         * Runs the model's draft (deployed, not yet published) version.
         *
         * @param modelId the model
         * @param params  the model's own parameters; empty for none
         * @return what the draft answered
         * @throws NotFoundException when no model of the caller's application has that id (41202)
         */
        public ModelResult invokeDraft(String modelId, Map<String, ?> params) {
            return ModelResult.of(invokeDraftModel(modelId, params));
        }

        /**
         * Uploads the zipped source and deploys it as the model's new draft; the deployment runs as a task.
         *
         * @param modelId    the model (created on its first deployment)
         * @param sourceFile a zip with the handler (by default {@code index.handler})
         * @param config     runtime, limits, handler and the scopes the model may use
         * @return the deployment's task, to {@link Tasks#waitFor(Task, java.time.Duration)} for
         * @throws InvalidParameterException when a setting is refused (41001, naming it)
         */
        public Task deploy(String modelId, java.nio.file.Path sourceFile, ModelConfig config) {
            return Task.of(deployModel(modelId, sourceFile, config));
        }

        /**
         * Publishes the draft as the model's stable version.
         *
         * @param modelId the model
         * @param message what this version changes
         * @return the published version's number
         * @throws OmixException when the model has no draft
         */
        public int publish(String modelId, String message) {
            Model answer = publishModel(modelId, message);
            return answer.getInt("version");
        }

        /**
         * Makes an earlier version the stable one again.
         *
         * @param modelId the model
         * @param version the version to run from now on
         * @return that version's number
         * @throws InvalidParameterException when the model has no such version (41001 on {@code version})
         */
        public int rollback(String modelId, int version) {
            return rollbackModel(modelId, version).getInt("version");
        }

        /**
         * The model's versions, newest first, page by page as the iteration goes.
         *
         * @param modelId the model
         * @return the versions; nothing is fetched until the iteration (or {@code page()}) starts
         * @throws NotFoundException when no model of the caller's application has that id (41202)
         */
        public Paginated<ModelVersion> versions(String modelId) {
            return new Paginated<>(cursor -> {
                Model page = getModelVersions(modelId, 50, cursor);
                List<ModelVersion> items = page.getList("result").models().stream().map(ModelVersion::of).toList();
                return Paginated.pageOf(items, page);
            }, null);
        }
    }

    /** Tasks the caller queued (deployments, exports), typed. */
    public final class Tasks {
        private Tasks() {}

        /**
         * The task now.
         *
         * @param taskId the task's id
         * @return where it stands, and its result once finished
         * @throws InvalidParameterException when the caller has no such task (41001 on {@code task_id})
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
        public Task waitFor(Task task, java.time.Duration timeout) {
            return Task.of(Api.this.waitFor(task.raw(), timeout));
        }
    }

    /** The platform's file store: uploads, signed links, downloads. */
    public final class Files {
        private Files() {}

        /**
         * Uploads a file under the caller's upload area (in parts, resumable; see {@link UploadOptions}).
         *
         * @param file the file; its name is kept
         * @return the stored object's name, for links and downloads
         * @throws TransportException when the file cannot be read or the transfer fails
         */
        public String upload(java.nio.file.Path file) {
            return Api.this.upload(file.getFileName().toString(), file);
        }

        /**
         * Uploads bytes as a file called {@code filename}.
         *
         * @param filename the file's name
         * @param content  its bytes
         * @return the stored object's name
         */
        public String upload(String filename, byte[] content) {
            return Api.this.upload(filename, content);
        }

        /**
         * A signed download link to one of the caller's objects, valid for 10 minutes.
         *
         * @param objectName the object's name, as an upload answered it
         * @return the link and when it expires
         * @throws NotFoundException when there is no such object the caller may read (42007)
         */
        public FileLink link(String objectName) {
            return FileLink.of(getDownloadUrl(objectName), objectName);
        }

        /**
         * Downloads one of the caller's objects to {@code target} (resuming where a partial copy ends).
         *
         * @param objectName the object's name
         * @param target     where to write it
         * @return the bytes written
         * @throws NotFoundException when there is no such object the caller may read (42007)
         */
        public long download(String objectName, java.nio.file.Path target) {
            return Api.this.download(objectName, target);
        }

        /**
         * Deletes one of the caller's objects: its name is free, its links answer that it is gone, and it no longer counts
         * against the caller's quota.
         *
         * @param objectName the object's name
         * @throws NotFoundException when there is no such object of the caller's (42007)
         */
        public void delete(String objectName) {
            deleteObject(objectName);
        }

        /**
         * Credentials for the file store, for tools other than this SDK (the SDK's uploads fetch their own).
         *
         * @return the credentials and where they may write
         */
        public UploadCredentials credentials() {
            return UploadCredentials.of(getUploadToken());
        }
    }

    /**
     * This client application's webhook endpoints ({@code /webhooks}): events such as
     * {@code task.finished}, {@code model.deployed}, {@code grant.revoked}, {@code user.erased} and {@code sample.erased}
     * (docs/api.md). Needs a client-credentials token.
     *
     * @return the endpoint calls of this application
     */
    public WebhookEndpoints webhooks() {
        return new WebhookEndpoints("/webhooks", false, r -> Answers.model(call(r)));
    }

    /**
     * One page of a sample's calls by region (the open platform client's professional_variant); typed:
     * {@code api.variants().region(RegionQuery)}. Regions or a BED file's text, exactly one of them.
     *
     * @param biosampleId      the genomics sample's id ({@code E-...})
     * @param regions          {@code chromosome:start-end} (1-based, both ends included), at most 1,000; or null
     * @param bed              a BED file's text (sent in the body), or null
     * @param onlyVariantSites true to leave out homozygous reference calls and no-calls
     * @param nextPage         the {@code next_page} of the page before, or null for the first
     * @param limit            1 to 1000, or null for 100
     * @return {@code {result: [variant records as get_variants answers them], count, next_page}}
     * @throws PermissionException       when the sample is not one the token sees (41303)
     * @throws InvalidParameterException when a region or BED line is malformed, or both or neither are given (41001)
     */
    public Model getProfessionalVariant(String biosampleId, List<String> regions, String bed, boolean onlyVariantSites, String nextPage,
                                        Integer limit) {
        ApiRequest r = bed != null
                ? ApiRequest.post("/variants/region").form("biosample_id", upper(biosampleId)).form("regions", regions).form("bed", bed)
                        .form("only_variant_sites", onlyVariantSites).form("next_page", nextPage).form("limit", limit)
                : ApiRequest.get("/variants/region").query("biosample_id", upper(biosampleId)).query("regions", regions)
                        .query("only_variant_sites", onlyVariantSites).query("next_page", nextPage).query("limit", limit);
        return Answers.model(call(r));
    }

    /**
     * One sample's data at a glance (the open platform client's get_overview); also {@code api.samples().overview(id)}.
     *
     * @param biosampleId the sample's id ({@code E-...})
     * @return {@code {biosample_id, omic, biosample_site, status, variants?, microbiome?, streams?}}
     * @throws PermissionException when the sample is not one the token sees (41303)
     */
    public Model getOverview(String biosampleId) {
        return Answers.model(call(ApiRequest.get("/overview").query("biosample_id", upper(biosampleId))));
    }

    /**
     * One page of the caller's samples (the open platform's get_samples). Needs the {@code samples} scope.
     *
     * @param query the filters ({@code biosample_ids}, sites, omics, projects, organisms, statuses...) and paging
     * @return {@code {result, count, next_page}}; {@code next_page} is null on the last page
     * @throws InvalidParameterException when a parameter is refused (41001; {@code parameterErrors()} names each)
     */
    public Model getSamples(SampleQuery query) {
        return Answers.model(call(query.apply(ApiRequest.get("/samples"))));
    }

    /**
     * The applications the signed-in person authorized: {@code {grants: [{client_id, client_name, scope,
     * granted_at, updated_at, last_used_at}]}}. Needs a user token with the {@code grants} scope
     * (first-party tools only: an operator allows it per client).
     *
     * @return the grants, most recent first; {@code last_used_at} null when the application never called
     * @throws PermissionException when the token lacks the {@code grants} scope (401)
     */
    public Model getGrants() {
        return Answers.model(call(ApiRequest.get("/user/grants")));
    }

    /**
     * Takes back what the person allowed application {@code clientId}: its consent and every access
     * token, refresh token and upload credential it holds for them stop at once. Answers
     * {@code {client_id, revoked: true}}. Needs a user token with the {@code grants} scope.
     *
     * @param clientId the application's client id, as {@link #getGrants()} lists it
     * @return {@code {client_id, revoked: true}}
     * @throws InvalidParameterException when there was no such grant (41001 naming {@code client_id})
     * @throws PermissionException       when the token lacks the {@code grants} scope (401)
     */
    public Model revokeGrant(String clientId) {
        return Answers.model(call(ApiRequest.of("DELETE", "/user/grants/" + io.omix.sdk.internal.PathSegment.of("client_id", clientId))));
    }

    /**
     * Whether the signed-in person keeps their samples out of the Beacon's answers to others:
     * {@code {beacon_opt_out}}. Needs the person's own tool (scope {@code grants}).
     *
     * @return {@code {beacon_opt_out: true|false}}
     * @throws PermissionException when the token lacks the {@code grants} scope (401)
     */
    public Model getBeaconChoice() {
        return Answers.model(call(ApiRequest.get("/user/beacon")));
    }

    /**
     * Keeps the signed-in person's samples out of the Beacon's answers to anyone else ({@code true}),
     * whatever projects an operator publishes, or lets published projects include them again
     * ({@code false}). Their own answers cover them either way. Needs the person's own tool (scope
     * {@code grants}).
     *
     * @param optOut true to keep the person's samples out
     * @return {@code {beacon_opt_out}} as it now stands
     * @throws PermissionException when the token lacks the {@code grants} scope (401)
     */
    public Model setBeaconChoice(boolean optOut) {
        return Answers.model(call(ApiRequest.post("/user/beacon").form("opt_out", optOut)));
    }

    /**
     * Erases one of the signed-in person's samples and everything derived from it (variant calls,
     * microbiome profiles, stream records, data items): {@code {biosample_id, erased: true}}. Needs
     * the person's own tool (scope {@code grants}). Cannot be undone.
     *
     * @param biosampleId the sample's id ({@code E-...})
     * @return {@code {biosample_id, erased: true}}
     * @throws PermissionException when the sample is not bound to the person (41303), or the token
     *                             lacks the {@code grants} scope (401)
     */
    public Model deleteSample(String biosampleId) {
        return Answers.model(call(ApiRequest.of("DELETE", "/samples/" + io.omix.sdk.internal.PathSegment.of("biosample_id", upper(biosampleId)))));
    }

    /**
     * Erases the signed-in person's account and all their data: samples (and everything derived),
     * files, grants, tokens. Answers {@code {user_id, erased: true, samples, files}}; this token stops
     * working. Needs the person's own tool (scope {@code grants}). Cannot be undone.
     *
     * @return {@code {user_id, erased: true, samples, files}}
     * @throws PermissionException when the token lacks the {@code grants} scope (401)
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
     *
     * @return the task {@code {task_id, progress, result, completed, task_url}}: {@link #waitFor(Model, Duration)} it
     * @throws PermissionException when the token lacks the {@code grants} scope (401)
     */
    public Model requestExport() {
        return Answers.model(call(ApiRequest.post("/user/export")));
    }

    /**
     * {@link #requestExport}, waits for it (at most {@code timeout}) and downloads the archive into
     * {@code target}, checking it (via {@code target.part}, which a later call continues).
     *
     * @param target  the zip file to write, replaced when it exists
     * @param timeout how long to wait for the export to be built
     * @return the finished task; its {@code result} is {@code {object_name, size, sha256, url, expires, samples, files, entries}}
     * @throws TransportException          when the export failed, was not built within {@code timeout},
     *                                     or the download failed or was corrupt
     * @throws PermissionException         when the token lacks the {@code grants} scope (401)
     * @throws java.io.UncheckedIOException when {@code target} cannot be written
     */
    public Model exportData(java.nio.file.Path target, java.time.Duration timeout) {
        return exportData(target, timeout, TransferListener.NONE);
    }

    /**
     * As {@link #exportData(java.nio.file.Path, java.time.Duration)}, telling {@code listener} how the download goes.
     *
     * @param target   the zip file to write, replaced when it exists
     * @param timeout  how long to wait for the export to be built
     * @param listener told of the download's progress, from the transfer threads
     * @return the finished task, with the archive's {@code result}
     * @throws TransportException          when the export failed, was not built within {@code timeout},
     *                                     or the download failed or was corrupt
     * @throws PermissionException         when the token lacks the {@code grants} scope (401)
     * @throws java.io.UncheckedIOException when {@code target} cannot be written
     */
    public Model exportData(java.nio.file.Path target, java.time.Duration timeout, TransferListener listener) {
        Model done = waitFor(requestExport(), timeout);
        Model result = done.getModel("result");
        if (!"SUCCESS".equals(done.getString("progress")) || result == null || result.getString("url") == null) {
            throw new TransportException("the export failed: " + (result == null ? done.dumps() : result.getString("error")));
        }
        transfers().download(result.getString("object_name"), () -> result.getString("url"), target, listener);
        return done;
    }

    /**
     * Every sample matching {@code query}, fetched page by page as the iteration goes (the untyped
     * form of {@code samples().list(query)}).
     *
     * @param query the filters and paging ({@code limit} is the page size)
     * @return the samples as {@link Model}s, lazily; a failed fetch throws {@link OmixException} from the iterator
     */
    public Iterable<Model> samples(SampleQuery query) {
        return new Paged(next -> getSamples(next == null ? query : query.withPage(((Number) next).intValue())));
    }

    /**
     * One sample (the open platform's get_sample). Needs the {@code samples} scope. Typed: {@code .as(Sample.class)}.
     *
     * @param biosampleId the sample's id ({@code E-...})
     * @return the sample, coded values as {@code {code, display}}
     * @throws PermissionException       when the sample is not one the token sees (41303; also an unknown or malformed id)
     */
    public Model getSample(String biosampleId) {
        return Answers.model(call(ApiRequest.get("/samples/" + io.omix.sdk.internal.PathSegment.of("biosample_id", upper(biosampleId)))));
    }

    /**
     * Registers a sample (the open platform's register_sample), bound to the token's person or
     * application. Needs the {@code samples} scope.
     *
     * @param externalSampleId the caller's own id of the sample, unique within the project and site
     * @param biosampleSite    the body site, 1 to 15 (1 oral, 10 feces, 11 blood, ...)
     * @param projectId        the project ({@code P-...})
     * @return {@code {biosample_id}}
     * @throws InvalidParameterException when a parameter is refused (41001; {@code parameterErrors()} names each)
     */
    public Model registerSample(String externalSampleId, int biosampleSite, String projectId) {
        return registerSample(externalSampleId, biosampleSite, projectId, false, java.util.Map.of());
    }

    /**
     * Registers a sample with any further sample fields (e.g. {@code depth}, {@code library_id},
     * {@code organism}, {@code sample_collection_time}).
     *
     * @param externalSampleId the caller's own id of the sample
     * @param biosampleSite    the body site, 1 to 15
     * @param projectId        the project ({@code P-...})
     * @param duplicateEnabled register even when the external id exists in the project and site
     * @param fields           further sample fields by name; empty for none
     * @return {@code {biosample_id}}
     * @throws InvalidParameterException when a parameter is refused (41001; {@code parameterErrors()} names each)
     */
    public Model registerSample(String externalSampleId, int biosampleSite, String projectId, boolean duplicateEnabled,
                                java.util.Map<String, ?> fields) {
        ApiRequest r = ApiRequest.post("/samples/register").form("external_sample_id", externalSampleId)
                .form("biosample_site", biosampleSite).form("project_id", upper(projectId)).form("duplicate_enabled", duplicateEnabled);
        fields.forEach(r::form);
        return Answers.model(call(r));
    }

    /**
     * Fills sample fields still empty (the open platform's improve_sample). A set field cannot change:
     * giving it another value refuses the whole request.
     *
     * @param biosampleId the sample's id ({@code E-...})
     * @param fields      sample fields by name
     * @return {@code {biosample_id, <fields given>}}
     * @throws InvalidParameterException when a field is refused or already set to another value (41001 names it)
     * @throws PermissionException       when the sample is not one the token sees (41303; also an unknown or malformed id)
     */
    public Model improveSample(String biosampleId, java.util.Map<String, ?> fields) {
        ApiRequest r = ApiRequest.post("/samples/improve").form("biosample_id", upper(biosampleId));
        fields.forEach(r::form);
        return Answers.model(call(r));
    }

    /**
     * The caller's samples of a project and site by external id. Needs the {@code samples} scope.
     *
     * @param projectId     the project ({@code P-...})
     * @param biosampleSite the body site, 1 to 15
     * @param externalIds   the external ids to look up, or null for all
     * @return a list of {@code {external_sample_id, biosample_id}}
     * @throws InvalidParameterException when a parameter is refused (41001; {@code parameterErrors()} names each)
     */
    public ListModel getExternalIds(String projectId, int biosampleSite, java.util.List<String> externalIds) {
        return Answers.list(call(ApiRequest.get("/samples/external_ids").query("project_id", upper(projectId))
                .query("biosample_site", biosampleSite).query("external_ids", externalIds)));
    }

    /**
     * The sample's calls for 1 to 100 rs ids (the open platform's get_variants), in the order asked; ids without
     * a call come back as not assayed. Typed: {@code .as(Variant.class)}.
     *
     * @param biosampleId the sample's id ({@code E-...})
     * @param rsids       1 to 100 distinct rs ids, comma-separated, e.g. {@code "rs762551,rs333"}
     * @return one entry per asked id: {@code {is_assayed, is_genotyped, is_no_call, variant, alternate_id, variant_id, source}}
     * @throws PermissionException       when the sample is not one the token sees (41303; also an unknown or malformed id)
     * @throws InvalidParameterException when an rs id is malformed or repeated, or there are more than 100 (41001)
     * @throws PermissionException       when the token lacks the {@code variants} scope (401)
     */
    public ListModel getVariants(String biosampleId, String rsids) {
        return Answers.list(call(ApiRequest.get("/variants").query("biosample_id", upper(biosampleId)).query("rsids", rsids)));
    }

    /**
     * As {@link #getVariants(String, String)}, with the rs ids as a list.
     *
     * @param biosampleId the sample's id ({@code E-...})
     * @param rsids       1 to 100 distinct rs ids
     * @return one entry per asked id, in the order asked
     * @throws PermissionException       when the sample is not one the token sees (41303; also an unknown or malformed id)
     * @throws InvalidParameterException when an rs id is malformed or repeated, or there are more than 100 (41001)
     */
    public ListModel getVariants(String biosampleId, java.util.List<String> rsids) {
        return getVariants(biosampleId, String.join(",", rsids));
    }

    /**
     * Taxon abundances of a metagenomics sample with each taxon's background in the reference cohort
     * (the open platform's get_taxon_abundance): {@code result} (most abundant first), {@code next_page}, {@code limit}, {@code count}.
     *
     * Needs a user token with the {@code microbiome} scope.
     *
     * @param biosampleId the metagenomics sample's id ({@code E-...})
     * @param taxonIds    comma-separated taxon ids, or null for all
     * @param page        from 1, or null
     * @param limit       1 to 100, or null for 50
     * @return each taxon's {@code taxonomy}, {@code observation} and {@code background} (quantiles over the cohort,
     *         {@code rank_ratio}) in {@code result}, with the paging fields beside it
     * @throws PermissionException       when the sample is not one the token sees (41303; also an unknown or malformed id)
     * @throws PermissionException       when the token is a client-credentials one or lacks the scope (401)
     */
    public Model getTaxonAbundance(String biosampleId, String taxonIds, Integer page, Integer limit) {
        return Answers.paginated(call(ApiRequest.get("/microbiome/taxon_abundance").query("biosample_id", upper(biosampleId))
                .query("taxon_id", taxonIds).query("page", page).query("limit", limit)));
    }

    /**
     * The first 50 taxon abundances of a metagenomics sample, most abundant first.
     *
     * @param biosampleId the metagenomics sample's id ({@code E-...})
     * @return {@code result}, {@code next_page}, {@code limit}, {@code count}
     * @throws PermissionException       when the sample is not one the token sees (41303; also an unknown or malformed id)
     */
    public Model getTaxonAbundance(String biosampleId) {
        return getTaxonAbundance(biosampleId, null, null, null);
    }

    /**
     * Every taxon abundance of the sample, 100 a page as the iteration goes, most abundant first.
     *
     * @param biosampleId the metagenomics sample's id ({@code E-...})
     * @return the taxa, lazily; a failed fetch throws {@link OmixException} from the iterator
     */
    public Iterable<Model> taxonAbundances(String biosampleId) {
        return new Paged(next -> getTaxonAbundance(biosampleId, null, next == null ? 1 : ((Number) next).intValue(), 100));
    }

    /**
     * Functional abundances of one catalog (the open platform's get_func_abundance): {@code result}, {@code count},
     * {@code next_page} (an opaque token), {@code limit}.
     *
     * Needs a user token with the {@code microbiome} scope.
     *
     * @param biosampleId the metagenomics sample's id ({@code E-...})
     * @param catalog     go, ko, eggnog, pfam, kegg-pwy, kegg-mdl, level4ec, metacyc-rxn or metacyc-pwy
     * @param ids         comma-separated function ids, or null for all
     * @param nextPage    the {@code next_page} of the previous page, or null for the first
     * @param limit       1 to 1000, or null for 50
     * @return {@code {result, count, next_page, limit}}
     * @throws PermissionException       when the sample is not one the token sees (41303; also an unknown or malformed id)
     * @throws InvalidParameterException when the catalog or a token the server did not hand out is refused (41001)
     * @throws PermissionException       when the token is a client-credentials one or lacks the scope (401)
     */
    public Model getFuncAbundance(String biosampleId, String catalog, String ids, String nextPage, Integer limit) {
        return Answers.model(call(ApiRequest.get("/microbiome/func_abundance").query("biosample_id", upper(biosampleId))
                .query("catalog", catalog).query("ids", ids).query("next_page", nextPage).query("limit", limit)));
    }

    /**
     * The first 50 functional abundances of one catalog.
     *
     * @param biosampleId the metagenomics sample's id ({@code E-...})
     * @param catalog     go, ko, eggnog, pfam, kegg-pwy, kegg-mdl, level4ec, metacyc-rxn or metacyc-pwy
     * @return {@code {result, count, next_page, limit}}
     * @throws PermissionException       when the sample is not one the token sees (41303; also an unknown or malformed id)
     */
    public Model getFuncAbundance(String biosampleId, String catalog) {
        return getFuncAbundance(biosampleId, catalog, null, null, null);
    }

    /**
     * Every functional abundance of one catalog, 1,000 a page as the iteration goes.
     *
     * @param biosampleId the metagenomics sample's id ({@code E-...})
     * @param catalog     go, ko, eggnog, pfam, kegg-pwy, kegg-mdl, level4ec, metacyc-rxn or metacyc-pwy
     * @return the rows, lazily; a failed fetch throws {@link OmixException} from the iterator
     */
    public Iterable<Model> funcAbundances(String biosampleId, String catalog) {
        return new Paged(next -> getFuncAbundance(biosampleId, catalog, null, (String) next, 1000));
    }

    /**
     * One page of gene abundances of one catalog (the open platform's get_gene_abundance). Needs a user
     * token with the {@code microbiome} scope.
     *
     * @param biosampleId the metagenomics sample's id ({@code E-...})
     * @param catalog     IGC_9.9M or UniRef90_HUMAnN2_0.11
     * @param dataType    list (file comes with the file service: 41001 until then)
     * @param ids         comma-separated gene ids, or null for all
     * @param nextPage    the {@code next_page} of the previous page, or null for the first
     * @param limit       1 to 1000, or null for the default
     * @return {@code {result, count, next_page, limit}}, each gene with its annotation
     * @throws PermissionException       when the sample is not one the token sees (41303; also an unknown or malformed id)
     * @throws InvalidParameterException when the catalog, data type or a paging token is refused (41001)
     * @throws PermissionException       when the token is a client-credentials one or lacks the scope (401)
     */
    public Model getGeneAbundance(String biosampleId, String catalog, String dataType, String ids, String nextPage, Integer limit) {
        return Answers.model(call(ApiRequest.get("/microbiome/gene_abundance").query("biosample_id", upper(biosampleId))
                .query("catalog", catalog).query("data_type", dataType).query("ids", ids).query("next_page", nextPage).query("limit", limit)));
    }

    /**
     * The first page of gene abundances of one catalog.
     *
     * @param biosampleId the metagenomics sample's id ({@code E-...})
     * @param catalog     IGC_9.9M or UniRef90_HUMAnN2_0.11
     * @param dataType    list
     * @return {@code {result, count, next_page, limit}}
     * @throws PermissionException       when the sample is not one the token sees (41303; also an unknown or malformed id)
     */
    public Model getGeneAbundance(String biosampleId, String catalog, String dataType) {
        return getGeneAbundance(biosampleId, catalog, dataType, null, null, null);
    }

    /**
     * Every gene abundance of one catalog (data type list), 1,000 a page as the iteration goes.
     *
     * @param biosampleId the metagenomics sample's id ({@code E-...})
     * @param catalog     IGC_9.9M or UniRef90_HUMAnN2_0.11
     * @return the genes, lazily; a failed fetch throws {@link OmixException} from the iterator
     */
    public Iterable<Model> geneAbundances(String biosampleId, String catalog) {
        return new Paged(next -> getGeneAbundance(biosampleId, catalog, "list", null, (String) next, 1000));
    }

    /**
     * One page of records of a data element in a closed time interval (the open platform's
     * get_range_stream). Needs the {@code streams} scope; reads the open platform's records only.
     *
     * @param dataElementId the data element
     * @param biosampleId   the sample (required for client-credentials tokens; a user token without it reads all its samples)
     * @param startTime     the earliest time, included (any form the platform reads), or null
     * @param endTime       the latest time, included, or null
     * @param sortDirection asc or desc (null: desc)
     * @param nextPage      the {@code next_page} of the previous page, or null for the first
     * @param limit         1 to 100, or null for the default
     * @return {@code {result, count, next_page}}; {@code next_page} an opaque token
     * @throws InvalidParameterException when a parameter is refused (41001; {@code parameterErrors()} names each)
     * @throws PermissionException       when the sample is not one the token sees (41303; also an unknown or malformed id)
     */
    public Model getRangeStream(String dataElementId, String biosampleId, String startTime, String endTime, String sortDirection,
                                String nextPage, Integer limit) {
        return Answers.model(call(ApiRequest.get("/stream/range").query("data_element_id", dataElementId)
                .query("biosample_id", upper(biosampleId)).query("start_time", startTime).query("end_time", endTime)
                .query("sort_direction", sortDirection).query("next_page", nextPage).query("limit", limit)));
    }

    /**
     * The first page of a data element's records of a sample, newest first.
     *
     * @param dataElementId the data element
     * @param biosampleId   the sample, or null for all the person's samples (user tokens only)
     * @return {@code {result, count, next_page}}
     * @throws PermissionException       when the sample is not one the token sees (41303; also an unknown or malformed id)
     */
    public Model getRangeStream(String dataElementId, String biosampleId) {
        return getRangeStream(dataElementId, biosampleId, null, null, null, null, null);
    }

    /**
     * Every record of the range, 100 a page as the iteration goes (the untyped form of {@code streams().range(...)}).
     *
     * @param dataElementId the data element
     * @param biosampleId   the sample (required for client-credentials tokens)
     * @param startTime     the earliest time, included, or null
     * @param endTime       the latest time, included, or null
     * @param sortDirection asc or desc (null: desc)
     * @return the records, lazily; a failed fetch throws {@link OmixException} from the iterator
     */
    public Iterable<Model> rangeStreams(String dataElementId, String biosampleId, String startTime, String endTime, String sortDirection) {
        return new Paged(next -> getRangeStream(dataElementId, biosampleId, startTime, endTime, sortDirection, (String) next, 100));
    }

    /**
     * Writes a phenotype record for a sample in the open platform's namespace (the open platform's
     * write_phenotype). Needs a client-credentials token with the {@code streams} scope.
     *
     * @param biosampleId        the sample's id ({@code E-...})
     * @param dataElementId      the data element (what was measured)
     * @param streamGenerateTime when: {@code 1986}, {@code 1970-01}, {@code 2021-04-01}, {@code 2021-04-01 10:11:00.123456} or ISO with offset
     * @param streamData         any JSON: a JSON text, or an object Jackson can write (a Map, a record)
     * @param duplicateEnabled   keep the record even when its sample, data element and time already have one
     * @return {@code {stream_id}}
     * @throws PermissionException       when the token is a user (authorization-code) token (40014), or
     *                                   the sample is not the application's (41303)
     * @throws InvalidParameterException when a parameter is refused, or the record is a duplicate without
     *                                   {@code duplicateEnabled} (41001 on {@code stream_generate_time})
     * @throws IllegalArgumentException  when {@code streamData} cannot be written as JSON
     */
    public Model writePhenotype(String biosampleId, String dataElementId, String streamGenerateTime, Object streamData,
                                boolean duplicateEnabled) {
        return Answers.model(call(ApiRequest.post("/datamall/phenotype/write").form("biosample_id", upper(biosampleId))
                .form("data_element_id", dataElementId).form("stream_generate_time", streamGenerateTime)
                .form("stream_data", jsonText(streamData)).form("duplicate_enabled", duplicateEnabled)));
    }

    /**
     * The numeric value of a data element's records, by calendar period (the open platform's
     * aggregate_omics_data): {@code stream_data.value_quantity.value}, else {@code stream_data.value}.
     * Needs the {@code streams} scope.
     *
     * @param dataElementId the data element
     * @param timeDimension year, quarter, month, week, day, hour, minute or second
     * @param startTime     the first bucket is the period holding this time
     * @param endTime       the last time counted, or null when {@code periods} is given
     * @param biosampleId   the sample (required for client-credentials tokens)
     * @param interval      units of {@code timeDimension} per bucket, 1 to 1000, or null for 1
     * @param periods       1 to 100, or null to reach {@code endTime}
     * @return {@code {time_dimension, interval, periods: [{start_time, end_time, count, sum, mean, min, max}], skipped_without_value}}
     * @throws InvalidParameterException when a parameter is refused, or more than 100 buckets would be needed (41001)
     * @throws PermissionException       when the sample is not one the token sees (41303; also an unknown or malformed id)
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
     * {@code {result, count, next_page}}. Needs the {@code samples} scope; only committed items are read.
     *
     * @param namespace      the private app's namespace the items were imported in
     * @param biosampleId    a sample the caller sees, or null
     * @param collectionId   the batch number, or null
     * @param dataElementIds at most 100 data elements, or null for all
     * @param nextPage       the {@code next_page} of the previous page, or null for the first
     * @return {@code {result: [{data_item_id, data_element_id, biosample_id, namespace, collection_id, attributes, create_time}], count, next_page}}
     * @throws InvalidParameterException when a parameter is refused (41001; {@code parameterErrors()} names each)
     * @throws PermissionException       when the sample is not one the token sees (41303; also an unknown or malformed id)
     */
    public Model getDataItems(String namespace, String biosampleId, Long collectionId, java.util.List<String> dataElementIds, String nextPage) {
        return Answers.model(call(ApiRequest.get("/data_item/batch_retrieve").query("namespace", namespace)
                .query("biosample_id", upper(biosampleId)).query("collection_id", collectionId).query("data_element_ids", dataElementIds)
                .query("next_page", nextPage)));
    }

    /**
     * Every committed data item matching, page by page as the iteration goes.
     *
     * @param namespace      the private app's namespace the items were imported in
     * @param biosampleId    a sample the caller sees, or null
     * @param collectionId   the batch number, or null
     * @param dataElementIds at most 100 data elements, or null for all
     * @return the items, lazily; a failed fetch throws {@link OmixException} from the iterator
     */
    public Iterable<Model> dataItems(String namespace, String biosampleId, Long collectionId, java.util.List<String> dataElementIds) {
        return new Paged(next -> getDataItems(namespace, biosampleId, collectionId, dataElementIds, (String) next));
    }

    /**
     * A task this client queued (a deployment, an export), as it is now.
     *
     * @param taskId the task's id, from the answer that queued it
     * @return {@code {task_id, progress (PENDING, STARTED, SUCCESS, FAILURE, REVOKED), result, completed, task_url}};
     *         {@code result} is {@code {error, details}} on failure
     * @throws InvalidParameterException when the task is unknown or another caller's (41001 on {@code task_id})
     */
    public Model task(String taskId) {
        return Answers.model(call(ApiRequest.get("/task/" + io.omix.sdk.internal.PathSegment.of("task_id", taskId))));
    }

    /**
     * Waits until a task has finished, as {@link #waitFor(Model, java.time.Duration)} does, without blocking
     * the caller (on this client's threads).
     *
     * @param task    a task answer ({@code {task_id, ...}})
     * @param timeout how long to wait at most
     * @return a future of the task's final view; it completes exceptionally with what {@code waitFor} throws
     */
    public java.util.concurrent.CompletableFuture<Model> waitForAsync(Model task, java.time.Duration timeout) {
        return transport.async(() -> waitFor(task, timeout));
    }

    /**
     * Waits until a task has finished, polling it (50 ms, doubling to 1 s). A failed task is returned, not thrown.
     *
     * @param task    a task answer ({@code {task_id, ...}}), e.g. of {@link #requestExport()} or a deployment
     * @param timeout how long to wait at most
     * @return the task's final view: {@code progress} SUCCESS, FAILURE ({@code result.error} says why) or REVOKED
     * @throws TransportException       when the task has not finished within {@code timeout}, or the thread is interrupted
     * @throws IllegalArgumentException when {@code task} has no {@code task_id}
     */
    public Model waitFor(Model task, java.time.Duration timeout) {
        return TaskWait.waitFor(this::task, task, timeout);
    }

    /**
     * Invokes a model's published version (the open platform's invoke_model) with its own parameters; the
     * model's answer {@code {model_code, model_msg, model_data}}. Retried as every write is, under one
     * {@code Idempotency-Key}, so that the model runs once; give the client a {@code timeout} longer than the
     * model's, or each attempt waits for the first one's answer (a 409 until the model is done).
     * Needs the {@code models} scope.
     *
     * @param modelId the model's id (1 to 64 letters, digits, {@code _} or {@code -})
     * @param params  the model's own query parameters (at most 50), or null for none
     * @return {@code {model_code, model_msg, model_data}}
     * @throws IllegalArgumentException when {@code modelId} is malformed (nothing is sent)
     * @throws NotFoundException        when there is no such model (41202; also another application's)
     * @throws ApiException             when the model has no published version (41210), failed (41211:
     *                                  {@code dataModel().getString("stderr")}), timed out (41212), ran out of
     *                                  memory (41213), wrote too much (41214), or the server cannot run models (41217)
     */
    public Model invokeModel(String modelId, java.util.Map<String, ?> params) {
        return Answers.model(call(withParams(ApiRequest.get("/model/" + modelId(modelId)).withSideEffects(), params)));
    }

    /**
     * Invokes a model's newest deployed (draft) version, to try it before publishing; the owner only.
     *
     * @param modelId the model's id (1 to 64 letters, digits, {@code _} or {@code -})
     * @param params  the model's own query parameters, or null for none
     * @return {@code {model_code, model_msg, model_data}}
     * @throws IllegalArgumentException when {@code modelId} is malformed (nothing is sent)
     * @throws NotFoundException        when there is no such model of this application (41202)
     * @throws ApiException             when there is no draft (41210) or the model failed (41211 to 41217)
     */
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
     * its deployment as a new draft version. {@link #waitFor} it, or use the overload that waits.
     * Needs the {@code models} scope and the {@code files} scope for the upload.
     *
     * @param modelId    the model's id (1 to 64 letters, digits, {@code _} or {@code -}); a new id makes a new model
     * @param sourceFile the zip: {@code index.py} with {@code handler(event, context)}, or classes or jars for {@code java}
     * @param config     handler, runtime, memory, timeout, comment and the scopes its invocations may use
     * @return the task {@code {task_id, progress, result, completed, task_url}}; its result {@code {model_id, version}}
     * @throws IllegalArgumentException when {@code modelId} is malformed (nothing is sent)
     * @throws NotFoundException        when the id names another application's model (41202)
     * @throws InvalidParameterException when a parameter is refused (41001; {@code parameterErrors()} names each)
     */
    public Model deployModel(String modelId, java.nio.file.Path sourceFile, ModelConfig config) {
        String objectName = upload(modelId(modelId) + "-" + System.currentTimeMillis() + ".zip", sourceFile);
        return Answers.model(call(config.apply(ApiRequest.post("/model/deploy").form("model_id", modelId).form("object_name", objectName))));
    }

    /**
     * Deploys a model with the default configuration ({@code index.handler}, {@code python3}, 128 MB).
     *
     * @param modelId    the model's id (1 to 64 letters, digits, {@code _} or {@code -})
     * @param sourceFile the zip of the code
     * @return the task of the deployment: {@link #waitFor} it
     * @throws IllegalArgumentException when {@code modelId} is malformed (nothing is sent)
     * @throws NotFoundException        when the id names another application's model (41202)
     */
    public Model deployModel(String modelId, java.nio.file.Path sourceFile) {
        return deployModel(modelId, sourceFile, ModelConfig.defaults());
    }

    /**
     * Deploys and waits: uploads the zip, queues the deployment and waits for its task.
     *
     * @param modelId    the model's id (1 to 64 letters, digits, {@code _} or {@code -})
     * @param sourceFile the zip of the code
     * @param config     handler, runtime, memory, timeout, comment and scopes
     * @param timeout    how long to wait for the deployment
     * @return the deployment's result {@code {model_id, version}}, as the open platform shows it
     * @throws OmixException when the deployment failed (a {@link TransportException} with its reason in the
     *                       message) or took longer than {@code timeout}
     * @throws IllegalArgumentException when {@code modelId} is malformed (nothing is sent)
     */
    public Model deployModel(String modelId, java.nio.file.Path sourceFile, ModelConfig config, java.time.Duration timeout) {
        Model done = waitFor(deployModel(modelId, sourceFile, config), timeout);
        if (!"SUCCESS".equals(done.getString("progress"))) {
            throw new TransportException("deployment of model " + modelId + " ended " + done.getString("progress") + ": " + done.get("result"));
        }
        return done.getModel("result");
    }

    /**
     * Makes the draft the stable version, the one {@link #invokeModel} runs; the owner only.
     *
     * @param modelId the model's id
     * @param message what this release is, kept with the version
     * @return {@code {version}}: the version now stable
     * @throws IllegalArgumentException when {@code modelId} is malformed (nothing is sent)
     * @throws NotFoundException        when there is no such model of this application (41202)
     * @throws ApiException             when the model has no draft to publish (41210)
     */
    public Model publishModel(String modelId, String message) {
        return Answers.model(call(ApiRequest.post("/model/publish").form("model_id", modelId(modelId)).form("message", message)));
    }

    /**
     * Makes an earlier source version stable again (the open platform's rollback_model); the
     * configuration (handler, memory, timeout) stays. The owner only.
     *
     * @param modelId the model's id
     * @param version the version to make stable, from {@link #modelVersions(String)}
     * @return {@code {version}}
     * @throws IllegalArgumentException  when {@code modelId} is malformed (nothing is sent)
     * @throws NotFoundException         when there is no such model of this application (41202)
     * @throws InvalidParameterException when there is no such version (41001)
     */
    public Model rollbackModel(String modelId, int version) {
        return Answers.model(call(ApiRequest.post("/model/rollback").form("model_id", modelId(modelId)).form("version", version)));
    }

    /**
     * One page of a model's versions, newest first; the owner only.
     *
     * @param modelId  the model's id
     * @param limit    1 to 100, or null for 10
     * @param nextPage the {@code next_page} of the previous page, or null for the first
     * @return {@code {result: [{version, comment, message, created_at, published_at, stable, draft}], count, next_page}}
     * @throws IllegalArgumentException when {@code modelId} is malformed (nothing is sent)
     * @throws NotFoundException        when there is no such model of this application (41202)
     */
    public Model getModelVersions(String modelId, Integer limit, String nextPage) {
        return Answers.model(call(ApiRequest.get("/model/" + modelId(modelId) + "/versions").query("limit", limit).query("next_page", nextPage)));
    }

    /**
     * Every version of a model, newest first, 100 a page as the iteration goes.
     *
     * @param modelId the model's id
     * @return the versions, lazily; a failed fetch throws {@link OmixException} from the iterator
     */
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

    /**
     * Upload credentials (the open platform's get_upload_token): {@code {credentials: {access_key_id, access_key_secret,
     * security_token, expiration}, destination, bucket, endpoint, base_uri, region_id}}. Objects may be
     * written directly under {@code destination} until {@code expiration}; {@link #upload} uses them for you.
     * Needs the {@code files} scope.
     *
     * @return the credentials and where they may write; the secret is to be kept like a password
     */
    public Model getUploadToken() {
        return Answers.model(call(ApiRequest.post("/sts/token")));
    }

    /**
     * Revokes upload credentials at once, before they expire. Needs the {@code files} scope.
     *
     * @param accessKeyId the credentials' {@code access_key_id}, one of the caller's own
     * @return {@code {access_key_id, revoked}}
     * @throws InvalidParameterException when the credentials are not the caller's (41001)
     */
    public Model revokeUploadToken(String accessKeyId) {
        return Answers.model(call(ApiRequest.post("/sts/revoke").form("access_key_id", accessKeyId)));
    }

    FileTransfer transfers() {
        if (owner != null) return owner.transfers();
        synchronized (this) {
            if (files == null) files = new FileTransfer(this, transport.config());
            return files;
        }
    }

    /**
     * Uploads text (UTF-8) as {@code filename} (the open platform's upload), with fresh upload
     * credentials fetched as needed. Needs the {@code files} scope.
     *
     * @param filename the object's name under the credentials' destination, without {@code /}
     * @param content  the text
     * @return the object name, {@code destination/filename}
     * @throws IllegalArgumentException when {@code filename} is not a plain file name (nothing is sent)
     * @throws OmixException            when the platform refuses or cannot be reached after the retries
     */
    public String upload(String filename, String content) {
        return upload(filename, content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * Uploads bytes as {@code filename}, in one request.
     *
     * @param filename the object's name under the credentials' destination, without {@code /}
     * @param content  the bytes
     * @return the object name, {@code destination/filename}
     * @throws IllegalArgumentException when {@code filename} is not a plain file name (nothing is sent)
     * @throws OmixException            when the platform refuses or cannot be reached after the retries
     */
    public String upload(String filename, byte[] content) {
        return transfers().upload(filename, content, UploadOptions.defaults());
    }

    /**
     * Uploads a stream's bytes (spooled to a temporary file first, so memory stays small).
     *
     * @param filename the object's name under the credentials' destination, without {@code /}
     * @param content  the content, read to its end (not closed)
     * @return the object name, {@code destination/filename}
     * @throws IllegalArgumentException     when {@code filename} is not a plain file name (nothing is sent)
     * @throws java.io.UncheckedIOException when the stream cannot be read or spooled
     * @throws OmixException                when the platform refuses or cannot be reached after the retries
     */
    public String upload(String filename, java.io.InputStream content) {
        return upload(filename, content, UploadOptions.defaults());
    }

    /**
     * Uploads a stream's bytes with {@code options} (spooled to a temporary file first).
     *
     * @param filename the object's name under the credentials' destination, without {@code /}
     * @param content  the content, read to its end (not closed)
     * @param options  thresholds, part size, threads, listener and credentials to use
     * @return the object name, {@code destination/filename}
     * @throws IllegalArgumentException     when {@code filename} is not a plain file name, or the options'
     *                                      credentials are not an upload token
     * @throws java.io.UncheckedIOException when the stream cannot be read or spooled
     * @throws OmixException                when the platform refuses or cannot be reached after the retries
     */
    public String upload(String filename, java.io.InputStream content, UploadOptions options) {
        return transfers().upload(filename, content, options);
    }

    /**
     * Uploads a file as {@code filename}: in one request, or in parallel parts from the multipart
     * threshold (100 MiB) on, each checked by the server; an interrupted multipart upload started
     * again on this client sends only the parts the server lacks.
     *
     * @param filename the object's name under the credentials' destination, without {@code /}
     * @param file     the file, read as it is sent
     * @return the object name, {@code destination/filename}
     * @throws IllegalArgumentException     when {@code filename} is not a plain file name (nothing is sent)
     * @throws java.io.UncheckedIOException when the file cannot be read
     * @throws OmixException                when the platform refuses or cannot be reached after the retries
     */
    public String upload(String filename, java.nio.file.Path file) {
        return upload(filename, file, UploadOptions.defaults());
    }

    /**
     * Uploads a file as {@link #upload(String, java.nio.file.Path, UploadOptions)} does, without blocking
     * the caller (on this client's threads).
     *
     * @param filename the object's name under the credentials' destination, without {@code /}
     * @param file     the file, read as it is sent
     * @param options  thresholds, part size, threads, listener and credentials to use
     * @return a future of the object name; it completes exceptionally with what {@code upload} throws
     */
    public java.util.concurrent.CompletableFuture<String> uploadAsync(String filename, java.nio.file.Path file, UploadOptions options) {
        return transport.async(() -> upload(filename, file, options));
    }

    /**
     * Uploads a file as {@link #upload(String, java.nio.file.Path)} does, with {@code options}.
     *
     * @param filename the object's name under the credentials' destination, without {@code /}
     * @param file     the file, read as it is sent
     * @param options  thresholds, part size, threads, listener and credentials to use
     *                 ({@code UploadOptions.builder().credentials(...)} continues another process's upload)
     * @return the object name, {@code destination/filename}
     * @throws IllegalArgumentException     when {@code filename} is not a plain file name, or the options'
     *                                      credentials are not an upload token
     * @throws java.io.UncheckedIOException when the file cannot be read
     * @throws OmixException                when the platform refuses (e.g. {@link AuthenticationException} for
     *                                      expired credentials, 42001) or cannot be reached after the retries
     */
    public String upload(String filename, java.nio.file.Path file, UploadOptions options) {
        return transfers().upload(filename, file, options);
    }

    /**
     * Uploads each file under its own name, one after the other.
     *
     * @param paths   the files
     * @param options thresholds, part size, threads, listener and credentials to use for each
     * @return the object names, in the order of {@code paths}
     * @throws java.io.UncheckedIOException when a file cannot be read (the files before it stay uploaded)
     * @throws OmixException                when an upload fails (the files before it stay uploaded)
     */
    public java.util.List<String> batchUpload(java.util.List<java.nio.file.Path> paths, UploadOptions options) {
        java.util.List<String> names = new java.util.ArrayList<>();
        for (java.nio.file.Path p : paths) names.add(upload(p.getFileName().toString(), p, options));
        return names;
    }

    /**
     * Uploads each file under its own name, with the default options.
     *
     * @param paths the files
     * @return the object names, in the order of {@code paths}
     * @throws java.io.UncheckedIOException when a file cannot be read (the files before it stay uploaded)
     * @throws OmixException                when an upload fails (the files before it stay uploaded)
     */
    public java.util.List<String> batchUpload(java.util.List<java.nio.file.Path> paths) {
        return batchUpload(paths, UploadOptions.defaults());
    }

    /**
     * Uploads the regular files directly in {@code dir} (no recursion, as on the original), sorted by name.
     *
     * @param dir     the directory
     * @param options thresholds, part size, threads, listener and credentials to use for each
     * @return the object names, in name order
     * @throws java.io.UncheckedIOException when the directory cannot be listed or a file read
     * @throws OmixException                when an upload fails (the files before it stay uploaded)
     */
    public java.util.List<String> uploadDir(java.nio.file.Path dir, UploadOptions options) {
        try (java.util.stream.Stream<java.nio.file.Path> entries = java.nio.file.Files.list(dir)) {
            return batchUpload(entries.filter(java.nio.file.Files::isRegularFile).sorted().toList(), options);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot list " + dir, e);
        }
    }

    /**
     * Uploads the regular files directly in {@code dir}, sorted by name, with the default options.
     *
     * @param dir the directory
     * @return the object names, in name order
     * @throws java.io.UncheckedIOException when the directory cannot be listed or a file read
     * @throws OmixException                when an upload fails (the files before it stay uploaded)
     */
    public java.util.List<String> uploadDir(java.nio.file.Path dir) {
        return uploadDir(dir, UploadOptions.defaults());
    }

    /**
     * A signed download URL for one of the caller's objects (the open platform's get_download_url),
     * valid 600 s. Needs the {@code files} scope.
     *
     * @param objectName the object's name, as the upload answered it
     * @return {@code {url, expires}} ({@code expires} in epoch seconds)
     * @throws ApiException when the object does not exist or is not the caller's (42007)
     */
    public Model getDownloadUrl(String objectName) {
        return getDownloadUrl(objectName, null, null);
    }

    /**
     * A signed download URL for one of the caller's objects, for a region and lifetime.
     *
     * @param objectName     the object's name, as the upload answered it
     * @param region         {@code domestic} or {@code international} (null: the server's default)
     * @param expirationTime seconds the URL stays valid, 1 to 604800 (null: 600)
     * @return {@code {url, expires}} ({@code expires} in epoch seconds)
     * @throws ApiException              when the object does not exist or is not the caller's (42007)
     * @throws InvalidParameterException when the region or lifetime is refused (41001)
     */
    public Model getDownloadUrl(String objectName, String region, Integer expirationTime) {
        return Answers.model(call(ApiRequest.post("/oss/sign_url").form("object_name", objectName).form("region", region)
                .form("expiration_time", expirationTime)));
    }

    /**
     * Deletes one of the caller's objects: its name is free again, its links (and DRS and FHIR ids) answer that it is gone,
     * and it no longer counts against the caller's files quota. Needs the {@code files} scope.
     *
     * @param objectName the object's name, as the upload answered it
     * @return {@code {object_name, deleted}}
     * @throws NotFoundException when there is no such object of the caller's (42007)
     */
    public Model deleteObject(String objectName) {
        return Answers.model(call(ApiRequest.post("/oss/delete").form("object_name", objectName)));
    }

    /**
     * Streams one of the caller's objects into {@code out} (the open platform's download) through a
     * fresh signed URL, checking it (its CRC-32C, else its SHA-256).
     *
     * @param objectName the object's name
     * @param out        where the bytes go (not closed)
     * @return the number of bytes written
     * @throws ApiException       when the object does not exist or is not the caller's (42007)
     * @throws TransportException when the download fails, breaks off or is corrupt
     */
    public long download(String objectName, java.io.OutputStream out) {
        return transfers().download(objectName, out, TransferListener.NONE);
    }

    /**
     * Streams one of the caller's objects into {@code out}, telling {@code listener} how it goes.
     *
     * @param objectName the object's name
     * @param out        where the bytes go (not closed)
     * @param listener   told of the progress, from the transfer threads (throwing cancels the download)
     * @return the number of bytes written
     * @throws ApiException       when the object does not exist or is not the caller's (42007)
     * @throws TransportException when the download fails, breaks off or is corrupt
     */
    public long download(String objectName, java.io.OutputStream out, TransferListener listener) {
        return transfers().download(objectName, out, listener);
    }

    /**
     * Downloads one of the caller's objects into a file, checked; an interrupted download leaves
     * {@code target.part}, which the next call continues from where it stopped.
     *
     * @param objectName the object's name
     * @param target     the file to write, replaced when it exists
     * @return the size of the object
     * @throws ApiException                 when the object does not exist or is not the caller's (42007)
     * @throws TransportException           when the download fails, breaks off or is corrupt
     * @throws java.io.UncheckedIOException when {@code target.part} or {@code target} cannot be written
     */
    public long download(String objectName, java.nio.file.Path target) {
        return transfers().download(objectName, target, TransferListener.NONE);
    }

    /**
     * Downloads into a file as {@link #download(String, java.nio.file.Path, TransferListener)} does,
     * without blocking the caller (on this client's threads).
     *
     * @param objectName the object's name
     * @param target     the file to write, replaced when it exists
     * @param listener   told of the progress, from the transfer threads
     * @return a future of the object's size; it completes exceptionally with what {@code download} throws
     */
    public java.util.concurrent.CompletableFuture<Long> downloadAsync(String objectName, java.nio.file.Path target, TransferListener listener) {
        return transport.async(() -> download(objectName, target, listener));
    }

    /**
     * Downloads into a file as {@link #download(String, java.nio.file.Path)} does, telling {@code listener} how it goes.
     *
     * @param objectName the object's name
     * @param target     the file to write, replaced when it exists
     * @param listener   told of the progress, from the transfer threads (throwing cancels the download)
     * @return the size of the object
     * @throws ApiException                 when the object does not exist or is not the caller's (42007)
     * @throws TransportException           when the download fails, breaks off or is corrupt
     * @throws java.io.UncheckedIOException when {@code target.part} or {@code target} cannot be written
     */
    public long download(String objectName, java.nio.file.Path target, TransferListener listener) {
        return transfers().download(objectName, target, listener);
    }

    /**
     * Sends a request with this client's token; a token its credentials can renew that the platform
     * refuses (403) is renewed once and the request sent again.
     *
     * @param request the request
     * @return the envelope of a successful answer ({@code code} 0)
     */
    ObjectNode call(ApiRequest request) {
        options.apply(request);
        try {
            return transport.envelope(request);
        } catch (AuthenticationException e) {
            // A renewable token the platform no longer accepts (revoked, expired early): renew it once and try again.
            if (e.code() != Codes.TOKEN_INVALID || !tokens.renewable()) throw e;
            tokens.invalidate(request.sentToken());
            return transport.envelope(request);
        }
    }

    /** The bearer header of an attempt, the token noted on the request (what a refusal renews). */
    private void bearer(ApiRequest request, java.net.http.HttpRequest.Builder builder) {
        String token = tokens.get();
        request.sentToken(token);
        builder.header("Authorization", "Bearer " + token);
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
