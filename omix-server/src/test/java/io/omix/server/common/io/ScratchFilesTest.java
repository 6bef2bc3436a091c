package io.omix.server.common.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A killed server's scratch files go a day after they were last written to; one still being written, and others' files, stay. */
class ScratchFilesTest {
    @Test
    void leftoversGoAndTheRestStays(@TempDir Path dir) throws Exception {
        Instant now = Instant.now();
        Path leftExport = Files.writeString(dir.resolve("omix-export-123.zip"), "archive");
        Path leftGenes = Files.writeString(dir.resolve("omix-genes-9.tsv"), "genes");
        // A slice or dataset body spooled by a server killed before it was sent (a genome's slice is as large as the genome).
        Path leftSpool = Files.writeString(dir.resolve("omix-spool-77.tmp"), "slice");
        Path writing = Files.writeString(dir.resolve("omix-export-456.zip"), "being written");
        Path someoneElses = Files.writeString(dir.resolve("report-omix-export.zip"), "not ours");
        for (Path p : new Path[] {leftExport, leftGenes, leftSpool, someoneElses}) Files.setLastModifiedTime(p, FileTime.from(now.minus(Duration.ofDays(2))));
        assertEquals(3, ScratchFiles.removeOlderThan(dir, now.minus(Duration.ofDays(1))));
        assertFalse(Files.exists(leftSpool));
        assertFalse(Files.exists(leftExport));
        assertFalse(Files.exists(leftGenes));
        assertTrue(Files.exists(writing));
        assertTrue(Files.exists(someoneElses));
    }
}
