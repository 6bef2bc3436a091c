package io.omix.server.microbiome;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.javalin.http.HandlerType;
import io.omix.server.Capability;
import io.omix.server.Platform;
import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.auth.Scope;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.db.SqlWhere;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.Envelope;
import io.omix.server.common.http.ErrorCode;
import io.omix.server.common.http.PageToken;
import io.omix.server.common.http.Routes;
import io.omix.server.common.http.ServerJson;
import io.omix.server.common.validation.IntParam;
import io.omix.server.common.validation.Param;
import io.omix.server.common.validation.ParamSpec;
import io.omix.server.common.validation.Params;
import io.omix.server.common.validation.StringListParam;
import io.omix.server.common.validation.StringParam;
import io.omix.server.demo.DemoData;
import io.omix.server.samples.Codes;
import io.omix.server.samples.Sample;
import io.omix.server.samples.SampleAccess;
import io.omix.server.samples.SampleStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Microbiome abundances (the open platform): {@code /microbiome/taxon_abundance} with the cohort background,
 * {@code /microbiome/func_abundance} and {@code /microbiome/gene_abundance}; authorization-code tokens
 * with the microbiome scope, for the caller's samples. Operators import profiles through
 * {@code POST /admin/microbiome/import}.
 */
public final class MicrobiomeCapability implements Capability {
    static final String REFERENCE_COHORT = "Omix reference cohort";
    private static final DateTimeFormatter DATE = DateTimeFormatter.ISO_LOCAL_DATE;

    static final StringParam BIOSAMPLE_ID = Param.string("biosample_id").required().maxLength(64);
    static final StringListParam TAXON_ID = Param.stringList("taxon_id").maxItemLength(64);
    static final StringListParam TAXON_IDS = Param.stringList("taxon_ids").maxItemLength(64).describe("the original platform's SDK name for taxon_id");
    static final IntParam PAGE = Param.integer("page").range(1, 1_000_000).orElse(1);
    static final IntParam TAXON_LIMIT = Param.integer("limit").range(1, 100).orElse(50);
    static final StringParam FUNC_CATALOG = Param.string("catalog").required().oneOf(ProfileImporter.FUNC_CATALOGS.toArray(new String[0]));
    static final StringParam GENE_CATALOG = Param.string("catalog").required().oneOf(ProfileImporter.GENE_CATALOGS.toArray(new String[0]));
    static final StringParam DATA_TYPE = Param.string("data_type").oneOf("list", "file").orElse("list");
    static final StringListParam IDS = Param.stringList("ids").maxItems(1000).maxItemLength(200);
    static final StringParam NEXT_PAGE = Param.string("next_page").maxLength(400);
    static final IntParam LIMIT = Param.integer("limit").range(1, 1000).orElse(50);

    static final ParamSpec TAXON = ParamSpec.of(BIOSAMPLE_ID, TAXON_ID, TAXON_IDS, PAGE, TAXON_LIMIT);
    static final ParamSpec FUNC = ParamSpec.of(BIOSAMPLE_ID, FUNC_CATALOG, IDS, NEXT_PAGE, LIMIT);
    static final ParamSpec GENE = ParamSpec.of(BIOSAMPLE_ID, GENE_CATALOG, DATA_TYPE, IDS, NEXT_PAGE, LIMIT);

    static final StringParam KIND = Param.string("kind").required().oneOf("taxon", "func", "gene");
    static final StringParam ANY_CATALOG = Param.string("catalog").maxLength(32);
    // One line: an export archive writes it back, and its restore takes no control character.
    static final StringParam SOFTWARE = Param.string("software").maxLength(100)
            .pattern(io.omix.server.common.validation.Texts.PRINTABLE_LINE, io.omix.server.common.validation.Texts.PRINTABLE_LINE_RULE);
    static final ParamSpec IMPORT = ParamSpec.of(BIOSAMPLE_ID, KIND, ANY_CATALOG, SOFTWARE);
    private static final ParamSpec SOFTWARE_ALONE = ParamSpec.of(SOFTWARE);

    private final Jdbc jdbc;
    private final SampleAccess access;
    private final SampleStore samples;
    private final ProfileImporter importer;
    private final Platform platform;
    /** The gene tables this server is writing, by object name: requests arriving together wait for one writer. */
    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.locks.ReentrantLock> writingTables =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final io.micrometer.core.instrument.Counter tablesWritten;

