package io.omix.server.variants;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.omix.server.Platform;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.db.SqlWhere;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ErrorCode;
import io.omix.server.common.http.ServerJson;
import io.omix.server.samples.SampleAccess;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a sample's calls by rs id, shaped as the open platform's get_variants. An asked id without a call in
 * the sample's current import is answered as not assayed ({@code is_assayed: false, variant: null}),
 * never dropped, so the answer has an entry for every id asked, in the order asked.
 */
public final class VariantStore {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'");
    private final Jdbc jdbc;

    public VariantStore(Platform platform) {
        this.jdbc = platform.database().jdbc();
    }

    record Source(long id, String assembly, Integer dbsnpBuild, String pipelineVersion, OffsetDateTime importedAt, long count) {}

    private static final String SOURCE_COLUMNS = "vs.source_id, vs.assembly, vs.dbsnp_build, vs.pipeline_version, vs.imported_at, vs.variant_count";

    Optional<Source> currentSource(String biosampleId) {
        return jdbc.queryOne("SELECT " + SOURCE_COLUMNS + " FROM variant_sources vs WHERE vs.biosample_id = ? AND vs.is_current = TRUE",
                VariantStore::source, biosampleId);
    }

    /** A source from {@link #SOURCE_COLUMNS}, or null where they are null (a sample with no import yet). */
    private static Source source(ResultSet rs) throws SQLException {
        long id = rs.getLong(1);
        if (rs.wasNull()) return null;
        return new Source(id, rs.getString(2), (Integer) rs.getObject(3), rs.getString(4), rs.getObject(5, OffsetDateTime.class), rs.getLong(6));
    }

    /**
     * get_variants for {@code caller}: 41303 when it may not see the sample; the sample's visibility and
     * its current import in one query (a light read's time is mostly its queries).
     * @param rsids distinct {@code rs<digits>} ids
     */
    public List<Map<String, Object>> variants(Caller caller, String biosampleId, List<String> rsids) {
        SqlWhere where = SampleAccess.visibleTo(caller, new SqlWhere().and("s.biosample_id = ?", SampleAccess.requireWellFormed(biosampleId)));
        List<Optional<Source>> rows = jdbc.query("SELECT " + SOURCE_COLUMNS + " FROM samples s"
                + " LEFT JOIN variant_sources vs ON vs.biosample_id = s.biosample_id AND vs.is_current = TRUE" + where.sql(),
                rs -> Optional.ofNullable(source(rs)), where.args());
        if (rows.isEmpty()) throw new ApiException(ErrorCode.NOT_OWN_SAMPLE);
        return variants(rows.get(0), rsids);
    }

    private List<Map<String, Object>> variants(Optional<Source> source, List<String> rsids) {
        Map<Long, List<Call>> found = new HashMap<>();
        Map<String, Object> sourceBlock = source.map(VariantStore::sourceBlock).orElse(null);
        if (source.isPresent()) {
            List<Long> numbers = rsids.stream().map(r -> Long.parseLong(r.substring(2))).toList();
            found = jdbc.withConnection(c -> CallStore.byRsids(c, source.get().id(), numbers));
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (String rsid : rsids) {
            List<Call> calls = found.get(Long.parseLong(rsid.substring(2)));
            if (calls == null) {
                out.add(notAssayed(rsid, sourceBlock));
            } else {
                for (Call call : calls) out.add(assayed(call, sourceBlock));
            }
        }
        return out;
    }

    /**
     * A region of a chromosome, 1-based, both ends included; the chromosome matched with and without
     * its {@code chr} prefix (VCFs write either).
     */
    public record Region(String chromosome, long start, long end) {
        /** The chromosome's other spelling: {@code 19} for {@code chr19}, and the other way. */
        String otherSpelling() {
            return chromosome.startsWith("chr") ? chromosome.substring(3) : "chr" + chromosome;
        }
    }

    /** Where a region page stopped: the source it read, the region, and the last call answered. */
    public record RegionCursor(long sourceId, int region, long position, long rsid, int seq) {}

    /** A page of calls and where the next one starts (null at the end). */
    public record RegionPage(List<Map<String, Object>> calls, RegionCursor next) {}

    /**
     * The sample's current calls in {@code regions}, in the regions' order, then by position. With
     * {@code onlyVariantSites}, homozygous reference calls and no-calls are left out. A chromosome is
     * matched with and without its {@code chr} prefix (VCFs write either).
     */
    public RegionPage region(String biosampleId, List<Region> regions, boolean onlyVariantSites, int limit, RegionCursor after) {
        Optional<Source> source = currentSource(biosampleId);
        if (source.isEmpty()) return new RegionPage(List.of(), null);
        long sourceId = source.get().id();
        if (after != null && after.sourceId() != sourceId) {
            throw io.omix.server.common.http.ApiException.invalidParam("next_page", "the sample's calls were imported again since: start from the first page");
        }
        Map<String, Object> sourceBlock = sourceBlock(source.get());
        List<Map<String, Object>> out = new ArrayList<>();
        RegionCursor[] last = {null};
        boolean[] more = {false};
        jdbc.withConnection(c -> {
            for (int index = after != null ? after.region() : 0; index < regions.size() && !more[0]; index++) {
                Region r = regions.get(index);
                int region = index;
                // Calls come in file order, which is by position; those up to and including the last one answered are passed over.
                RegionCursor resume = after != null && after.region() == index ? after : null;
                boolean[] passed = {resume == null};
                long from = resume == null ? r.start() : Math.max(r.start(), resume.position());
                CallStore.scan(c, sourceId, List.of(r.chromosome(), r.otherSpelling()), from, r.end(), call -> {
                    if (!passed[0]) {
                        boolean answeredLast = call.position() == resume.position() && call.seq() == resume.seq() && call.rsid() == resume.rsid();
                        if (answeredLast || call.position() <= resume.position()) {
                            passed[0] = answeredLast;
                            return true;
                        }
                        passed[0] = true;
                    }
                    if (out.size() == limit) {
                        more[0] = true;
                        return false;
                    }
                    // A call left out (not a variant site) still moves the cursor past it.
                    last[0] = new RegionCursor(sourceId, region, call.position(), call.rsid(), call.seq());
                    if (!onlyVariantSites || isVariantSite(call.callData())) out.add(assayed(call, sourceBlock));
                    return true;
                });
            }
            return null;
        });
        return new RegionPage(out, more[0] ? last[0] : null);
    }

    /** A call with an alternate allele: not 0/0 (any phasing or ploidy) and not a no-call. */
    static boolean isVariantSite(String callData) {
        String gt = Packed.split(callData, 5)[0];
        if (gt == null || gt.isEmpty() || gt.contains(".")) return false;
        for (String allele : gt.split("[/|]")) if (!allele.equals("0")) return true;
        return false;
    }

    private static Map<String, Object> sourceBlock(Source s) {
        Map<String, Object> tag = new LinkedHashMap<>();
        tag.put("assembly_synonym", s.assembly());
        tag.put("dbSNP_build", s.dbsnpBuild());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tag", tag);
        m.put("update_time", TIME.format(s.importedAt().withOffsetSameInstant(ZoneOffset.UTC)));
        m.put("pipeline_version", s.pipelineVersion());
        return m;
    }

    private static Map<String, Object> notAssayed(String rsid, Map<String, Object> source) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", source);
        m.put("is_assayed", false);
        m.put("is_genotyped", false);
        m.put("is_no_call", false);
        m.put("genomic_context", Map.of("gene", List.of()));
        m.put("variant", null);
        m.put("batch_no", 0);
        m.put("alternate_id", List.of(rsid));
        m.put("coordinate_system", 0);
        m.put("variant_id", null);
        return m;
    }

