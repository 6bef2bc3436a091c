package io.omix.server.common.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A temporary file between a peer and the database: a request body is taken whole before a transaction
 * starts, an answer is written whole before it is sent, so that no pooled connection waits on a peer that
 * sends or reads slowly (ten such peers would otherwise hold the whole pool). Deleted when closed.
 */
public final class Spool implements AutoCloseable {
    private static final String PREFIX = "omix-spool-";
    private final Path file;

    private Spool(Path file) {
        this.file = file;
    }

    /** An empty spool to write into. */
    public static Spool create() throws IOException {
        return new Spool(Files.createTempFile(PREFIX, ".tmp"));
    }

    /**
     * The whole of {@code in}, at most {@code limit} bytes.
     *
     * @throws TooLarge when {@code in} holds more (nothing is kept)
     */
    public static Spool of(InputStream in, long limit) throws IOException {
        Spool spool = create();
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

    public OutputStream output() throws IOException {
        return Files.newOutputStream(file);
    }

    public InputStream input() throws IOException {
        return Files.newInputStream(file);
    }

    /** Sends what was written to {@code out} (not closed). */
    public void copyTo(OutputStream out) throws IOException {
        Files.copy(file, out);
    }

    @Override
    public void close() {
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
}