    public MicrobiomeCapability(Platform platform) {
        this.platform = platform;
        this.jdbc = platform.database().jdbc();
        this.access = new SampleAccess(jdbc);
        this.samples = new SampleStore(platform);
        this.importer = new ProfileImporter(platform);
        this.tablesWritten = io.micrometer.core.instrument.Counter.builder("omix.microbiome.gene_tables_written")
                .description("gene tables written to the object store as files (data_type=file) on this server").register(platform.metrics());
    }

    @Override
    public void routes(Routes routes) {
        routes.get("/microbiome/taxon_abundance", Access.USER_TOKEN, TAXON, (r, p) -> taxa(r.caller(), p));
        routes.get("/microbiome/func_abundance", Access.USER_TOKEN, FUNC, (r, p) -> functions(r.caller(), p));
        routes.get("/microbiome/gene_abundance", Access.USER_TOKEN, GENE, (r, p) -> genes(r, p));
        routes.upload(HandlerType.POST, "/admin/microbiome/import", Access.OPERATOR, IMPORT, (r, p) -> {
            String id = p.get(BIOSAMPLE_ID);
            if (samples.find(id).isEmpty()) throw new ApiException(ErrorCode.NOT_OWN_SAMPLE);
            try {
                ProfileImporter.Result result = importProfile(id, p.get(KIND), p.get(ANY_CATALOG), r.body(), p.get(SOFTWARE));
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("biosample_id", id);
                out.put("kind", result.kind());
                out.put("catalog", result.catalog());
                out.put("rows", result.rows());
                return out;
            } catch (IllegalArgumentException e) {
                throw ApiException.invalidParam("body", e.getMessage());
            }
        });
    }

    /** One import of any kind (the CLI and the operator API). */
    public ProfileImporter.Result importProfile(String biosampleId, String kind, String catalog, InputStream in, String software) {
        // By the HTTP import's own rule (SOFTWARE), for the command line too.
        if (software != null) {
            try {
                SOFTWARE_ALONE.parse(Map.of("software", List.of(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.textNode(software))));
            } catch (ApiException refused) {
                throw new IllegalArgumentException("invalid " + refused.data());
            }
        }
        return switch (kind) {
            case "taxon" -> importer.importTaxa(biosampleId, in, software);
            case "func" -> importer.importFunctions(biosampleId, require(catalog), in, software);
            case "gene" -> importer.importGenes(biosampleId, require(catalog), in, software);
            default -> throw new IllegalArgumentException("kind must be taxon, func or gene");
        };
    }

    private static String require(String catalog) {
        if (catalog == null) throw new IllegalArgumentException("catalog is required for func and gene profiles");
        return catalog;
    }

    private Sample visibleSample(Caller caller, Params p) {
        caller.requireScope(Scope.MICROBIOME);
        return samples.find(access.requireVisible(caller, p.get(BIOSAMPLE_ID), Scope.MICROBIOME)).orElseThrow();
    }

    private Map<String, Object> sampleInfo(Sample s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("biosample_id", s.biosampleId());
        var time = s.sampleTime() != null ? s.sampleTime() : s.sampleCollectionTime();
        // The day in the platform's zone: times come back from storage as instants (in UTC).
        m.put("sample_time", time == null ? null : DATE.format(time.withOffsetSameInstant(platform.config().defaultZone())));
        m.put("biosample_site", Codes.SITES.get(s.site()));
        return m;
    }

    private static List<String> platformLabels(Sample s) {
        var v = s.groups().get("sequencing").get("platform");
        return v == null || v.isNull() ? List.of() : List.of(v.asText());
    }

