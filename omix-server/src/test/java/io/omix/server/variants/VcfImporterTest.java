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
}
