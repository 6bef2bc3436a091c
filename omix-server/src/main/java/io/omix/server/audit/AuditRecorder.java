package io.omix.server.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.http.ApiRequest;
import io.omix.server.common.http.Routes;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Records every call of an endpoint that holds or reaches personal data, after its handler and before
 * its answer leaves: the caller (or, for a refused credential, that it was refused), the route, the
 * ids it named, how many records it answered with, the address, the request id and the outcome.
 * Public endpoints called without a credential (sign-in pages, /ping, the token endpoint) are not
 * personal-data access and are not recorded. Handlers of plain endpoints that serve personal data
 * (signed downloads, console pages) record through {@link #attribute}.
 */
public final class AuditRecorder {
    static final String ACTOR = "omix.audit.actor";

    /** Who a plain endpoint served, as its handler established it. */
    public record Actor(String kind, String id, String userId, String credential, String operation, String resources) {}

    private AuditRecorder() {}

    /** For plain endpoints: records this request as {@code actor}'s access. */
    public static void attribute(Context ctx, Actor actor) {
        ctx.attribute(ACTOR, actor);
    }

    public static void install(RoutesConfig routes, AuditLog log) {
        if (!log.enabled()) return;
        routes.after(ctx -> {
            AuditLog.Entry entry = entryOf(ctx);
            if (entry == null) return;
            try {
                log.record(entry);
            } catch (IllegalStateException e) {
                // Not recorded, not answered: the answer is replaced before it leaves (logged by AuditLog).
                ctx.status(500);
                ctx.contentType("application/json; charset=utf-8");
                ctx.result("{\"code\":500,\"msg\":\"服务器内部错误\",\"data\":{\"request_id\":\"" + ctx.attribute(ApiRequest.REQUEST_ID) + "\"}}");
            }
        });
    }

    static AuditLog.Entry entryOf(Context ctx) {
        String outcome = ctx.statusCode() + " " + (Routes.codeOf(ctx) == null ? "-" : Routes.codeOf(ctx));
        String source = io.omix.server.common.http.ClientAddress.of(ctx);
        String requestId = ctx.attribute(ApiRequest.REQUEST_ID);
        Actor plain = ctx.attribute(ACTOR);
        if (plain != null) {
            return AuditLog.Entry.of(plain.kind(), plain.id(), plain.userId(), plain.credential(), plain.operation(), plain.resources(),
                    Routes.recordsOf(ctx), source, requestId, outcome);
        }
        Access access = Routes.accessOf(ctx);
        ApiRequest request = Routes.requestOf(ctx);
        if (access == null || request == null) return null;
        String operation = ctx.method().name() + " " + Routes.routeOf(ctx);
        Caller caller = request.caller();
        if (caller == null || caller.kind() == Caller.Kind.ANONYMOUS) {
            // A public endpoint without a credential is nobody's data; a refused attempt at another is recorded.
            if (access == Access.PUBLIC || Routes.unchecked(ctx)) return null;
            if (access == Access.TOKEN_IF_SENT && caller == Caller.ANONYMOUS) {
                // An open Beacon answers strangers about people's genomes: who asked what is kept.
                return AuditLog.Entry.of("anonymous", null, null, "none", operation, resources(ctx, request), Routes.recordsOf(ctx), source, requestId, outcome);
            }
            return AuditLog.Entry.of("unknown", null, null, "refused", operation, resources(ctx, request), null, source, requestId, outcome);
        }
        String credential = request.viaModelChannel() ? "invocation_token" : switch (caller.kind()) {
            case USER_TOKEN -> "user_token";
            case CLIENT_TOKEN -> "client_token";
            case PRIVATE_APP -> "signed_request";
            case DATASET_KEY -> "dataset_key";
            case ANONYMOUS -> "none";
        };
        String kind = caller.operator() ? "operator" : request.viaModelChannel() ? "model" : switch (caller.kind()) {
            case USER_TOKEN, CLIENT_TOKEN -> "client";
            case PRIVATE_APP -> "private_app";
            case DATASET_KEY -> "dataset_key";
            case ANONYMOUS -> "unknown";
        };
        String actorId = caller.kind() == Caller.Kind.PRIVATE_APP ? caller.appKey()
                : caller.kind() == Caller.Kind.DATASET_KEY ? caller.appKey() : caller.clientId();
        return AuditLog.Entry.of(kind, actorId, caller.userId(), credential, operation, resources(ctx, request), Routes.recordsOf(ctx),
                source, requestId, outcome);
    }

    /** Parameters that name personal data: every {@code *_id}, {@code *_ids}, batch and object names. Values are clipped. */
    private static final Set<String> NAMED = Set.of("batch_no", "collection_id", "object_name", "biosample_ids", "model_id", "upload_id",
            // A Beacon query names a genotype: the probe itself is what an audit of re-identification needs.
            "variantId", "referenceName", "start", "end", "referenceBases", "alternateBases", "assemblyId", "query",
            // FHIR names whose data it reads by the patient (or subject) and the resource id.
            "patient", "subject", "id");

    /**
     * What the request named, among the parameters its endpoint declares (or its path holds): anything else a caller
     * adds is ignored by the endpoint, and would only be a way to write into the trail (a stranger naming someone's
     * sample in a made-up parameter of a public endpoint would put that in the person's own view of who read them).
     */
    static String resources(Context ctx, ApiRequest request) {
        Map<String, List<JsonNode>> input = request.inputIfRead();
        if (input == null) return null;
        io.omix.server.common.validation.ParamSpec spec = Routes.specOf(ctx);
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, List<JsonNode>> e : input.entrySet()) {
            String name = e.getKey();
            if (!(name.endsWith("_id") || name.endsWith("_ids") || NAMED.contains(name))) continue;
            if (!(spec != null && spec.declares(name) || ctx.pathParamMap().containsKey(name))) continue;
            for (JsonNode v : e.getValue()) {
                String text = v.isValueNode() ? v.asText() : v.toString();
                if (out.length() > 0) out.append(' ');
                out.append(name).append('=').append(io.omix.server.common.validation.Texts.cut(text, 200));
                if (out.length() > 1000) return io.omix.server.common.validation.Texts.cut(out.toString(), 1000);
            }
        }
        return out.length() == 0 ? null : out.toString();
    }
}
