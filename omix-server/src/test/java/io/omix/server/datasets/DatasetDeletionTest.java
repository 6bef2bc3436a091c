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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A dataset's deletion takes the dataset's row before its batches: one that meets a copy job's batch not yet committed
 * (the job holding the dataset's row, as it does from its batch's end to its commit) waits for it and deletes it too.
 * Deleted rows are removed after the deletion, in steps.
 */
class DatasetDeletionTest {
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aDeletionWaitsForABatchBeingCommittedAndDeletesItToo(String kind) throws Exception {
        io.omix.server.testing.MutableClock clock = new io.omix.server.testing.MutableClock();
        try (TestServer s = TestServer.builder().database(kind).clock(clock).start()) {
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
            assertEquals(List.of("deleting"), store.jdbc().query("SELECT state FROM ds_batches WHERE dataset_id = ?", rs -> rs.getString(1), dataset),
                    "the batch committed meanwhile went with the dataset");
            assertEquals(0L, s.server().housekeeping().runNow().get("deleted_dataset_batches"), "left to a job for a while");
            clock.advance(DatasetsCapability.PURGE_GRACE.plusMinutes(1));
            assertEquals(1L, s.server().housekeeping().runNow().get("deleted_dataset_batches"), "then removed by housekeeping: its one row");
            assertEquals(0L, count(store, "SELECT COUNT(*) FROM ds_batches WHERE dataset_id = ?", dataset));
        }
    }

    /**
     * A deleted dataset's rows are removed a step at a time after its deletion commits, by what finds its batches
     * deleting (a purge job, or housekeeping for one that failed for good): a purge cut short midway leaves the rest to
     * the next, and the key's quota has the room back from the deletion on.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void deletedRowsAreRemovedInStepsAndTheirRoomIsBackAtOnce(String kind) throws Exception {
        int rows = 2 * DatasetStore.PURGE_STEP + 17;
        io.omix.server.testing.MutableClock clock = new io.omix.server.testing.MutableClock();
        try (TestServer s = TestServer.builder().database(kind).clock(clock).setting("datasets.max-rows-per-key", String.valueOf(rows)).start()) {
            Platform platform = s.server().platform();
            DatasetStore store = new DatasetStore(platform);
            String key = new io.omix.server.apps.DatasetKeyStore(platform).create("Steps").key().apiKey();
            DatasetStore.Workspace ws = store.createWorkspace(key, "steps");
            long dataset = datasetOf(store, platform, ws, key, rows);
            assertEquals((long) rows, count(store, "SELECT COUNT(*) FROM ds_rows r JOIN ds_batches b ON b.batch_id = r.batch_id WHERE b.dataset_id = ?", dataset));
            store.jdbc().inTransaction(tx -> {
                DatasetStore.deleteDataset(tx, dataset, platform.now());
                return null;
            });
            // The key's quota counts what it can read: a dataset as large as the quota fits again before any row is removed.
            long second = datasetOf(store, platform, ws, key, rows);
            long batch = store.jdbc().queryOne("SELECT batch_id FROM ds_batches WHERE dataset_id = ?", rs -> rs.getLong(1), dataset).orElseThrow();
            // A purge cut short after its first step: what it removed stays removed, the batch stays deleting.
            store.jdbc().update("DELETE FROM ds_rows WHERE batch_id = ? AND row_no < ?", batch, 1 + DatasetStore.PURGE_STEP);
            assertEquals((long) rows - DatasetStore.PURGE_STEP, DatasetStore.purge(store.jdbc(), batch));
            assertEquals(0L, count(store, "SELECT COUNT(*) FROM ds_batches WHERE dataset_id = ?", dataset));
            assertEquals(0L, count(store, "SELECT COUNT(*) FROM ds_rows WHERE batch_id = ?", batch));
            assertEquals(0L, DatasetStore.purge(store.jdbc(), batch), "a second purge of it finds nothing");
            assertEquals((long) rows, count(store, "SELECT COUNT(*) FROM ds_rows r JOIN ds_batches b ON b.batch_id = r.batch_id WHERE b.dataset_id = ?", second),
                    "another dataset's rows stay");
            assertEquals(0L, s.server().housekeeping().runNow().get("deleted_dataset_batches"));

            // Deleting and writing again cannot pile rows up faster than they are removed: a key's rows being purged and
            // its own together are held to twice its quota.
            store.jdbc().inTransaction(tx -> {
                DatasetStore.deleteDataset(tx, second, platform.now());
                return null;
            });
            long third = datasetOf(store, platform, ws, key, rows);
            store.jdbc().inTransaction(tx -> {
                DatasetStore.deleteDataset(tx, third, platform.now());
                return null;
            });
            io.omix.server.common.http.HttpProblem piled = org.junit.jupiter.api.Assertions.assertThrows(io.omix.server.common.http.HttpProblem.class,
                    () -> datasetOf(store, platform, ws, key, 1));
            assertTrue(piled.detail().contains("still being removed"), piled.detail());
            clock.advance(DatasetsCapability.PURGE_GRACE.plusMinutes(1));
            assertEquals(2L * rows, s.server().housekeeping().runNow().get("deleted_dataset_batches"));
            datasetOf(store, platform, ws, key, rows);   // removed: the room is back
        }
    }

    /**
     * One removal waits to run per caller and API key: an operator deleting datasets of two keys gets one for each (the
     * second key's rows were left to housekeeping, an hour later), and deleting more of either queues nothing more.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void oneRemovalWaitsPerCallerAndKey(String kind) {
        try (TestServer s = TestServer.builder().database(kind).setting("tasks.workers", "0").start()) {
            Platform platform = s.server().platform();
            io.omix.server.tasks.TaskEngine tasks = platform.tasks();
            for (String key : List.of("key-a", "key-b", "key-a", "key-b", "key-a")) {
                platform.database().jdbc().inTransaction(tx -> {
                    BatchJobs.purgeLater(tasks, tx, "client:console", key, "/console");
                    return null;
                });
            }
            assertEquals(List.of("key-a", "key-b"), platform.database().jdbc().query("SELECT payload FROM tasks WHERE kind = ? AND status = 'PENDING'",
                    rs -> DatasetStore.json(rs.getString(1)).path("owner_key").asText(), DatasetsCapability.PURGE_KEY_JOB).stream().sorted().toList());
        }
    }

    private static long datasetOf(DatasetStore store, Platform platform, DatasetStore.Workspace ws, String key, int rows) {
        return store.jdbc().inTransaction(tx -> {
            long id = DatasetStore.insertDataset(tx, ws.projectId(), "Rows", "sketch", JsonNodeFactory.instance.objectNode(), null, key,
                    platform.now(), platform.config().quotas());
            DatasetStore.insertColumns(tx, id, List.of(new DatasetStore.Column("a", "A", "text")));
            try (DatasetStore.BatchWriter batch = new DatasetStore.BatchWriter(tx, id, "All", JsonNodeFactory.instance.objectNode(),
                    JsonNodeFactory.instance.objectNode(), 1, platform.now(), platform.config().quotas())) {
                for (int i = 0; i < rows; i++) batch.add(List.of("row " + i));
            }
            return id;
        });
    }

    private static long count(DatasetStore store, String sql, long id) {
        return store.jdbc().queryOne(sql, rs -> rs.getLong(1), id).orElseThrow();
    }
}
