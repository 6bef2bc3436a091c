package io.omix.server.variants;

import io.omix.server.common.db.Jdbc;
import io.omix.server.common.db.SqlWhere;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Where an import's calls are kept (V29): blocks of up to {@link #BLOCK_CALLS} consecutive calls of one
 * chromosome, in file order ({@code variant_blocks}); the import's rs ids with the blocks holding them,
 * in rows of about {@link #INDEX_ENTRIES} ({@code variant_rsid_index}); and the last rs id of each of
 * those rows ({@code variant_rsid_directory}). A row per call cost the embedded store three B-tree
 * writes and a commit fix-up per call (most of an import's time); a block row carries 64 calls.
 * get_variants reads the directory, then the index rows it needs and the blocks they name, each in one
 * query. Imports are sorted by position (the importer refuses others), so a region is a run of
 * consecutive blocks.
 */
public final class CallStore {
    static final int BLOCK_CALLS = 64;
    static final int INDEX_ENTRIES = 256;
    /** At most this many records share one rs id in an import (a split multi-allelic site has a few), which bounds an answer. */
    static final int MAX_CALLS_PER_RSID = 256;

    private CallStore() {}

    /** What reading calls in order does with each: false stops the reading. */
    @FunctionalInterface
    interface Visitor {
        boolean visit(Call call) throws SQLException;
    }

    /**
     * Writes one import's calls, given in file order, as blocks on {@code c}; its rs id index at
     * {@link #finish}. The caller commits when it likes: nothing is visible before the import is made current.
     */
    static final class Writer implements AutoCloseable {
        private final Connection c;
        private final long sourceId;
        private final PreparedStatement insert;
        private final List<Call> pending = new ArrayList<>(BLOCK_CALLS);
        private long[] pairs = new long[1 << 12];
        private int pairCount;
        private int blocks;
        private int batched;

        private final int maxCalls;
        private final int maxCallsPerRsid;

        /**
         * An import's writer, held to what an import may bring.
         * @param maxCalls at most this many calls ({@code variants.max-calls-per-import}): the index is built in memory
         *                 (8 bytes a call, sorted at the end), and a file of 64 rs ids a record would otherwise take the heap
         */
        Writer(Connection c, long sourceId, int maxCalls) throws SQLException {
            this(c, sourceId, maxCalls, MAX_CALLS_PER_RSID);
        }

        private Writer(Connection c, long sourceId, int maxCalls, int maxCallsPerRsid) throws SQLException {
            this.c = c;
            this.sourceId = sourceId;
            this.maxCalls = maxCalls;
            this.maxCallsPerRsid = maxCallsPerRsid;
            this.insert = c.prepareStatement("INSERT INTO variant_blocks (block_key, source_id, chromosome, first_position, last_position,"
                    + " call_count, with_calls, calls) VALUES (?,?,?,?,?,?,?,?)");
        }

        void add(Call call) throws SQLException {
            if (!pending.isEmpty() && (pending.size() == BLOCK_CALLS || !pending.get(0).chromosome().equals(call.chromosome()))) cut();
            pending.add(call);
        }

        /** Sends the blocks cut so far to the database (before a commit). */
        void flush() throws SQLException {
            if (batched > 0) insert.executeBatch();
            batched = 0;
        }

        /** The last block and the rs id index. */
        void finish() throws SQLException {
            if (!pending.isEmpty()) cut();
            flush();
            // Sorted in place: the pairs are the import's largest memory (8 bytes a call).
            Arrays.sort(pairs, 0, pairCount);
            long[] sorted = pairs;
            int count = pairCount;
            for (int i = 0, run = 1; i < count; i++, run++) {
                if (i > 0 && CallBlocks.rsidOf(sorted[i]) != CallBlocks.rsidOf(sorted[i - 1])) run = 1;
                if (run > maxCallsPerRsid) {
                    throw new IllegalArgumentException("rs" + CallBlocks.rsidOf(sorted[i]) + " is on more than " + maxCallsPerRsid
                            + " records (get_variants answers every call of an id asked)");
                }
            }
            long[] lastRsids = new long[count / INDEX_ENTRIES + 1];
            int rows = 0;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO variant_rsid_index (row_key, entries) VALUES (?,?)")) {
                int from = 0;
                while (from < count) {
                    int to = Math.min(from + INDEX_ENTRIES, count);
                    // A run of one rs id (a record in several blocks) stays in one row: rows are found by their last id.
                    while (to < count && CallBlocks.rsidOf(sorted[to]) == CallBlocks.rsidOf(sorted[to - 1])) to++;
                    if (rows == lastRsids.length) lastRsids = Arrays.copyOf(lastRsids, rows * 2);
                    lastRsids[rows] = CallBlocks.rsidOf(sorted[to - 1]);
                    Jdbc.bind(ps, CallBlocks.key(sourceId, rows), CallBlocks.encodeIndex(sorted, from, to));
                    ps.addBatch();
                    rows++;
                    from = to;
                }
                ps.executeBatch();
            }
            Jdbc.update(c, "INSERT INTO variant_rsid_directory (source_id, last_rsids) VALUES (?,?)", sourceId, CallBlocks.encodeDirectory(lastRsids, rows));
        }

        private void cut() throws SQLException {
            if (blocks == 1 << CallBlocks.BLOCK_BITS) throw new IllegalArgumentException("more calls than one import holds");
            if (pairCount + pending.size() > maxCalls) {
                throw new IllegalArgumentException("more than " + String.format("%,d", maxCalls) + " calls in one import");
            }
            int block = blocks++;
            boolean withCalls = false;
            for (Call call : pending) {
                if (pairCount == pairs.length) pairs = Arrays.copyOf(pairs, (int) Math.min(maxCalls, pairs.length * 2L));
                pairs[pairCount++] = CallBlocks.pair(call.rsid(), block);
                withCalls |= call.callData() != null;
            }
            Call first = pending.get(0);
            Jdbc.bind(insert, CallBlocks.key(sourceId, block), sourceId, first.chromosome(), first.position(), pending.get(pending.size() - 1).position(), pending.size(),
                    withCalls, CallBlocks.encode(pending));
            insert.addBatch();
            batched++;
            pending.clear();
        }

        @Override
        public void close() throws SQLException {
            insert.close();
        }
    }

    /**
     * The calls of {@code rsids} (distinct, any order) in import {@code sourceId}, by rs id, each id's calls
     * in file order; ids without a call are absent. Three queries whatever the number of ids.
     */
    static Map<Long, List<Call>> byRsids(Connection c, long sourceId, List<Long> rsids) throws SQLException {
        List<byte[]> directory = Jdbc.query(c, "SELECT last_rsids FROM variant_rsid_directory WHERE source_id = ?", rs -> rs.getBytes(1), sourceId);
        return directory.isEmpty() ? new HashMap<>() : byRsids(c, sourceId, directory.get(0), rsids);
    }

    /** {@link #byRsids(Connection, long, List)} with the import's rs id directory already read (get_variants reads it with the sample). */
    static Map<Long, List<Call>> byRsids(Connection c, long sourceId, byte[] directory, List<Long> rsids) throws SQLException {
        Map<Long, List<Call>> out = new HashMap<>();
        long[] asked = rsids.stream().mapToLong(Long::longValue).filter(r -> r >= 0 && r <= CallBlocks.MAX_RSID).sorted().distinct().toArray();
        if (asked.length == 0) return out;
        // The ids are sorted, so each index row's ids are a run: rowKeys[k] holds asked[runStart[k] .. runStart[k + 1]).
        int[] rowOf = CallBlocks.rowsOf(directory, asked);
        long[] rowKeys = new long[asked.length];
        int[] runStart = new int[asked.length + 1];
        int runs = 0;
        for (int i = 0; i < asked.length && rowOf[i] >= 0; i++) {
            if (runs == 0 || rowOf[i] != rowOf[i - 1]) {
                rowKeys[runs] = CallBlocks.key(sourceId, rowOf[i]);
                runStart[runs++] = i;
            }
            runStart[runs] = i + 1;
        }
        if (runs == 0) return out;
        long[] keys = Arrays.copyOf(rowKeys, runs);
        TreeSet<Long> blockKeys = new TreeSet<>();
        long[] found = new long[asked.length];
        int[] foundCount = {0};
        // One IN list each for the index rows and the blocks: both databases answer it by seeking each key.
        SqlWhere rows = new SqlWhere().in("row_key", Arrays.stream(keys).boxed().toList());
        Jdbc.query(c, "SELECT row_key, entries FROM variant_rsid_index" + rows.sql(), rs -> {
            CallBlocks.IndexRow row = new CallBlocks.IndexRow(Jdbc.readOnlyBytes(rs, 2));
            int run = Arrays.binarySearch(keys, rs.getLong(1));
            for (int i = runStart[run]; i < runStart[run + 1]; i++) {
                if (row.blocksOf(asked[i], block -> blockKeys.add(CallBlocks.key(sourceId, block)))) found[foundCount[0]++] = asked[i];
            }
            return null;
        }, rows.args());
        if (blockKeys.isEmpty()) return out;
        long[] wanted = Arrays.copyOf(found, foundCount[0]);
        Arrays.sort(wanted);
        // Blocks in key order, so that each id's calls come in file order.
        SqlWhere blocks = new SqlWhere().in("block_key", blockKeys);
        Jdbc.query(c, "SELECT chromosome, calls FROM variant_blocks" + blocks.sql() + " ORDER BY block_key", rs -> {
            for (Call call : CallBlocks.decode(Jdbc.readOnlyBytes(rs, 2), rs.getString(1), wanted)) {
                out.computeIfAbsent(call.rsid(), k -> new ArrayList<>(1)).add(call);
            }
            return null;
        }, blocks.args());
        return out;
    }

    /**
     * Visits the calls of import {@code sourceId} on {@code spellings} (names of one chromosome) from position
     * {@code from} to {@code to} (both included), in file order, which is by position; until {@code visitor}
     * says stop.
     */
    static void scan(Connection c, long sourceId, List<String> spellings, long from, long to, Visitor visitor) throws SQLException {
        long start = Long.MAX_VALUE;
        // Ordered by the whole index: the embedded store reads an index in order only when told so, else it sorts every later row.
        try (PreparedStatement ps = c.prepareStatement("SELECT block_key FROM variant_blocks WHERE source_id = ? AND chromosome = ? AND last_position >= ?"
                + " ORDER BY source_id, chromosome, last_position, block_key LIMIT 1")) {
            for (String chromosome : spellings) {
                Jdbc.bind(ps, sourceId, chromosome, from);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) start = Math.min(start, rs.getLong(1));
                }
            }
        }
        if (start == Long.MAX_VALUE) return;
        blocks(c, sourceId, start, (chromosome, firstPosition, calls) -> {
            if (!spellings.contains(chromosome) || firstPosition > to) return false;
            for (Call call : CallBlocks.decode(calls, chromosome)) {
                if (call.position() < from) continue;
                if (call.position() > to || !visitor.visit(call)) return false;
            }
            return true;
        });
    }

    /** Visits every call of import {@code sourceId} in file order. */
    static void scanAll(Connection c, long sourceId, Visitor visitor) throws SQLException {
        blocks(c, sourceId, CallBlocks.key(sourceId, 0), (chromosome, firstPosition, calls) -> {
            for (Call call : CallBlocks.decode(calls, chromosome)) if (!visitor.visit(call)) return false;
            return true;
        });
    }

    /** Whether any call of the import has the sample's FORMAT values (a VCF without a sample column has none). */
    static boolean withCalls(Connection c, long sourceId) throws SQLException {
        return !Jdbc.query(c, "SELECT 1 FROM variant_blocks WHERE source_id = ? AND with_calls = TRUE LIMIT 1", rs -> 1, sourceId).isEmpty();
    }

    /** The tables whose keys start with their import's id ({@link CallBlocks#key}), each with its key column. */
    private static final String[][] KEYED_TABLES = {{"variant_blocks", "block_key"}, {"variant_rsid_index", "row_key"}};

    /** Blocks (or index rows) one transaction of {@link #deleteInSteps} removes: about 3 MB of calls. */
    static final int DELETE_STEP = 512;

    /**
     * Removes the calls of an import nobody reads any more (not current, never made current), a few
     * hundred blocks a transaction, then its index rows and directory the same way. In one transaction a
     * whole genome's blocks went through H2's undo log (each deleted row is kept there until the commit:
     * 100 MB for 1M calls), which took 4 s at a third of a core. Nothing reads an import that is not
     * current (a reader already under way may find its later blocks gone, as it did when the removal was
     * one transaction); the caller marks its row first, so that it cannot become current meanwhile, and
     * what a crash midway leaves is finished by housekeeping. Not for erasure, which is one transaction.
     */
    static void deleteInSteps(Jdbc jdbc, long sourceId) {
        deleteInSteps(jdbc, sourceId, DELETE_STEP);
    }

    static void deleteInSteps(Jdbc jdbc, long sourceId, int step) {
        long first = CallBlocks.key(sourceId, 0);
        long next = CallBlocks.key(sourceId + 1, 0);
        for (String[] table : KEYED_TABLES) {
            String range = table[1] + " >= ? AND " + table[1] + " < ?";
            long last = jdbc.queryOne("SELECT " + table[1] + " FROM " + table[0] + " WHERE " + range + " ORDER BY " + table[1] + " DESC LIMIT 1",
                    rs -> rs.getLong(1), first, next).orElse(-1L);
            for (long from = first; from <= last; from += step) {
                jdbc.update("DELETE FROM " + table[0] + " WHERE " + range, from, Math.min(from + step, next));
            }
        }
        jdbc.update("DELETE FROM variant_rsid_directory WHERE source_id = ?", sourceId);
    }

    /**
     * Removes blocks, index rows and directories whose import row is gone; how many imports' calls.
     * Imports are visited one key seek each (their keys start with the import's id), not row by row. A
     * running import's row exists before it writes anything, so only leftovers are found.
     */
    static long removeOrphans(Jdbc jdbc) {
        java.util.Set<Long> orphans = new java.util.TreeSet<>();
        for (String[] table : KEYED_TABLES) {
            long from = 0;
            while (true) {
                java.util.Optional<Long> key = jdbc.queryOne("SELECT " + table[1] + " FROM " + table[0] + " WHERE " + table[1] + " >= ? ORDER BY "
                        + table[1] + " LIMIT 1", rs -> rs.getLong(1), CallBlocks.key(from, 0));
                if (key.isEmpty()) break;
                long sourceId = key.get() >>> CallBlocks.BLOCK_BITS;
                if (jdbc.queryOne("SELECT 1 FROM variant_sources WHERE source_id = ?", rs -> 1, sourceId).isEmpty()) orphans.add(sourceId);
                from = sourceId + 1;
            }
        }
        orphans.addAll(jdbc.query("SELECT d.source_id FROM variant_rsid_directory d WHERE NOT EXISTS"
                + " (SELECT 1 FROM variant_sources s WHERE s.source_id = d.source_id)", rs -> rs.getLong(1)));
        for (long sourceId : orphans) deleteInSteps(jdbc, sourceId);
        return orphans.size();
    }

    /** Removes an import's calls in the caller's transaction (the source row is the caller's). */
    public static void delete(Connection c, long sourceId) throws SQLException {
        long first = CallBlocks.key(sourceId, 0);
        long next = CallBlocks.key(sourceId + 1, 0);
        Jdbc.update(c, "DELETE FROM variant_blocks WHERE block_key >= ? AND block_key < ?", first, next);
        Jdbc.update(c, "DELETE FROM variant_rsid_index WHERE row_key >= ? AND row_key < ?", first, next);
        Jdbc.update(c, "DELETE FROM variant_rsid_directory WHERE source_id = ?", sourceId);
    }

    /**
     * Moves the calls of imports written as a row per call (V5's variants) into blocks. Their rows are read
     * by chromosome (without its {@code chr}) and position, the order blocks need, whatever the file's was.
     */
    public static void moveLegacyRows(Connection c) throws SQLException {
        List<Long> sources = Jdbc.query(c, "SELECT DISTINCT source_id FROM variants ORDER BY source_id", rs -> rs.getLong(1));
        for (long sourceId : sources) {
            // Calls stored already are moved as they are: an import's limits hold what enters, and refusing here would stop the upgrade.
            try (Writer writer = new Writer(c, sourceId, Integer.MAX_VALUE, Integer.MAX_VALUE);
                 PreparedStatement ps = c.prepareStatement("SELECT rsid, seq, chromosome, position, ref, alts, call_data, site_data, frequency, gene,"
                         + " variant_type, variant_id FROM variants WHERE source_id = ?"
                         + " ORDER BY CASE WHEN chromosome LIKE 'chr%' THEN SUBSTRING(chromosome, 4) ELSE chromosome END, position, seq, rsid")) {
                ps.setLong(1, sourceId);
                ps.setFetchSize(1000);
                try (ResultSet rs = ps.executeQuery()) {
                    long moved = 0;
                    while (rs.next()) {
                        long rsid = rs.getLong(1);
                        if (rsid < 0 || rsid > CallBlocks.MAX_RSID) continue; // no rs id that large exists
                        writer.add(new Call(rsid, rs.getInt(2), rs.getString(3), rs.getLong(4), rs.getString(5), rs.getString(6), rs.getString(7),
                                rs.getString(8), VcfImporter.repairedFrequency(rs.getString(9)), rs.getString(10), rs.getString(11),
                                rs.getObject(12, java.util.UUID.class)));
                        // A few thousand calls' blocks at a time: a genome's million would wait in one batch.
                        if (++moved % 5_000 == 0) writer.flush();
                    }
                }
                writer.finish();
            }
            Jdbc.update(c, "DELETE FROM variants WHERE source_id = ?", sourceId);
        }
    }

    private interface BlockVisitor {
        boolean visit(String chromosome, long firstPosition, byte[] calls) throws SQLException;
    }

    /** Blocks from key {@code start} on, in order, to the import's last, a few at a time (a region's first page needs one or two). */
    private static void blocks(Connection c, long sourceId, long start, BlockVisitor visitor) throws SQLException {
        long end = CallBlocks.key(sourceId + 1, 0);
        try (PreparedStatement ps = c.prepareStatement("SELECT chromosome, first_position, calls FROM variant_blocks"
                + " WHERE block_key >= ? AND block_key < ? ORDER BY block_key")) {
            long next = start;
            int chunk = 2;
            while (next < end) {
                Jdbc.bind(ps, next, Math.min(next + chunk, end));
                int read = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        read++;
                        if (!visitor.visit(rs.getString(1), rs.getLong(2), rs.getBytes(3))) return;
                    }
                }
                if (read < chunk) return;
                next += chunk;
                chunk = Math.min(chunk * 2, 64);
            }
        }
    }
}
