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
            assertPlans(s.server().platform().database().jdbc());
        }
    }

    /**
     * The same on tables holding what a platform's would, their statistics taken: the planner's choice of join order and
     * index depends on them (an empty table tells it nothing): other namespaces' batches outnumbering the caller's
     * many times, one sample's items in many of its batches, and many samples.
     */
    @Test
    void onPopulatedAnalyzedTablesToo() {
        try (TestServer s = TestServer.start()) {
            Jdbc jdbc = s.server().platform().database().jdbc();
            jdbc.inTransaction(c -> {
                String element = "00011d13-b363-11e9-bfed-00163e104c79";
                if (Jdbc.query(c, "SELECT 1 FROM data_elements WHERE data_element_id = ?", rs -> 1, element).isEmpty()) {
                    throw new IllegalStateException("the catalogue's element is missing");
                }
                java.time.OffsetDateTime now = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC);
                for (int b = 0; b < 2_000; b++) {
                    long batch = 1_700_000_000_000L + b;
                    String namespace = b % 20 == 0 ? "NS" : "OTHER" + (b % 7);
                    Jdbc.update(c, "INSERT INTO batches (batch_no, namespace, name, ctime, committed, item_count) VALUES (?,?,?,?,?,?)",
                            batch, namespace, "b", now, b % 3 != 1, 10);
                    for (int i = 1; i <= 10; i++) {
                        String sample = namespace.equals("NS") && i <= 2 ? "E-A00000000001" : String.format("E-B%011d", b * 10 + i);
                        Jdbc.update(c, "INSERT INTO data_items (batch_no, seq, data_item_id, biosample_id, data_element_id, attributes, create_time)"
                                + " VALUES (?,?,?,?,?,?,?)", batch, i, java.util.UUID.randomUUID().toString(), sample, element, "{}", now);
                    }
                }
                Jdbc.update(c, "ANALYZE");
                return null;
            });
            assertPlans(jdbc);
        }
    }

    private static void assertPlans(Jdbc jdbc) {
        {
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
