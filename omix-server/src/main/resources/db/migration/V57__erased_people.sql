-- The ids of people erased in the last day, for housekeeping to sweep what requests authenticated just before their
-- erasure wrote after it (a task, upload credentials, a kept answer): ids only, as the audit trail keeps them, and gone
-- a day after the erasure.
CREATE TABLE IF NOT EXISTS erased_people (
    user_id    VARCHAR(64)  NOT NULL PRIMARY KEY,
    erased_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
