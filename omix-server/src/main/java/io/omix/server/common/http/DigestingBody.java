package io.omix.server.common.http;

import javax.crypto.Mac;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * A request body as its handler reads it, hashed on the way (a keyed hash: bodies may hold personal data), so that a
 * body that is streamed and never held whole still has a fingerprint once read. Closing it does not end the hash: the
 * rest can still be read by {@link #finish}, which the idempotency layer calls after the handler is done.
 */
final class DigestingBody extends InputStream {
    /** A whole body's keyed hash and length. */
    record Digest(String hash, long bytes) {}

    private final InputStream in;
    private final Mac mac;
    private boolean read;
    private boolean ended;
    private boolean closed;
    private long bytes;

    DigestingBody(InputStream in, Mac mac) {
        this.in = in;
        this.mac = mac;
    }

    @Override
    public int read() throws IOException {
        if (closed) throw new IOException("the body was closed");
        read = true;
        int b = in.read();
        if (b < 0) {
            ended = true;
        } else {
            mac.update((byte) b);
            bytes++;
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (closed) throw new IOException("the body was closed");
        read = true;
        int n = in.read(buffer, offset, length);
        if (n < 0) {
            ended = true;
        } else {
            mac.update(buffer, offset, n);
            bytes += n;
        }
        return n;
    }

    @Override
    public int available() throws IOException {
        return closed ? 0 : in.available();
    }

    /** Closed for the handler only: the rest of the body stays readable for {@link #finish}. */
    @Override
    public void close() {
        closed = true;
    }

    /** Whether anything asked for the body's bytes yet. */
    boolean touched() {
        return read;
    }

    /**
     * The keyed hash of the whole body, reading what is left of it (at most {@code maxRest} bytes more); null when more
     * than that is left.
     *
     * @throws IOException when the body cannot be read to its end (the client went away mid-body)
     */
    Digest finish(long maxRest) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long rest = 0;
        while (!ended) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, maxRest - rest + 1));
            if (n < 0) {
                ended = true;
                break;
            }
            rest += n;
            if (rest > maxRest) return null;
            mac.update(buffer, 0, n);
            bytes += n;
        }
        return new Digest("h" + Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal()), bytes);
    }

    /** Whether two hashes are the same, in time that does not depend on where they differ. */
    static boolean same(String a, String b) {
        return a != null && b != null && MessageDigest.isEqual(a.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                b.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
}
