package io.omix.server.common.io;

import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.BooleanSupplier;

/**
 * Sends a body while what allows it still does: a long download through a signed link ends with the link's grant (a
 * revocation, a sign-out, a client disabled) within a second, not only at its start. The body goes with its length and
 * as stored, so that a copy cut short is a broken download to the client, never a shorter body that looks whole.
 */
public final class GuardedCopy {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedCopy.class);
    /** How often a copy in progress asks whether it may go on. */
    public static final long RECHECK_NANOS = 1_000_000_000L;

    private GuardedCopy() {}

    /**
     * Announces a body of {@code length} bytes, sent as stored: never compressed for a client that accepts gzip (the
     * compressed body went out under the plain length, and such a client saw a broken download).
     */
    public static void announce(Context ctx, long length) {
        ctx.disableCompression();
        ctx.header("Content-Length", String.valueOf(length));
    }

    /**
     * Sends the {@code length} bytes {@link #announce announced} from {@code in}, asking {@code allowed} every
     * {@link #RECHECK_NANOS}. A copy {@code allowed} ended, or whose source ended first, is ended short and logged under
     * {@code what}: headers and some bytes are out, and an error answer written now would land inside the body.
     */
    public static void send(Context ctx, InputStream in, long length, BooleanSupplier allowed, String what) throws IOException {
        try {
            if (!copy(in, ctx.outputStream(), length, allowed)) LOG.info("{} cut short: its link's grant ended", what);
        } catch (java.io.EOFException shorter) {
            LOG.error("{} cut short: {}", what, shorter.getMessage());
        }
    }

    /**
     * Copies {@code length} bytes of {@code in} to {@code out}, asking {@code allowed} every {@link #RECHECK_NANOS}.
     *
     * @return true when every byte went, false when {@code allowed} said no
     * @throws java.io.EOFException when {@code in} ends first (what was stored is shorter than what was announced)
     */
    static boolean copy(InputStream in, OutputStream out, long length, BooleanSupplier allowed) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long left = length;
        long nextCheck = System.nanoTime() + RECHECK_NANOS;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) throw new java.io.EOFException("the body ended " + left + " bytes before its length");
            if (System.nanoTime() - nextCheck >= 0) {
                if (!allowed.getAsBoolean()) return false;
                nextCheck = System.nanoTime() + RECHECK_NANOS;
            }
            out.write(buffer, 0, n);
            left -= n;
        }
        out.flush();
        return true;
    }
}
