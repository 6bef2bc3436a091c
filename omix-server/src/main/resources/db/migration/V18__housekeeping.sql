-- Housekeeping runs on one server of several at a time: the server that moves next_run_at forward
-- (a conditional update) runs it; the others see the row moved and wait for the next turn.
CREATE TABLE housekeeping_runs (
    name         VARCHAR(40)  NOT NULL PRIMARY KEY,
    next_run_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    last_run_by  VARCHAR(40),
    last_result  VARCHAR(2000)
);
INSERT INTO housekeeping_runs (name, next_run_at) VALUES ('main', TIMESTAMP WITH TIME ZONE '2000-01-01 00:00:00+00');
