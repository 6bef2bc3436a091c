package io.omix.server.common.io;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** One caller's spooled bodies hold at most their share of the server's spool space; others keep theirs. */
class SpoolTest {
    static InputStream bytes(int n) {
        return new ByteArrayInputStream(new byte[n]);
    }

    @Test
    void oneHoldersBodiesCannotTakeTheWholeSpool() throws Exception {
        long before = Spool.holderShare;
        Spool.holderShare = 1000;
        try (Spool first = Spool.of(bytes(800), 10_000, "dataset-key:a")) {
            assertThrows(Spool.Busy.class, () -> Spool.of(bytes(300), 10_000, "dataset-key:a").close(), "beyond a's share while its first is held");
            try (Spool other = Spool.of(bytes(800), 10_000, "dataset-key:b"); InputStream in = other.input()) {
                assertArrayEquals(new byte[800], in.readAllBytes(), "another caller has a share of its own");
            }
            first.close();
            Spool.of(bytes(300), 10_000, "dataset-key:a").close();   // given back when the first is closed
        } finally {
            Spool.holderShare = before;
        }
    }

    /**
     * A spool written through its output (a genome's slice) counts against its holder's share as one read in whole does;
     * a holder's one spool may pass the share (a whole genome written alone), a second beside it may not.
     */
    @Test
    void aSpoolWrittenInPlaceCountsAgainstItsHolder() throws Exception {
        long before = Spool.holderShare;
        Spool.holderShare = 1000;
        try (Spool slice = Spool.create("htsget:a")) {
            try (java.io.OutputStream out = slice.output()) {
                out.write(new byte[800]);
                out.write(new byte[300]);   // alone: a whole genome's slice is not refused for its size
            }
            try (Spool second = Spool.create("htsget:a"); java.io.OutputStream out = second.output()) {
                assertThrows(Spool.Busy.class, () -> out.write(new byte[300]), "beyond a's share with its first slice held");
            }
            try (Spool other = Spool.create("htsget:b"); java.io.OutputStream out = other.output()) {
                out.write(new byte[800]);   // another holder has a share of its own
            }
        } finally {
            Spool.holderShare = before;
        }
        try (Spool again = Spool.create("htsget:a"); java.io.OutputStream out = again.output()) {
            out.write(new byte[800]);   // given back when the first was closed
        }
    }
}
