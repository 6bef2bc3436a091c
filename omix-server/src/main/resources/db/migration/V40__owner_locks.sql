-- One row an owner of files, locked while a write checks and takes room from the owner's quota
-- (files.max-bytes-per-owner): two uploads at once each saw the room the other was about to take.
CREATE TABLE owner_locks (
    owner  VARCHAR(200) NOT NULL PRIMARY KEY
);
