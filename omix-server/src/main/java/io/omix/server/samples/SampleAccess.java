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
        return switch (caller.kind()) {
            case USER_TOKEN -> where.and("EXISTS (SELECT 1 FROM sample_users v WHERE v.biosample_id = s.biosample_id AND v.user_id = ?)",
                    caller.userId());
            case CLIENT_TOKEN -> where.and("EXISTS (SELECT 1 FROM sample_clients v WHERE v.biosample_id = s.biosample_id AND v.client_id = ?)",
                    caller.clientId());
            case PRIVATE_APP -> where.and("s.namespace = ?", caller.namespace());
            default -> where.and("1 = 0");
        };
    }

    /** Returns {@code biosampleId} when the caller may see it; 41303 when not, or when unknown or malformed. */
    public String requireVisible(Caller caller, String biosampleId) {
        requireWellFormed(biosampleId);
        SqlWhere where = visibleTo(caller, new SqlWhere().and("s.biosample_id = ?", biosampleId));
        if (jdbc.queryOne("SELECT 1 FROM samples s" + where.sql(), rs -> 1, where.args()).isEmpty()) {
            throw new ApiException(ErrorCode.NOT_OWN_SAMPLE);
        }
        return biosampleId;
    }

    /** Returns {@code biosampleId} when it is a biosample id at all; 41303 naming the rule when not. */
    public static String requireWellFormed(String biosampleId) {
        if (biosampleId == null || !BIOSAMPLE_ID.matcher(biosampleId).matches()) {
            throw new ApiException(ErrorCode.NOT_OWN_SAMPLE, Map.of("biosample_id", biosampleId == null ? "is required" : "must be " + BIOSAMPLE_RULE));
        }
        return biosampleId;
    }
}
