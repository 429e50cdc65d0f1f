-- Runs with failed or truncated shards, newest first, with the reasons the
-- coordinator recorded.
SELECT run_id, plan_name, started_at, shards_total, shards_ok,
       shards_failed, shards_truncated,
       result -> 'shards' -> 'failures' AS failures
FROM analytics.load_testing
WHERE shards_failed > 0 OR shards_truncated > 0
ORDER BY started_at DESC NULLS LAST;
