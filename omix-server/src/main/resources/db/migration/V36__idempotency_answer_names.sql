-- Answers kept for repeats are stored deflated (V32), where an erasure's search for a sample's or person's ids
-- cannot see them: the ids each answer names (biosample ids, entity ids, user ids) are kept beside it, in text.
ALTER TABLE idempotency_keys ADD COLUMN names TEXT;
