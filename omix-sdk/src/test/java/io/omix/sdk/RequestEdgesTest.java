package io.omix.sdk;

import io.omix.server.testing.TestServer;
import io.omix.server.users.PasswordSignIn;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests shaped at the edges of HTTP, and texts no declared parameter checks (an attack review): each is refused
 * naming what is wrong, or treated as the unknown thing it is; none is a 500, on either database.
 */
class RequestEdgesTest {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** What the server answers to {@code request} sent as it is (a URI the JDK's client would not send). */
    static String raw(TestServer s, String request) throws Exception {
        URI url = URI.create(s.url());
        try (java.net.Socket socket = new java.net.Socket(url.getHost(), url.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String forged(String raw) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    static void refusedNaming(HttpResponse<String> answer, String parameter) throws Exception {
        Model body = Model.parse(answer.body());
        assertEquals(41001, body.getInt("code"), answer.body());
        assertTrue(body.getModel("data").containsKey(parameter), answer.body());
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void malformedRequestShapesAreRefusedNotFailed(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            VariantsTest.World w = VariantsTest.world(s);
            String token = w.owner().accessToken();
            HttpRequest.Builder sample = HttpRequest.newBuilder(URI.create(s.url() + "/samples/" + w.sample())).header("Authorization", "Bearer " + token);
            // A charset without a value failed the request; an unknown one made every query parameter disappear.
            for (String type : new String[] {"text/plain; charset", "text/plain; charset=", "text/plain; charset=bogus", "text/plain; charset= utf-8"}) {
                refusedNaming(send(sample.copy().header("Content-Type", type)), "Content-Type");
            }
            for (String type : new String[] {"text/plain; charset=utf-8", "application/json;charset=UTF-8", "text/plain; charset=us-ascii",
                    "text/plain; charset=\"utf-8\"", "application/x-www-form-urlencoded; charset=ISO-8859-1"}) {
                assertEquals(0, Model.parse(send(sample.copy().header("Content-Type", type)).body()).getInt("code"), type);
            }
            refusedNaming(send(HttpRequest.newBuilder(URI.create(s.url() + "/oauth2/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded; charset=bogus")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))), "Content-Type");
            // Form fields: a bad escape names its field (the field was dropped without a word), a form is at most 1,000 fields
            // (a body of millions of empty ones was split into as many objects), and a multipart body is never parsed.
            HttpRequest.Builder form = HttpRequest.newBuilder(URI.create(s.url() + "/samples/register")).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/x-www-form-urlencoded");
            refusedNaming(send(form.copy().POST(HttpRequest.BodyPublishers.ofString("sample_type=11&external_sample_id=%zz"))), "external_sample_id");
            refusedNaming(send(form.copy().POST(HttpRequest.BodyPublishers.ofString("&".repeat(5_000)))), "body");
            HttpResponse<String> multipart = send(HttpRequest.newBuilder(URI.create(s.url() + "/console/login"))
                    .header("Content-Type", "multipart/form-data; boundary=X").header("Cookie", "omix_login_csrf=abc")
                    .POST(HttpRequest.BodyPublishers.ofString("--X\r\nContent-Disposition: form-data; name=\"csrf\"; filename=\"a\"\r\n\r\nabc\r\n--X--\r\n")));
            assertTrue(multipart.statusCode() < 500, multipart.statusCode() + " " + multipart.body());
            // The method is the one sent: the override header could name the framework's own hooks as a method.
            refusedNaming(send(sample.copy().header("X-HTTP-Method-Override", "DELETE")), "X-HTTP-Method-Override");
            // A UTF-16 escape in a path is malformed (its decoder failed the request).
            String utf16 = raw(s, "GET /samples/%u0041 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token + "\r\nConnection: close\r\n\r\n");
            assertTrue(utf16.startsWith("HTTP/1.1 400"), utf16);
            assertTrue(!utf16.contains("Exception") && !utf16.toLowerCase(java.util.Locale.ROOT).contains("jetty"), utf16);
            // HEAD is served as GET is, body left out: checks and all (it answered 200 for a forged signed link).
            HttpResponse<String> head = send(sample.copy().method("HEAD", HttpRequest.BodyPublishers.noBody()));
            assertEquals(200, head.statusCode());
            assertEquals("", head.body());
            String forgedLink = s.url() + "/oss/objects/" + w.sample() + "/x.txt?Expires=9999999999&Grant=t.x&Signature=bad";
            int get = send(HttpRequest.newBuilder(URI.create(forgedLink))).statusCode();
            assertTrue(get >= 400 && get < 500, "GET " + get);
            assertEquals(get, send(HttpRequest.newBuilder(URI.create(forgedLink)).method("HEAD", HttpRequest.BodyPublishers.noBody())).statusCode());
            assertEquals(200, send(HttpRequest.newBuilder(URI.create(s.url() + "/ping")).method("HEAD", HttpRequest.BodyPublishers.noBody())).statusCode());
            // Except a GET that runs a model: a link checker's HEAD must not run it.
            HttpResponse<String> headModel = send(HttpRequest.newBuilder(URI.create(s.url() + "/model/someModel")).header("Authorization", "Bearer " + token)
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()));
            assertEquals(405, headModel.statusCode());
            assertEquals("GET", headModel.headers().firstValue("Allow").orElse(null));
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void forgedPageTokensAndControlCharactersInNamesAreRefusedNotFailed(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            VariantsTest.World w = VariantsTest.world(s);
            String token = w.owner().accessToken();
            // A region page token whose numbers are too large for what they count.
            refusedNaming(send(HttpRequest.newBuilder(URI.create(s.url() + "/variants/region?biosample_id=" + w.sample() + "&regions=1:1-100&next_page="
                    + forged("v1\nx\n9999999999\n1\n1\n1"))).header("Authorization", "Bearer " + token)), "next_page");
            // A NUL in a microbiome page token (PostgreSQL refused it with a failure).
            String gut = MicrobiomeTest.metagenomicsSample(w, "GUT-EDGE");
            refusedNaming(send(HttpRequest.newBuilder(URI.create(s.url() + "/microbiome/func_abundance?biosample_id=" + gut + "&catalog=" + io.omix.server.microbiome.ProfileImporter.FUNC_CATALOGS.iterator().next() + "&next_page="
                    + forged("v1\n\u0000"))).header("Authorization", "Bearer " + token)), "next_page");
            // A DRS id that decodes to a NUL names no object.
            HttpResponse<String> drs = send(HttpRequest.newBuilder(URI.create(s.url() + "/ga4gh/drs/v1/objects/AA")).header("Authorization", "Bearer " + token));
            assertEquals(404, drs.statusCode(), drs.body());
            // A client id or a username with a NUL is unknown, as any other.
            HttpResponse<String> basic = send(HttpRequest.newBuilder(URI.create(s.url() + "/oauth2/token"))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("%00:x".getBytes(StandardCharsets.US_ASCII)))
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")));
            assertTrue(basic.statusCode() < 500 && basic.body().contains("invalid_client"), basic.statusCode() + " " + basic.body());
            HttpResponse<String> authorize = send(HttpRequest.newBuilder(URI.create(s.url() + "/oauth2/authorize?client_id=%00&response_type=code")));
            assertTrue(authorize.statusCode() < 500, authorize.statusCode() + " " + authorize.body());
            assertInstanceOf(PasswordSignIn.Outcome.Wrong.class, new PasswordSignIn(Identity.platform(s)).attempt("\u0000", "x", "127.0.0.1"));
        }
    }
}
