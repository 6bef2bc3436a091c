package io.omix.server;

import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.omix.server.common.db.Database;
import io.omix.server.common.http.HttpErrors;
import io.omix.server.common.http.RequestObservation;
import io.omix.server.common.http.Routes;
import io.omix.server.common.http.ServerJson;
import io.omix.server.console.ConsoleCapability;
import io.omix.server.datasets.DatasetsCapability;
import io.omix.server.files.FilesCapability;
import io.omix.server.models.ModelsCapability;
import io.omix.server.demo.DemoSeeder;
import io.omix.server.apps.AppsCapability;
import io.omix.server.batches.BatchesCapability;
import io.omix.server.microbiome.MicrobiomeCapability;
import io.omix.server.oauth.OAuthCapability;
import io.omix.server.samples.SamplesCapability;
import io.omix.server.streams.StreamsCapability;
import io.omix.server.system.SystemRoutes;
import io.omix.server.tasks.TasksCapability;
import io.omix.server.users.UsersCapability;
import io.omix.server.variants.VariantsCapability;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The platform server: opens the database (migrating it), registers every capability's routes on
 * one Javalin instance, creates demo data on a fresh installation, and stops gracefully.
 */
public final class OmixServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OmixServer.class);

    /** The capabilities every server runs, in registration order. */
    static final List<Capability.Factory> BUILT_IN = List.of(
            SystemRoutes::new, UsersCapability::new, OAuthCapability::new, AppsCapability::new, SamplesCapability::new,
            VariantsCapability::new, MicrobiomeCapability::new, StreamsCapability::new, TasksCapability::new, BatchesCapability::new,
            DatasetsCapability::new, FilesCapability::new, ModelsCapability::new, io.omix.server.audit.AuditCapability::new,
            io.omix.server.privacy.PrivacyCapability::new, io.omix.server.webhooks.WebhooksCapability::new,
            io.omix.server.drs.DrsCapability::new, io.omix.server.htsget.HtsgetCapability::new,
            io.omix.server.beacon.BeaconCapability::new, io.omix.server.fhir.FhirCapability::new, ConsoleCapability::new);

    private final Platform platform;
    private final Javalin app;
    private final List<Capability> capabilities;
    private final List<Routes.Route> routeTable;
    private final io.omix.server.housekeeping.Housekeeping housekeeping;
    private final Optional<Path> demoCredentials;
    private volatile boolean stopped;

    private OmixServer(Platform platform, Javalin app, List<Capability> capabilities, List<Routes.Route> routeTable,
                       io.omix.server.housekeeping.Housekeeping housekeeping, Optional<Path> demoCredentials) {
        this.platform = platform;
        this.app = app;
        this.capabilities = capabilities;
        this.routeTable = routeTable;
        this.housekeeping = housekeeping;
        this.demoCredentials = demoCredentials;
    }

    /** The capability of that class this server runs, if any (for operations and tests that reach one directly). */
    public <T extends Capability> Optional<T> capability(Class<T> type) {
        return capabilities.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    public static OmixServer start(ServerConfig config) {
        return builder(config).start();
    }

    public static Builder builder(ServerConfig config) {
        return new Builder(config);
    }

    public static final class Builder {
        private final ServerConfig config;
        private final List<Capability.Factory> extra = new ArrayList<>();
        private Clock clock = Clock.systemUTC();

        private Builder(ServerConfig config) {
            this.config = config;
        }

        /** Adds a capability beside the built-in ones (embedders and tests). */
        public Builder capability(Capability.Factory factory) {
            extra.add(factory);
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public OmixServer start() {
            long started = System.nanoTime();
            Platform platform = Platform.open(config, clock);
            PrometheusMeterRegistry metrics = platform.metrics();
            new JvmMemoryMetrics().bindTo(metrics);
            new JvmThreadMetrics().bindTo(metrics);
            new ClassLoaderMetrics().bindTo(metrics);
            new ProcessorMetrics().bindTo(metrics);
            new UptimeMetrics().bindTo(metrics);
            JvmGcMetrics gc = new JvmGcMetrics();
            gc.bindTo(metrics);
            Database database = platform.database();
            List<Capability> capabilities = new ArrayList<>();
            List<Routes.Route> table = new ArrayList<>();
            Javalin listening = null;
            try {
                io.omix.server.common.http.RateLimits rateLimits = new io.omix.server.common.http.RateLimits(database.jdbc(), platform.clock(),
                        new io.omix.server.common.http.RateLimits.Limits(config.rateLimitPerClient(), config.rateLimitPerUser(),
                                config.authFailuresPerAddressPerMinute()),
                        new io.omix.server.oauth.ClientStore(platform)::rateLimitOf);
                io.omix.server.common.http.Idempotency idempotency = new io.omix.server.common.http.Idempotency(database.jdbc(), platform.clock(),
                        platform.masterKey().derive(io.omix.server.common.http.Idempotency.FINGERPRINT_KEY_PURPOSE));
                for (Capability.Factory f : BUILT_IN) capabilities.add(f.create(platform));
                for (Capability.Factory f : extra) capabilities.add(f.create(platform));
                Javalin app = Javalin.create(jc -> {
                    jc.startup.showJavalinBanner = false;
                    jc.startup.showOldJavalinVersionWarning = false;
                    jc.jetty.host = config.host();
                    jc.jetty.port = config.port();
                    jc.http.maxRequestSize = config.maxRequestBytes();
                    jc.http.defaultContentType = "application/json";
                    jc.http.prefer405over404 = true;
                    jc.concurrency.useVirtualThreads = Runtime.version().feature() >= 21;
                    jc.jsonMapper(new JavalinJackson(ServerJson.MAPPER, false));
                    jc.jetty.modifyServer(server -> {
                        // New requests get 503 while the ones in flight finish, up to the shutdown timeout.
                        server.setHandler(new GracefulHandler());
                        server.setStopTimeout(config.shutdownTimeout().toMillis());
                        server.setStopAtShutdown(false);
                        ErrorHandler errors = new io.omix.server.common.http.JsonErrorHandler();
                        errors.setShowStacks(false);
                        errors.setShowCauses(false);
                        errors.setShowMessageInTitle(false);
                        server.setErrorHandler(errors);
                    });
                    jc.jetty.modifyServletContextHandler(h -> h.setMaxFormContentSize((int) Math.min(Integer.MAX_VALUE, config.maxRequestBytes())));
                    jc.jetty.modifyHttpConfiguration(http -> {
                        http.setSendServerVersion(false);
                        // The framework's lenient URI rules, less UTF-16 escapes (%u0041): the path parameters' decoder refuses
                        // them with an exception, which reached the answer as a 500; now the request is refused as malformed (400).
                        http.setUriCompliance(org.eclipse.jetty.http.UriCompliance.LEGACY.without("LEGACY without UTF-16 escapes",
                                org.eclipse.jetty.http.UriCompliance.Violation.UTF16_ENCODINGS));
                    });
                    for (Capability c : capabilities) c.jetty(jc.jetty);
                    io.omix.server.common.http.ClientAddress.install(jc.routes, config.trustedProxies());
                    io.omix.server.common.http.Cookies.install(jc.routes, config.publicUrl());
                    RequestObservation.install(jc, metrics);
                    io.omix.server.common.http.RequestShape.install(jc.routes);
                    HttpErrors.install(jc.routes);
                    io.omix.server.audit.AuditRecorder.install(jc.routes, platform.audit());
                    Routes routes = new Routes(jc.routes, platform.authenticators(), idempotency, rateLimits);
                    for (Capability c : capabilities) c.routes(routes);
                    table.addAll(routes.table());
                });
                // Demo data exists before the first /ping answers, so scripts that wait for /ping find it;
                // only on a random port (tests) is the endpoint known after starting.
                Optional<Path> demo = config.port() == 0 ? Optional.empty()
                        : DemoSeeder.seedIfFresh(platform, capabilities, publicUrl(config, config.port()));
                app.start();
                listening = app;
                String endpoint = publicUrl(config, app.port());
                if (config.port() == 0) demo = DemoSeeder.seedIfFresh(platform, capabilities, endpoint);
                platform.tasks().start();
                for (Capability c : capabilities) c.start();
                List<io.omix.server.housekeeping.Housekeeping.Job> jobs = new ArrayList<>();
                for (Capability c : capabilities) jobs.addAll(c.housekeeping());
                jobs.add(new io.omix.server.housekeeping.Housekeeping.Job("audit_log",
                        (now, r) -> platform.audit().removeBefore(now.minus(config.auditRetention()))));
                jobs.add(new io.omix.server.housekeeping.Housekeeping.Job("audit_spools",
                        (now, r) -> platform.audit().forgetSpoolsBefore(now.minusDays(7))));
                jobs.add(new io.omix.server.housekeeping.Housekeeping.Job("rate_windows", (now, r) -> rateLimits.removeOld(now)));
                jobs.add(new io.omix.server.housekeeping.Housekeeping.Job("idempotency_keys",
                        (now, r) -> idempotency.removeExpired(now)));
                io.omix.server.housekeeping.Housekeeping housekeeping = new io.omix.server.housekeeping.Housekeeping(platform, jobs);
                housekeeping.start();
                OmixServer server = new OmixServer(platform, app, capabilities, List.copyOf(table), housekeeping, demo);
                LOG.info("Omix listening on {} ({} database, ready in {} ms)", endpoint,
                        database.vendor().name().toLowerCase(), (System.nanoTime() - started) / 1_000_000);
                return server;
            } catch (RuntimeException e) {
                // A step after the listener started failed (demo data, a capability's start): its port and threads go too.
                if (listening != null) listening.stop();
                closeAll(capabilities);
                platform.close();
                throw e;
            }
        }
    }

    static String publicUrl(ServerConfig config, int port) {
        if (!config.publicUrl().isEmpty()) return config.publicUrl().replaceAll("/+$", "");
        String host = config.host().equals("0.0.0.0") || config.host().equals("::") ? "localhost" : config.host();
        if (host.contains(":")) host = "[" + host + "]";
        return "http://" + host + ":" + port;
    }

    /** This server's housekeeping (operators and tests run it at will). */
    public io.omix.server.housekeeping.Housekeeping housekeeping() {
        return housekeeping;
    }

    /** Every endpoint this server registered: method, path, who may call it, its parameters. */
    public List<Routes.Route> routeTable() {
        return routeTable;
    }

    public int port() {
        return app.port();
    }

    /** Where clients reach this server. */
    public URI url() {
        return URI.create(publicUrl(platform.config(), port()));
    }

    public Platform platform() {
        return platform;
    }

    /** The demo credentials file, when this installation has demo data. */
    public Optional<Path> demoCredentials() {
        return demoCredentials;
    }

    /** Stops accepting requests, lets those in flight finish (up to the shutdown timeout), closes the database. */
    public synchronized void stop() {
        if (stopped) return;
        stopped = true;
        try {
            housekeeping.close();
            app.stop();
            platform.tasks().close();
            closeAll(capabilities);
        } finally {
            platform.close();
            ModelsCapability.removeTemporaryCode(platform.config());
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static void closeAll(List<Capability> capabilities) {
        for (Capability c : capabilities) {
            try {
                c.close();
            } catch (RuntimeException e) {
                LOG.warn("closing {} failed: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
