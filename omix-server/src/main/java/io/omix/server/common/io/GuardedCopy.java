package io.omix.server.common.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.BooleanSupplier;

/**
 * Sends a body while what allows it still does: a long download through a signed link ends with the link's grant (a
 * revocation, a sign-out, a client disabled) within a second, not only at its start.
 */
public final class GuardedCopy {
    /** How often a copy in progress asks whether it may go on. */
    public static final long RECHECK_NANOS = 1_000_000_000L;

    private GuardedCopy() {}

    /**
     * Copies {@code length} bytes of {@code in} to {@code out}, asking {@code allowed} every {@link #RECHECK_NANOS}; the
     * caller has announced {@code length} (Content-Length), so a copy cut short is a broken download to the client, never
     * a shorter body that looks whole.
     *
     * @return true when every byte went, false when {@code allowed} said no
     * @throws java.io.EOFException when {@code in} ends first (what was stored is shorter than what was announced)
     */
    public static boolean copy(InputStream in, OutputStream out, long length, BooleanSupplier allowed) throws IOException {
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
