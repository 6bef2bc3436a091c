-- Microbiome profiles of samples: taxonomic (MetaPhlAn), functional (HUMAnN, one table per
-- catalog) and gene (IGC, UniRef) abundances, and the cohort background of each taxon.

-- One row per imported profile: which samples the cohort background counts.
CREATE TABLE microbiome_profiles (
    biosample_id VARCHAR(16) NOT NULL REFERENCES samples (biosample_id),
    kind         VARCHAR(8)  NOT NULL,          -- taxon | func | gene
    catalog      VARCHAR(32) NOT NULL,          -- '-' for taxon profiles
    software     VARCHAR(100),
    imported_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (biosample_id, kind, catalog)
);

CREATE TABLE taxa (
    taxon_id   VARCHAR(64)   NOT NULL PRIMARY KEY,   -- the NCBI taxid when the profile gives it
    taxon_name VARCHAR(300)  NOT NULL,
    rank       VARCHAR(16)   NOT NULL,
    lineage    VARCHAR(3000) NOT NULL
);

CREATE TABLE taxon_abundance (
    biosample_id VARCHAR(16) NOT NULL,
    taxon_id     VARCHAR(64) NOT NULL,
    abundance    DOUBLE PRECISION NOT NULL,      -- relative abundance, percent
    PRIMARY KEY (biosample_id, taxon_id)
);
CREATE INDEX taxon_abundance_taxon ON taxon_abundance (taxon_id);

-- Kept current at import: how many profiled samples carry the taxon, the sum of its abundances,
-- and 101 percentiles (0..100) of its non-zero abundances. Requests read one row.
CREATE TABLE taxon_background (
    taxon_id      VARCHAR(64)   NOT NULL PRIMARY KEY,
    n_present     INTEGER       NOT NULL,
    abundance_sum DOUBLE PRECISION NOT NULL,
    percentiles   VARCHAR(4000) NOT NULL
);

CREATE TABLE func_abundance (
    biosample_id VARCHAR(16)  NOT NULL,
    catalog      VARCHAR(32)  NOT NULL,
    func_id      VARCHAR(200) NOT NULL,
    func_name    VARCHAR(500),
    abundance    DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (biosample_id, catalog, func_id)
);

CREATE TABLE gene_abundance (
    biosample_id VARCHAR(16)  NOT NULL,
    catalog      VARCHAR(32)  NOT NULL,
    gene_id      VARCHAR(200) NOT NULL,
    gene_name    VARCHAR(300),
    annotation   VARCHAR(2000),                  -- JSON object of the table's annotation columns
    abundance    DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (biosample_id, catalog, gene_id)
);

-- Taxon imports lock this row, so that concurrent imports (on any server) update the background one at a time.
CREATE TABLE microbiome_locks (name VARCHAR(32) NOT NULL PRIMARY KEY);
INSERT INTO microbiome_locks (name) VALUES ('taxon_background');
