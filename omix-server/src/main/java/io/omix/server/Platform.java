package io.omix.server;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.omix.server.common.db.Database;

import java.time.Clock;

/**
 * What every capability is built from: settings, the database, metrics and the clock.
 * Servers keep no other state, so several can share one database.
 */
public record Platform(ServerConfig config, Database database, PrometheusMeterRegistry metrics, Clock clock) {}
