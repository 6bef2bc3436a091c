package io.omix.server.system;

import io.omix.server.common.http.Routes;
import io.omix.server.testing.TestServer;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The served OpenAPI document: valid, complete (every route), and in agreement with the dataset batches API's own. */
class OpenApiDocumentTest {
    static TestServer server;
    static OpenAPI served;
    static String text;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url() + "/openapi.json")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        text = r.body();
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(text, null, options);
        assertTrue(parsed.getMessages() == null || parsed.getMessages().isEmpty(), "a valid OpenAPI 3.1 document: " + parsed.getMessages());
        served = parsed.getOpenAPI();
        assertNotNull(served);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Operation operation(PathItem item, String method) {
        return switch (method) {
            case "GET" -> item.getGet();
            case "POST" -> item.getPost();
            case "PUT" -> item.getPut();
            case "PATCH" -> item.getPatch();
            case "DELETE" -> item.getDelete();
            case "HEAD" -> item.getHead();
            case "OPTIONS" -> item.getOptions();
            default -> null;
        };
    }

    @Test
    void everyRegisteredRouteIsInTheDocumentWithItsParameters() {
        List<String> missing = new ArrayList<>();
        for (Routes.Route r : server.server().routeTable()) {
            if (r.path().startsWith("/console") || r.path().contains("*")) continue;
            PathItem item = served.getPaths().get(r.path());
            Operation op = item == null ? null : operation(item, r.method());
            if (op == null) {
                missing.add(r.method() + " " + r.path());
                continue;
            }
            Set<String> documented = new TreeSet<>();
            if (op.getParameters() != null) op.getParameters().forEach(p -> documented.add(p.getName()));
            if (op.getRequestBody() != null && op.getRequestBody().getContent().get("application/json") != null
                    && op.getRequestBody().getContent().get("application/json").getSchema().getProperties() != null) {
                documented.addAll(op.getRequestBody().getContent().get("application/json").getSchema().getProperties().keySet());
            }
            for (var p : r.spec().params()) if (!documented.contains(p.name())) missing.add(r.method() + " " + r.path() + " " + p.name());
        }
        assertTrue(missing.isEmpty(), "routes or parameters missing from /openapi.json: " + missing);
        assertTrue(served.getPaths().size() > 80, "every API's paths: " + served.getPaths().size());
    }

    @Test
    void securityAndErrorCodesAreDescribed() {
        Map<String, ?> schemes = served.getComponents().getSecuritySchemes();
        assertEquals(Set.of("oauth2", "privateSignature", "apiKey", "apiSecret"), schemes.keySet());
        Operation getUser = served.getPaths().get("/profile").getGet();
        assertEquals("oauth2", getUser.getSecurity().get(0).keySet().iterator().next());
        Operation privateWrite = served.getPaths().get("/private/stream/write").getPost();
        assertTrue(privateWrite.getSecurity().get(0).containsKey("privateSignature"));
        assertTrue(((List<?>) privateWrite.getExtensions().get("x-omix-error-codes")).containsAll(List.of(41001, 40101, 40102, 40103)));
        Parameter rsids = served.getPaths().get("/variants").getGet().getParameters().stream().filter(p -> p.getName().equals("rsids")).findFirst()
                .orElseThrow();
        assertTrue(rsids.getRequired());
        assertTrue(rsids.getDescription().startsWith("") && rsids.getDescription().contains("Rule:"), rsids.getDescription());
        assertTrue(text.contains("\"x-omix-error-codes\""));
    }

    @Test
    void theDatasetBatchesPartAgreesWithThatApisOwnDocument() throws Exception {
        String yaml = new String(OpenApiDocumentTest.class.getResourceAsStream("/protocol/dataset-batches.openapi.yaml").readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8);
        OpenAPI theirs = new OpenAPIV3Parser().readContents(yaml, null, new ParseOptions()).getOpenAPI();
        List<String> disagreements = new ArrayList<>();
        theirs.getPaths().forEach((path, item) -> {
            PathItem ours = served.getPaths().get("/api/v2" + path);
            for (var entry : item.readOperationsMap().entrySet()) {
                String method = entry.getKey().name();
                Operation op = ours == null ? null : operation(ours, method);
                if (op == null) {
                    disagreements.add("missing " + method + " /api/v2" + path);
                    continue;
                }
                Set<String> ourNames = op.getParameters() == null ? Set.of()
                        : op.getParameters().stream().map(Parameter::getName).collect(Collectors.toSet());
                Set<String> bodyNames = op.getRequestBody() == null || op.getRequestBody().getContent().get("application/json") == null
                        || op.getRequestBody().getContent().get("application/json").getSchema().getProperties() == null ? Set.of()
                        : op.getRequestBody().getContent().get("application/json").getSchema().getProperties().keySet();
                if (entry.getValue().getParameters() == null) continue;
                for (Parameter p : entry.getValue().getParameters()) {
                    if (p.getName() == null) continue;
                    boolean found = ourNames.contains(p.getName()) || bodyNames.contains(p.getName());
                    if (!found && !"header".equals(p.getIn())) disagreements.add(method + " " + path + ": parameter " + p.getName() + " (" + p.getIn() + ")");
                    if (found && "path".equals(p.getIn()) && !ourNames.contains(p.getName())) disagreements.add(method + " " + path + ": " + p.getName() + " not a path parameter");
                }
            }
        });
        assertTrue(disagreements.isEmpty(), "the dataset batches API as its own document has it: " + disagreements);
    }

    @Test
    void theReferencePageIsServedWithItsOwnScriptOnly() throws Exception {
        HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url() + "/console/api")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("/openapi.json"));
        String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertTrue(csp.contains("script-src 'sha256-") && !csp.contains("unsafe-inline") && !page.body().toLowerCase(Locale.ROOT).contains("src=\"http"), csp);
    }
}
