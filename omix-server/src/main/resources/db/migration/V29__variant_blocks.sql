-- Variant calls in blocks (CallStore): up to 64 consecutive calls of an import on one chromosome, in the
-- file's order (imports are sorted by position), encoded in one binary value; and each import's rs ids
-- with the blocks holding them, 256 to a row, found through one directory row per import. A row per
-- call (V5's variants) cost three B-tree writes per call, most of an import's time. V30 moves the rows
-- of earlier imports into blocks; the variants table stays, empty, until a later release drops it.
--
-- Keys are source_id * 2^24 + the block's (or index row's) number in its import: one column, so that
-- the embedded store keeps each table in one B-tree and answers an IN list of keys by seeking each.
CREATE TABLE variant_blocks (
    block_key      BIGINT      NOT NULL PRIMARY KEY,
    source_id      BIGINT      NOT NULL,
    chromosome     VARCHAR(32) NOT NULL,
    first_position BIGINT      NOT NULL,
    last_position  BIGINT      NOT NULL,
    call_count     INTEGER     NOT NULL,
    with_calls     BOOLEAN     NOT NULL,   -- any call with the sample's FORMAT values
    calls          BYTEA       NOT NULL    -- CallBlocks.encode
);
-- A region's first block: the first of the chromosome whose last position reaches the region.
CREATE INDEX variant_blocks_position ON variant_blocks (source_id, chromosome, last_position, block_key);

CREATE TABLE variant_rsid_index (
    row_key    BIGINT NOT NULL PRIMARY KEY,
    entries    BYTEA  NOT NULL             -- CallBlocks.encodeIndex: (rs id, block) pairs in rs id order
);

-- Each import's index rows by their last rs id (CallBlocks.encodeDirectory), read first by get_variants.
CREATE TABLE variant_rsid_directory (
    source_id  BIGINT NOT NULL PRIMARY KEY,
    last_rsids BYTEA  NOT NULL
);
