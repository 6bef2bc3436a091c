-- The taxon background is published in steps (microbiome.background-publish-every new or replaced profiles at a
-- time), so that comparing answers before and after one import no longer tells that profile's abundances. The
-- background is computed from a copy of the values it counts: a profile replaced since the last publication
-- still counts as it was, and erasing it removes exactly what was counted, without publishing anyone waiting.

-- The samples the published background counts, and their abundances as counted.
CREATE TABLE taxon_background_cohort (biosample_id VARCHAR(16) NOT NULL PRIMARY KEY);
CREATE TABLE taxon_background_values (
    biosample_id VARCHAR(16) NOT NULL,
    taxon_id     VARCHAR(64) NOT NULL,
    abundance    DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (biosample_id, taxon_id)
);
CREATE INDEX taxon_background_values_taxon ON taxon_background_values (taxon_id);

-- Samples whose taxon profile came or changed since the last publication.
CREATE TABLE taxon_background_waiting (biosample_id VARCHAR(16) NOT NULL PRIMARY KEY);

-- The published cohort's size, read with each answer instead of counting profiles.
ALTER TABLE microbiome_locks ADD COLUMN cohort INTEGER DEFAULT 0 NOT NULL;

-- Until now every profile was counted at its import: all of them are the published cohort.
INSERT INTO taxon_background_cohort (biosample_id) SELECT biosample_id FROM microbiome_profiles WHERE kind = 'taxon';
INSERT INTO taxon_background_values (biosample_id, taxon_id, abundance)
    SELECT a.biosample_id, a.taxon_id, a.abundance FROM taxon_abundance a
    JOIN microbiome_profiles p ON p.biosample_id = a.biosample_id AND p.kind = 'taxon';
UPDATE microbiome_locks SET cohort = (SELECT COUNT(*) FROM taxon_background_cohort) WHERE name = 'taxon_background';
