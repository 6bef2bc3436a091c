package io.omix.server.common.db;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;

/**
 * Values stored deflated (audit blocks, answers kept for repeated writes): written at the fastest
 * setting, since they are written on request paths and read rarely, with the deflater's native
 * memory released at once rather than when the collector gets to it.
 */
public final class Deflated {
    private Deflated() {}

    /** Writes the value to be deflated. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /** The deflated bytes of what {@code writer} writes; {@code expectedBytes} sizes the buffer. */
    public static byte[] of(Writer writer, int expectedBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, expectedBytes));
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try (OutputStream z = new DeflaterOutputStream(out, deflater, 8192)) {
            writer.write(z);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deflater.end();
        }
        return out.toByteArray();
    }

    /** The stored value's original bytes, as a stream. */
    public static InputStream reading(byte[] stored) {
        return new InflaterInputStream(new ByteArrayInputStream(stored));
    }
}
