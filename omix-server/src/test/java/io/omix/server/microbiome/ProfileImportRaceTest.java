package io.omix.server.microbiome;

import io.omix.server.Platform;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ErrorCode;
import io.omix.server.samples.SampleStore;
import io.omix.server.streams.StreamStore;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An import of a sample's profile, or the making of its stream entity, while the sample is being erased: each waits for the
 * erasure and is then refused as for a sample that is not there (41303), leaving nothing behind. Before, an import took the
 * background's row before the sample's (a deadlock with the erasure on PostgreSQL, a 500), and an entity was inserted beside
 * an erasure in flight (a 500 on PostgreSQL; on the embedded store a row naming the erased sample could stay).
 */
class ProfileImportRaceTest {
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anImportOrAnEntityWaitingOnAnErasureInFlightIsRefusedAndLeavesNothing(String kind) throws Exception {
        try (TestServer s = TestServer.start(kind)) {
            Platform platform = s.server().platform();
            SampleStore samples = new SampleStore(platform);
            String project = samples.createProject("race", 2, null, null, null).projectId();
            for (int round = 0; round < 2; round++) {
                String sample = samples.register(Caller.OPERATOR_TOOLS, new SampleStore.Registration("RACE-" + round, 10, project, false, 1, null, Map.of()));
                boolean entity = round == 1;
                CompletableFuture<Object> acting;
                try (Connection erasing = platform.database().dataSource().getConnection()) {
                    erasing.setAutoCommit(false);
                    // An erasure in flight, taking the rows as Erasure does: the sample's first; it then removes the sample.
                    Jdbc.query(erasing, "SELECT 1 FROM samples WHERE biosample_id = ? FOR UPDATE", rs -> 1, sample);
                    acting = CompletableFuture.supplyAsync(() -> entity ? new StreamStore(platform).entityOf(sample)
                            : new ProfileImporter(platform).importFunctions(sample, "go", new ByteArrayInputStream("GO:0005975\t1.5\n".getBytes(StandardCharsets.UTF_8)), null));
                    Thread.sleep(300);
                    assertFalse(acting.isDone(), "waits for the sample's row");
                    Jdbc.update(erasing, "DELETE FROM sample_projects WHERE biosample_id = ?", sample);
                    Jdbc.update(erasing, "DELETE FROM samples WHERE biosample_id = ?", sample);
                    erasing.commit();
                }
                ExecutionException refused = assertThrows(ExecutionException.class, () -> acting.get(10, TimeUnit.SECONDS));
                if (refused.getCause() instanceof ApiException e) {
                    assertEquals(ErrorCode.NOT_OWN_SAMPLE, e.error());
                } else {
                    throw new AssertionError("refused as a sample that is not there, not by " + refused.getCause(), refused.getCause());
                }
                Jdbc jdbc = platform.database().jdbc();
                for (String table : new String[] {"func_abundance", "taxon_abundance", "microbiome_profiles", "sample_entities"}) {
                    assertEquals(0L, jdbc.queryOne("SELECT COUNT(*) FROM " + table + " WHERE biosample_id = ?", rs -> rs.getLong(1), sample).orElseThrow(),
                            table + " keeps nothing of the erased sample");
                }
            }
        }
    }
}
