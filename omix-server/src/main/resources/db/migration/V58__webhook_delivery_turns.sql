-- The dispatcher's round reads what is in flight by its lease, and each endpoint's oldest due delivery one step down
-- this index, so that a round costs what the endpoints do, not what their backlogs hold (before, every due delivery
-- of every endpoint was ranked each round, and a tenant's backlog of a hundred thousand slowed every tenant's).
CREATE INDEX IF NOT EXISTS webhook_deliveries_turns ON webhook_deliveries (webhook_id, status, next_attempt_at, delivery_id);
CREATE INDEX IF NOT EXISTS webhook_deliveries_leases ON webhook_deliveries (lease_until);
