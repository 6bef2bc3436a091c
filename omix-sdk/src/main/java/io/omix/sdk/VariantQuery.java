package io.omix.sdk;

import java.util.List;
import java.util.Objects;

/**
 * The calls to read from one sample: 1 to 100 rs ids, answered in the order asked.
 *
 * @param biosampleId the sample
 * @param rsids       the rs ids, e.g. {@code rs762551}
 */
public record VariantQuery(String biosampleId, List<String> rsids) {
    /**
     * A query of a copy of {@code rsids}.
     *
     * @param biosampleId the sample
     * @param rsids       1 to 100 rs ids
     * @throws NullPointerException     when {@code biosampleId} or an id is null
     * @throws IllegalArgumentException when there are no ids or more than 100
     */
    public VariantQuery {
        Objects.requireNonNull(biosampleId, "biosampleId");
        rsids = List.copyOf(rsids);
        if (rsids.isEmpty() || rsids.size() > 100) throw new IllegalArgumentException("give 1 to 100 rs ids");
    }

    /**
     * The calls of {@code biosampleId} for {@code rsids}.
     *
     * @param biosampleId the sample ({@code E-...}), one the caller sees
     * @param rsids       1 to 100 rs ids, e.g. {@code "rs762551", "rs671"}
     * @return the query, for {@code api.variants().get(...)}
     * @throws NullPointerException     when {@code biosampleId} or an id is null
     * @throws IllegalArgumentException when there are no ids or more than 100
     */
    public static VariantQuery of(String biosampleId, String... rsids) {
        return new VariantQuery(biosampleId, List.of(rsids));
    }
}
