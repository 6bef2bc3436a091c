package io.omix.server;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Server settings. Read from defaults, then a properties file, then {@code OMIX_*} environment
 * variables, then explicit overrides (command-line flags), each later source winning.
 * Unknown keys in the file are an error, so a misspelt setting never goes unnoticed.
 *
 * @param host            address to listen on
 * @param port            port to listen on (0 picks a free one)
 * @param publicUrl       how clients reach this server (used in links it hands out); empty = derived
 * @param dataDir         local state: embedded database, object store, demo credentials
 * @param dbUrl           JDBC URL; empty = the embedded database under {@code dataDir}
 * @param dbUser          database user
 * @param dbPassword      database password
 * @param dbPoolSize      connections in the pool
 * @param maxRequestBytes largest request body accepted (413 above)
 * @param shutdownTimeout how long a stop waits for requests in flight
 * @param demo            create demo data on an empty database: "auto" (the embedded database behind a loopback address), "true", "false"
 * @param masterKey       base64 of 32 bytes encrypting stored app secrets; empty = {@code dataDir/master.key}
 *                        (created on first start; required with {@code db.url}, where servers must share it)
 * @param accessTokenTtl  life of an OAuth2 access token
 * @param refreshTokenTtl life of an OAuth2 refresh token
 * @param defaultZone     the zone of times given without an offset (the original platform's: +08:00)
 * @param taskWorkers     threads running queued tasks on this server (0: this server runs none)
 * @param taskLease       how long a claimed task stays with its server without a heartbeat; a task whose
 *                        server died is claimed again after this
 * @param filesDir        the local object store's root; empty = {@code dataDir/objects} (several servers
 *                        share one by pointing this at a shared file system)
 * @param fileMaxBytes    largest object accepted (an upload above it is refused before it is stored)
 * @param filePartMaxBytes largest part of a multipart upload
 * @param uploadCredentialTtl life of upload credentials from /sts/token
 * @param s3Url           an S3-compatible bucket for the object store, as {@code http(s)://host[:port]/bucket}
 *                        (path-style); empty = the local file system
 * @param s3AccessKey     its access key
 * @param s3SecretKey     its secret key
 * @param s3Region        its region
 * @param modelsDir       where deployed models' code is unpacked and run; empty = a directory under the
 *                        system's temporary directory (models run as another user, who must reach it)
 * @param modelsPoolSize  sandboxes started ahead for each published model version (0: every invocation
 *                        starts its own box when it arrives); each still serves exactly one invocation
 * @param modelsPython    the python3 interpreter that python3 models run on (bound read-only into their box)
 * @param housekeepingInterval how often one server of the deployment cleans up (0: this server never does)
 * @param taskRetention   how long finished tasks stay readable
 * @param variantMaxCallsPerImport the most calls one VCF import may hold (its rs id index is built in memory, 8 bytes a call)
 * @param fileMaxBytesPerOwner the most bytes one owner's files and unfinished uploads may hold together
 * @param microbiomeBackground when a taxon's cohort background is published and with what figures
 * @param quotas         what one caller may hold or queue
 * @param fhirStatsMaxRecords the most Observations one FHIR $stats request reads (over all the codes it asks about)
 * @param aggregateMaxRecords the most stream records one aggregate_omics_data request reads
 * @param fhirLegacyPatientIds whether a client's Patient ids of their first form ({@code p} and 24 letters or digits, a
 *                       keyed digest) are still looked up, each by reading through the client's people
 * @param authFailuresPerAddressPerMinute presented credentials that did not verify one address (IPv6 by its /64) may
 *                       cause a minute on one server before its requests with credentials are refused unchecked (0: not counted)
 * @param metricsTokenSha256 hex SHA-256 of the bearer token {@code GET /metrics} requires; empty = open (kept
 *                       behind the balancer instead)
 */
