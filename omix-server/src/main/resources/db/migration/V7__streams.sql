-- Data elements (what a record measures), the entity behind each sample, and time-stamped records.

CREATE TABLE data_elements (
    data_element_id VARCHAR(36)   NOT NULL PRIMARY KEY,
    name            VARCHAR(200)  NOT NULL,
    description     VARCHAR(1000) NOT NULL DEFAULT '',
    source_domain   VARCHAR(100),
    source_id       VARCHAR(100)
);
-- The starter catalog: every data element the seeds mention, with their ids and names.
INSERT INTO data_elements (data_element_id, name, description, source_domain, source_id) VALUES
    ('02393f70-c7e4-11e9-bfed-00163e104c79', 'oxycodone', '羟考酮', 'BGI_DATA_ELEMENT', NULL),
    ('45f69871-7d89-11eb-a38f-00163e0eae20', 'Q-T间期', '', 'BGI_DATA_ELEMENT', '4.3.11.0'),
    ('5c60448e-a0bb-11ea-b57c-48a47299ee4a', 'name', '姓名', 'BGI_DATA_ELEMENT', NULL),
    ('00011d12-b363-11e9-bfed-00163e104c79', 'de-identified record', '去标识化记录', 'BGI_DATA_ELEMENT', NULL),
    ('00011d13-b363-11e9-bfed-00163e104c79', 'de-identified index', '去标识化索引', 'BGI_DATA_ELEMENT', NULL),
    ('000b52a6-b364-11e9-bfed-00163e104c79', 'GO:1990063', 'Bam protein complex abundance', 'BGI_DATA_ELEMENT', NULL),
    ('8d0c5b3e-6f44-4d5c-9f1e-6a1a9c3d2b01', 'heart rate', '心率', 'LOINC', '8867-4'),
    ('8d0c5b3e-6f44-4d5c-9f1e-6a1a9c3d2b02', 'body weight', '体重', 'LOINC', '29463-7');

-- The individual behind a sample: stream_bind answers the same id every time.
CREATE TABLE sample_entities (
    biosample_id VARCHAR(16) NOT NULL PRIMARY KEY REFERENCES samples (biosample_id),
    entity_id    VARCHAR(36) NOT NULL UNIQUE
);

CREATE TABLE streams (
    stream_id       VARCHAR(36) NOT NULL PRIMARY KEY,
    namespace       VARCHAR(100) NOT NULL,
    entity_id       VARCHAR(36) NOT NULL,
    data_element_id VARCHAR(36) NOT NULL REFERENCES data_elements (data_element_id),
    generate_time   TIMESTAMP WITH TIME ZONE NOT NULL,
    generate_offset INTEGER     NOT NULL,          -- seconds east of UTC the time was given in, to render it back so
    generate_mask   VARCHAR(40) NOT NULL,
    stream_data     TEXT        NOT NULL,          -- any JSON (FHIR Observation-like in the seeds)
    create_time     TIMESTAMP WITH TIME ZONE NOT NULL,
    dup_seq         BIGINT      NOT NULL           -- 0, unless written with duplicate_enabled (then random)
);
-- One index for both rules: a second record of the same entity, element and time is refused (dup_seq 0
-- twice), and ranges read one entity's records of one element in time order (keyset on time, dup_seq).
CREATE UNIQUE INDEX streams_range ON streams (namespace, entity_id, data_element_id, generate_time, dup_seq);
