package io.omix.server.variants;

import io.omix.server.common.io.ByteBuilder;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The binary forms of a block of calls (consecutive calls of one import on one chromosome, in file
 * order) and of a row of the import's rs id index (rs id to block, in rs id order). A block starts with
 * a table of its calls' rs ids and offsets, in fixed-width numbers, so that a lookup finds a call without
 * decoding the others; a call's numbers are variable-length (7 bits a byte) and its texts UTF-8 after
 * their length plus one (0 meaning null).
 */
final class CallBlocks {
    private static final int VERSION = 1;
    /** A block's header: its version, a spare byte and its number of calls (4 bytes). */
    private static final int HEADER = 6;
    /** A call's entry in a block's table, after the header: its rs id (8 bytes) and where it starts (4). */
    private static final int ENTRY = 12;

    private CallBlocks() {}

    /** The calls, all on one chromosome (which the block's row holds, not its bytes). */
    static byte[] encode(List<Call> calls) {
        ByteBuilder body = new ByteBuilder(calls.size() * 96);
        int[] offsets = new int[calls.size()];
        for (int i = 0; i < calls.size(); i++) {
            Call c = calls.get(i);
            offsets[i] = body.length();
            body.varint(c.seq());
            body.varlong(c.position());
            text(body, c.ref());
            text(body, c.alts());
            text(body, c.callData());
            text(body, c.siteData());
            text(body, c.frequency());
            text(body, c.gene());
            text(body, c.type());
            body.fixed(c.variantId().getMostSignificantBits());
            body.fixed(c.variantId().getLeastSignificantBits());
        }
        ByteBuffer out = ByteBuffer.allocate(HEADER + calls.size() * ENTRY + body.length());
        out.put((byte) VERSION).put((byte) 0).putInt(calls.size());
        for (int i = 0; i < calls.size(); i++) out.putLong(calls.get(i).rsid()).putInt(offsets[i]);
        out.put(body.array(), 0, body.length());
        return out.array();
    }

    /** Every call of a block, in its order. */
    static List<Call> decode(byte[] block, String chromosome) {
        ByteBuffer table = table(block);
        int n = table.getInt(2);
        int body = HEADER + n * ENTRY;
        List<Call> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(call(block, table, body, i, chromosome));
        return out;
    }

    /** The block's calls of the rs ids in {@code wanted} (sorted), in the block's order; the others are not decoded. */
    static List<Call> decode(byte[] block, String chromosome, long[] wanted) {
        ByteBuffer table = table(block);
        int n = table.getInt(2);
        int body = HEADER + n * ENTRY;
        List<Call> out = new ArrayList<>(2);
        for (int i = 0; i < n; i++) {
            if (Arrays.binarySearch(wanted, table.getLong(HEADER + i * ENTRY)) >= 0) out.add(call(block, table, body, i, chromosome));
        }
        return out;
    }

    private static ByteBuffer table(byte[] block) {
        if (block[0] != VERSION) throw new IllegalStateException("variant block version " + block[0]);
        return ByteBuffer.wrap(block);
    }

    private static Call call(byte[] block, ByteBuffer table, int body, int i, String chromosome) {
        long rsid = table.getLong(HEADER + i * ENTRY);
        In in = new In(block);
        in.at = body + table.getInt(HEADER + i * ENTRY + 8);
        int seq = in.varint();
        long position = in.varlong();
        return new Call(rsid, seq, chromosome, position, in.text(), in.text(), in.text(), in.text(), in.text(), in.text(), in.text(),
                new UUID(in.fixed(), in.fixed()));
    }

    // The rs id index: pairs (rs id, block number) sorted by rs id, packed as rsid << BLOCK_BITS | block.

    /** Blocks (and index rows) an import can have: 2^24; also the bits a block's number takes in its key. */
    static final int BLOCK_BITS = 24;

    /** The key of block (or index row) {@code number} of import {@code sourceId}. */
    static long key(long sourceId, int number) {
        return sourceId << BLOCK_BITS | number;
    }
    /** The largest rs id an import keeps: ids fit 39 bits beside the block number (dbSNP's are near 2^31). */
    static final long MAX_RSID = (1L << (63 - BLOCK_BITS)) - 1;

    static long pair(long rsid, int block) {
        return rsid << BLOCK_BITS | block;
    }

