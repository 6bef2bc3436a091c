package io.omix.sdk;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omix.server.testing.TestServer;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Specimen;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HL7 FHIR R4 as FHIR apps use it, with HAPI FHIR's generic client and no Omix code: the capability statement,
 * a person's Observations created one by one and in a transaction, searched by patient, code and date with
 * prefixes, paged through Bundle next links that stay right while data arrives, read back by the original
 * stream API; Patient and Specimen; every kind of answer checked by HAPI's validator against the R4 structure
 * definitions; every refusal an OperationOutcome with its status. Both databases.
 */
class FhirTest {
    static final FhirContext FHIR = FhirContext.forR4();
    static FhirValidator validator;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();
    static final String HEART_RATE = "8d0c5b3e-6f44-4d5c-9f1e-6a1a9c3d2b01";

    @BeforeAll
    static void validator() {
        ValidationSupportChain chain = new ValidationSupportChain(new DefaultProfileValidationSupport(FHIR),
                new InMemoryTerminologyServerValidationSupport(FHIR), new CommonCodeSystemsTerminologyService(FHIR),
                new SnapshotGeneratingValidationSupport(FHIR));
        validator = FHIR.newValidator().registerValidatorModule(new FhirInstanceValidator(chain));
    }

    /** The answer as the server wrote it, validated: no error or fatal finding. */
    static void assertConforms(String json) {
        List<SingleValidationMessage> problems = validator.validateWithResult(json).getMessages().stream()
                .filter(m -> m.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal()).toList();
        assertTrue(problems.isEmpty(), problems.stream().map(m -> m.getLocationString() + ": " + m.getMessage()).toList() + " in " + json);
    }

