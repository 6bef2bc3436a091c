package io.omix.server.variants;

import htsjdk.variant.variantcontext.Allele;
import htsjdk.variant.variantcontext.VariantContextBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VcfImporterTest {
    @Test
    void frequenciesAreStoredAsJsonThatParsesWhateverTheFileWrote() throws Exception {
        var vc = new VariantContextBuilder("t", "1", 100, 100, List.of(Allele.create("A", true), Allele.create("G")))
                .attribute("CAF", List.of("0.9", ".5", "+1", "5.", "NaN", "Infinity", "x", ".", "1e-3", "0x1p3", "-0"))
                .attribute("AF", "0.25").make();
        String json = VcfImporter.frequency(vc);
        assertEquals("{\"AF\":[0.25],\"CAF\":[0.9,0.5,1.0,5.0,null,null,null,null,1e-3,8.0,-0]}", json);
        assertEquals(11, io.omix.server.common.http.ServerJson.MAPPER.readTree(json).path("CAF").size(), "it parses");
    }

    @Test
    void jsonNumbersAreRecognisedByJsonsGrammar() {
        for (String yes : List.of("0", "-0", "12", "1.5", "-0.25", "1e5", "1E-5", "2.5e+10")) assertTrue(VcfImporter.isJsonNumber(yes), yes);
        for (String no : List.of("", "-", "01", ".5", "5.", "+1", "1e", "1.e5", "NaN", "0x10", "1,2", " 1")) assertFalse(VcfImporter.isJsonNumber(no), no);
    }

    @Test
    void aNumberWhoseScaleDoesNotFitIsStoredAsJavaReadsItSoThatItsCallCanBeReadBack() throws Exception {
        java.util.Map<String, String> stored = new java.util.LinkedHashMap<>();
        for (String kept : List.of("1e5", "100e2147483647", "1e2147483648", "1e999999999", "1e0000000005")) stored.put(kept, kept);
        // JSON numbers whose scale does not fit a decimal: as a double reads them, as for any other value that is not JSON.
        stored.put("1e2147483649", "null");
        stored.put("5e99999999999", "null");
        stored.put("1.5E-2147483647", "0.0");
        stored.put("-1E-2147483649", "-0.0");
        for (var e : stored.entrySet()) {
            StringBuilder json = new StringBuilder();
            VcfImporter.appendNumber(json, e.getKey());
            assertEquals(e.getValue(), json.toString(), e.getKey());
            // The call's frequencies read back as get_variants writes them.
            try (var g = io.omix.server.common.http.ServerJson.MAPPER.createGenerator(new java.io.ByteArrayOutputStream())) {
                VariantStore.writeFrequency(g, "{\"AF\":[" + json + "]}");
            }
        }
    }

    @Test
    void importOptionsHoldTheApisLimitsWhereverTheyComeFrom() {
        new VcfImporter.Options("x".repeat(32), 10_000, "p".repeat(64), "s".repeat(200));
        new VcfImporter.Options(null, 1, null, null);
        assertEquals("assembly is longer than 32 characters",
                assertThrows(IllegalArgumentException.class, () -> new VcfImporter.Options("x".repeat(33), null, null, null)).getMessage());
        assertEquals("pipeline_version is longer than 64 characters",
                assertThrows(IllegalArgumentException.class, () -> new VcfImporter.Options(null, null, "p".repeat(65), null)).getMessage());
        assertEquals("sample_name is longer than 200 characters",
                assertThrows(IllegalArgumentException.class, () -> new VcfImporter.Options(null, null, null, "s".repeat(201))).getMessage());
        assertEquals("assembly holds a control character",
                assertThrows(IllegalArgumentException.class, () -> new VcfImporter.Options("GRCh38\n#CHROM", null, null, null)).getMessage(),
                "a line break would end an exported header line");
        for (int build : new int[] {0, -1, 10_001}) {
            assertThrows(IllegalArgumentException.class, () -> new VcfImporter.Options(null, build, null, null), "build " + build);
        }
    }

    @Test
    void frequenciesAnEarlierImporterStoredAsWrittenAreMadeJson() throws Exception {
        assertEquals("{\"AF\":[0.5,null,1.0],\"CAF\":[null,0.25]}", VcfImporter.repairedFrequency("{\"AF\":[.5,NaN,+1],\"CAF\":[null,0.25]}"));
        assertEquals("{\"AF\":[0.25]}", VcfImporter.repairedFrequency("{\"AF\":[0.25]}"), "valid JSON is kept as it is");
        assertEquals(null, VcfImporter.repairedFrequency(null));
    }

    /**
     * The sample's values read from the text agree with htsjdk's decoding wherever they are read, and
     * anything htsjdk refuses (or decodes differently: GL into PL, GQ 99.6 into 100) is left to it.
     */
    @Test
    void sampleValuesReadFromTheTextAgreeWithHtsjdk() {
        htsjdk.variant.vcf.VCFCodec codec = new htsjdk.variant.vcf.VCFCodec();
        codec.readActualHeader(new htsjdk.tribble.readers.LineIteratorImpl(new htsjdk.tribble.readers.SynchronousLineReader(new java.io.StringReader(
                "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"))));
        List<String> plain = List.of("GT\t0/1", "GT\t1|0", "GT\t.", "GT\t./.", "GT\t2", "GT:DP\t0/0:.", "GT:AD:DP:GQ:PL\t0/1:10,5:15:99:0,30,300",
                "GT:AD:DP:GQ:PL\t1/2:0,4,6:10:0:100,50,0,60,20,0", "GT:DP:XX\t0|2:7:anything,at all", "GT:PL\t0/1:.", "GT:AD\t.:.",
                "GT:GQ\t0/0:999999999", "GT:MIN_DP:PS\t0|1:5:1234");
        List<String> leftToHtsjdk = List.of("GT\t0/3", "GT\t0/1|2", "GT\t0/", "GT\t", "GT\t01/1", "GT\t|0/1", "GT:DP\t0/1:-1", "GT:DP\t0/1:x",
                "GT:GQ\t0/1:99.6", "GT:GQ\t0/1:-1", "GT:GL\t0/1:-0.1,-1,-10", "GT:AD\t0/1:10,.", "GT:AD\t0/1:10,,5", "GT:AD\t0/1:+5,1",
                "GT:DP\t0/1", "GT\t0/1:5", "GT:GT\t0/1:0/1", "DP\t5", "GT:FT\t0/1:PASS", "GT:DP\t0/1:1234567890", "GT::DP\t0/1::5",
                "GT\t0/1\t0/1", ".\t.", "DP:GT\t7:0|2");
        for (String text : plain) {
            var vc = codec.decode("1\t100\trs1\tA\tG,T\t.\t.\t.\t" + text);
            SampleValues read = SampleValues.read(vc);
            assertNotNull(read, text + ": read from the text");
            assertEquals(VcfImporter.decoded(codec.decode("1\t100\trs1\tA\tG,T\t.\t.\t.\t" + text), 0), read, text);
        }
        for (String text : leftToHtsjdk) {
            assertNull(SampleValues.read(text, 3), text);
        }
        // Every short text over the characters that matter: read only where htsjdk decodes it, to the same values.
        String alphabet = "01./|:,";
        int read = 0;
        for (int n = 1; n <= 5; n++) {
            for (long k = 0; k < Math.pow(alphabet.length(), n); k++) {
                StringBuilder value = new StringBuilder();
                long x = k;
                for (int i = 0; i < n; i++, x /= alphabet.length()) value.append(alphabet.charAt((int) (x % alphabet.length())));
                for (String format : List.of("GT", "GT:AD", "GT:DP", "AD:GT")) {
                    String text = format + "\t" + value;
                    SampleValues mine = SampleValues.read(text, 3);
                    SampleValues theirs;
                    try {
                        theirs = VcfImporter.decoded(codec.decode("1\t100\trs1\tA\tG,T\t.\t.\t.\t" + text), 0);
                    } catch (RuntimeException e) {
                        assertNull(mine, text + " is refused by htsjdk (" + e.getMessage() + ")");
                        continue;
                    }
                    if (mine != null) {
                        read++;
                        assertEquals(theirs, mine, text);
                    }
                }
            }
        }
        assertTrue(read > 200, "plain texts are read: " + read);

        // VCF 4.3 percent-encodes values; the text read holds only digits, dots, separators and commas, which it leaves alone.
        htsjdk.variant.vcf.VCFCodec codec43 = new htsjdk.variant.vcf.VCFCodec();
        codec43.readActualHeader(new htsjdk.tribble.readers.LineIteratorImpl(new htsjdk.tribble.readers.SynchronousLineReader(new java.io.StringReader(
                "##fileformat=VCFv4.3\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"))));
        for (String text : List.of("GT:AD:DP:GQ:PL\t0/1:10,5:15:99:0,30,300", "GT:XX\t1|1:a%3Ab", "GT:AD\t0/1:1%2C2")) {
            String line = "1\t100\trs1\tA\tG,T\t.\t.\t.\t" + text;
            SampleValues mine = SampleValues.read(codec43.decode(line));
            SampleValues theirs;
            try {
                theirs = VcfImporter.decoded(codec43.decode(line), 0);
            } catch (RuntimeException e) {
                assertNull(mine, text);
                continue;
            }
            if (mine != null) assertEquals(theirs, mine, text);
        }
    }

    @Test
    void anIdTwiceInOneRecordIsOneCallAndHundredsAreRefused() {
        assertEquals(List.of(1L, 2L), VcfImporter.rsids("rs1;rs2;rs1;x7;rs999999999999999"));
        StringBuilder many = new StringBuilder();
        for (int i = 0; i <= VcfImporter.MAX_RSIDS_PER_RECORD; i++) many.append("rs").append(i + 1).append(';');
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> VcfImporter.rsids(many.toString()));
    }

    @Test
    void atMostAThousandRecordsAtOnePosition() {
        VcfImporter.SortOrder order = new VcfImporter.SortOrder();
        order.check("1", 5, 1);
        for (int i = 0; i < VcfImporter.MAX_RECORDS_AT_ONE_POSITION; i++) order.check("1", 10, i + 2);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> order.check("chr1", 10, 2000));
        assertEquals("record 2000 (chr1:10): more than 1000 records at one position", e.getMessage());
        VcfImporter.SortOrder other = new VcfImporter.SortOrder();
        for (int i = 0; i < VcfImporter.MAX_RECORDS_AT_ONE_POSITION; i++) other.check("1", 10, i + 1);
        other.check("1", 11, 1001);
        other.check("2", 11, 1002);
    }

    @Test
    void onlyRsFollowedByDigitsIsAnRsId() {
        assertEquals(List.of(7L, 8L), VcfImporter.rsids("rs7;;rs;rsx9;RS5;rs8;rs1a;s9;rs-3"));
        assertEquals(List.of(), VcfImporter.rsids("."));
        assertEquals(List.of(), VcfImporter.rsids(null));
        assertEquals(List.of(12345678901L), VcfImporter.rsids("rs12345678901;"), "a trailing separator is nothing");
        assertEquals(List.of(), VcfImporter.rsids("rs123456789012345"), "17 characters is more than any rs id");
        assertEquals(List.of(549755813887L), VcfImporter.rsids("rs549755813887"), "14 characters, the largest id the blocks hold");
        assertEquals(List.of(), VcfImporter.rsids("rs549755813888"), "one more: no rs id that large exists");
        assertEquals(List.of(), VcfImporter.rsids("rs1000000000000"), "15 characters: too long");
        assertEquals(List.of(5L), VcfImporter.rsids("rs\u0661\u0662\u0663;rs5"), "digits of other scripts are no rs id's digits");
    }

    @Test
    void missingFrequenciesAndFlagsAreNull() {
        var vc = new VariantContextBuilder("t", "1", 100, 100, List.of(Allele.create("A", true), Allele.create("G")))
                .attribute("CAF", java.util.Arrays.asList("0.9", null, ".")).attribute("AF", true).make();
        assertEquals("{\"AF\":[null],\"CAF\":[0.9,null,null]}", VcfImporter.frequency(vc));
        assertNull(VcfImporter.frequency(new VariantContextBuilder("t", "1", 100, 100, List.of(Allele.create("A", true))).make()));
    }

    @Test
    void theGeneIsGeneinfosFirstSymbol() {
        var alleles = List.of(Allele.create("A", true), Allele.create("G"));
        assertEquals("TP53", VcfImporter.gene(new VariantContextBuilder("t", "1", 100, 100, alleles).attribute("GENEINFO", "TP53:7157|WRAP53:55135").make(), -1));
        assertEquals("BRCA2", VcfImporter.gene(new VariantContextBuilder("t", "1", 100, 100, alleles).attribute("GENEINFO", "BRCA2|x").make(), -1));
        assertEquals("KRAS", VcfImporter.gene(new VariantContextBuilder("t", "1", 100, 100, alleles).attribute("GENEINFO", "KRAS").make(), -1));
        assertNull(VcfImporter.gene(new VariantContextBuilder("t", "1", 100, 100, alleles).attribute("GENEINFO", ".").make(), -1));
        for (String noSymbol : List.of(":", "|x", ":7157", "")) {
            assertNull(VcfImporter.gene(new VariantContextBuilder("t", "1", 100, 100, alleles).attribute("GENEINFO", noSymbol).make(), -1),
                    "'" + noSymbol + "' names no gene");
        }
        assertEquals("EGFR", VcfImporter.gene(new VariantContextBuilder("t", "1", 100, 100, alleles).attribute("GENEINFO", ":7157")
                .attribute("ANN", "G|missense_variant|MODERATE|EGFR|1956").make(), -1), "then the other annotations are asked");
    }
}
