package io.omix.server.common.validation;

/** Texts as a message quotes them. */
public final class Texts {
    private Texts() {}

    /** {@code s}, or its first {@code max} characters and "..." when it is longer: a refused value named in a reason, not repeated whole. */
    public static String shortened(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }
}
