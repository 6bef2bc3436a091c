package io.omix.sdk;

import java.util.List;

/**
 * Which data items to read: by sample, batch and data elements (each optional).
 * <pre>{@code
 * DataItemQuery q = DataItemQuery.builder().namespace(ns).biosample(sampleId).dataElements(element).build();
 * }</pre>
 */
public final class DataItemQuery {
    private final String namespace;
    private final String biosampleId;
    private final Long collectionId;
    private final List<String> dataElementIds;

    private DataItemQuery(Builder b) {
        this.namespace = b.namespace;
        this.biosampleId = b.biosampleId;
        this.collectionId = b.collectionId;
        this.dataElementIds = b.dataElementIds;
    }

    /**
     * Starts a query.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    String namespace() {
        return namespace;
    }

    String biosampleId() {
        return biosampleId;
    }

    Long collectionId() {
        return collectionId;
    }

    List<String> dataElementIds() {
        return dataElementIds.isEmpty() ? null : dataElementIds;
    }

    /** Builds a {@link DataItemQuery}. */
    public static final class Builder {
        private String namespace;
        private String biosampleId;
        private Long collectionId;
        private List<String> dataElementIds = List.of();

        private Builder() {}

        /**
         * The namespace of the app that imported the items (required on the open platform; the
         * private platform reads its own).
         *
         * @param namespace the namespace
         * @return this builder
         */
        public Builder namespace(String namespace) {
            this.namespace = namespace;
            return this;
        }

        /**
         * Only items describing this sample.
         *
         * @param biosampleId the sample's id ({@code E-...})
         * @return this builder
         */
        public Builder biosample(String biosampleId) {
            this.biosampleId = biosampleId;
            return this;
        }

        /**
         * Only items of this batch.
         *
         * @param batchNo the batch's number
         * @return this builder
         */
        public Builder batch(long batchNo) {
            this.collectionId = batchNo;
            return this;
        }

        /**
         * Only items of these data elements.
         *
         * @param dataElementIds 1 to 100 data elements
         * @return this builder
         * @throws IllegalArgumentException when more than 100 are given
         */
        public Builder dataElements(String... dataElementIds) {
            if (dataElementIds.length > 100) throw new IllegalArgumentException("at most 100 data elements");
            this.dataElementIds = List.of(dataElementIds);
            return this;
        }

        /**
         * The query.
         *
         * @return an immutable query
         */
        public DataItemQuery build() {
            return new DataItemQuery(this);
        }
    }
}
