package io.omix.server.common.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileTreesTest {
    @Test
    void aTreeGoesWithEverythingUnderItAndItsNeighboursStay(@TempDir Path tmp) throws Exception {
        Path tree = tmp.resolve("tree");
        Files.createDirectories(tree.resolve("a/b/c"));
        Files.writeString(tree.resolve("a/b/c/file"), "x");
        Files.writeString(tree.resolve("top"), "y");
        Files.writeString(tmp.resolve("neighbour"), "z");
        FileTrees.delete(tree);
        assertFalse(Files.exists(tree));
        assertTrue(Files.exists(tmp.resolve("neighbour")));
        FileTrees.delete(tree); // gone already: nothing to do
        FileTrees.deleteQuietly(tmp.resolve("never-was"));
    }
}
