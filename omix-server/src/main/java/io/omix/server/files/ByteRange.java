package io.omix.server.files;

/** One HTTP byte range ({@code bytes=a-b}, {@code bytes=a-}, {@code bytes=-n}) against an object of a known size. */
final class ByteRange {
    /** Returned for a range that lies wholly past the end (answered 416). */
    static final long[] UNSATISFIABLE = new long[0];

    private ByteRange() {}

    /**
     * @return null for no (or an unsupported, e.g. multi-range) header: the whole object; the inclusive
     * {@code [first, last]} otherwise; {@link #UNSATISFIABLE} when it starts past the end
     */
    static long[] parse(String header, long size) {
        if (header == null) return null;
        String h = header.trim();
        if (!h.startsWith("bytes=") || h.contains(",")) return null;
        String spec = h.substring(6).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) return null;
        String a = spec.substring(0, dash).trim();
        String b = spec.substring(dash + 1).trim();
        try {
            if (a.isEmpty()) { // the last n bytes
                if (b.isEmpty()) return null;
                long n = Long.parseLong(b);
                // RFC 9110 14.1.2: no suffix of an empty representation exists.
                if (n <= 0 || size == 0) return UNSATISFIABLE;
                return new long[] {Math.max(0, size - n), size - 1};
            }
            long first = Long.parseLong(a);
            long last = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
            if (first >= size) return UNSATISFIABLE;
            if (last < first) return null;
            return new long[] {first, last};
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
