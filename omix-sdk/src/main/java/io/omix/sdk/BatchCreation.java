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

    public static Builder from(long sourceDatasetId) {
        return new Builder(sourceDatasetId);
    }

    /** The request body of the API. */
    Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("source_id", sourceId);
        body.put("mapping", mapping);
        body.put("validate_only", validateOnly);
        body.put("delete_source_ds", deleteSourceDs);
        if (newDatasetName != null) body.put("new_ds_details", Map.of("name", newDatasetName));
        return body;
    }

    public static final class Builder {
        private final long sourceId;
        private final List<Map<String, Object>> mapping = new ArrayList<>();
        private boolean validateOnly;
        private boolean deleteSourceDs;
        private String newDatasetName;

        private Builder(long sourceId) {
            this.sourceId = sourceId;
        }

        /** Source column id to destination column id, whose type must be {@code expected}. */
        public Builder map(String sourceColumnId, String destinationColumnId, ColumnType expected) {
            mapping.add(Map.of("source_c_id", sourceColumnId, "destination_c_id", destinationColumnId,
                    "expected_destination_c_type", expected.name()));
            return this;
        }

        /** Source column name to destination column name, whose type must be {@code expected}. */
        public Builder mapByName(String sourceColumnName, String destinationColumnName, ColumnType expected) {
            mapping.add(Map.of("source_c_name", sourceColumnName, "destination_c_name", destinationColumnName,
                    "expected_destination_c_type", expected.name()));
            return this;
        }

        /** Only check the mapping and the source's values; nothing is written and no job starts. */
        public Builder validateOnly(boolean validateOnly) {
            this.validateOnly = validateOnly;
            return this;
        }

        /** Delete the source dataset once its rows are copied. */
        public Builder deleteSourceDs(boolean deleteSourceDs) {
            this.deleteSourceDs = deleteSourceDs;
            return this;
        }

        /**
         * Writes the batch into a new dataset of this name ({@code new_ds_details.name}), made with the
         * destination's columns, instead of into the destination itself.
         */
        public Builder newDatasetName(String name) {
            this.newDatasetName = name;
            return this;
        }

        public BatchCreation build() {
            return new BatchCreation(this);
        }
    }
}
