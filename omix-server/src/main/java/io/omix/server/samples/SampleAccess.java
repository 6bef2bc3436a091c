package io.omix.server.samples;

import io.omix.server.common.auth.Caller;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.db.SqlWhere;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ErrorCode;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Who sees which sample, in one place for every capability that serves sample data: a user token
 * sees the samples bound to its user, a client-credentials token those its client registered or was
 * assigned, a private app those of its namespace. Anything else, unknown or malformed: 41303.
 */
public final class SampleAccess {
    public static final Pattern BIOSAMPLE_ID = Pattern.compile("E-[A-Z][0-9]{11}");
    public static final String BIOSAMPLE_RULE = "E- + an upper-case letter + 11 digits";

    private final Jdbc jdbc;

    public SampleAccess(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Restricts {@code where} (on samples aliased {@code s}) to what {@code caller} may see. */
    public static SqlWhere visibleTo(Caller caller, SqlWhere where) {
        String condition = visibilityCondition(caller.kind());
        return takesArg(caller.kind()) ? where.and(condition, visibilityArg(caller)) : where.and(condition);
    }

    /** The condition (on samples aliased {@code s}) that holds for the samples a caller of {@code kind} may see; one {@code ?} unless none. */
    private static String visibilityCondition(Caller.Kind kind) {
        return switch (kind) {
            case USER_TOKEN -> "EXISTS (SELECT 1 FROM sample_users v WHERE v.biosample_id = s.biosample_id AND v.user_id = ?)";
            case CLIENT_TOKEN -> "EXISTS (SELECT 1 FROM sample_clients v WHERE v.biosample_id = s.biosample_id AND v.client_id = ?)";
            case PRIVATE_APP -> "s.namespace = ?";
            default -> "1 = 0";
        };
    }

    private static boolean takesArg(Caller.Kind kind) {
        return kind == Caller.Kind.USER_TOKEN || kind == Caller.Kind.CLIENT_TOKEN || kind == Caller.Kind.PRIVATE_APP;
    }

    /** The value of {@link #visibilityCondition}'s {@code ?} for {@code caller} (when {@link #takesArg}). */
    private static Object visibilityArg(Caller caller) {
        return switch (caller.kind()) {
            case USER_TOKEN -> caller.userId();
            case CLIENT_TOKEN -> caller.clientId();
            case PRIVATE_APP -> caller.namespace();
            default -> null;
        };
    }

    /**
     * A query reading one sample (aliased {@code s}) when its caller may see it, its SQL written once per
     * kind of caller: the embedded database finds a statement in its cache by the SQL's text, and a text
     * built anew for every request was hashed and compared whole each time (a few per cent of a light read).
     */
    public static final class OneSample {
        private final java.util.EnumMap<Caller.Kind, String> sql = new java.util.EnumMap<>(Caller.Kind.class);

        /** {@code select} ends where the WHERE clause goes ({@code s.biosample_id = ? AND} visibility); {@code after} follows it. */
        public OneSample(String select, String after) {
            for (Caller.Kind kind : Caller.Kind.values()) {
                sql.put(kind, select + " WHERE s.biosample_id = ? AND " + visibilityCondition(kind) + after);
            }
        }

        public String sql(Caller caller) {
            return sql.get(caller.kind());
        }

        /** The query's values: {@code biosampleId} (41303 naming the rule when it is not one) and the caller's. */
        public Object[] args(Caller caller, String biosampleId) {
            requireWellFormed(biosampleId);
            return takesArg(caller.kind()) ? new Object[] {biosampleId, visibilityArg(caller)} : new Object[] {biosampleId};
        }
    }

    private static final OneSample VISIBLE = new OneSample("SELECT 1 FROM samples s", "");

    /** Returns {@code biosampleId} when the caller may see it; 41303 when not, or when unknown or malformed. */
    public String requireVisible(Caller caller, String biosampleId) {
        if (jdbc.queryOne(VISIBLE.sql(caller), rs -> 1, VISIBLE.args(caller, biosampleId)).isEmpty()) {
            throw new ApiException(ErrorCode.NOT_OWN_SAMPLE);
        }
        return biosampleId;
    }

    /** True when {@code id} matches {@link #BIOSAMPLE_ID}, checked by hand: every sample read asks. */
    public static boolean isBiosampleId(String id) {
        if (id == null || id.length() != 14 || id.charAt(0) != 'E' || id.charAt(1) != '-' || id.charAt(2) < 'A' || id.charAt(2) > 'Z') return false;
        for (int i = 3; i < 14; i++) {
            if (id.charAt(i) < '0' || id.charAt(i) > '9') return false;
        }
        return true;
    }

    /** Returns {@code biosampleId} when it is a biosample id at all; 41303 naming the rule when not. */
    public static String requireWellFormed(String biosampleId) {
        if (!isBiosampleId(biosampleId)) {
            throw new ApiException(ErrorCode.NOT_OWN_SAMPLE, Map.of("biosample_id", biosampleId == null ? "is required" : "must be " + BIOSAMPLE_RULE));
        }
        return biosampleId;
    }
}
