-- The dataset batches API (seed 003): workspaces owned by a dataset API key, their projects, datasets
-- (a schema of columns) and batches of rows. A dataset's rows are the rows of its active batches.
CREATE SEQUENCE ds_ids START WITH 1;

CREATE TABLE ds_workspaces (
    workspace_id BIGINT       NOT NULL PRIMARY KEY,
    owner_key    VARCHAR(64)  NOT NULL REFERENCES dataset_api_keys (api_key),
    name         VARCHAR(200) NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE ds_projects (
    project_id   BIGINT       NOT NULL PRIMARY KEY,
    workspace_id BIGINT       NOT NULL REFERENCES ds_workspaces (workspace_id),
    name         VARCHAR(200) NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE datasets (
    dataset_id         BIGINT       NOT NULL PRIMARY KEY,
    project_id         BIGINT       NOT NULL REFERENCES ds_projects (project_id),
    name               VARCHAR(200) NOT NULL,
    status             VARCHAR(20)  NOT NULL,          -- ready, processing, deleting, deleted, error
    source_type        VARCHAR(20)  NOT NULL,          -- sketch, file, append
    source             TEXT         NOT NULL,          -- JSON details of where it came from
    display_properties TEXT,
    created_by         VARCHAR(200) NOT NULL,
    created_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at         TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX datasets_project ON datasets (project_id, dataset_id);

CREATE TABLE ds_columns (
    dataset_id BIGINT       NOT NULL REFERENCES datasets (dataset_id),
    position   INTEGER      NOT NULL,
    c_id       VARCHAR(100) NOT NULL,
    c_name     VARCHAR(200) NOT NULL,
    c_type     VARCHAR(10)  NOT NULL,                  -- text, numeric, date
    PRIMARY KEY (dataset_id, position)
);

CREATE TABLE ds_batches (
    batch_id     BIGINT       NOT NULL PRIMARY KEY,
    dataset_id   BIGINT       NOT NULL REFERENCES datasets (dataset_id),
    name         VARCHAR(200) NOT NULL,
    state        VARCHAR(20)  NOT NULL,                -- active, suspended, deleting
    description  TEXT         NOT NULL,                -- JSON
    source       TEXT         NOT NULL,                -- JSON
    row_count    BIGINT       NOT NULL,
    column_count INTEGER      NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX ds_batches_dataset ON ds_batches (dataset_id, batch_id);

-- Cells of one row as a JSON array of strings (or nulls), in the dataset's column order.
CREATE TABLE ds_rows (
    batch_id BIGINT NOT NULL REFERENCES ds_batches (batch_id),
    row_no   BIGINT NOT NULL,
    cells    TEXT   NOT NULL,
    PRIMARY KEY (batch_id, row_no)
);
