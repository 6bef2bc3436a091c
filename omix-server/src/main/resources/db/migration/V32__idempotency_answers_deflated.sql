-- Answers kept for repeats of a write are stored deflated: a private-platform batch write of 100
-- stream records answers about 40 KB of JSON, kept a day, and stored as written it made the
-- embedded database file grow by about 1 GB a minute under a steady mixed load (docs/benchmarks.md,
-- the soak). Rows written before keep their text in body.
ALTER TABLE idempotency_keys ADD COLUMN body_deflated BYTEA;
