package io.omix.server.microbiome;

import io.omix.server.common.db.Jdbc;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A gene profile of more rows than one statement reads is exported whole, in gene order, its header naming every
 * annotation column, one that only the last rows have included; a function profile likewise (on both databases).
 */
class ProfileExportTest {
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aProfileOfManyPiecesIsExportedWhole(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Jdbc jdbc = s.server().platform().database().jdbc();
            String sample = "E-P00000000001";
            jdbc.inTransaction(c -> {
                for (int i = 0; i < 2500; i++) {
                    String annotation = i < 2400 ? "{\"kegg\":\"K" + i + "\"}" : "{\"kegg\":\"K" + i + "\",\"cog\":\"C" + i + "\"}";
                    Jdbc.update(c, "INSERT INTO gene_abundance (biosample_id, catalog, gene_id, gene_name, annotation, abundance) VALUES (?,?,?,?,?,?)",
                            sample, "IGC", String.format("g%05d", i), i % 2 == 0 ? null : "name" + i, annotation, i / 10.0);
                    Jdbc.update(c, "INSERT INTO func_abundance (biosample_id, catalog, func_id, func_name, abundance) VALUES (?,?,?,?,?)",
                            sample, "go", String.format("GO:%07d", i), null, i / 100.0);
                }
                return null;
            });
            List<String> genes = export(jdbc, sample, new ProfileExport.Profile("gene", "IGC", null));
            assertEquals("gene_id\tgene_name\tabundance\tkegg\tcog", genes.get(0));
            assertEquals(2501, genes.size());
            assertEquals("g00000\t\t0.0\tK0\t", genes.get(1));
            assertEquals("g02499\tname2499\t249.9\tK2499\tC2499", genes.get(2500));
            for (int i = 0; i < 2500; i++) assertEquals(String.format("g%05d", i), genes.get(i + 1).split("\t")[0]);
            List<String> functions = export(jdbc, sample, new ProfileExport.Profile("func", "go", null));
            assertEquals(2501, functions.size());
            assertEquals("GO:0002499\t24.99", functions.get(2500));
        }
    }

    private static List<String> export(Jdbc jdbc, String sample, ProfileExport.Profile profile) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        jdbc.withConnection(c -> {
            try {
                return ProfileExport.write(c, sample, profile, out);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
