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

    /** Removes {@code dir} and everything under it, deepest first; nothing when it does not exist; the first failure is thrown. */
    public static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        List<Path> all;
        try (Stream<Path> paths = Files.walk(dir)) {
            all = paths.sorted(Comparator.reverseOrder()).toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        for (Path p : all) Files.deleteIfExists(p);
    }

    /** {@link #delete}, as far as it goes: for scratch directories under the temporary directory, where a leftover harms nobody. */
    public static void deleteQuietly(Path dir) {
        try {
            delete(dir);
        } catch (IOException | UncheckedIOException ignored) {
            // best effort
        }
    }
}
