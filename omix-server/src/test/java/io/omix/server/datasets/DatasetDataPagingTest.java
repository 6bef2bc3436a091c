package io.omix.server.datasets;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.omix.server.Platform;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A dataset's rows by offset and limit are its active batches' rows in batch then row order, wherever a page starts
 * and ends (inside a batch, at a batch's edge, across a suspended or deleted batch, past the end), on both databases;
 * and a page stops once its rows' text reaches the bound, one row at least.
 */
class DatasetDataPagingTest {
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void everyPageIsTheActiveRowsFromItsOffset(String kind) {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Platform platform = s.server().platform();
            DatasetStore store = new DatasetStore(platform);
            String key = new io.omix.server.apps.DatasetKeyStore(platform).create("Paging").key().apiKey();
            DatasetStore.Workspace ws = store.createWorkspace(key, "paging");
            long dataset = store.jdbc().inTransaction(tx -> {
                long id = DatasetStore.insertDataset(tx, ws.projectId(), "Pages", "sketch", JsonNodeFactory.instance.objectNode(), null, key,
                        platform.now(), platform.config().quotas());
                DatasetStore.insertColumns(tx, id, List.of(new DatasetStore.Column("a", "A", "text"), new DatasetStore.Column("b", "B", "text")));
                return id;
            });
            int[] sizes = {5, 1, 70, 3, 40}; // two batches longer than the rows one statement reads (DatasetStore.ROWS_FETCHED)
            List<Long> batches = new ArrayList<>();
            for (int b = 0; b < sizes.length; b++) {
                int batch = b;
                batches.add(store.jdbc().inTransaction(tx -> {
                    try (DatasetStore.BatchWriter w = new DatasetStore.BatchWriter(tx, dataset, "batch " + batch, JsonNodeFactory.instance.objectNode(),
                            JsonNodeFactory.instance.objectNode(), 2, platform.now(), platform.config().quotas())) {
                        for (int i = 1; i <= sizes[batch]; i++) w.add(List.of(batch + "." + i, "x"));
                        return w.batchId();
                    }
                }));
            }
            store.jdbc().inTransaction(tx -> {
                DatasetStore.setState(tx, dataset, List.of(batches.get(1)), DatasetStore.SUSPENDED);
                DatasetStore.markDeleting(tx, dataset, List.of(batches.get(3)), platform.now());
                return null;
            });
            List<String> active = new ArrayList<>();
            for (int b : new int[] {0, 2, 4}) for (int i = 1; i <= sizes[b]; i++) active.add(b + "." + i);

            for (int limit : new int[] {1, 2, 5, 7, 32, 33, 64, 200}) {
                for (int offset = 0; offset <= active.size() + 2; offset++) {
                    List<String> expected = active.subList(Math.min(offset, active.size()), Math.min(offset + limit, active.size()));
                    List<String> page = store.data(dataset, new int[] {0}, limit, offset, Long.MAX_VALUE).stream().map(r -> r.get(0)).toList();
                    assertEquals(expected, page, "limit " + limit + ", offset " + offset);
                    // And batches of large rows, read a few dozen rows a statement, each after the last one read.
                    List<String> inPieces = store.data(dataset, new int[] {0}, limit, offset, Long.MAX_VALUE, 0, 0).stream().map(r -> r.get(0)).toList();
                    assertEquals(expected, inPieces, "in pieces: limit " + limit + ", offset " + offset);
                }
            }
            assertEquals(List.of(List.of("x", "2.3")), store.data(dataset, new int[] {1, 0}, 1, 7, Long.MAX_VALUE), "the columns asked, in order");
            assertEquals(1, store.data(dataset, new int[] {0}, 10, 3, 1).size(), "one row at least, then the bound");
            assertEquals(2, store.data(dataset, new int[] {0}, 10, 3, 20).size(), "rows until their text reaches the bound");
            if (io.omix.server.testing.TestDatabases.H2.equals(kind)) {
                // The embedded store holds a statement's whole result before its first row: a page's statement must walk the
                // key in order and stop at its limit (a batch of a million rows of 1 MiB was otherwise read and sorted whole).
                String plan = store.jdbc().withConnection(c -> io.omix.server.common.db.Jdbc.query(c, "EXPLAIN " + DatasetStore.ROWS_OF_BATCH,
                        rs -> rs.getString(1), batches.get(2), 5L, batches.get(2), 32).get(0));
                assertTrue(plan.contains("/* index sorted */"), plan);
            }
        }
    }
}
