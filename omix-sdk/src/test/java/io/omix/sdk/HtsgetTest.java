package io.omix.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import htsjdk.samtools.util.Interval;
import htsjdk.samtools.util.htsget.HtsgetClass;
import htsjdk.samtools.util.htsget.HtsgetFormat;
import htsjdk.samtools.util.htsget.HtsgetRequest;
import htsjdk.samtools.util.htsget.HtsgetResponse;
import htsjdk.tribble.readers.AsciiLineReader;
import htsjdk.tribble.readers.AsciiLineReaderIterator;
import htsjdk.variant.variantcontext.VariantContext;
import htsjdk.variant.vcf.VCFCodec;
import htsjdk.variant.vcf.VCFHeader;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GA4GH htsget 1.3 for a sample's calls, as htsjdk's htsget client asks for them: the request URI
 * built by htsjdk, the ticket parsed by htsjdk, its URL fetched by htsjdk and the VCF read by htsjdk's
 * codec; a region, the header alone, and the refusals in htsget's error shape, on both databases.
 */
class HtsgetTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    record Ticket(int status, String body) {}

    static Ticket ticket(URI uri, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri);
        if (token != null) b.header("Authorization", "Bearer " + token);
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Ticket(r.statusCode(), r.body());
    }

    /** The VCF the ticket's URLs give, read by htsjdk: its header and records. */
    static List<VariantContext> read(String ticketJson, VCFHeader[] header) throws Exception {
        HtsgetResponse response = HtsgetResponse.parse(ticketJson);
        assertEquals(HtsgetFormat.VCF, response.getFormat());
        try (InputStream in = response.getDataStream()) {
            VCFCodec codec = new VCFCodec();
            AsciiLineReaderIterator lines = new AsciiLineReaderIterator(AsciiLineReader.from(in));
            header[0] = (VCFHeader) codec.readActualHeader(lines);
            List<VariantContext> records = new ArrayList<>();
            while (lines.hasNext()) records.add(codec.decode(lines.next()));
            return records;
        }
    }

    static String error(String body) throws Exception {
        JsonNode n = new ObjectMapper().readTree(body);
        return n.at("/htsget/error").asText();
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void htsjdkFetchesASamplesCallsByRegionAndTheHeaderAlone(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            VariantsTest.World w = VariantsTest.world(s);
            VariantsTest.importFixture(w, VariantsTest.fixture());
            String token = w.owner().accessToken();
            URI endpoint = URI.create(s.url() + "/htsget/variants/" + w.sample());

            Ticket all = ticket(new HtsgetRequest(endpoint).withFormat(HtsgetFormat.VCF).toURI(), token);
            assertEquals(200, all.status(), all.body());
            VCFHeader[] header = new VCFHeader[1];
            List<VariantContext> every = read(all.body(), header);
            assertEquals(List.of(w.sample()), header[0].getGenotypeSamples());
            assertEquals(6, every.size(), "the fixture's six records with rs ids, the one without left out as at import");

            // htsjdk's interval is 1-based; the request carries htsget's 0-based start.
            Ticket region = ticket(new HtsgetRequest(endpoint).withFormat(HtsgetFormat.VCF).withInterval(new Interval("1", 1500, 3000)).toURI(), token);
            assertEquals(200, region.status(), region.body());
            List<VariantContext> calls = read(region.body(), header);
            assertEquals(List.of(2000, 3000), calls.stream().map(VariantContext::getStart).toList());
            assertEquals("rs200", calls.get(0).getID());
            assertTrue(calls.get(0).getGenotype(w.sample()).isHomVar(), "the sample's own genotype comes through");

            Ticket head = ticket(new HtsgetRequest(endpoint).withFormat(HtsgetFormat.VCF).withDataClass(HtsgetClass.header).toURI(), token);
            assertEquals(200, head.status(), head.body());
            assertTrue(read(head.body(), header).isEmpty(), "the header alone");

            // Refusals in htsget's shape.
            assertEquals("NotFound", error(ticket(endpoint, w.stranger().accessToken()).body()), "a sample the caller does not see");
            assertEquals(404, ticket(endpoint, w.stranger().accessToken()).status());
            Ticket anonymous = ticket(endpoint, null);
            assertEquals(401, anonymous.status());
            assertEquals("InvalidAuthentication", error(anonymous.body()));
            Ticket bam = ticket(URI.create(endpoint + "?format=BAM"), token);
            assertEquals(400, bam.status());
            assertEquals("UnsupportedFormat", error(bam.body()));
            Ticket backwards = ticket(URI.create(endpoint + "?referenceName=1&start=500&end=100"), token);
            assertEquals(400, backwards.status());
            assertEquals("InvalidRange", error(backwards.body()));
            Ticket noReference = ticket(URI.create(endpoint + "?start=5"), token);
            assertEquals(400, noReference.status());

            // A ticket's URL is signed: tampered or unsigned, it gives nothing.
            String url = new ObjectMapper().readTree(region.body()).at("/htsget/urls/0/url").asText();
            HttpResponse<String> widened = HTTP.send(HttpRequest.newBuilder(URI.create(url.replace("end=3000", "end=9000"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, widened.statusCode(), "a widened slice is not the one signed");
            HttpResponse<String> other = HTTP.send(HttpRequest.newBuilder(URI.create(url.replace(w.sample(), "E-B00000000001"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, other.statusCode(), "nor another sample");

            // The URL dies with the grant that asked for it: the person disabled, their genome stops flowing at once.
            HttpResponse<String> served = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, served.statusCode());
            assertEquals("no-store", served.headers().firstValue("Cache-Control").orElse(""), "no cache keeps a genome past its grant");
            // A client accepting gzip (igv.js, a browser) gets the same slice, never a compressed body under the plain length.
            HttpResponse<String> gzipped = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Accept-Encoding", "gzip").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(served.body(), gzipped.body());
            new io.omix.server.users.UserStore(s.server().platform()).setDisabled("owner", true);
            HttpResponse<String> after = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(403, after.statusCode(), after.body());
            assertTrue(after.body().contains("grant"), after.body());
        }
    }

    /**
     * An application's own ticket for a sample it registered for a person: once the person revokes the application
     * (which takes that sample back from it), the URL it already holds stops, though the application's grant stands.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anApplicationsUrlEndsWhenThePersonTakesTheSampleBack(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client client = Identity.confidentialClient(s);
            Identity.Person person = Identity.user(s, "revoker", "revoker@example.org");
            String operator = Identity.operatorToken(s, "htsget-operator");
            String project = new io.omix.server.samples.SampleStore(s.server().platform()).createProject("wgs", 1, null, null, null).projectId();
            String personToken = Identity.userToken(s, client, person.userId(), "samples variants").accessToken();
            try (Api own = Api.builder(personToken).endpoint(s.url()).build(); Api op = Api.builder(operator).endpoint(s.url()).build();
                 OAuth2 oauth2 = OAuth2.builder(client.id(), client.secret()).endpoint(s.url()).build()) {
                String sample = own.registerSample("WGS-R", 11, project).getString("biosample_id");
                VariantsTest.importFixture(new VariantsTest.World(s, op, own, null, sample), VariantsTest.fixture());
                String appToken = oauth2.getCredentialsToken().accessToken();
                Ticket ticket = ticket(URI.create(s.url() + "/htsget/variants/" + sample), appToken);
                assertEquals(200, ticket.status(), ticket.body());
                String url = new ObjectMapper().readTree(ticket.body()).at("/htsget/urls/0/url").asText();
                assertEquals(200, HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode());

                assertTrue(new io.omix.server.oauth.ConsentStore(s.server().platform()).revoke(person.userId(), client.id()));
                HttpResponse<String> after = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(403, after.statusCode(), "the application's grant stands, but it no longer sees the sample: " + after.body());
                assertEquals("PermissionDenied", error(after.body()));
                assertEquals(404, ticket(URI.create(s.url() + "/htsget/variants/" + sample), appToken).status(), "nor a new ticket");
            }
        }
    }
    /**
     * A slice being read ends with the grant behind its ticket within a second or so, as a file download does: a slow
     * reader of a genome whose person revoked the application meanwhile gets a broken download (the slice goes with its
     * length), not the rest of it.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aSliceBeingReadEndsWithItsGrant(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client client = Identity.confidentialClient(s);
            Identity.Person person = Identity.user(s, "slow-reader", "slow-reader@example.org");
            String operator = Identity.operatorToken(s, "htsget-operator");
            String project = new io.omix.server.samples.SampleStore(s.server().platform()).createProject("wgs", 1, null, null, null).projectId();
            io.omix.server.oauth.TokenStore.Issued grant = Identity.userToken(s, client, person.userId(), "samples variants");
            try (Api own = Api.builder(grant.accessToken()).endpoint(s.url()).build(); Api op = Api.builder(operator).endpoint(s.url()).build();
                 OAuth2 oauth2 = OAuth2.builder(client.id(), client.secret()).endpoint(s.url()).build()) {
                String sample = own.registerSample("WGS-SLOW", 11, project).getString("biosample_id");
                // A slice far larger than what the sockets' buffers hold (some 20 MB).
                StringBuilder vcf = new StringBuilder(new String(VariantsTest.fixture(), java.nio.charset.StandardCharsets.UTF_8).split("#CHROM")[0]);
                vcf.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tPATIENT\n");
                for (int i = 1; i <= 250_000; i++) {
                    vcf.append("1\t").append(1000 + 10L * i).append("\trs").append(1_000_000 + i).append("\tA\tG\t50\tPASS\tAN=2;DP=30\tGT:AD:DP:GQ\t0/1:14,16:30:99\n");
                }
                VariantsTest.importFixture(new VariantsTest.World(s, op, own, null, sample), vcf.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                Ticket ticket = ticket(URI.create(s.url() + "/htsget/variants/" + sample), grant.accessToken());
                assertEquals(200, ticket.status(), ticket.body());
                String url = new ObjectMapper().readTree(ticket.body()).at("/htsget/urls/0/url").asText();
                HttpResponse<InputStream> slice = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofInputStream());
                assertEquals(200, slice.statusCode());
                long length = slice.headers().firstValueAsLong("Content-Length").orElseThrow();
                long read = 0;
                byte[] buffer = new byte[1 << 20];
                try (InputStream in = slice.body()) {
                    read += in.readNBytes(buffer, 0, buffer.length);
                    oauth2.revoke(grant.refreshToken());
                    // Read on slowly (about 3 MB/s: the rest would take five seconds more), so that what the server may send
                    // ahead into the sockets' buffers before its check a second later (some 10 MB on loopback) is not all of it.
                    for (int n; (n = in.readNBytes(buffer, 0, buffer.length)) > 0; ) {
                        read += n;
                        Thread.sleep(300);
                    }
                } catch (java.io.IOException cut) {
                    // the connection cut short: what a client sees of a slice whose grant ended
                }
                assertTrue(length > 15_000_000, "a slice of " + length + " bytes");
                assertTrue(read < length, "read " + read + " of " + length);
            }
        }
    }
}
