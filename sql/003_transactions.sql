-- 003: one row per run and transaction, and one per run, transaction and
-- error key or status code. Times in seconds. The histogram is herd's
-- serialized HDR histogram (exact merges across runs are possible).
CREATE TABLE IF NOT EXISTS analytics.load_testing_transactions (
    run_id      text NOT NULL REFERENCES analytics.load_testing (run_id)
                ON DELETE CASCADE,
    name        text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('request', 'flow')),
    plan_name   text,
    started_at  timestamptz,
    count       bigint NOT NULL CHECK (count >= 0),
    errors      bigint NOT NULL CHECK (errors >= 0),
    error_rate  numeric NOT NULL CHECK (error_rate >= 0),
    rate_per_s  numeric NOT NULL,
    min_time    numeric NOT NULL,
    mean_time   numeric NOT NULL,
    stddev_time numeric NOT NULL,
    max_time    numeric NOT NULL,
    p50_time    numeric NOT NULL,
    p90_time    numeric NOT NULL,
    p95_time    numeric NOT NULL,
    p99_time    numeric NOT NULL,
    p999_time   numeric NOT NULL,
    histogram   text NOT NULL,
    PRIMARY KEY (run_id, name, kind)
);

-- "One transaction over time."
CREATE INDEX IF NOT EXISTS load_testing_transactions_name_started
    ON analytics.load_testing_transactions (plan_name, name, started_at DESC);

CREATE TABLE IF NOT EXISTS analytics.load_testing_errors (
    run_id      text NOT NULL,
    name        text NOT NULL,
    kind        text NOT NULL,
    what        text NOT NULL CHECK (what IN ('error', 'status')),
    key         text NOT NULL,
    count       bigint NOT NULL CHECK (count >= 0),
    PRIMARY KEY (run_id, name, kind, what, key),
    FOREIGN KEY (run_id, name, kind)
        REFERENCES analytics.load_testing_transactions (run_id, name, kind)
        ON DELETE CASCADE
);