    static HttpResponse<String> raw(TestServer s, String pathAndQuery, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.url() + pathAndQuery)).header("Accept", "application/fhir+json");
        if (token != null) b.header("Authorization", "Bearer " + token);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A refusal: its status, an OperationOutcome (valid) naming the parameter in its expression. */
    static void refused(HttpResponse<String> r, int status, String expression) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/fhir+json"));
        assertConforms(r.body());
        JsonNode issue = JSON.readTree(r.body()).at("/issue/0");
        if (expression != null) assertEquals(expression, issue.at("/expression/0").asText(), r.body());
    }

    static IGenericClient client(TestServer s, String token) {
        FHIR.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        IGenericClient c = FHIR.newRestfulGenericClient(s.url() + "/fhir");
        if (token != null) c.registerInterceptor(new BearerTokenAuthInterceptor(token));
        return c;
    }

    static Observation heartRate(String patient, String when, double bpm) {
        Observation o = new Observation();
        o.setStatus(Observation.ObservationStatus.FINAL);
        o.getCode().addCoding().setSystem("http://loinc.org").setCode("8867-4").setDisplay("Heart rate");
        o.setSubject(new Reference("Patient/" + patient));
        o.setEffective(new DateTimeType(when));
        o.setValue(new Quantity().setValue(bpm).setUnit("beats/minute").setSystem("http://unitsofmeasure.org").setCode("/min"));
        return o;
    }

    static String userId(TestServer s, String username) {
        return s.server().platform().database().jdbc().queryOne("SELECT user_id FROM users WHERE username = ?", rs -> rs.getString(1), username).orElseThrow();
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aFhirAppWritesSearchesAndPagesAPersonsObservationsWithHapi(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            VariantsTest.World w = VariantsTest.world(s);
            String owner = w.owner().accessToken();
            String patient = userId(s, "owner");
            IGenericClient fhir = client(s, owner);

            // The validator is not vacuous: an Observation without its required status fails it.
            assertThrows(AssertionError.class, () -> assertConforms("{\"resourceType\": \"Observation\", \"code\": {\"text\": \"x\"}}"));
            CapabilityStatement cs = client(s, null).capabilities().ofType(CapabilityStatement.class).execute();
            assertEquals("4.0.1", cs.getFhirVersion().toCode());
            assertConforms(raw(s, "/fhir/metadata", null).body());

            // One created, then January's days in one transaction.
            MethodOutcome created = fhir.create().resource(heartRate(patient, "2025-01-01T07:30:00+08:00", 61)).execute();
            String firstId = created.getId().getIdPart();
            Observation back = fhir.read().resource(Observation.class).withId(firstId).execute();
            assertEquals("8867-4", back.getCode().getCodingFirstRep().getCode());
            assertEquals(61.0, back.getValueQuantity().getValue().doubleValue());
            assertEquals("Patient/" + patient, back.getSubject().getReference());
            assertEquals("Specimen/" + w.sample(), back.getSpecimen().getReference());
            Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
            for (int day = 2; day <= 31; day++) {
                tx.addEntry().setResource(heartRate(patient, String.format("2025-01-%02dT07:30:00+08:00", day), 60 + day % 5))
                        .getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Observation");
            }
            Bundle txAnswer = fhir.transaction().withBundle(tx).execute();
            assertEquals(30, txAnswer.getEntry().size());
            assertTrue(txAnswer.getEntryFirstRep().getResponse().getStatus().startsWith("201"));
            // One entry larger than a single Observation may be is refused, naming it: a bundle's 16 MiB is not one record's.
            String huge = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"request\":{\"method\":\"POST\",\"url\":\"Observation\"},"
                    + "\"resource\":{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"x\"},\"subject\":{\"reference\":\"Patient/"
                    + patient + "\"},\"note\":[{\"text\":\"" + "x".repeat(1_100_000) + "\"}]}}]}";
            refused(HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/fhir")).header("Authorization", "Bearer " + owner)
                    .header("Content-Type", "application/fhir+json").POST(HttpRequest.BodyPublishers.ofString(huge)).build(),
                    HttpResponse.BodyHandlers.ofString()), 400, "entry[0].resource");

            // $lastn: the newest three; $stats: January's count, extremes and mean, as FHIR's operations answer them.
            HttpResponse<String> lastn = raw(s, "/fhir/Observation/$lastn?patient=" + patient + "&code=http://loinc.org%7C8867-4&max=3", owner);
            assertConforms(lastn.body());
            List<String> newest = new ArrayList<>();
            for (JsonNode e : JSON.readTree(lastn.body()).path("entry")) newest.add(e.at("/resource/effectiveDateTime").asText().substring(0, 10));
            assertEquals(List.of("2025-01-31", "2025-01-30", "2025-01-29"), newest);
            HttpResponse<String> stats = raw(s, "/fhir/Observation/$stats?patient=" + patient + "&code=8867-4&statistic=count,minimum,maximum,average"
                    + "&date=ge2025-01&date=lt2025-02", owner);
            assertConforms(stats.body());
            double sum = 61;
            for (int d = 2; d <= 31; d++) sum += 60 + d % 5;
            JsonNode components = JSON.readTree(stats.body()).at("/parameter/0/resource/component");
            assertEquals(31, components.at("/0/valueQuantity/value").asInt(), stats.body());
            assertEquals(60.0, components.at("/1/valueQuantity/value").asDouble());
            assertEquals(64.0, components.at("/2/valueQuantity/value").asDouble());
            assertEquals(sum / 31, components.at("/3/valueQuantity/value").asDouble(), 1e-9);
            refused(raw(s, "/fhir/Observation/$stats?patient=" + patient + "&code=8867-4&statistic=median", owner), 400, "statistic");

            // The original stream API reads what FHIR wrote.
            HttpResponse<String> range = raw(s, "/stream/range?data_element_id=" + HEART_RATE + "&biosample_id=" + w.sample()
                    + "&start_time=2025-01-01&end_time=2025-02-01&limit=100", owner);
            assertEquals(31, JSON.readTree(range.body()).at("/data/result").size(), range.body());

            // Search by patient, code (system|code) and a date window with prefixes, ten a page, through the next links.
            Bundle page = fhir.search().forResource(Observation.class).where(Observation.PATIENT.hasId(patient))
                    .and(Observation.CODE.exactly().systemAndCode("http://loinc.org", "8867-4"))
                    .and(Observation.DATE.afterOrEquals().day("2025-01-05")).and(Observation.DATE.before().day("2025-01-25"))
                    .count(7).returnBundle(Bundle.class).execute();
            assertConforms(raw(s, "/fhir/Observation?patient=" + patient + "&code=http://loinc.org%7C8867-4&date=ge2025-01-05&date=lt2025-01-25&_count=7", owner).body());
            List<String> seen = new ArrayList<>();
            boolean wroteWhilePaging = false;
            while (page != null) {
                for (Bundle.BundleEntryComponent e : page.getEntry()) seen.add(((Observation) e.getResource()).getEffectiveDateTimeType().getValueAsString());
                if (!wroteWhilePaging) {
                    // New data arrives between pages, before and after the position: neither repeats nor hides a record.
                    fhir.create().resource(heartRate(patient, "2025-01-06T12:00:00+08:00", 70)).execute();
                    fhir.create().resource(heartRate(patient, "2025-01-20T12:00:00+08:00", 71)).execute();
                    wroteWhilePaging = true;
                }
                page = page.getLink(Bundle.LINK_NEXT) == null ? null : fhir.loadPage().next(page).execute();
            }
            // Dates from the 5th (local time, +08:00 as the default zone) to the 24th: 20 days, plus the record written ahead of the cursor.
            assertEquals(new HashSet<>(seen).size(), seen.size(), "no record twice: " + seen);
            assertTrue(seen.contains("2025-01-20T12:00:00.000000+08:00") || seen.stream().anyMatch(t -> t.startsWith("2025-01-20T12:00")), seen.toString());
            assertEquals(21, seen.size(), seen.toString());
            List<String> sorted = new ArrayList<>(seen);
            sorted.sort(String::compareTo);
            assertEquals(sorted, seen, "in date order");

            // Descending and exact-day (eq) searches; the data element's own code system too.
            Bundle latest = fhir.search().forResource(Observation.class).where(Observation.SUBJECT.hasId("Patient/" + patient)).sort().descending(Observation.DATE)
                    .count(1).returnBundle(Bundle.class).execute();
            assertTrue(((Observation) latest.getEntryFirstRep().getResource()).getEffectiveDateTimeType().getValueAsString().startsWith("2025-01-31"));
            Bundle day = fhir.search().forResource(Observation.class).where(Observation.DATE.exactly().day("2025-01-06"))
                    .and(Observation.CODE.exactly().systemAndCode("urn:omix:data-element", HEART_RATE)).returnBundle(Bundle.class).execute();
            assertEquals(2, day.getEntry().size(), "the 6th's morning and noon");

            // Patient and Specimen.
            Patient person = fhir.read().resource(Patient.class).withId(patient).execute();
            assertEquals(patient, person.getIdElement().getIdPart());
            assertConforms(raw(s, "/fhir/Patient/" + patient, owner).body());
            Specimen specimen = fhir.read().resource(Specimen.class).withId(w.sample()).execute();
            assertEquals("Patient/" + patient, specimen.getSubject().getReference());
            assertConforms(raw(s, "/fhir/Specimen/" + w.sample(), owner).body());
            assertConforms(raw(s, "/fhir/Specimen?patient=" + patient, owner).body());
            assertConforms(raw(s, "/fhir/Patient", owner).body());
            assertConforms(raw(s, "/fhir/Observation/" + firstId, owner).body());

            // The person's files as DocumentReferences whose attachment is a signed download link.
            String object = w.owner().upload("report.txt", "a report for FHIR");
            JsonNode docs = JSON.readTree(raw(s, "/fhir/DocumentReference?patient=" + patient, owner).body());
            assertConforms(docs.toString());
            JsonNode document = docs.at("/entry/0/resource");
            assertEquals(object, document.at("/content/0/attachment/title").asText());
            HttpResponse<String> downloaded = HTTP.send(HttpRequest.newBuilder(URI.create(document.at("/content/0/attachment/url").asText())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("a report for FHIR", downloaded.body());
            assertConforms(raw(s, "/fhir/DocumentReference/" + document.get("id").asText(), owner).body());
            refused(raw(s, "/fhir/DocumentReference/" + document.get("id").asText(), w.stranger().accessToken()), 404, null);
            // Page by page, oldest first, through the next links: every file once (before, the first 1,000 were all there was).
            List<String> uploaded = new ArrayList<>(List.of(object));
            for (int i = 0; i < 4; i++) uploaded.add(w.owner().upload("note-" + i + ".txt", "note " + i));
            List<String> paged = new ArrayList<>();
            String pageUrl = "/fhir/DocumentReference?patient=" + patient + "&_count=2";
            for (int pages = 0; pageUrl != null; pages++) {
                assertTrue(pages < 5, "the pages end");
                JsonNode bundle = JSON.readTree(raw(s, pageUrl, owner).body());
                assertConforms(bundle.toString());
                for (JsonNode e : bundle.path("entry")) paged.add(e.at("/resource/content/0/attachment/title").asText());
                pageUrl = null;
                for (JsonNode link : bundle.path("link")) {
                    if (link.path("relation").asText().equals("next")) pageUrl = link.path("url").asText().substring(s.url().length());
                }
            }
            assertEquals(uploaded.size(), paged.size(), "each file once: " + paged);
            assertEquals(new java.util.HashSet<>(uploaded), new java.util.HashSet<>(paged));
            refused(raw(s, "/fhir/DocumentReference?patient=" + patient + "&_cursor=bm90LWEtY3Vyc29y", owner), 400, "_cursor");

            // A client's own token: the people behind its samples under pseudonyms, no demographics, with the samples scope.
            String clientId = s.server().platform().database().jdbc().queryOne("SELECT client_id FROM sample_clients WHERE biosample_id = ?",
                    rs -> rs.getString(1), w.sample()).orElseThrow();
            String clientToken = new io.omix.server.oauth.TokenStore(s.server().platform()).issue(io.omix.server.oauth.TokenStore.newFamily(), clientId,
                    null, "client_credentials", "samples streams profile", null, false).accessToken();
            JsonNode people = JSON.readTree(raw(s, "/fhir/Patient", clientToken).body());
            assertConforms(people.toString());
            JsonNode pseudonymous = people.at("/entry/0/resource");
            String pseudonym = pseudonymous.get("id").asText();
            assertTrue(!pseudonym.equals(patient) && !pseudonymous.has("gender") && !pseudonymous.has("birthDate"), pseudonymous.toString());
            String theirsText = raw(s, "/fhir/Observation?patient=" + pseudonym + "&_count=100", clientToken).body();
            JsonNode theirs = JSON.readTree(theirsText);
            assertEquals("Patient/" + pseudonym, theirs.at("/entry/0/resource/subject/reference").asText());
            // What the person's app wrote named the person by their account id: kept nowhere a client reads it, not even in the
            // record's payload (the data extension), nor through the original stream API.
            assertFalse(theirsText.contains(patient), theirsText);
            String rangeText = raw(s, "/stream/range?data_element_id=" + HEART_RATE + "&biosample_id=" + w.sample()
                    + "&start_time=2025-01-01&end_time=2025-02-01&limit=100", clientToken).body();
            assertTrue(JSON.readTree(rangeText).at("/data/result").size() > 0, rangeText);
            assertFalse(rangeText.contains(patient), rangeText);
            // The client writes for the person it knows by its pseudonym, twice in one bundle (resolved once).
            String byClient = "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":[{\"system\":\"http://loinc.org\","
                    + "\"code\":\"8867-4\"}]},\"subject\":{\"reference\":\"Patient/" + pseudonym + "\"},\"effectiveDateTime\":\"2025-03-0%dT07:30:00+08:00\","
                    + "\"valueQuantity\":{\"value\":70}}";
            String clientBundle = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + String.join(",", List.of(1, 2).stream()
                    .map(d -> "{\"request\":{\"method\":\"POST\",\"url\":\"Observation\"},\"resource\":" + String.format(byClient, d) + "}").toList()) + "]}";
            HttpResponse<String> clientWrote = post(s, "/fhir", clientToken, clientBundle);
            assertEquals(200, clientWrote.statusCode(), clientWrote.body());
            assertEquals(2, JSON.readTree(clientWrote.body()).path("entry").size(), clientWrote.body());
            refused(post(s, "/fhir/Observation", clientToken, String.format(byClient, 3).replace(pseudonym, patient)), 400, "subject");
            refused(raw(s, "/fhir/Patient/" + patient, clientToken), 404, null);
            String streamsOnly = new io.omix.server.oauth.TokenStore(s.server().platform()).issue(io.omix.server.oauth.TokenStore.newFamily(), clientId,
                    null, "client_credentials", "streams", null, false).accessToken();
            refused(raw(s, "/fhir/Patient", streamsOnly), 403, null);

            // Another person sees none of it.
            IGenericClient stranger = client(s, w.stranger().accessToken());
            assertThrows(ResourceNotFoundException.class, () -> stranger.read().resource(Observation.class).withId(firstId).execute());
            assertThrows(ResourceNotFoundException.class, () -> stranger.read().resource(Patient.class).withId(patient).execute());
            assertEquals(0, stranger.search().forResource(Observation.class).where(Observation.PATIENT.hasId(patient)).returnBundle(Bundle.class)
                    .execute().getEntry().size());
            assertThrows(InvalidRequestException.class, () -> stranger.create().resource(heartRate(patient, "2025-02-01", 60)).execute(),
                    "nor writes as that person");
            assertThrows(AuthenticationException.class, () -> client(s, null).read().resource(Observation.class).withId(firstId).execute());
        }
    }

    /**
     * On the open platform, where people's applications write through FHIR (and clients their phenotypes), each sample
     * holds at most streams.max-records-per-sample records: a write beyond is refused whole (41401 naming the quota), as
     * a private app's namespace is held to its own. Before, nothing bounded these writes.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aSampleHoldsNoMoreOpenPlatformRecordsThanItsQuota(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).setting("streams.max-records-per-sample", "3").start()) {
            VariantsTest.World w = VariantsTest.world(s);
            String owner = w.owner().accessToken();
            String patient = userId(s, "owner");
            String one = "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":"
                    + "\"8867-4\"}]},\"subject\":{\"reference\":\"Patient/" + patient + "\"},\"effectiveDateTime\":\"2025-04-0%dT07:30:00+08:00\","
                    + "\"valueQuantity\":{\"value\":60}}";
            java.util.function.IntFunction<String> bundleFrom = first -> "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
                    + String.join(",", List.of(first, first + 1).stream().map(d -> "{\"request\":{\"method\":\"POST\",\"url\":\"Observation\"},"
                    + "\"resource\":" + String.format(one, d) + "}").toList()) + "]}";
            HttpResponse<String> two = post(s, "/fhir", owner, bundleFrom.apply(1));
            assertEquals(200, two.statusCode(), two.body());
            HttpResponse<String> twoMore = post(s, "/fhir", owner, bundleFrom.apply(3));
            assertTrue(twoMore.statusCode() >= 400 && twoMore.body().contains("streams.max-records-per-sample"), twoMore.statusCode() + " " + twoMore.body());
            assertEquals(201, post(s, "/fhir/Observation", owner, String.format(one, 5)).statusCode(), "the last room");
            HttpResponse<String> beyond = post(s, "/fhir/Observation", owner, String.format(one, 6));
            assertTrue(beyond.statusCode() >= 400 && beyond.body().contains("streams.max-records-per-sample"), beyond.statusCode() + " " + beyond.body());
            HttpResponse<String> range = raw(s, "/stream/range?data_element_id=" + HEART_RATE + "&biosample_id=" + w.sample()
                    + "&start_time=2025-04-01&end_time=2025-05-01&limit=100", owner);
            assertEquals(3, JSON.readTree(range.body()).at("/data/result").size(), range.body());
        }
    }

    /**
     * A page of Observations ends early when their size would pass the answer's budget (8 MiB), with a next link: a
     * thousand large records a page is not one answer held whole in memory.
     */
    @org.junit.jupiter.api.Test
    void aPageOfLargeObservationsEndsAtItsBudgetAndGoesOnThroughNext() throws Exception {
        try (TestServer s = TestServer.start()) {
            VariantsTest.World w = VariantsTest.world(s);
            String owner = w.owner().accessToken();
            String patient = userId(s, "owner");
            var streams = new io.omix.server.streams.StreamStore(s.server().platform());
            String entity = streams.entityOf(w.sample());
            List<io.omix.server.streams.StreamStore.NewRecord> records = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                records.add(new io.omix.server.streams.StreamStore.NewRecord(entity, HEART_RATE,
                        io.omix.server.common.time.PartialTime.parse(String.format("2025-03-%02d 08:00:00", i + 1)),
                        JSON.readTree("{\"resourceType\":\"Observation\",\"valueQuantity\":{\"value\":" + (60 + i) + "},\"note\":[{\"text\":\""
                                + "n".repeat(200_000) + "\"}]}")));
            }
            streams.write(io.omix.server.streams.StreamStore.OPEN_PLATFORM, records, false);
            String url = s.url() + "/fhir/Observation?patient=" + patient + "&_count=1000";
            int pages = 0;
            int seen = 0;
            while (url != null) {
                HttpResponse<String> r = raw(s, url.substring(s.url().length()), owner);
                JsonNode bundle = JSON.readTree(r.body());
                assertTrue(r.body().length() < 9 << 20, "an answer within its budget: " + r.body().length());
                seen += bundle.path("entry").size();
                pages++;
                url = null;
                for (JsonNode link : bundle.path("link")) if ("next".equals(link.path("relation").asText())) url = link.path("url").asText();
            }
            assertEquals(30, seen, "every Observation, once");
            assertTrue(pages >= 2, "more than one page: " + pages);
        }
    }

    /**
     * An Observation reads back as it was written: a preliminary result stays preliminary (it read back as final), and its
     * interpretation, reference range, notes and the writer's own codings come back beside the platform's; elements not
     * of FHIR's shape are refused where they enter, so that every view stays FHIR.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anObservationReadsBackAsItWasWritten(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            VariantsTest.World w = VariantsTest.world(s);
            String owner = w.owner().accessToken();
            String patient = userId(s, "owner");
            Observation written = heartRate(patient, "2025-02-01T07:30:00+08:00", 131);
            written.setStatus(Observation.ObservationStatus.PRELIMINARY);
            written.getCode().addCoding().setSystem("http://snomed.info/sct").setCode("364075005").setDisplay("Heart rate");
            written.addInterpretation().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation").setCode("H");
            written.addReferenceRange().setLow(new Quantity().setValue(50).setUnit("beats/minute").setSystem("http://unitsofmeasure.org").setCode("/min"))
                    .setHigh(new Quantity().setValue(100).setUnit("beats/minute").setSystem("http://unitsofmeasure.org").setCode("/min"));
            written.addNote().setText("measured after stairs");
            HttpResponse<String> created = post(s, "/fhir/Observation", owner, FHIR.newJsonParser().encodeResourceToString(written));
            assertEquals(201, created.statusCode(), created.body());
            String id = JSON.readTree(created.body()).path("id").asText();
            HttpResponse<String> read = raw(s, "/fhir/Observation/" + id, owner);
            assertEquals(200, read.statusCode(), read.body());
            assertConforms(read.body());
            Observation back = FHIR.newJsonParser().parseResource(Observation.class, read.body());
            assertEquals(Observation.ObservationStatus.PRELIMINARY, back.getStatus());
            assertEquals("H", back.getInterpretationFirstRep().getCodingFirstRep().getCode());
            assertEquals(100, back.getReferenceRangeFirstRep().getHigh().getValue().intValue());
            assertEquals("measured after stairs", back.getNoteFirstRep().getText());
            assertTrue(back.getCode().getCoding().stream().anyMatch(c -> "http://snomed.info/sct".equals(c.getSystem()) && "364075005".equals(c.getCode())),
                    "the writer's own coding");
            assertTrue(back.getCode().getCoding().stream().anyMatch(c -> "http://loinc.org".equals(c.getSystem())), "the platform's coding");
            assertEquals(131, back.getValueQuantity().getValue().intValue());

            String json = FHIR.newJsonParser().encodeResourceToString(heartRate(patient, "2025-02-01T08:30:00+08:00", 70));
            refused(post(s, "/fhir/Observation", owner, json.replace("\"status\":\"final\"", "\"status\":\"done\"")), 400, "status");
            refused(post(s, "/fhir/Observation", owner, json.replace("\"status\":\"final\"", "\"status\":\"final\",\"interpretation\":{\"text\":\"H\"}")),
                    400, "interpretation");
            refused(post(s, "/fhir/Observation", owner, json.replace("\"status\":\"final\"", "\"status\":\"final\",\"issued\":\"yesterday\"")), 400, "issued");
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void everyRefusalIsAnOperationOutcomeNamingWhatWasWrong(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            VariantsTest.World w = VariantsTest.world(s);
            String owner = w.owner().accessToken();
            String patient = userId(s, "owner");
            refused(raw(s, "/fhir/Observation?date=xx2025", owner), 400, "date");
            refused(raw(s, "/fhir/Observation?date=ge2025-13", owner), 400, "date");
            refused(raw(s, "/fhir/Observation?status=final", owner), 400, "status");
            refused(raw(s, "/fhir/Observation?_count=0", owner), 400, "_count");
            refused(raw(s, "/fhir/Observation?_sort=value", owner), 400, "_sort");
            refused(raw(s, "/fhir/Observation?_cursor=bm90LW91cnM", owner), 400, "_cursor");
            refused(raw(s, "/fhir/Observation/nope", owner), 404, null);
            refused(raw(s, "/fhir/Observation", null), 401, null);
            refused(raw(s, "/fhir/Nothing", owner), 404, null);
            String noSubject = FHIR.newJsonParser().encodeResourceToString(heartRate(patient, "2025-01-01", 60).setSubject(null));
            refused(post(s, "/fhir/Observation", owner, noSubject), 400, "subject");
            String noCode = FHIR.newJsonParser().encodeResourceToString(heartRate(patient, "2025-01-01", 60).setCode(null));
            refused(post(s, "/fhir/Observation", owner, noCode), 400, "code");
            refused(post(s, "/fhir/Observation", owner, "{\"resourceType\": \"Patient\"}"), 400, "resourceType");
            refused(post(s, "/fhir", owner, "{\"resourceType\": \"Bundle\", \"type\": \"batch\", \"entry\": []}"), 400, "type");
            String badEntry = "{\"resourceType\": \"Bundle\", \"type\": \"transaction\", \"entry\": [{\"resource\": "
                    + FHIR.newJsonParser().encodeResourceToString(heartRate(patient, "2025-01-01", 60))
                    + ", \"request\": {\"method\": \"POST\", \"url\": \"Observation\"}}, {\"resource\": {\"resourceType\": \"Observation\"},"
                    + " \"request\": {\"method\": \"POST\", \"url\": \"Observation\"}}]}";
            refused(post(s, "/fhir", owner, badEntry), 400, "entry[1].resource.subject");
            assertEquals(0, JSON.readTree(raw(s, "/fhir/Observation?patient=" + patient, owner).body()).path("entry").size(),
                    "a transaction with one bad entry stores none");
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aSmartAppAuthorizesWithPkceAndReadsThePatientsObservationsWithNoOmixCode(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            VariantsTest.World w = VariantsTest.world(s);
            String patient = userId(s, "owner");
            client(s, w.owner().accessToken()).create().resource(heartRate(patient, "2025-03-01T07:30:00+08:00", 64)).execute();

            // Discovery, as a SMART client library reads it.
            JsonNode smart = JSON.readTree(raw(s, "/fhir/.well-known/smart-configuration", null).body());
            assertTrue(smart.path("code_challenge_methods_supported").toString().contains("S256"));
            assertTrue(smart.path("capabilities").toString().contains("permission-v2"));
            String authorize = smart.path("authorization_endpoint").asText();
            String tokenEndpoint = smart.path("token_endpoint").asText();

            // A public SMART app: standalone launch for a patient, PKCE S256, SMART v2 scopes only.
            Identity.Client app = Identity.publicClient(s);
            String verifier = "v".repeat(43) + "Smart-App-Verifier_123";
            String challenge = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                    java.security.MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            String scope = "launch/patient patient/Observation.rs patient/Patient.rs offline_access";
            String url = authorize + "?response_type=code&client_id=" + app.id() + "&redirect_uri=" + enc(Identity.REDIRECT) + "&scope=" + enc(scope)
                    + "&state=s1&aud=" + enc(s.url() + "/fhir") + "&code_challenge=" + challenge + "&code_challenge_method=S256";
            var owner = new io.omix.server.testing.LoginPage();
            String code = io.omix.server.testing.LoginPage.redirectParams(owner.authorize(url, "owner", ownerPassword(w), true)).get("code");
            HttpResponse<String> exchanged = HTTP.send(HttpRequest.newBuilder(URI.create(tokenEndpoint)).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code&code=" + enc(code) + "&redirect_uri=" + enc(Identity.REDIRECT)
                            + "&client_id=" + app.id() + "&code_verifier=" + verifier)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, exchanged.statusCode(), exchanged.body());
            JsonNode answer = JSON.readTree(exchanged.body());
            assertEquals("Bearer", answer.path("token_type").asText(), "RFC 6749's answer itself, as SMART libraries read it");
            assertEquals(patient, answer.path("patient").asText(), exchanged.body());
            assertTrue(answer.path("scope").asText().contains("patient/Observation.rs"), "the grant says what was asked in SMART's words");
            // Asking again to write what it was allowed to read, the app is seen asking: the page lists the new permission in
            // words (the platform scope, streams, is the same as before), and not what was allowed already.
            HttpResponse<String> upgrade = owner.get(url.replace(enc(scope), enc("patient/Observation.cruds")));
            assertEquals(200, upgrade.statusCode());
            assertTrue(upgrade.body().contains("read, search, create, update, delete your observations (health data streams) [patient/Observation.cruds]"),
                    upgrade.body());
            assertTrue(upgrade.body().contains("读取、检索、新建、修改、删除您的健康观测记录"), upgrade.body());
            HttpResponse<String> same = owner.get(url);
            assertFalse(same.body().contains("[patient/Observation.rs]"), "what was allowed is not asked again: " + same.body());

            // With the patient from the launch context, the app reads the patient and their Observations.
            IGenericClient fhir = client(s, answer.path("access_token").asText());
            assertEquals(patient, fhir.read().resource(Patient.class).withId(answer.path("patient").asText()).execute().getIdElement().getIdPart());
            Bundle obs = fhir.search().forResource(Observation.class).where(Observation.PATIENT.hasId(patient)).returnBundle(Bundle.class).execute();
            assertEquals(1, obs.getEntry().size());
            // Read and search only: the SMART grant allows no create.
            assertThrows(ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException.class,
                    () -> fhir.create().resource(heartRate(patient, "2025-03-02T07:30:00+08:00", 65)).execute());
            // Refreshed in the platform's words ("streams" alone), the grant is still held to reading: its SMART scopes stay
            // with the platform scopes they limit. Before, the new token held "streams" only, and wrote.
            HttpResponse<String> refreshed = HTTP.send(HttpRequest.newBuilder(URI.create(tokenEndpoint)).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=refresh_token&refresh_token=" + enc(answer.path("refresh_token").asText())
                            + "&client_id=" + app.id() + "&scope=streams")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, refreshed.statusCode(), refreshed.body());
            JsonNode narrowedAnswer = JSON.readTree(refreshed.body());
            assertTrue(narrowedAnswer.path("scope").asText().contains("patient/Observation.rs"), refreshed.body());
            IGenericClient narrowed = client(s, narrowedAnswer.path("access_token").asText());
            assertThrows(ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException.class,
                    () -> narrowed.create().resource(heartRate(patient, "2025-03-02T07:30:00+08:00", 65)).execute());
            assertEquals(1, narrowed.search().forResource(Observation.class).where(Observation.PATIENT.hasId(patient)).returnBundle(Bundle.class)
                    .execute().getEntry().size(), "and still reads");
            // The platform's own writes hold a SMART token to its scopes too: one that may read Specimens registers and improves
            // no sample, one that may read DocumentReferences gets no upload credentials.
            String ownerId = s.server().platform().database().jdbc().queryOne("SELECT user_id FROM users WHERE username = 'owner'", rs -> rs.getString(1))
                    .orElseThrow();
            Identity.Client smartApp = Identity.confidentialClient(s);
            String project = new io.omix.server.samples.SampleStore(s.server().platform()).createProject("smart", 1, null, null, null).projectId();
            try (Api specimens = Api.builder(Identity.userToken(s, smartApp, ownerId, "samples patient/Specimen.rs").accessToken()).endpoint(s.url())
                    .maxRetries(0).build();
                 Api documents = Api.builder(Identity.userToken(s, smartApp, ownerId, "files patient/DocumentReference.rs").accessToken()).endpoint(s.url())
                    .maxRetries(0).build();
                 Api writer = Api.builder(Identity.userToken(s, smartApp, ownerId, "samples files patient/Specimen.cruds patient/DocumentReference.cd")
                    .accessToken()).endpoint(s.url()).maxRetries(0).build()) {
                for (Runnable write : new Runnable[] {() -> specimens.registerSample("SMART-1", 11, project), () -> documents.getUploadToken()}) {
                    ApiException refused = assertThrows(ApiException.class, write::run);
                    assertEquals(401, refused.code(), refused.getMessage());
                    assertTrue(refused.dataModel().getString("scope").contains("SMART"), refused.getMessage());
                }
                assertTrue(writer.registerSample("SMART-2", 11, project).getString("biosample_id").startsWith("E-"), "allowed to write: writes");
                String keyId = writer.getUploadToken().getModel("credentials").getString("access_key_id");
                assertTrue(keyId.startsWith("STS."));
                // Nor does a token that may only read documents delete the person's files, or end their upload credentials:
                // it lists them (it reads), and the file and the credentials stand.
                String file = writer.upload("smart-report.txt", "the person's report");
                for (Runnable write : new Runnable[] {() -> documents.deleteObject(file), () -> documents.revokeUploadToken(keyId)}) {
                    ApiException refused = assertThrows(ApiException.class, write::run);
                    assertEquals(401, refused.code(), refused.getMessage());
                    assertTrue(refused.dataModel().getString("scope").contains("SMART"), refused.getMessage());
                }
                java.io.ByteArrayOutputStream kept = new java.io.ByteArrayOutputStream();
                writer.download(file, kept);
                assertEquals("the person's report", kept.toString(java.nio.charset.StandardCharsets.UTF_8), "the file stands");
                assertEquals(true, writer.revokeUploadToken(keyId).getBoolean("revoked"), "the credentials stood");
                assertEquals(true, writer.deleteObject(file).getBoolean("deleted"), "a token allowed to delete documents deletes");
            }
            // Authorized again in the platform's words ("streams": no aud needed, and the consent page shows the same words),
            // the new code still carries the consent's SMART limits.
            String platformWords = authorize + "?response_type=code&client_id=" + app.id() + "&redirect_uri=" + enc(Identity.REDIRECT) + "&scope=streams"
                    + "&state=s3&code_challenge=" + challenge + "&code_challenge_method=S256";
            String secondCode = io.omix.server.testing.LoginPage.redirectParams(owner.authorize(platformWords, "owner", ownerPassword(w), true)).get("code");
            HttpResponse<String> reexchanged = HTTP.send(HttpRequest.newBuilder(URI.create(tokenEndpoint)).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code&code=" + enc(secondCode) + "&redirect_uri=" + enc(Identity.REDIRECT)
                            + "&client_id=" + app.id() + "&code_verifier=" + verifier)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, reexchanged.statusCode(), reexchanged.body());
            assertTrue(JSON.readTree(reexchanged.body()).path("scope").asText().contains("patient/Observation.rs"), reexchanged.body());
            IGenericClient reauthorized = client(s, JSON.readTree(reexchanged.body()).path("access_token").asText());
            assertThrows(ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException.class,
                    () -> reauthorized.create().resource(heartRate(patient, "2025-03-02T07:30:00+08:00", 65)).execute());
            // Observation read access is not sample access: the SMART grant did not include Specimen.
            assertThrows(ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException.class,
                    () -> fhir.read().resource(Specimen.class).withId(w.sample()).execute());

            // The code is spent: RFC 6749's error shape.
            HttpResponse<String> again = HTTP.send(HttpRequest.newBuilder(URI.create(tokenEndpoint)).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code&code=" + enc(code) + "&redirect_uri=" + enc(Identity.REDIRECT)
                            + "&client_id=" + app.id() + "&code_verifier=" + verifier)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, again.statusCode());
            assertEquals("invalid_grant", JSON.readTree(again.body()).path("error").asText(), again.body());

            // A token for another FHIR server (aud) is not handed out here.
            HttpResponse<String> otherAud = owner.get(url.replace(enc(s.url() + "/fhir"), enc("https://ehr.example.org/fhir")));
            assertTrue(otherAud.headers().firstValue("Location").orElse("").contains("error=invalid_request"), otherAud.headers().map().toString());

            // The person's FHIR reads are in the audit trail, naming the patient.
            Identity.platform(s).audit().flush();
            assertTrue(AuditTest.all(s).stream().anyMatch(e -> e.operation().equals("GET /fhir/Observation") && e.resources() != null
                    && e.resources().contains("patient=" + patient)), "audited with the patient");

            // SMART scopes without PKCE are refused at the authorization endpoint.
            String noPkce = authorize + "?response_type=code&client_id=" + Identity.confidentialClient(s).id() + "&redirect_uri=" + enc(Identity.REDIRECT)
                    + "&scope=" + enc("patient/Observation.rs") + "&state=s2&aud=" + enc(s.url() + "/fhir");
            HttpResponse<String> refused = owner.get(noPkce);
            assertTrue(refused.headers().firstValue("Location").orElse("").contains("error=invalid_request"), refused.headers().map().toString());
        }
    }

    /**
     * SMART scopes narrowed by a query are each accepted, and a person's consent for an application grows approval by
     * approval: the approval that would pass what a grant holds (1000 characters) is refused as invalid_scope, where it
     * failed with the database's error (500), and the grant made before still works.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anApprovalBeyondWhatAGrantHoldsIsRefusedAsInvalidScope(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Person person = Identity.user(s, "narrow", "narrow@example.org");
            Identity.Client app = Identity.confidentialClient(s);
            String verifier = "v".repeat(43) + "Narrowed-Scopes_789";
            String challenge = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                    java.security.MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            java.util.function.Function<String, Map<String, String>> approve = prefix -> {
                StringBuilder scope = new StringBuilder("patient/Observation.rs");
                for (int i = 0; i < 10; i++) scope.append(" patient/Observation.rs?code=loinc.org|").append(prefix).append(i).append("-00000000000000");
                String url = s.url() + "/oauth2/authorize?response_type=code&client_id=" + app.id() + "&redirect_uri=" + enc(Identity.REDIRECT)
                        + "&scope=" + enc(scope.toString()) + "&state=n1&aud=" + enc(s.url() + "/fhir") + "&code_challenge=" + challenge
                        + "&code_challenge_method=S256";
                try {
                    return io.omix.server.testing.LoginPage.redirectParams(new io.omix.server.testing.LoginPage().authorize(url, person.username(),
                            person.password(), true));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            Map<String, String> first = approve.apply("FIRST");
            assertNotNull(first.get("code"), first.toString());
            Map<String, String> second = approve.apply("SECOND");
            assertEquals("invalid_scope", second.get("error"), second.toString());
            HttpResponse<String> exchanged = HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/oauth2/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code&code=" + enc(first.get("code")) + "&redirect_uri="
                            + enc(Identity.REDIRECT) + "&client_id=" + app.id() + "&client_secret=" + enc(app.secret()) + "&code_verifier=" + verifier)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, exchanged.statusCode(), "the grant made before still works: " + exchanged.body());
        }
    }

    /**
     * A SMART app allowed to read a person's documents and samples, asking again in SMART's words for files, samples and her
     * profile only (naming no DocumentReference or Specimen): a refresh, or an authorization the person was not asked for
     * (all of it allowed before), gave a token holding files and samples with no SMART scope on those resources, and the
     * read-only app got upload credentials and registered samples. A grant keeps its limits on every resource a request
     * does not name.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aSmartGrantKeepsItsLimitsOnTheResourcesARequestDoesNotName(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Person person = Identity.user(s, "reader", "reader@example.org");
            Identity.Client app = Identity.confidentialClient(s);
            io.omix.server.oauth.TokenStore.Issued granted = Identity.userToken(s, app, person.userId(),
                    "files samples profile patient/DocumentReference.rs patient/Specimen.rs patient/Patient.rs");
            String project = new io.omix.server.samples.SampleStore(s.server().platform()).createProject("smart", 1, null, null, null).projectId();
            String asked = "files samples patient/Patient.rs";

            HttpResponse<String> refreshed = HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/oauth2/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=refresh_token&refresh_token=" + enc(granted.refreshToken()) + "&client_id=" + app.id()
                            + "&client_secret=" + enc(app.secret()) + "&scope=" + enc(asked))).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, refreshed.statusCode(), refreshed.body());
            JsonNode viaRefresh = JSON.readTree(refreshed.body());
            assertTrue(viaRefresh.path("scope").asText().contains("patient/DocumentReference.rs"), refreshed.body());
            assertTrue(viaRefresh.path("scope").asText().contains("patient/Specimen.rs"), refreshed.body());

            String verifier = "w".repeat(43) + "Smart-Reauthorize_456";
            String challenge = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                    java.security.MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            String url = s.url() + "/oauth2/authorize?response_type=code&client_id=" + app.id() + "&redirect_uri=" + enc(Identity.REDIRECT)
                    + "&scope=" + enc(asked) + "&state=s9&aud=" + enc(s.url() + "/fhir") + "&code_challenge=" + challenge + "&code_challenge_method=S256";
            String code = io.omix.server.testing.LoginPage.redirectParams(new io.omix.server.testing.LoginPage().authorize(url, person.username(),
                    person.password(), true)).get("code");
            HttpResponse<String> exchanged = HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/oauth2/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code&code=" + enc(code) + "&redirect_uri=" + enc(Identity.REDIRECT)
                            + "&client_id=" + app.id() + "&client_secret=" + enc(app.secret()) + "&code_verifier=" + verifier)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, exchanged.statusCode(), exchanged.body());
            JsonNode viaCode = JSON.readTree(exchanged.body());
            assertTrue(viaCode.path("scope").asText().contains("patient/DocumentReference.rs"), exchanged.body());

            for (JsonNode answer : List.of(viaRefresh, viaCode)) {
                try (Api api = Api.builder(answer.path("access_token").asText()).endpoint(s.url()).maxRetries(0).build()) {
                    for (Runnable write : new Runnable[] {api::getUploadToken, () -> api.registerSample("SMART-9", 11, project)}) {
                        ApiException refused = assertThrows(ApiException.class, write::run);
                        assertEquals(401, refused.code(), refused.getMessage());
                        assertTrue(refused.dataModel().getString("scope").contains("SMART"), refused.getMessage());
                    }
                    assertFalse(api.getUser().dumps().isEmpty(), "and still reads her profile");
                }
            }
        }
    }

    static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The password Identity.user gives the owner. */
    static String ownerPassword(VariantsTest.World w) {
        return "pw-owner-S3cret!";
    }

    /**
     * $stats reads at most fhir.stats-max-records Observations: exactly that many are summed, one more is refused naming
     * the date window to narrow (400, 41001 as an OperationOutcome), and a narrower window is answered again.
     */
    /**
     * A client that sees more than 1,000 people names each of them: the Patient list asks for a patient beyond that, and
     * a Patient id it was given (here by a Specimen) is read and searched by. Before, every Patient id of such a client
     * was refused, since finding its person read at most 1,000 of them. An id that is none of its people is not known.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aClientSeeingMoreThanAThousandPeopleNamesEachOfThem(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            io.omix.server.Platform platform = Identity.platform(s);
            Identity.Client client = Identity.confidentialClient(s);
            java.time.OffsetDateTime now = platform.now();
            platform.database().jdbc().inTransaction(c -> {
                for (int i = 0; i < 1005; i++) {
                    String user = String.format("9%020d", i);
                    String sample = String.format("E-M%011d", i);
                    io.omix.server.common.db.Jdbc.update(c, "INSERT INTO users (user_id, username, password_hash, created_at) VALUES (?,?,?,?)",
                            user, "many" + i, "x", now);
                    io.omix.server.common.db.Jdbc.update(c, "INSERT INTO samples (biosample_id, site, organism, omic, status, library_json, sequencing_json,"
                            + " statistics_json, alignment_json, create_time, update_time) VALUES (?,?,?,?,?,?,?,?,?,?,?)", sample, 11, 1, 1, 0,
                            "{}", "{}", "{}", "{}", now, now);
                    io.omix.server.common.db.Jdbc.update(c, "INSERT INTO sample_users (biosample_id, user_id) VALUES (?,?)", sample, user);
                    io.omix.server.common.db.Jdbc.update(c, "INSERT INTO sample_clients (biosample_id, client_id) VALUES (?,?)", sample, client.id());
                }
                return null;
            });
            try (OAuth2 o = OAuth2.builder(client.id(), client.secret()).endpoint(s.url()).build()) {
                String token = o.getCredentialsToken().accessToken();
                refused(raw(s, "/fhir/Patient", token), 400, "patient");
                HttpResponse<String> specimen = raw(s, "/fhir/Specimen/E-M00000001003", token);
                assertEquals(200, specimen.statusCode(), specimen.body());
                String reference = JSON.readTree(specimen.body()).at("/subject/reference").asText();
                assertTrue(reference.matches("Patient/q[0-9a-f]{32}"), reference);
                HttpResponse<String> patient = raw(s, "/fhir/" + reference, token);
                assertEquals(200, patient.statusCode(), patient.body());
                assertConforms(patient.body());
                JsonNode specimens = JSON.readTree(raw(s, "/fhir/Specimen?patient=" + reference.substring("Patient/".length()), token).body());
                assertEquals(1, specimens.path("entry").size(), specimens.toString());
                assertEquals("E-M00000001003", specimens.at("/entry/0/resource/id").asText());
                assertEquals(404, raw(s, "/fhir/Patient/q" + "0".repeat(32), token).statusCode(), "an id none of its people has");
                assertEquals(404, raw(s, "/fhir/Patient/p" + "A".repeat(24), token).statusCode(), "nor one of the first form");
            }
        }
    }

    /**
     * A client's Patient id is the person's account sealed for that client: it opens for that client alone (another
     * client's id of the same person, or an id changed in one digit, names nobody), and is found without reading through
     * the client's people. Ids of the first form (a keyed digest, which could only be found by computing it for every
     * person the client sees) are looked up only where the operator keeps them (fhir.legacy-patient-ids).
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aClientsPatientIdOpensForItAloneAndTheFirstFormOnlyWhereKept(String kind) throws Exception {
        for (boolean firstFormKept : List.of(false, true)) {
            try (TestServer s = TestServer.builder().database(kind).setting("fhir.legacy-patient-ids", String.valueOf(firstFormKept)).start()) {
                io.omix.server.Platform platform = Identity.platform(s);
                Identity.Client one = Identity.confidentialClient(s);
                Identity.Client other = Identity.confidentialClient(s);
                String user = "000000000000000000042";
                java.time.OffsetDateTime now = platform.now();
                platform.database().jdbc().inTransaction(c -> {
                    io.omix.server.common.db.Jdbc.update(c, "INSERT INTO users (user_id, username, password_hash, created_at) VALUES (?,?,?,?)", user, "shared", "x", now);
                    io.omix.server.common.db.Jdbc.update(c, "INSERT INTO samples (biosample_id, site, organism, omic, status, library_json, sequencing_json,"
                            + " statistics_json, alignment_json, create_time, update_time) VALUES (?,?,?,?,?,?,?,?,?,?,?)", "E-S00000000001", 11, 1, 1, 0,
                            "{}", "{}", "{}", "{}", now, now);
                    io.omix.server.common.db.Jdbc.update(c, "INSERT INTO sample_users (biosample_id, user_id) VALUES (?,?)", "E-S00000000001", user);
                    io.omix.server.common.db.Jdbc.update(c, "INSERT INTO sample_entities (biosample_id, entity_id) VALUES (?,?)", "E-S00000000001",
                            java.util.UUID.randomUUID().toString());
                    for (Identity.Client client : List.of(one, other)) {
                        io.omix.server.common.db.Jdbc.update(c, "INSERT INTO sample_clients (biosample_id, client_id) VALUES (?,?)", "E-S00000000001", client.id());
                    }
                    return null;
                });
                try (OAuth2 o1 = OAuth2.builder(one.id(), one.secret()).endpoint(s.url()).build();
                     OAuth2 o2 = OAuth2.builder(other.id(), other.secret()).endpoint(s.url()).build()) {
                    String token = o1.getCredentialsToken().accessToken();
                    String otherToken = o2.getCredentialsToken().accessToken();
                    String id = JSON.readTree(raw(s, "/fhir/Patient", token).body()).at("/entry/0/resource/id").asText();
                    String othersId = JSON.readTree(raw(s, "/fhir/Patient", otherToken).body()).at("/entry/0/resource/id").asText();
                    assertTrue(id.matches("q[0-9a-f]{32}") && othersId.matches("q[0-9a-f]{32}") && !id.equals(othersId), id + " " + othersId);
                    assertEquals(200, raw(s, "/fhir/Patient/" + id, token).statusCode());
                    assertEquals(1, JSON.readTree(raw(s, "/fhir/Specimen?patient=" + id, token).body()).path("entry").size());
                    refused(raw(s, "/fhir/Patient/" + othersId, token), 404, null);
                    refused(raw(s, "/fhir/Patient/" + id, otherToken), 404, null);
                    String changed = id.substring(0, 32) + (id.charAt(32) == '0' ? '1' : '0');
                    refused(raw(s, "/fhir/Patient/" + changed, token), 404, null);
                    refused(raw(s, "/fhir/Patient/" + user, token), 404, null);
                    assertEquals(1, JSON.readTree(raw(s, "/fhir/Patient?_id=" + id, token).body()).path("entry").size());
                    assertEquals(0, JSON.readTree(raw(s, "/fhir/Patient?_id=" + othersId, token).body()).path("entry").size());
                    HttpResponse<String> wrote = post(s, "/fhir/Observation", token, "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":"
                            + "{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\"}]},\"subject\":{\"reference\":\"Patient/" + id
                            + "\"},\"effectiveDateTime\":\"2025-03-01T07:30:00Z\",\"valueQuantity\":{\"value\":70}}");
                    assertEquals(201, wrote.statusCode(), wrote.body());
                    // A time in the year 0 once taken to UTC (no offset: the default zone, +08:00) is refused as every stream write refuses it.
                    HttpResponse<String> yearZero = post(s, "/fhir/Observation", token, "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":"
                            + "{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\"}]},\"subject\":{\"reference\":\"Patient/" + id
                            + "\"},\"effectiveDateTime\":\"0001-01-01\",\"valueQuantity\":{\"value\":70}}");
                    assertEquals(400, yearZero.statusCode(), yearZero.body());
                    assertTrue(yearZero.body().contains("effectiveDateTime") && yearZero.body().contains("years 1 to 9999"), yearZero.body());
                    String observation = JSON.readTree(wrote.body()).path("id").asText();
                    JsonNode byBoth = JSON.readTree(raw(s, "/fhir/Observation?patient=" + id + "&_id=" + observation, token).body());
                    assertEquals("Patient/" + id, byBoth.at("/entry/0/resource/subject/reference").asText(), byBoth.toString());

                    String firstForm = "p" + io.omix.server.common.auth.Secrets.hmac(platform.masterKey().derive("fhir-patient"), one.id() + "\n" + user)
                            .replaceAll("[^A-Za-z0-9]", "").substring(0, 24);
                    HttpResponse<String> byFirstForm = raw(s, "/fhir/Patient/" + firstForm, token);
                    JsonNode specimensByFirstForm = JSON.readTree(raw(s, "/fhir/Specimen?patient=" + firstForm, token).body());
                    JsonNode observationByFirstForm = JSON.readTree(raw(s, "/fhir/Observation?patient=" + firstForm + "&_id=" + observation, token).body());
                    if (firstFormKept) {
                        assertEquals(200, byFirstForm.statusCode(), byFirstForm.body());
                        assertEquals(firstForm, JSON.readTree(byFirstForm.body()).path("id").asText());
                        assertEquals(1, JSON.readTree(raw(s, "/fhir/Patient?_id=" + firstForm, token).body()).path("entry").size());
                        // Answers name the person by the id of now: a client maps its old ids through them.
                        assertEquals("Patient/" + id, specimensByFirstForm.at("/entry/0/resource/subject/reference").asText(), specimensByFirstForm.toString());
                        assertEquals("Patient/" + id, observationByFirstForm.at("/entry/0/resource/subject/reference").asText(), observationByFirstForm.toString());
                        refused(raw(s, "/fhir/Patient/" + firstForm, otherToken), 404, null);
                    } else {
                        refused(byFirstForm, 404, null);
                        assertEquals(0, JSON.readTree(raw(s, "/fhir/Patient?_id=" + firstForm, token).body()).path("entry").size());
                        assertEquals(0, specimensByFirstForm.path("entry").size(), specimensByFirstForm.toString());
                        assertEquals(0, observationByFirstForm.path("entry").size(), observationByFirstForm.toString());
                    }

                    // An id that opens names nobody once the client no longer sees the person.
                    platform.database().jdbc().update("DELETE FROM sample_clients WHERE client_id = ?", one.id());
                    refused(raw(s, "/fhir/Patient/" + id, token), 404, null);
                    assertEquals(0, JSON.readTree(raw(s, "/fhir/Patient?_id=" + id, token).body()).path("entry").size());
                    assertEquals(0, JSON.readTree(raw(s, "/fhir/Specimen?patient=" + id, token).body()).path("entry").size());
                    assertEquals(200, raw(s, "/fhir/Patient/" + othersId, otherToken).statusCode(), "the other client still sees them");
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void statsReadsAtMostItsLimit(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).setting("fhir.stats-max-records", "100").start()) {
            VariantsTest.World w = VariantsTest.world(s);
            String owner = w.owner().accessToken();
            String patient = userId(s, "owner");
            String one = "{\"request\":{\"method\":\"POST\",\"url\":\"Observation\"},\"resource\":{\"resourceType\":\"Observation\","
                    + "\"status\":\"final\",\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\"}]},\"subject\":"
                    + "{\"reference\":\"Patient/" + patient + "\"},\"effectiveDateTime\":\"%s\",\"valueQuantity\":{\"value\":%d}}}";
            java.time.LocalDateTime start = java.time.LocalDateTime.of(2025, 3, 1, 0, 0);
            List<String> entries = new ArrayList<>();
            for (int i = 0; i < 100; i++) entries.add(String.format(one, start.plusHours(i) + ":00Z", 50 + i % 10));
            HttpResponse<String> written = post(s, "/fhir", owner, "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
                    + String.join(",", entries) + "]}");
            assertEquals(200, written.statusCode(), written.body());
            String stats = "/fhir/Observation/$stats?patient=" + patient + "&code=8867-4&statistic=count,sum";
            HttpResponse<String> all = raw(s, stats, owner);
            assertEquals(200, all.statusCode(), all.body());
            assertEquals(100, JSON.readTree(all.body()).at("/parameter/0/resource/component/0/valueQuantity/value").asInt(), all.body());

            assertEquals(201, post(s, "/fhir/Observation", owner, JSON.readTree(String.format(one, "2025-03-10T00:00:00Z", 70)).get("resource").toString())
                    .statusCode());
            HttpResponse<String> tooMany = raw(s, stats, owner);
            refused(tooMany, 400, "date");
            assertTrue(tooMany.body().contains("more than 100 Observations"), tooMany.body());
            HttpResponse<String> narrower = raw(s, stats + "&date=lt2025-03-03T00:00:00Z", owner);
            assertEquals(200, narrower.statusCode(), narrower.body());
            assertEquals(48, JSON.readTree(narrower.body()).at("/parameter/0/resource/component/0/valueQuantity/value").asInt(), narrower.body());
        }
    }

    /** Two values near a double's largest, each accepted, sum exactly in $stats: the sum was Infinity, which is no FHIR decimal. */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void statsSumValuesAcceptedHoweverLarge(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            VariantsTest.World w = VariantsTest.world(s);
            String owner = w.owner().accessToken();
            String patient = userId(s, "owner");
            for (String day : List.of("2025-04-01", "2025-04-02")) {
                assertEquals(201, post(s, "/fhir/Observation", owner, FHIR.newJsonParser().encodeResourceToString(heartRate(patient, day, 1.7e308)))
                        .statusCode());
            }
            HttpResponse<String> stats = raw(s, "/fhir/Observation/$stats?patient=" + patient + "&code=8867-4&statistic=sum,average&date=ge2025-04", owner);
            assertEquals(200, stats.statusCode(), stats.body());
            assertConforms(stats.body());
            JsonNode components = JSON.readTree(stats.body()).at("/parameter/0/resource/component");
            assertEquals(0, new java.math.BigDecimal("3.4E+308").compareTo(components.at("/0/valueQuantity/value").decimalValue()), stats.body());
            assertEquals(1.7e308, components.at("/1/valueQuantity/value").asDouble(), stats.body());
        }
    }

    static HttpResponse<String> post(TestServer s, String path, String token, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/fhir+json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
