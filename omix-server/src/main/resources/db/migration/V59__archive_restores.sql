-- A restore under way, by person: the samples and files its archive will write and the profile the person had before,
-- committed before anything is written and removed with its last step. A restore killed half-way (its process gone)
-- left its samples and files visible and could not be run again ("exists already"): its row now says what to undo, at
-- the next restore of the person or at housekeeping. A running restore holds its row locked.
CREATE TABLE IF NOT EXISTS archive_restores (
    user_id     VARCHAR(64)  NOT NULL PRIMARY KEY,
    samples     TEXT         NOT NULL,
    files       TEXT         NOT NULL,
    profile     TEXT         NOT NULL,
    started_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