    private static Map<String, Object> assayed(Call c, Map<String, Object> source) {
        String ref = c.ref();
        String alts = c.alts();
        List<String> alternates = alts.isEmpty() ? List.of() : List.of(alts.split(","));
        String[] f = Packed.split(c.callData(), 5);   // GT;DP;AD;GQ;PL
        String[] site = Packed.split(c.siteData(), 3); // QUAL;AN;DP
        String gt = f[0];
        boolean noCall = gt != null && gt.contains(".");
        Map<String, Object> call = new LinkedHashMap<>();
        call.put("DP", Packed.integer(f[1]));
        call.put("PL", f[4]);
        call.put("AD", ints(f[2]));
        call.put("GQ", Packed.integer(f[3]));
        call.put("GT", gt);
        Map<String, Object> information = new LinkedHashMap<>();
        information.put("frequency", frequency(c.frequency()));
        information.put("AN", Packed.integer(site[1]));
        information.put("site_quality", Packed.number(site[0]));
        information.put("DP", Packed.integer(site[2]));
        Map<String, Object> variant = new LinkedHashMap<>();
        variant.put("call", call);
        variant.put("chromosome", c.chromosome());
        variant.put("information", information);
        variant.put("type", c.type());
        variant.put("genotype", letters(gt, ref, alternates));
        variant.put("reference_base", ref);
        variant.put("position", c.position());
        variant.put("alternate_base", alternates);
        String gene = c.gene();
        List<Object> genes = new ArrayList<>();
        if (gene != null) {
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("symbol", gene);
            Map<String, Object> version = new LinkedHashMap<>();
            version.put("mRNA_and_protein", List.of());
            version.put("RNA", List.of());
            version.put("Genomic", List.of());
            g.put("version", version);
            g.put("coding", Map.of("system", "https://www.ncbi.nlm.nih.gov"));
            genes.add(g);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", source);
        m.put("is_assayed", true);
        m.put("is_genotyped", gt != null && !noCall);
        m.put("is_no_call", noCall);
        m.put("genomic_context", Map.of("gene", genes));
        m.put("variant", variant);
        m.put("batch_no", 0);
        m.put("alternate_id", List.of("rs" + c.rsid()));
        m.put("coordinate_system", 0);
        m.put("variant_id", c.variantId().toString());
        return m;
    }

    /** "0/1" with C and [A] is "C/A"; no-calls stay "."; phasing keeps "|". */
    static String letters(String gt, String ref, List<String> alts) {
        if (gt == null) return null;
        StringBuilder out = new StringBuilder();
        int start = 0;
        for (int i = 0; i <= gt.length(); i++) {
            if (i == gt.length() || gt.charAt(i) == '/' || gt.charAt(i) == '|') {
                String index = gt.substring(start, i);
                if (index.equals(".")) {
                    out.append('.');
                } else {
                    int n = Integer.parseInt(index);
                    out.append(n == 0 ? ref : n - 1 < alts.size() ? alts.get(n - 1) : "?");
                }
                if (i < gt.length()) out.append(gt.charAt(i));
                start = i + 1;
            }
        }
        return out.toString();
    }

    private static List<Integer> ints(String csv) {
        if (csv == null || csv.isEmpty()) return null;
        List<Integer> out = new ArrayList<>();
        for (String s : csv.split(",")) out.add(Integer.valueOf(s));
        return out;
    }

    private static JsonNode frequency(String json) {
        if (json == null) return ServerJson.MAPPER.createObjectNode();
        try {
            return ServerJson.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt frequency", e);
        }
    }
}
