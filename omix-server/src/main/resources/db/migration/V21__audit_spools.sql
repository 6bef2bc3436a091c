-- Audit entries are spooled by each server and appended to the chain in batches; a spool's id is
-- recorded in the transaction that appends it, so a spool left by a crashed server (appended, but
-- not yet deleted) is never appended twice. Ids are forgotten after a week (housekeeping).
CREATE TABLE audit_spools (
    spool_id    VARCHAR(64) NOT NULL PRIMARY KEY,
    appended_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX audit_spools_appended ON audit_spools (appended_at);
