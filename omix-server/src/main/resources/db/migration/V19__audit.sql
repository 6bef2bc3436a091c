-- The audit trail: who reached whose data, how, and with what outcome. Append-only: each entry's
-- hash covers the previous entry's hash and its own fields, so a changed or removed entry breaks the
-- chain (omix admin audit verify). audit_head holds the chain's end, locked by each append, so that
-- the servers of a deployment extend one chain.
CREATE TABLE audit_log (
    seq         BIGINT        NOT NULL PRIMARY KEY,
    at          TIMESTAMP WITH TIME ZONE NOT NULL,
    actor_kind  VARCHAR(20)   NOT NULL,   -- user, client, private_app, dataset_key, model, operator, unknown
    actor_id    VARCHAR(200),             -- client id, app key, dataset key, operator's user id or OS account
    user_id     VARCHAR(64),              -- the person the credential speaks for, when it speaks for one
    credential  VARCHAR(30)   NOT NULL,   -- user_token, client_token, signed_request, dataset_key, invocation_token, console, cli, none
    operation   VARCHAR(200)  NOT NULL,   -- "GET /samples/<biosample_id>", or "omix admin user create"
    resources   VARCHAR(1000),            -- the ids the request named: name=value, space-separated
    records     INTEGER,                  -- how many records the answer held, when it holds a list
    source      VARCHAR(64),              -- the caller's address
    request_id  VARCHAR(64),
    outcome     VARCHAR(20)   NOT NULL,   -- HTTP status and platform code ("200 0", "403 40301"), or ok / failed
    prev_hash   VARCHAR(64)   NOT NULL,
    hash        VARCHAR(64)   NOT NULL
);
CREATE INDEX audit_log_user ON audit_log (user_id, seq);
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE audit_head (
    id    INTEGER     NOT NULL PRIMARY KEY,
    seq   BIGINT      NOT NULL,
    hash  VARCHAR(64) NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