    static long rsidOf(long pair) {
        return pair >>> BLOCK_BITS;
    }

    static int blockOf(long pair) {
        return (int) (pair & ((1L << BLOCK_BITS) - 1));
    }

    /** {@code pairs[from..to)}, sorted, as one index row's bytes: 8 bytes each, searched without decoding. */
    static byte[] encodeIndex(long[] pairs, int from, int to) {
        ByteBuffer out = ByteBuffer.allocate(1 + (to - from) * 8);
        out.put((byte) VERSION);
        for (int i = from; i < to; i++) out.putLong(pairs[i]);
        return out.array();
    }

    /** An index row's pairs, searched where they are. */
    static final class IndexRow {
        private final ByteBuffer pairs;
        private final int n;

        IndexRow(byte[] row) {
            if (row[0] != VERSION) throw new IllegalStateException("variant index version " + row[0]);
            this.pairs = ByteBuffer.wrap(row);
            this.n = (row.length - 1) / 8;
        }

        private long at(int i) {
            return pairs.getLong(1 + i * 8);
        }

        /** Gives {@code blocks} the blocks holding {@code rsid}, in order; whether there were any. */
        boolean blocksOf(long rsid, java.util.function.IntConsumer blocks) {
            long key = pair(rsid, 0);
            int low = 0;
            int high = n;
            while (low < high) {
                int mid = (low + high) >>> 1;
                if (at(mid) < key) low = mid + 1;
                else high = mid;
            }
            boolean found = false;
            for (int i = low; i < n && rsidOf(at(i)) == rsid; i++) {
                blocks.accept(blockOf(at(i)));
                found = true;
            }
            return found;
        }
    }

    /** The last rs id of each index row, in order: a sorted list, delta-coded. */
    static byte[] encodeDirectory(long[] lastRsids, int count) {
        ByteBuilder out = new ByteBuilder(count * 3 + 8);
        out.varint(VERSION);
        out.varint(count);
        long previous = 0;
        for (int i = 0; i < count; i++) {
            out.varlong(lastRsids[i] - previous);
            previous = lastRsids[i];
        }
        return out.toArray();
    }

    /**
     * The directory's row for each id of {@code asked} (sorted): the first row whose last id reaches it,
     * or -1 past the last row. Read once beside the ids instead of decoded into an array: a call of 100
     * ids walks about 4,000 entries for 1M calls, and the array was a sixth of what get_variants allocated.
     */
    static int[] rowsOf(byte[] directory, long[] asked) {
        In in = new In(directory);
        int version = in.varint();
        if (version != VERSION) throw new IllegalStateException("variant directory version " + version);
        int count = in.varint();
        int[] rows = new int[asked.length];
        int row = 0;
        long last = count > 0 ? in.varlong() : -1;
        for (int i = 0; i < asked.length; i++) {
            while (row < count && last < asked[i]) {
                row++;
                if (row < count) last += in.varlong();
            }
            rows[i] = row < count ? row : -1;
        }
        return rows;
    }

    /** {@code s} as its UTF-8 byte count plus one (0 for null), then its bytes. */
    private static void text(ByteBuilder out, String s) {
        if (s == null) {
            out.varint(0);
            return;
        }
        int n = s.length();
        boolean ascii = true;
        for (int i = 0; i < n && ascii; i++) ascii = s.charAt(i) < 0x80;
        if (!ascii) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            out.varint(bytes.length + 1).bytes(bytes, 0, bytes.length);
            return;
        }
        // Nearly every text of a VCF is ASCII: its chars are its bytes.
        out.varint(n + 1).utf8(s);
    }

    private static final class In {
        final byte[] bytes;
        int at;

        In(byte[] bytes) {
            this.bytes = bytes;
        }

        int varint() {
            return (int) varlong();
        }

        long varlong() {
            long v = 0;
            for (int shift = 0; ; shift += 7) {
                byte b = bytes[at++];
                v |= (long) (b & 0x7F) << shift;
                if (b >= 0) return v;
            }
        }

        long fixed() {
            long v = 0;
            for (int i = 0; i < 8; i++) v = v << 8 | (bytes[at++] & 0xFF);
            return v;
        }

        String text() {
            int n = varint();
            if (n == 0) return null;
            String s = new String(bytes, at, n - 1, StandardCharsets.UTF_8);
            at += n - 1;
            return s;
        }
    }
}
