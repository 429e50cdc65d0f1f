-- 004: success and failure apart. Since this migration herd writes the
-- latency columns of a transaction (min/mean/stddev/max/p50..p999_time,
-- histogram) from its successful samples only, and the failed samples
-- beside them: ok + failed = count; errors = failed + failures with no
-- latency (an extract failing after a good response, a request cut off by
-- Ctrl-C). Rows written before have NULL in these columns and latencies of
-- every sample, failed ones included.
-- The latency columns may now be NULL: a transaction with no successful
-- sample has no successful latency (0 would read as "fast").
-- analytics.load_testing keeps its meaning: avg/max/std_web_time and
-- avg/max/std_container_time over every sample, successful and failed, as
-- the old system wrote them; min and p50..p999 of web and container are of
-- the successful samples.
ALTER TABLE analytics.load_testing_transactions
    ADD COLUMN IF NOT EXISTS ok                bigint CHECK (ok >= 0),
    ADD COLUMN IF NOT EXISTS failed            bigint CHECK (failed >= 0),
    ADD COLUMN IF NOT EXISTS failed_min_time   numeric,
    ADD COLUMN IF NOT EXISTS failed_mean_time  numeric,
    ADD COLUMN IF NOT EXISTS failed_max_time   numeric,
    ADD COLUMN IF NOT EXISTS failed_p50_time   numeric,
    ADD COLUMN IF NOT EXISTS failed_p95_time   numeric,
    ADD COLUMN IF NOT EXISTS failed_p99_time   numeric,
    ADD COLUMN IF NOT EXISTS failed_histogram  text,
    ALTER COLUMN min_time DROP NOT NULL,
    ALTER COLUMN mean_time DROP NOT NULL,
    ALTER COLUMN stddev_time DROP NOT NULL,
    ALTER COLUMN max_time DROP NOT NULL,
    ALTER COLUMN p50_time DROP NOT NULL,
    ALTER COLUMN p90_time DROP NOT NULL,
    ALTER COLUMN p95_time DROP NOT NULL,
    ALTER COLUMN p99_time DROP NOT NULL,
    ALTER COLUMN p999_time DROP NOT NULL;
