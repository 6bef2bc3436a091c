package io.omix.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.omix.server.audit.AuditLog;
import io.omix.server.beacon.BeaconPublication;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GA4GH Beacon v2 as its clients and the people in it rely on: every answer valid against the standard's own
 * JSON Schemas (framework and default model); nothing said to anyone before an operator publishes; booleans for
 * anonymous callers, counts for tokens with small counts over other people's samples as "at most", records only
 * over the caller's own samples; GET and POST the same; every refusal a Beacon error with its status and the
 * parameter named; variant probing limited per caller and hour; anonymous queries in the audit trail. Both databases.
 */
class BeaconTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();
    static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    static final Map<String, JsonSchema> LOADED = new HashMap<>();

    /** A framework schema, by its path under framework/json (its relative references resolved beside it). */
    static synchronized JsonSchema framework(String path) {
        return LOADED.computeIfAbsent(path, p -> SCHEMAS.getSchema(SchemaLocation.of("classpath:beacon-v2/framework/json/" + p)));
    }

    /** A default-model entry schema, in its dereferenced form. */
    static synchronized JsonSchema model(String entity) {
        return LOADED.computeIfAbsent("model:" + entity, e -> {
            try (InputStream in = new GZIPInputStream(BeaconTest.class.getResourceAsStream("/beacon-v2/models/" + entity + ".json.gz"))) {
                return SCHEMAS.getSchema(JSON.readTree(in));
            } catch (java.io.IOException x) {
                throw new java.io.UncheckedIOException(x);
            }
        });
    }

    static void assertValid(JsonSchema schema, JsonNode answer) {
        Set<ValidationMessage> errors = schema.validate(answer);
        assertTrue(errors.isEmpty(), errors + " in " + answer);
    }

    record Answer(int status, JsonNode body, HttpResponse<String> raw) {}

    static Answer get(TestServer s, String pathAndQuery, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.url() + "/beacon/v2" + pathAndQuery));
        if (token != null) b.header("Authorization", "Bearer " + token);
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), JSON.readTree(r.body()), r);
    }

    static Answer post(TestServer s, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.url() + "/beacon/v2" + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), JSON.readTree(r.body()), r);
    }

    /** A successful entry-type answer, valid as the framework's response for its granularity. */
    static JsonNode ok(Answer a, String granularity) {
        assertEquals(200, a.status(), a.body().toString());
        assertEquals(granularity, a.body().at("/meta/returnedGranularity").asText(), a.body().toString());
        assertValid(framework(switch (granularity) {
            case "boolean" -> "responses/beaconBooleanResponse.json";
            case "count" -> "responses/beaconCountResponse.json";
            default -> "responses/beaconResultsetsResponse.json";
        }), a.body());
        return a.body();
    }

    /** A datasets answer: a collections response. */
    static JsonNode collections(Answer a) {
        assertEquals(200, a.status(), a.body().toString());
        assertValid(framework("responses/beaconCollectionsResponse.json"), a.body());
        return a.body();
    }

    /** A refusal: the status, a Beacon error response naming what was wrong. */
    static void refused(Answer a, int status, String mentions) {
        assertEquals(status, a.status(), a.body().toString());
        assertValid(framework("responses/beaconErrorResponse.json"), a.body());
        assertEquals(status, a.body().at("/error/errorCode").asInt());
        assertTrue(a.body().at("/error/errorMessage").asText().contains(mentions), a.body().toString());
    }

    static String project(VariantsTest.World w) {
        return w.server().server().platform().database().jdbc()
                .queryOne("SELECT project_id FROM sample_projects WHERE biosample_id = ?", rs -> rs.getString(1), w.sample()).orElseThrow();
    }

    static void publish(VariantsTest.World w, String level) {
        assertTrue(BeaconPublication.publish(w.server().server().platform().database().jdbc(), project(w), level));
    }

    static final String G_AT_1000 = "/g_variants?referenceName=1&start=999&alternateBases=G";

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void eachCallerLearnsWhatItMayAtItsGranularityInTheStandardsShapes(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            VariantsTest.World w = VariantsTest.world(s);
            VariantsTest.importFixture(w, VariantsTest.fixture());
            String owner = w.owner().accessToken();
            String stranger = w.stranger().accessToken();

            // The framework's informational endpoints, each valid as the standard defines it.
            assertValid(framework("responses/beaconInfoResponse.json"), get(s, "/info", null).body());
            assertValid(framework("responses/beaconInfoResponse.json"), get(s, "", null).body());
            assertValid(framework("responses/ga4gh-service-info-1-0-0-schema.json"), get(s, "/service-info", null).body());
            assertValid(framework("responses/beaconConfigurationResponse.json"), get(s, "/configuration", null).body());
            assertValid(framework("responses/beaconMapResponse.json"), get(s, "/map", null).body());
            assertValid(framework("responses/beaconEntryTypesResponse.json"), get(s, "/entry_types", null).body());
            assertValid(framework("responses/beaconFilteringTermsResponse.json"), get(s, "/filtering_terms", null).body());
            assertEquals(s.url() + "/beacon/v2/g_variants/{id}/biosamples",
                    get(s, "/map", null).body().at("/response/endpointSets/genomicVariant/endpoints/biosample/url").asText());

            // Nothing published: a stranger, anonymous or not, learns nothing of the owner's genome.
            assertFalse(ok(get(s, G_AT_1000, null), "boolean").at("/responseSummary/exists").asBoolean());
            assertFalse(ok(get(s, G_AT_1000 + "&requestedGranularity=count", stranger), "boolean").at("/responseSummary/exists").asBoolean(),
                    "with nothing published at count and no samples of its own, a token's count is a boolean");
            assertEquals(0, collections(get(s, "/datasets", null)).at("/responseSummary/numTotalResults").asInt());
            assertFalse(ok(get(s, "/biosamples", null), "boolean").at("/responseSummary/exists").asBoolean());

            // The owner sees its own calls as records: the het G at 1:1000 (0-based start 999).
            JsonNode own = ok(get(s, G_AT_1000 + "&requestedGranularity=record", owner), "record");
            assertEquals(1, own.at("/responseSummary/numTotalResults").asInt());
            JsonNode set = own.at("/response/resultSets/0");
            assertEquals(project(w), set.get("id").asText());
            JsonNode variant = set.at("/results/0");
            assertValid(model("genomicVariations"), variant);
            String id = variant.get("variantInternalId").asText();
            assertTrue(id.endsWith(":1:1000:A:G"), id);
            assertEquals(999, variant.at("/variation/location/interval/start/value").asInt());
            assertEquals("SNP", variant.at("/variation/variantType").asText());
            assertEquals("dbSNP:rs100", variant.at("/identifiers/variantAlternativeIds/0/id").asText());
            assertEquals(w.sample(), variant.at("/caseLevelData/0/biosampleId").asText());
            assertEquals("GENO:0000135", variant.at("/caseLevelData/0/zygosity/id").asText());

            // POST with a Beacon request body is the same question.
            JsonNode posted = ok(post(s, "/g_variants", owner, """
                    {"meta": {"apiVersion": "v2.0.0"}, "query": {"requestParameters": {"referenceName": "1", "start": [999], "alternateBases": "G"},
                     "requestedGranularity": "record", "pagination": {"skip": 0, "limit": 5}}}"""), "record");
            assertEquals(id, posted.at("/response/resultSets/0/results/0/variantInternalId").asText());
            assertEquals(5, posted.at("/meta/receivedRequestSummary/pagination/limit").asInt());

            // By rs id: a multi-allelic site is two variants; a deletion homozygous; a range finds each allele.
            JsonNode rs300 = ok(get(s, "/g_variants?variantId=rs300&requestedGranularity=record", owner), "record");
            assertEquals(2, rs300.at("/responseSummary/numTotalResults").asInt());
            JsonNode rs200 = ok(get(s, "/g_variants?variantId=rs200&requestedGranularity=record", owner), "record").at("/response/resultSets/0/results/0");
            assertEquals("DEL", rs200.at("/variation/variantType").asText());
            assertEquals("GENO:0000136", rs200.at("/caseLevelData/0/zygosity/id").asText());
            assertEquals(4, ok(get(s, "/g_variants?referenceName=chr1&start=0&end=5000&requestedGranularity=count", owner), "count")
                    .at("/responseSummary/numTotalResults").asInt(), "G, A and C, G on chromosome 1; exact, all the caller's own");
            JsonNode paged = ok(get(s, "/g_variants?referenceName=1&start=0&end=5000&requestedGranularity=record&skip=1&limit=2", owner), "record");
            assertEquals(2, paged.at("/response/resultSets/0/results").size());
            assertEquals(4, paged.at("/response/resultSets/0/resultsCount").asInt());
            assertFalse(ok(get(s, "/g_variants?variantId=rs400&requestedGranularity=count", owner), "count").at("/responseSummary/exists").asBoolean(),
                    "a no-call carries nothing");

            // One variant by its id, and the biosamples that carry it.
            ok(get(s, "/g_variants/" + id + "?requestedGranularity=record", owner), "record");
            JsonNode carriers = ok(get(s, "/g_variants/" + id + "/biosamples?requestedGranularity=record", owner), "record");
            JsonNode biosample = carriers.at("/response/resultSets/0/results/0");
            assertValid(model("biosamples"), biosample);
            assertEquals(w.sample(), biosample.get("id").asText());
            assertEquals("UBERON:0000178", biosample.at("/sampleOriginType/id").asText(), "site 11: blood");

            // Biosamples, individuals and datasets at record level, for the owner.
            JsonNode samples = ok(get(s, "/biosamples?requestedGranularity=record", owner), "record");
            assertEquals(1, samples.at("/responseSummary/numTotalResults").asInt());
            assertValid(model("biosamples"), samples.at("/response/resultSets/0/results/0"));
            JsonNode people = ok(get(s, "/individuals?requestedGranularity=record", owner), "record");
            JsonNode person = people.at("/response/resultSets/0/results/0");
            assertValid(model("individuals"), person);
            assertEquals(biosample.get("individualId").asText(), person.get("id").asText(), "the sample's person, by one pseudonym");
            assertFalse(person.get("id").asText().contains(s.server().platform().database().jdbc()
                    .queryOne("SELECT user_id FROM users WHERE username = 'owner'", rs -> rs.getString(1)).orElseThrow()), "never the account id");
            ok(get(s, "/individuals/" + person.get("id").asText() + "?requestedGranularity=record", owner), "record");
            JsonNode mine = collections(get(s, "/datasets", owner));
            assertEquals(project(w), mine.at("/response/collections/0/id").asText());
            assertValid(model("datasets"), mine.at("/response/collections/0"));
            assertEquals(0, ok(get(s, "/biosamples?requestedGranularity=record", stranger), "boolean").at("/responseSummary/numTotalResults").asInt(0));

            // Published at boolean: anyone learns whether, nobody how many.
            publish(w, "boolean");
            assertTrue(ok(get(s, G_AT_1000, null), "boolean").at("/responseSummary/exists").asBoolean());
            assertTrue(ok(get(s, G_AT_1000 + "&requestedGranularity=record", null), "boolean").at("/responseSummary/exists").asBoolean(),
                    "anonymous callers get booleans whatever they ask");
            assertTrue(ok(get(s, G_AT_1000 + "&requestedGranularity=count", stranger), "boolean").at("/responseSummary/exists").asBoolean());
            assertEquals(1, collections(get(s, "/datasets", null)).at("/responseSummary/numTotalResults").asInt());

            // Published at count: a token learns how many, a small count only as "at most" the threshold.
            publish(w, "count");
            JsonNode counted = ok(get(s, G_AT_1000 + "&requestedGranularity=count", stranger), "count");
            assertEquals(5, counted.at("/responseSummary/numTotalResults").asInt());
            assertEquals("at most", counted.at("/info/countPrecision").asText());
            JsonNode strangersRecords = ok(get(s, "/biosamples?requestedGranularity=record", stranger), "count");
            assertEquals(5, strangersRecords.at("/responseSummary/numTotalResults").asInt(), "records of other people's samples: never; a bounded count");
            // One person or sample asked for by id is answered over the caller's own only: published, the owner's sample and
            // person are counted among others', but whether this one is in a published cohort is a question about one person.
            String ownersPerson = person.get("id").asText();
            assertTrue(ok(get(s, "/individuals/" + ownersPerson + "?requestedGranularity=count", owner), "count").at("/responseSummary/exists").asBoolean());
            assertFalse(ok(get(s, "/individuals/" + ownersPerson + "?requestedGranularity=count", stranger), "count").at("/responseSummary/exists").asBoolean(),
                    "another application learns nothing of one person by their id");
            assertFalse(ok(get(s, "/biosamples/" + w.sample() + "?requestedGranularity=count", stranger), "count").at("/responseSummary/exists").asBoolean());
            assertFalse(ok(get(s, "/individuals/" + ownersPerson, null), "boolean").at("/responseSummary/exists").asBoolean(), "nor an anonymous caller");
            // An application that no longer sees the person (its grant revoked, its sample link gone) and kept the id it was
            // given learns nothing more by asking for it, though the person's sample is in a published cohort.
            String clientId = s.server().platform().database().jdbc().queryOne("SELECT client_id FROM sample_clients WHERE biosample_id = ?",
                    rs -> rs.getString(1), w.sample()).orElseThrow();
            String clientToken = new io.omix.server.oauth.TokenStore(s.server().platform()).issue(io.omix.server.oauth.TokenStore.newFamily(), clientId,
                    null, "client_credentials", "samples variants", null, false).accessToken();
            String clientsPseudonym = ok(get(s, "/individuals?requestedGranularity=record", clientToken), "record")
                    .at("/response/resultSets/0/results/0/id").asText();
            assertTrue(ok(get(s, "/individuals/" + clientsPseudonym + "?requestedGranularity=count", clientToken), "count")
                    .at("/responseSummary/exists").asBoolean(), "while it sees the person");
            s.server().platform().database().jdbc().update("DELETE FROM sample_clients WHERE biosample_id = ? AND client_id = ?", w.sample(), clientId);
            assertFalse(ok(get(s, "/individuals/" + clientsPseudonym + "?requestedGranularity=count", clientToken), "count")
                    .at("/responseSummary/exists").asBoolean(), "once it does not: not whether the person is in a published cohort");
            s.server().platform().database().jdbc().update("INSERT INTO sample_clients (biosample_id, client_id) VALUES (?, ?)", w.sample(), clientId);
            // The same person through another application has another id: the two cannot link them by it.
            Identity.Client otherApp = Identity.confidentialClient(s);
            String ownerUserId = s.server().platform().database().jdbc().queryOne("SELECT user_id FROM users WHERE username = 'owner'", rs -> rs.getString(1))
                    .orElseThrow();
            String throughOther = Identity.userToken(s, otherApp, ownerUserId, "samples variants").accessToken();
            JsonNode elsewhere = ok(get(s, "/individuals?requestedGranularity=record", throughOther), "record").at("/response/resultSets/0/results/0");
            assertTrue(elsewhere.has("id") && !elsewhere.get("id").asText().equals(ownersPerson), elsewhere.toString());
            assertEquals("boolean", get(s, G_AT_1000 + "&requestedGranularity=count", null).body().at("/meta/returnedGranularity").asText());
            assertFalse(ok(get(s, "/g_variants?variantId=rs999&requestedGranularity=count", stranger), "count").at("/responseSummary/exists").asBoolean());
            assertEquals(0, ok(get(s, "/g_variants?variantId=rs999&requestedGranularity=count", stranger), "count")
                    .at("/responseSummary/numTotalResults").asInt(), "zero is zero");

            // An application reaching her sample through her consent, which names variants and not samples: it learns that the
            // variant's carriers include one of its own, not her sample's details.
            io.omix.server.common.db.Jdbc db = s.server().platform().database().jdbc();
            String consented = db.queryOne("SELECT scope FROM oauth_consents WHERE user_id = ? AND client_id = ?", rs -> rs.getString(1),
                    ownerUserId, clientId).orElse(null);
            if (consented == null) new io.omix.server.oauth.ConsentStore(s.server().platform()).remember(ownerUserId, clientId, Set.of("variants"));
            else db.update("UPDATE oauth_consents SET scope = ? WHERE user_id = ? AND client_id = ?", " variants ", ownerUserId, clientId);
            db.update("UPDATE sample_clients SET for_user = ? WHERE biosample_id = ? AND client_id = ?", ownerUserId, w.sample(), clientId);
            Answer variantsOnly = get(s, "/g_variants/" + id + "/biosamples?requestedGranularity=record", clientToken);
            assertFalse(variantsOnly.body().toString().contains(w.sample()), variantsOnly.body().toString());
            assertTrue(ok(get(s, "/g_variants/" + id + "?requestedGranularity=count", clientToken), "count").at("/responseSummary/exists").asBoolean(),
                    "the variant is found among its own carriers all the same");
            db.update("UPDATE sample_clients SET for_user = NULL WHERE biosample_id = ? AND client_id = ?", w.sample(), clientId);
            if (consented == null) db.update("DELETE FROM oauth_consents WHERE user_id = ? AND client_id = ?", ownerUserId, clientId);
            else db.update("UPDATE oauth_consents SET scope = ? WHERE user_id = ? AND client_id = ?", consented, ownerUserId, clientId);

            // No application adds a person to a published project: that is an operator's decision, with the person.
            ApiException refused = assertThrows(ApiException.class, () -> w.stranger().registerSample("WGS-2", 11, project(w)));
            assertEquals(41001, refused.code());
            assertTrue(String.valueOf(refused.data()).contains("published to the Beacon"), String.valueOf(refused.data()));

            // A caller with carriers of its own learns its own part exactly, never others' small part by subtraction.
            String second = w.operator().registerSample("WGS-2", 11, project(w)).getString("biosample_id");
            HttpResponse<String> imported = VariantsTest.upload(w, w.operator(), "biosample_id=" + second + "&sample_name=PATIENT&pipeline_version=x",
                    VariantsTest.fixture());
            assertTrue(imported.body().contains("\"code\":0"), imported.body());
            JsonNode carriersCount = ok(get(s, "/g_variants/" + id + "/biosamples?requestedGranularity=count", owner), "count");
            assertEquals(1 + 5, carriersCount.at("/responseSummary/numTotalResults").asInt(), "its own one, and at most five others");
            assertEquals("at most", carriersCount.at("/info/countPrecision").asText());
        }
    }

    /**
     * A person keeps their samples out of the Beacon whatever an operator publishes: from the next query, no answer to
     * anyone else finds or counts them, while their own answers still cover them; opting in again brings them back.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aPersonWhoOptsOutIsInNoAnswerToOthers(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            VariantsTest.World w = VariantsTest.world(s);
            VariantsTest.importFixture(w, VariantsTest.fixture());
            publish(w, "count");
            String stranger = w.stranger().accessToken();
            assertTrue(ok(get(s, G_AT_1000, null), "boolean").at("/responseSummary/exists").asBoolean());
            assertEquals(5, ok(get(s, "/biosamples?requestedGranularity=count", stranger), "count").at("/responseSummary/numTotalResults").asInt());

            String ownerId = new io.omix.server.users.UserStore(s.server().platform()).findByUsername("owner").orElseThrow().userId();
            Identity.Client tool = Identity.confidentialClient(s);
            try (Api own = Api.builder(Identity.userToken(s, tool, ownerId, "grants").accessToken()).endpoint(s.url()).build();
                 Api app = Api.builder(Identity.userToken(s, tool, ownerId, "samples variants").accessToken()).endpoint(s.url()).build()) {
                assertFalse(own.getBeaconChoice().getBoolean("beacon_opt_out"), "nobody is opted out unless they chose it");
                assertEquals(401, assertThrows(ApiException.class, () -> app.setBeaconChoice(true)).code(), "an application's token without grants: refused");
                assertTrue(own.setBeaconChoice(true).getBoolean("beacon_opt_out"));

                assertFalse(ok(get(s, G_AT_1000, null), "boolean").at("/responseSummary/exists").asBoolean(), "a stranger no longer finds her allele");
                assertEquals(0, ok(get(s, G_AT_1000 + "&requestedGranularity=count", stranger), "count").at("/responseSummary/numTotalResults").asInt());
                assertFalse(ok(get(s, "/biosamples", null), "boolean").at("/responseSummary/exists").asBoolean(), "nor her sample");
                assertEquals(1, ok(get(s, G_AT_1000 + "&requestedGranularity=record", w.owner().accessToken()), "record")
                        .at("/responseSummary/numTotalResults").asInt(), "her own answers still cover it");
                // Her sample shared with the stranger: the stranger's own answers list the stranger, not her.
                String strangerId = new io.omix.server.users.UserStore(s.server().platform()).findByUsername("stranger").orElseThrow().userId();
                new io.omix.server.samples.SampleStore(s.server().platform()).bindUser(w.sample(), strangerId);
                assertEquals(1, ok(get(s, "/individuals?requestedGranularity=record", stranger), "record").at("/responseSummary/numTotalResults").asInt(),
                        "an opted-out co-owner is nobody's individual but her own");

                assertFalse(own.setBeaconChoice(false).getBoolean("beacon_opt_out"));
                assertTrue(ok(get(s, G_AT_1000, null), "boolean").at("/responseSummary/exists").asBoolean(), "opted in again: found again");
                assertEquals(2, ok(get(s, "/individuals?requestedGranularity=record", stranger), "record").at("/responseSummary/numTotalResults").asInt());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aWildcardCountOverOthersIsAlwaysAStepOfTheThreshold(String kind) throws Exception {
        // A threshold of 1: one allele's count is exact, so a wildcard's exact count would tell the other alleles' carriers.
        try (TestServer s = TestServer.builder().database(kind).setting("beacon.count-threshold", "1").start()) {
            VariantsTest.World w = VariantsTest.world(s);
            VariantsTest.importFixture(w, VariantsTest.fixture());
            publish(w, "count");
            String id = ok(get(s, G_AT_1000 + "&requestedGranularity=record", w.owner().accessToken()), "record")
                    .at("/response/resultSets/0/results/0/variantInternalId").asText();
            String stranger = w.stranger().accessToken();
            JsonNode exact = ok(get(s, "/g_variants/" + id + "/biosamples?requestedGranularity=count", stranger), "count");
            assertEquals(1, exact.at("/responseSummary/numTotalResults").asInt());
            assertTrue(exact.at("/info/countPrecision").isMissingNode(), exact.toString());
            String any = id.substring(0, id.lastIndexOf(':')) + ":N";
            JsonNode wild = ok(get(s, "/g_variants/" + any + "/biosamples?requestedGranularity=count", stranger), "count");
            assertEquals(2, wild.at("/responseSummary/numTotalResults").asInt(), "one carrier counted as the next step up");
            assertEquals("at most", wild.at("/info/countPrecision").asText());
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void everyRefusalIsABeaconErrorNamingWhatWasWrong(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            VariantsTest.World w = VariantsTest.world(s);
            VariantsTest.importFixture(w, VariantsTest.fixture());
            String owner = w.owner().accessToken();
            refused(get(s, "/g_variants?referenceName=1&start=abc&alternateBases=G", null), 400, "start");
            refused(get(s, "/g_variants?referenceName=1&alternateBases=G", null), 400, "start");
            refused(get(s, "/g_variants?alternateBases=G", null), 400, "referenceName");
            refused(get(s, "/g_variants?referenceName=1&start=999", null), 400, "alternateBases");
            refused(get(s, "/g_variants?referenceName=1&start=500&end=100", null), 400, "end");
            refused(get(s, "/g_variants?referenceName=1&start=999&alternateBases=%3CDEL%3E", null), 400, "alternateBases");
            refused(get(s, "/g_variants?variantId=snp5", null), 400, "variantId");
            refused(get(s, "/g_variants?variantId=rs5&geneId=TP53", null), 400, "geneId");
            refused(get(s, "/g_variants?variantId=rs5&filters=NCIT:C20197", null), 400, "filters");
            refused(get(s, "/biosamples?requestedGranularity=everything", null), 400, "requestedGranularity");
            refused(get(s, "/biosamples?limit=5000", null), 400, "limit");
            refused(post(s, "/g_variants", null, """
                    {"query": {"requestParameters": {"referenceName": "1", "start": [100, 200], "end": [300, 400]}}}"""), 400, "start");
            refused(post(s, "/g_variants", null, """
                    {"query": {"requestParameters": {"variantId": "rs5"}, "filters": [{"id": "NCIT:C20197"}]}}"""), 400, "filters");
            refused(post(s, "/g_variants", null, "{\"query\": [1]}"), 400, "query");
            refused(get(s, "/g_variants/not-a-variant", owner), 404, "not-a-variant");
            refused(get(s, G_AT_1000, "not-a-live-token"), 401, "");
            refused(get(s, "/nothing-here", null), 404, "");
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void behindATrustedBalancerEachClientHasItsOwnProbeBudgetAndAuditedAddress(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).setting("beacon.probes-per-hour", "1").setting("server.trusted-proxies", "127.0.0.1").start()) {
            VariantsTest.World w = VariantsTest.world(s);
            VariantsTest.importFixture(w, VariantsTest.fixture());
            publish(w, "boolean");
            assertEquals(200, forwarded(s, "/g_variants?variantId=rs100", "203.0.113.7").statusCode());
            assertEquals(200, forwarded(s, "/g_variants?variantId=rs100", "203.0.113.8").statusCode(), "another client, its own budget");
            assertEquals(429, forwarded(s, "/g_variants?variantId=rs200", "203.0.113.7").statusCode());
            assertEquals(429, forwarded(s, "/g_variants?variantId=rs200", "198.51.100.1, 203.0.113.7").statusCode(), "a claimed address does not help");
            assertEquals(429, forwarded(s, "/g_variants?variantId=rs200", "198.51.100.2", "203.0.113.7").statusCode(),
                    "nor one claimed on a header line of its own, before the line a balancer adds");
            Identity.platform(s).audit().flush();
            assertTrue(AuditTest.all(s).stream().anyMatch(e -> e.operation().equals("GET /beacon/v2/g_variants") && "203.0.113.8".equals(e.source())));

            // The people of one shared application each have a budget of their own: one cannot use up the others'.
            Identity.Client shared = Identity.confidentialClient(s);
            String ann = Identity.userToken(s, shared, Identity.user(s, "ann-probe", "ann@example.org").userId(), "variants").accessToken();
            String ben = Identity.userToken(s, shared, Identity.user(s, "ben-probe", "ben@example.org").userId(), "variants").accessToken();
            assertEquals(200, get(s, "/g_variants?variantId=rs100", ann).status());
            assertEquals(429, get(s, "/g_variants?variantId=rs200", ann).status());
            assertEquals(200, get(s, "/g_variants?variantId=rs100", ben).status(), "another person of the same application");
        }
        // All of one application's tokens share a budget besides their own: an application holding many people's tokens
        // does not ask as many times the questions.
        try (TestServer s = TestServer.builder().database(kind).setting("beacon.probes-per-hour", "1").setting("beacon.probes-per-hour-per-application", "2")
                .start()) {
            VariantsTest.World w = VariantsTest.world(s);
            VariantsTest.importFixture(w, VariantsTest.fixture());
            publish(w, "boolean");
            Identity.Client shared = Identity.confidentialClient(s);
            for (int i = 0; i < 3; i++) {
                String token = Identity.userToken(s, shared, Identity.user(s, "probe-" + i, "probe" + i + "@example.org").userId(), "variants").accessToken();
                assertEquals(i < 2 ? 200 : 429, get(s, "/g_variants?variantId=rs100", token).status(), "person " + i + " of one application");
            }
        }
    }

    /** Anonymous queries are counted per address and minute (beacon.anonymous-per-minute); a token's are not. */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anonymousQueriesAreLimitedPerAddress(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).setting("beacon.anonymous-per-minute", "2").setting("server.trusted-proxies", "127.0.0.1")
                .start()) {
            VariantsTest.World w = VariantsTest.world(s);
            assertEquals(200, forwarded(s, "/datasets", "203.0.113.7").statusCode());
            assertEquals(200, forwarded(s, "/individuals", "203.0.113.7").statusCode());
            HttpResponse<String> third = forwarded(s, "/biosamples", "203.0.113.7");
            if (third.statusCode() == 200) third = forwarded(s, "/biosamples", "203.0.113.7"); // the first two fell on both sides of a minute
            assertEquals(429, third.statusCode(), third.body());
            assertTrue(third.headers().firstValue("Retry-After").isPresent());
            assertEquals(200, forwarded(s, "/datasets", "203.0.113.8").statusCode(), "another address");
            for (int i = 0; i < 4; i++) assertEquals(200, get(s, "/datasets", w.owner().accessToken()).status(), "a token's queries are its application's");
        }
    }

    /** A request with an {@code X-Forwarded-For} header line for each of {@code lines}. */
    static HttpResponse<String> forwarded(TestServer s, String pathAndQuery, String... lines) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(s.url() + "/beacon/v2" + pathAndQuery));
        for (String line : lines) request.header("X-Forwarded-For", line);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void variantProbesOverOtherPeoplesSamplesAreLimitedAndEveryQueryIsAudited(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).setting("beacon.probes-per-hour", "3").start()) {
            VariantsTest.World w = VariantsTest.world(s);
            VariantsTest.importFixture(w, VariantsTest.fixture());
            String owner = w.owner().accessToken();
            // With nothing published, the owner's questions about its own genome are not probes.
            for (int i = 0; i < 5; i++) ok(get(s, G_AT_1000 + "&requestedGranularity=record", owner), "record");
            publish(w, "boolean");
            for (int i = 0; i < 3; i++) ok(get(s, "/g_variants?variantId=rs" + (100 * (i + 1)), null), "boolean");
            Answer fourth = get(s, "/g_variants?variantId=rs500", null);
            refused(fourth, 429, "an hour");
            assertTrue(Long.parseLong(fourth.raw().headers().firstValue("Retry-After").orElseThrow()) <= 3600);
            // Another caller has its own hour; the refused caller's questions about samples and datasets still work.
            ok(get(s, "/g_variants?variantId=rs100", w.stranger().accessToken()), "boolean");
            ok(get(s, "/biosamples", null), "boolean");

            Identity.platform(s).audit().flush();
            List<AuditLog.Entry> entries = AuditTest.all(s);
            AuditLog.Entry asked = entries.stream().filter(e -> e.operation().equals("GET /beacon/v2/g_variants") && "anonymous".equals(e.actorKind())
                    && e.resources() != null && e.resources().contains("variantId=rs200")).findFirst().orElseThrow(() -> new AssertionError(entries.toString()));
            assertTrue(asked.outcome().startsWith("200"), asked.outcome());
            assertTrue(entries.stream().anyMatch(e -> e.operation().equals("GET /beacon/v2/g_variants") && e.outcome().startsWith("429")),
                    "the refused probe too");
        }
    }
}
