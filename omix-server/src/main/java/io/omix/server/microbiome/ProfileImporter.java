package io.omix.server.microbiome;

import io.omix.server.Platform;
import io.omix.server.common.auth.Secrets;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.http.ServerJson;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Imports a sample's microbiome profiles. Each import replaces the sample's previous profile of the
 * same kind and catalog in one transaction. Taxon imports also publish the cohort background once enough
 * profiles wait for it (each taxon's figures kept in one row, so that requests never scan the cohort).
 */
public final class ProfileImporter {
    public static final List<String> FUNC_CATALOGS = List.of("go", "ko", "eggnog", "pfam", "kegg-pwy", "kegg-mdl", "level4ec",
            "metacyc-rxn", "metacyc-pwy");
    public static final List<String> GENE_CATALOGS = List.of("IGC_9.9M", "UniRef90_HUMAnN2_0.11");
    static final String TAXON_CATALOG = "-";
    private static final Map<Character, String> RANKS = Map.of('k', "kingdom", 'p', "phylum", 'c', "class", 'o', "order",
            'f', "family", 'g', "genus", 's', "species", 't', "strain");
    private static final int MAX_ROWS = 5_000_000;

    public record Result(String biosampleId, String kind, String catalog, int rows) {}

    private final Platform platform;
    private final Jdbc jdbc;

    public ProfileImporter(Platform platform) {
        this.platform = platform;
        this.jdbc = platform.database().jdbc();
    }

    record Taxon(String id, String name, String rank, String lineage, double abundance) {}

    /** A MetaPhlAn table: {@code clade_name [NCBI_tax_id] relative_abundance ...}, '#' lines ignored. */
    public Result importTaxa(String biosampleId, InputStream in, String software) {
        List<Taxon> taxa = new ArrayList<>();
        forEachLine(in, (n, cols) -> {
            String clade = cols[0].trim();
            if (!clade.contains("__")) return; // UNCLASSIFIED and the like carry no taxon
            if (cols.length < 2) throw new IllegalArgumentException("line " + n + ": a clade without an abundance");
            if (clade.endsWith("|")) throw new IllegalArgumentException("line " + n + ": a clade name ending in '|'");
            boolean withIds = cols.length >= 3 && cols[1].trim().matches("[0-9|]*");
            double value = number(cols[withIds ? 2 : 1], n);
            String last = clade.substring(clade.lastIndexOf('|') + 1);
            String rank = RANKS.getOrDefault(last.charAt(0), "unknown");
            String id = null;
            if (rank.equals("strain") && last.length() > 3) {
                // MetaPhlAn 4 writes a strain (SGB) under its species with the species' taxid path: its own name is its id.
                id = last.substring(3);
            } else if (withIds) {
                String ids = cols[1].trim();
                String lastId = ids.substring(ids.lastIndexOf('|') + 1);
                if (!lastId.isEmpty()) id = lastId;
            }
            if (id == null) id = "T" + HexFormat.of().formatHex(Secrets.sha256(clade.getBytes(StandardCharsets.UTF_8))).substring(0, 12);
            if (clade.length() > 3000 || last.length() > 300) throw new IllegalArgumentException("line " + n + ": clade name too long");
            if (id.length() > 64) throw new IllegalArgumentException("line " + n + ": a taxon id longer than 64 characters");
            taxa.add(new Taxon(id, last, rank, clade, value));
        });
        return jdbc.inTransaction(c -> {
            holdSample(c, biosampleId);
            lockBackground(c);
            Jdbc.update(c, "DELETE FROM taxon_abundance WHERE biosample_id = ?", biosampleId);
            Set<String> known = new java.util.HashSet<>();
            try (PreparedStatement insertTaxon = c.prepareStatement("INSERT INTO taxa (taxon_id, taxon_name, rank, lineage) VALUES (?,?,?,?)");
                 PreparedStatement insertValue = c.prepareStatement(
                         "INSERT INTO taxon_abundance (biosample_id, taxon_id, abundance) VALUES (?,?,?)")) {
                for (Taxon t : taxa) {
                    if (!known.add(t.id())) throw new IllegalArgumentException("taxon " + t.name() + " appears twice");
                    if (Jdbc.query(c, "SELECT 1 FROM taxa WHERE taxon_id = ?", rs -> 1, t.id()).isEmpty()) {
                        Jdbc.bind(insertTaxon, t.id(), t.name(), t.rank(), t.lineage());
                        insertTaxon.executeUpdate();
                    }
                    Jdbc.bind(insertValue, biosampleId, t.id(), t.abundance());
                    insertValue.addBatch();
                }
                insertValue.executeBatch();
            }
            recordProfile(c, biosampleId, "taxon", TAXON_CATALOG, software);
            // The published background keeps counting the sample as it was until enough profiles wait to go in together.
            if (Jdbc.query(c, "SELECT 1 FROM taxon_background_waiting WHERE biosample_id = ?", rs -> 1, biosampleId).isEmpty()) {
                Jdbc.update(c, "INSERT INTO taxon_background_waiting (biosample_id) VALUES (?)", biosampleId);
            }
            publishBackground(c, platform.config().microbiomeBackground().publishEvery());
            return new Result(biosampleId, "taxon", null, taxa.size());
        });
    }

    /**
     * An import holds its sample's row first, in the order an erasure takes them (the sample, then the background's row):
     * an erasure in flight either came first (the sample is gone) or waits and removes what the import wrote. Before, the
     * two took them in opposite orders (a deadlock on PostgreSQL), and on the embedded store an import could write a
     * table of a sample being erased.
     */
    private void holdSample(Connection c, String biosampleId) throws SQLException {
        if (Jdbc.query(c, "SELECT 1 FROM samples WHERE biosample_id = ?" + platform.database().holdRows(), rs -> 1, biosampleId).isEmpty()) {
            throw new io.omix.server.common.http.ApiException(io.omix.server.common.http.ErrorCode.NOT_OWN_SAMPLE);
        }
    }

    /** Taxon imports, publications and erasures take this row, so that (on any server) they change the background one at a time. */
    private static void lockBackground(Connection c) throws SQLException {
        Jdbc.query(c, "SELECT name FROM microbiome_locks WHERE name = 'taxon_background' FOR UPDATE", rs -> 1);
    }

    /**
     * Publishes the background with every waiting profile when at least {@code atLeast} wait: their abundances
     * replace what the background counted of them, and the taxa either version has are computed again. Waiting
     * one by one would let anyone comparing answers around an import read that profile off the mean.
     *
     * @return whether it published
     */
    static boolean publishBackground(Connection c, int atLeast) throws SQLException {
        List<String> waiting = Jdbc.query(c, "SELECT biosample_id FROM taxon_background_waiting ORDER BY biosample_id", rs -> rs.getString(1));
        if (waiting.isEmpty() || waiting.size() < atLeast) return false;
        Set<String> touched = new java.util.TreeSet<>();
        for (String biosampleId : waiting) {
            touched.addAll(countedTaxa(c, biosampleId));
            Jdbc.update(c, "DELETE FROM taxon_background_values WHERE biosample_id = ?", biosampleId);
            Jdbc.update(c, "INSERT INTO taxon_background_values (biosample_id, taxon_id, abundance)"
                    + " SELECT biosample_id, taxon_id, abundance FROM taxon_abundance WHERE biosample_id = ?", biosampleId);
            touched.addAll(countedTaxa(c, biosampleId));
            if (Jdbc.query(c, "SELECT 1 FROM taxon_background_cohort WHERE biosample_id = ?", rs -> 1, biosampleId).isEmpty()) {
                Jdbc.update(c, "INSERT INTO taxon_background_cohort (biosample_id) VALUES (?)", biosampleId);
            }
        }
        Jdbc.update(c, "DELETE FROM taxon_background_waiting");
        for (String taxonId : touched) refreshBackground(c, taxonId);
        countCohort(c);
        return true;
    }

    /** Publishes whatever waits, however little (demo data, which describes nobody). */
    void publishBackgroundNow() {
        jdbc.inTransaction(c -> {
            lockBackground(c);
            return publishBackground(c, 1);
        });
    }

    private static List<String> countedTaxa(Connection c, String biosampleId) throws SQLException {
        return Jdbc.query(c, "SELECT taxon_id FROM taxon_background_values WHERE biosample_id = ?", rs -> rs.getString(1), biosampleId);
    }

    private static void countCohort(Connection c) throws SQLException {
        Jdbc.update(c, "UPDATE microbiome_locks SET cohort = (SELECT COUNT(*) FROM taxon_background_cohort) WHERE name = 'taxon_background'");
    }

    /**
     * Erases a sample's profiles of every kind (in the caller's transaction) and takes what the published background
     * counted of it out, so that nothing derived from its abundances remains; profiles waiting for publication stay
     * out of it.
     */
    public static void eraseSample(Connection c, String biosampleId) throws SQLException {
        // The background's row (one for the whole platform) only for a sample the background counts or waits to count:
        // erasures of other samples need not wait for each other or for an import's publication. Nothing adds this sample
        // meanwhile: only its own imports do, and they hold its row, which the erasure holds.
        boolean inBackground = !Jdbc.query(c, "SELECT 1 FROM taxon_background_cohort WHERE biosample_id = ? UNION ALL"
                + " SELECT 1 FROM taxon_background_values WHERE biosample_id = ? UNION ALL SELECT 1 FROM taxon_background_waiting WHERE biosample_id = ?",
                rs -> 1, biosampleId, biosampleId, biosampleId).isEmpty();
        if (inBackground) lockBackground(c);
        List<String> touched = countedTaxa(c, biosampleId);
        boolean counted = Jdbc.update(c, "DELETE FROM taxon_background_cohort WHERE biosample_id = ?", biosampleId) > 0;
        Jdbc.update(c, "DELETE FROM taxon_background_values WHERE biosample_id = ?", biosampleId);
        Jdbc.update(c, "DELETE FROM taxon_background_waiting WHERE biosample_id = ?", biosampleId);
        Jdbc.update(c, "DELETE FROM taxon_abundance WHERE biosample_id = ?", biosampleId);
        Jdbc.update(c, "DELETE FROM func_abundance WHERE biosample_id = ?", biosampleId);
        Jdbc.update(c, "DELETE FROM gene_abundance WHERE biosample_id = ?", biosampleId);
        Jdbc.update(c, "DELETE FROM microbiome_profiles WHERE biosample_id = ?", biosampleId);
        for (String taxonId : touched) refreshBackground(c, taxonId);
        if (counted) countCohort(c);
    }

    /** Recomputes one taxon's published background from the values it counts (n rows, at publication and erasure only). */
    private static void refreshBackground(Connection c, String taxonId) throws SQLException {
        List<Double> values = Jdbc.query(c, "SELECT abundance FROM taxon_background_values WHERE taxon_id = ? AND abundance > 0 ORDER BY abundance",
                rs -> rs.getDouble(1), taxonId);
        Jdbc.update(c, "DELETE FROM taxon_background WHERE taxon_id = ?", taxonId);
        if (values.isEmpty() && Jdbc.query(c, "SELECT 1 FROM taxon_background_values WHERE taxon_id = ? LIMIT 1", rs -> 1, taxonId).isEmpty()) {
            return; // no counted sample has the taxon (any more): no background either
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        double sum = 0;
        for (double v : sorted) sum += v;
        Jdbc.update(c, "INSERT INTO taxon_background (taxon_id, n_present, abundance_sum, percentiles) VALUES (?,?,?,?)",
                taxonId, sorted.length, sum, Background.encode(Background.percentilesOf(sorted)));
    }

    /** A HUMAnN table of one catalog: {@code id[: name] <tab> abundance}; stratified rows ({@code id|taxon}) are skipped. */
    public Result importFunctions(String biosampleId, String catalog, InputStream in, String software) {
        if (!FUNC_CATALOGS.contains(catalog)) throw new IllegalArgumentException("catalog must be one of " + FUNC_CATALOGS);
        Map<String, Object[]> rows = new LinkedHashMap<>();
        forEachLine(in, (n, cols) -> {
            String first = cols[0].trim();
            if (first.contains("|") || cols.length < 2) return;
            int colon = first.indexOf(": ");
            String id = colon < 0 ? first : first.substring(0, colon);
            String name = colon < 0 ? null : first.substring(colon + 2);
            if (id.isEmpty() || id.length() > 200) throw new IllegalArgumentException("line " + n + ": function id must be 1-200 characters");
            if (rows.put(id, new Object[] {id, name == null ? null : io.omix.server.common.validation.Texts.cut(name, 500), number(cols[1], n)}) != null) {
                throw new IllegalArgumentException("line " + n + ": " + id + " appears twice");
            }
        });
        return replace(biosampleId, "func", catalog, software, "DELETE FROM func_abundance WHERE biosample_id = ? AND catalog = ?",
                "INSERT INTO func_abundance (biosample_id, catalog, func_id, func_name, abundance) VALUES (?,?,?,?,?)", rows.values());
    }

    /**
     * A gene table with a header naming its columns: {@code gene_id} and {@code abundance} are required;
     * {@code gene_name} and any other column (e.g. kegg_annotation, eggnog_annotation, phylum, genus,
     * gene_completeness, gene_length) are kept as the gene's annotation.
     */
    public Result importGenes(String biosampleId, String catalog, InputStream in, String software) {
        if (!GENE_CATALOGS.contains(catalog)) throw new IllegalArgumentException("catalog must be one of " + GENE_CATALOGS);
        Map<String, Object[]> rows = new LinkedHashMap<>();
        String[][] header = new String[1][];
        forEachLine(in, (n, cols) -> {
            if (header[0] == null) {
                header[0] = cols;
                List<String> names = List.of(cols);
                if (!names.contains("gene_id") || !names.contains("abundance")) {
                    throw new IllegalArgumentException("line " + n + ": the header must name gene_id and abundance columns");
                }
                return;
            }
            Map<String, Object> annotation = new LinkedHashMap<>();
            String id = null;
            String name = null;
            Double value = null;
            for (int i = 0; i < header[0].length && i < cols.length; i++) {
                String col = header[0][i].trim();
                String v = cols[i].trim();
                switch (col) {
                    case "gene_id" -> id = v;
                    case "gene_name" -> name = v.isEmpty() ? null : v;
                    case "abundance" -> value = number(v, n);
                    default -> annotation.put(col, v.matches("-?[0-9]+") && v.length() < 18 ? Long.parseLong(v) : v);
                }
            }
            if (id == null || id.isEmpty() || id.length() > 200 || value == null) throw new IllegalArgumentException("line " + n + ": gene_id and abundance are required");
            String json;
            try {
                json = ServerJson.MAPPER.writeValueAsString(annotation);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            if (json.length() > 2000) throw new IllegalArgumentException("line " + n + ": annotation too long");
            if (rows.put(id, new Object[] {id, name == null ? null : io.omix.server.common.validation.Texts.cut(name, 300), json, value}) != null) {
                throw new IllegalArgumentException("line " + n + ": " + id + " appears twice");
            }
        });
        return replace(biosampleId, "gene", catalog, software, "DELETE FROM gene_abundance WHERE biosample_id = ? AND catalog = ?",
                "INSERT INTO gene_abundance (biosample_id, catalog, gene_id, gene_name, annotation, abundance) VALUES (?,?,?,?,?,?)", rows.values());
    }

    private Result replace(String biosampleId, String kind, String catalog, String software, String delete, String insert,
                           java.util.Collection<Object[]> rows) {
        return jdbc.inTransaction(c -> {
            holdSample(c, biosampleId);
            Jdbc.update(c, delete, biosampleId, catalog);
            try (PreparedStatement ps = c.prepareStatement(insert)) {
                int pending = 0;
                for (Object[] row : rows) {
                    Object[] args = new Object[row.length + 2];
                    args[0] = biosampleId;
                    args[1] = catalog;
                    System.arraycopy(row, 0, args, 2, row.length);
                    Jdbc.bind(ps, args);
                    ps.addBatch();
                    if (++pending == 5000) {
                        ps.executeBatch();
                        pending = 0;
                    }
                }
                if (pending > 0) ps.executeBatch();
            }
            recordProfile(c, biosampleId, kind, catalog, software);
            return new Result(biosampleId, kind, catalog, rows.size());
        });
    }

    private void recordProfile(Connection c, String biosampleId, String kind, String catalog, String software) throws SQLException {
        Jdbc.update(c, "DELETE FROM microbiome_profiles WHERE biosample_id = ? AND kind = ? AND catalog = ?", biosampleId, kind, catalog);
        Jdbc.update(c, "INSERT INTO microbiome_profiles (biosample_id, kind, catalog, software, imported_at) VALUES (?,?,?,?,?)",
                biosampleId, kind, catalog, software, platform.now());
        java.util.Map<String, Object> data = new java.util.LinkedHashMap<>();
        data.put("biosample_id", biosampleId);
        data.put("data", "microbiome");
        data.put("kind", kind);
        data.put("catalog", catalog);
        io.omix.server.webhooks.WebhookEvents.publishForSample(c, platform.now(), biosampleId, "microbiome",
                io.omix.server.webhooks.WebhookEvents.SAMPLE_DATA_IMPORTED, data);
    }

    @FunctionalInterface
    private interface LineHandler {
        void handle(int lineNumber, String[] columns);
    }

    /** Tab-separated lines, '#' comments and blank lines skipped; at most {@value #MAX_ROWS} rows. */
    private static void forEachLine(InputStream in, LineHandler handler) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int n = 0;
            int rows = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank() || line.startsWith("#")) continue;
                if (++rows > MAX_ROWS) throw new IllegalArgumentException("more than " + MAX_ROWS + " rows");
                // No control character but the separator: PostgreSQL stores no NUL, and no name or id needs one.
                for (int i = 0; i < line.length(); i++) {
                    char ch = line.charAt(i);
                    if (ch != '\t' && Character.isISOControl(ch)) throw new IllegalArgumentException("line " + n + ": a control character");
                }
                handler.handle(n, line.split("\t", -1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double number(String text, int line) {
        try {
            double v = Double.parseDouble(text.trim());
            if (v < 0 || Double.isNaN(v) || Double.isInfinite(v)) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("line " + line + ": '" + text.trim() + "' is not an abundance (a number >= 0)");
        }
    }
}
