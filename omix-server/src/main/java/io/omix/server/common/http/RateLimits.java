package io.omix.server.common.http;

import io.javalin.http.Context;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.db.Jdbc;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToIntFunction;

/**
 * Fair use: each client application, private app and dataset key (and each person, for their
 * tokens) may make a number of calls a minute, shared by every server of a deployment.
 * <p>The count of a minute lives in the database ({@code rate_windows}); a server does not go there
 * for every call but takes a share of what is left (a fiftieth of the limit) and counts it down in
 * memory, taking another share when it is used up. So the limit holds across servers to within a
 * few shares (what servers hold unused when the minute ends), and a call costs a map lookup and an
 * increment. Over the limit: HTTP 429 with {@code Retry-After}; every answer carries the IETF
 * {@code RateLimit-Limit}, {@code RateLimit-Remaining} and {@code RateLimit-Reset} fields.
 */
public final class RateLimits {
    /**
     * The limits of a caller: calls a minute for its application (or app, or key) and for its person; and the refused
     * authentications a minute one address may cause ({@link #refuseIfGuessing}).
     */
    public record Limits(int perClientPerMinute, int perUserPerMinute, int authFailuresPerAddressPerMinute) {}

    private final Jdbc jdbc;
    private final Clock clock;
    private final Limits defaults;
    /** The client's own limit, when the operator set one (null: the default). */
    private final ToIntFunction<String> clientOverride;
    private final Map<String, Share> shares = new ConcurrentHashMap<>();
    private final Map<String, long[]> overrides = new ConcurrentHashMap<>();
    /** The minute whose shares are kept; older ones are dropped when a call of a new minute comes (on every server). */
    private volatile long sharesMinute;
    /** The last minute in which an address used its refused authentications up on this server ({@link #refuseIfGuessing}). */
    private volatile long guessingMinute = -1;
    /** Presented credentials refused this minute, by address ({@link #authenticationRefused}). */
    private final Map<String, int[]> refusals = new ConcurrentHashMap<>();
    private volatile long refusalsMinute = -1;
    private static final int MAX_COUNTED_ADDRESSES = 100_000;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RateLimits.class);

    /** The part of one minute's count a server holds for one limited key. */
    private static final class Share {
        final long minute;
        int granted;
        int used;
        /** The count in the database after this server's last take: how much the others have used too. */
        long countAfterTake;
        boolean exhausted;

        Share(long minute) {
            this.minute = minute;
        }
    }

    /**
     * @param clientOverride a client's own calls-a-minute, or 0 for the default (read at most every 10 s per client)
     */
    public RateLimits(Jdbc jdbc, Clock clock, Limits defaults, ToIntFunction<String> clientOverride) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.defaults = defaults;
        this.clientOverride = clientOverride;
    }

    /** Counts the call against the caller's limits; 429 (with Retry-After) when one is used up. Sets the RateLimit fields. */
    void check(Context ctx, Caller caller) {
        if (caller == null || caller.kind() == Caller.Kind.ANONYMOUS) return;
        long now = clock.millis();
        boolean client = caller.kind() == Caller.Kind.USER_TOKEN || caller.kind() == Caller.Kind.CLIENT_TOKEN;
        String key = switch (caller.kind()) {
            case USER_TOKEN, CLIENT_TOKEN -> "client:" + caller.clientId();
            case PRIVATE_APP -> "app:" + caller.appKey();
            case DATASET_KEY -> "dsk:" + caller.appKey();
            case ANONYMOUS -> null;
        };
        int limit = client ? limitOf(caller.clientId(), now) : defaults.perClientPerMinute();
        ApiException refused = charge(ctx, now, key, limit, caller.kind() == Caller.Kind.USER_TOKEN ? caller.userId() : null);
        if (refused != null) throw refused;
    }

    /**
     * A signed link's use (a file's download, a variant slice), counted as a call made with the grant the link names: against
     * its client's calls a minute and its person's, as a call with that grant's token is. A link is its grant's credential,
     * and a leaked one fetched in a loop cost a read and an audit entry about its person each time, limited by nothing.
     * Sets the RateLimit fields; the refusal (with {@code Retry-After} set) when a limit is used up, else null.
     *
     * @param clientId the grant's client, or null (a person's own browser session)
     * @param userId   the grant's person, or null (an application's own grant)
     */
    public ApiException chargeLink(Context ctx, String clientId, String userId) {
        long now = clock.millis();
        return charge(ctx, now, clientId == null ? null : "client:" + clientId, clientId == null ? 0 : limitOf(clientId, now), userId);
    }

    /** One call against {@code key}'s {@code limit} (none when null or 0) and {@code userId}'s personal limit (none when null). */
    private ApiException charge(Context ctx, long now, String key, int limit, String userId) {
        long minute = now / 60_000;
        if (minute != sharesMinute) {
            sharesMinute = minute;
            shares.values().removeIf(old -> old.minute < minute);
        }
        int reset = (int) Math.max(1, (minute + 1) * 60 - now / 1000);
        long remaining = Long.MAX_VALUE;
        int shown = 0;
        if (key != null && limit > 0) {
            remaining = take(key, limit, minute);
            shown = limit;
        }
        int personal = defaults.perUserPerMinute();
        if (remaining >= 0 && personal > 0 && userId != null) {
            long left = take("user:" + userId, personal, minute);
            // Refused for the person: not one of the application's calls either (a person's leaked link fetched in a loop
            // would otherwise spend the whole application's minute, its other users' calls with it).
            if (left < 0 && shown > 0) giveBack(key, minute);
            if (left < remaining) {
                remaining = left;
                shown = personal;
            }
        }
        if (shown == 0) return null; // no limit applies
        ctx.header("RateLimit-Limit", String.valueOf(shown));
        ctx.header("RateLimit-Remaining", String.valueOf(Math.max(0, remaining)));
        ctx.header("RateLimit-Reset", String.valueOf(reset));
        if (remaining >= 0) return null;
        ctx.header("Retry-After", String.valueOf(reset));
        return new ApiException(ErrorCode.HTTP_TOO_MANY_REQUESTS, Map.of("retry_after_seconds", reset, "limit_per_minute", shown));
    }

    /**
     * Refuses (429 with {@code Retry-After}) a request presenting credentials from an address whose presented credentials
     * did not verify more than {@code ratelimit.auth-failures-per-address-per-minute} times this minute on this server
     * (tokens never issued, signatures or dataset keys that do not match: {@link CredentialRefusal}), before its
     * credentials are checked: each refusal cost a lookup, and a signed one its body's hash, and no limit counted them (a
     * refused request has no caller to count against). Addresses are counted as {@link ClientAddress#subscriber} gives
     * them, in memory: a count in the database would cost a write for every new address a guesser comes from.
     */
    public void refuseIfGuessing(Context ctx) {
        int limit = defaults.authFailuresPerAddressPerMinute();
        if (limit <= 0) return;
        long now = clock.millis();
        long minute = now / 60_000;
        if (guessingMinute != minute) return; // no address used its refusals this minute: the common case, no lookup
        int[] refused = refusals.get(ClientAddress.subscriber(ClientAddress.of(ctx)));
        if (refused == null || refused[0] <= limit) return;
        throw tooMany(ctx, now, minute, limit);
    }

    /** Counts one presented credential that did not verify against its address ({@link #refuseIfGuessing}). */
    public void authenticationRefused(Context ctx) {
        int limit = defaults.authFailuresPerAddressPerMinute();
        if (limit <= 0) return;
        long minute = clock.millis() / 60_000;
        if (minute > refusalsMinute) {
            synchronized (refusals) {
                // Only forward: a thread that read the clock just before the minute turned must not clear the new minute's counts.
                if (minute > refusalsMinute) {
                    refusals.clear();
                    refusalsMinute = minute;
                }
            }
        }
        String address = ClientAddress.subscriber(ClientAddress.of(ctx));
        // Guesses from more addresses than this in one minute: the ones counted stay counted, the rest wait for the next.
        if (refusals.size() >= MAX_COUNTED_ADDRESSES && !refusals.containsKey(address)) return;
        int[] refused = refusals.computeIfAbsent(address, a -> new int[1]);
        int now;
        synchronized (refused) {
            now = ++refused[0];
        }
        // The minute of the counts just incremented (a thread that read the clock before the minute turned counts into the
        // new one), never moving back: set again by every refusal past the limit, not only the first.
        long counted = refusalsMinute;
        if (now > limit && guessingMinute < counted) guessingMinute = counted;
        if (now == limit + 1) {
            LOG.warn("credentials from {} were refused more than {} times this minute: its requests with credentials get 429 until the minute ends",
                    address, limit);
        }
    }

    /**
     * One use of {@code key}'s budget of {@code limit} a minute (over all servers, taken from the database in chunks as
     * a caller's calls are); refuses with 429, {@code Retry-After} and {@code {retry_after_seconds, limit_per_minute}}
     * when none is left. Keys name their kind ({@code "tokens:" + client}), apart from the callers' own limits.
     */
    public void spend(Context ctx, String key, int limit) {
        if (limit <= 0) return;
        long now = clock.millis();
        long minute = now / 60_000;
        if (take(key, limit, minute) >= 0) return;
        throw tooMany(ctx, now, minute, limit);
    }

    /** 429 for a budget of {@code limit} used up in {@code minute}: {@code Retry-After} the seconds to its end, and the refusal's data. */
    private static ApiException tooMany(Context ctx, long nowMillis, long minute, int limit) {
        int reset = (int) Math.max(1, (minute + 1) * 60 - nowMillis / 1000);
        ctx.header("Retry-After", String.valueOf(reset));
        return new ApiException(ErrorCode.HTTP_TOO_MANY_REQUESTS, Map.of("retry_after_seconds", reset, "limit_per_minute", limit));
    }

    /** Undoes one {@link #take} of {@code key} in {@code minute} that was not used after all (a share this server holds). */
    private void giveBack(String key, long minute) {
        Share share = shares.get(key);
        if (share == null || share.minute != minute) return;
        synchronized (share) {
            if (share.used > 0) share.used--;
        }
    }

    /** One call against {@code key}'s minute: what is left after it (an estimate across servers), or -1 when none was left. */
    private long take(String key, int limit, long minute) {
        Share share = shares.get(key);
        if (share == null || share.minute != minute) share = shares.compute(key, (k, s) -> s == null || s.minute != minute ? new Share(minute) : s);
        synchronized (share) {
            if (share.used < share.granted) {
                share.used++;
                return Math.max(0, limit - share.countAfterTake + (share.granted - share.used));
            }
            if (share.exhausted) return -1;
            int chunk = Math.max(1, limit / 50);
            long[] taken = takeFromDatabase(jdbc, clock, key, minute, limit, chunk);
            share.countAfterTake = taken[1];
            if (taken[0] == 0) {
                share.exhausted = true;
                return -1;
            }
            share.granted += (int) taken[0];
            share.used++;
            return Math.max(0, limit - share.countAfterTake + (share.granted - share.used));
        }
    }

    /**
     * One use of {@code key}'s budget of {@code limit} in the window starting at {@code windowMinute}, shared by
     * every server, taken from the database at once (for budgets counted in tens, not thousands, per minute):
     * false when none was left. The window's row goes with housekeeping an hour after {@code windowMinute}.
     */
    public static boolean takeOne(Jdbc jdbc, Clock clock, String key, long windowMinute, int limit) {
        return takeFromDatabase(jdbc, clock, key, windowMinute, limit, 1)[0] == 1;
    }

    /** Takes up to {@code chunk} calls of the minute's count: {how many were taken, the count after}. */
    private static long[] takeFromDatabase(Jdbc jdbc, Clock clock, String key, long minute, int limit, int chunk) {
        for (int attempt = 0; ; attempt++) {
            try {
                return jdbc.inTransaction(c -> {
                    List<Long> used = Jdbc.query(c, "SELECT used FROM rate_windows WHERE limit_key = ? AND window_minute = ? FOR UPDATE",
                            rs -> rs.getLong(1), key, minute);
                    long before = used.isEmpty() ? 0 : used.get(0);
                    long granted = Math.max(0, Math.min(chunk, limit - before));
                    if (used.isEmpty()) {
                        Jdbc.update(c, "INSERT INTO rate_windows (limit_key, window_minute, used, created_at) VALUES (?,?,?,?)", key, minute, granted,
                                OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC));
                    } else if (granted > 0) {
                        Jdbc.update(c, "UPDATE rate_windows SET used = used + ? WHERE limit_key = ? AND window_minute = ?", granted, key, minute);
                    }
                    return new long[] {granted, before + granted};
                });
            } catch (Jdbc.DataAccessException e) {
                // Two servers opening the same minute at once: one inserted; the other takes from its row.
                if (attempt >= 2 || !e.isIntegrityViolation()) throw e;
            }
        }
    }

    private int limitOf(String clientId, long now) {
        long[] known = overrides.get(clientId);
        if (known == null || known[1] < now) {
            int own = clientOverride.applyAsInt(clientId);
            known = new long[] {own, now + 10_000};
            overrides.put(clientId, known);
        }
        return known[0] > 0 ? (int) known[0] : defaults.perClientPerMinute();
    }

    /** Minutes counted more than an hour ago (housekeeping). */
    public int removeOld(OffsetDateTime now) {
        return jdbc.update("DELETE FROM rate_windows WHERE window_minute < ?", now.toEpochSecond() / 60 - 60);
    }
}
