package io.omix.server.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The whole-object checksums of multipart uploads, computed while the parts arrive: each time the
 * next part in order is stored, the bytes from the last hashed offset on are read back (from the page
 * cache, just written) and fed to the object's checksums, on the thread of the request that stored it,
 * while the other parts are still in transit. Completing then needs no pass over the whole object.
 *
 * <p>An optimisation only, kept in this server's memory: when any part went through another server, a
 * part was sent twice, the server restarted, or too many uploads are open, {@link #finished} answers
 * empty and completion reads the object once, as without it.
 */
final class RunningChecksums {
    static final int MAX_UPLOADS = 256;
    private static final long IDLE_MILLIS = 3_600_000;

    private static final class Running {
        final ReentrantLock hashing = new ReentrantLock();
        final Checksums sums = new Checksums();
        final Set<Long> started = new HashSet<>();
        final Map<Long, Long> stored = new HashMap<>();  // offset -> length of parts stored and synced
        long hashed;                                       // bytes [0, hashed) fed to sums
        boolean broken;
        volatile long touched = System.currentTimeMillis();
    }

    private final Map<String, Running> uploads = new ConcurrentHashMap<>();

    /** A part is about to be written; a second write of the same part makes the running sums unusable. */
    void starting(String uploadId, long offset) {
        Running r = uploads.get(uploadId);
        if (r == null) {
            if (uploads.size() >= MAX_UPLOADS) evictIdle();
            if (uploads.size() >= MAX_UPLOADS) return;
            r = uploads.computeIfAbsent(uploadId, k -> new Running());
        }
        synchronized (r) {
            r.touched = System.currentTimeMillis();
            if (!r.started.add(offset)) r.broken = true;
        }
    }

    /** A write failed before the part was stored: it may be sent again. */
    void failed(String uploadId, long offset) {
        Running r = uploads.get(uploadId);
        if (r == null) return;
        synchronized (r) {
            if (!r.stored.containsKey(offset)) r.started.remove(offset);
        }
    }

    /** A part is stored and synced: hash what is now contiguous from the start, unless another request is at it. */
    void stored(String uploadId, long offset, long length, Path data) {
        Running r = uploads.get(uploadId);
        if (r == null) return;
        synchronized (r) {
            r.stored.put(offset, length);
        }
        // Whoever holds the lock hashes every part that becomes contiguous, including ones stored meanwhile.
        while (r.hashing.tryLock()) {
            try {
                advance(r, data);
            } finally {
                r.hashing.unlock();
            }
            synchronized (r) {
                if (r.broken || !r.stored.containsKey(r.hashed)) return;
            }
        }
    }

    private static void advance(Running r, Path data) {
        try (FileChannel channel = FileChannel.open(data, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
            while (true) {
                long from;
                long length;
                synchronized (r) {
                    if (r.broken || !r.stored.containsKey(r.hashed)) return;
                    from = r.hashed;
                    length = r.stored.get(from);
                }
                for (long position = from; position < from + length; ) {
                    buffer.clear().limit((int) Math.min(buffer.capacity(), from + length - position));
                    int n = channel.read(buffer, position);
                    if (n <= 0) throw new IOException("upload data ends at " + position);
                    buffer.flip();
                    r.sums.update(buffer);
                    position += n;
                }
                synchronized (r) {
                    r.hashed = from + length;
                }
            }
        } catch (IOException e) {
            synchronized (r) {
                r.broken = true;
            }
        }
    }

    /** The checksums of the whole upload when every byte of its {@code size} went through here once, in order. */
    Optional<Checksums> finished(String uploadId, long size) {
        Running r = uploads.remove(uploadId);
        if (r == null) return Optional.empty();
        r.hashing.lock();
        try {
            synchronized (r) {
                return !r.broken && r.hashed == size ? Optional.of(r.sums) : Optional.empty();
            }
        } finally {
            r.hashing.unlock();
        }
    }

    void forget(String uploadId) {
        uploads.remove(uploadId);
    }

    private void evictIdle() {
        long now = System.currentTimeMillis();
        uploads.entrySet().removeIf(e -> now - e.getValue().touched > IDLE_MILLIS);
    }
}
