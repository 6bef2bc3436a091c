package io.omix.server.privacy;

import io.omix.server.Platform;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.db.Jdbc;
import io.omix.server.files.ObjectNames;
import io.omix.server.microbiome.ProfileImporter;
import io.omix.server.oauth.ClientStore;
import io.omix.server.oauth.ConsentStore;
import io.omix.server.oauth.OAuthClient;
import io.omix.server.oauth.TokenStore;
import io.omix.server.samples.SampleStore;
import io.omix.server.testing.LockWaits;
import io.omix.server.testing.TestServer;
import io.omix.server.users.User;
import io.omix.server.users.UserStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sample's gene table made into a file (gene_abundance with data_type=file) while the sample is being erased: the
 * request waits for the erasure and is refused as for a sample that is not there, and neither the table's row nor its
 * bytes stay. Before, the table was recorded beside the erasure, after it had listed and removed the sample's files, and
 * outlived it with every gene of the sample.
 */
class GeneTableErasureRaceTest {
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aGeneTableWrittenWhileItsSampleIsErasedGoesWithIt(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Platform platform = s.server().platform();
            String client = new ClientStore(platform).create("Genes", List.of("https://genes.example/cb"), Set.of(OAuthClient.AUTHORIZATION_CODE),
                    Set.of("samples", "microbiome"), false, null).client().clientId();
            User person = new UserStore(platform).create("genes", "genes-password-S3cret", User.Profile.EMPTY, false);
            new ConsentStore(platform).remember(person.userId(), client, Set.of("samples", "microbiome"));
            String token = new TokenStore(platform).issue(TokenStore.newFamily(), client, person.userId(), OAuthClient.AUTHORIZATION_CODE,
                    "samples microbiome", null, true).accessToken();
            SampleStore samples = new SampleStore(platform);
            String project = samples.createProject("genes", 2, null, null, null).projectId();
            String sample = samples.register(Caller.OPERATOR_TOOLS, new SampleStore.Registration("GENES-1", 10, project, false, 1, null, Map.of()));
            samples.bindUser(sample, person.userId());
            new ProfileImporter(platform).importGenes(sample, "IGC_9.9M", GeneTableErasureRaceTest.class.getResourceAsStream("/microbiome/igc.tsv"),
                    "IGC_PROFILING");
            HttpRequest asking = HttpRequest.newBuilder(URI.create(s.url() + "/microbiome/gene_abundance?biosample_id=" + sample
                    + "&catalog=IGC_9.9M&data_type=file")).header("Authorization", "Bearer " + token).build();

            ExecutorService pool = Executors.newSingleThreadExecutor();
            Future<HttpResponse<String>> asked;
            List<String> listed;
            HttpClient http = HttpClient.newHttpClient();
            try (Connection erasing = platform.database().dataSource().getConnection()) {
                erasing.setAutoCommit(false);
                // An erasure in flight, as Erasure runs it: the sample held, its files listed, every row of it removed; not yet committed.
                Jdbc.query(erasing, "SELECT 1 FROM samples WHERE biosample_id = ? FOR UPDATE", rs -> 1, sample);
                listed = new ArrayList<>(Erasure.objectsOf(erasing, sample));
                Erasure.eraseSample(erasing, sample, platform.now());
                asked = pool.submit(() -> http.send(asking, HttpResponse.BodyHandlers.ofString()));
                boolean waited;
                try {
                    waited = LockWaits.awaitWaiter(platform, java.time.Duration.ofSeconds(30), asked::isDone);
                } finally {
                    erasing.commit();
                }
                if (!waited) {
                    HttpResponse<String> early = asked.get(30, TimeUnit.SECONDS);
                    throw new AssertionError("the table was recorded beside the erasure in flight: " + early.statusCode() + " " + early.body());
                }
                HttpResponse<String> answer = asked.get(30, TimeUnit.SECONDS);
                assertTrue(answer.body().contains("\"code\":41303"), answer.statusCode() + " " + answer.body());
            } finally {
                pool.shutdownNow();
            }
            assertEquals(List.of(), listed, "the table had not been made before the erasure");
            Jdbc jdbc = platform.database().jdbc();
            assertEquals(0L, jdbc.queryOne("SELECT COUNT(*) FROM file_objects WHERE owner = ?", rs -> rs.getLong(1), "sample:" + sample).orElseThrow(),
                    "no row of the erased sample's table");
            List<String> kept = new ArrayList<>();
            platform.objects().forEachObjectWrittenBefore(java.time.Instant.now().plusSeconds(3600), name -> {
                if (name.startsWith(ObjectNames.SAMPLE_GENE_TABLES + sample)) kept.add(name);
            });
            assertEquals(List.of(), kept, "no bytes of the erased sample's table");
        }
    }
}
