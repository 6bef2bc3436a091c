package io.omix.server.variants;

import io.omix.server.Platform;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Calls stored in blocks, on both databases: found by rs id and by region across blocks and index rows, and moved from rows on upgrade. */
class CallStoreTest {
    static final String SAMPLE = "E-B00000000042";

    /** A sorted VCF of {@code records} records on chromosomes 1, 2 and X; record i has rs id 5000 - i, every tenth a second id, rs7 in every twentieth (at most 256 records share an id). */
    static String vcf(int records) {
        StringBuilder v = new StringBuilder("##fileformat=VCFv4.2\n##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
                + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n");
        for (int i = 0; i < records; i++) {
            String chromosome = i < records / 3 ? "1" : i < 2 * records / 3 ? "2" : "X";
            String ids = "rs" + (5000 - i) + (i % 10 == 0 ? ";rs" + (900_000 + i) : "") + (i % 20 == 0 ? ";rs7" : "");
            v.append(chromosome).append('\t').append(1000 + i / 2).append('\t').append(ids).append("\tA\tG\t50\tPASS\t.\tGT\t")
                    .append(i % 3 == 0 ? "0/0" : "0/1").append('\n');
        }
        return v.toString();
    }

    static void register(Platform platform) {
        platform.database().jdbc().update("INSERT INTO samples (biosample_id, site, organism, omic, status, library_json, sequencing_json,"
                + " statistics_json, alignment_json, create_time, update_time) VALUES (?,1,1,1,1,'{}','{}','{}','{}',?,?)", SAMPLE, OffsetDateTime.now(), OffsetDateTime.now());
    }

    static VcfImporter.Result importText(VcfImporter importer, String vcf) {
        return importer.importVcf(SAMPLE, new ByteArrayInputStream(vcf.getBytes(StandardCharsets.UTF_8)), VcfImporter.Options.DEFAULT);
    }

    static long currentSource(Platform platform) {
        return platform.database().jdbc().queryOne("SELECT source_id FROM variant_sources WHERE biosample_id = ? AND is_current = TRUE",
                rs -> rs.getLong(1), SAMPLE).orElseThrow();
    }

    static List<String> ids(List<Object> calls) {
        List<String> out = new ArrayList<>();
        for (Object c : calls) out.add(io.omix.server.common.http.ServerJson.MAPPER.valueToTree(c).path("alternate_id").path(0).asText());
        return out;
    }

    /** Every page of a region query, {@code limit} calls a page. */
    static List<Object> allPages(VariantStore store, List<VariantStore.Region> regions, int limit) {
        List<Object> out = new ArrayList<>();
        VariantStore.RegionCursor next = null;
        do {
            VariantStore.RegionPage page = store.region(SAMPLE, regions, false, limit, next);
            out.addAll(page.calls());
            next = page.next();
        } while (next != null);
        return out;
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void callsAcrossManyBlocksAndIndexRowsAreFoundByIdAndByRegion(String kind) {
        try (TestServer ts = TestServer.start(kind)) {
            Platform platform = ts.server().platform();
            register(platform);
            int records = 3000;
            VcfImporter.Result r = importText(new VcfImporter(platform), vcf(records));
            assertEquals(records + records / 10 + records / 20, r.imported());
            long source = currentSource(platform);
            assertTrue(r.imported() / CallStore.BLOCK_CALLS > 3 && r.imported() / CallStore.INDEX_ENTRIES > 3, "several blocks and index rows");

            List<Long> asked = new ArrayList<>();
            for (long id = 5000 - records - 5; id <= 5005; id++) asked.add(id);
            asked.addAll(List.of(7L, 900_000L, 900_010L, 900_011L, CallBlocks.MAX_RSID + 1));
            Map<Long, List<Call>> found = platform.database().jdbc().withConnection(c -> CallStore.byRsids(c, source, asked));
            for (long id = 5000 - records - 5; id <= 5005; id++) {
                boolean imported = id > 5000 - records && id <= 5000;
                assertEquals(imported ? 1 : 0, found.getOrDefault(id, List.of()).size(), "rs" + id);
                if (imported) {
                    Call call = found.get(id).get(0);
                    int i = (int) (5000 - id);
                    assertEquals(i + 1, call.seq());
                    assertEquals(1000 + i / 2, call.position());
                    assertEquals(i < records / 3 ? "1" : i < 2 * records / 3 ? "2" : "X", call.chromosome());
                    assertEquals(i % 3 == 0 ? "0/0" : "0/1", call.callData().split(";")[0]);
                }
            }
            List<Call> rs7 = found.get(7L);
            assertEquals(records / 20, rs7.size(), "an id in many records, across blocks");
            for (int k = 0; k < rs7.size(); k++) assertEquals(k * 20 + 1, rs7.get(k).seq(), "in file order");
            assertEquals(1, found.get(900_000L).size());
            assertEquals(1, found.get(900_010L).size());
            assertTrue(!found.containsKey(900_011L) && !found.containsKey(CallBlocks.MAX_RSID + 1));

            // A region over block boundaries, paged in odd sizes: every call once, in position order, then file order.
            VariantStore store = new VariantStore(platform);
            List<VariantStore.Region> regions = List.of(new VariantStore.Region("chr2", 1000 + records / 6 + 10, 1000 + records / 6 + 200),
                    new VariantStore.Region("1", 1, 1003));
            List<Object> paged = allPages(store, regions, 7);
            List<Object> whole = store.region(SAMPLE, regions, false, 1000, null).calls();
            assertEquals(ids(whole), ids(paged));
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < records; i++) {
                boolean inFirst = i >= records / 3 && i < 2 * records / 3 && 1000 + i / 2 >= 1000 + records / 6 + 10 && 1000 + i / 2 <= 1000 + records / 6 + 200;
                if (inFirst) expected.addAll(callIds(i));
            }
            for (int i = 0; i < records / 3 && 1000 + i / 2 <= 1003; i++) expected.addAll(callIds(i));
            assertEquals(expected, ids(paged));
            assertEquals(List.of(), store.region(SAMPLE, List.of(new VariantStore.Region("3", 1, 1_000_000)), false, 10, null).calls());

            // Removing the import leaves nothing of it.
            platform.database().jdbc().withConnection(c -> {
                CallStore.delete(c, source);
                return null;
            });
            for (String table : List.of("variant_blocks", "variant_rsid_directory")) {
                assertEquals(0L, platform.database().jdbc().queryOne("SELECT COUNT(*) FROM " + table, rs -> rs.getLong(1)).orElseThrow(), table);
            }
            assertEquals(0L, platform.database().jdbc().queryOne("SELECT COUNT(*) FROM variant_rsid_index", rs -> rs.getLong(1)).orElseThrow());
        }
    }

    /** The ids of record i, as the importer stores them: one call per id, in the ID column's order. */
    static List<String> callIds(int i) {
        List<String> out = new ArrayList<>();
        out.add("rs" + (5000 - i));
        if (i % 10 == 0) out.add("rs" + (900_000 + i));
        if (i % 20 == 0) out.add("rs7");
        return out;
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anUnsortedFileIsRefusedNamingTheRecordAndLeavesTheCurrentCalls(String kind) {
        try (TestServer ts = TestServer.start(kind)) {
            Platform platform = ts.server().platform();
            register(platform);
            VcfImporter importer = new VcfImporter(platform);
            importText(importer, vcf(30));
            String header = vcf(0);
            String backwards = header + "1\t500\trs1\tA\tG\t.\t.\t.\tGT\t0/1\n1\t499\trs2\tA\tG\t.\t.\t.\tGT\t0/1\n";
            String comesBack = header + "1\t500\trs1\tA\tG\t.\t.\t.\tGT\t0/1\nchr2\t10\trs2\tA\tG\t.\t.\t.\tGT\t0/1\nchr1\t600\trs3\tA\tG\t.\t.\t.\tGT\t0/1\n";
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> importText(importer, backwards));
            assertTrue(e.getMessage().startsWith("record 2 (1:499): the VCF is not sorted by position"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> importText(importer, comesBack));
            assertTrue(e.getMessage().startsWith("record 3 (chr1:600): the VCF is not sorted by position (chromosome chr1 comes back"), e.getMessage());
            String bothSpellings = header + "1\t500\trs1\tA\tG\t.\t.\t.\tGT\t0/1\nchr1\t600\trs3\tA\tG\t.\t.\t.\tGT\t0/1\n";
            importText(importer, bothSpellings);
            assertEquals(List.of("rs1", "rs3"), ids(new VariantStore(platform).region(SAMPLE, List.of(new VariantStore.Region("chr1", 1, 1000)), false, 10, null).calls()),
                    "one chromosome under both spellings, in one run, is sorted");
            assertEquals(1L, platform.database().jdbc().queryOne("SELECT COUNT(*) FROM variant_sources", rs -> rs.getLong(1)).orElseThrow(),
                    "refused imports leave nothing behind");
        }
    }

    /**
     * A page reads at most so many calls: over calls that are not variant sites it comes back shorter than
     * its limit, with where the next one starts, and the pages together are the whole answer.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aPageReadsAtMostSoManyCallsAndThePagesStillMakeTheWholeAnswer(String kind) {
        try (TestServer ts = TestServer.start(kind)) {
            Platform platform = ts.server().platform();
            register(platform);
            importText(new VcfImporter(platform), vcf(600));
            VariantStore store = new VariantStore(platform);
            List<VariantStore.Region> regions = List.of(new VariantStore.Region("1", 1, 10_000), new VariantStore.Region("2", 1, 10_000),
                    new VariantStore.Region("1", 1000, 1050));
            List<Object> whole = store.region(SAMPLE, regions, true, 1000, null).calls();
            List<Object> paged = new ArrayList<>();
            VariantStore.RegionCursor next = null;
            int pages = 0;
            boolean shortPage = false;
            do {
                VariantStore.RegionPage page = store.region(SAMPLE, regions, true, 20, next, 25);
                assertTrue(page.calls().size() <= 20);
                shortPage |= page.next() != null && page.calls().size() < 20;
                paged.addAll(page.calls());
                next = page.next();
                pages++;
            } while (next != null && pages < 1000);
            assertEquals(ids(whole), ids(paged), "every variant site once, in order");
            assertTrue(shortPage, "some page stopped at its budget before its limit");
            assertTrue(ids(whole).size() > 100, "the answer spans many pages");
        }
    }

    /**
     * What an import may hold is bounded where it enters, so that what is accepted can be answered: at most
     * {@link CallStore#MAX_CALLS_PER_RSID} records share an rs id (an answer carries every call of an id asked),
     * at most as many calls as {@code variants.max-calls-per-import} allows (the index is built in memory), a dbSNP build from the header
     * within the parameter's range or none (an export must restore), and a quality that is no number is none.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void whatAnImportHoldsIsBoundedWhereItEnters(String kind) {
        try (TestServer ts = TestServer.start(kind)) {
            Platform platform = ts.server().platform();
            register(platform);
            VcfImporter importer = new VcfImporter(platform);
            String header = vcf(0);
            StringBuilder shared = new StringBuilder(header);
            for (int i = 0; i < CallStore.MAX_CALLS_PER_RSID; i++) shared.append("1\t").append(100 + i).append("\trs7;rs").append(10_000 + i).append("\tA\tG\t.\t.\t.\tGT\t0/1\n");
            assertEquals(2L * CallStore.MAX_CALLS_PER_RSID, importText(importer, shared.toString()).imported(), "as many records as allowed share rs7");
            long before = currentSource(platform);
            String oneMore = shared + "1\t9999\trs7\tA\tG\t.\t.\t.\tGT\t0/1\n";
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> importText(importer, oneMore));
            assertEquals("rs7 is on more than 256 records (get_variants answers every call of an id asked)", e.getMessage());
            assertEquals(before, currentSource(platform), "the refused import changed nothing");
            assertEquals(1L, platform.database().jdbc().queryOne("SELECT COUNT(*) FROM variant_sources", rs -> rs.getLong(1)).orElseThrow());

            importText(importer, "##fileformat=VCFv4.2\n##dbSNP_BUILD_ID=99999\n" + header.substring(header.indexOf('\n') + 1)
                    + "1\t100\trs1\tA\tG\t.\t.\t.\tGT\t0/1\n");
            assertEquals(java.util.Collections.singletonList(null), platform.database().jdbc().query("SELECT dbsnp_build FROM variant_sources WHERE source_id = ?",
                    rs -> rs.getObject(1), currentSource(platform)), "a header's build out of range is none, as an export must restore");
            importer.importVcf(SAMPLE, new ByteArrayInputStream(("##fileformat=VCFv4.2\n##dbSNP_BUILD_ID=0\n" + header.substring(header.indexOf('\n') + 1)
                    + "1\t100\trs1\tA\tG\tNaN\t.\t.\tGT\t0/1\n1\t101\trs2\tA\tG\tInfinity\t.\t.\tGT\t0/1\n1\t102\trs3\tA\tG\t1e999\t.\t.\tGT\t0/1\n"
                    + "1\t103\trs4\tA\tG\t30.5\t.\t.\tGT\t0/1\n").getBytes(StandardCharsets.UTF_8)), new VcfImporter.Options(null, 151, null, null));
            String answer = io.omix.server.common.http.ServerJson.MAPPER.valueToTree(
                    new VariantStore(platform).region(SAMPLE, List.of(new VariantStore.Region("1", 1, 1000)), false, 10, null).calls()).toString();
            assertEquals(3, answer.split("\"site_quality\":null", -1).length - 1, answer);
            assertTrue(answer.contains("\"site_quality\":30.5") && !answer.contains("NaN") && !answer.contains("Infinity"), answer);

        }
        // At most so many calls an import, as the server's setting says: the import refused, nothing kept.
        try (TestServer ts = TestServer.start(kind, Map.of("variants.max-calls-per-import", "100"))) {
            Platform platform = ts.server().platform();
            register(platform);
            IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class, () -> importText(new VcfImporter(platform), vcf(200)));
            assertEquals("more than 100 calls in one import", tooMany.getMessage());
            assertEquals(0L, platform.database().jdbc().queryOne("SELECT COUNT(*) FROM variant_blocks", rs -> rs.getLong(1)).orElseThrow());
            assertEquals(0L, platform.database().jdbc().queryOne("SELECT COUNT(*) FROM variant_sources", rs -> rs.getLong(1)).orElseThrow());
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anImportWhoseSourceIsRemovedWhileItRunsKeepsNothingAndLeavesTheCurrentCalls(String kind) {
        try (TestServer ts = TestServer.start(kind)) {
            Platform platform = ts.server().platform();
            register(platform);
            VcfImporter importer = new VcfImporter(platform);
            importText(importer, vcf(30));
            long current = currentSource(platform);
            byte[] body = vcf(4900).getBytes(StandardCharsets.UTF_8);
            // What another import finishing does to this one (its row is marked for removal, then goes), and what the sample's erasure does (the row goes).
            for (boolean erasure : new boolean[] {true, false}) {
                // Well into the file, past what reading the header buffers.
                java.io.InputStream racing = new java.io.FilterInputStream(new ByteArrayInputStream(body)) {
                    long read;
                    boolean done;

                    @Override
                    public int read(byte[] b, int off, int len) throws java.io.IOException {
                        int n = super.read(b, off, len);
                        read += Math.max(n, 0);
                        if (!done && read > body.length - 20_000) {
                            done = true;
                            long running = platform.database().jdbc().queryOne("SELECT source_id FROM variant_sources WHERE is_current = FALSE",
                                    rs -> rs.getLong(1)).orElseThrow();
                            platform.database().jdbc().withConnection(c -> erasure
                                    ? io.omix.server.common.db.Jdbc.update(c, "DELETE FROM variant_sources WHERE source_id = ?", running)
                                    : io.omix.server.common.db.Jdbc.update(c, "UPDATE variant_sources SET removing = TRUE WHERE source_id = ?", running));
                        }
                        return n;
                    }
                };
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> importer.importVcf(SAMPLE, racing, VcfImporter.Options.DEFAULT));
                assertTrue(e.getMessage().startsWith("another import of the sample, or its erasure, finished"), e.getMessage());
                assertEquals(current, currentSource(platform), "the calls current before stay current");
                assertEquals(0L, count(platform, "SELECT COUNT(*) FROM variant_blocks WHERE source_id <> ?", current), "nothing of the removed import is left");
                ts.server().housekeeping().runNow();
                assertEquals(1L, count(platform, "SELECT COUNT(*) FROM variant_sources"), "nor its row, once housekeeping ran");
            }
        }
    }

    /** A copy of import {@code from}'s blocks under import {@code to}'s keys. */
    static void copyBlocks(Platform platform, long from, long to) {
        platform.database().jdbc().update("INSERT INTO variant_blocks (block_key, source_id, chromosome, first_position, last_position, call_count,"
                + " with_calls, calls) SELECT block_key + ?, ?, chromosome, first_position, last_position, call_count, with_calls, calls"
                + " FROM variant_blocks WHERE source_id = ?", CallBlocks.key(to, 0) - CallBlocks.key(from, 0), to, from);
    }

    static long count(Platform platform, String sql, Object... args) {
        return platform.database().jdbc().queryOne(sql, rs -> rs.getLong(1), args).orElseThrow();
    }

    /**
     * An import cut short by a crash (a killed server, an interrupted command) left its calls under a row neither
     * current nor marked, which nothing removed until the sample's next import: housekeeping removes them a day after
     * the import began, and leaves an import that began since (it may be running).
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anImportCutShortByACrashIsRemovedADayLater(String kind) {
        try (TestServer ts = TestServer.start(kind)) {
            Platform platform = ts.server().platform();
            register(platform);
            importText(new VcfImporter(platform), vcf(2000));
            long current = currentSource(platform);
            long blocksBefore = count(platform, "SELECT COUNT(*) FROM variant_blocks");
            var jdbc = platform.database().jdbc();
            jdbc.update("INSERT INTO variant_sources (biosample_id, assembly, is_current, imported_at) VALUES (?, 'GRCh38', FALSE, ?)",
                    SAMPLE, platform.now().minusHours(25));
            long crashed = jdbc.queryOne("SELECT MAX(source_id) FROM variant_sources", rs -> rs.getLong(1)).orElseThrow();
            copyBlocks(platform, current, crashed);
            jdbc.update("INSERT INTO variant_sources (biosample_id, assembly, is_current, imported_at) VALUES (?, 'GRCh38', FALSE, ?)",
                    SAMPLE, platform.now().minusHours(23));
            long running = jdbc.queryOne("SELECT MAX(source_id) FROM variant_sources", rs -> rs.getLong(1)).orElseThrow();
            copyBlocks(platform, current, running);
            long copied = count(platform, "SELECT COUNT(*) FROM variant_blocks WHERE source_id = ?", running);
            assertTrue(copied > 0);

            assertEquals(1L, ts.server().housekeeping().runNow().get("replaced_variant_imports"));
            assertEquals(0L, count(platform, "SELECT COUNT(*) FROM variant_blocks WHERE source_id = ?", crashed));
            assertEquals(0L, count(platform, "SELECT COUNT(*) FROM variant_sources WHERE source_id = ?", crashed));
            assertEquals(copied, count(platform, "SELECT COUNT(*) FROM variant_blocks WHERE source_id = ?", running), "an import of the last day stays");
            assertEquals(blocksBefore + copied, count(platform, "SELECT COUNT(*) FROM variant_blocks"));
            assertEquals(current, currentSource(platform));
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aReplacedImportIsRemovedAndARemovalCutShortIsFinishedByHousekeeping(String kind) {
        try (TestServer ts = TestServer.start(kind)) {
            Platform platform = ts.server().platform();
            register(platform);
            VcfImporter importer = new VcfImporter(platform);
            importText(importer, vcf(3000));
            long replaced = currentSource(platform);
            importText(importer, vcf(2000));
            long current = currentSource(platform);
            for (String table : List.of("variant_blocks", "variant_rsid_directory")) {
                assertEquals(0L, count(platform, "SELECT COUNT(*) FROM " + table + " WHERE source_id = ?", replaced), table);
            }
            assertEquals(0L, count(platform, "SELECT COUNT(*) FROM variant_rsid_index WHERE row_key >= ? AND row_key < ?",
                    CallBlocks.key(replaced, 0), CallBlocks.key(replaced + 1, 0)));
            assertEquals(1L, count(platform, "SELECT COUNT(*) FROM variant_sources"), "only the current import's row");

            // A removal cut short (the server stopped after its first steps): the row is marked, some blocks are gone.
            importText(importer, vcf(3000));
            long cut = current;
            current = currentSource(platform);
            assertTrue(cut != current);
            long blocksBefore = count(platform, "SELECT COUNT(*) FROM variant_blocks");
            platform.database().jdbc().update("INSERT INTO variant_sources (biosample_id, assembly, is_current, removing, imported_at) VALUES (?, 'GRCh38', FALSE, TRUE, ?)",
                    SAMPLE, OffsetDateTime.now());
            long leftover = platform.database().jdbc().queryOne("SELECT source_id FROM variant_sources WHERE removing = TRUE", rs -> rs.getLong(1)).orElseThrow();
            // Its calls: a copy of the current import's blocks and index rows under its own keys, then the first steps of their removal.
            copyBlocks(platform, current, leftover);
            platform.database().jdbc().update("INSERT INTO variant_rsid_index (row_key, entries) SELECT row_key + ?, entries FROM variant_rsid_index"
                    + " WHERE row_key >= ? AND row_key < ?", CallBlocks.key(leftover, 0) - CallBlocks.key(current, 0),
                    CallBlocks.key(current, 0), CallBlocks.key(current + 1, 0));
            long copied = count(platform, "SELECT COUNT(*) FROM variant_blocks WHERE source_id = ?", leftover);
            assertTrue(copied > 14, "several steps' worth of blocks: " + copied);
            platform.database().jdbc().update("DELETE FROM variant_blocks WHERE block_key >= ? AND block_key < ?", CallBlocks.key(leftover, 0), CallBlocks.key(leftover, 7));
            // And calls whose import row is gone altogether (an import that kept writing after another removed its row, then stopped).
            long rowless = leftover + 1000;
            copyBlocks(platform, current, rowless);
            platform.database().jdbc().update("INSERT INTO variant_rsid_directory (source_id, last_rsids) SELECT ?, last_rsids FROM variant_rsid_directory"
                    + " WHERE source_id = ?", rowless, current);
            Map<String, Long> removed = ts.server().housekeeping().runNow();
            assertEquals(2L, removed.get("replaced_variant_imports"), "the cut-short removal and the calls without a row");
            assertEquals(0L, count(platform, "SELECT COUNT(*) FROM variant_blocks WHERE source_id = ?", rowless));
            assertEquals(0L, count(platform, "SELECT COUNT(*) FROM variant_rsid_directory WHERE source_id = ?", rowless));
            assertEquals(blocksBefore, count(platform, "SELECT COUNT(*) FROM variant_blocks"), "the leftover's blocks are gone, the current import's stay");
            assertEquals(0L, count(platform, "SELECT COUNT(*) FROM variant_rsid_index WHERE row_key >= ? AND row_key < ?",
                    CallBlocks.key(leftover, 0), CallBlocks.key(leftover + 1, 0)));
            assertEquals(0L, count(platform, "SELECT COUNT(*) FROM variant_sources WHERE source_id = ?", leftover));
            assertEquals(0L, ts.server().housekeeping().runNow().get("replaced_variant_imports"), "nothing left to finish");
            assertEquals(current, currentSource(platform));
            assertEquals(1, platform.database().jdbc().withConnection(c -> CallStore.byRsids(c, currentSource(platform), List.of(4000L))).get(4000L).size());

            // Removal in small steps removes every block, whatever the step.
            platform.database().jdbc().update("UPDATE variant_sources SET is_current = FALSE WHERE source_id = ?", current);
            CallStore.deleteInSteps(platform.database().jdbc(), current, 3);
            assertEquals(0L, count(platform, "SELECT COUNT(*) FROM variant_blocks"));
            assertEquals(0L, count(platform, "SELECT COUNT(*) FROM variant_rsid_index"));
            assertEquals(0L, count(platform, "SELECT COUNT(*) FROM variant_rsid_directory"));
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void ofImportsOfOneSampleFinishingTogetherOneIsCurrentAndNothingElseIsLeft(String kind) throws Exception {
        try (TestServer ts = TestServer.start(kind)) {
            Platform platform = ts.server().platform();
            register(platform);
            VcfImporter importer = new VcfImporter(platform);
            String vcf = vcf(600);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
            try {
                for (int round = 0; round < 4; round++) {
                    List<java.util.concurrent.Future<VcfImporter.Result>> runs = new ArrayList<>();
                    for (int i = 0; i < 3; i++) runs.add(pool.submit(() -> importText(importer, vcf)));
                    int kept = 0;
                    for (var run : runs) {
                        try {
                            run.get();
                            kept++;
                        } catch (java.util.concurrent.ExecutionException e) {
                            assertTrue(e.getCause().getMessage().startsWith("another import of the sample"), e.getCause().getMessage());
                        }
                    }
                    assertTrue(kept >= 1, "at least the first to finish is kept");
                    assertEquals(1L, count(platform, "SELECT COUNT(*) FROM variant_sources WHERE is_current = TRUE"), "one current import");
                    long current = currentSource(platform);
                    assertEquals(600 + 60 + 30, new VariantStore(platform).region(SAMPLE, List.of(new VariantStore.Region("1", 1, 10_000),
                            new VariantStore.Region("2", 1, 10_000), new VariantStore.Region("X", 1, 10_000)), false, 1000, null).calls().size());
                    ts.server().housekeeping().runNow();
                    assertEquals(0L, count(platform, "SELECT COUNT(*) FROM variant_blocks WHERE source_id <> ?", current), "nothing of the others");
                    assertEquals(1L, count(platform, "SELECT COUNT(*) FROM variant_sources"));
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** The sample {@link #SAMPLE} as a version before V29 stored it (in an upgrade's set-up). */
    static void legacySample(java.sql.Connection c) throws java.sql.SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO samples (biosample_id, site, organism, omic, status, library_json, sequencing_json,"
                + " statistics_json, alignment_json, create_time, update_time) VALUES (?,1,1,1,1,'{}','{}','{}','{}',?,?)")) {
            io.omix.server.common.db.Jdbc.bind(ps, SAMPLE, OffsetDateTime.now(), OffsetDateTime.now());
            ps.executeUpdate();
        }
    }

