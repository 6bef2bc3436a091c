package io.omix.server.common.io;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A temporary file between a peer and the database: a request body is taken whole before a transaction
 * starts, an answer is written whole before it is sent, so that no pooled connection waits on a peer that
 * sends or reads slowly (ten such peers would otherwise hold the whole pool). Deleted when closed. All
 * spools of a server together hold at most {@link #MAX_TOTAL_BYTES}, and those of one caller a quarter of it: beyond,
 * writing one is refused ({@link Busy}) rather than filling the temporary directory.
 */
public final class Spool implements AutoCloseable {
    /** What the spools of one server may hold together. */
    public static final long MAX_TOTAL_BYTES = 4L << 30;
    /** What the spools of one caller may hold together: a quarter, so that one caller's slow bodies cannot take them all. */
    public static final long MAX_HOLDER_BYTES = MAX_TOTAL_BYTES / 4;
    static volatile long holderShare = MAX_HOLDER_BYTES;   // smaller in tests
    private static final AtomicLong IN_USE = new AtomicLong();
    private static final java.util.concurrent.ConcurrentHashMap<String, Long> BY_HOLDER = new java.util.concurrent.ConcurrentHashMap<>();
    static final String PREFIX = "omix-spool-";
    private final Path file;
    private final String holder;
    private final AtomicLong held = new AtomicLong();

    private Spool(Path file, String holder) {
        this.file = file;
        this.holder = holder;
    }

    /** An empty spool to write into, counted against {@code holder}'s share as well (none: null). */
    public static Spool create(String holder) throws IOException {
        return new Spool(Files.createTempFile(PREFIX, ".tmp"), holder);
    }

    /**
     * The whole of {@code in}, at most {@code limit} bytes.
     *
     * @throws TooLarge when {@code in} holds more (nothing is kept)
     * @throws Busy     when the server's spools hold all they may
     */
    public static Spool of(InputStream in, long limit) throws IOException {
        return of(in, limit, null);
    }

    /**
     * The whole of {@code in}, at most {@code limit} bytes, counted against {@code holder}'s share as well (none: null).
     *
     * @throws TooLarge when {@code in} holds more (nothing is kept)
     * @throws Busy     when the server's spools, or the holder's, hold all they may
     */
    public static Spool of(InputStream in, long limit, String holder) throws IOException {
        Spool spool = new Spool(Files.createTempFile(PREFIX, ".tmp"), holder);
        try (OutputStream out = spool.output()) {
            byte[] buffer = new byte[1 << 16];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (total > limit) throw new TooLarge(limit);
                out.write(buffer, 0, n);
            }
            return spool;
        } catch (IOException | RuntimeException e) {
            spool.close();
            throw e;
        }
    }

    /** Where to write: each byte counted against {@link #MAX_TOTAL_BYTES} until the spool is closed. */
    public OutputStream output() throws IOException {
        return new FilterOutputStream(Files.newOutputStream(file)) {
            @Override
            public void write(int b) throws IOException {
                reserve(1);
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                reserve(len);
                out.write(b, off, len);
            }
        };
    }

    private void reserve(long bytes) throws Busy {
        if (IN_USE.addAndGet(bytes) > MAX_TOTAL_BYTES) {
            IN_USE.addAndGet(-bytes);
            throw new Busy();
        }
        if (holder != null) {
            // Taken and checked inside the map's update of the holder's entry, as it is given back: never counted on an
            // entry another thread has just removed.
            // A holder's one spool may pass its share (a whole genome's slice, written alone, is larger): its others may not.
            boolean[] within = {true};
            long mine = held.get();
            BY_HOLDER.compute(holder, (h, n) -> {
                long now = (n == null ? 0 : n) + bytes;
                boolean others = (n == null ? 0 : n) > mine;
                if (now > holderShare && others) {
                    within[0] = false;
                    return n;
                }
                return now;
            });
            if (!within[0]) {
                IN_USE.addAndGet(-bytes);
                throw new Busy();
            }
        }
        held.addAndGet(bytes);
    }

    /** Gives back {@code bytes} of the holder's share (its entry goes when it holds nothing). */
    private void release(long bytes) {
        if (holder == null || bytes == 0) return;
        BY_HOLDER.computeIfPresent(holder, (h, n) -> n - bytes <= 0 ? null : n - bytes);
    }

    public InputStream input() throws IOException {
        return Files.newInputStream(file);
    }

    /** How many bytes were written. */
    public long size() throws IOException {
        return Files.size(file);
    }

    @Override
    public void close() {
        long bytes = held.getAndSet(0);
        IN_USE.addAndGet(-bytes);
        release(bytes);
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the temporary directory's own clean-up takes what is left
        }
    }

    /** A body larger than the spool takes. */
    public static final class TooLarge extends IOException {
        public TooLarge(long limit) {
            super("larger than " + limit + " bytes");
        }
    }

    /** The server's spools hold all they may: the caller is asked to come back (503). */
    public static final class Busy extends IOException {
        public Busy() {
            super("the server is busy with other transfers; retry shortly");
        }
    }
}
