package io.omix.server.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import io.omix.server.Platform;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.http.HttpProblem;
import io.omix.server.common.io.Spool;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * New datasets: from a schema and rows ({@code sketch}) or from a CSV upload (header row, column
 * types inferred from the values). Either way the rows become the dataset's first batch, and
 * nothing is visible unless everything was written.
 */
final class DatasetCreation {
    static final int MAX_COLUMNS = 500;
    static final int MAX_CELL_CHARS = 65_536;
    static final long MAX_UPLOAD_BYTES = 1L << 30;
    /** A dataset's display properties are settings for a viewer, stored beside the dataset and sent with every listing of it. */
    static final int MAX_DISPLAY_CHARS = 65_536;
    private static final Pattern COLUMN_ID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}");
    static final Set<String> TYPES = Set.of("text", "numeric", "date");

    private final Platform platform;
    private final Jdbc jdbc;

    DatasetCreation(Platform platform) {
        this.platform = platform;
        this.jdbc = platform.database().jdbc();
    }

    /** {@code CreateSketchDataset}: name, dataschema, optional display_properties and data_content. */
    long sketch(long projectId, JsonNode spec, String createdBy) {
        if (!spec.isObject()) throw QuerySyntax.bad("dataset_spec", "must be an object {name, dataschema, data_content}");
        String name = name("dataset_spec.name", spec.path("name").asText(""));
        JsonNode schema = spec.path("dataschema");
        if (!schema.isArray() || schema.isEmpty() || schema.size() > MAX_COLUMNS) {
            throw QuerySyntax.bad("dataset_spec.dataschema", "must be a list of 1 to " + MAX_COLUMNS + " columns {c_id, c_name, c_type}");
        }
        List<DatasetStore.Column> columns = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < schema.size(); i++) {
            JsonNode c = schema.get(i);
            String at = "dataset_spec.dataschema[" + i + "]";
            String id = c.path("c_id").asText("");
            String cName = c.path("c_name").asText("");
            String type = c.path("c_type").asText("").toLowerCase(Locale.ROOT);
            if (!COLUMN_ID.matcher(id).matches()) throw QuerySyntax.bad(at + ".c_id", "must be 1 to 100 letters, digits, '_', '.' or '-'");
            if (cName.isBlank() || cName.length() > 200) throw QuerySyntax.bad(at + ".c_name", "must be 1 to 200 characters");
            if (hasControl(cName)) throw QuerySyntax.bad(at + ".c_name", "must hold no control characters");
            if (!TYPES.contains(type)) throw QuerySyntax.bad(at + ".c_type", "must be text, numeric or date");
            if (!ids.add(id)) throw QuerySyntax.bad(at + ".c_id", "'" + id + "' is given twice");
            if (!names.add(cName)) throw QuerySyntax.bad(at + ".c_name", "'" + cName + "' is given twice");
            columns.add(new DatasetStore.Column(id, cName, type));
        }
        JsonNode content = spec.path("data_content");
        if (!content.isMissingNode() && !content.isNull() && !content.isArray()) {
            throw QuerySyntax.bad("dataset_spec.data_content", "must be a list of rows, each a list of strings");
        }
        List<List<String>> rows = new ArrayList<>();
        for (int r = 0; r < content.size(); r++) {
            JsonNode row = content.get(r);
            String at = "dataset_spec.data_content[" + r + "]";
            if (!row.isArray() || row.size() != columns.size()) {
                throw QuerySyntax.bad(at, "must be a list of " + columns.size() + " values, one per column");
            }
            List<String> cells = new ArrayList<>(row.size());
            for (int c = 0; c < row.size(); c++) {
                JsonNode cell = row.get(c);
                String value = cell.isNull() ? null : cell.isValueNode() ? cell.asText() : null;
                if (!cell.isNull() && !cell.isValueNode()) throw QuerySyntax.bad(at + "[" + c + "]", "must be a string, a number or null");
                if (!conforms(value, columns.get(c).cType())) {
                    throw QuerySyntax.bad(at + "[" + c + "]", "'" + value + "' is not " + columns.get(c).cType() + " (column " + columns.get(c).cId() + ")");
                }
                cells.add(value);
            }
            rows.add(cells);
        }
        JsonNode display = spec.path("display_properties");
        if (display.isObject() && display.toString().length() > MAX_DISPLAY_CHARS) {
            throw QuerySyntax.bad("dataset_spec.display_properties", "is at most " + MAX_DISPLAY_CHARS + " characters as JSON");
        }
        return jdbc.inTransaction(tx -> {
            OffsetDateTime now = platform.now();
            long id = DatasetStore.insertDataset(tx, projectId, name, "sketch", JsonNodeFactory.instance.objectNode(),
                    display.isObject() ? display : null, createdBy, now, platform.config().quotas());
            DatasetStore.insertColumns(tx, id, columns);
            try (DatasetStore.BatchWriter batch = new DatasetStore.BatchWriter(tx, id, batchName("", name, " batch 1"),
                    JsonNodeFactory.instance.objectNode(), JsonNodeFactory.instance.objectNode().put("type", "sketch"), columns.size(), now,
                    platform.config().quotas())) {
                for (List<String> row : rows) batch.add(row);
            }
            return id;
        });
    }

    /**
     * A CSV file: a header row naming the columns, then rows. The body is taken whole into a spool first (a
     * partner sending slowly holds no connection), then parsed cell by cell into one transaction: a row is
     * refused at its first cell beyond the header's width, a cell beyond {@link #MAX_CELL_CHARS} as it is read.
     */
    long csv(long projectId, String name, InputStream body, String createdBy, java.util.function.Supplier<io.omix.server.common.http.CallerTurns.Turn> turn) {
        String dsName = name("name", name);
        try (Spool spool = Spool.of(body, MAX_UPLOAD_BYTES, "dataset-key:" + createdBy);
             InputStream in = spool.input();
             CsvParser parser = CSV.createParser(in)) {
            List<String> header = nextRow(parser, MAX_COLUMNS, 1);
            if (header == null) throw QuerySyntax.bad("body", "the CSV file is empty: a header row is needed");
            if (header.isEmpty()) throw QuerySyntax.bad("body", "the header row must name 1 to " + MAX_COLUMNS + " columns");
            for (String h : header) {
                if (h.trim().length() > 200) throw QuerySyntax.bad("body", "a column name in the header row is longer than 200 characters");
                if (hasControl(h)) throw QuerySyntax.bad("body", "a column name in the header row holds a control character");
            }
            List<String> ids = columnIds(header);
            List<String> names = columnNames(header);
            boolean[] numeric = new boolean[header.size()];
            boolean[] date = new boolean[header.size()];
            java.util.Arrays.fill(numeric, true);
            java.util.Arrays.fill(date, true);
            // The caller's turn for the transaction only: a partner sending slowly holds none, as it holds no connection.
            try (io.omix.server.common.http.CallerTurns.Turn storing = turn.get()) {
                return jdbc.inTransaction(tx -> {
                    OffsetDateTime now = platform.now();
                    var source = JsonNodeFactory.instance.objectNode().put("file_name", dsName + ".csv");
                    long id = DatasetStore.insertDataset(tx, projectId, dsName, "file", source, null, createdBy, now, platform.config().quotas());
                    long rowNumber = 1;
                    try (DatasetStore.BatchWriter batch = new DatasetStore.BatchWriter(tx, id, batchName("", dsName, " batch 1"), source,
                            JsonNodeFactory.instance.objectNode().put("type", "file").put("file_name", dsName + ".csv"), header.size(), now,
                            platform.config().quotas())) {
                        List<String> row;
                        while ((row = nextRow(parser, header.size(), ++rowNumber)) != null) {
                            if (row.size() == 1 && row.get(0).isEmpty()) continue; // a blank line
                            if (row.size() != header.size()) {
                                throw QuerySyntax.bad("body", "line " + rowNumber + " has " + row.size() + " values; the header has " + header.size());
                            }
                            List<String> cells = new ArrayList<>(row.size());
                            for (int c = 0; c < row.size(); c++) {
                                String v = row.get(c);
                                String value = v.isEmpty() ? null : v;
                                // Only while the column may still be one (a parse that fails throws, and text columns are most).
                                if (numeric[c]) numeric[c] = conforms(value, "numeric");
                                if (date[c]) date[c] = conforms(value, "date");
                                cells.add(value);
                            }
                            batch.add(cells);
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    List<DatasetStore.Column> columns = new ArrayList<>();
                    for (int c = 0; c < header.size(); c++) {
                        columns.add(new DatasetStore.Column(ids.get(c), names.get(c), numeric[c] ? "numeric" : date[c] ? "date" : "text"));
                    }
                    DatasetStore.insertColumns(tx, id, columns);
                    return id;
                });
            }
        } catch (Spool.Busy busy) {
            throw new HttpProblem(503, busy.getMessage(), Map.of("retry_after_seconds", 5));
        } catch (Spool.TooLarge tooLarge) {
            throw new HttpProblem(413, "body: the CSV file is " + tooLarge.getMessage() + " (at most " + MAX_UPLOAD_BYTES + " bytes)",
                    Map.of("parameter", "body"));
        } catch (IOException | UncheckedIOException e) {
            throw new HttpProblem(400, "body: not a readable CSV file" + reason(e), Map.of("parameter", "body"));
        } catch (RuntimeException e) {
            if (e.getCause() instanceof IOException io) {
                throw new HttpProblem(400, "body: not a readable CSV file" + reason(io), Map.of("parameter", "body"));
            }
            throw e;
        }
    }

    /** Cells longer than a dataset keeps are refused by the parser as it reads them, before they take memory. */
    private static final CsvFactory CSV = CsvFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(MAX_CELL_CHARS).build()).build();

    /**
     * The next row's cells, refused at the first beyond {@code maxCells}; null at the end of the file.
     *
     * @param line the row's line number, for the message
     */
    private static List<String> nextRow(CsvParser parser, int maxCells, long line) throws IOException {
        JsonToken t;
        try {
            t = parser.nextToken();
            if (t == null) return null;
            if (t != JsonToken.START_ARRAY) throw new IOException("line " + line + " is not a row");
            List<String> cells = new ArrayList<>();
            while ((t = parser.nextToken()) == JsonToken.VALUE_STRING) {
                if (cells.size() == maxCells) {
                    throw QuerySyntax.bad("body", line == 1 ? "the header row must name 1 to " + MAX_COLUMNS + " columns"
                            : "line " + line + " has more values than the header's " + maxCells);
                }
                String cell = parser.getText();
                // The CSV decoder lets the bytes of half a surrogate pair through: text no UTF-8 stores (PostgreSQL would
                // keep a '?', the embedded store the character), refused as the JSON of the API is.
                if (io.omix.server.common.http.ServerJson.hasLoneSurrogate(cell)) {
                    throw QuerySyntax.bad("body", "line " + line + ": a value holds half of a surrogate pair (not UTF-8)");
                }
                cells.add(cell);
            }
            return cells;
        } catch (StreamConstraintsException e) {
            throw QuerySyntax.bad("body", "line " + line + ": a value is longer than " + MAX_CELL_CHARS);
        }
    }

    /** A batch's name from its dataset's: the column holds 200 characters, the dataset's name may have as many. */
    static String batchName(String prefix, String datasetName, String suffix) {
        int room = 200 - prefix.length() - suffix.length();
        return prefix + io.omix.server.common.validation.Texts.cut(datasetName, room) + suffix;
    }

    /** What was wrong, for the client: the parser's own words and where, never the classes it names. */
    private static String reason(Exception e) {
        Throwable t = e instanceof UncheckedIOException u ? u.getCause() : e;
        if (t instanceof com.fasterxml.jackson.core.JsonProcessingException j) {
            String where = j.getLocation() == null ? "" : " (line " + j.getLocation().getLineNr() + ")";
            String original = String.valueOf(j.getOriginalMessage());
            return original.contains("$") || original.contains("java.") ? where : ": " + original + where;
        }
        String m = String.valueOf(t.getMessage());
        return m.startsWith("larger than") ? ": " + m : "";
    }

    /** Column ids from header names: lower-case letters, digits and '_', unique. */
    static List<String> columnIds(List<String> header) {
        List<String> ids = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String h : header) {
            String base = h.trim().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]+", "_").replaceAll("^_+|_+$", "");
            if (base.isEmpty()) base = "column";
            if (base.length() > 90) base = base.substring(0, 90);
            String id = base;
            for (int n = 2; !seen.add(id); n++) id = base + "_" + n;
            ids.add(id);
        }
        return ids;
    }

    /**
     * The columns' names as the header gives them, each once, as a sketch's are (a column is chosen and mapped by its
     * name): a blank one is named by its place ({@code column 1}: pandas writes its index's header empty), a repeated one
     * gets its count ({@code price (2)}).
     */
    static List<String> columnNames(List<String> header) {
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int c = 0; c < header.size(); c++) {
            String base = header.get(c).trim();
            if (base.isEmpty()) base = "column " + (c + 1);
            String name = base;
            for (int n = 2; !seen.add(name); n++) {
                // Within the 200 characters a column's name holds, its count included (a repeated name of 200 overflowed).
                String count = " (" + n + ")";
                name = io.omix.server.common.validation.Texts.cut(base, 200 - count.length()) + count;
            }
            names.add(name);
        }
        return names;
    }

    /** A dataset's name as given (creation, copy, rename): 1 to 200 characters once stripped, no control characters. */
    static String name(String parameter, String name) {
        String n = name == null ? "" : name.strip();
        if (n.isEmpty() || n.length() > 200 || hasControl(n)) {
            throw QuerySyntax.bad(parameter, "must be 1 to 200 characters, no control characters");
        }
        return n;
    }

    /** A name with a control character (U+0000 among them) would be stored on one database and refused by the other. */
    private static boolean hasControl(String name) {
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) return true;
        }
        return false;
    }

    /** Most digits before and after the point of a numeric value: within what both databases' NUMERIC holds. */
    static final int MAX_NUMERIC_DIGITS = 1000;

    /**
     * Whether {@code text} may be a number at all, before it is parsed: only a number's characters, and no longer than the
     * most digits allowed on both sides of the point and an exponent (a parse of 65,536 digits takes milliseconds).
     */
    private static boolean numberShaped(String text) {
        if (text.isEmpty() || text.length() > 2 * MAX_NUMERIC_DIGITS + 16) return false;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if ((ch < '0' || ch > '9') && ch != '.' && ch != '-' && ch != '+' && ch != 'e' && ch != 'E') return false;
        }
        return true;
    }

    /** Whether a value fits a column type; empty values fit every type. */
    static boolean conforms(String value, String type) {
        if (value == null || value.isBlank()) return true;
        switch (type) {
            case "numeric":
                if (!numberShaped(value.trim())) return false;
                try {
                    BigDecimal n = new BigDecimal(value.trim());
                    return n.precision() - n.scale() <= MAX_NUMERIC_DIGITS && n.scale() <= MAX_NUMERIC_DIGITS;
                } catch (NumberFormatException | ArithmeticException e) {
                    return false;
                }
            case "date":
                try {
                    QuerySyntax.instant("value", value.trim());
                    return true;
                } catch (HttpProblem e) {
                    return false;
                }
            default:
                return true;
        }
    }
}
