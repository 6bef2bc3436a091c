-- When a dataset batch was marked deleting: housekeeping removes only those its purge job left a while ago, not those
-- a job is removing now. Batches marked before this version have none, and count as left long ago.
ALTER TABLE ds_batches ADD COLUMN IF NOT EXISTS deleting_since TIMESTAMP WITH TIME ZONE;
