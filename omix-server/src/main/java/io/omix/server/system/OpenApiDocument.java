package io.omix.server.system;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Scope;
import io.omix.server.common.http.ErrorCode;
import io.omix.server.common.http.Routes;
import io.omix.server.common.http.ServerJson;
import io.omix.server.common.validation.Param;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenAPI 3.1 document of every endpoint, drawn from the server's own route table and parameter
 * declarations (so it cannot drift from what the server does): paths, who may call each (security),
 * each parameter with its schema and rule, the answer's shape and the platform codes it can carry.
 */
final class OpenApiDocument {
    private static final Pattern PATH_PARAM = Pattern.compile("\\{([a-z_]+)}");

    private OpenApiDocument() {}

    static ObjectNode build(List<Routes.Route> table) {
        ObjectNode doc = ServerJson.MAPPER.createObjectNode();
        doc.put("openapi", "3.1.0");
        ObjectNode info = doc.putObject("info");
        info.put("title", "Omix");
        info.put("version", "0.1.0");
        info.put("description", "The open platform (OAuth2 tokens), the private platform (signed requests of partner apps) and the dataset"
                + " batches API (API keys). Open and private platform answers are envelopes {code, msg, data} on HTTP 200, errors included;"
                + " the dataset batches API answers plain JSON with HTTP statuses. Every error code: x-omix-error-codes and docs/api.md.");
        doc.putArray("servers").addObject().put("url", "/");
        ArrayNode tags = doc.putArray("tags");
        for (String[] t : new String[][] {{"open platform", "OAuth2-token APIs: profile, samples, variants, microbiome, streams, files, models"},
                {"OAuth2", "authorization, tokens, introspection, revocation"}, {"private platform", "signed requests of partner apps"},
                {"dataset batches API", "datasets and their batches, with an API key"}, {"operators", "administration with an operator's token"},
                {"system", "liveness, metrics, this document"}}) {
            tags.addObject().put("name", t[0]).put("description", t[1]);
        }
        ObjectNode paths = doc.putObject("paths");
        Map<String, List<Routes.Route>> byPath = new TreeMap<>();
        for (Routes.Route r : table) {
            if (r.path().startsWith("/console") || r.path().contains("*")) continue; // the web console's pages are not an API
            byPath.computeIfAbsent(r.path(), p -> new ArrayList<>()).add(r);
        }
        byPath.forEach((path, routes) -> {
            ObjectNode item = paths.putObject(path);
            for (Routes.Route r : routes) item.set(r.method().toLowerCase(Locale.ROOT), operation(r));
        });
        components(doc.putObject("components"));
        ArrayNode codes = doc.putArray("x-omix-error-codes");
        for (ErrorCode c : ErrorCode.values()) {
            codes.addObject().put("code", c.code()).put("msg", c.msg()).put("meaning", c.meaning()).put("http_level", c.httpLevel());
        }
        return doc;
    }

    private static ObjectNode operation(Routes.Route r) {
        ObjectNode op = ServerJson.MAPPER.createObjectNode();
        op.putArray("tags").add(tag(r));
        op.put("operationId", r.method().toLowerCase(Locale.ROOT) + r.path().replaceAll("[^A-Za-z0-9]+", "_"));
        op.put("summary", r.method() + " " + r.path());
        List<String> inPath = new ArrayList<>();
        Matcher m = PATH_PARAM.matcher(r.path());
        while (m.find()) inPath.add(m.group(1));
        boolean body = (r.method().equals("POST") || r.method().equals("PATCH") || r.method().equals("PUT"))
                && (r.kind() == Routes.Kind.ENVELOPE || r.kind() == Routes.Kind.RESOURCE);
        ArrayNode parameters = op.putArray("parameters");
        ObjectNode bodySchema = ServerJson.MAPPER.createObjectNode().put("type", "object");
        ObjectNode properties = bodySchema.putObject("properties");
        ArrayNode required = ServerJson.MAPPER.createArrayNode();
        for (String name : inPath) {
            Param<?, ?> p = find(r, name);
            ObjectNode param = parameters.addObject().put("name", name).put("in", "path").put("required", true);
            param.set("schema", p == null ? ServerJson.MAPPER.createObjectNode().put("type", "string") : schema(p));
            if (p != null) param.put("description", describe(p));
        }
        for (Param<?, ?> p : r.spec().params()) {
            if (inPath.contains(p.name())) continue;
            if (body) {
                properties.set(p.name(), schema(p).put("description", describe(p)));
                if (p.isRequired()) required.add(p.name());
            } else {
                ObjectNode param = parameters.addObject().put("name", p.name()).put("in", "query").put("required", p.isRequired());
                param.set("schema", schema(p));
                param.put("description", describe(p));
            }
        }
        if (parameters.isEmpty()) op.remove("parameters");
        if (body && !properties.isEmpty()) {
            if (!required.isEmpty()) bodySchema.set("required", required);
            ObjectNode content = op.putObject("requestBody").put("required", !required.isEmpty()).putObject("content");
            content.putObject("application/json").set("schema", bodySchema);
            if (r.kind() == Routes.Kind.ENVELOPE) content.putObject("application/x-www-form-urlencoded").set("schema", bodySchema.deepCopy());
        }
        if (r.kind() == Routes.Kind.ENVELOPE_PAYLOAD || r.kind() == Routes.Kind.RESOURCE_PAYLOAD) {
            op.putObject("requestBody").put("required", true).putObject("content").putObject("application/octet-stream")
                    .putObject("schema").put("type", "string").put("contentMediaType", "application/octet-stream");
        }
        responses(op.putObject("responses"), r);
        security(op, r.access());
        ArrayNode codes = op.putArray("x-omix-error-codes");
        for (int code : codes(r)) codes.add(code);
        return op;
    }

