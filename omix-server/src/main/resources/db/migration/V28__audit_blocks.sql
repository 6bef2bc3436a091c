-- The audit trail in blocks: a run of consecutive entries is one row, its entries (each with its own
-- sequence number and hashes, so the chain is verified entry by entry) compressed into one text
-- column. A row per entry cost the embedded store a tenth of a light read's throughput. Entries
-- already in audit_log are moved into blocks by the first server that starts (AuditLog), so
-- audit_log stays, empty, until a later release drops it.
CREATE TABLE audit_blocks (
    first_seq    BIGINT        NOT NULL PRIMARY KEY,
    last_seq     BIGINT        NOT NULL,
    first_at     TIMESTAMP WITH TIME ZONE NOT NULL,   -- the earliest entry's time
    last_at      TIMESTAMP WITH TIME ZONE NOT NULL,   -- the latest entry's time
    entry_count  INTEGER       NOT NULL,
    entries      VARCHAR(1000000) NOT NULL           -- JSON lines, deflated, base64 (AuditBlock)
);
CREATE INDEX audit_blocks_last_at ON audit_blocks (last_at);

-- What a block is found by: u:<user id>, a:<caller id>, ua:<user id> <caller id>, s:<biosample id>.
CREATE TABLE audit_block_keys (
    subject    VARCHAR(300)  NOT NULL,
    first_seq  BIGINT        NOT NULL,
    PRIMARY KEY (subject, first_seq)
);
CREATE INDEX audit_block_keys_block ON audit_block_keys (first_seq);
