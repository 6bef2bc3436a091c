package io.omix.server.common.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Removing a directory with everything under it, the one way the server, the CLI and the benchmarks do it. */
public final class FileTrees {
    private FileTrees() {}

    /**
     * Removes {@code dir} and everything under it, deepest first; nothing when it does not exist; the first failure is
     * thrown. Links are removed, never followed ({@link Files#walk} does not follow them).
     */
    public static void delete(Path dir) throws IOException {
        for (Path p : deepestFirst(dir)) Files.deleteIfExists(p);
    }

    /** As much of {@link #delete} as can be done, every failure passed over: for scratch directories, where a leftover harms nobody. */
    public static void deleteQuietly(Path dir) {
        try {
            for (Path p : deepestFirst(dir)) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // the next one may still go
                }
            }
        } catch (IOException | UncheckedIOException ignored) {
            // the tree could not be listed: nothing more to do
        }
    }

    private static List<Path> deepestFirst(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return List.of();
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.sorted(Comparator.reverseOrder()).toList();
        }
    }
}
