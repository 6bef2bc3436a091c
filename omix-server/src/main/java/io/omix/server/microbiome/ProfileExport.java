package io.omix.server.microbiome;

import com.fasterxml.jackson.databind.JsonNode;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.http.ServerJson;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A sample's microbiome profiles written back in the formats {@link ProfileImporter} reads: taxa as a
 * MetaPhlAn table (clade, NCBI taxid path, relative abundance), functions as a HUMAnN table of one
 * catalog, genes as a table whose header names its columns. For exports (right of access).
 */
public final class ProfileExport {
    /** One imported profile of a sample. */
    public record Profile(String kind, String catalog, String software) {
        /** The catalog as the importer takes it: none for taxa. */
        public String importCatalog() {
            return kind.equals("taxon") ? null : catalog;
        }
    }

    private ProfileExport() {}

    public static List<Profile> profiles(Connection c, String biosampleId) throws SQLException {
        return Jdbc.query(c, "SELECT kind, catalog, software FROM microbiome_profiles WHERE biosample_id = ? ORDER BY kind, catalog",
                rs -> new Profile(rs.getString(1), rs.getString(2), rs.getString(3)), biosampleId);
    }

    /** Writes one profile to {@code out} (not closed); the number of rows written. */
    public static int write(Connection c, String biosampleId, Profile profile, OutputStream out) throws SQLException, IOException {
        Writer w = new java.io.BufferedWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        int rows = switch (profile.kind()) {
            case "taxon" -> taxa(c, biosampleId, w);
            case "func" -> functions(c, biosampleId, profile.catalog(), w);
            case "gene" -> genes(c, biosampleId, profile.catalog(), w);
            default -> throw new IllegalStateException("unknown profile kind " + profile.kind());
        };
        w.flush();
        return rows;
    }

    private static int taxa(Connection c, String biosampleId, Writer w) throws SQLException, IOException {
        record Row(String id, String lineage, double abundance) {}
        List<Row> rows = Jdbc.query(c, "SELECT t.taxon_id, t.lineage, a.abundance FROM taxon_abundance a JOIN taxa t ON t.taxon_id = a.taxon_id"
                + " WHERE a.biosample_id = ? ORDER BY t.lineage", rs -> new Row(rs.getString(1), rs.getString(2), rs.getDouble(3)), biosampleId);
        // MetaPhlAn gives each clade's taxid path; the ids of the ancestors are those of the profile's own rows.
        Map<String, String> idOfLineage = new HashMap<>();
        for (Row r : rows) idOfLineage.put(r.lineage(), r.id());
        w.write("#Omix export\n#clade_name\tNCBI_tax_id\trelative_abundance\n");
        for (Row r : rows) {
            String[] clades = r.lineage().split("\\|");
            StringBuilder path = new StringBuilder();
            StringBuilder prefix = new StringBuilder();
            for (int i = 0; i < clades.length; i++) {
                if (i > 0) {
                    prefix.append('|');
                    path.append('|');
                }
                prefix.append(clades[i]);
                String id = idOfLineage.get(prefix.toString());
                // Ids the importer made up for clades without a taxid (T + hash) are made again from the clade name.
                if (id != null && id.chars().allMatch(Character::isDigit)) path.append(id);
            }
            w.write(r.lineage() + "\t" + path + "\t" + number(r.abundance()) + "\n");
        }
        return rows.size();
    }

    private static int functions(Connection c, String biosampleId, String catalog, Writer w) throws SQLException, IOException {
        w.write("# Gene Family\t" + catalog + "\n");
        int[] rows = {0};
        inPieces(c, "SELECT func_id, func_name, abundance FROM func_abundance", "func_id", biosampleId, catalog, rs -> {
            w.write(rs.getString(1) + (rs.getString(2) == null ? "" : ": " + rs.getString(2)) + "\t" + number(rs.getDouble(3)) + "\n");
            rows[0]++;
        });
        return rows[0];
    }

    /**
     * A gene profile (up to millions of rows) in two passes, a thousand rows a statement: the annotations' names first
     * (the header's columns), then the rows. It was read whole into memory, annotations parsed, before its first line.
     */
    private static int genes(Connection c, String biosampleId, String catalog, Writer w) throws SQLException, IOException {
        Set<String> columns = new LinkedHashSet<>();
        inPieces(c, "SELECT gene_id, annotation FROM gene_abundance", "gene_id", biosampleId, catalog,
                rs -> annotation(rs.getString(2)).fieldNames().forEachRemaining(columns::add));
        List<String> header = new ArrayList<>(List.of("gene_id", "gene_name", "abundance"));
        header.addAll(columns);
        w.write(String.join("\t", header) + "\n");
        int[] rows = {0};
        inPieces(c, "SELECT gene_id, gene_name, annotation, abundance FROM gene_abundance", "gene_id", biosampleId, catalog, rs -> {
            JsonNode annotation = annotation(rs.getString(3));
            String name = rs.getString(2);
            StringBuilder line = new StringBuilder(rs.getString(1)).append('\t').append(name == null ? "" : name).append('\t').append(number(rs.getDouble(4)));
            for (String col : columns) line.append('\t').append(annotation.path(col).asText(""));
            w.write(line.append('\n').toString());
            rows[0]++;
        });
        return rows[0];
    }

    /** Rows a profile's statement reads at a time. */
    private static final int PIECE = 1000;

    /**
     * The rows of one sample's profile in {@code catalog}, {@link #PIECE} a statement, each after the last one read and
     * ordered by the whole key ({@code select}'s first column is {@code idColumn}; {@link Jdbc#inPieces}).
     */
    private static void inPieces(Connection c, String select, String idColumn, String biosampleId, String catalog, Jdbc.PieceRow row)
            throws SQLException, IOException {
        String order = " ORDER BY biosample_id, catalog, " + idColumn + " LIMIT " + PIECE;
        Jdbc.inPieces(c, select + " WHERE biosample_id = ? AND catalog = ?" + order,
                select + " WHERE biosample_id = ? AND catalog = ? AND " + idColumn + " > ?" + order, PIECE,
                new Object[] {biosampleId, catalog}, rs -> new Object[] {rs.getString(1)}, row);
    }

    private static JsonNode annotation(String json) {
        try {
            return json == null ? ServerJson.MAPPER.createObjectNode() : ServerJson.MAPPER.readTree(json);
        } catch (IOException e) {
            return ServerJson.MAPPER.createObjectNode();
        }
    }

    /** The shortest decimal that reads back as the same double, never in exponent form. */
    private static String number(double value) {
        return BigDecimal.valueOf(value).toPlainString();
    }
}
