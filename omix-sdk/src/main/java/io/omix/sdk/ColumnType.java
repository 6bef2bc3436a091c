package io.omix.sdk;

/** Column types of the dataset batches API: what a batch mapping expects a destination column to be. */
public enum ColumnType {
    /** Any text; every value fits. */
    TEXT,
    /** A decimal number. */
    NUMERIC,
    /** An ISO date or date-time. */
    DATE;

    /**
     * The name datasets use in their schemas.
     *
     * @return the lower-case name: {@code text}, {@code numeric} or {@code date}
     */
    public String schemaName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
