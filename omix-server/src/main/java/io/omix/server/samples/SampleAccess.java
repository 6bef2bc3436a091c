package io.omix.server.samples;

import io.omix.server.common.auth.Caller;
import io.omix.server.common.auth.Scope;
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
 *
 * <p>A sample a person registered through an application (their token) is the application's to read
 * with its own client-credentials token only as far as the person's consent to it goes: each read names
 * the scope of the data it serves, and the consent must hold it. Without that, an application asked a
 * person for {@code samples} only would read the sample's variants with its own token.
 */
public final class SampleAccess {
    public static final Pattern BIOSAMPLE_ID = Pattern.compile("E-[A-Z][0-9]{11}");
    public static final String BIOSAMPLE_RULE = "E- + an upper-case letter + 11 digits";

    private final Jdbc jdbc;

    public SampleAccess(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Restricts {@code where} (on samples aliased {@code s}) to the samples whose {@code data} {@code caller} may read. */
    public static SqlWhere visibleTo(Caller caller, Scope data, SqlWhere where) {
        return where.and(visibilityCondition(caller.kind()), visibilityArgs(caller, data));
    }

    /**
     * The condition (on samples aliased {@code s}) that holds for the samples a caller of {@code kind} may see, its values
     * {@link #visibilityArgs}. A client's row written for a person ({@code for_user}) holds while the person's consent
     * to the client names the scope (the consent's scopes only grow until it is revoked, which takes the row).
     */
    private static String visibilityCondition(Caller.Kind kind) {
        return switch (kind) {
            case USER_TOKEN -> "EXISTS (SELECT 1 FROM sample_users v WHERE v.biosample_id = s.biosample_id AND v.user_id = ?)";
            case CLIENT_TOKEN -> "EXISTS (SELECT 1 FROM sample_clients v WHERE v.biosample_id = s.biosample_id AND v.client_id = ?"
                    + " AND (v.for_user IS NULL OR EXISTS (SELECT 1 FROM oauth_consents k WHERE k.user_id = v.for_user"
                    + " AND k.client_id = v.client_id AND ' ' || k.scope || ' ' LIKE ?)))";
            case PRIVATE_APP -> "s.namespace = ?";
            default -> "1 = 0";
        };
    }

    /** The values of {@link #visibilityCondition}'s {@code ?}s for {@code caller} reading {@code data}. */
    private static Object[] visibilityArgs(Caller caller, Scope data) {
        return switch (caller.kind()) {
            case USER_TOKEN -> new Object[] {caller.userId()};
            case CLIENT_TOKEN -> new Object[] {caller.clientId(), "% " + data.id() + " %"};
            case PRIVATE_APP -> new Object[] {caller.namespace()};
            default -> new Object[0];
        };
    }

    /**
     * A query reading one sample (aliased {@code s}) when its caller may read its {@code data}, its SQL written once per
     * kind of caller: the embedded database finds a statement in its cache by the SQL's text, and a text
     * built anew for every request was hashed and compared whole each time (a few per cent of a light read).
     */
    public static final class OneSample {
        private final java.util.EnumMap<Caller.Kind, String> sql = new java.util.EnumMap<>(Caller.Kind.class);
        private final Scope data;

        /** {@code select} ends where the WHERE clause goes ({@code s.biosample_id = ? AND} visibility); {@code after} follows it. */
        public OneSample(String select, String after, Scope data) {
            this.data = data;
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
            Object[] visibility = visibilityArgs(caller, data);
            Object[] args = new Object[visibility.length + 1];
            args[0] = biosampleId;
            System.arraycopy(visibility, 0, args, 1, visibility.length);
            return args;
        }
    }

    /** A query per scope (the same SQL, the scope its bound value), made once: requests read the map from many threads. */
    private static final java.util.Map<Scope, OneSample> VISIBLE = visibleQueries();

    private static java.util.Map<Scope, OneSample> visibleQueries() {
        java.util.EnumMap<Scope, OneSample> out = new java.util.EnumMap<>(Scope.class);
        for (Scope data : Scope.values()) out.put(data, new OneSample("SELECT 1 FROM samples s", "", data));
        return java.util.Collections.unmodifiableMap(out);
    }

    /** Returns {@code biosampleId} when the caller may read its {@code data}; 41303 when not, or when unknown or malformed. */
    public String requireVisible(Caller caller, String biosampleId, Scope data) {
        if (!mayRead(caller, biosampleId, data)) throw new ApiException(ErrorCode.NOT_OWN_SAMPLE);
        return biosampleId;
    }

    /** Whether the caller may read the {@code data} of {@code biosampleId} (41303 naming the rule when it is not a biosample id). */
    public boolean mayRead(Caller caller, String biosampleId, Scope data) {
        OneSample query = VISIBLE.get(data);
        return jdbc.queryOne(query.sql(caller), rs -> 1, query.args(caller, biosampleId)).isPresent();
    }

    /**
     * Returns {@code biosampleId} when the caller may read its {@code data} and write to it ({@code permission} on the
     * SMART resource {@code smartType}: {@code c} to add records, {@code u} to change the sample). An application's own
     * token writes to a sample a person registered through it only as far as her consent goes: a SMART app she allowed
     * to read her Observations ({@code patient/Observation.rs}) does not add them with its client token either. 401 with
     * the scope named when the consent holds it back.
     */
    public String requireWritable(Caller caller, String biosampleId, Scope data, String smartType, char permission) {
        requireVisible(caller, biosampleId, data);
        io.omix.server.oauth.SmartScopes.requireOwn(caller, smartType, permission);
        if (caller.kind() != Caller.Kind.CLIENT_TOKEN) return biosampleId;
        java.util.Optional<String> consent = jdbc.queryOne("SELECT k.scope FROM sample_clients v JOIN oauth_consents k ON k.user_id = v.for_user"
                + " AND k.client_id = v.client_id WHERE v.biosample_id = ? AND v.client_id = ?", rs -> rs.getString(1), biosampleId, caller.clientId());
        if (consent.isPresent() && !io.omix.server.oauth.SmartScopes.allowsOnType(io.omix.server.oauth.TokenStore.scopes(consent.get()), smartType, permission)) {
            throw new ApiException(ErrorCode.NO_PERMISSION, Map.of("scope", "the person's consent does not allow this application '" + permission + "' on " + smartType));
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
