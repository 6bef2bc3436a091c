-- Files: short-lived upload credentials bound to one destination prefix, the objects they wrote,
-- and multipart uploads in progress (their parts live in the object store's staging area).
CREATE TABLE upload_credentials (
    access_key_id  VARCHAR(40)   NOT NULL PRIMARY KEY,
    secret_sealed  VARCHAR(200)  NOT NULL,              -- the signing secret, sealed with the master key
    token_hash     VARCHAR(100)  NOT NULL,              -- SHA-256 of the security token
    owner          VARCHAR(200)  NOT NULL,              -- user:<id> or client:<id>
    client_id      VARCHAR(100)  NOT NULL,
    user_id        VARCHAR(100),
    destination    VARCHAR(200)  NOT NULL,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at     TIMESTAMP WITH TIME ZONE
);
CREATE INDEX upload_credentials_owner ON upload_credentials (owner, created_at);

CREATE TABLE file_objects (
    object_name    VARCHAR(400)  NOT NULL PRIMARY KEY,
    owner          VARCHAR(200)  NOT NULL,
    size_bytes     BIGINT        NOT NULL,
    sha256         VARCHAR(64)   NOT NULL,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX file_objects_owner ON file_objects (owner, created_at);

CREATE TABLE multipart_uploads (
    upload_id      VARCHAR(40)   NOT NULL PRIMARY KEY,
    object_name    VARCHAR(400)  NOT NULL,
    owner          VARCHAR(200)  NOT NULL,
    size_bytes     BIGINT        NOT NULL,
    sha256         VARCHAR(64)   NOT NULL,
    part_size      BIGINT        NOT NULL,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL
);
-- Initiating the same upload again (same object, owner, size and checksum) resumes it.
CREATE INDEX multipart_uploads_resume ON multipart_uploads (object_name, owner);

CREATE TABLE upload_parts (
    upload_id      VARCHAR(40)   NOT NULL REFERENCES multipart_uploads (upload_id) ON DELETE CASCADE,
    part_number    INT           NOT NULL,
    size_bytes     BIGINT        NOT NULL,
    sha256         VARCHAR(64)   NOT NULL,
    PRIMARY KEY (upload_id, part_number)
);
