-- Projects and samples. A sample's field groups (library, sequencing, statistics, alignment) are
-- kept as JSON text: they are read whole and filled field by field, never filtered on.

CREATE TABLE projects (
    project_id         VARCHAR(16)  NOT NULL PRIMARY KEY,
    name               VARCHAR(200) NOT NULL,
    omic               INTEGER      NOT NULL,
    consortium         VARCHAR(200),
    data_provider      VARCHAR(200),
    public_description VARCHAR(2000),
    created_at         TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE samples (
    biosample_id             VARCHAR(16)  NOT NULL PRIMARY KEY,
    site                     INTEGER      NOT NULL,
    organism                 INTEGER      NOT NULL,
    omic                     INTEGER      NOT NULL,
    status                   INTEGER      NOT NULL,
    data_availability        BOOLEAN      NOT NULL DEFAULT FALSE,
    is_primary               BOOLEAN      NOT NULL DEFAULT TRUE,
    external_sample_id       VARCHAR(128),
    external_sample_id_alt   VARCHAR(128),
    namespace                VARCHAR(100),          -- the private app that registered it, if any
    registered_by_client     VARCHAR(64),           -- the OAuth2 client that registered it, if any
    sample_collection_time   TIMESTAMP WITH TIME ZONE,
    sample_time              TIMESTAMP WITH TIME ZONE,
    budget_execution_unit_id VARCHAR(64),
    library_json             TEXT NOT NULL,
    sequencing_json          TEXT NOT NULL,
    statistics_json          TEXT NOT NULL,
    alignment_json           TEXT NOT NULL,
    create_time              TIMESTAMP WITH TIME ZONE NOT NULL,
    update_time              TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX samples_external ON samples (external_sample_id);
CREATE INDEX samples_namespace ON samples (namespace);

CREATE TABLE sample_projects (
    biosample_id VARCHAR(16) NOT NULL REFERENCES samples (biosample_id),
    project_id   VARCHAR(16) NOT NULL REFERENCES projects (project_id),
    PRIMARY KEY (biosample_id, project_id)
);
CREATE INDEX sample_projects_project ON sample_projects (project_id);

-- Who may see a sample: users it is bound to (authorization-code tokens) and clients that
-- registered it or were assigned it (client-credentials tokens). Private apps see their namespace.
CREATE TABLE sample_users (
    biosample_id VARCHAR(16) NOT NULL REFERENCES samples (biosample_id),
    user_id      VARCHAR(32) NOT NULL REFERENCES users (user_id),
    PRIMARY KEY (biosample_id, user_id)
);
CREATE INDEX sample_users_user ON sample_users (user_id);

CREATE TABLE sample_clients (
    biosample_id VARCHAR(16) NOT NULL REFERENCES samples (biosample_id),
    client_id    VARCHAR(64) NOT NULL REFERENCES oauth_clients (client_id),
    PRIMARY KEY (biosample_id, client_id)
);
CREATE INDEX sample_clients_client ON sample_clients (client_id);
