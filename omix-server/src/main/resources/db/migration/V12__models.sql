-- Interpretation models: owned by a client application; every deploy adds a source version (the
-- newest is the draft); publishing or rolling back points the stable version at one of them.
CREATE TABLE models (
    model_id        VARCHAR(64)   NOT NULL PRIMARY KEY,
    owner           VARCHAR(200)  NOT NULL,              -- client:<client id>
    runtime         VARCHAR(20)   NOT NULL,
    handler         VARCHAR(200)  NOT NULL,
    memory_size     INT           NOT NULL,              -- MB
    cpu             DECIMAL(6,2),
    timeout_seconds INT           NOT NULL,
    comment         VARCHAR(1000),
    draft_version   INT,                                 -- the newest deployed version
    stable_version  INT,                                 -- what GET /model/{id} runs
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE model_versions (
    model_id        VARCHAR(64)   NOT NULL REFERENCES models (model_id),
    version         INT           NOT NULL,
    source_object   VARCHAR(400)  NOT NULL,
    source_sha256   VARCHAR(64)   NOT NULL,
    comment         VARCHAR(1000),
    message         VARCHAR(1000),                       -- set when published
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    published_at    TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (model_id, version)
);
