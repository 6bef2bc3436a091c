package io.omix.server.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.HandlerType;
import io.omix.server.Capability;
import io.omix.server.Platform;
import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.auth.InvocationTokens;
import io.omix.server.common.auth.Scope;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ApiRequest;
import io.omix.server.common.http.ErrorCode;
import io.omix.server.common.http.PageToken;
import io.omix.server.common.http.Routes;
import io.omix.server.common.http.ServerJson;
import io.omix.server.common.validation.IntParam;
import io.omix.server.common.validation.Param;
import io.omix.server.common.validation.ParamSpec;
import io.omix.server.common.validation.StringParam;
import io.omix.server.files.ObjectAccess;
import io.omix.server.files.ObjectStore;
import io.omix.server.tasks.TaskEngine;
import io.omix.server.tasks.TasksCapability;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Interpretation models (the open platform's invoke_model, deploy_model, rollback_model; publish, versions and
 * draft invocation from the protocol notes). A model belongs to the client application whose token
 * deployed it; anyone with a token and the models scope invokes its stable version; only the owner
 * deploys, publishes, rolls back, lists versions and invokes the draft.
 */
public final class ModelsCapability implements Capability {
    static final String DEPLOY_TASK = "model.deploy";
    /** What the original platform's clients use for ids: letters, digits, '_' and '-' (never '.', which Omix's own directories start with). */
    static final Pattern MODEL_ID_PATTERN = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    static final StringParam MODEL_ID = Param.string("model_id").required().pattern(MODEL_ID_PATTERN, "1 to 64 letters, digits, '_' or '-'");
    static final StringParam OBJECT_NAME = Param.string("object_name").required().maxLength(400);
    static final StringParam HANDLER = Param.string("handler").maxLength(200)
            .pattern(Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)+"), "module.function, e.g. index.handler").orElse("index.handler");
    static final StringParam RUNTIME = Param.string("runtime").maxLength(20).orElse("python3");
    static final IntParam MEMORY_SIZE = Param.integer("memory_size").range(64, 3072).orElse(128);
    static final StringParam CPU = Param.string("cpu").maxLength(10);
    static final IntParam DISK_SIZE = Param.integer("disk_size").range(1, 10240);
    static final IntParam TIMEOUT = Param.integer("timeout").range(1, 900).orElse(900);
    static final StringParam COMMENT = Param.string("comment").maxLength(1000);
    static final StringParam MESSAGE = Param.string("message").maxLength(1000);
    static final IntParam VERSION = Param.integer("version").required().range(1, Integer.MAX_VALUE);
    static final IntParam LIMIT = Param.integer("limit").range(1, 100).orElse(10);
    static final StringParam NEXT_PAGE = Param.string("next_page").maxLength(200);
    /** What the model's invocation tokens may do: Omix scope ids (read) and id:write (writes), space or comma separated. */
    static final StringParam SCOPES = Param.string("scopes").maxLength(500)
            .pattern(Pattern.compile("[a-z]+(:write)?([ ,]+[a-z]+(:write)?)*"), "scope ids such as 'variants samples streams:write', space separated");
    private static final int MAX_PARAMS = 50;
    private static final int MAX_PARAM_CHARS = 4096;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ModelsCapability.class);

    private final Platform platform;
    private final ModelStore store;
    private final ObjectAccess objects;
    private final InvocationTokens invocations;
    private final Path codeRoot;
    private final Path channel;
    private final Sandbox sandbox;
    private final ModelRunner runner;
    /** Whether boxes can be built here: found out once, in the background, at start. */
    private final CompletableFuture<Optional<String>> sandboxCheck;
    /** Each version's declared scopes (versions never change). */
    private final Map<String, Optional<String>> versionScopes = new ConcurrentHashMap<>();
    /** Each version's package and its checksum, which name its code's directory. */
    private final Map<String, ModelStore.Source> versionSources = new ConcurrentHashMap<>();
    /** Invocations running (or about to) by their code's directory, which no sweep removes meanwhile; guarded by itself. */
    private final Map<Path, Integer> running = new java.util.HashMap<>();
    /** The versions being unpacked again here, by their code's directory: the invocations that need one wait for one unpacking. */
    private final Map<Path, CompletableFuture<Void>> unpacking = new ConcurrentHashMap<>();
    /** Packages unpacked again from the object store (another server's deploy, a rollback): operators see the disk work. */
    private final io.micrometer.core.instrument.Counter unpackedAgain;
    /** Sweeps this server's unpacked code of models no longer there (erased with their owner), hourly. */
    private final java.util.concurrent.ScheduledExecutorService codeSweeps = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "omix-model-code-sweep");
        t.setDaemon(true);
        return t;
    });

    public ModelsCapability(Platform platform) {
        this.platform = platform;
        this.store = new ModelStore(platform);
        this.objects = new ObjectAccess(platform);
        this.invocations = platform.authenticators().invocations();
        this.codeRoot = ownRoot(platform.config().modelsRoot(), platform.config().modelsRootIsTemporary());
        protectDataDir(platform.config().dataDir());
        this.channel = ModelChannel.socketUnder(codeRoot);
        this.sandbox = Sandbox.prepare(codeRoot.resolve(".runtime"), channel, platform.config().modelsPython());
        this.runner = new ModelRunner(sandbox, platform.config().modelsPoolSize());
        this.unpackedAgain = io.micrometer.core.instrument.Counter.builder("omix.models.unpacked_again")
                .description("model packages read from the object store to be unpacked again on this server").register(platform.metrics());
        // A box is built and its control group made, or no invocation runs (BoxGroups: never per-process limits only).
        this.sandboxCheck = CompletableFuture.supplyAsync(() -> sandbox.selfTest().or(runner::unavailable));
        sandboxCheck.thenAccept(why -> {
            if (why.isPresent()) LOG.warn("Model invocations are refused on this server (41217): {}", why.get());
            else LOG.info("Model sandbox ready (bubblewrap, a user of its own per invocation, seccomp, no network but the API)");
        });
        platform.tasks().handle(DEPLOY_TASK, this::deploy);
        // Each server's own disk: the code of models erased with their owner (on any server) goes within the hour.
        codeSweeps.scheduleWithFixedDelay(() -> {
            try {
                long removed = removeCodeOfRemovedModels();
                if (removed > 0) LOG.info("removed the unpacked code of {} versions of models no longer there", removed);
            } catch (IOException | RuntimeException e) {
                LOG.warn("the code of removed models stays for now: {}", e.toString());
            }
        }, 1, 60, java.util.concurrent.TimeUnit.MINUTES);
    }

    @Override
    public void jetty(io.javalin.config.JettyConfig jetty) {
        jetty.modifyServer(server -> ModelChannel.addOnceStarted(server, channel));
    }

    /**
     * Deletes the unpacked versions of models that have no row (deploy attempts are left to {@link #removeStaleDeploys}).
     * A first deploy moves its code into place before its row commits: deleted here then, the version is unpacked again
     * from its package when it is first invoked.
     */
    public long removeCodeOfRemovedModels() throws IOException {
        long removed = 0;
        if (!Files.isDirectory(codeRoot)) return 0;
        try (var models = Files.list(codeRoot)) {
            for (Path dir : models.filter(Files::isDirectory).toList()) {
                String id = dir.getFileName().toString();
                if (!MODEL_ID_PATTERN.matcher(id).matches() || store.model(id).isPresent()) continue;
                try (var versions = Files.list(dir)) {
                    for (Path v : versions.toList()) {
                        String name = v.getFileName().toString();
                        if (!VERSION_DIR.matcher(name).matches() && !name.startsWith(SWEPT)) continue;
                        io.omix.server.common.io.FileTrees.deleteQuietly(v);
                        removed++;
                    }
                }
                try {
                    Files.deleteIfExists(dir);
                } catch (java.nio.file.DirectoryNotEmptyException deploying) {
                    // a deploy attempt of a new model of that id
                }
            }
        }
        return removed;
    }

    @Override
    public void close() {
        codeSweeps.shutdownNow();
        runner.close();
        // A root of its own chosen in place of a default root that was not (ownRoot) is this server's scratch alone.
        if (platform.config().modelsRootIsTemporary() && !codeRoot.equals(platform.config().modelsRoot())) {
            io.omix.server.common.io.FileTrees.deleteQuietly(codeRoot);
        }
    }

    /** Refuses, with the reason in the log, when this server cannot build a box for {@code runtime}. */
    private void requireSandbox(String runtime) {
        Optional<String> why = sandboxCheck.join().or(() -> sandbox.unavailable(runtime));
        if (why.isPresent()) {
            LOG.warn("model invocation refused: {}", why.get());
            throw new ApiException(ErrorCode.MODEL_SANDBOX_UNAVAILABLE, Map.of("reason", "this server cannot run models safely; its operator has the details in the log"));
        }
    }

    /**
     * At a server's stop: code unpacked under the temporary directory is a cache of the object store
     * (unpacked again on the next invocation), so it goes with the server; a configured models.dir stays.
     */
    public static void removeTemporaryCode(io.omix.server.ServerConfig config) {
        if (!config.modelsRootIsTemporary() || foreign(config.modelsRoot()) != null) return;
        try {
            io.omix.server.common.io.FileTrees.delete(config.modelsRoot());
        } catch (IOException | java.io.UncheckedIOException e) {
            org.slf4j.LoggerFactory.getLogger(ModelsCapability.class).warn("could not remove {}: {}", config.modelsRoot(), e.getMessage());
        }
    }

    /**
     * The code root, if it is this server's to use: a directory (not a link) owned by the server's user and writable by
     * nobody else, or one not there yet. The default root's name under the temporary directory is predictable: a local
     * account that made it first would hand boxes its own runner, code or API socket (and read every invocation's
     * token); such a directory is passed over for a new one of unpredictable name. A configured {@code models.dir}
     * that fails the check stops the server.
     */
    static Path ownRoot(Path wanted, boolean temporary) {
        try {
            // Made here if it is not there, then checked: a directory someone made between a check and its making is seen.
            Files.createDirectories(wanted.getParent());
            Files.createDirectory(wanted, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
        } catch (java.nio.file.FileAlreadyExistsException there) {
            // checked below
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot make the models' code directory " + wanted, e);
        }
        String why = foreign(wanted);
        if (why == null) return wanted;
        if (!temporary) throw new IllegalStateException("models.dir " + wanted + " " + why);
        try {
            Path fresh = Files.createTempDirectory("omix-models-");
            LOG.warn("the models' code directory {} {}: using {} instead", wanted, why, fresh);
            return fresh;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The user id the server's files are made with (null where the file system has none): the owner of a file it makes.
     * Its {@code user.name} is only a name, which {@code -Duser.name} or a second account of the same name changes.
     */
    private static final class ServerUid {
        static final Integer VALUE = uid();

        private static Integer uid() {
            try {
                Path probe = Files.createTempFile("omix-uid-", ".probe");
                try {
                    return (Integer) Files.getAttribute(probe, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS);
                } finally {
                    Files.deleteIfExists(probe);
                }
            } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
                return null;
            }
        }
    }

    /** Why {@code dir} is not the server's own (null when it is, or does not exist yet). */
    static String foreign(Path dir) {
        try {
            if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return null;
            if (Files.isSymbolicLink(dir) || !Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return "is not a directory of its own";
            java.nio.file.attribute.PosixFileAttributes a = Files.readAttributes(dir, java.nio.file.attribute.PosixFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
            String me = System.getProperty("user.name");
            Integer myUid = ServerUid.VALUE;
            boolean mine = myUid != null ? myUid.equals(Files.getAttribute(dir, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    : a.owner().getName().equals(me);
            if (!mine) return "belongs to " + a.owner().getName() + ", not to the server's user " + me;
            if (a.permissions().contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)
                    || a.permissions().contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE)) {
                return "is writable by others";
            }
            return null;
        } catch (IOException | UnsupportedOperationException e) {
            return "cannot be checked: " + e.getMessage();
        }
    }

    /**
     * Models run as another user, with their code outside the data directory: the data directory
     * (database, object store, master key) becomes the server's alone, and the code root is
     * traversable, not listable, by others.
     */
    private void protectDataDir(Path dataDir) {
        try {
            Files.createDirectories(codeRoot);
            Files.setPosixFilePermissions(codeRoot, PosixFilePermissions.fromString("rwx--x--x"));
            Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalStateException("cannot prepare " + codeRoot + " or protect " + dataDir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void routes(Routes routes) {
        routes.post("/model/deploy", Access.TOKEN, ParamSpec.of(MODEL_ID, OBJECT_NAME, HANDLER, RUNTIME, MEMORY_SIZE, CPU, DISK_SIZE, TIMEOUT, COMMENT, SCOPES),
                (r, p) -> {
                    r.caller().requireScope(Scope.MODELS);
                    String modelId = p.get(MODEL_ID);
                    Optional<ModelStore.ModelRow> existing = store.model(modelId);
                    existing.ifPresent(m -> own(r.caller(), m));
                    if (existing.isEmpty()) {
                        platform.database().jdbc().withConnection(c -> {
                            requireRoomForAModel(c, ownerOf(r.caller()), reason -> ApiException.invalidParam("model_id", reason));
                            return null;
                        });
                    }
                    if (!ModelRunner.RUNTIMES.contains(p.get(RUNTIME))) {
                        throw new ApiException(ErrorCode.MODEL_RUNTIME_UNSUPPORTED, Map.of("runtime", p.get(RUNTIME) + " is not supported; use python3 or java"));
                    }
                    long size = objects.ownedSize(p.get(OBJECT_NAME), r.caller())
                            .orElseThrow(() -> new ApiException(ErrorCode.OBJECT_NOT_FOUND, Map.of("object_name", p.get(OBJECT_NAME))));
                    if (size > ModelPackage.MAX_ZIP_BYTES) throw ApiException.invalidParam("object_name", "a model package is at most 50 MiB");
                    String scopes = declaredScopes(p.get(SCOPES));
                    ObjectNode payload = JsonNodeFactory.instance.objectNode().put("model_id", modelId).put("owner", ownerOf(r.caller()))
                            .put("object_name", p.get(OBJECT_NAME)).put("file_owner", io.omix.server.files.ObjectAccess.fileOwnerOf(r.caller()))
                            .put("handler", p.get(HANDLER)).put("runtime", p.get(RUNTIME))
                            .put("memory_size", p.get(MEMORY_SIZE)).put("timeout", p.get(TIMEOUT)).put("cpu", p.get(CPU)).put("comment", p.get(COMMENT))
                            .put("scopes", scopes);
                    TaskEngine.Task task = platform.tasks().submit(DEPLOY_TASK, TasksCapability.taskOwnerOf(r.caller()), payload, r.ctx().path());
                    return TasksCapability.taskView(r, platform, task);
                });
        routes.post("/model/publish", Access.TOKEN, ParamSpec.of(MODEL_ID, MESSAGE), (r, p) -> {
            ModelStore.ModelRow m = ownModel(r, p.get(MODEL_ID));
            if (m.draftVersion() == null) throw new ApiException(ErrorCode.MODEL_NOT_PUBLISHED, Map.of("model_id", m.modelId()));
            store.makeStable(m.modelId(), m.draftVersion(), p.get(MESSAGE) == null ? "" : p.get(MESSAGE), platform.now());
            stableChanged(m, m.draftVersion());
            return Map.of("version", m.draftVersion());
        });
        routes.post("/model/rollback", Access.TOKEN, ParamSpec.of(MODEL_ID, VERSION), (r, p) -> {
            ModelStore.ModelRow m = ownModel(r, p.get(MODEL_ID));
            if (!store.versionExists(m.modelId(), p.get(VERSION))) throw ApiException.invalidParam("version", "model " + m.modelId() + " has no version " + p.get(VERSION));
            store.makeStable(m.modelId(), p.get(VERSION), null, platform.now());
            stableChanged(m, p.get(VERSION));
            return Map.of("version", p.get(VERSION));
        });
        ParamSpec byModel = ParamSpec.of(MODEL_ID);
        routes.get("/model/{model_id}/versions", Access.TOKEN, byModel.with(LIMIT, NEXT_PAGE), (r, p) -> versions(r, p.get(MODEL_ID), p.get(LIMIT), p.get(NEXT_PAGE)));
        routes.get("/model/{model_id}/draft", Access.TOKEN, byModel, (r, p) -> {
            ModelStore.ModelRow m = ownModel(r, p.get(MODEL_ID));
            if (m.draftVersion() == null) throw new ApiException(ErrorCode.MODEL_NOT_PUBLISHED, Map.of("model_id", m.modelId()));
            return invoke(r, m, m.draftVersion(), false);
        });
        routes.get("/model/{model_id}", Access.TOKEN, byModel, (r, p) -> {
            r.caller().requireScope(Scope.MODELS);
            ModelStore.ModelRow m = store.model(p.get(MODEL_ID)).orElseThrow(() -> notFound(p.get(MODEL_ID)));
            if (m.stableVersion() == null) throw new ApiException(ErrorCode.MODEL_NOT_PUBLISHED, Map.of("model_id", m.modelId()));
            return invoke(r, m, m.stableVersion(), true);
        });
    }

    /**
     * A model runs only while its owner may act: the application that deployed it (or through which its person did) not
     * disabled, nor that person. Disabling is for incidents; a model of a disabled owner would go on running its code with
     * the tokens of everyone who invokes it.
     */
    private void requireOwnerEnabled(ModelStore.ModelRow m) {
        String owner = m.owner();
        int person = owner.indexOf(":user:");
        String client = owner.startsWith("client:") ? owner.substring("client:".length(), person > 0 ? person : owner.length()) : null;
        String user = person > 0 ? owner.substring(person + ":user:".length()) : null;
        io.omix.server.common.db.Jdbc jdbc = platform.database().jdbc();
        // A model deployed through the console has its person's console as its client: the person alone decides.
        boolean console = client != null && client.startsWith(io.omix.server.common.auth.Caller.CONSOLE_CLIENT_PREFIX);
        boolean enabled = client != null
                && (console || jdbc.queryOne("SELECT 1 FROM oauth_clients WHERE client_id = ? AND disabled = FALSE", rs -> 1, client).isPresent())
                && (user == null || jdbc.queryOne("SELECT 1 FROM users WHERE user_id = ? AND disabled = FALSE", rs -> 1, user).isPresent());
        if (!enabled) {
            throw new ApiException(ErrorCode.MODEL_NOT_PUBLISHED, Map.of("model_id", m.modelId() + " is not run while its owner is disabled"));
        }
    }

    /**
     * A model belongs to the client application that deployed it with its own token, or to the person who deployed it
     * through an application (the application and the person): the people of one shared client (the CLI, a public
     * desktop client) must not replace each other's code, which everyone invoking the model then runs with their token.
     */
    static String ownerOf(Caller caller) {
        return TasksCapability.taskOwnerOf(caller);   // the same owner a person's or an application's tasks have
    }

    /** Refuses a new model of {@code owner} at the cap (checked as a deploy is asked for, and again as its task runs). */
    private static void requireRoomForAModel(java.sql.Connection c, String owner, java.util.function.Function<String, RuntimeException> refusal)
            throws java.sql.SQLException {
        if (Jdbc.query(c, "SELECT COUNT(*) FROM models WHERE owner = ?", rs -> rs.getLong(1), owner).get(0) >= MAX_MODELS_PER_OWNER) {
            throw refusal.apply("an owner has at most " + MAX_MODELS_PER_OWNER + " models: deploy a new version of one of them");
        }
    }

    /** How many models an owner may have, and versions a model (each version's package stays in the object store). */
    static final int MAX_MODELS_PER_OWNER = 50;
    static final int MAX_VERSIONS_PER_MODEL = 500;

    private static ApiException notFound(String modelId) {
        return new ApiException(ErrorCode.MODEL_NOT_FOUND, Map.of("model_id", modelId));
    }

    /** Another application's model answers as an unknown one: ids of others' models are not revealed. */
    private static ModelStore.ModelRow own(Caller caller, ModelStore.ModelRow m) {
        if (!m.owner().equals(ownerOf(caller))) throw notFound(m.modelId());
        return m;
    }

    private ModelStore.ModelRow ownModel(ApiRequest r, String modelId) {
        r.caller().requireScope(Scope.MODELS);
        return own(r.caller(), store.model(modelId).orElseThrow(() -> notFound(modelId)));
    }

    /** The deploy task: fetch the zip, check and unpack it as the next version, record it as the draft. */
    private JsonNode deploy(TaskEngine.Run run, java.sql.Connection tx) throws Exception {
        JsonNode p = run.task().payload();
        String modelId = p.path("model_id").asText();
        String owner = p.path("owner").asText();
        OffsetDateTime now = platform.now();
        // Unpacked before any row is held: a package takes seconds, and the owner's publishes and deploys would wait on
        // the rows meanwhile. Its directory is this attempt's own (two attempts of one task may overlap when a lease ran
        // out), moved into the version's place once the version is known; what a killed server left is swept here later.
        Path modelDir = codeRoot.resolve(modelId);
        Files.createDirectories(modelDir);
        Files.setPosixFilePermissions(modelDir, PosixFilePermissions.fromString("rwx--x--x"));
        removeStaleDeploys(modelDir);
        Path staged = modelDir.resolve("deploy-" + run.task().taskId() + "-" + java.util.HexFormat.of().formatHex(
                io.omix.server.common.auth.Secrets.randomBytes(4)));
        String objectName = p.path("object_name").asText();
        // Still the file of whoever asked (names are the store's, not an owner's: one deleted since may be another's now).
        if (p.hasNonNull("file_owner") && !objects.ownedBy(objectName, p.get("file_owner").asText())) {
            throw new TaskEngine.TaskFailure("the package " + objectName + " is gone", null);
        }
        try {
            String sha;
            try (InputStream zip = objects.open(objectName);
                 java.security.DigestInputStream digest = new java.security.DigestInputStream(zip, java.security.MessageDigest.getInstance("SHA-256"))) {
                // The zip reader closes what it reads: kept open here, so the rest of the file still counts into the checksum.
                ModelPackage.unpack(new java.io.FilterInputStream(digest) {
                    @Override
                    public void close() {}
                }, staged, p.path("runtime").asText(), p.path("handler").asText());
                digest.transferTo(java.io.OutputStream.nullOutputStream());
                sha = java.util.HexFormat.of().formatHex(digest.getMessageDigest().digest());
            } catch (java.nio.file.NoSuchFileException gone) {
                throw new TaskEngine.TaskFailure("the package " + objectName + " is gone", null);
            }
            KeptPackage kept = keepPackage(tx, modelId, owner, objectName, sha);
            // After the package's copy (which holds no row): the person's row is held only while the deploy records.
            holdOwnersPerson(tx, owner);
            return record(run, tx, p, modelId, owner, now, staged, objectName, sha, kept);
        } finally {
            io.omix.server.common.io.FileTrees.deleteQuietly(staged); // gone already when it became the version
        }
    }

    /**
     * The person a model's owner names (one deploying through an application, or through their console), held first, as an
     * account's erasure takes it: an erasure in flight either waits for this deploy and removes the model it records, or
     * came first and the deploy fails. Without it, a deploy recorded beside the erasure (which had listed the person's
     * models already) left the model, its versions and its package copy to nobody.
     */
    private void holdOwnersPerson(java.sql.Connection tx, String owner) throws java.sql.SQLException {
        String userId = TasksCapability.personOf(owner);
        if (userId != null && !io.omix.server.users.UserStore.holdPerson(tx, platform.database(), userId)) {
            throw new TaskEngine.TaskFailure("the account that asked for it was erased", null);
        }
    }

    /**
     * The unpacked code of deploy attempts a killed server left: older than any unpacking takes, and of a task that is no
     * longer waiting or running (an attempt that waits long on the model's row keeps its code).
     */
    private void removeStaleDeploys(Path modelDir) throws IOException {
        try (var attempts = Files.newDirectoryStream(modelDir, "deploy-*")) {
            for (Path old : attempts) {
                if (!ModelPackage.olderThanAnyUnpacking(old)) continue;
                java.util.regex.Matcher named = DEPLOY_ATTEMPT.matcher(old.getFileName().toString());
                if (named.matches() && !platform.database().jdbc().query("SELECT 1 FROM tasks WHERE task_id = ? AND status IN ('PENDING', 'STARTED')",
                        rs -> 1, named.group(1)).isEmpty()) {
                    continue;
                }
                io.omix.server.common.io.FileTrees.deleteQuietly(old);
            }
        }
    }

    /**
     * Where a version's code is unpacked: named by its number and its package's SHA-256. An attempt whose transaction rolled
     * back after moving its code into place leaves that directory behind, and another server may then commit a different
     * package as the same number: under a name of the number alone, this server would run the leftover as that version.
     * The package's checksum in the name makes a leftover of other code a directory no committed version names.
     */
    static Path versionDir(Path codeRoot, String modelId, int version, String packageSha256) {
        return codeRoot.resolve(modelId).resolve(version + "-" + packageSha256);
    }

    /** A version's directory (number, then its package's checksum), or one of the number alone that servers before it made. */
    private static final java.util.regex.Pattern VERSION_DIR = java.util.regex.Pattern.compile("([0-9]+)(-[0-9a-f]{64})?");

    /** An attempt's directory: {@code deploy-TASKID-XXXXXXXX} (and its unpacking staging beside it). */
    private static final java.util.regex.Pattern DEPLOY_ATTEMPT = java.util.regex.Pattern.compile("deploy-([0-9a-f-]{36})-[0-9a-f]{8}(\\.unpacking.*)?");

    /** A deploy of another owner's model id: checked before the package is copied, and again under the model's lock. */
    private static TaskEngine.TaskFailure anotherOwners(String modelId) {
        return new TaskEngine.TaskFailure("model " + modelId + " belongs to another application", null);
    }

    /** A deploy beyond the versions a model may have: checked as {@link #anotherOwners} is. */
    private static TaskEngine.TaskFailure tooManyVersions(String modelId) {
        return new TaskEngine.TaskFailure("model " + modelId + " has " + MAX_VERSIONS_PER_MODEL + " versions, the most it may", null);
    }

    /** A version's own copy of its package: where it is kept, and its size. */
    private record KeptPackage(String key, long bytes) {}

    /**
     * The version's own copy of its package, under a key of the platform's (answered; recorded with the version): the
     * owner may replace the file of that name once it is deployed, and every server that unpacks the version later
     * (another server, this one after a restart, a rollback) reads the copy. Copied from the file again and checked
     * against the checksum the unpacking read: a file replaced meanwhile fails the deploy. A package another version of
     * the model keeps already (the same bytes) is not copied again. The copies of an owner's versions together are held
     * to files.max-bytes-per-owner, so that deploys do not make a file counted once into hundreds of uncounted copies.
     * Checked first without the rows' locks (the deploy checks again under them): a deploy refused there leaves no copy.
     * If the deploy's transaction rolls back, the copy is unreferenced and housekeeping's sweep takes it.
     */
    private KeptPackage keepPackage(java.sql.Connection tx, String modelId, String owner, String objectName, String sha) throws Exception {
        Optional<ModelStore.ModelRow> existing = store.model(modelId);
        if (existing.isPresent() && !existing.get().owner().equals(owner)) throw anotherOwners(modelId);
        if (existing.isEmpty()) requireRoomForAModel(tx, owner, reason -> new TaskEngine.TaskFailure(reason, null));
        if (ModelStore.nextVersion(tx, modelId) > MAX_VERSIONS_PER_MODEL) throw tooManyVersions(modelId);
        List<KeptPackage> same = Jdbc.query(tx, "SELECT package_key, package_bytes FROM model_versions WHERE model_id = ? AND source_sha256 = ?"
                + " AND package_key IS NOT NULL AND package_bytes IS NOT NULL", rs -> new KeptPackage(rs.getString(1), rs.getLong(2)), modelId, sha);
        if (!same.isEmpty()) return same.get(0);
        List<Long> sizes = Jdbc.query(tx, "SELECT size_bytes FROM file_objects WHERE object_name = ?", rs -> rs.getLong(1), objectName);
        if (sizes.isEmpty()) throw new TaskEngine.TaskFailure("the package " + objectName + " is gone", null);
        long size = sizes.get(0);
        // Each copy once, however many versions share it.
        long kept = Jdbc.query(tx, "SELECT COALESCE(SUM(k.package_bytes), 0) FROM (SELECT DISTINCT v.package_key, v.package_bytes FROM model_versions v"
                + " JOIN models m ON m.model_id = v.model_id WHERE m.owner = ? AND v.package_key IS NOT NULL) k", rs -> rs.getLong(1), owner).get(0);
        long quota = platform.config().fileMaxBytesPerOwner();
        if (kept + size > quota) {
            throw new TaskEngine.TaskFailure("the packages this owner's model versions keep would hold more than files.max-bytes-per-owner ("
                    + quota + " bytes): ask the operator for more", null);
        }
        String key = ObjectStore.versionKey();
        try (InputStream zip = objects.open(objectName)) {
            platform.objects().put(key, zip, ModelPackage.MAX_ZIP_BYTES, sha);
        } catch (java.nio.file.NoSuchFileException gone) {
            throw new TaskEngine.TaskFailure("the package " + objectName + " is gone", null);
        } catch (ObjectStore.ChecksumMismatch changed) {
            throw new TaskEngine.TaskFailure("the package " + objectName + " was replaced while it was deployed: deploy it again", null);
        }
        return new KeptPackage(key, size);
    }

    /** The deploy's rows: the model (new ids within the owner's cap), its next version with the unpacked code, the draft. */
    private JsonNode record(TaskEngine.Run run, java.sql.Connection tx, JsonNode p, String modelId, String owner, OffsetDateTime now,
                            Path staged, String objectName, String sha, KeptPackage kept) throws Exception {
        ModelStore.ModelRow existing = ModelStore.lock(tx, modelId).orElse(null);
        if (existing != null && !existing.owner().equals(owner)) throw anotherOwners(modelId);
        if (existing == null) {
            // Checked again here: deploys of new ids queued together all passed the request's check. The owner's models
            // are held (in id order) so that two such deploys running at once count one after the other.
            Jdbc.query(tx, "SELECT model_id FROM models WHERE owner = ? ORDER BY model_id FOR UPDATE", rs -> 1, owner);
            requireRoomForAModel(tx, owner, reason -> new TaskEngine.TaskFailure(reason, null));
            Jdbc.update(tx, "INSERT INTO models (model_id, owner, runtime, handler, memory_size, timeout_seconds, created_at, updated_at)"
                    + " VALUES (?,?,?,?,?,?,?,?)", modelId, owner, p.path("runtime").asText(), p.path("handler").asText(),
                    p.path("memory_size").asInt(), p.path("timeout").asInt(), now, now);
            ModelStore.lock(tx, modelId);
        }
        int version = ModelStore.nextVersion(tx, modelId);
        if (version > MAX_VERSIONS_PER_MODEL) throw tooManyVersions(modelId);
        Path target = versionDir(codeRoot, modelId, version, sha);
        io.omix.server.common.io.FileTrees.delete(target); // a leftover of an attempt whose transaction rolled back
        Files.move(staged, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        String comment = p.hasNonNull("comment") ? p.get("comment").asText() : null;
        String scopes = p.hasNonNull("scopes") ? p.get("scopes").asText() : null;
        Jdbc.update(tx, "INSERT INTO model_versions (model_id, version, source_object, source_sha256, comment, scopes, created_at, package_key,"
                + " package_bytes) VALUES (?,?,?,?,?,?,?,?,?)", modelId, version, objectName, sha, comment, scopes, now, kept.key(), kept.bytes());
        Jdbc.update(tx, "UPDATE models SET runtime = ?, handler = ?, memory_size = ?, timeout_seconds = ?, comment = ?, draft_version = ?,"
                + " updated_at = ? WHERE model_id = ?", p.path("runtime").asText(), p.path("handler").asText(), p.path("memory_size").asInt(),
                p.path("timeout").asInt(), comment, version, now, modelId);
        io.omix.server.webhooks.WebhookEvents.publish(tx, now, TasksCapability.announcedTo(run.task().owner()), io.omix.server.webhooks.WebhookEvents.MODEL_DEPLOYED,
                Map.of("model_id", modelId, "version", version, "task_id", run.task().taskId()));
        // Only the stable version and this draft stay unpacked here (any other is unpacked again from its package if it is
        // rolled back to): deploy after deploy does not fill the disk with code nobody runs.
        Integer stable = existing == null ? null : existing.stableVersion();
        sweepUnpacked(target.getParent(), (v, named) -> v.equals(target) || stable != null && named.group(1).equals(String.valueOf(stable)) && named.group(2) != null);
        return JsonNodeFactory.instance.objectNode().put("model_id", modelId).put("version", version);
    }

    /**
     * Deletes the model's unpacked versions (in {@code modelDir}) but those {@code kept} says to keep and those an
     * invocation is running from; deploy attempts are not touched. A version goes by a rename first, under the same
     * lock an invocation takes to hold its code, so an invocation finds its code whole or not at all (and unpacks it).
     */
    private void sweepUnpacked(Path modelDir, java.util.function.BiPredicate<Path, java.util.regex.Matcher> kept) throws IOException {
        try (var versions = Files.list(modelDir)) {
            for (Path v : versions.toList()) {
                String name = v.getFileName().toString();
                java.util.regex.Matcher named = VERSION_DIR.matcher(name);
                Path gone;
                if (name.startsWith(SWEPT)) {
                    gone = v;   // a sweep a crash cut short
                } else if (named.matches() && !kept.test(v, named)) {
                    synchronized (running) {
                        if (running.containsKey(v)) continue;
                        gone = modelDir.resolve(SWEPT + java.util.UUID.randomUUID());
                        Files.move(v, gone, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                    }
                } else {
                    continue;
                }
                io.omix.server.common.io.FileTrees.deleteQuietly(gone);
            }
        }
    }

    /** The prefix a swept version's directory is renamed to before it is deleted. */
    private static final String SWEPT = "swept-";

    /** Holds {@code code} against sweeps until {@link #release}. */
    private void hold(Path code) {
        synchronized (running) {
            running.merge(code, 1, Integer::sum);
        }
    }

    private void release(Path code) {
        synchronized (running) {
            running.computeIfPresent(code, (k, n) -> n == 1 ? null : n - 1);
        }
    }

    /**
     * The version's code on this server, unpacked again from its package when it is not here (another server deployed
     * it, or it was rolled back to). Invocations arriving together wait for one unpacking: each would otherwise copy
     * and unpack up to 50 MiB into a directory of its own.
     */
    private void requireUnpacked(ModelStore.ModelRow m, int version, Path code) {
        if (Files.isDirectory(code)) return;
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> inProgress = unpacking.putIfAbsent(code, mine);
        if (inProgress != null) {
            try {
                inProgress.get(2, java.util.concurrent.TimeUnit.MINUTES);
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException failed) throw failed;
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                throw new ApiException(ErrorCode.HTTP_UNAVAILABLE, Map.of("reason", "this model version is still being unpacked on this server; retry in a moment"));
            }
            return;
        }
        try {
            if (!Files.isDirectory(code)) unpackAgain(m, version, code);
            mine.complete(null);
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            unpacking.remove(code, mine);
        }
    }

    /**
     * Another server deployed this version: its code comes from the package in the shared object
     * store. Unpacking is atomic (a rename), so two requests racing here both end with whole code.
     * Then only the versions invocations run (this one, the stable one, the draft) stay unpacked:
     * rolling back to one old version after another does not fill the disk.
     */
    private void unpackAgain(ModelStore.ModelRow m, int version, Path code) {
        ModelStore.Source source = source(m, version);
        Path copy = null;
        try {
            // The package as deployed, or nothing: a package replaced or damaged in the store since would otherwise run as
            // this version on this server only. Copied and checked whole (50 MiB at most) before anything is unpacked.
            copy = Files.createTempFile("omix-model-", ".zip");
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            InputStream stored = source.packageKey() != null ? platform.objects().open(source.packageKey()) : objects.open(source.objectName());
            try (InputStream zip = new java.security.DigestInputStream(stored, sha)) {
                Files.copy(zip, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            if (!java.util.HexFormat.of().formatHex(sha.digest()).equals(source.sha256())) {
                LOG.warn("model {} version {}: its package {} is not the one deployed (SHA-256 differs); not run", m.modelId(), version,
                        source.packageKey() != null ? source.packageKey() : source.objectName());
                throw new ApiException(ErrorCode.MODEL_FAILED, Map.of("stderr", "this version's package changed since it was deployed: deploy it again"));
            }
            Files.createDirectories(code.getParent());
            unpackedAgain.increment();
            try (InputStream zip = Files.newInputStream(copy)) {
                ModelPackage.unpack(zip, code, m.runtime(), m.handler());
            }
            sweepAfterUnpacking(m.modelId(), code);
        } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException raced) {
            // another request unpacked it first
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new UncheckedIOException("cannot unpack model " + m.modelId() + " version " + version,
                    e instanceof IOException io ? io : new IOException(e));
        } finally {
            if (copy != null) io.omix.server.common.io.FileTrees.deleteQuietly(copy);
        }
    }

    /**
     * After a version was unpacked again: only it, the stable version and the draft (as the model's row says now) stay,
     * with any an invocation is running from. A failure here is logged; the unpacking it follows stands.
     */
    private void sweepAfterUnpacking(String modelId, Path code) {
        try {
            ModelStore.ModelRow now = store.model(modelId).orElse(null);
            Set<Path> kept = new java.util.HashSet<>(Set.of(code));
            if (now != null) {
                for (Integer v : new Integer[] {now.stableVersion(), now.draftVersion()}) {
                    if (v != null) kept.add(versionDir(codeRoot, modelId, v, source(now, v).sha256()));
                }
            }
            sweepUnpacked(code.getParent(), (v, named) -> kept.contains(v));
        } catch (IOException | RuntimeException e) {
            LOG.warn("model {}: versions no longer run stay unpacked for now: {}", modelId, e.toString());
        }
    }

    private Map<String, Object> versions(ApiRequest r, String modelId, int limit, String nextPage) {
        ModelStore.ModelRow m = ownModel(r, modelId);
        Integer before = nextPage == null ? null : PageToken.decode(nextPage, 1, parts -> Integer.parseInt(parts[0]));
        List<ModelStore.VersionRow> rows = store.versions(m.modelId(), before, limit + 1);
        String next = null;
        if (rows.size() > limit) {
            rows = rows.subList(0, limit);
            next = PageToken.encode(rows.get(limit - 1).version());
        }
        List<Map<String, Object>> result = new ArrayList<>();
        for (ModelStore.VersionRow v : rows) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("version", v.version());
            item.put("comment", v.comment());
            item.put("message", v.message());
            item.put("created_at", v.createdAt().toInstant().toString());
            item.put("published_at", v.publishedAt() == null ? null : v.publishedAt().toInstant().toString());
            item.put("stable", Integer.valueOf(v.version()).equals(m.stableVersion()));
            item.put("draft", Integer.valueOf(v.version()).equals(m.draftVersion()));
            result.add(item);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("result", result);
        out.put("count", result.size());
        out.put("next_page", next);
        return out;
    }

    /**
     * The scopes a deploy declares, checked: Omix scope ids a model may act within ({@link InvocationTokens#NEVER_DECLARED}
     * excepted: a model never deploys or invokes models, never manages a person's grants, account or exports, never
     * operates the platform), each optionally {@code :write}; null when none were declared.
     */
    private static String declaredScopes(String given) {
        if (given == null || given.isBlank()) return null;
        Set<String> out = new LinkedHashSet<>();
        for (String s : given.trim().split("[ ,]+")) {
            String id = InvocationTokens.scopeOf(s);
            if (Scope.of(id).isEmpty() || InvocationTokens.NEVER_DECLARED.contains(id)) {
                String may = java.util.Arrays.stream(Scope.all().split(" ")).filter(known -> !InvocationTokens.NEVER_DECLARED.contains(known))
                        .collect(java.util.stream.Collectors.joining(" "));
                throw ApiException.invalidParam("scopes", "'" + s + "' is not a scope a model may declare: " + may + " (each optionally :write)");
            }
            out.add(s);
        }
        return String.join(" ", out);
    }

    /** A committed version's package (versions never change: kept once read, by the model's own key, since a model erased with its owner can be deployed again under its id). */
    private ModelStore.Source source(ModelStore.ModelRow m, int version) {
        return versionSources.computeIfAbsent(m.versionKey(version), k -> store.source(m.modelId(), version).orElseThrow(() -> notFound(m.modelId())));
    }

    /**
     * What an invocation's token is declared to do: the version's declared scopes or, when it declared
     * none, every scope of the caller's read-only (models excepted). Each use narrows it to what the
     * caller holds then ({@link InvocationTokens#effectiveScopes}).
     */
    private Set<String> invocationScopes(ModelStore.ModelRow m, int version, Caller caller) {
        Optional<String> declared = versionScopes.computeIfAbsent(m.versionKey(version), k -> store.scopes(m.modelId(), version));
        if (declared.isPresent()) return new LinkedHashSet<>(List.of(declared.get().split(" ")));
        Set<String> out = new LinkedHashSet<>(caller.scopes());
        out.removeAll(InvocationTokens.NEVER_DECLARED);
        return out;
    }

    private ModelRunner.Spec spec(ModelStore.ModelRow m, int version) {
        Path code = versionDir(codeRoot, m.modelId(), version, source(m, version).sha256());
        return new ModelRunner.Spec(m.modelId(), version, m.runtime(), code, m.handler(), new ModelRunner.Limits(m.memorySize(), m.timeoutSeconds()));
    }

    /** A new stable version: boxes for it are started ahead here, those of the others go. */
    private void stableChanged(ModelStore.ModelRow m, int version) {
        ModelRunner.Spec spec = spec(m, version);
        runner.retire(m.modelId(), spec);
        if (sandboxCheck.isDone() && sandboxCheck.join().isEmpty() && sandbox.unavailable(m.runtime()).isEmpty() && Files.isDirectory(spec.codeDir())) {
            runner.prewarm(spec);
        }
    }

    /**
     * Runs a version with the event of the protocol notes; its answer is the data. The model never
     * sees its caller's token: {@code access_token} holds one minted for this invocation alone
     * (see {@link InvocationTokens}), valid only through the box's channel to the API, while the
     * caller's own token stays live, and gone when the invocation ends.
     */
    /**
     * A failure as told to someone who is not the model's owner: that it failed, and its exit code, not its log. The
     * log is the model's own (its author's prints, its stack) and is for its owner, who reads it on the draft or by
     * invoking the stable version themselves.
     */
    private static ApiException failedForInvoker(ApiException failed) {
        Map<String, Object> data = new LinkedHashMap<>();
        if (failed.data() instanceof Map<?, ?> m && m.get("exit_code") != null) data.put("exit_code", m.get("exit_code"));
        data.put("stderr", "the model failed; its owner sees why");
        return new ApiException(ErrorCode.MODEL_FAILED, data);
    }

    private Object invoke(ApiRequest r, ModelStore.ModelRow m, int version, boolean stable) {
        requireOwnerEnabled(m);
        requireSandbox(m.runtime());
        Map<String, Object> params = new LinkedHashMap<>();
        r.ctx().queryParamMap().forEach((k, vs) -> {
            if (params.size() >= MAX_PARAMS) throw ApiException.invalidParam(k, "a model takes at most " + MAX_PARAMS + " parameters");
            String v = vs.get(vs.size() - 1);
            if (v.length() > MAX_PARAM_CHARS || k.length() > 100) throw ApiException.invalidParam(k, "at most " + MAX_PARAM_CHARS + " characters");
            params.put(k, v);
        });
        ModelRunner.Spec spec = spec(m, version);
        hold(spec.codeDir());   // until the invocation is over: a sweep (a deploy, another version unpacked) leaves it
        try {
            return invokeHolding(r, m, version, stable, spec, params);
        } finally {
            release(spec.codeDir());
        }
    }

    private Object invokeHolding(ApiRequest r, ModelStore.ModelRow m, int version, boolean stable, ModelRunner.Spec spec, Map<String, Object> params) {
        requireUnpacked(m, version, spec.codeDir());
        String token = invocations.mint(r.caller(), r.bearerToken(), r.grantCredential(), invocationScopes(m, version, r.caller()),
                java.time.Duration.ofSeconds(m.timeoutSeconds() + 1L)); // the box is stopped at its timeout; one second for the handover
        String answer;
        try {
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("access_token", token);
            event.put("params", params);
            // An Omix addition to the original event: where the model reaches the API from inside its box.
            event.put("api_endpoint", Sandbox.API_ENDPOINT_IN_BOX);
            String eventText;
            try {
                eventText = ServerJson.MAPPER.writeValueAsString(event);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            answer = runner.run(spec, stable, eventText, String.valueOf(r.requestId()), ownerOf(r.caller()));
        } catch (ApiException failed) {
            if (failed.error() == ErrorCode.HTTP_TOO_MANY_REQUESTS || failed.error() == ErrorCode.HTTP_UNAVAILABLE) r.ctx().header("Retry-After", "1");
            throw failed.error() == ErrorCode.MODEL_FAILED && !m.owner().equals(ownerOf(r.caller())) ? failedForInvoker(failed) : failed;
        } finally {
            invocations.end(token);
        }
        JsonNode result;
        try {
            // The model's answer is untrusted input like any client's: the same limits, so that it can be answered.
            result = ServerJson.readClientJson(answer, "result");
        } catch (ApiException e) {
            throw new ApiException(ErrorCode.MODEL_FAILED, Map.of("stderr", "the handler's answer is not usable JSON: "
                    + ((Map<?, ?>) e.data()).get("result")));
        }
        if (result == null || !result.isObject()) {
            throw new ApiException(ErrorCode.MODEL_FAILED, Map.of("stderr", "the handler must return a JSON object {model_code, model_msg, model_data}"));
        }
        return result;
    }
}
