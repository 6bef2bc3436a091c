package io.omix.sdk;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A dataset made from a schema and its rows (the {@code sketch} creation of the dataset batches API);
 * the rows become the dataset's first batch.
 * <pre>{@code DatasetSpec.named("Fruit").column("fruit", "Fruit", ColumnType.TEXT)
 *     .column("price", "Price", ColumnType.NUMERIC).row("apple", 3.5).build()}</pre>
 */
public final class DatasetSpec {
    private final String name;
    private final List<Map<String, Object>> columns;
    private final List<List<Object>> rows;

    private DatasetSpec(Builder b) {
        if (b.columns.isEmpty()) throw new IllegalArgumentException("a dataset needs at least one column");
        this.name = b.name;
        this.columns = List.copyOf(b.columns);
        this.rows = List.copyOf(b.rows);
    }

    /**
     * Starts a dataset of this name.
     *
     * @param name the dataset's name
     * @return a new builder; add at least one column
     */
    public static Builder named(String name) {
        return new Builder(name);
    }

    /**
     * The request body of {@code POST .../datasets}.
     *
     * @return {@code {ds_creation_type: "sketch", dataset_spec: {name, dataschema, data_content}}}
     */
    Map<String, Object> body() {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("name", name);
        spec.put("dataschema", columns);
        spec.put("data_content", rows);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ds_creation_type", "sketch");
        body.put("dataset_spec", spec);
        return body;
    }

    /** Collects the columns and rows of a {@link DatasetSpec}, in order. */
    public static final class Builder {
        private final String name;
        private final List<Map<String, Object>> columns = new ArrayList<>();
        private final List<List<Object>> rows = new ArrayList<>();

        private Builder(String name) {
            this.name = name;
        }

        /**
         * Adds the next column of the schema.
         *
         * @param cId   the column's id ({@code c_id}), what batch mappings and data queries name it by
         * @param cName the column's name ({@code c_name})
         * @param type  what the column holds
         * @return this builder
         */
        public Builder column(String cId, String cName, ColumnType type) {
            columns.add(Map.of("c_id", cId, "c_name", cName, "c_type", type.schemaName()));
            return this;
        }

        /**
         * Adds one row, its cells in column order; numbers and dates may be given as text.
         *
         * @param cells the row's values, one per column
         * @return this builder
         */
        public Builder row(Object... cells) {
            rows.add(Arrays.asList(cells));
            return this;
        }

        /**
         * The dataset, ready for {@code datasets().create}.
         *
         * @return the specification; later changes to this builder do not affect it
         * @throws IllegalArgumentException when no column was added
         */
        public DatasetSpec build() {
            return new DatasetSpec(this);
        }
    }
}
