package io.omix.server.microbiome;

import io.omix.server.common.db.Jdbc;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.PreparedStatement;
import java.time.OffsetDateTime;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A background kept current at every import (before V37) becomes the published background of every profile there was. */
class BackgroundUpgradeTest {

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void everyProfileBeforeTheUpgradeIsCountedAndAnErasureTakesOneOut(String kind) {
        try (TestServer ts = TestServer.builder().database(kind).upgradingFrom("36", c -> {
            Jdbc.update(c, "INSERT INTO taxa (taxon_id, taxon_name, rank, lineage) VALUES ('4242', 's__T', 'species', 'k__B|s__T')");
            try (PreparedStatement sample = c.prepareStatement("INSERT INTO samples (biosample_id, site, organism, omic, status, library_json,"
                    + " sequencing_json, statistics_json, alignment_json, create_time, update_time) VALUES (?,1,1,1,1,'{}','{}','{}','{}',?,?)")) {
                for (int i = 1; i <= 12; i++) {
                    Jdbc.bind(sample, "OLD" + i, OffsetDateTime.now(), OffsetDateTime.now());
                    sample.executeUpdate();
                    Jdbc.update(c, "INSERT INTO microbiome_profiles (biosample_id, kind, catalog, software, imported_at) VALUES (?, 'taxon', '-', NULL, ?)",
                            "OLD" + i, OffsetDateTime.now());
                    Jdbc.update(c, "INSERT INTO taxon_abundance (biosample_id, taxon_id, abundance) VALUES (?, '4242', ?)", "OLD" + i, (double) i);
                }
            }
            // As the import of that version left it: every one of the 12 counted.
            Jdbc.update(c, "INSERT INTO taxon_background (taxon_id, n_present, abundance_sum, percentiles) VALUES ('4242', 12, 78, ?)",
                    Background.encode(Background.percentilesOf(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})));
        }).start()) {
            Jdbc jdbc = ts.server().platform().database().jdbc();
            assertEquals(12, jdbc.queryOne("SELECT cohort FROM microbiome_locks WHERE name = 'taxon_background'", rs -> rs.getInt(1)).orElseThrow());
            assertEquals(12, jdbc.queryOne("SELECT COUNT(*) FROM taxon_background_values", rs -> rs.getInt(1)).orElseThrow());
            jdbc.inTransaction(c -> {
                ProfileImporter.eraseSample(c, "OLD12");
                return null;
            });
            assertEquals(11, jdbc.queryOne("SELECT cohort FROM microbiome_locks WHERE name = 'taxon_background'", rs -> rs.getInt(1)).orElseThrow());
            assertEquals(66.0, jdbc.queryOne("SELECT abundance_sum FROM taxon_background WHERE taxon_id = '4242'", rs -> rs.getDouble(1)).orElseThrow(),
                    "the erased profile is out of what was counted before the upgrade");
            assertEquals(11, jdbc.queryOne("SELECT n_present FROM taxon_background WHERE taxon_id = '4242'", rs -> rs.getInt(1)).orElseThrow());
        }
    }
}
