package io.omix.server.audit;

import io.omix.server.Capability;
import io.omix.server.Platform;
import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Scope;
import io.omix.server.common.http.Routes;
import io.omix.server.common.validation.DateTimeParam;
import io.omix.server.common.validation.IntParam;
import io.omix.server.common.validation.LongParam;
import io.omix.server.common.validation.Param;
import io.omix.server.common.validation.ParamSpec;
import io.omix.server.common.validation.StringListParam;
import io.omix.server.common.validation.StringParam;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The audit trail over HTTP. {@code GET /audit/mine}: what applications did with the signed-in
 * person's data (the console's "Who used my data"; scope grants). {@code GET /admin/audit} and
 * {@code GET /admin/audit/verify}: the operator's list and check (the console's audit page);
 * {@code GET /admin/audit/head}: the head to copy elsewhere, which a later check is given back.
 */
public final class AuditCapability implements Capability {
    static final StringParam USER = Param.string("user_id").maxLength(64);
    static final StringParam CLIENT = Param.string("client_id").maxLength(200);
    static final StringParam SAMPLE = Param.string("biosample_id").maxLength(16);
    static final StringParam OPERATION = Param.string("operation").maxLength(200);
    static final DateTimeParam SINCE = Param.dateTime("since");
    static final DateTimeParam UNTIL = Param.dateTime("until");
    static final LongParam AFTER = Param.longInt("after").range(0, Long.MAX_VALUE).orElse(0L);
    static final IntParam LIMIT = Param.integer("limit").range(1, 1000).orElse(200);
    static final StringListParam HEADS = Param.stringList("heads").maxItems(100).maxItemLength(90)
            .pattern(AuditLog.Head.FORM, "seq:hash, a copy of the head as GET /admin/audit/head gave it")
            .describe("copies of earlier heads: the check also finds a head moved back behind one, or the chain rewritten before one");
    static final LongParam BEFORE = Param.longInt("before").range(1, Long.MAX_VALUE).orElse(Long.MAX_VALUE);

    private final Platform platform;

    public AuditCapability(Platform platform) {
        this.platform = platform;
    }

    @Override
    public void routes(Routes routes) {
        // Newest first, a page at a time: before= the last entry's seq reads on (however many entries came since).
        routes.get("/audit/mine", Access.USER_TOKEN, ParamSpec.of(SINCE, BEFORE, LIMIT), (r, p) -> {
            r.caller().requireScope(Scope.GRANTS);
            String person = r.caller().userId();
            AuditLog.PersonPage page = platform.audit().personPage(person, p.get(SINCE), p.get(BEFORE), p.get(LIMIT));
            List<AuditLog.Entry> entries = page.entries();
            Map<String, String> names = platform.audit().clientNames(entries.stream().map(AuditLog.Entry::actorId).toList());
            List<String> own = platform.database().jdbc().query("SELECT biosample_id FROM sample_users WHERE user_id = ?", rs -> rs.getString(1), person);
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("entries", entries.stream().map(e -> {
                Map<String, Object> m = e.fieldsFor(person, own);
                m.put("actor_name", e.actorId() == null ? null : names.get(e.actorId()));
                return m;
            }).toList());
            answer.put("next_before", page.nextBefore());
            return answer;
        });
        routes.get("/admin/audit", Access.OPERATOR, ParamSpec.of(USER, CLIENT, SAMPLE, OPERATION, SINCE, UNTIL, AFTER, LIMIT), (r, p) -> {
            AuditLog.Query q = new AuditLog.Query(p.get(USER), p.get(CLIENT), p.get(SAMPLE), p.get(SINCE) == null ? null : p.get(SINCE).toInstant(),
                    p.get(UNTIL) == null ? null : p.get(UNTIL).toInstant(), p.get(OPERATION), p.get(AFTER), p.get(LIMIT));
            return Map.of("entries", platform.audit().list(q).stream().map(AuditLog.Entry::fields).toList());
        });
        routes.get("/admin/audit/head", Access.OPERATOR, ParamSpec.NONE, (r, p) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            try {
                AuditLog.Head head = platform.audit().head();
                m.put("sealed", true);
                m.put("seq", head.seq());
                m.put("hash", head.hash());
                m.put("copy", head.toString());
            } catch (IllegalStateException unsealed) {
                // Nothing a script could copy: a head someone put there would fail every later check against it.
                m.put("sealed", false);
                m.put("copy", null);
            }
            return m;
        });
        routes.get("/admin/audit/verify", Access.OPERATOR, ParamSpec.of(HEADS), (r, p) -> {
            List<String> heads = p.get(HEADS);
            AuditLog.Verification v = platform.audit().verify(heads == null ? List.of()
                    : heads.stream().map(h -> AuditLog.Head.parse(h).orElseThrow()).toList());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("intact", v.firstBrokenSeq().isEmpty());
            m.put("checked", v.checked());
            m.put("first_broken_seq", v.firstBrokenSeq().orElse(null));
            m.put("reason", v.reason());
            return m;
        });
    }
}
