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

    /**
     * Makes {@code dir} (and its parents) and, when this process owns it, takes away what other users could do in it
     * (the group's rights stay, for servers sharing a store through their group): what lies under it (a database,
     * objects, a person's export) is then out of other local users' reach whatever modes its files were made with. A
     * directory of someone else's, or a file system without POSIX modes, is left as it is.
     */
    public static void ownOnly(java.nio.file.Path dir) throws java.io.IOException {
        java.nio.file.Files.createDirectories(dir);
        if (!ownedByThisProcess(dir)) return;
        try {
            java.util.Set<java.nio.file.attribute.PosixFilePermission> modes = java.nio.file.Files.getPosixFilePermissions(dir);
            modes.removeAll(java.util.EnumSet.of(java.nio.file.attribute.PosixFilePermission.OTHERS_READ,
                    java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE, java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE));
            java.nio.file.Files.setPosixFilePermissions(dir, modes);
        } catch (UnsupportedOperationException notPosix) {
            // the file system's own access rules apply
        }
    }

    /**
     * Whether this process's user owns {@code path} (not following a link), by number: a uid without a name (a
     * container's) has no user name to look up.
     */
    public static boolean ownedByThisProcess(java.nio.file.Path path) throws java.io.IOException {
        try {
            Object mine = java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/self"), "unix:uid");
            return mine.equals(java.nio.file.Files.getAttribute(path, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS));
        } catch (UnsupportedOperationException | IllegalArgumentException | java.nio.file.NoSuchFileException noUnixView) {
            return false;
        }
    }

    /**
     * Moves {@code from} onto {@code to} atomically (replacing it), making its directory first, then writes the directories
     * the move changed to disk: a file's own sync does not hold its new name, and after a power loss a row committed on
     * PostgreSQL could name a file whose move never reached the disk. A file system that cannot sync a directory is left
     * as durable as it is.
     */
    public static void moveDurably(Path from, Path to) throws IOException {
        Path dir = to.toAbsolutePath().getParent();
        Path firstMade = null;
        for (Path p = dir; p != null && !Files.exists(p); p = p.getParent()) firstMade = p;
        Files.createDirectories(dir);
        Files.move(from, to, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(dir);
        Path fromDir = from.toAbsolutePath().getParent();
        if (fromDir != null && !fromDir.equals(dir)) syncDirectory(fromDir);
        if (firstMade != null) {
            for (Path p = dir; p != null && p.startsWith(firstMade); p = p.getParent()) syncDirectory(p.getParent());
        }
    }

    /** Writes a directory's entries to disk (best effort where the file system refuses). */
    public static void syncDirectory(Path dir) {
        if (dir == null) return;
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not every file system syncs a directory: the move stands as it is
        }
    }
}
