-- Facts about this installation itself (e.g. whether demo data was created), shared by every server
-- that runs on the same database.
CREATE TABLE omix_meta (
    name       VARCHAR(100)  NOT NULL PRIMARY KEY,
    meta_value VARCHAR(4000) NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP
);
