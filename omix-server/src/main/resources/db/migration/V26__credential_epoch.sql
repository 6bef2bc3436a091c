-- Bumped by every change that ends or narrows a credential (revocation, a disabled or erased user or
-- client, a client's scopes): servers forget the callers of tokens they verified recently when it moves.
CREATE TABLE credential_epoch (
    id    INTEGER NOT NULL PRIMARY KEY,
    epoch BIGINT  NOT NULL
);
INSERT INTO credential_epoch (id, epoch) VALUES (1, 0);
