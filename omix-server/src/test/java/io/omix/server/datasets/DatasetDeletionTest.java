package io.omix.server.datasets;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.omix.server.Platform;
import io.omix.server.common.db.Jdbc;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A dataset's deletion takes the dataset's row before its batches: one that meets a copy job's batch not yet committed
 * (the job holding the dataset's row, as it does from its batch's end to its commit) waits for it and deletes it too.
 */
class DatasetDeletionTest {
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aDeletionWaitsForABatchBeingCommittedAndDeletesItToo(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Platform platform = s.server().platform();
            DatasetStore store = new DatasetStore(platform);
            String key = new io.omix.server.apps.DatasetKeyStore(platform).create("Deletion").key().apiKey();
            DatasetStore.Workspace ws = store.createWorkspace(key, "deletion");
            long dataset = store.jdbc().inTransaction(tx -> {
                long id = DatasetStore.insertDataset(tx, ws.projectId(), "Doomed", "sketch", JsonNodeFactory.instance.objectNode(), null, key,
                        platform.now(), platform.config().quotas());
                DatasetStore.insertColumns(tx, id, List.of(new DatasetStore.Column("a", "A", "text")));
                return id;
            });
            try (Connection copying = platform.database().dataSource().getConnection()) {
                copying.setAutoCommit(false);
                // A copy job at its end: its batch written, the dataset's row held until it commits.
                try (DatasetStore.BatchWriter batch = new DatasetStore.BatchWriter(copying, dataset, "From elsewhere", JsonNodeFactory.instance.objectNode(),
                        JsonNodeFactory.instance.objectNode(), 1, platform.now(), platform.config().quotas())) {
                    batch.add(List.of("kiwi"));
                }
                Jdbc.query(copying, "SELECT dataset_id FROM datasets WHERE dataset_id = ? FOR UPDATE", rs -> 1, dataset);
                CompletableFuture<Void> deleting = CompletableFuture.runAsync(() -> store.jdbc().inTransaction(tx -> {
                    DatasetStore.deleteDataset(tx, dataset, platform.now());
                    return null;
                }));
                Thread.sleep(500);
                assertFalse(deleting.isDone(), "the deletion waits for the dataset's row");
                copying.commit();
                deleting.get(20, TimeUnit.SECONDS);
            }
            assertEquals(0L, store.jdbc().queryOne("SELECT COUNT(*) FROM ds_batches WHERE dataset_id = ?", rs -> rs.getLong(1), dataset).orElseThrow(),
                    "the batch committed meanwhile went with the dataset");
            assertEquals(0L, store.jdbc().queryOne("SELECT COUNT(*) FROM ds_rows r JOIN ds_batches b ON b.batch_id = r.batch_id WHERE b.dataset_id = ?",
                    rs -> rs.getLong(1), dataset).orElseThrow());
        }
    }
}
