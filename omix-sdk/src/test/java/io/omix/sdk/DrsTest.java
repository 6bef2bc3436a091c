package io.omix.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omix.server.oauth.TokenStore;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GA4GH DRS 1.x as a DRS client uses it, with nothing of Omix but a bearer token: service-info, an
 * uploaded object described with its SHA-256, its https access fetched and downloaded byte for byte;
 * another application's object, an unknown id, no token and a dead token refused with the DRS error
 * shape and status; on both databases.
 */
class DrsTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();

    record Answer(int status, JsonNode body) {}

    static Answer get(TestServer s, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.url() + path));
        if (token != null) b.header("Authorization", "Bearer " + token);
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), JSON.readTree(r.body()));
    }

    static String token(TestServer s, Identity.Client client) {
        return new TokenStore(Identity.platform(s)).issue(TokenStore.newFamily(), client.id(), null, "client_credentials", "files", null, false)
                .accessToken();
    }

    @org.junit.jupiter.api.Test
    void aGeneTableOfASampleThePersonSeesIsADrsObjectForTheirMicrobiomeTokenOnly() throws Exception {
        try (TestServer s = TestServer.builder().setting("demo.enabled", "true").start()) {
            Model demo = Model.parse(java.nio.file.Files.readString(s.dataDir().resolve("demo-credentials.json")));
            String clientId = (String) demo.at("oauth_client.client_id");
            String userId = (String) demo.at("user.user_id");
            String gut = (String) demo.at("microbiome.biosample_id");
            TokenStore tokens = new TokenStore(Identity.platform(s));
            String microbiome = tokens.issue(TokenStore.newFamily(), clientId, userId, "authorization_code", "microbiome", null, false).accessToken();
            String filesOnly = tokens.issue(TokenStore.newFamily(), clientId, userId, "authorization_code", "files", null, false).accessToken();
            String secondUser = tokens.issue(TokenStore.newFamily(), clientId, (String) demo.at("second_user.user_id"), "authorization_code",
                    "microbiome", null, false).accessToken();
            FileLink table;
            try (Api person = Api.builder(microbiome).endpoint(s.url()).build()) {
                table = person.microbiome().geneTable(GeneCatalog.IGC_9_9M, gut);
            }
            String id = Base64.getUrlEncoder().withoutPadding().encodeToString(table.objectName().getBytes(StandardCharsets.UTF_8));
            Answer object = get(s, "/ga4gh/drs/v1/objects/" + id, microbiome);
            assertEquals(200, object.status(), object.body().toString());
            assertEquals(table.raw().getString("sha256"), object.body().at("/checksums/0/checksum").asText());
            assertEquals(404, get(s, "/ga4gh/drs/v1/objects/" + id, filesOnly).status(), "the sample's data needs the microbiome scope");
            assertEquals(404, get(s, "/ga4gh/drs/v1/objects/" + id, secondUser).status(), "another person does not see the sample");

            // The link the person holds lives as long as they see the sample (a shared sample they took themselves off, say).
            assertEquals(200, CredentialLifetimesTest.linkStatus(table.url()));
            assertTrue(new io.omix.server.samples.SampleStore(Identity.platform(s)).unbindUser(gut, userId));
            assertEquals(403, CredentialLifetimesTest.linkStatus(table.url()), "no longer theirs: the link is over though the grant stands");
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aDrsClientDescribesAndFetchesItsObjectsAndNothingElse(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client owner = Identity.confidentialClient(s);
            Identity.Client other = Identity.confidentialClient(s);
            String token = token(s, owner);
            byte[] bytes = "a DRS object, byte for byte\n".repeat(2000).getBytes(StandardCharsets.UTF_8);
            String name;
            try (Api api = Api.builder(token).endpoint(s.url()).build()) {
                name = api.upload("drs.txt", bytes);
            }
            String id = Base64.getUrlEncoder().withoutPadding().encodeToString(name.getBytes(StandardCharsets.UTF_8));

            Answer info = get(s, "/ga4gh/drs/v1/service-info", null);
            assertEquals(200, info.status());
            assertEquals("drs", info.body().at("/type/artifact").asText());
            assertEquals("org.ga4gh", info.body().at("/type/group").asText());

            Answer object = get(s, "/ga4gh/drs/v1/objects/" + id, token);
            assertEquals(200, object.status(), object.body().toString());
            assertEquals(id, object.body().get("id").asText());
            assertEquals("drs.txt", object.body().get("name").asText());
            assertEquals(bytes.length, object.body().get("size").asLong());
            assertEquals("drs://" + URI.create(s.url()).getRawAuthority() + "/" + id, object.body().get("self_uri").asText());
            assertEquals("sha-256", object.body().at("/checksums/0/type").asText());
            assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), object.body().at("/checksums/0/checksum").asText());
            assertTrue(object.body().get("created_time").asText().endsWith("Z"));
            String accessId = object.body().at("/access_methods/0/access_id").asText();
            assertEquals("https", object.body().at("/access_methods/0/type").asText());

            Answer access = get(s, "/ga4gh/drs/v1/objects/" + id + "/access/" + accessId, token);
            assertEquals(200, access.status(), access.body().toString());
            HttpResponse<byte[]> file = HTTP.send(HttpRequest.newBuilder(URI.create(access.body().get("url").asText())).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, file.statusCode());
            assertArrayEquals(bytes, file.body());

            // Refusals, in the DRS error shape {msg, status_code}:
            Answer notYours = get(s, "/ga4gh/drs/v1/objects/" + id, token(s, other));
            assertEquals(404, notYours.status(), "another application's object does not exist for it");
            assertEquals(404, notYours.body().get("status_code").asInt());
            assertTrue(notYours.body().get("msg").asText().contains("object"), notYours.body().toString());
            assertEquals(404, get(s, "/ga4gh/drs/v1/objects/" + id + "/access/" + accessId, token(s, other)).status());
            assertEquals(404, get(s, "/ga4gh/drs/v1/objects/" + id + "/access/s3", token).status(), "an access id it does not offer");
            assertEquals(404, get(s, "/ga4gh/drs/v1/objects/bm8tc3VjaC1vYmplY3Q", token).status(), "an id naming nothing");
            assertEquals(400, get(s, "/ga4gh/drs/v1/objects/not%2Ean%2Eid", token).status(), "not an id at all");
            Answer anonymous = get(s, "/ga4gh/drs/v1/objects/" + id, null);
            assertEquals(401, anonymous.status());
            assertEquals(401, anonymous.body().get("status_code").asInt());
            assertEquals(401, get(s, "/ga4gh/drs/v1/objects/" + id, "oat_dead").status());
            String noFiles = new TokenStore(Identity.platform(s)).issue(TokenStore.newFamily(), owner.id(), null, "client_credentials", "samples",
                    null, false).accessToken();
            assertEquals(404, get(s, "/ga4gh/drs/v1/objects/" + id, noFiles).status(), "a token without the files scope reads no files");
        }
    }
}
