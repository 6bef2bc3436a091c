package io.omix.sdk;

/** The unit of aggregate_omics_data's periods. */
public enum TimeDimension {
    /** Calendar years. */
    YEAR,
    /** Calendar quarters. */
    QUARTER,
    /** Calendar months. */
    MONTH,
    /** Weeks, from Monday. */
    WEEK,
    /** Days. */
    DAY,
    /** Hours. */
    HOUR,
    /** Minutes. */
    MINUTE,
    /** Seconds. */
    SECOND;

    String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
