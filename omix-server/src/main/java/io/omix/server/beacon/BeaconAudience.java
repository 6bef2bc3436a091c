package io.omix.server.beacon;

import io.omix.server.common.auth.Caller;
import io.omix.server.common.auth.Scope;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.db.SqlWhere;
import io.omix.server.samples.SampleAccess;
import io.omix.server.variants.CarrierSearch;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Who asks the Beacon, and over which samples it may answer them at which granularity. Anonymous callers
 * get booleans, over the projects an operator published (at boolean or count); a token's caller gets counts,
 * over the projects published at count and the samples it sees itself (with the entry type's scope); records
 * only ever come from the samples the caller sees itself, today. Nothing is published by default.
 */
final class BeaconAudience {
    enum Granularity {
        BOOLEAN, COUNT, RECORD;

        String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Granularity of(String wire) {
            return valueOf(wire.toUpperCase(Locale.ROOT));
        }
    }

    /** What an operator may publish a project at. */
    static final List<String> PUBLIC_LEVELS = List.of("none", "boolean", "count");

    private final Jdbc jdbc;
    final Caller caller;
    /** The scope a token needs for its own samples to count (variants for genomic variations, samples for the rest). */
    private final Scope needed;

    BeaconAudience(Jdbc jdbc, Caller caller, Scope needed) {
        this.jdbc = jdbc;
        this.caller = caller;
        this.needed = needed;
    }

    boolean anonymous() {
        return caller.kind() == Caller.Kind.ANONYMOUS;
    }

    /** Whether the caller's own samples take part: a token with the entry type's scope. */
    boolean seesOwn() {
        return (caller.kind() == Caller.Kind.USER_TOKEN || caller.kind() == Caller.Kind.CLIENT_TOKEN) && caller.hasScope(needed.id());
    }

    /**
     * The granularity answered for the one asked: never finer than the caller is allowed, and never one that
     * would cover nothing it could have answered coarser (records need samples of its own; counts need those or a
     * project published at count, else a boolean over the published projects says more).
     */
    Granularity granted(Granularity asked) {
        if (anonymous()) return Granularity.BOOLEAN;
        boolean own = seesOwn() && hasOwnSamples();
        if (asked == Granularity.RECORD) return own ? Granularity.RECORD : granted(Granularity.COUNT);
        if (asked == Granularity.COUNT && !own
                && jdbc.queryOne("SELECT 1 FROM projects WHERE beacon_public = 'count' FETCH FIRST 1 ROWS ONLY", rs -> 1).isEmpty()) {
            return Granularity.BOOLEAN;
        }
        return asked;
    }

    private boolean hasOwnSamples() {
        SqlWhere where = SampleAccess.visibleTo(caller, needed, new SqlWhere());
        return jdbc.queryOne("SELECT 1 FROM samples s" + where.sql() + " FETCH FIRST 1 ROWS ONLY", rs -> 1, where.args()).isPresent();
    }

    /**
     * A published project's sample (aliased {@code sp}) takes part in answers to others unless a person bound to it chose
     * to keep their samples out of the Beacon (their own answers still cover it, as the caller's own).
     */
    private static final String NOT_OPTED_OUT = "NOT EXISTS (SELECT 1 FROM sample_users ou JOIN users ox ON ox.user_id = ou.user_id"
            + " WHERE ou.biosample_id = sp.biosample_id AND ox.beacon_opt_out = TRUE)";

    /** Publication levels whose projects an answer at {@code g} covers: boolean answers read both, counts only count. */
    static List<String> publishedFor(Granularity g) {
        return switch (g) {
            case BOOLEAN -> List.of("boolean", "count");
            case COUNT -> List.of("count");
            case RECORD -> List.of();
        };
    }

    /** One sample an answer covers, and whether the caller sees it itself. */
    record Covered(String biosampleId, boolean own) {}

    /** The samples an answer at {@code g} covers, by id: the published ones, then (or also) the caller's own. */
    Map<String, Covered> samples(Granularity g) {
        Map<String, Covered> out = new LinkedHashMap<>();
        List<String> levels = publishedFor(g);
        if (!levels.isEmpty()) {
            SqlWhere where = new SqlWhere().in("p.beacon_public", levels).and(NOT_OPTED_OUT);
            for (String id : jdbc.query("SELECT DISTINCT sp.biosample_id FROM sample_projects sp JOIN projects p ON p.project_id = sp.project_id"
                    + where.sql() + " ORDER BY sp.biosample_id", rs -> rs.getString(1), where.args())) {
                out.put(id, new Covered(id, false));
            }
        }
        if (seesOwn()) {
            SqlWhere where = SampleAccess.visibleTo(caller, needed, new SqlWhere());
            for (String id : jdbc.query("SELECT s.biosample_id FROM samples s" + where.sql() + " ORDER BY s.biosample_id", rs -> rs.getString(1), where.args())) {
                out.put(id, new Covered(id, true));
            }
        }
        return out;
    }

    /** The current imports of the samples an answer at {@code g} covers, and which of those samples are the caller's own. */
    record Subjects(List<CarrierSearch.Subject> subjects, Set<String> own) {
        boolean reachesOthers() {
            for (CarrierSearch.Subject s : subjects) if (!own.contains(s.biosampleId())) return true;
            return false;
        }
    }

    Subjects variantSubjects(Granularity g) {
        Map<String, CarrierSearch.Subject> bySample = new LinkedHashMap<>();
        Set<String> own = new LinkedHashSet<>();
        Jdbc.RowMapper<CarrierSearch.Subject> subject = rs -> new CarrierSearch.Subject(rs.getString(1), rs.getLong(2), rs.getString(3));
        List<String> levels = publishedFor(g);
        if (!levels.isEmpty()) {
            SqlWhere where = new SqlWhere().and("vs.is_current = TRUE").in("p.beacon_public", levels).and(NOT_OPTED_OUT);
            for (CarrierSearch.Subject s : jdbc.query("SELECT DISTINCT vs.biosample_id, vs.source_id, vs.assembly FROM variant_sources vs"
                    + " JOIN sample_projects sp ON sp.biosample_id = vs.biosample_id JOIN projects p ON p.project_id = sp.project_id"
                    + where.sql() + " ORDER BY vs.biosample_id", subject, where.args())) {
                bySample.put(s.biosampleId(), s);
            }
        }
        if (seesOwn()) {
            SqlWhere where = SampleAccess.visibleTo(caller, needed, new SqlWhere().and("vs.is_current = TRUE"));
            for (CarrierSearch.Subject s : jdbc.query("SELECT vs.biosample_id, vs.source_id, vs.assembly FROM samples s"
                    + " JOIN variant_sources vs ON vs.biosample_id = s.biosample_id" + where.sql() + " ORDER BY vs.biosample_id", subject, where.args())) {
                bySample.put(s.biosampleId(), s);
                own.add(s.biosampleId());
            }
        }
        return new Subjects(List.copyOf(bySample.values()), own);
    }

    /**
     * The probing identity: the client of a client's token, the client and person of a person's token (the people of one
     * shared client, the CLI or the console, would otherwise use up each other's budget), or the address of an
     * anonymous caller.
     */
    String probeKey(String address) {
        if (anonymous()) return "beacon:address:" + io.omix.server.common.http.ClientAddress.subscriber(address);
        return caller.kind() == io.omix.server.common.auth.Caller.Kind.USER_TOKEN
                ? "beacon:client:" + caller.clientId() + ":user:" + caller.userId() : "beacon:client:" + caller.clientId();
    }

    /**
     * The budget all of one client's tokens share besides their own (null when anonymous): an application holding many
     * people's tokens must not ask as many times the questions as it has people.
     */
    String applicationProbeKey() {
        return anonymous() ? null : "beacon:application:" + caller.clientId();
    }
}
