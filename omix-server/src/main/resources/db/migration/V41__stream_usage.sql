-- How many stream records each private app's namespace held when housekeeping last counted them: the
-- soft quota streams.max-records-per-namespace reads it (a counter kept on every write would need
-- exclusive locks that concurrent writers of one series would wait on).
CREATE TABLE stream_usage (
    namespace  VARCHAR(100) NOT NULL PRIMARY KEY,
    records    BIGINT       NOT NULL,
    counted_at TIMESTAMP WITH TIME ZONE NOT NULL
);