    private static Param<?, ?> find(Routes.Route r, String name) {
        for (Param<?, ?> p : r.spec().params()) if (p.name().equals(name)) return p;
        return null;
    }

    private static ObjectNode schema(Param<?, ?> p) {
        ObjectNode s = ServerJson.MAPPER.valueToTree(p.schema());
        if (p.defaultValue() != null && !(p.defaultValue() instanceof java.util.Collection<?>)) s.set("default", ServerJson.MAPPER.valueToTree(p.defaultValue()));
        return s;
    }

    private static String describe(Param<?, ?> p) {
        String rule = p.rule();
        String text = p.description() == null || p.description().isEmpty() ? "" : p.description() + ". ";
        return text + "Rule: " + rule + ".";
    }

    private static String tag(Routes.Route r) {
        String path = r.path();
        if (path.startsWith("/private")) return "private platform";
        if (path.startsWith("/api/v2")) return "dataset batches API";
        if (path.startsWith("/ga4gh/drs")) return "GA4GH DRS";
        if (path.startsWith("/htsget")) return "GA4GH htsget";
        if (path.startsWith("/beacon/")) return "GA4GH Beacon v2";
        if (path.equals("/fhir") || path.startsWith("/fhir/")) return "HL7 FHIR R4";
        if (path.startsWith("/oauth2")) return "OAuth2";
        if (r.access() == Access.OPERATOR || path.startsWith("/admin")) return "operators";
        if (r.kind() == Routes.Kind.PLAIN) return "system";
        return "open platform";
    }

    private static void responses(ObjectNode responses, Routes.Route r) {
        switch (r.kind()) {
            case ENVELOPE, ENVELOPE_PAYLOAD -> {
                ObjectNode ok = responses.putObject("200");
                ok.put("description", "The envelope: code 0 and the answer in data; an API error (its code in x-omix-error-codes) also on HTTP 200");
                ok.putObject("content").putObject("application/json").putObject("schema").put("$ref", "#/components/schemas/Envelope");
            }
            case RESOURCE, RESOURCE_PAYLOAD -> {
                responses.putObject(r.method().equals("POST") ? "2XX" : "200").put("description", "The answer (JSON)")
                        .putObject("content").putObject("application/json").putObject("schema");
                problem(responses, "4XX", r.path().startsWith("/ga4gh/") ? "Refused: {msg, status_code} (401 no or a dead token, 404 nothing this caller may read)"
                        : r.path().startsWith("/htsget/") ? "Refused: {htsget: {error, message}} (InvalidAuthentication, NotFound, InvalidInput, InvalidRange, UnsupportedFormat)"
                        : r.path().startsWith("/fhir") ? "Refused: an OperationOutcome (application/fhir+json), the refused parameter as the issue's expression (400 invalid,"
                                + " 401 login, 403 forbidden: a scope missing, 404 not-found: not known or not the caller's, 413, 429 throttled)"
                        : r.path().startsWith("/beacon/") ? "Refused: a Beacon error response {meta, error: {errorCode, errorMessage}} (400 a refused parameter named,"
                                + " 401 a dead token, 404 no such entry, 429 too many variant queries over other people's samples this hour)"
                        : "Refused: {status_code, detail, extra}");
            }
            case PLAIN -> responses.putObject("200").put("description", "Text or a page");
        }
        if (r.access() != Access.PUBLIC) {
            problem(responses, "429", "Too many calls this minute (Retry-After; on the open and private platforms an envelope with code 429)");
        } else if (r.kind() == Routes.Kind.PLAIN && (r.path().startsWith("/oss/objects") || r.path().startsWith("/htsget/"))) {
            problem(responses, "429", "The calls of this minute of the grant the signed URL was made under are used up (Retry-After): each use is one");
        }
        if (!r.method().equals("GET")) problem(responses, "409", "A write with this Idempotency-Key is still being served: retry with the same key");
        problem(responses, "500", "An internal error; data.request_id names it in the server's log");
    }

    private static void problem(ObjectNode responses, String status, String description) {
        responses.putObject(status).put("description", description);
    }

