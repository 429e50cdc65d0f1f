-- 005: the run's verdict, so a baseline (compare --last N) can leave out
-- runs that did not measure the planned load. One of:
--   passed             every threshold passed, nothing failed
--   thresholds_failed  the load ran in full; a threshold failed
--   truncated          a shard hit its deadline or began late
--   no_success         no iteration succeeded
--   setup_failed       the plan's setup or teardown failed
--   shards_failed      a shard failed
--   interrupted        Ctrl-C, a signal or a cancelled job stopped it
-- (the strongest first wins). Baselines use passed and thresholds_failed
-- only. Old-system rows (no result) stay NULL. Rows saved before this
-- migration are classified from their stored columns and result.
ALTER TABLE analytics.load_testing
    ADD COLUMN IF NOT EXISTS verdict text;

UPDATE analytics.load_testing SET verdict = CASE
        WHEN interrupted THEN 'interrupted'
        WHEN shards_failed > 0 THEN 'shards_failed'
        WHEN jsonb_typeof(result->'setup_errors') = 'array'
             AND jsonb_array_length(result->'setup_errors') > 0 THEN 'setup_failed'
        WHEN coalesce(iterations_succeeded, 0) = 0 THEN 'no_success'
        WHEN shards_truncated > 0
             OR coalesce((result->'shards'->>'late')::int, 0) > 0 THEN 'truncated'
        WHEN thresholds_passed = false THEN 'thresholds_failed'
        ELSE 'passed' END
    WHERE result IS NOT NULL AND verdict IS NULL;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint
                   WHERE conname = 'load_testing_verdict_check') THEN
        ALTER TABLE analytics.load_testing ADD CONSTRAINT
            load_testing_verdict_check CHECK (verdict IN ('passed',
                'thresholds_failed', 'truncated', 'no_success',
                'setup_failed', 'shards_failed', 'interrupted'));
    END IF;
END $$;
