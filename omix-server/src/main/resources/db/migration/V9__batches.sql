-- Private batches (seed 000): data items imported into a batch stay invisible until the batch is
-- committed; committing flips one flag, so a batch becomes visible all at once or not at all.
CREATE TABLE batches (
    batch_no       BIGINT        NOT NULL PRIMARY KEY,   -- millisecond-timestamp-like, as on the original
    namespace      VARCHAR(100)  NOT NULL,
    name           VARCHAR(200)  NOT NULL,
    intro          VARCHAR(2000) NOT NULL DEFAULT '',
    ctime          TIMESTAMP WITH TIME ZONE NOT NULL,
    item_count     BIGINT        NOT NULL DEFAULT 0,     -- also the last item's seq
    commit_task_id VARCHAR(36),                          -- set when a commit is queued: no more imports
    committed      BOOLEAN       NOT NULL DEFAULT FALSE,
    commit_time    TIMESTAMP WITH TIME ZONE,
    extracted      BOOLEAN       NOT NULL DEFAULT FALSE
);
CREATE INDEX batches_namespace ON batches (namespace, batch_no);

CREATE TABLE data_items (
    batch_no        BIGINT       NOT NULL REFERENCES batches (batch_no),
    seq             BIGINT       NOT NULL,               -- order of import within the batch
    data_item_id    VARCHAR(36)  NOT NULL,
    biosample_id    VARCHAR(16),
    data_element_id VARCHAR(36)  NOT NULL REFERENCES data_elements (data_element_id),
    attributes      TEXT         NOT NULL,               -- any JSON object
    create_time     TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (batch_no, seq)
);
-- get_data_items reads one sample's items batch by batch, in import order (keyset on batch_no, seq).
CREATE INDEX data_items_sample ON data_items (biosample_id, batch_no, seq);
