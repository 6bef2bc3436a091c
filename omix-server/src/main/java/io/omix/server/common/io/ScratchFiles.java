package io.omix.server.common.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/**
 * The scratch files the server writes to the temporary directory whole before storing or sending them (a person's export
 * archive, a sample's gene table, a model's package, a spooled slice or dataset body): a server killed meanwhile leaves
 * them behind, as large as what they hold, and nothing else would ever remove them. Housekeeping does, a day after they
 * were last written to (one being written is written to all the while; a spool being sent was opened for reading already,
 * which its removal does not end).
 */
public final class ScratchFiles {
    /** The names they are made under ({@code Files.createTempFile(prefix, ...)}): the server's own. */
    public static final List<String> PREFIXES = List.of("omix-export-", "omix-genes-", "omix-model-", Spool.PREFIX);

    private ScratchFiles() {}

    /** Removes those last written to before {@code before} from the temporary directory; how many. */
    public static long removeOlderThan(Instant before) throws IOException {
        return removeOlderThan(Path.of(System.getProperty("java.io.tmpdir")), before);
    }

    static long removeOlderThan(Path dir, Instant before) throws IOException {
        return removeOlderThan(dir, before, name -> PREFIXES.stream().anyMatch(name::startsWith));
    }

    /**
     * Removes the regular files of {@code dir} whose names are {@code ours} and that were last written to before
     * {@code before} (also the S3 store's spooled bodies); how many. A file another account owns, or another server
     * removed first, is passed over and the rest still swept.
     */
    public static long removeOlderThan(Path dir, Instant before, java.util.function.Predicate<String> ours) throws IOException {
        long removed = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (!ours.test(name) || !Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) continue;
                try {
                    if (Files.getLastModifiedTime(p, java.nio.file.LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(before) && Files.deleteIfExists(p)) {
                        removed++;
                    }
                } catch (NoSuchFileException gone) {
                    // another server's housekeeping on this machine took it
                } catch (IOException notOurs) {
                    // another account's file of the same name in a shared temporary directory: passed over, the rest still swept
                }
            }
        }
        return removed;
    }
}
