package io.omix.server.files;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.HexFormat;
import java.util.Random;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Multipart uploads on the local store: the whole object's checksums come out right whether they were
 * computed while the parts arrived (in any order) or by reading the object at completion, which a part
 * sent twice forces.
 */
class LocalObjectStoreTest {
    static final int PART = 100_000;

    static byte[] content(long seed) {
        byte[] b = new byte[PART * 3 - 1234];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static String crc32c(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b);
        return String.format("%08x", c.getValue());
    }

    static void put(LocalObjectStore store, String id, byte[] content, int part) throws Exception {
        store.startParts(id, "any"); // as the upload's start does (a second call for the same upload changes nothing)
        int from = (part - 1) * PART;
        byte[] bytes = Arrays.copyOfRange(content, from, Math.min(content.length, from + PART));
        store.putPart(id, part, from, bytes.length, new ByteArrayInputStream(bytes), sha256(bytes));
    }

    /** A part of {@link #PART} bytes at its place, stored on another thread (its failure the future's). */
    static java.util.concurrent.CompletableFuture<ObjectStore.Stored> putPartAsync(LocalObjectStore store, String id, int part,
                                                                                 java.io.InputStream body, String sha256) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return store.putPart(id, part, (long) (part - 1) * PART, PART, body, sha256);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }

    /** Other users have no way into the store (its group keeps its rights): objects and people's exports were readable by all. */
    @Test
    void theStoreIsClosedToOtherUsers(@TempDir Path parent) throws Exception {
        Path root = Files.createDirectory(parent.resolve("objects-apart"));
        Files.setPosixFilePermissions(root, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxr-x"));
        new LocalObjectStore(root);
        assertEquals(java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwx---"), Files.getPosixFilePermissions(root));
    }

    @Test
    void partsInAnyOrderGiveTheWholeObjectsChecksums(@TempDir Path root) throws Exception {
        LocalObjectStore store = new LocalObjectStore(root);
        byte[] content = content(1);
        for (int part : new int[]{2, 3, 1}) put(store, "up1", content, part);
        ObjectStore.Stored stored = store.completeParts("up1", content.length, "a/b/whole.bin", new ObjectStore.Expected(null, crc32c(content)));
        assertEquals(sha256(content), stored.sha256());
        assertEquals(crc32c(content), stored.crc32c());
        assertArrayEquals(content, Files.readAllBytes(root.resolve("objects/a/b/whole.bin")));
    }

    /**
     * A completion sent again after the server stopped between moving the object into place and recording it (the SDK
     * retries it): the object is read again and taken as it is. Before, the retry found the upload's data gone and answered
     * 42004, and starting the upload again came back to the same upload, for a day.
     */
    @Test
    void aCompletionSentAgainAfterTheMoveTakesTheObjectAsItIs(@TempDir Path root) throws Exception {
        LocalObjectStore store = new LocalObjectStore(root);
        byte[] content = content(4);
        for (int part : new int[]{1, 2, 3}) put(store, "up4", content, part);
        ObjectStore.Stored first = store.completeParts("up4", content.length, "done/once.bin", new ObjectStore.Expected(sha256(content), null));
        ObjectStore.Stored again = store.completeParts("up4", content.length, "done/once.bin", new ObjectStore.Expected(sha256(content), null));
        assertEquals(first, again);
        assertThrows(ObjectStore.ChecksumMismatch.class,
                () -> store.completeParts("up4", content.length, "done/once.bin", new ObjectStore.Expected(sha256(content(5)), null)),
                "still checked against what the client declared");
    }

    @Test
    void aPartSentTwiceIsCheckedByReadingTheObject(@TempDir Path root) throws Exception {
        LocalObjectStore store = new LocalObjectStore(root);
        byte[] content = content(2);
        byte[] other = content(3);
        put(store, "up2", content, 1);
        put(store, "up2", other, 2);       // wrong bytes first, hashed in order ...
        put(store, "up2", content, 2);     // ... then replaced: the running sums must not be trusted
        put(store, "up2", content, 3);
        ObjectStore.Stored stored = store.completeParts("up2", content.length, "again.bin", new ObjectStore.Expected(sha256(content), null));
        assertEquals(sha256(content), stored.sha256());
        assertEquals(crc32c(content), stored.crc32c());
    }

    @Test
    void aWrongWholeChecksumLeavesNoObject(@TempDir Path root) throws Exception {
        LocalObjectStore store = new LocalObjectStore(root);
        byte[] content = content(4);
        for (int part = 1; part <= 3; part++) put(store, "up3", content, part);
        ObjectStore.ChecksumMismatch e = assertThrows(ObjectStore.ChecksumMismatch.class,
                () -> store.completeParts("up3", content.length, "bad.bin", new ObjectStore.Expected(null, "00000000")));
        assertTrue(e.getMessage().contains("CRC-32C"), e.getMessage());
        assertTrue(store.size("bad.bin").isEmpty());
    }

    /** A part arriving after its upload was aborted (or completed, or its owner erased) fails and leaves no bytes behind. */
    @Test
    void aPartAfterItsUploadEndedFailsAndLeavesNothing(@TempDir Path root) throws Exception {
        LocalObjectStore store = new LocalObjectStore(root);
        byte[] content = content(7);
        put(store, "up7", content, 1);
        store.abortParts("up7");
        byte[] second = Arrays.copyOfRange(content, PART, 2 * PART);
        assertThrows(java.nio.file.NoSuchFileException.class,
                () -> store.putPart("up7", 2, PART, PART, new ByteArrayInputStream(second), sha256(second)));
        assertThrows(java.nio.file.NoSuchFileException.class,
                () -> store.replacePart("up7", 1, 0, PART, new ByteArrayInputStream(second), sha256(second)));
        try (var left = Files.walk(root)) {
            assertEquals(List.of(), left.filter(Files::isRegularFile).toList(), "no file of the upload is left");
        }
        store.startParts("up8", "done.bin");
        for (int part = 1; part <= 3; part++) put(store, "up8", content, part);
        store.completeParts("up8", content.length, "done.bin", new ObjectStore.Expected(sha256(content), null));
        assertThrows(java.nio.file.NoSuchFileException.class,
                () -> store.putPart("up8", 1, 0, PART, new ByteArrayInputStream(second), sha256(second)), "after completion too");
    }

    /**
     * A part still being written holds its bytes: its upload's completion, and the same part sent by a second request,
     * are refused without changing anything (before, the completion moved the file while the part went on writing into
     * what had become the completed object, whose bytes then differed from its recorded checksum).
     */
    @Test
    void aPartInFlightHoldsOffItsCompletionAndTheSamePartSentAgain(@TempDir Path root) throws Exception {
        LocalObjectStore store = new LocalObjectStore(root, java.time.Duration.ofMillis(200));
        byte[] content = content(9);
        put(store, "up9", content, 1);
        put(store, "up9", content, 3);
        byte[] second = Arrays.copyOfRange(content, PART, 2 * PART);
        java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.io.InputStream slowBody = new java.io.FilterInputStream(new ByteArrayInputStream(second)) {
            @Override
            public int read(byte[] b, int off, int len) throws java.io.IOException {
                reading.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
                return super.read(b, off, len);
            }
        };
        java.util.concurrent.CompletableFuture<ObjectStore.Stored> inFlight = putPartAsync(store, "up9", 2, slowBody, sha256(second));
        assertTrue(reading.await(10, java.util.concurrent.TimeUnit.SECONDS));
        ObjectStore.Expected expected = new ObjectStore.Expected(sha256(content), null);
        assertThrows(ObjectStore.Busy.class, () -> store.completeParts("up9", content.length, "held.bin", expected));
        assertThrows(ObjectStore.Busy.class, () -> store.putPart("up9", 2, PART, PART, new ByteArrayInputStream(second), sha256(second)));
        assertThrows(ObjectStore.Busy.class, () -> store.replacePart("up9", 2, PART, PART, new ByteArrayInputStream(second), sha256(second)));
        assertTrue(store.size("held.bin").isEmpty(), "nothing completed while the part was written");
        release.countDown();
        assertEquals(sha256(second), inFlight.get(10, java.util.concurrent.TimeUnit.SECONDS).sha256());
        assertEquals(sha256(content), store.completeParts("up9", content.length, "held.bin", expected).sha256());
        assertArrayEquals(content, Files.readAllBytes(root.resolve("objects/held.bin")));
    }

    /** A retry of a part arriving while its first attempt still holds the bytes waits for it (up to a bound) and is stored. */
    @Test
    void aRetryOfAPartWaitsForItsFirstAttempt(@TempDir Path root) throws Exception {
        LocalObjectStore store = new LocalObjectStore(root, java.time.Duration.ofSeconds(10));
        byte[] content = content(10);
        put(store, "up10", content, 1);
        byte[] second = Arrays.copyOfRange(content, PART, 2 * PART);
        java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(1);
        java.io.InputStream abandoned = new java.io.InputStream() {
            @Override
            public int read() throws java.io.IOException {
                reading.countDown();
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
                throw new java.io.EOFException("the client gave up on this attempt");
            }

            @Override
            public int read(byte[] b, int off, int len) throws java.io.IOException {
                return read();
            }
        };
        java.util.concurrent.CompletableFuture<Void> first = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                store.putPart("up10", 2, PART, PART, abandoned, sha256(second));
            } catch (Exception expected) {
                // the first attempt fails: its body was cut off
            }
        });
        assertTrue(reading.await(10, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(sha256(second), store.putPart("up10", 2, PART, PART, new ByteArrayInputStream(second), sha256(second)).sha256());
        first.get(10, java.util.concurrent.TimeUnit.SECONDS);
        put(store, "up10", content, 3);
        assertEquals(sha256(content), store.completeParts("up10", content.length, "retried-part.bin", new ObjectStore.Expected(sha256(content), null)).sha256());
    }

    /**
     * Another server sharing files.dir (another process) writing a part's bytes holds them too: the same part sent here
     * meanwhile waits its bound and is {@link ObjectStore.Busy} (the client retries), rather than blocking for as long
     * as the other request lasts; completion is Busy too; once the other process lets go, the part is stored.
     */
    @Test
    void aPartWhoseBytesAnotherProcessHoldsIsBusyNotBlocked(@TempDir Path root) throws Exception {
        LocalObjectStore store = new LocalObjectStore(root, java.time.Duration.ofMillis(500));
        byte[] content = content(11);
        put(store, "up11", content, 1);
        byte[] second = Arrays.copyOfRange(content, PART, 2 * PART);
        // Python's lockf is the same record lock (fcntl) that the JDK's FileChannel locks take.
        Process holder = new ProcessBuilder("python3", "-c", "import fcntl, sys\nf = open(sys.argv[1], 'r+b')\n"
                + "fcntl.lockf(f, fcntl.LOCK_EX, " + PART + ", " + PART + ")\nprint('held', flush=True)\nsys.stdin.read()\n",
                root.resolve("uploads/up11.data").toString()).redirectErrorStream(true).start();
        try {
            assertEquals("held", new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream())).readLine());
            java.util.concurrent.CompletableFuture<ObjectStore.Stored> attempt = putPartAsync(store, "up11", 2, new ByteArrayInputStream(second), sha256(second));
            java.util.concurrent.ExecutionException busy = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> attempt.get(10, java.util.concurrent.TimeUnit.SECONDS), "answered within its bound, not blocked");
            assertTrue(busy.getCause() instanceof ObjectStore.Busy, String.valueOf(busy.getCause()));
            ObjectStore.Expected expected = new ObjectStore.Expected(sha256(content), null);
            assertThrows(ObjectStore.Busy.class, () -> store.completeParts("up11", content.length, "shared.bin", expected));
        } finally {
            holder.getOutputStream().close();
            holder.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertEquals(sha256(second), store.putPart("up11", 2, PART, PART, new ByteArrayInputStream(second), sha256(second)).sha256());
        put(store, "up11", content, 3);
        assertEquals(sha256(content), store.completeParts("up11", content.length, "shared.bin", new ObjectStore.Expected(sha256(content), null)).sha256());
    }

    @Test
    void aPartThatFailsItsChecksumCanBeSentAgain(@TempDir Path root) throws Exception {
        LocalObjectStore store = new LocalObjectStore(root);
        byte[] content = content(5);
        byte[] first = Arrays.copyOfRange(content, 0, PART);
        store.startParts("up4", "retried.bin");
        assertThrows(ObjectStore.ChecksumMismatch.class,
                () -> store.putPart("up4", 1, 0, PART, new ByteArrayInputStream(first), sha256(new byte[]{1})));
        for (int part = 1; part <= 3; part++) put(store, "up4", content, part);
        assertEquals(sha256(content), store.completeParts("up4", content.length, "retried.bin", new ObjectStore.Expected(sha256(content), null)).sha256());
    }

    @Test
    void theRunningChecksumsAreUsedWhenEveryPartCameOnce(@TempDir Path root) throws Exception {
        byte[] content = content(6);
        Path data = root.resolve("data");
        Files.write(data, content);
        RunningChecksums running = new RunningChecksums();
        for (long offset : new long[]{PART, 2L * PART, 0}) {
            running.starting("u", offset);
            running.stored("u", offset, Math.min(PART, content.length - offset), data);
        }
        Checksums sums = running.finished("u", content.length).orElseThrow(() -> new AssertionError("hashed while the parts arrived"));
        assertEquals(sha256(content), sums.sha256());
        assertEquals(crc32c(content), sums.crc32c());

        running.starting("v", 0);
        running.stored("v", 0, PART, data);
        running.starting("v", 0);                       // the same part again
        running.stored("v", 0, PART, data);
        running.starting("v", PART);
        running.stored("v", PART, PART, data);
        running.starting("v", 2L * PART);
        running.stored("v", 2L * PART, content.length - 2L * PART, data);
        assertTrue(running.finished("v", content.length).isEmpty(), "a part sent twice: read the object instead");
        assertTrue(running.finished("never-seen", 10).isEmpty());
    }
}
