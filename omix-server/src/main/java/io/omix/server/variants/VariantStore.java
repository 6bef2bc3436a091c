package io.omix.server.variants;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.omix.server.Platform;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.db.SqlWhere;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ErrorCode;
import io.omix.server.common.http.ServerJson;
import io.omix.server.samples.SampleAccess;

import java.io.IOException;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
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

    /** The number of the sample's current import, if it has one. */
    Optional<Long> currentSourceId(String biosampleId) {
        return jdbc.queryOne("SELECT source_id FROM variant_sources WHERE biosample_id = ? AND is_current = TRUE", rs -> rs.getLong(1), biosampleId);
    }

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

    private static final SampleAccess.OneSample SOURCE_AND_DIRECTORY = new SampleAccess.OneSample("SELECT " + SOURCE_COLUMNS
            + ", d.last_rsids FROM samples s LEFT JOIN variant_sources vs ON vs.biosample_id = s.biosample_id AND vs.is_current = TRUE"
            + " LEFT JOIN variant_rsid_directory d ON d.source_id = vs.source_id", "", io.omix.server.common.auth.Scope.VARIANTS);

    /**
     * get_variants for {@code caller}: 41303 when it may not see the sample. The sample's visibility, its
     * current import and that import's rs id directory in one query, then the index rows and the blocks,
     * all on one connection (a light read's time is mostly its queries).
     * @param rsids distinct {@code rs<digits>} ids
     */
    public List<Object> variants(Caller caller, String biosampleId, List<String> rsids) {
        Object[] args = SOURCE_AND_DIRECTORY.args(caller, biosampleId);
        return jdbc.withConnection(c -> {
            record Found(Optional<Source> source, byte[] directory) {}
            List<Found> rows = Jdbc.query(c, SOURCE_AND_DIRECTORY.sql(caller),
                    rs -> new Found(Optional.ofNullable(source(rs)), Jdbc.readOnlyBytes(rs, 7)), args);
            if (rows.isEmpty()) throw new ApiException(ErrorCode.NOT_OWN_SAMPLE);
            Optional<Source> source = rows.get(0).source();
            SourceBlock sourceBlock = source.map(VariantStore::sourceBlock).orElse(null);
            List<Long> numbers = rsids.stream().map(r -> Long.parseLong(r.substring(2))).toList();
            Map<Long, List<Call>> found = source.isEmpty() || rows.get(0).directory() == null ? Map.of()
                    : CallStore.byRsids(c, source.get().id(), rows.get(0).directory(), numbers);
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < rsids.size(); i++) {
                List<Call> calls = found.get(numbers.get(i));
                if (calls == null) {
                    out.add(notAssayed(rsids.get(i), sourceBlock));
                } else {
                    for (Call call : calls) out.add(assayed(call, sourceBlock));
                }
            }
            return out;
        });
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
    public record RegionPage(List<Object> calls, RegionCursor next) {}

    /**
     * The sample's current calls in {@code regions}, in the regions' order, then by position. With
     * {@code onlyVariantSites}, homozygous reference calls and no-calls are left out. A chromosome is
     * matched with and without its {@code chr} prefix (VCFs write either).
     */
    public RegionPage region(String biosampleId, List<Region> regions, boolean onlyVariantSites, int limit, RegionCursor after) {
        return region(biosampleId, regions, onlyVariantSites, limit, after, MAX_CALLS_READ_PER_PAGE);
    }

    /**
     * At most this many calls are read for one page: with only variant sites asked for, a page over calls that
     * are not (a thousand regions of whole chromosomes of 0/0) would otherwise read them all, again for each
     * region. A page that stops there is shorter than its limit and says where the next one starts.
     */
    static final int MAX_CALLS_READ_PER_PAGE = 50_000;

    /** {@link #region(String, List, boolean, int, RegionCursor)} reading at most {@code budget} calls (tests lower it). */
    RegionPage region(String biosampleId, List<Region> regions, boolean onlyVariantSites, int limit, RegionCursor after, int budget) {
        Optional<Source> source = currentSource(biosampleId);
        if (source.isEmpty()) return new RegionPage(List.of(), null);
        long sourceId = source.get().id();
        if (after != null && after.sourceId() != sourceId) {
            throw ApiException.invalidParam("next_page", "the sample's calls were imported again since: start from the first page");
        }
        SourceBlock sourceBlock = sourceBlock(source.get());
        List<Object> out = new ArrayList<>();
        RegionCursor[] last = {null};
        boolean[] more = {false};
        int[] read = {0};
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
                    if (out.size() == limit || (read[0] >= budget && last[0] != null)) {
                        more[0] = true;
                        return false;
                    }
                    read[0]++;
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

    private static SourceBlock sourceBlock(Source s) {
        return new SourceBlock(s.assembly(), s.dbsnpBuild(), TIME.format(s.importedAt().withOffsetSameInstant(ZoneOffset.UTC)), s.pipelineVersion());
    }

    /**
     * The import's block, which every call of an answer repeats: made once per answer and written field
     * by field (as a map, Jackson looked up a serializer for each of its values in every call).
     */
    @JsonSerialize(using = SourceBlock.Writer.class)
    record SourceBlock(String assembly, Integer dbsnpBuild, String updateTime, String pipelineVersion) {
        static final class Writer extends StdSerializer<SourceBlock> {
            Writer() {
                super(SourceBlock.class);
            }

            @Override
            public void serialize(SourceBlock b, JsonGenerator g, SerializerProvider provider) throws IOException {
                write(b, g);
            }

            static void write(SourceBlock b, JsonGenerator g) throws IOException {
                g.writeStartObject();
                g.writeObjectFieldStart("tag");
                g.writeStringField("assembly_synonym", b.assembly());
                g.writeFieldName("dbSNP_build");
                if (b.dbsnpBuild() == null) g.writeNull();
                else g.writeNumber(b.dbsnpBuild());
                g.writeEndObject();
                g.writeStringField("update_time", b.updateTime());
                g.writeStringField("pipeline_version", b.pipelineVersion());
                g.writeEndObject();
            }
        }
    }

    private static Map<String, Object> notAssayed(String rsid, SourceBlock source) {
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

    private static Object assayed(Call c, SourceBlock source) {
        return new AssayedCall(c, source);
    }

    /**
     * A call as get_variants answers it, written field by field: building the answer as nested maps and
     * having Jackson find a serializer for each value took as long as finding the call.
     */
    @JsonSerialize(using = AssayedCall.Writer.class)
    record AssayedCall(Call call, SourceBlock source) {
        static final class Writer extends StdSerializer<AssayedCall> {
            Writer() {
                super(AssayedCall.class);
            }

            @Override
            public void serialize(AssayedCall a, JsonGenerator g, SerializerProvider provider) throws IOException {
                Call c = a.call();
                String ref = c.ref();
                List<String> alternates = c.alts().isEmpty() ? List.of() : List.of(c.alts().split(","));
                String[] f = Packed.split(c.callData(), 5);   // GT;DP;AD;GQ;PL
                String[] site = Packed.split(c.siteData(), 3); // QUAL;AN;DP
                String gt = f[0];
                boolean noCall = gt != null && gt.contains(".");
                g.writeStartObject();
                g.writeFieldName("source");
                if (a.source() == null) g.writeNull();
                else SourceBlock.Writer.write(a.source(), g);
                g.writeBooleanField("is_assayed", true);
                g.writeBooleanField("is_genotyped", gt != null && !noCall);
                g.writeBooleanField("is_no_call", noCall);
                g.writeObjectFieldStart("genomic_context");
                g.writeArrayFieldStart("gene");
                if (c.gene() != null) {
                    g.writeStartObject();
                    g.writeStringField("symbol", c.gene());
                    g.writeObjectFieldStart("version");
                    for (String kind : List.of("mRNA_and_protein", "RNA", "Genomic")) {
                        g.writeArrayFieldStart(kind);
                        g.writeEndArray();
                    }
                    g.writeEndObject();
                    g.writeObjectFieldStart("coding");
                    g.writeStringField("system", "https://www.ncbi.nlm.nih.gov");
                    g.writeEndObject();
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
                g.writeObjectFieldStart("variant");
                g.writeObjectFieldStart("call");
                integerField(g, "DP", f[1]);
                g.writeStringField("PL", f[4]);
                g.writeFieldName("AD");
                if (f[2] == null || f[2].isEmpty()) {
                    g.writeNull();
                } else {
                    g.writeStartArray();
                    for (String n : f[2].split(",")) g.writeNumber(Integer.parseInt(n));
                    g.writeEndArray();
                }
                integerField(g, "GQ", f[3]);
                g.writeStringField("GT", gt);
                g.writeEndObject();
                g.writeStringField("chromosome", c.chromosome());
                g.writeObjectFieldStart("information");
                g.writeFieldName("frequency");
                writeFrequency(g, c.frequency());
                integerField(g, "AN", site[1]);
                g.writeFieldName("site_quality");
                if (site[0] == null) g.writeNull();
                else g.writeNumber(Double.parseDouble(site[0]));
                integerField(g, "DP", site[2]);
                g.writeEndObject();
                g.writeStringField("type", c.type());
                g.writeStringField("genotype", letters(gt, ref, alternates));
                g.writeStringField("reference_base", ref);
                g.writeNumberField("position", c.position());
                g.writeArrayFieldStart("alternate_base");
                for (String alt : alternates) g.writeString(alt);
                g.writeEndArray();
                g.writeEndObject();
                g.writeNumberField("batch_no", 0);
                g.writeArrayFieldStart("alternate_id");
                g.writeString("rs" + c.rsid());
                g.writeEndArray();
                g.writeNumberField("coordinate_system", 0);
                g.writeStringField("variant_id", c.variantId().toString());
                g.writeEndObject();
            }

            private static void integerField(JsonGenerator g, String name, String value) throws IOException {
                g.writeFieldName(name);
                if (value == null) g.writeNull();
                else g.writeNumber(Integer.parseInt(value));
            }
        }
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

    /**
     * Writes the stored frequencies ({@code {"CAF":[0.37,0.63]}}, or null for {}) as the answer always
     * wrote them, token by token: through a tree they were about a quarter of what the server allocated
     * for get_variants (JFR, 100 ids a call). A fraction is written as the tree wrote it, a decimal
     * without trailing zeros ({@code 0.2500} as {@code 0.25}, {@code 1000.0} as {@code 1E+3});
     * {@code AssayedCallTest} holds the two ways equal.
     */
    static void writeFrequency(JsonGenerator g, String json) throws IOException {
        if (json == null) {
            g.writeStartObject();
            g.writeEndObject();
            return;
        }
        try (JsonParser p = ServerJson.MAPPER.getFactory().createParser(json)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                g.writeNull(); // nothing stored but blanks: the tree was missing, written as null
                return;
            }
            for (JsonToken t = first; t != null; t = p.nextToken()) {
                switch (t) {
                    case START_OBJECT -> g.writeStartObject();
                    case END_OBJECT -> g.writeEndObject();
                    case START_ARRAY -> g.writeStartArray();
                    case END_ARRAY -> g.writeEndArray();
                    case FIELD_NAME -> g.writeFieldName(p.currentName());
                    case VALUE_NULL -> g.writeNull();
                    case VALUE_TRUE, VALUE_FALSE -> g.writeBoolean(t == JsonToken.VALUE_TRUE);
                    case VALUE_STRING -> g.writeString(p.getText());
                    case VALUE_NUMBER_INT -> {
                        switch (p.getNumberType()) {
                            case INT -> g.writeNumber(p.getIntValue());
                            case LONG -> g.writeNumber(p.getLongValue());
                            default -> g.writeNumber(p.getBigIntegerValue());
                        }
                    }
                    case VALUE_NUMBER_FLOAT -> g.writeNumber(withoutTrailingZeros(p.getDecimalValue()));
                    default -> throw new IllegalStateException("corrupt frequency: " + t);
                }
            }
        } catch (JsonProcessingException | NumberFormatException e) {
            throw new IllegalStateException("corrupt frequency", e);
        }
    }

    /** As Jackson's trees keep a decimal: without trailing zeros (zero as 0), or as it is where stripping them would overflow its scale. */
    private static BigDecimal withoutTrailingZeros(BigDecimal d) {
        try {
            return d.stripTrailingZeros();
        } catch (ArithmeticException scaleOverflow) {
            return d;
        }
    }
}
