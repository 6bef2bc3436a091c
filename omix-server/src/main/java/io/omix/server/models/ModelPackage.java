package io.omix.server.models;

import io.omix.server.common.io.FileTrees;
import io.omix.server.tasks.TaskEngine;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** A deployment zip checked and unpacked: limits on size and entries, no path escaping its directory, the handler's module present. */
final class ModelPackage {
    static final long MAX_ZIP_BYTES = 50L << 20;
    static final long MAX_UNPACKED_BYTES = 200L << 20;
    static final int MAX_ENTRIES = 5000;
    /** Directories a package makes at most, the ones its files' paths imply included. */
    static final int MAX_DIRECTORIES = 5000;
    /** An entry's path at most: this many bytes (UTF-8), parts and bytes a part (a file name's limit). */
    static final int MAX_PATH_BYTES = 1024;
    static final int MAX_PATH_PARTS = 32;
    static final int MAX_PART_BYTES = 255;
    /** Jars in a package have fewer entries than this (a zip64 jar's count is 65,535 in its end record). */
    static final int MAX_JAR_ENTRIES = 65_535;
    /** The most a jar's central directory may take, read into memory when the jar is opened. */
    static final long MAX_JAR_DIRECTORY_BYTES = 16L << 20;

    private ModelPackage() {}

    /** Staging directories this old are what a killed server left: no unpacking takes this long. */
    static final java.time.Duration STALE_STAGING = java.time.Duration.ofMinutes(10);

