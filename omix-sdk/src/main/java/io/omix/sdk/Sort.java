package io.omix.sdk;

/** The order of time-ordered answers. */
public enum Sort {
    /** Oldest first. */
    ASC,
    /** Newest first (the platform's default). */
    DESC;

    String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
