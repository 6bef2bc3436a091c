-- A body streamed to its handler (an import, a FHIR write, a dataset upload) is not read before the handler reads it: its
-- keyed hash, taken as the handler read it, is kept with the answer, so that a repeat under the same key with another body
-- of the same length and type is refused instead of answered with the first body's answer (its data dropped). Its length
-- bounds how much of a repeat is read to compare it.
ALTER TABLE idempotency_keys ADD COLUMN payload_digest VARCHAR(64);
ALTER TABLE idempotency_keys ADD COLUMN payload_bytes BIGINT;
