-- Idempotent writes: the first answer to a request carrying an Idempotency-Key is kept (per caller,
-- for a day) and given again to a repeat of the same request, so a write retried after a lost
-- answer is applied once. state: running (the first request is being served) or done.
CREATE TABLE idempotency_keys (
    owner        VARCHAR(200) NOT NULL,
    idem_key     VARCHAR(255) NOT NULL,
    fingerprint  VARCHAR(64)  NOT NULL,
    state        VARCHAR(8)   NOT NULL,
    status       INTEGER,
    content_type VARCHAR(100),
    body         TEXT,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    locked_until TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (owner, idem_key)
);
CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);
