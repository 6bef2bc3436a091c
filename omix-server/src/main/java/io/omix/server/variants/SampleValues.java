package io.omix.server.variants;

import htsjdk.variant.variantcontext.LazyGenotypesContext;
import htsjdk.variant.variantcontext.VariantContext;

/**
 * The sample's GT, DP, AD, GQ and PL of a single-sample VCF record, read from the record's FORMAT and
 * sample columns as htsjdk leaves them undecoded. htsjdk's decoding of that text (a genotype object,
 * int arrays for AD and PL that the importer joins back into the same text, a map of every key) was a
 * quarter of the import's parsing time. Only plain text is read here: whole numbers without sign or
 * leading zero, a GT first (htsjdk requires it there) of allele numbers and dots with one kind of
 * separator, every key once, as many values as keys, no GL or FT. Anything else answers null and
 * htsjdk decodes the record as before, with its own checks and messages; {@code VcfImporterTest}
 * holds both ways to the same answers.
 */
record SampleValues(String gt, Integer dp, String ad, Integer gq, String pl) {
    private static final int GT = 1, DP = 2, AD = 4, GQ = 8, PL = 16;

    boolean isEmpty() {
        return gt == null && dp == null && ad == null && gq == null && pl == null;
    }

    /** The values, or null when the record is not plain enough (then decode it with htsjdk). */
    static SampleValues read(VariantContext vc) {
        if (!(vc.getGenotypes() instanceof LazyGenotypesContext lazy) || !(lazy.getUnparsedGenotypeData() instanceof String text)) return null;
        return read(text, vc.getNAlleles());
    }

    /** {@code text}: the FORMAT column, a tab, the one sample's column. */
    static SampleValues read(String text, int alleles) {
        int tab = text.indexOf('\t');
        if (tab <= 0 || text.indexOf('\t', tab + 1) >= 0) return null;
        String gt = null, ad = null, pl = null;
        Integer dp = null, gq = null;
        int seen = 0;
        int key = 0;
        int value = tab + 1;
        int end = text.length();
        while (true) {
            int keyEnd = next(text, key, tab);
            int valueEnd = next(text, value, end);
            int field = field(text, key, keyEnd);
            if (field < 0 || (seen & field) != 0 || (field == GT) != (key == 0)) return null;
            seen |= field;
            boolean missing = valueEnd - value == 1 && text.charAt(value) == '.';
            if (field == GT) {
                gt = genotype(text, value, valueEnd, alleles);
                if (gt == null) return null;
            } else if (field != 0 && !missing) {
                if (field == DP || field == GQ) {
                    long n = wholeNumber(text, value, valueEnd);
                    if (n < 0) return null;
                    if (field == DP) dp = (int) n;
                    else gq = (int) n;
                } else {
                    if (!numberList(text, value, valueEnd)) return null;
                    if (field == AD) ad = text.substring(value, valueEnd);
                    else pl = text.substring(value, valueEnd);
                }
            }
            boolean keysLeft = keyEnd < tab;
            boolean valuesLeft = valueEnd < end;
            if (keysLeft != valuesLeft) return null;
            if (!keysLeft) break;
            key = keyEnd + 1;
            value = valueEnd + 1;
        }
        return (seen & GT) == 0 ? null : new SampleValues(gt, dp, ad, gq, pl);
    }

    private static int next(String text, int from, int end) {
        int colon = text.indexOf(':', from);
        return colon < 0 || colon > end ? end : colon;
    }

    /** The field a FORMAT key is, 0 for keys not stored, -1 for keys that need htsjdk (GL becomes PL there; FT, an empty key). */
    private static int field(String text, int from, int to) {
        if (to - from != 2) return to > from ? 0 : -1;
        char a = text.charAt(from);
        char b = text.charAt(from + 1);
        if (a == 'G' && b == 'T') return GT;
        if (a == 'D' && b == 'P') return DP;
        if (a == 'A' && b == 'D') return AD;
        if (a == 'G' && b == 'Q') return GQ;
        if (a == 'P' && b == 'L') return PL;
        if ((a == 'G' && b == 'L') || (a == 'F' && b == 'T')) return -1;
        return 0;
    }

    /** Allele numbers (each below {@code alleles}) and dots, separated all by '/' or all by '|': the text as the importer stores it. */
    private static String genotype(String text, int from, int to, int alleles) {
        if (to == from) return null;
        char separator = 0;
        int token = from;
        for (int i = from; i <= to; i++) {
            char c = i < to ? text.charAt(i) : 0;
            if (i < to && c != '/' && c != '|') continue;
            if (i < to) {
                if (separator != 0 && c != separator) return null;
                separator = c;
            }
            boolean dot = i - token == 1 && text.charAt(token) == '.';
            if (!dot) {
                long n = wholeNumber(text, token, i);
                if (n < 0 || n >= alleles) return null;
            }
            token = i + 1;
        }
        return text.substring(from, to);
    }

    /** Comma-separated whole numbers. */
    private static boolean numberList(String text, int from, int to) {
        int start = from;
        for (int i = from; i <= to; i++) {
            if (i < to && text.charAt(i) != ',') continue;
            if (wholeNumber(text, start, i) < 0) return false;
            start = i + 1;
        }
        return true;
    }

    /** A whole number of at most 9 digits, without sign or leading zero; -1 when the text is anything else. */
    private static long wholeNumber(String text, int from, int to) {
        int length = to - from;
        if (length < 1 || length > 9 || (length > 1 && text.charAt(from) == '0')) return -1;
        long n = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') return -1;
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