    /**
     * Unpacks {@code zip} into {@code target} (created; removed again on failure). Fails the task with a reason when the
     * package is unusable. Each attempt unpacks into a staging directory of its own and moves it into place in one
     * rename, so that two requests unpacking the same version at once never write into each other's files (the
     * second rename fails, {@link java.nio.file.FileAlreadyExistsException} or {@link java.nio.file.DirectoryNotEmptyException}).
     */
    static void unpack(InputStream zip, Path target, String runtime, String handler) throws IOException {
        removeStaleStaging(target);
        Path staging = Files.createTempDirectory(target.getParent(), target.getFileName() + ".unpacking-");
        long total = 0;
        int entries = 0;
        // Every directory made, those a file's path implies too: 5,000 entries of two thousand parts each made ten million.
        java.util.Set<Path> directories = new java.util.HashSet<>();
        try (ZipInputStream in = new ZipInputStream(zip)) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                if (++entries > MAX_ENTRIES) throw fail("more than " + MAX_ENTRIES + " entries");
                String name = e.getName();
                if (name.startsWith("/") || name.contains("\\") || name.contains("\0")) throw fail("entry '" + shown(name) + "' has an absolute or odd path");
                checkPath(name);
                Path out = staging.resolve(name).normalize();
                if (!out.startsWith(staging) || out.equals(staging) && !e.isDirectory()) throw fail("entry '" + shown(name) + "' escapes the package");
                for (Path dir = e.isDirectory() ? out : out.getParent(); dir != null && !dir.equals(staging) && directories.add(dir); dir = dir.getParent()) {
                    if (directories.size() > MAX_DIRECTORIES) throw fail("more than " + MAX_DIRECTORIES + " directories");
                }
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                    continue;
                }
                Files.createDirectories(out.getParent());
                try (OutputStream o = Files.newOutputStream(out)) {
                    byte[] buffer = new byte[8192];
                    for (int n; (n = in.read(buffer)) != -1; ) {
                        total += n;
                        if (total > MAX_UNPACKED_BYTES) throw fail("unpacks to more than " + (MAX_UNPACKED_BYTES >> 20) + " MiB");
                        o.write(buffer, 0, n);
                    }
                }
            }
        } catch (java.util.zip.ZipException e) {
            // The reader's own words name its internals (headers, sizes): the reason goes to the task, the words nowhere.
            FileTrees.delete(staging);
            throw fail("not a zip file that can be read: damaged, cut short, or with entry names that are not UTF-8");
        } catch (java.io.EOFException e) {
            FileTrees.delete(staging);
            throw fail("the zip file is cut short inside an entry");
        } catch (IllegalArgumentException e) {
            FileTrees.delete(staging); // the reader refuses an entry name that is not UTF-8 this way
            throw fail("an entry's name is not UTF-8 (zip it again with UTF-8 names)");
        } catch (TaskEngine.TaskFailure | IOException e) {
            FileTrees.delete(staging);
            throw e;
        }
        if (entries == 0) {
            FileTrees.delete(staging);
            throw fail("the zip file is empty (or not a zip file)");
        }
        String module = handler.substring(0, handler.lastIndexOf('.')).replace('.', '/');
        try {
            boolean found = runtime.equals("java") ? hasClass(staging, module + ".class")
                    : Files.isRegularFile(staging.resolve(module + ".py")) || Files.isRegularFile(staging.resolve(module).resolve("__init__.py"));
            if (!found) {
                throw fail("the handler's " + (runtime.equals("java") ? "class " + module + ".class" : "module " + module + ".py") + " is not in the package");
            }
            readableByAll(staging);
        } catch (IOException | RuntimeException e) {
            FileTrees.delete(staging); // a jar that is not one, or permissions that cannot be set: nothing is left
            throw e;
        }
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            FileTrees.delete(staging);
            // Linux answers a rename onto a directory another attempt filled first with ENOTEMPTY, which the JDK
            // reports as a plain FileSystemException: said here as what it is, so that the loser knows it lost a race.
            if (Files.isDirectory(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                java.nio.file.FileAlreadyExistsException raced = new java.nio.file.FileAlreadyExistsException(target.toString());
                raced.initCause(e);
                throw raced;
            }
            throw e;
        }
    }

    /** An entry's path within what a file system takes ({@link #MAX_PATH_BYTES}, {@link #MAX_PATH_PARTS}, {@link #MAX_PART_BYTES}). */
    private static void checkPath(String name) {
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            throw fail("entry '" + shown(name) + "' has a path longer than " + MAX_PATH_BYTES + " bytes");
        }
        String[] parts = name.split("/");
        if (parts.length > MAX_PATH_PARTS) throw fail("entry '" + shown(name) + "' is more than " + MAX_PATH_PARTS + " directories deep");
        for (String part : parts) {
            if (part.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_PART_BYTES) {
                throw fail("entry '" + shown(name) + "' has a name longer than " + MAX_PART_BYTES + " bytes");
            }
        }
    }

    /** An entry's name as a reason shows it: its first 100 characters. */
    private static String shown(String name) {
        return io.omix.server.common.validation.Texts.shortened(name, 100);
    }

    /** Staging directories of {@code target} a killed server left behind (the older fixed name too). */
    private static void removeStaleStaging(Path target) throws IOException {
        try (var siblings = Files.newDirectoryStream(target.getParent(), target.getFileName() + ".unpacking*")) {
            for (Path old : siblings) {
                if (olderThanAnyUnpacking(old)) FileTrees.deleteQuietly(old);
            }
        }
    }

    /** Whether {@code dir} was last changed longer ago than any unpacking takes ({@link #STALE_STAGING}). */
    static boolean olderThanAnyUnpacking(Path dir) throws IOException {
        java.nio.file.attribute.FileTime before = java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(STALE_STAGING));
        return Files.getLastModifiedTime(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS).compareTo(before) < 0;
    }

    /** A class file among the package's classes or in one of its jars (at its root or in lib/). */
    private static boolean hasClass(Path dir, String classFile) throws IOException {
        if (Files.isRegularFile(dir.resolve(classFile))) return true;
        for (Path d : new Path[] {dir, dir.resolve("lib")}) {
            if (!Files.isDirectory(d)) continue;
            try (var jars = Files.list(d)) {
                for (Path jar : jars.filter(j -> j.toString().endsWith(".jar")).toList()) {
                    // Its directory's size checked first: opened, a jar's whole central directory is read into the server's
                    // memory (millions of tiny entries fit in the package's limits).
                    checkDirectory(dir, jar);
                    try (java.util.jar.JarFile j = new java.util.jar.JarFile(jar.toFile())) {
                        if (j.getEntry(classFile) != null) return true;
                    } catch (java.util.zip.ZipException notAJar) {
                        throw fail(dir.relativize(jar) + " is not a jar file");
                    }
                }
            }
        }
        return false;
    }

    /**
     * Refuses a jar whose end record declares more than {@link #MAX_JAR_ENTRIES} entries or a central directory beyond
     * {@link #MAX_JAR_DIRECTORY_BYTES} (a zip64 jar among them), before anything reads its directory.
     */
    private static void checkDirectory(Path dir, Path jar) throws IOException {
        long size = Files.size(jar);
        int tail = (int) Math.min(size, END_RECORD_BYTES + 65_535);   // the end record, and the comment it may end with
        byte[] b = new byte[tail];
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(jar)) {
            java.nio.ByteBuffer into = java.nio.ByteBuffer.wrap(b);
            while (into.hasRemaining() && ch.read(into, size - tail + into.position()) > 0) {
                // read on until the tail is whole
            }
        }
        java.nio.ByteBuffer end = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = tail - END_RECORD_BYTES; i >= 0; i--) {
            if (end.getInt(i) != 0x06054b50) continue;
            int entries = Short.toUnsignedInt(end.getShort(i + 10));
            long directoryBytes = Integer.toUnsignedLong(end.getInt(i + 12));
            if (entries >= MAX_JAR_ENTRIES || directoryBytes > MAX_JAR_DIRECTORY_BYTES) {
                throw fail(dir.relativize(jar) + " has more than " + (MAX_JAR_ENTRIES - 1) + " entries or a directory beyond "
                        + (MAX_JAR_DIRECTORY_BYTES >> 20) + " MiB");
            }
            return;
        }
        throw fail(dir.relativize(jar) + " is not a jar file");
    }

    private static final int END_RECORD_BYTES = 22;

    /** The model process runs as another user: it must read its code and nothing more. */
    private static void readableByAll(Path dir) throws IOException {
        try (var all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    private static TaskEngine.TaskFailure fail(String why) {
        return new TaskEngine.TaskFailure("invalid model package: " + why, null);
    }
}
