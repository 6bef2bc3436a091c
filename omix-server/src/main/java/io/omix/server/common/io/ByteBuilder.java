package io.omix.server.common.io;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte array, unsynchronized (ByteArrayOutputStream locks on every byte), with writers for
 * what the server encodes by hand on its hot paths: the audit trail's spool lines, blocks and hash
 * inputs (text, each writer producing exactly the bytes the general way does, where a value is not plain
 * ASCII its caller takes the general way) and the variant call blocks (varints and fixed-width numbers).
 */
public final class ByteBuilder {
    private byte[] buf;
    private int len;

    public ByteBuilder(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
    }

    /** {@code c} (ASCII). */
    public ByteBuilder ascii(char c) {
        ensure(1);
        buf[len++] = (byte) c;
        return this;
    }

    /** {@code s} as {@code getBytes(US_ASCII)} writes it (a character outside ASCII as {@code ?}, a surrogate pair as one). */
    public ByteBuilder ascii(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) >= 0x80) {
                byte[] encoded = s.getBytes(StandardCharsets.US_ASCII);
                return bytes(encoded, 0, encoded.length);
            }
        }
        ensure(n);
        for (int i = 0; i < n; i++) buf[len++] = (byte) s.charAt(i);
        return this;
    }

    /** {@code s} in UTF-8, as {@code getBytes(UTF_8)} writes it. */
    public ByteBuilder utf8(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                // Rare (ids and addresses are ASCII): the encoder writes the rest, lone surrogates as it always has.
                byte[] rest = s.substring(i).getBytes(StandardCharsets.UTF_8);
                ensure(rest.length);
                System.arraycopy(rest, 0, buf, len, rest.length);
                len += rest.length;
                return this;
            }
            buf[len++] = (byte) c;
        }
        return this;
    }

    /** {@code n} in decimal. */
    public ByteBuilder number(long n) {
        if (n < 0) {
            if (n == Long.MIN_VALUE) return ascii(Long.toString(n));
            ascii('-');
            n = -n;
        }
        int digits = 1;
        for (long rest = n / 10; rest > 0; rest /= 10) digits++;
        ensure(digits);
        for (int i = len + digits - 1; i >= len; i--) {
            buf[i] = (byte) ('0' + n % 10);
            n /= 10;
        }
        len += digits;
        return this;
    }

    /**
     * {@code s} as the inside of a JSON string, when every character is printable ASCII (a quote and a
     * backslash escaped, as a JSON generator escapes them); false, having written nothing, otherwise.
     */
    public boolean jsonAscii(String s) {
        int n = s.length();
        int escapes = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7f) return false;
            if (c == '"' || c == '\\') escapes++;
        }
        ensure(n + escapes);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') buf[len++] = '\\';
            buf[len++] = (byte) c;
        }
        return true;
    }

    /** {@code b}'s low eight bits. */
    public ByteBuilder write(int b) {
        ensure(1);
        buf[len++] = (byte) b;
        return this;
    }

    /** {@code v} as an unsigned varint (seven bits a byte, low first). */
    public ByteBuilder varint(int v) {
        return varlong(v & 0xFFFFFFFFL);
    }

    /** {@code v} as an unsigned varint (seven bits a byte, low first). */
    public ByteBuilder varlong(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[len++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[len++] = (byte) v;
        return this;
    }

    /** {@code v} in eight bytes, high first. */
    public ByteBuilder fixed(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) buf[len++] = (byte) (v >>> shift);
        return this;
    }

    /** {@code bytes[from, to)}. */
    public ByteBuilder bytes(byte[] bytes, int from, int to) {
        ensure(to - from);
        System.arraycopy(bytes, from, buf, len, to - from);
        len += to - from;
        return this;
    }

    public byte[] array() {
        return buf;
    }

    public int length() {
        return len;
    }

    public byte[] toArray() {
        return Arrays.copyOf(buf, len);
    }
}
