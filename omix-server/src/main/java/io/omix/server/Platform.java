package io.omix.server;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.omix.server.audit.AuditLog;
import io.omix.server.common.auth.Authenticators;
import io.omix.server.common.auth.MasterKey;
import io.omix.server.common.db.Database;
import io.omix.server.files.ObjectStore;
import io.omix.server.tasks.TaskEngine;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * What every capability is built from: settings, the database, metrics, the clock, the master key,
 * the authenticators registry, the task engine, the object store (one for every capability that
 * reads or writes objects), the audit trail and the cache of recently verified tokens. Servers keep no other state, so several can share one database.
 */
public record Platform(ServerConfig config, Database database, PrometheusMeterRegistry metrics, Clock clock,
                       MasterKey masterKey, Authenticators authenticators, TaskEngine tasks, ObjectStore objects, AuditLog audit,
                       io.omix.server.common.auth.CredentialCache credentials, io.omix.server.streams.StreamQuota streamQuota) {

    /**
     * Opens what a platform needs without serving HTTP (the server itself, and {@code omix admin}):
     * the database, migrated, the master key, and the task engine (its workers start with the server).
     */
    public static Platform open(ServerConfig config, Clock clock) {
        return open(config, clock, io.omix.server.common.db.Database.Upgrade.ANY);
    }

    /** {@link #open(ServerConfig, Clock)}, migrating the database only as {@code upgrade} allows. */
    public static Platform open(ServerConfig config, Clock clock, io.omix.server.common.db.Database.Upgrade upgrade) {
        try {
            // The server's alone from the first command on (omix admin too): the database, its AUTO_SERVER key file, the
            // master key, the objects. Only a started server with models protected it before.
            io.omix.server.common.io.FileTrees.ownOnly(config.dataDir());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot prepare the data directory " + config.dataDir(), e);
        }
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        io.omix.server.common.auth.MasterKeyCheck.Opening opening = io.omix.server.common.auth.MasterKeyCheck.opening(config.masterKey(),
                config.dataDir().resolve("master.key"));
        MasterKey candidate = opening.key();
        io.omix.server.audit.ChainKey chainKey = new io.omix.server.audit.ChainKey(candidate.derive(io.omix.server.audit.ChainKey.PURPOSE));
        Database database = Database.open(config, metrics, opening::verify, upgrade, new io.omix.server.audit.AuditChainKeying(chainKey));
        try {
            opening.record(database.jdbc());
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
        MasterKey key = opening.key();
        ObjectStore objects;
        try {
            objects = ObjectStore.of(config);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
        // Each part made is closed again if a later one cannot be (the audit log's writer and the credential poller are
        // threads, the database a file and its lock): an embedder that retries gets a clean start, not two databases.
        TaskEngine tasks = null;
        AuditLog audit = null;
        io.omix.server.common.auth.CredentialCache credentials = null;
        try {
            tasks = new TaskEngine(database.jdbc(), config, clock);
            audit = new AuditLog(database.jdbc(), chainKey, clock, config.auditEnabled(), config.dataDir().resolve("audit-spool"));
            credentials = new io.omix.server.common.auth.CredentialCache(database.jdbc(), clock, config.tokenCache());
            return new Platform(config, database, metrics, clock, key, new Authenticators(), tasks, objects, audit, credentials,
                    new io.omix.server.streams.StreamQuota(database.jdbc(), clock, config.quotas()));
        } catch (RuntimeException | Error e) {
            if (credentials != null) credentials.close();
            if (audit != null) audit.close();
            if (tasks != null) tasks.close();
            database.close();
            objects.close();
            metrics.close();
            throw e;
        }
    }

    /** Now, as stored in the database (UTC). */
    public OffsetDateTime now() {
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }

    /** Releases the task workers (running tasks finish first), the audit writer, the database, the object store and metrics, in that order. */
    public void close() {
        tasks.close();
        credentials.close();
        audit.close();
        database.close();
        objects.close();
        metrics.close();
    }
}
