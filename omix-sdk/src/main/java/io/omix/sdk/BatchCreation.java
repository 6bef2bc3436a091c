package io.omix.sdk;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code batches().create} appends to a dataset: the rows of a source dataset, its columns
 * mapped onto the destination's by column id or by column name (one kind per mapping).
 * <pre>{@code BatchCreation.from(sourceDatasetId)
 *     .map("fruit", "fruit", ColumnType.TEXT).map("price", "price", ColumnType.NUMERIC)
 *     .deleteSourceDs(true).build()}</pre>
 */
public final class BatchCreation {
    private final long sourceId;
    private final List<Map<String, Object>> mapping;
    private final boolean validateOnly;
    private final boolean deleteSourceDs;
    private final String newDatasetName;

    private BatchCreation(Builder b) {
        if (b.mapping.isEmpty()) throw new IllegalArgumentException("map at least one column");
        this.sourceId = b.sourceId;
        this.mapping = List.copyOf(b.mapping);
        this.validateOnly = b.validateOnly;
        this.deleteSourceDs = b.deleteSourceDs;
        this.newDatasetName = b.newDatasetName;
    }

    /**
     * Starts a batch copied from a source dataset's active rows.
     *
     * @param sourceDatasetId the dataset whose rows are copied ({@code source_id})
     * @return a new builder; map at least one column
     */
    public static Builder from(long sourceDatasetId) {
        return new Builder(sourceDatasetId);
    }

    /**
     * The request body of the API ({@code BatchesPostRequest}).
     *
     * @return {@code {source_id, mapping, validate_only, delete_source_ds, new_ds_details?}}
     */
    Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("source_id", sourceId);
        body.put("mapping", mapping);
        body.put("validate_only", validateOnly);
        body.put("delete_source_ds", deleteSourceDs);
        if (newDatasetName != null) body.put("new_ds_details", Map.of("name", newDatasetName));
        return body;
    }

    /** Collects the column mapping and the options of a {@link BatchCreation}. */
    public static final class Builder {
        private final long sourceId;
        private final List<Map<String, Object>> mapping = new ArrayList<>();
        private boolean validateOnly;
        private boolean deleteSourceDs;
        private String newDatasetName;

        private Builder(long sourceId) {
            this.sourceId = sourceId;
        }

        /**
         * Maps a source column to a destination column by id; do not mix with {@link #mapByName}.
         *
         * @param sourceColumnId      the source dataset's column id ({@code c_id})
         * @param destinationColumnId the destination's column id; each destination column is mapped at most once
         * @param expected            the type the destination column must have; every source value must fit it
         * @return this builder
         */
        public Builder map(String sourceColumnId, String destinationColumnId, ColumnType expected) {
            mapping.add(Map.of("source_c_id", sourceColumnId, "destination_c_id", destinationColumnId,
                    "expected_destination_c_type", expected.name()));
            return this;
        }

        /**
         * Maps a source column to a destination column by name; do not mix with {@link #map}.
         *
         * @param sourceColumnName      the source dataset's column name ({@code c_name})
         * @param destinationColumnName the destination's column name; each destination column is mapped at most once
         * @param expected              the type the destination column must have; every source value must fit it
         * @return this builder
         */
        public Builder mapByName(String sourceColumnName, String destinationColumnName, ColumnType expected) {
            mapping.add(Map.of("source_c_name", sourceColumnName, "destination_c_name", destinationColumnName,
                    "expected_destination_c_type", expected.name()));
            return this;
        }

        /**
         * Only checks the mapping and the source's values; nothing is written and no job starts.
         *
         * @param validateOnly true to check only (the answer then says {@code valid} and {@code rows_checked})
         * @return this builder
         */
        public Builder validateOnly(boolean validateOnly) {
            this.validateOnly = validateOnly;
            return this;
        }

        /**
         * Deletes the source dataset once its rows are copied (refused when source and destination are the same).
         *
         * @param deleteSourceDs true to delete the source
         * @return this builder
         */
        public Builder deleteSourceDs(boolean deleteSourceDs) {
            this.deleteSourceDs = deleteSourceDs;
            return this;
        }

        /**
         * Writes the batch into a new dataset of this name ({@code new_ds_details.name}), made with the
         * destination's columns, instead of into the destination itself.
         *
         * @param name the new dataset's name
         * @return this builder
         */
        public Builder newDatasetName(String name) {
            this.newDatasetName = name;
            return this;
        }

        /**
         * The creation request, ready for {@code batches().create}.
         *
         * @return the request; later changes to this builder do not affect it
         * @throws IllegalArgumentException when no column is mapped
         */
        public BatchCreation build() {
            return new BatchCreation(this);
        }
    }
}
