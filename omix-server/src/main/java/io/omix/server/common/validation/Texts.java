package io.omix.server.common.validation;

/** Texts as a message quotes them. */
public final class Texts {
    private Texts() {}

    /** One line of printable text: no character {@link Character#isISOControl} names (line breaks and tabs included). */
    public static final java.util.regex.Pattern PRINTABLE_LINE = java.util.regex.Pattern.compile("[^\\p{Cntrl}\\u0080-\\u009F]*");
    public static final String PRINTABLE_LINE_RULE = "printable text, no line breaks";

    /** {@code s}, or its first {@code max} characters and "..." when it is longer: a refused value named in a reason, not repeated whole. */
    public static String shortened(String s, int max) {
        return s.length() <= max ? s : cut(s, max) + "...";
    }

    /**
     * {@code s} (null stays null) cut to at most {@code max} characters, never between the two halves of a character
     * outside the Basic Multilingual Plane: half of one would be stored as "?" (or refused) once encoded.
     */
    public static String cut(String s, int max) {
        if (s == null || s.length() <= max) return s;
        int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
        return s.substring(0, end);
    }
}
