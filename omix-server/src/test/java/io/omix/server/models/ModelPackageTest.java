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

    /** A package that is not a whole zip fails its deployment with a reason of the platform's, once, and leaves nothing. */
    @Test
    void aCutShortOrForeignlyNamedZipFailsWithItsReasonAndLeavesNothing(@TempDir Path root) throws Exception {
        byte[] noise = new byte[64 * 1024];
        new java.util.Random(3).nextBytes(noise);   // incompressible: the half lands inside an entry's data
        byte[] whole = zip(noise);
        // Cut inside an entry's data; entry names in GBK, as Windows zip tools write them (the reader refuses them as UTF-8).
        ByteArrayOutputStream gbk = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(gbk, java.nio.charset.Charset.forName("GBK"))) {
            z.putNextEntry(new ZipEntry("handler.py"));
            z.write("def handle(event, context):\n    return event\n".getBytes());
            z.putNextEntry(new ZipEntry("数据.txt"));
            z.write(1);
        }
        byte[][] packages = {Arrays.copyOf(whole, whole.length / 2), gbk.toByteArray(), "hello, not a zip".getBytes()};
        String[] reasons = {"cut short", "UTF-8", "not a zip file"};
        for (int i = 0; i < packages.length; i++) {
            Path target = root.resolve("bad").resolve(String.valueOf(i));
            Files.createDirectories(target.getParent());
            byte[] pkg = packages[i];
            io.omix.server.tasks.TaskEngine.TaskFailure failed = org.junit.jupiter.api.Assertions.assertThrows(io.omix.server.tasks.TaskEngine.TaskFailure.class,
                    () -> ModelPackage.unpack(new ByteArrayInputStream(pkg), target, "python3", "handler.handle"));
            assertTrue(failed.getMessage().contains(reasons[i]), failed.getMessage());
            assertTrue(!failed.getMessage().contains("Exception") && !failed.getMessage().contains("LOC") && !failed.getMessage().contains("header"),
                    failed.getMessage());
            try (var left = Files.list(target.getParent())) {
                assertEquals(0, left.count(), "nothing left of attempt " + i);
            }
        }
    }

    /**
     * A package's paths are held to what a file system takes and its directories counted, those its files' paths imply
     * too: 5,000 entries of two thousand levels each made ten million directories (the disk's inodes, hours of work and
     * the heap of the walk that follows); each refusal names why, and nothing is left behind.
     */
    @Test
    void aPackageMakesNoMoreDirectoriesThanItsEntriesMayAndNoDeepPaths(@TempDir Path root) throws Exception {
        String deep = "a/".repeat(ModelPackage.MAX_PATH_PARTS) + "x.py";
        String longPart = "n".repeat(ModelPackage.MAX_PART_BYTES + 1) + ".py";
        String longPath = ("p".repeat(200) + "/").repeat(6) + "x.py";
        List<String> implied = new java.util.ArrayList<>();
        for (int i = 0; i < 400; i++) implied.add("d" + i + "/" + "e/".repeat(20) + "f.py"); // 21 directories each, 8,400 in all
        for (List<String> names : List.of(List.of(deep), List.of(longPart), List.of(longPath), implied)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream z = new ZipOutputStream(bytes)) {
                z.putNextEntry(new ZipEntry("handler.py"));
                z.write("def handle(event, context):\n    return event\n".getBytes());
                for (String name : names) z.putNextEntry(new ZipEntry(name));
            }
            Path target = root.resolve("m").resolve(String.valueOf(names.size() + names.get(0).length()));
            Files.createDirectories(target.getParent());
            io.omix.server.tasks.TaskEngine.TaskFailure refused = org.junit.jupiter.api.Assertions.assertThrows(io.omix.server.tasks.TaskEngine.TaskFailure.class,
                    () -> ModelPackage.unpack(new ByteArrayInputStream(bytes.toByteArray()), target, "python3", "handler.handle"));
            assertTrue(refused.getMessage().matches(".*(deep|longer than|directories).*"), refused.getMessage());
            try (var left = Files.list(target.getParent())) {
                assertEquals(List.of(), left.toList(), "nothing left of a refused package");
            }
        }
        // Within the limits: 31 directories deep, names of 255 bytes.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            z.putNextEntry(new ZipEntry("handler.py"));
            z.write("def handle(event, context):\n    return event\n".getBytes());
            z.putNextEntry(new ZipEntry("a/".repeat(ModelPackage.MAX_PATH_PARTS - 1) + "x.py"));
            z.putNextEntry(new ZipEntry("n".repeat(ModelPackage.MAX_PART_BYTES - 3) + ".py"));
        }
        Path fine = root.resolve("fine").resolve("1");
        Files.createDirectories(fine.getParent());
        ModelPackage.unpack(new ByteArrayInputStream(bytes.toByteArray()), fine, "python3", "handler.handle");
        assertTrue(Files.isRegularFile(fine.resolve("a/".repeat(ModelPackage.MAX_PATH_PARTS - 1) + "x.py")));
    }
}