public record ServerConfig(String host, int port, String publicUrl, Path dataDir, String dbUrl, String dbUser,
                           String dbPassword, int dbPoolSize, long maxRequestBytes, Duration shutdownTimeout,
                           String demo, String masterKey, Duration accessTokenTtl, Duration refreshTokenTtl,
                           java.time.ZoneOffset defaultZone, int taskWorkers, Duration taskLease,
                           String filesDir, long fileMaxBytes, long filePartMaxBytes, Duration uploadCredentialTtl,
                           String s3Url, String s3AccessKey, String s3SecretKey, String s3Region, String modelsDir,
                           int modelsPoolSize, String modelsPython, Duration housekeepingInterval, Duration taskRetention,
                           boolean auditEnabled, Duration auditRetention, int rateLimitPerClient, int rateLimitPerUser,
                           int tokensPerClientPerMinute, Webhooks webhooks, Duration tokenCache, Beacon beacon, java.util.Set<String> trustedProxies,
                           int variantMaxCallsPerImport, long fileMaxBytesPerOwner, MicrobiomeBackground microbiomeBackground,
                           Quotas quotas, String metricsTokenSha256, long fhirStatsMaxRecords,
                           long aggregateMaxRecords, boolean fhirLegacyPatientIds, int authFailuresPerAddressPerMinute) {

    /**
     * What one caller may hold or queue, so that nobody fills the store or the task queue for everyone else.
     *
     * @param tasksQueuedPerOwner  tasks of one owner waiting to run at once (more are refused with 429)
     * @param datasetRowsPerKey    rows the datasets of one dataset API key may hold together
     * @param datasetBytesPerKey   characters of cells (as stored) the datasets of one dataset API key may hold together
     * @param datasetsPerKey       datasets (not deleted) one dataset API key may hold, rows or none
     * @param openBatchesPerNamespace batches of the private platform one namespace may hold uncommitted (items or none)
     * @param filesPerOwner        files and unfinished uploads one owner may hold
     * @param samplesPerRegistrant samples one private app's namespace, or one OAuth client (people through it included), may hold
     */
    public record Quotas(int tasksQueuedPerOwner, long datasetRowsPerKey, long datasetBytesPerKey, long batchItemsPerNamespace,
                         long streamRecordsPerNamespace, long streamRecordsPerSample, long datasetsPerKey, long openBatchesPerNamespace,
                         long filesPerOwner, long samplesPerRegistrant) {}

    /**
     * When the microbiome cohort background is published, so that comparing answers tells little of any one profile.
     *
     * @param minCohort    the fewest samples a taxon's background describes with figures (below it they are null)
     * @param publishEvery how many new or replaced taxon profiles wait before the background takes them in, together
     */
    public record MicrobiomeBackground(int minCohort, int publishEvery) {}

    /**
     * What the GA4GH Beacon tells callers about data they may not see themselves.
     *
     * @param countThreshold counts from 1 to this, over data the caller does not see, are answered as "at most" this
     * @param probesPerHour  variant queries over such data one caller (a client's token, a person through a client, or an
     *                       address when anonymous) may ask per hour
     * @param probesPerHourPerApplication such queries all the tokens of one client may ask together per hour
     * @param anonymousPerMinute entry-type queries one anonymous address (IPv6 by its /64) may make a minute, over all servers
     */
    public record Beacon(int countThreshold, int probesPerHour, int probesPerHourPerApplication, int anonymousPerMinute) {}

    /**
     * How webhooks are delivered.
     *
     * @param allowHttpLoopback    accept {@code http://} URLs on this machine (development); otherwise https only
     * @param allowPrivateNetworks accept hosts that resolve to private, loopback or link-local addresses (a closed network)
     * @param retryInitial         the wait before the second attempt; it doubles with every failure, up to {@code retryMax}
     * @param giveUpAfter          how long a delivery is retried before it is marked failed (and its endpoint disabled)
     * @param coalesceWindow       stream.records_written: one event per series and window
     * @param retention            delivered and failed deliveries are kept this long for the deliveries list
     */
    public record Webhooks(boolean allowHttpLoopback, boolean allowPrivateNetworks, Duration retryInitial, Duration retryMax,
                           Duration giveUpAfter, Duration coalesceWindow, Duration retention) {}

    /** Every setting with its default, in the order the docs list them. */
    public static final Map<String, String> DEFAULTS;
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    static {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("server.host", "127.0.0.1");
        d.put("server.port", "8080");
        d.put("server.public-url", "");
        d.put("server.max-request-bytes", String.valueOf(16L * 1024 * 1024));
        d.put("server.shutdown-timeout-seconds", "30");
        d.put("data.dir", "./data");
        d.put("db.url", "");
        d.put("db.user", "");
        d.put("db.password", "");
        d.put("db.pool-size", "10");
        d.put("demo.enabled", "auto");
        d.put("security.master-key", "");
        d.put("security.token-cache-millis", "500");
        d.put("beacon.count-threshold", "5");
        d.put("server.trusted-proxies", "");
        d.put("beacon.probes-per-hour", "200");
        d.put("beacon.probes-per-hour-per-application", "2000");
        d.put("beacon.anonymous-per-minute", "120");
        d.put("oauth.access-token-ttl-seconds", "7200");
        d.put("oauth.refresh-token-ttl-seconds", String.valueOf(30 * 24 * 3600));
        d.put("time.default-zone", "+08:00");
        d.put("tasks.workers", "2");
        d.put("tasks.lease-seconds", "60");
        d.put("files.dir", "");
        d.put("files.max-object-bytes", String.valueOf(64L * 1024 * 1024 * 1024));
        d.put("files.max-part-bytes", String.valueOf(1024L * 1024 * 1024));
        d.put("files.credential-ttl-seconds", "3600");
        d.put("files.s3-url", "");
        d.put("files.s3-access-key", "");
        d.put("files.s3-secret-key", "");
        d.put("files.s3-region", "us-east-1");
        d.put("models.dir", "");
        d.put("models.pool-size", "2");
        d.put("models.python", "/usr/bin/python3");
        d.put("housekeeping.interval-seconds", "600");
        d.put("housekeeping.task-retention-days", "30");
        d.put("audit.enabled", "true");
        d.put("audit.retention-days", "3650");
        d.put("ratelimit.per-client-per-minute", "60000");
        d.put("ratelimit.per-user-per-minute", "6000");
        d.put("ratelimit.tokens-per-client-per-minute", "600");
        d.put("ratelimit.auth-failures-per-address-per-minute", "600");
        d.put("webhooks.allow-http-loopback", "false");
        d.put("webhooks.allow-private-networks", "false");
        d.put("webhooks.retry-initial-seconds", "10");
        d.put("webhooks.retry-max-seconds", "3600");
        d.put("webhooks.give-up-seconds", "86400");
        d.put("webhooks.coalesce-seconds", "60");
        d.put("webhooks.retention-days", "7");
        d.put("variants.max-calls-per-import", "16000000");
        d.put("files.max-bytes-per-owner", String.valueOf(1L << 40));
        d.put("microbiome.background-min-cohort", "10");
        d.put("microbiome.background-publish-every", "10");
        d.put("tasks.max-queued-per-owner", "100");
        d.put("datasets.max-rows-per-key", "100000000");
        d.put("datasets.max-bytes-per-key", String.valueOf(64L << 30));
        d.put("batches.max-items-per-namespace", "100000000");
        d.put("batches.max-open-per-namespace", "10000");
        d.put("datasets.max-per-key", "100000");
        d.put("files.max-objects-per-owner", "100000");
        d.put("samples.max-per-registrant", "1000000");
        d.put("streams.max-records-per-namespace", "1000000000");
        d.put("streams.max-records-per-sample", "100000000");
        d.put("metrics.token-sha256", "");
        d.put("fhir.stats-max-records", "1000000");
        d.put("streams.aggregate-max-records", "1000000");
        d.put("fhir.legacy-patient-ids", "false");
        DEFAULTS = java.util.Collections.unmodifiableMap(d);
    }

    public ServerConfig {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("server.port must be 0..65535");
        if (dbPoolSize < 1 || dbPoolSize > 500) throw new IllegalArgumentException("db.pool-size must be 1..500");
        if (maxRequestBytes < 1024) throw new IllegalArgumentException("server.max-request-bytes must be >= 1024");
        if (!demo.equals("auto") && !demo.equals("true") && !demo.equals("false")) {
            throw new IllegalArgumentException("demo.enabled must be auto, true or false");
        }
        if (!dbUrl.isEmpty() && masterKey.isEmpty()) {
            throw new IllegalArgumentException("security.master-key is required with db.url: every server of a deployment needs the same one"
                    + " (generate: openssl rand -base64 32)");
        }
        if (taskWorkers < 0 || taskWorkers > 64) throw new IllegalArgumentException("tasks.workers must be 0..64");
        // Each running task holds a connection (two, for some), and the lease heartbeat needs one of its own: with as many
        // workers as connections the heartbeat waited, leases ran out and other servers took running tasks over.
        if (taskWorkers > 0 && taskWorkers > dbPoolSize / 2) {
            throw new IllegalArgumentException("tasks.workers (" + taskWorkers + ") must be at most half of db.pool-size (" + dbPoolSize
                    + "): each running task holds database connections, and requests and the tasks' heartbeat need some too");
        }
        if (taskLease.getSeconds() < 1) throw new IllegalArgumentException("tasks.lease-seconds must be >= 1");
        if (fileMaxBytes < 1 || filePartMaxBytes < 1024) throw new IllegalArgumentException("files.max-object-bytes >= 1 and files.max-part-bytes >= 1024");
        if (fileMaxBytesPerOwner < 1) throw new IllegalArgumentException("files.max-bytes-per-owner >= 1");
        if (uploadCredentialTtl.getSeconds() < 60 || uploadCredentialTtl.getSeconds() > 12 * 3600) {
            throw new IllegalArgumentException("files.credential-ttl-seconds must be 60..43200");
        }
        if (modelsPoolSize < 0 || modelsPoolSize > 16) throw new IllegalArgumentException("models.pool-size must be 0..16");
        if (!publicUrl.isEmpty()) {
            // The base of every link the platform hands out (signed downloads, tasks, the console's redirects): one without
            // a scheme or host made links nobody could follow.
            java.net.URI base;
            try {
                base = java.net.URI.create(publicUrl);
            } catch (IllegalArgumentException e) {
                base = null;
            }
            // The authority, not the host: Java has no host for names with '_' (a compose service's), which served before.
            if (base == null || base.getRawAuthority() == null || base.getRawAuthority().isEmpty()
                    || !("https".equals(base.getScheme()) || "http".equals(base.getScheme()))
                    || base.getRawQuery() != null || base.getRawFragment() != null || base.getRawUserInfo() != null) {
                throw new IllegalArgumentException("server.public-url must be an absolute http(s) URL such as https://omix.example.org, not "
                        + publicUrl);
            }
        }
        if (auditRetention.toDays() < 1) throw new IllegalArgumentException("audit.retention-days must be >= 1");
        if (rateLimitPerClient < 0 || rateLimitPerUser < 0 || tokensPerClientPerMinute < 0 || authFailuresPerAddressPerMinute < 0) {
            throw new IllegalArgumentException("ratelimit.* must be >= 0 (0: no limit)");
        }
        if (taskRetention.toDays() < 1) throw new IllegalArgumentException("housekeeping.task-retention-days must be >= 1");
        if (!metricsTokenSha256.isEmpty() && !metricsTokenSha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("metrics.token-sha256 must be the token's SHA-256 as 64 lower-case hex digits"
                    + " (printf %s \"$TOKEN\" | sha256sum | cut -d' ' -f1)");
        }
        if (metricsTokenSha256.equals(EMPTY_SHA256)) {
            throw new IllegalArgumentException("metrics.token-sha256 is the SHA-256 of nothing (an unset $TOKEN?): make one with openssl rand -hex 32");
        }
        if (accessTokenTtl.getSeconds() < 60 || refreshTokenTtl.compareTo(accessTokenTtl) < 0) {
            throw new IllegalArgumentException("oauth token lifetimes: access >= 60 s and refresh >= access");
        }
    }

    /** The environment variable that overrides {@code key}: {@code db.pool-size} is {@code OMIX_DB_POOL_SIZE}. */
    public static String envName(String key) {
        return "OMIX_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * @param file      properties file, or null for none
     * @param env       environment (System.getenv() in production)
     * @param overrides settings given on the command line
     */
    public static ServerConfig load(Path file, Map<String, String> env, Map<String, String> overrides) {
        Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
        if (file != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
            }
            for (String key : p.stringPropertyNames()) {
                requireKnown(key, "in " + file);
                values.put(key, p.getProperty(key).trim());
            }
        }
        for (String key : DEFAULTS.keySet()) {
            String v = env.get(envName(key));
            if (v != null) values.put(key, v.trim());
        }
        overrides.forEach((key, value) -> {
            requireKnown(key, "on the command line");
            values.put(key, value);
        });
        return of(values);
    }

    /** Defaults only, with the given overrides: what tests and embedders use. */
    public static ServerConfig defaults(Map<String, String> overrides) {
        return load(null, Map.of(), overrides);
    }

    private static void requireKnown(String key, String where) {
        if (!DEFAULTS.containsKey(key)) {
            throw new IllegalArgumentException("unknown setting '" + key + "' " + where + "; known: " + DEFAULTS.keySet());
        }
    }

    private static ServerConfig of(Map<String, String> v) {
        return new ServerConfig(
                v.get("server.host"),
                integer(v, "server.port"),
                v.get("server.public-url"),
                Path.of(v.get("data.dir")).toAbsolutePath().normalize(),
                v.get("db.url"),
                v.get("db.user"),
                v.get("db.password"),
                integer(v, "db.pool-size"),
                Long.parseLong(number(v, "server.max-request-bytes")),
                Duration.ofSeconds(integer(v, "server.shutdown-timeout-seconds")),
                v.get("demo.enabled").toLowerCase(Locale.ROOT),
                v.get("security.master-key"),
                Duration.ofSeconds(integer(v, "oauth.access-token-ttl-seconds")),
                Duration.ofSeconds(integer(v, "oauth.refresh-token-ttl-seconds")),
                zone(v.get("time.default-zone")),
                integer(v, "tasks.workers"),
                Duration.ofSeconds(integer(v, "tasks.lease-seconds")),
                v.get("files.dir"),
                Long.parseLong(number(v, "files.max-object-bytes")),
                Long.parseLong(number(v, "files.max-part-bytes")),
                Duration.ofSeconds(integer(v, "files.credential-ttl-seconds")),
                v.get("files.s3-url"),
                v.get("files.s3-access-key"),
                v.get("files.s3-secret-key"),
                v.get("files.s3-region"),
                v.get("models.dir"),
                integer(v, "models.pool-size"),
                v.get("models.python"),
                Duration.ofSeconds(integer(v, "housekeeping.interval-seconds")),
                Duration.ofDays(integer(v, "housekeeping.task-retention-days")),
                bool(v, "audit.enabled"),
                Duration.ofDays(integer(v, "audit.retention-days")),
                integer(v, "ratelimit.per-client-per-minute"),
                integer(v, "ratelimit.per-user-per-minute"),
                integer(v, "ratelimit.tokens-per-client-per-minute"),
                new Webhooks(bool(v, "webhooks.allow-http-loopback"), bool(v, "webhooks.allow-private-networks"),
                        Duration.ofSeconds(Math.max(1, integer(v, "webhooks.retry-initial-seconds"))),
                        Duration.ofSeconds(Math.max(1, integer(v, "webhooks.retry-max-seconds"))),
                        Duration.ofSeconds(Math.max(1, integer(v, "webhooks.give-up-seconds"))),
                        Duration.ofSeconds(Math.max(1, integer(v, "webhooks.coalesce-seconds"))),
                        Duration.ofDays(Math.max(1, integer(v, "webhooks.retention-days")))),
                Duration.ofMillis(Math.min(1000, integer(v, "security.token-cache-millis"))),
                new Beacon(Math.max(1, integer(v, "beacon.count-threshold")), Math.max(1, integer(v, "beacon.probes-per-hour")),
                        Math.max(1, integer(v, "beacon.probes-per-hour-per-application")),
                        Math.max(1, integer(v, "beacon.anonymous-per-minute"))),
                addresses(v.get("server.trusted-proxies")),
                Math.max(1, integer(v, "variants.max-calls-per-import")),
                Long.parseLong(number(v, "files.max-bytes-per-owner")),
                new MicrobiomeBackground(Math.max(1, integer(v, "microbiome.background-min-cohort")),
                        Math.max(1, integer(v, "microbiome.background-publish-every"))),
                new Quotas(Math.max(1, integer(v, "tasks.max-queued-per-owner")), Math.max(1, Long.parseLong(number(v, "datasets.max-rows-per-key"))),
                        Math.max(1, Long.parseLong(number(v, "datasets.max-bytes-per-key"))),
                        Math.max(1, Long.parseLong(number(v, "batches.max-items-per-namespace"))),
                        Math.max(1, Long.parseLong(number(v, "streams.max-records-per-namespace"))),
                        Math.max(1, Long.parseLong(number(v, "streams.max-records-per-sample"))),
                        Math.max(1, Long.parseLong(number(v, "datasets.max-per-key"))),
                        Math.max(1, Long.parseLong(number(v, "batches.max-open-per-namespace"))),
                        Math.max(1, Long.parseLong(number(v, "files.max-objects-per-owner"))),
                        Math.max(1, Long.parseLong(number(v, "samples.max-per-registrant")))),
                v.get("metrics.token-sha256"),
                Math.max(1, Long.parseLong(number(v, "fhir.stats-max-records"))),
                Math.max(1, Long.parseLong(number(v, "streams.aggregate-max-records"))),
                bool(v, "fhir.legacy-patient-ids"),
                integer(v, "ratelimit.auth-failures-per-address-per-minute"));
    }

    /** A comma-separated list of IP addresses (the load balancers in front of the servers). */
    private static java.util.Set<String> addresses(String text) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (String a : text.split(",")) {
            String t = a.trim();
            if (t.isEmpty()) continue;
            String address = t.matches("[0-9A-Fa-f:.]{2,64}") ? io.omix.server.common.http.ClientAddress.canonical(t) : null;
            if (address == null) throw new IllegalArgumentException("server.trusted-proxies lists IP addresses, got '" + t + "'");
            // Written as the server sees its peers (IPv6 in full, as the HTTP server gives them): "fd00::5" matches.
            out.add(address);
        }
        return java.util.Set.copyOf(out);
    }

    private static java.time.ZoneOffset zone(String text) {
        try {
            return java.time.ZoneOffset.of(text);
        } catch (java.time.DateTimeException e) {
            throw new IllegalArgumentException("time.default-zone must be an offset such as +08:00, got '" + text + "'");
        }
    }

    private static String number(Map<String, String> v, String key) {
        String s = v.get(key);
        if (!s.matches("\\d{1,18}")) throw new IllegalArgumentException(key + " must be a whole number, got '" + s + "'");
        return s;
    }

    private static boolean bool(Map<String, String> v, String key) {
        String s = v.get(key).toLowerCase(Locale.ROOT);
        if (!s.equals("true") && !s.equals("false")) throw new IllegalArgumentException(key + " must be true or false, got '" + v.get(key) + "'");
        return Boolean.parseBoolean(s);
    }

    private static int integer(Map<String, String> v, String key) {
        long n = Long.parseLong(number(v, key));
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException(key + " is too large");
        return (int) n;
    }

    /** True when no JDBC URL was configured: the server keeps its database under {@link #dataDir()}. */
    public boolean embeddedDatabase() {
        return dbUrl.isEmpty();
    }

    /** Where the local object store keeps its objects. */
    public Path objectsDir() {
        return filesDir.isEmpty() ? dataDir.resolve("objects") : Path.of(filesDir).toAbsolutePath().normalize();
    }

    /** Where models' code is unpacked and run: {@code models.dir}, else one directory per data directory under the temporary directory. */
    public Path modelsRoot() {
        if (!modelsDir.isEmpty()) return Path.of(modelsDir).toAbsolutePath().normalize();
        String id = Integer.toHexString(dataDir.toString().hashCode());
        return Path.of(System.getProperty("java.io.tmpdir"), "omix-models-" + id).toAbsolutePath();
    }

    /** True when {@link #modelsRoot()} is the server's own temporary directory (no {@code models.dir} given). */
    public boolean modelsRootIsTemporary() {
        return modelsDir.isEmpty();
    }

    /**
     * Whether an empty database gets demo data: asked for, or ({@code auto}) an embedded database behind a loopback
     * address, a developer's machine; a server others reach gets demo users and clients only when asked.
     */
    public boolean demoEnabled() {
        if (!demo.equals("auto")) return Boolean.parseBoolean(demo);
        // Behind a proxy (server.public-url naming another host) others reach it however it listens.
        return embeddedDatabase() && loopback(host) && (publicUrl.isEmpty() || loopback(java.net.URI.create(publicUrl).getHost()));
    }

    /** Whether {@code host} is a loopback name or address (by its text: no lookup). */
    private static boolean loopback(String host) {
        String h = host == null ? "" : host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("[::1]");
    }

    public ServerConfig withPort(int newPort) {
        return new ServerConfig(host, newPort, publicUrl, dataDir, dbUrl, dbUser, dbPassword, dbPoolSize,
                maxRequestBytes, shutdownTimeout, demo, masterKey, accessTokenTtl, refreshTokenTtl, defaultZone, taskWorkers, taskLease,
                filesDir, fileMaxBytes, filePartMaxBytes, uploadCredentialTtl, s3Url, s3AccessKey, s3SecretKey, s3Region, modelsDir,
                modelsPoolSize, modelsPython, housekeepingInterval, taskRetention, auditEnabled, auditRetention, rateLimitPerClient, rateLimitPerUser,
                tokensPerClientPerMinute, webhooks, tokenCache, beacon, trustedProxies, variantMaxCallsPerImport, fileMaxBytesPerOwner, microbiomeBackground, quotas,
                metricsTokenSha256, fhirStatsMaxRecords, aggregateMaxRecords, fhirLegacyPatientIds,
                authFailuresPerAddressPerMinute);
    }

    @Override
    public String toString() {
        // The password never reaches a log.
        return "ServerConfig[host=" + host + ", port=" + port + ", dataDir=" + dataDir + ", db="
                + (embeddedDatabase() ? "embedded" : dbUrl.replaceAll("password=[^&;]*", "password=***"))
                + ", poolSize=" + dbPoolSize + ", maxRequestBytes=" + maxRequestBytes + ", demo=" + demo
                + ", masterKey=" + (masterKey.isEmpty() ? "file" : "***") + ", objects=" + (s3Url.isEmpty() ? "local" : s3Url) + "]";
    }
}
