-- 002: what a modern user needs beside the old columns. Nullable, because
-- rows written by the old system have none of it.
ALTER TABLE analytics.load_testing
    ADD COLUMN IF NOT EXISTS plan_name          text,
    ADD COLUMN IF NOT EXISTS started_at         timestamptz,
    ADD COLUMN IF NOT EXISTS finished_at        timestamptz,
    ADD COLUMN IF NOT EXISTS mode               text,
    ADD COLUMN IF NOT EXISTS target             text,
    ADD COLUMN IF NOT EXISTS git_commit         text,
    ADD COLUMN IF NOT EXISTS herd_version       text,
    ADD COLUMN IF NOT EXISTS shards_total       integer,
    ADD COLUMN IF NOT EXISTS shards_ok          integer,
    ADD COLUMN IF NOT EXISTS shards_failed      integer,
    ADD COLUMN IF NOT EXISTS shards_truncated   integer,
    ADD COLUMN IF NOT EXISTS iterations_started    bigint,
    ADD COLUMN IF NOT EXISTS iterations_succeeded  bigint,
    ADD COLUMN IF NOT EXISTS iterations_failed     bigint,
    ADD COLUMN IF NOT EXISTS iterations_interrupted bigint,
    ADD COLUMN IF NOT EXISTS iterations_dropped    bigint,
    ADD COLUMN IF NOT EXISTS requests           bigint,
    ADD COLUMN IF NOT EXISTS errors             bigint,
    ADD COLUMN IF NOT EXISTS error_rate         numeric,
    ADD COLUMN IF NOT EXISTS throughput_rps     numeric,
    ADD COLUMN IF NOT EXISTS min_web_time       numeric,
    ADD COLUMN IF NOT EXISTS p50_web_time       numeric,
    ADD COLUMN IF NOT EXISTS p90_web_time       numeric,
    ADD COLUMN IF NOT EXISTS p95_web_time       numeric,
    ADD COLUMN IF NOT EXISTS p99_web_time       numeric,
    ADD COLUMN IF NOT EXISTS p999_web_time      numeric,
    ADD COLUMN IF NOT EXISTS container_count    bigint,
    ADD COLUMN IF NOT EXISTS min_container_time numeric,
    ADD COLUMN IF NOT EXISTS p50_container_time numeric,
    ADD COLUMN IF NOT EXISTS p90_container_time numeric,
    ADD COLUMN IF NOT EXISTS p95_container_time numeric,
    ADD COLUMN IF NOT EXISTS p99_container_time numeric,
    ADD COLUMN IF NOT EXISTS p999_container_time numeric,
    ADD COLUMN IF NOT EXISTS interrupted        boolean,
    ADD COLUMN IF NOT EXISTS thresholds_passed  boolean,
    ADD COLUMN IF NOT EXISTS result             jsonb,
    ADD COLUMN IF NOT EXISTS result_hash        text,
    ADD COLUMN IF NOT EXISTS saved_at           timestamptz DEFAULT now();

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint
                   WHERE conname = 'load_testing_shards_check') THEN
        ALTER TABLE analytics.load_testing ADD CONSTRAINT
            load_testing_shards_check CHECK (
                shards_ok + shards_failed <= shards_total
                AND shards_truncated <= shards_total);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_constraint
                   WHERE conname = 'load_testing_mode_check') THEN
        ALTER TABLE analytics.load_testing ADD CONSTRAINT
            load_testing_mode_check CHECK (mode IN ('local', 'lambda'));
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_constraint
                   WHERE conname = 'load_testing_times_check') THEN
        ALTER TABLE analytics.load_testing ADD CONSTRAINT
            load_testing_times_check CHECK (finished_at >= started_at);
    END IF;
END $$;

-- "Latest runs of a plan."
CREATE INDEX IF NOT EXISTS load_testing_plan_started
    ON analytics.load_testing (plan_name, started_at DESC);
