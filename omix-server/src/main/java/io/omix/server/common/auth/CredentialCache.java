package io.omix.server.common.auth;

import io.omix.server.common.db.Jdbc;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The callers of access tokens this server verified a moment ago, so that a token used again and
 * again (every request of an application) is not read from the database each time.
 * <p>Revocation stays immediate in effect: every change that ends or narrows a credential (a revoked
 * token or grant, a disabled or erased user or client, a client's narrowed scopes) calls
 * {@link #changed()}, which bumps the credential epoch in the database and forgets every cached
 * caller on this server at once; every other server of the deployment (and this one, for changes
 * made by {@code omix admin}) polls the epoch every {@value #POLL_MILLIS} ms and forgets them when it
 * moves. An entry lives at most the configured time even if a change were made behind the
 * platform's back (by hand in the database). Tokens are held by their hash, never in clear.
 */
public final class CredentialCache implements AutoCloseable {
    static final long POLL_MILLIS = 100;
    static final int MAX_ENTRIES = 100_000;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CredentialCache.class);

    private record Entry(Caller caller, long expiresAtMillis, long cachedAtNanos) {}

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    /** Moves on every forgetting, so that a caller read before a change is not cached after it. */
    private final AtomicLong generation = new AtomicLong();
    private final Jdbc jdbc;
    private final Clock clock;
    private final long ttlNanos;
    private final Thread poller;
    private volatile boolean closed;
    private long epoch;

    /** @param ttl how long an entry may be used at most; zero turns the cache off */
    public CredentialCache(Jdbc jdbc, Clock clock, Duration ttl) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.ttlNanos = ttl.toNanos();
        if (ttlNanos > 0) {
            epoch = readEpoch();
            poller = new Thread(this::poll, "omix-credential-epoch");
            poller.setDaemon(true);
            poller.start();
        } else {
            poller = null;
        }
    }

    /**
     * The caller of the token with hash {@code tokenHash}: from the cache when it was verified a moment
     * ago, else from {@code verify} (which reads the database), cached when live.
     *
     * @param verify the caller and when the token expires (epoch milliseconds), or empty for a token that does not stand
     */
    public Optional<Caller> caller(String tokenHash, Supplier<Optional<Verified>> verify) {
        if (ttlNanos <= 0) return verify.get().map(Verified::caller);
        Entry e = entries.get(tokenHash);
        long now = System.nanoTime();
        if (e != null) {
            if (now - e.cachedAtNanos() < ttlNanos && e.expiresAtMillis() > clock.millis()) return Optional.of(e.caller());
            entries.remove(tokenHash, e);
        }
        long before = generation.get();
        Optional<Verified> v = verify.get();
        if (v.isPresent()) {
            if (entries.size() >= MAX_ENTRIES) {
                // Full: first what is past its time (of no use already), and only if that is not enough, everything. A client
                // minting a fresh token for every call fills the map, and clearing it at once made every caller's next call
                // read its token again.
                entries.values().removeIf(old -> now - old.cachedAtNanos() >= ttlNanos || old.expiresAtMillis() <= clock.millis());
                if (entries.size() >= MAX_ENTRIES) entries.clear();
            }
            Entry fresh = new Entry(v.get().caller(), v.get().expiresAtMillis(), now);
            entries.put(tokenHash, fresh);
            // A change made while the database was read: what was read may be stale, so it is not kept.
            if (generation.get() != before) entries.remove(tokenHash, fresh);
        }
        return v.map(Verified::caller);
    }

    /** A verified token: its caller and when it expires. */
    public record Verified(Caller caller, long expiresAtMillis) {}

    /**
     * A credential ended or narrowed: every server forgets what it cached (this one now, the others
     * within a poll). Call it after the change is committed.
     */
    public void changed() {
        forget();
        jdbc.update("UPDATE credential_epoch SET epoch = epoch + 1 WHERE id = 1");
        forget();
    }

    private void forget() {
        generation.incrementAndGet();
        entries.clear();
    }

    private long readEpoch() {
        return jdbc.queryOne("SELECT epoch FROM credential_epoch WHERE id = 1", rs -> rs.getLong(1)).orElse(0L);
    }

    private void poll() {
        while (!closed) {
            try {
                Thread.sleep(POLL_MILLIS);
                long now = readEpoch();
                if (now != epoch) {
                    epoch = now;
                    forget();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // The database is away (or closing): nothing is cached meanwhile, so nothing stale is served.
                forget();
                if (!closed) LOG.debug("credential epoch not read: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        if (poller != null) {
            poller.interrupt();
            try {
                poller.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        forget();
    }
}
