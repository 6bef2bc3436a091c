-- What one caller may hold or queue (tasks.max-queued-per-owner, datasets.max-rows-per-key, datasets.max-bytes-per-key).

-- The bytes of cells each dataset batch holds, counted as its rows are written; batches written before are counted now.
ALTER TABLE ds_batches ADD COLUMN byte_count BIGINT DEFAULT 0 NOT NULL;
UPDATE ds_batches SET byte_count = (SELECT COALESCE(SUM(LENGTH(r.cells)), 0) FROM ds_rows r WHERE r.batch_id = ds_batches.batch_id);

-- An owner's waiting tasks, counted at each submission and skipped over when the owner already has one running.
CREATE INDEX tasks_owner ON tasks (owner, status);
