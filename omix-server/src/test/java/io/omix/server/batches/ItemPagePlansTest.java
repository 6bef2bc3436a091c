package io.omix.server.batches;

import io.omix.server.common.db.Jdbc;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded store holds a statement's whole result before its first row, so each statement of a data items page
 * must walk an index in order and stop at its limit, whatever the page filters by: otherwise every matching item,
 * attributes of up to 64 KiB included, was read and sorted for each 50 items of the page.
 */
class ItemPagePlansTest {
    @Test
    void everyShapeOfAnItemsPageWalksAnIndexInOrder() {
        try (TestServer s = TestServer.start()) {
            Jdbc jdbc = s.server().platform().database().jdbc();
            List<String> elements = List.of("00011d13-b363-11e9-bfed-00163e104c79");
            for (String biosample : new String[] {null, "E-A00000000001"}) {
                for (Long batch : new Long[] {null, 1_700_000_000_000L}) {
                    if (biosample == null && batch == null) continue; // a page names a sample or a batch
                    for (long[] after : new long[][] {null, {1_700_000_000_000L, 7}}) {
                        for (List<String> only : java.util.Arrays.asList(null, elements)) {
                            StringBuilder sql = new StringBuilder();
                            List<Object> args = new ArrayList<>();
                            BatchStore.itemsQuery(sql, args, "NS", biosample, batch, only, after);
                            args.add(50);
                            String plan = jdbc.withConnection(c -> Jdbc.query(c, "EXPLAIN " + sql, rs -> rs.getString(1), args.toArray()).get(0));
                            assertTrue(plan.contains("/* index sorted */"), "sample " + biosample + ", batch " + batch + ", after " + (after != null)
                                    + ", elements " + (only != null) + ":\n" + plan);
                        }
                    }
                }
            }
        }
    }
}
