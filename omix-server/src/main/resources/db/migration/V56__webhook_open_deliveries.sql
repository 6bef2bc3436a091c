-- stream.records_written: the one delivery of a (series, window) that writes may still grow, named by its coalesce key
-- until it is claimed; unique, so that two writers of the same window at once (servers side by side, or requests written
-- one by one beside a group) cannot each make one and then both grow (every later write counted twice). Deliveries made
-- before this version have none: they are sent as they are, and the next write makes a new one.
ALTER TABLE webhook_deliveries ADD COLUMN IF NOT EXISTS open_key VARCHAR(300);
CREATE UNIQUE INDEX IF NOT EXISTS webhook_deliveries_open ON webhook_deliveries (webhook_id, open_key);
