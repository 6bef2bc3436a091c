package io.omix.server.models;

import io.omix.server.testing.Concurrently;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelPackageTest {
    /** A package of a handler module and a few files large enough for two unpackings to overlap. */
    static byte[] zip(byte[] data) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            z.putNextEntry(new ZipEntry("handler.py"));
            z.write("def handle(event, context):\n    return event\n".getBytes());
            for (int i = 0; i < 8; i++) {
                z.putNextEntry(new ZipEntry("data/part" + i + ".bin"));
                z.write(data);
            }
        }
        return bytes.toByteArray();
    }

    /**
     * Two requests unpacking one version at once (a version deployed by another server, asked for on two
     * calls): one puts whole code in place, the other is told it lost the race, and nothing is left behind.
     */
    @Test
    void twoUnpackingsOfOneVersionAtOnceLeaveWholeCodeAndNoStaging(@TempDir Path root) throws Exception {
        byte[] data = new byte[256 * 1024];
        new java.util.Random(7).nextBytes(data);
        byte[] zip = zip(data);
        for (int round = 0; round < 20; round++) {
            Path target = root.resolve("model").resolve(String.valueOf(round));
            Files.createDirectories(target.getParent());
            Callable<String> unpack = () -> {
                try {
                    ModelPackage.unpack(new ByteArrayInputStream(zip), target, "python3", "handler.handle");
                    return "unpacked";
                } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
                    return "raced";
                }
            };
            List<String> seen = Concurrently.atOnce(List.of(unpack, unpack)); // any other failure fails the test here
            assertTrue(seen.contains("unpacked"), "round " + round + ": " + seen);
            for (int i = 0; i < 8; i++) assertArrayEquals(data, Files.readAllBytes(target.resolve("data/part" + i + ".bin")), "round " + round);
            String name = String.valueOf(round);
            try (var left = Files.list(target.getParent())) {
                assertEquals(List.of(name), left.map(p -> p.getFileName().toString())
                        .filter(n -> !n.matches("\\d+") || n.equals(name)).sorted().toList(), "round " + round + ": no staging left");
            }
        }
    }

    @Test
    void aStagingDirectoryAKilledServerLeftIsRemovedLater(@TempDir Path root) throws Exception {
        Path target = root.resolve("m").resolve("1");
        Path left = root.resolve("m").resolve("1.unpacking");
        Files.createDirectories(left.resolve("half"));
        Files.setLastModifiedTime(left, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(ModelPackage.STALE_STAGING).minusSeconds(60)));
        Path recent = root.resolve("m").resolve("1.unpacking-recent");
        Files.createDirectories(recent);
        ModelPackage.unpack(new ByteArrayInputStream(zip(new byte[10])), target, "python3", "handler.handle");
        assertTrue(Files.isRegularFile(target.resolve("handler.py")));
        assertTrue(Files.notExists(left), "stale: removed");
        assertTrue(Files.exists(recent), "another attempt's, perhaps still running: kept");
        assertEquals(10, Files.size(target.resolve("data/part0.bin")));
        assertTrue(Arrays.equals(new byte[10], Files.readAllBytes(target.resolve("data/part7.bin"))));
    }
}
