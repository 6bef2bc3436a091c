package io.omix.server.variants;

import htsjdk.variant.variantcontext.Allele;
import htsjdk.variant.variantcontext.VariantContextBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    void frequenciesAnEarlierImporterStoredAsWrittenAreMadeJson() throws Exception {
        assertEquals("{\"AF\":[0.5,null,1.0],\"CAF\":[null,0.25]}", VcfImporter.repairedFrequency("{\"AF\":[.5,NaN,+1],\"CAF\":[null,0.25]}"));
        assertEquals("{\"AF\":[0.25]}", VcfImporter.repairedFrequency("{\"AF\":[0.25]}"), "valid JSON is kept as it is");
        assertEquals(null, VcfImporter.repairedFrequency(null));
    }

    @Test
    void anIdTwiceInOneRecordIsOneCallAndHundredsAreRefused() {
        assertEquals(List.of(1L, 2L), VcfImporter.rsids("rs1;rs2;rs1;x7;rs999999999999999"));
        StringBuilder many = new StringBuilder();
        for (int i = 0; i <= VcfImporter.MAX_RSIDS_PER_RECORD; i++) many.append("rs").append(i + 1).append(';');
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> VcfImporter.rsids(many.toString()));
    }
}
