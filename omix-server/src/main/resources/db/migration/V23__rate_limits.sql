-- Fair use: the calls each client application, private app, dataset key and person made in one
-- minute, shared by every server (each takes a share of what is left at a time). Minutes older than
-- an hour go with housekeeping. A client's own limit, when the operator set one.
CREATE TABLE rate_windows (
    limit_key     VARCHAR(200) NOT NULL,
    window_minute BIGINT       NOT NULL,
    used          BIGINT       NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (limit_key, window_minute)
);
CREATE INDEX rate_windows_minute ON rate_windows (window_minute);

ALTER TABLE oauth_clients ADD COLUMN rate_limit_per_minute INTEGER;
