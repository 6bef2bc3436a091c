package io.omix.sdk;

/** What a stream write does with a record whose series and time already have one. */
public enum Duplicates {
    /** Refuse it (the item fails with the reason); the others are written. */
    REJECT,
    /** Keep both. */
    ALLOW
}
