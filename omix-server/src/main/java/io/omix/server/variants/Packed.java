package io.omix.server.variants;

/**
 * A few values in one text column, {@code ;}-separated, empty for missing: none of them contains
 * {@code ;} (genotypes, integers, comma lists of integers, numbers).
 */
final class Packed {
    private Packed() {}

    static String join(Object... values) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) out.append(';');
            if (values[i] != null) out.append(values[i]);
        }
        return out.toString();
    }

    /** The {@code n} parts, null where empty; all null for a null text. */
    static String[] split(String packed, int n) {
        String[] out = new String[n];
        if (packed == null) return out;
        String[] parts = packed.split(";", -1);
        for (int i = 0; i < n && i < parts.length; i++) out[i] = parts[i].isEmpty() ? null : parts[i];
        return out;
    }
}