    /** What an import may bring is no bound on calls stored before the upgrade: an rs id on 300 rows moves all the same. */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void rowsBeyondAnImportsLimitsStillMoveIntoBlocks(String kind) {
        try (TestServer ts = TestServer.builder().database(kind).upgradingFrom("28", c -> {
            legacySample(c);
            io.omix.server.common.db.Jdbc.update(c, "INSERT INTO variant_sources (source_id, biosample_id, assembly, is_current, variant_count, imported_at)"
                    + " VALUES (78, ?, 'GRCh38', TRUE, 300, ?)", SAMPLE, OffsetDateTime.now());
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO variants (source_id, rsid, seq, chromosome, position, ref, alts, call_data, site_data,"
                    + " frequency, gene, variant_type, variant_id) VALUES (78,600,?,'3',?,'C','T','0/1;;;;',NULL,NULL,NULL,'snp',?)")) {
                for (int i = 0; i < CallStore.MAX_CALLS_PER_RSID + 44; i++) {
                    io.omix.server.common.db.Jdbc.bind(ps, i + 1, 1000L + i, UUID.randomUUID());
                    ps.executeUpdate();
                }
            }
        }).start()) {
            Platform platform = ts.server().platform();
            Map<Long, List<Call>> found = platform.database().jdbc().withConnection(c -> CallStore.byRsids(c, 78, List.of(600L)));
            assertEquals(CallStore.MAX_CALLS_PER_RSID + 44, found.get(600L).size());
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void callsStoredAsRowsBeforeTheUpgradeMoveIntoBlocksInPositionOrder(String kind) {
        UUID variantId = UUID.fromString("6f1c2a9e-0d7b-4c53-9a61-3f0e8b2d4c17");
        try (TestServer ts = TestServer.builder().database(kind).upgradingFrom("28", c -> {
            legacySample(c);
            io.omix.server.common.db.Jdbc.update(c, "INSERT INTO variant_sources (source_id, biosample_id, assembly, is_current, variant_count, imported_at)"
                    + " VALUES (77, ?, 'GRCh38', TRUE, 5, ?)", SAMPLE, OffsetDateTime.now());
            // An earlier version took unsorted files and both spellings of a chromosome: the rows are in no useful order.
            Object[][] rows = {
                    {300L, 3, "chr2", 50L, "0/1;;;;"},
                    {100L, 1, "1", 900L, "1/1;30;0,30;99;"},
                    {101L, 1, "1", 900L, "1/1;30;0,30;99;"},
                    {200L, 2, "chr1", 400L, null},
                    {400L, 4, "1", 1200L, "0/0;;;;"},
            };
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO variants (source_id, rsid, seq, chromosome, position, ref, alts, call_data, site_data,"
                    + " frequency, gene, variant_type, variant_id) VALUES (77,?,?,?,?,'C','T',?,'60;2;30','{\"AF\":[0.5]}','TP53','snp',?)")) {
                for (Object[] row : rows) {
                    io.omix.server.common.db.Jdbc.bind(ps, row[0], row[1], row[2], row[3], row[4], variantId);
                    ps.executeUpdate();
                }
            }
            // That version also stored frequencies as the file wrote them, which no JSON reader takes.
            io.omix.server.common.db.Jdbc.update(c, "UPDATE variants SET frequency = '{\"AF\":[.5,NaN]}' WHERE rsid = 400");
        }).start()) {
            Platform platform = ts.server().platform();
            assertEquals(0L, platform.database().jdbc().queryOne("SELECT COUNT(*) FROM variants", rs -> rs.getLong(1)).orElseThrow(), "the rows moved");
            Map<Long, List<Call>> found = platform.database().jdbc().withConnection(c -> CallStore.byRsids(c, 77, List.of(100L, 101L, 200L, 300L, 400L, 500L)));
            assertEquals(new Call(100, 1, "1", 900, "C", "T", "1/1;30;0,30;99;", "60;2;30", "{\"AF\":[0.5]}", "TP53", "snp", variantId), found.get(100L).get(0),
                    "every value kept");
            assertEquals(null, found.get(200L).get(0).callData());
            assertEquals("{\"AF\":[0.5,null]}", found.get(400L).get(0).frequency(), "repaired into JSON on the way");
            assertEquals(List.of(100L, 101L, 200L, 300L, 400L), found.keySet().stream().sorted().toList());
            assertEquals(List.of("rs200", "rs100", "rs101", "rs400"),
                    ids(new VariantStore(platform).region(SAMPLE, List.of(new VariantStore.Region("1", 1, 5000)), false, 10, null).calls()),
                    "both spellings of chromosome 1, by position");
            assertEquals(List.of("rs300"), ids(new VariantStore(platform).region(SAMPLE, List.of(new VariantStore.Region("2", 1, 5000)), false, 10, null).calls()));
            ByteArrayOutputStream vcf = new ByteArrayOutputStream();
            long written = platform.database().jdbc().withConnection(c -> {
                try {
                    return VcfExport.write(c, SAMPLE, VcfExport.source(c, SAMPLE).orElseThrow(), vcf);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertEquals(5, written);
            assertTrue(vcf.toString(StandardCharsets.UTF_8).contains("\nchr1\t400\trs200\tC\tT\t60\t.\tAN=2;DP=30;AF=0.5;GENEINFO=TP53\tGT:DP:AD:GQ:PL\t.:.:.:.:.\n"
                    + "1\t900\trs100;rs101\t"), vcf.toString(StandardCharsets.UTF_8));
        }
    }
}
