-- A registration counts the namespace's batches not yet committed (batches.max-open-per-namespace) along this index,
-- not through every batch the namespace ever committed.
CREATE INDEX batches_open ON batches (namespace, committed);
