-- Durable tasks: every asynchronous operation (batch commits, dataset batch jobs, model deploys) is a
-- row here, claimed by one server at a time under a lease, so a task survives restarts and runs once
-- even when several servers share the database.
CREATE TABLE tasks (
    job_id       BIGINT       NOT NULL PRIMARY KEY,    -- the integer id the dataset batches API shows
    task_id      VARCHAR(36)  NOT NULL UNIQUE,         -- the UUID the open and private platforms show
    kind         VARCHAR(60)  NOT NULL,                -- which handler runs it
    owner        VARCHAR(200) NOT NULL,                -- who may see it (app namespace, client, dataset key)
    payload      TEXT         NOT NULL,                -- the handler's input (JSON)
    status       VARCHAR(10)  NOT NULL,                -- PENDING, STARTED, SUCCESS, FAILURE, REVOKED
    result       TEXT,                                 -- the handler's answer, or the failure (JSON)
    progress     INTEGER      NOT NULL DEFAULT 0,      -- percent done, as the handler reports it
    attempts     INTEGER      NOT NULL DEFAULT 0,
    claimed_by   VARCHAR(40),                          -- the worker holding the lease
    lease_until  TIMESTAMP WITH TIME ZONE,
    path         VARCHAR(500) NOT NULL,                -- the request that queued it
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    completed_at TIMESTAMP WITH TIME ZONE
);
CREATE SEQUENCE task_job_ids START WITH 1;
-- Workers look for runnable tasks in queue order.
CREATE INDEX tasks_runnable ON tasks (status, job_id);