    private static Map<String, Object> observation(double value, String software) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("unit", "percent");
        m.put("type", "relative abundance");
        m.put("value", value);
        if (software != null) m.put("software", software);
        return m;
    }

    private Envelope taxa(Caller caller, Params p) {
        Sample s = visibleSample(caller, p);
        List<String> ids = p.get(TAXON_ID) != null ? p.get(TAXON_ID) : p.get(TAXON_IDS);
        int page = p.get(PAGE);
        int limit = p.get(TAXON_LIMIT);
        SqlWhere where = new SqlWhere().and("a.biosample_id = ?", s.biosampleId()).in("a.taxon_id", ids);
        int count = jdbc.queryOne("SELECT COUNT(*) FROM taxon_abundance a" + where.sql(), rs -> rs.getInt(1), where.args()).orElse(0);
        int cohort = jdbc.queryOne("SELECT cohort FROM microbiome_locks WHERE name = 'taxon_background'", rs -> rs.getInt(1)).orElse(0);
        List<Map<String, Object>> rows = jdbc.query("SELECT a.abundance, t.*, b.n_present, b.abundance_sum, b.percentiles "
                        + "FROM taxon_abundance a JOIN taxa t ON t.taxon_id = a.taxon_id LEFT JOIN taxon_background b ON b.taxon_id = a.taxon_id"
                        + where.sql() + " ORDER BY a.abundance DESC, a.taxon_id LIMIT ? OFFSET ?",
                rs -> taxonRow(rs, s, cohort), where.argsWith(limit, (long) (page - 1) * limit));
        Map<String, Object> pagination = new LinkedHashMap<>();
        pagination.put("page", page);
        pagination.put("limit", limit);
        pagination.put("count", count);
        pagination.put("next_page", (long) page * limit < count ? page + 1 : null);
        return Envelope.ok(rows).with("pagination", pagination);
    }

    private Map<String, Object> taxonRow(ResultSet rs, Sample s, int cohort) throws SQLException {
        double value = rs.getDouble("abundance");
        String percentiles = rs.getString("percentiles");
        Background background = new Background(cohort, rs.getInt("n_present"), rs.getDouble("abundance_sum"),
                percentiles == null ? new double[101] : Background.decode(percentiles));
        Map<String, Object> taxonomy = new LinkedHashMap<>();
        taxonomy.put("taxon_name", rs.getString("taxon_name"));
        taxonomy.put("coding", Map.of("system", "https://www.ncbi.nlm.nih.gov/taxonomy"));
        taxonomy.put("taxon_id", rs.getString("taxon_id"));
        taxonomy.put("lineage", rs.getString("lineage"));
        taxonomy.put("rank", rs.getString("rank"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("platform_labels", platformLabels(s));
        m.put("background", background.block(REFERENCE_COHORT, value, platform.config().microbiomeBackground().minCohort()));
        m.put("sample_info", sampleInfo(s));
        m.put("observation", observation(value, null));
        m.put("taxonomy", taxonomy);
        return m;
    }

    private Map<String, Object> functions(Caller caller, Params p) {
        Sample s = visibleSample(caller, p);
        String catalog = p.get(FUNC_CATALOG);
        return keyset(s, p, "func_abundance", "func_id", catalog, rs -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("sample_info", sampleInfo(s));
            m.put("platform_labels", platformLabels(s));
            m.put("data_element_id", UUID.nameUUIDFromBytes((catalog + ":" + rs.getString("func_id")).getBytes(StandardCharsets.UTF_8)).toString());
            Map<String, Object> coding = new LinkedHashMap<>();
            coding.put("system", catalog + "_HUMAnN2_0.11");
            coding.put("id", rs.getString("func_id"));
            coding.put("display", rs.getString("func_name"));
            m.put("coding", coding);
            m.put("observation", observation(rs.getDouble("abundance"), null));
            return m;
        });
    }

    private Map<String, Object> genes(io.omix.server.common.http.ApiRequest r, Params p) {
        Sample s = visibleSample(r.caller(), p);
        String catalog = p.get(GENE_CATALOG);
        if ("file".equals(p.get(DATA_TYPE))) return geneFile(r, s, catalog, p.get(LIMIT));
        if (catalog.startsWith("UniRef90")) {
            // As on the original platform: a UniRef90 table (millions of genes) is offered as a file only.
            throw ApiException.invalidParam("data_type", "the " + catalog + " table is too large to list: ask for data_type=file");
        }
        boolean igc = catalog.startsWith("IGC");
        String software = jdbc.queryOne("SELECT software FROM microbiome_profiles WHERE biosample_id = ? AND kind = 'gene' AND catalog = ?",
                rs -> rs.getString(1), s.biosampleId(), catalog).orElse(null);
        return keyset(s, p, "gene_abundance", "gene_id", catalog, rs -> {
            Map<String, Object> gene = new LinkedHashMap<>();
            gene.put(igc ? "igc_gene_id" : "uniref_gene_id", rs.getString("gene_id"));
            gene.put("coding", Map.of("system", igc ? "http://meta.genomics.cn" : "https://www.uniprot.org/uniref"));
            try {
                gene.put("annotation", ServerJson.MAPPER.readTree(rs.getString("annotation")));
            } catch (JsonProcessingException e) {
                throw new SQLException("corrupt annotation", e);
            }
            gene.put(igc ? "igc_gene_name" : "uniref_gene_name", rs.getString("gene_name"));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("platform_labels", platformLabels(s).isEmpty() ? null : platformLabels(s));
            m.put("sample_info", sampleInfo(s));
            m.put("observation", observation(rs.getDouble("abundance"), software));
            m.put(igc ? "igc_gene" : "uniref_gene", gene);
            return m;
        });
    }

    /**
     * data_type=file: the sample's whole gene table of the catalog as a tab-separated file in the object
     * store (made once per import, then reused), answered with a signed download link valid for an hour.
     */
    private Map<String, Object> geneFile(io.omix.server.common.http.ApiRequest r, Sample s, String catalog, int limit) {
        java.util.Optional<java.time.OffsetDateTime> imported = jdbc.queryOne("SELECT imported_at FROM microbiome_profiles WHERE biosample_id = ?"
                + " AND kind = 'gene' AND catalog = ?", rs -> rs.getObject(1, java.time.OffsetDateTime.class), s.biosampleId(), catalog);
        Map<String, Object> out = new LinkedHashMap<>();
        if (imported.isEmpty()) {
            out.put("result", List.of());
            out.put("count", 0);
            out.put("next_page", null);
            out.put("limit", limit);
            return out;
        }
        String name = io.omix.server.files.ObjectNames.SAMPLE_GENE_TABLES + s.biosampleId() + "/genes-" + catalog + "-" + imported.get().toInstant().toEpochMilli() + ".tsv";
        StoredTable object = storedTable(name).orElseGet(() -> writeGeneTableOnce(s.biosampleId(), catalog, name));
        long expires = platform.now().plusHours(1).toEpochSecond();
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("url", new io.omix.server.files.SignedLinks(platform).url(r, r.baseUrl(platform.config()), name, expires));
        file.put("object_name", name);
        file.put("format", "text/tab-separated-values");
        file.put("columns", List.of("gene_id", "abundance", "gene_name", "annotation"));
        file.put("size", object.size());
        file.put("sha256", object.sha256());
        file.put("expires", String.valueOf(expires));
        out.put("result", List.of(file));
        out.put("count", 1);
        out.put("next_page", null);
        out.put("limit", limit);
        return out;
    }

    private record StoredTable(long size, String sha256) {}

    private boolean namedByARow(String name) {
        try {
            return jdbc.queryOne("SELECT 1 FROM file_objects WHERE object_name = ?", rs -> 1, name).isPresent();
        } catch (RuntimeException databaseAway) {
            return false;
        }
    }

    /** The table when it was written before and its bytes are still there. */
    private java.util.Optional<StoredTable> storedTable(String name) {
        java.util.Optional<StoredTable> row = jdbc.queryOne("SELECT size_bytes, sha256 FROM file_objects WHERE object_name = ?",
                rs -> new StoredTable(rs.getLong(1), rs.getString(2)), name);
        try {
            return row.isPresent() && platform.objects().size(name).isPresent() ? row : java.util.Optional.empty();
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * Writes the table unless a request arriving at the same time on this server just did: a table can hold millions of
     * genes, and each request writing it again read them all and sent the same bytes to the object store once more.
     * Servers side by side may each write it once (the same bytes under the same name, one row).
     */
    private StoredTable writeGeneTableOnce(String biosampleId, String catalog, String name) {
        java.util.concurrent.locks.ReentrantLock lock = writingTables.computeIfAbsent(name, n -> new java.util.concurrent.locks.ReentrantLock());
        lock.lock();
        try {
            return storedTable(name).orElseGet(() -> writeGeneTable(biosampleId, catalog, name));
        } finally {
            writingTables.remove(name, lock);
            lock.unlock();
        }
    }

    private StoredTable writeGeneTable(String biosampleId, String catalog, String name) {
        java.nio.file.Path scratch = null;
        try {
            scratch = java.nio.file.Files.createTempFile("omix-genes-", ".tsv");
            try (java.io.Writer out = java.nio.file.Files.newBufferedWriter(scratch, StandardCharsets.UTF_8)) {
                out.write("gene_id\tabundance\tgene_name\tannotation\n");
                jdbc.withConnection(c -> {
                    try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT gene_id, abundance, gene_name, annotation FROM gene_abundance"
                            + " WHERE biosample_id = ? AND catalog = ? ORDER BY gene_id")) {
                        ps.setFetchSize(10_000);
                        Jdbc.bind(ps, biosampleId, catalog);
                        try (java.sql.ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                out.write(tsv(rs.getString(1)) + "\t" + rs.getDouble(2) + "\t" + tsv(rs.getString(3)) + "\t" + tsv(rs.getString(4)) + "\n");
                            }
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    return null;
                });
            }
            io.omix.server.files.ObjectStore.Stored stored;
            try (InputStream in = java.nio.file.Files.newInputStream(scratch)) {
                stored = platform.objects().put(name, in, Long.MAX_VALUE, null);
            }
            tablesWritten.increment();
            try {
                jdbc.inTransaction(tx -> {
                    // The sample's row held first, as an erasure takes it: an erasure in flight either came first (the sample is
                    // gone: the table is no one's, its bytes go below) or waits and removes the row recorded here with the
                    // sample's other files. Recorded beside it, the table outlived the erasure with every gene of the sample.
                    if (Jdbc.query(tx, "SELECT 1 FROM samples WHERE biosample_id = ?" + platform.database().holdRows(), rs -> 1, biosampleId).isEmpty()) {
                        throw new ApiException(ErrorCode.NOT_OWN_SAMPLE);
                    }
                    // Two requests at once may both write the table: the same bytes under the same name; one row.
                    if (Jdbc.query(tx, "SELECT 1 FROM file_objects WHERE object_name = ?", rs -> 1, name).isEmpty()) {
                        io.omix.server.files.FileStore.recordObject(tx, name, "sample:" + biosampleId, stored, platform.now());
                    }
                    // Tables of earlier imports of this catalog are no one's now: housekeeping removes their bytes.
                    Jdbc.update(tx, "DELETE FROM file_objects WHERE owner = ? AND object_name LIKE ? AND object_name <> ?", "sample:" + biosampleId,
                            io.omix.server.files.ObjectNames.SAMPLE_GENE_TABLES + biosampleId + "/genes-" + catalog.replace("_", "\\_") + "-%", name);
                    return null;
                });
            } catch (RuntimeException notRecorded) {
                // Another server recorded the same table between this one's look and its insert (a server's lock above is its
                // own): the row is there, with these bytes, and that server removed the earlier tables' rows.
                boolean raced = notRecorded instanceof Jdbc.DataAccessException d && d.isIntegrityViolation() && storedTable(name).isPresent();
                if (!raced) {
                    // Not recorded (the sample erased meanwhile, its row's wait given up, the database away): the bytes, every
                    // gene of the sample, go now unless a row names them, rather than wait a day for the sweep of unnamed objects.
                    if (!namedByARow(name)) platform.objects().deleteQuietly(name);
                    throw notRecorded;
                }
            }
            return storedTable(name).orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (scratch != null) {
                try {
                    java.nio.file.Files.deleteIfExists(scratch);
                } catch (IOException ignored) {
                    // a temporary file; the system cleans its directory
                }
            }
        }
    }

    /** A value in a tab-separated line: tabs and line breaks inside it become spaces. */
    private static String tsv(String value) {
        return value == null ? "" : value.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }

    private Map<String, Object> keyset(Sample s, Params p, String table, String idColumn, String catalog, Jdbc.RowMapper<Map<String, Object>> mapper) {
        int limit = p.get(LIMIT);
        SqlWhere base = new SqlWhere().and("biosample_id = ?", s.biosampleId()).and("catalog = ?", catalog).in(idColumn, p.get(IDS));
        int count = jdbc.queryOne("SELECT COUNT(*) FROM " + table + base.sql(), rs -> rs.getInt(1), base.args()).orElse(0);
        // Keyset paging: next_page names the last id of the previous page.
        Optional<String> after = Optional.ofNullable(PageToken.decode(p.get(NEXT_PAGE), 1, parts -> parts[0]));
        after.ifPresent(id -> base.and(idColumn + " > ?", id));
        List<String> lastIds = new ArrayList<>();
        List<Map<String, Object>> rows = jdbc.query("SELECT * FROM " + table + base.sql() + " ORDER BY " + idColumn + " LIMIT ?", rs -> {
            lastIds.add(rs.getString(idColumn));
            return mapper.map(rs);
        }, base.argsWith(limit + 1));
        String next = null;
        if (rows.size() > limit) {
            rows = rows.subList(0, limit);
            next = PageToken.encode(lastIds.get(limit - 1));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("result", rows);
        out.put("count", count);
        out.put("next_page", next);
        out.put("limit", limit);
        return out;
    }

    /** The demo metagenomics sample gets a taxon profile, two functional catalogs and an IGC gene table. */
    @Override
    public void demo(DemoData demo) {
        String sample = demo.credentials().path("samples").path("metagenomics").asText(null);
        if (sample == null) return;
        try (InputStream taxa = resource("demo-taxa.tsv"); InputStream go = resource("demo-go.tsv");
             InputStream ko = resource("demo-ko.tsv"); InputStream genes = resource("demo-igc.tsv")) {
            importer.importTaxa(sample, taxa, "MetaPhlAn 4.0");
            importer.importFunctions(sample, "go", go, "HUMAnN 3.0");
            importer.importFunctions(sample, "ko", ko, "HUMAnN 3.0");
            importer.importGenes(sample, "IGC_9.9M", genes, "IGC_PROFILING(10.1038/nbt.2942/)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        demo.section("microbiome").put("biosample_id", sample);
        demoCohort(demo);
    }

    /**
     * A reference cohort of 30 metagenomics samples with taxon profiles (deterministic pseudo-random
     * abundances of the demo taxa), so that the demo sample's background means something. They belong
     * to the demo partner app's namespace and no user.
     */
    private void demoCohort(DemoData demo) {
        String project = demo.credentials().path("projects").path("metagenomics").asText(null);
        String appKey = demo.credentials().path("private_app").path("app_key").asText(null);
        String namespace = demo.credentials().path("private_app").path("namespace").asText(null);
        if (project == null || appKey == null) return;
        List<String> lines;
        try (InputStream in = resource("demo-taxa.tsv")) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.startsWith("#") && l.contains("|s__") && !l.contains("|t__")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        java.util.Random random = new java.util.Random(2026);
        Caller partner = Caller.privateApp(appKey, namespace);
        for (int i = 1; i <= 30; i++) {
            String id = samples.register(partner, new SampleStore.Registration("COHORT-" + i, 10, project, false, 1, null, Map.of()));
            StringBuilder table = new StringBuilder("#clade_name\tNCBI_tax_id\trelative_abundance\n");
            // Each species varies log-normally around the demo profile; the draws are then scaled back to
            // the demo profile's total, so that a sample's relative abundances stay a share of 100 %.
            List<String[]> present = new ArrayList<>();
            List<Double> values = new ArrayList<>();
            double sourceTotal = 0;
            double drawnTotal = 0;
            for (String line : lines) {
                String[] cols = line.split("\t");
                sourceTotal += Double.parseDouble(cols[2]);
                if (random.nextInt(10) == 0) continue; // about one taxon in ten is absent from a sample
                double value = Double.parseDouble(cols[2]) * Math.exp(random.nextGaussian());
                present.add(cols);
                values.add(value);
                drawnTotal += value;
            }
            // Every clade at every rank, as MetaPhlAn writes it: each ancestor's abundance is the sum of its species', and
            // each species has its strain (SGB) row.
            Map<String, double[]> clades = new java.util.LinkedHashMap<>();
            Map<String, String> taxids = new java.util.HashMap<>();
            for (int k = 0; k < present.size(); k++) {
                String[] cols = present.get(k);
                double value = values.get(k) * sourceTotal / drawnTotal;
                String[] names = cols[0].split("\\|");
                String[] ids = cols[1].split("\\|");
                for (int depth = 1; depth <= names.length; depth++) {
                    String clade = String.join("|", java.util.Arrays.copyOf(names, depth));
                    taxids.putIfAbsent(clade, String.join("|", java.util.Arrays.copyOf(ids, Math.min(depth, ids.length))));
                    clades.computeIfAbsent(clade, c -> new double[1])[0] += value;
                }
                // The demo profile names each species' strain after the species' taxid: the same strain in every sample.
                String strain = cols[0] + "|t__SGB" + ids[ids.length - 1];
                clades.put(strain, new double[] {value});
                taxids.put(strain, cols[1]);
            }
            clades.forEach((clade, value) -> table.append(clade).append('\t').append(taxids.get(clade)).append('\t')
                    .append(String.format(java.util.Locale.ROOT, "%.5f", value[0])).append('\n'));
            importer.importTaxa(id, new java.io.ByteArrayInputStream(table.toString().getBytes(StandardCharsets.UTF_8)), "MetaPhlAn 4.0");
        }
        importer.publishBackgroundNow(); // made-up profiles: nobody to hide among the others
    }

    private static InputStream resource(String name) {
        return MicrobiomeCapability.class.getResourceAsStream(name);
    }
}
