package io.omix.sdk;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A sample to register, the same for the open platform's register_sample and the private
 * platform's: project and body site, the registrant's own id, further fields by name.
 * <pre>{@code
 * SampleRegistration blood = SampleRegistration.of(projectId, 11).externalId("LAB-0042").field("depth", 30).build();
 * }</pre>
 */
public final class SampleRegistration {
    private final String projectId;
    private final int biosampleSite;
    private final String externalSampleId;
    private final boolean duplicateEnabled;
    private final Map<String, Object> fields;

    private SampleRegistration(Builder b) {
        this.projectId = b.projectId;
        this.biosampleSite = b.biosampleSite;
        this.externalSampleId = b.externalSampleId;
        this.duplicateEnabled = b.duplicateEnabled;
        this.fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.fields));
    }

    /**
     * Starts a registration in a project, at a body site.
     *
     * @param projectId     the project ({@code P-...}; upper-cased)
     * @param biosampleSite the body site, 1 to 15 (1 oral, 10 feces, 11 blood, ...)
     * @return a builder of the registration
     * @throws IllegalArgumentException when the site is not 1 to 15
     * @throws NullPointerException     when {@code projectId} is null
     */
    public static Builder of(String projectId, int biosampleSite) {
        return new Builder(projectId, biosampleSite);
    }

    String projectId() {
        return projectId;
    }

    int biosampleSite() {
        return biosampleSite;
    }

    String externalSampleId() {
        return externalSampleId;
    }

    boolean duplicateEnabled() {
        return duplicateEnabled;
    }

    Map<String, Object> fields() {
        return fields;
    }

    /** Builds a {@link SampleRegistration}. */
    public static final class Builder {
        private final String projectId;
        private final int biosampleSite;
        private String externalSampleId;
        private boolean duplicateEnabled;
        private final Map<String, Object> fields = new LinkedHashMap<>();

        private Builder(String projectId, int biosampleSite) {
            this.projectId = Objects.requireNonNull(projectId, "projectId").toUpperCase(java.util.Locale.ROOT);
            if (biosampleSite < 1 || biosampleSite > 15) throw new IllegalArgumentException("biosampleSite must be 1 to 15");
            this.biosampleSite = biosampleSite;
        }

        /**
         * Sets the registrant's own id of the sample (unique within the project and site unless duplicates are allowed).
         *
         * @param externalSampleId the id
         * @return this builder
         */
        public Builder externalId(String externalSampleId) {
            this.externalSampleId = externalSampleId;
            return this;
        }

        /**
         * Registers even when the external id is already registered in the project and site.
         *
         * @return this builder
         */
        public Builder allowDuplicate() {
            this.duplicateEnabled = true;
            return this;
        }

        /**
         * Sets a further sample field by its wire name (e.g. {@code depth}, {@code library_id}, {@code organism}).
         *
         * @param name  the field's name
         * @param value its value (a String, number or boolean)
         * @return this builder
         * @throws IllegalArgumentException when the name is one the builder sets itself
         */
        public Builder field(String name, Object value) {
            if (java.util.Set.of("project_id", "biosample_site", "external_sample_id", "duplicate_enabled").contains(name)) {
                throw new IllegalArgumentException(name + " has its own builder method");
            }
            fields.put(Objects.requireNonNull(name, "name"), value);
            return this;
        }

        /**
         * The registration.
         *
         * @return an immutable registration
         */
        public SampleRegistration build() {
            return new SampleRegistration(this);
        }
    }
}
