package io.omix.server.variants;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.omix.server.common.http.ServerJson;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** get_variants' calls written field by field are, byte for byte, what the answer's nested maps were. */
class AssayedCallTest {
    /** Source blocks as imports hold them: plain, without a dbSNP build, with a character outside the BMP and a lone surrogate. */
    static final List<VariantStore.SourceBlock> SOURCES = List.of(
            new VariantStore.SourceBlock("GRCh38", 151, "2026-12-04T03:00:00Z", "WGSAI3.0-l"),
            new VariantStore.SourceBlock("GRCh37", null, "2026-12-04T03:00:00Z", null),
            new VariantStore.SourceBlock("GRCh38 \"é\"", 150, "2026-12-04T03:00:00Z", "pipeline \uD83D\uDE00 \uD800 end"));

    @Test
    void everyShapeOfCallIsWrittenAsBefore() throws Exception {
        UUID id = UUID.fromString("6f1c2a9e-0d7b-4c53-9a61-3f0e8b2d4c17");
        List<Call> calls = List.of(
                new Call(100, 1, "1", 1000, "A", "G", "0/1;30;14,16;99;300,0,280", "50.5;2;30", "{\"AF\":[0.2500],\"CAF\":[0.9,1e-3]}", "GENEA", "snp", id),
                new Call(300, 3, "chr1", 3000, "A", "C,G", "1|2;25;0,12,13;80;", ";;", null, null, "snp", id),
                new Call(400, 4, "2", 4000, "T", "C", "./.;;;;", "70;;", "{}", null, "snp", id),
                new Call(500, 5, "2", 5000, "G", "", null, null, null, "BRCA2", "indel", id),
                new Call(700, 7, "X", 7000, "G", "GA", "1;9;;;", "1e3;1;9", null, null, "indel", id));
        for (VariantStore.SourceBlock source : SOURCES) {
            for (Call c : calls) {
                // As the answer is written: to bytes, through Jackson's UTF-8 generator.
                String written = new String(ServerJson.MAPPER.writeValueAsBytes(new VariantStore.AssayedCall(c, source)), StandardCharsets.UTF_8);
                assertEquals(new String(ServerJson.MAPPER.writeValueAsBytes(asMaps(c, asMap(source))), StandardCharsets.UTF_8), written,
                        "rs" + c.rsid() + " " + source);
            }
            // The block alone, as the answers of ids not assayed carry it.
            assertEquals(new String(ServerJson.MAPPER.writeValueAsBytes(asMap(source)), StandardCharsets.UTF_8),
                    new String(ServerJson.MAPPER.writeValueAsBytes(source), StandardCharsets.UTF_8));
        }
    }

    /** The source block as the answer built it before: nested maps. */
    static Map<String, Object> asMap(VariantStore.SourceBlock b) {
        Map<String, Object> tag = new LinkedHashMap<>();
        tag.put("assembly_synonym", b.assembly());
        tag.put("dbSNP_build", b.dbsnpBuild());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tag", tag);
        m.put("update_time", b.updateTime());
        m.put("pipeline_version", b.pipelineVersion());
        return m;
    }

    @Test
    void storedFrequenciesAreWrittenAsTheirTreeWasWhateverTheNumbersForm() throws Exception {
        List<String> numbers = List.of("0", "-0", "0.0", "-0.0", "0.000", "0e5", "1", "-7", "10", "100", "2147483647", "2147483648",
                "-2147483649", "9223372036854775807", "9223372036854775808", "123456789012345678901234567890", "0.5", "0.2500", "-0.2500",
                "1.0", "10.0", "1000.0", "1e3", "1E3", "1e+3", "1.5e-7", "1.50E-7", "-1.5E10", "0.001", "1.0E-5", "3.14159265358979323846",
                "4.9E-324", "1.7976931348623157E308", "1e-400", "12.3400e2", "100e2147483647", "-100e2147483647", "null");
        for (String n : numbers) {
            String stored = "{\"AF\":[" + n + "],\"CAF\":[0.9," + n + ",null]}";
            assertEquals(viaTree(stored), copied(stored), n);
        }
        for (String stored : List.of("{}", "", "  ", "{\"AF\":[1],\"X\":{\"a\":[true,false,\"s\"]}}")) {
            assertEquals(viaTree(stored), copied(stored), "[" + stored + "]");
        }
        assertEquals("{\"frequency\":{}}", copied(null));
        // What the tree refused, the copy refuses too (the answer fails rather than say something else).
        for (String stored : List.of("{\"AF\":[1],\"AF\":[2]}", "{\"AF\":[1]", "{} {}")) {
            assertThrows(Exception.class, () -> viaTree(stored), stored);
            assertThrows(Exception.class, () -> copied(stored), stored);
        }
    }

    /** As the answer wrote a call's frequencies before: parsed to a tree, written as a field. */
    private static String viaTree(String stored) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (com.fasterxml.jackson.core.JsonGenerator g = ServerJson.MAPPER.createGenerator(out)) {
            g.writeStartObject();
            g.writeFieldName("frequency");
            g.writeTree(ServerJson.MAPPER.readTree(stored));
            g.writeEndObject();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String copied(String stored) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (com.fasterxml.jackson.core.JsonGenerator g = ServerJson.MAPPER.createGenerator(out)) {
            g.writeStartObject();
            g.writeFieldName("frequency");
            VariantStore.writeFrequency(g, stored);
            g.writeEndObject();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The answer as it was built before: nested maps, serialized by Jackson. */
    static Map<String, Object> asMaps(Call c, Map<String, Object> source) throws JsonProcessingException {
        String ref = c.ref();
        List<String> alternates = c.alts().isEmpty() ? List.of() : List.of(c.alts().split(","));
        String[] f = Packed.split(c.callData(), 5);
        String[] site = Packed.split(c.siteData(), 3);
        String gt = f[0];
        boolean noCall = gt != null && gt.contains(".");
        Map<String, Object> call = new LinkedHashMap<>();
        call.put("DP", f[1] == null ? null : Integer.valueOf(f[1]));
        call.put("PL", f[4]);
        List<Integer> ad = null;
        if (f[2] != null) {
            ad = new ArrayList<>();
            for (String s : f[2].split(",")) ad.add(Integer.valueOf(s));
        }
        call.put("AD", ad);
        call.put("GQ", f[3] == null ? null : Integer.valueOf(f[3]));
        call.put("GT", gt);
        Map<String, Object> information = new LinkedHashMap<>();
        information.put("frequency", c.frequency() == null ? ServerJson.MAPPER.createObjectNode() : ServerJson.MAPPER.readTree(c.frequency()));
        information.put("AN", site[1] == null ? null : Integer.valueOf(site[1]));
        information.put("site_quality", site[0] == null ? null : Double.valueOf(site[0]));
        information.put("DP", site[2] == null ? null : Integer.valueOf(site[2]));
        Map<String, Object> variant = new LinkedHashMap<>();
        variant.put("call", call);
        variant.put("chromosome", c.chromosome());
        variant.put("information", information);
        variant.put("type", c.type());
        variant.put("genotype", VariantStore.letters(gt, ref, alternates));
        variant.put("reference_base", ref);
        variant.put("position", c.position());
        variant.put("alternate_base", alternates);
        List<Object> genes = new ArrayList<>();
        if (c.gene() != null) {
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("symbol", c.gene());
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
}
