package io.omix.cli;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Ties an ahead-of-time cache to the build it was recorded from. JDK 25 does not notice that a JAR
 * changed after its cache was recorded: started with the cache of an earlier omix.jar, it loaded
 * that build's classes from the cache and ran them (seen here: an earlier {@code aot-train} ran
 * from a newer jar). So {@code omix admin aot-train} writes, beside the cache, the SHA-256 of every
 * JAR on the class path, and every omix command started with a cache compares it with the class
 * path it runs from before doing anything, and refuses on any difference or a missing stamp.
 */
final class AotCacheCheck {
    private AotCacheCheck() {}

    /** The stamp's file: beside the cache, its name and this suffix. */
    static Path stampOf(String cache) {
        return Path.of(cache + ".classpath-sha256");
    }

    /** The value of a JVM option, or empty when this JVM has no such option (before JDK 24, not HotSpot). */
    static String vmOption(String name) {
        try {
            return ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class).getVMOption(name).getValue();
        } catch (IllegalArgumentException | UnsupportedOperationException | NullPointerException notThisJvm) {
            return "";
        }
    }

    /** Why this JVM must not go on with the cache it started with; empty when it has none or the cache is this build's. */
    static Optional<String> problem() {
        String cache = vmOption("AOTCache");
        if (cache.isEmpty()) return Optional.empty();
        Path stamp = stampOf(cache);
        String how = "; record it again (java -XX:AOTCacheOutput=" + cache + " -jar omix.jar admin aot-train) or start without -XX:AOTCache";
        try {
            if (!Files.isRegularFile(stamp)) {
                return Optional.of("the ahead-of-time cache " + cache + " has no " + stamp.getFileName()
                        + " beside it, so nothing tells which build of omix it holds classes from" + how);
            }
            if (!Files.readString(stamp).equals(classPathStamp())) {
                return Optional.of("the ahead-of-time cache " + cache + " was recorded from another build of omix (or another class path), and"
                        + " the JVM does not notice that: it would run that build's classes" + how);
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cannot compare the ahead-of-time cache " + cache + " with this build: " + e.getMessage() + how);
        }
    }

    /** One line per class path entry: the path and the SHA-256 of its bytes (a directory, whose classes no cache holds, by its path alone). */
    static String classPathStamp() throws IOException {
        StringBuilder out = new StringBuilder();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry);
            out.append(entry).append(' ').append(Files.isRegularFile(path) ? sha256(path) : "(directory)").append('\n');
        }
        return out.toString();
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) != -1; ) sha.update(buffer, 0, n);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
