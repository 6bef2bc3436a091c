package io.omix.sdk;

/** Column types of the dataset batches API: what a batch mapping expects a destination column to be. */
public enum ColumnType {
    TEXT, NUMERIC, DATE;

    /** The lower-case name datasets use in their schemas ({@code text}, {@code numeric}, {@code date}). */
    public String schemaName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