    private static void security(ObjectNode op, Access access) {
        ArrayNode security = op.putArray("security");
        switch (access) {
            case PUBLIC -> { } // none
            case TOKEN_IF_SENT -> {
                security.addObject(); // anonymous callers too, answered at boolean granularity
                security.addObject().putArray("oauth2");
            }
            case TOKEN, USER_TOKEN, CLIENT_TOKEN -> security.addObject().putArray("oauth2");
            case OPERATOR -> security.addObject().putArray("oauth2").add("admin");
            case PRIVATE_APP -> security.addObject().putArray("privateSignature");
            case DATASET_KEY -> {
                ObjectNode both = security.addObject();
                both.putArray("apiKey");
                both.putArray("apiSecret");
            }
            default -> security.addObject().putArray("oauth2");
        }
    }

    /** The platform codes a call of this route can answer with, besides success. */
    private static List<Integer> codes(Routes.Route r) {
        List<Integer> codes = new ArrayList<>();
        if (r.kind() == Routes.Kind.ENVELOPE || r.kind() == Routes.Kind.ENVELOPE_PAYLOAD) {
            if (!r.spec().params().isEmpty()) codes.add(ErrorCode.PARAMETER_ERROR.code());
            switch (r.access()) {
                case TOKEN, USER_TOKEN, CLIENT_TOKEN, OPERATOR -> {
                    codes.add(ErrorCode.NO_PERMISSION.code());
                    codes.add(ErrorCode.TOKEN_INVALID.code());
                    if (r.access() == Access.CLIENT_TOKEN) codes.add(ErrorCode.AUTHORIZATION_CODE_TOKEN_REFUSED.code());
                }
                case PRIVATE_APP -> {
                    codes.add(ErrorCode.SIGNATURE_INVALID.code());
                    codes.add(ErrorCode.REQUEST_EXPIRED.code());
                    codes.add(ErrorCode.REQUEST_REPLAYED.code());
                }
                default -> { }
            }
            if (r.spec().params().stream().anyMatch(p -> p.name().equals("biosample_id"))) codes.add(ErrorCode.NOT_OWN_SAMPLE.code());
            if (r.path().startsWith("/model")) codes.add(ErrorCode.MODEL_NOT_FOUND.code());
        } else if (r.kind() != Routes.Kind.PLAIN) {
            codes.add(400);
            codes.add(401);
            codes.add(404);
            codes.add(422);
        }
        return codes;
    }

    private static void components(ObjectNode components) {
        ObjectNode schemas = components.putObject("schemas");
        ObjectNode envelope = schemas.putObject("Envelope").put("type", "object");
        envelope.putArray("required").add("code").add("msg").add("data");
        ObjectNode ep = envelope.putObject("properties");
        ep.putObject("code").put("type", "integer").put("description", "0 on success; otherwise one of x-omix-error-codes");
        ep.putObject("msg").put("type", "string");
        ep.putObject("data").put("description", "the answer, or an error's details (for 41001: each failing parameter and why)");
        ObjectNode problem = schemas.putObject("Problem").put("type", "object");
        ObjectNode pp = problem.putObject("properties");
        pp.putObject("status_code").put("type", "integer");
        pp.putObject("detail").put("type", "string");
        pp.putObject("extra");
        ObjectNode schemes = components.putObject("securitySchemes");
        ObjectNode oauth2 = schemes.putObject("oauth2").put("type", "oauth2")
                .put("description", "Bearer access tokens of the open platform; PKCE (S256) is required of public clients");
        Map<String, String> scopes = new LinkedHashMap<>();
        for (Scope s : Scope.values()) scopes.put(s.id(), s.en());
        ObjectNode flows = oauth2.putObject("flows");
        ObjectNode code = flows.putObject("authorizationCode").put("authorizationUrl", "/oauth2/authorize").put("tokenUrl", "/oauth2/access_token")
                .put("refreshUrl", "/oauth2/access_token");
        code.set("scopes", ServerJson.MAPPER.valueToTree(scopes));
        ObjectNode credentials = flows.putObject("clientCredentials").put("tokenUrl", "/oauth2/access_token");
        credentials.set("scopes", ServerJson.MAPPER.valueToTree(scopes));
        schemes.putObject("privateSignature").put("type", "apiKey").put("in", "header").put("name", "X-Omix-App-Key")
                .put("description", "The private platform's signed requests: X-Omix-App-Key, X-Omix-Timestamp (Unix seconds), X-Omix-Nonce"
                        + " (16-64 of A-Z a-z 0-9 _ -, once) and X-Omix-Signature, an HMAC-SHA256 with the app secret (docs/api.md)");
        schemes.putObject("apiKey").put("type", "apiKey").put("in", "header").put("name", "X-API-KEY");
        schemes.putObject("apiSecret").put("type", "apiKey").put("in", "header").put("name", "X-API-SECRET");
    }
}
