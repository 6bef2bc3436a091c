package io.omix.server.variants;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stored forms of calls and of the rs id index read back exactly what was written. */
class CallBlocksTest {
    static Call call(long rsid, int seq, long position) {
        return new Call(rsid, seq, "chr7", position, "A", "G,T", "0/1;91;44,47;99;1384,0,1364", ";;", "{\"CAF\":[0.9,0.1]}",
                rsid % 2 == 0 ? "BRCA2" : null, "snp", UUID.randomUUID());
    }

    @Test
    void aBlockDecodesToItsCallsWithNullsAndAnyText() {
        List<Call> calls = new ArrayList<>();
        calls.add(new Call(CallBlocks.MAX_RSID, Integer.MAX_VALUE - 1, "chrUn_KI270302v1", 1L << 40, "ACGT".repeat(250), "", null, null, null,
                "基因-é", "indel", new UUID(-1L, Long.MIN_VALUE)));
        for (int i = 0; i < 63; i++) calls.add(call(1000 - i, i, 5_000_000L + i));
        List<Call> back = CallBlocks.decode(CallBlocks.encode(calls), calls.get(0).chromosome());
        assertEquals(calls.size(), back.size());
        assertEquals(calls.get(0), back.get(0), "the largest values, empty and null texts, non-ASCII");
        for (int i = 1; i < calls.size(); i++) {
            assertEquals(calls.get(i).withChromosome("chrUn_KI270302v1"), back.get(i));
        }
    }

    @Test
    void aLookupDecodesOnlyTheCallsAsked() {
        List<Call> calls = List.of(call(30, 1, 100), call(10, 2, 200), call(30, 3, 300), call(20, 4, 400));
        byte[] block = CallBlocks.encode(calls);
        assertEquals(List.of(calls.get(0), calls.get(2)), CallBlocks.decode(block, "chr7", new long[] {30}), "both calls of an id, in file order");
        assertEquals(List.of(calls.get(1), calls.get(3)), CallBlocks.decode(block, "chr7", new long[] {10, 20, 99}));
        assertEquals(List.of(), CallBlocks.decode(block, "chr7", new long[] {11}));
    }

    @Test
    void anIndexRowFindsEveryBlockOfAnIdAndNothingElse() {
        long[] pairs = {CallBlocks.pair(5, 0), CallBlocks.pair(7, 3), CallBlocks.pair(7, 4), CallBlocks.pair(7, (1 << CallBlocks.BLOCK_BITS) - 1),
                CallBlocks.pair(CallBlocks.MAX_RSID, 9)};
        CallBlocks.IndexRow row = new CallBlocks.IndexRow(CallBlocks.encodeIndex(pairs, 0, pairs.length));
        List<Integer> blocks = new ArrayList<>();
        assertTrue(row.blocksOf(7, blocks::add));
        assertEquals(List.of(3, 4, (1 << CallBlocks.BLOCK_BITS) - 1), blocks);
        blocks.clear();
        assertTrue(row.blocksOf(CallBlocks.MAX_RSID, blocks::add));
        assertEquals(List.of(9), blocks);
        assertFalse(row.blocksOf(6, blocks::add));
        assertFalse(row.blocksOf(4, blocks::add));
        assertFalse(row.blocksOf(8, blocks::add));

    }

    @Test
    void theDirectoryNamesTheFirstRowWhoseLastIdReachesEachId() {
        byte[] directory = CallBlocks.encodeDirectory(new long[] {5, 7, 900_000_000_000L, 0}, 3);
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 2, 2, -1, -1},
                CallBlocks.rowsOf(directory, new long[] {0, 4, 5, 6, 7, 8, 900_000_000_000L, 900_000_000_001L, Long.MAX_VALUE}));
        assertArrayEquals(new int[] {}, CallBlocks.rowsOf(directory, new long[] {}));
        assertArrayEquals(new int[] {-1, -1}, CallBlocks.rowsOf(CallBlocks.encodeDirectory(new long[0], 0), new long[] {1, 2}));
    }
}
