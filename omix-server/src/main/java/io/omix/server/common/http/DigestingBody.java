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
    private final InputStream in;
    private final Mac mac;
    private boolean ended;
    private boolean closed;

    DigestingBody(InputStream in, Mac mac) {
        this.in = in;
        this.mac = mac;
    }

    @Override
    public int read() throws IOException {
        if (closed) throw new IOException("the body was closed");
        int b = in.read();
        if (b < 0) ended = true;
        else mac.update((byte) b);
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (closed) throw new IOException("the body was closed");
        int n = in.read(buffer, offset, length);
        if (n < 0) ended = true;
        else mac.update(buffer, offset, n);
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

    /**
     * The keyed hash of the whole body, reading what the handler left (up to {@code maxRest} bytes more); null when
     * more was left than that, or the body could not be read to its end (the client went away).
     */
    String finish(long maxRest) {
        try {
            byte[] buffer = new byte[1 << 16];
            long rest = 0;
            while (!ended) {
                int n = in.read(buffer, 0, buffer.length);
                if (n < 0) {
                    ended = true;
                    break;
                }
                rest += n;
                if (rest > maxRest) return null;
                mac.update(buffer, 0, n);
            }
            return "h" + Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal());
        } catch (IOException e) {
            return null;
        }
    }

    /** Whether two digests are the same, in time that does not depend on where they differ. */
    static boolean same(String a, String b) {
        return a != null && b != null && MessageDigest.isEqual(a.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                b.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
}
