package io.omix.server.variants;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.omix.server.common.http.ServerJson;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** get_variants' calls written field by field are, byte for byte, what the answer's nested maps were. */
class AssayedCallTest {
    static final Map<String, Object> SOURCE = new LinkedHashMap<>(Map.of("pipeline_version", "WGSAI3.0-l"));
    static {
        SOURCE.put("tag", new LinkedHashMap<>(Map.of("assembly_synonym", "GRCh38")));
        SOURCE.put("dbSNP_build", null);
    }

    @Test
    void everyShapeOfCallIsWrittenAsBefore() throws Exception {
        UUID id = UUID.fromString("6f1c2a9e-0d7b-4c53-9a61-3f0e8b2d4c17");
        List<Call> calls = List.of(
                new Call(100, 1, "1", 1000, "A", "G", "0/1;30;14,16;99;300,0,280", "50.5;2;30", "{\"AF\":[0.2500],\"CAF\":[0.9,1e-3]}", "GENEA", "snp", id),
                new Call(300, 3, "chr1", 3000, "A", "C,G", "1|2;25;0,12,13;80;", ";;", null, null, "snp", id),
                new Call(400, 4, "2", 4000, "T", "C", "./.;;;;", "70;;", "{}", null, "snp", id),
                new Call(500, 5, "2", 5000, "G", "", null, null, null, "BRCA2", "indel", id),
                new Call(700, 7, "X", 7000, "G", "GA", "1;9;;;", "1e3;1;9", null, null, "indel", id));
        for (Call c : calls) {
            String written = ServerJson.MAPPER.writeValueAsString(new VariantStore.AssayedCall(c, VariantStore.SourceJson.of(SOURCE)));
            assertEquals(ServerJson.MAPPER.writeValueAsString(asMaps(c, SOURCE)), written, "rs" + c.rsid());
        }
    }

    @Test
    void storedFrequenciesAreWrittenAsTheirTreeWasWhateverTheNumbersForm() throws Exception {
        List<String> numbers = List.of("0", "-0", "0.0", "-0.0", "0.000", "0e5", "1", "-7", "10", "100", "2147483647", "2147483648",
                "-2147483649", "9223372036854775807", "9223372036854775808", "123456789012345678901234567890", "0.5", "0.2500", "-0.2500",
                "1.0", "10.0", "1000.0", "1e3", "1E3", "1e+3", "1.5e-7", "1.50E-7", "-1.5E10", "0.001", "1.0E-5", "3.14159265358979323846",
                "4.9E-324", "1.7976931348623157E308", "1e-400", "12.3400e2", "null");
        for (String n : numbers) {
            String stored = "{\"AF\":[" + n + "],\"CAF\":[0.9," + n + ",null]}";
            assertEquals(viaTree(stored), copied(stored), n);
        }
        assertEquals(viaTree("{}"), copied("{}"));
        assertEquals("{}", copied(null));
    }

    private static String viaTree(String stored) throws Exception {
        return ServerJson.MAPPER.writeValueAsString(ServerJson.MAPPER.readTree(stored));
    }

    private static String copied(String stored) throws Exception {
        java.io.StringWriter out = new java.io.StringWriter();
        try (com.fasterxml.jackson.core.JsonGenerator g = ServerJson.MAPPER.createGenerator(out)) {
            VariantStore.writeFrequency(g, stored);
        }
        return out.toString();
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
