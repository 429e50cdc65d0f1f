-- Runs whose p95 or error rate is worse than the median of the previous
-- :n runs of the same plan and transaction (psql -v n=5): p95 more than
-- 20 % above, or error rate more than 1 point above. Only runs that
-- measured their whole load count (verdict passed or thresholds_failed):
-- an interrupted, truncated or failed run is neither judged nor a baseline.
WITH ranked AS (
    SELECT t.*, row_number() OVER w AS seq
    FROM analytics.load_testing_transactions t
    JOIN analytics.load_testing l USING (run_id)
    WHERE l.verdict IN ('passed', 'thresholds_failed')
    WINDOW w AS (PARTITION BY t.plan_name, t.name, t.kind ORDER BY t.started_at)
), judged AS (
    SELECT cur.run_id, cur.plan_name, cur.name, cur.kind, cur.started_at,
           cur.p95_time, cur.error_rate,
           (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY prev.p95_time)
              FROM ranked prev
             WHERE prev.plan_name = cur.plan_name AND prev.name = cur.name
               AND prev.kind = cur.kind
               AND prev.seq BETWEEN cur.seq - :n AND cur.seq - 1) AS median_p95,
           (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY prev.error_rate)
              FROM ranked prev
             WHERE prev.plan_name = cur.plan_name AND prev.name = cur.name
               AND prev.kind = cur.kind
               AND prev.seq BETWEEN cur.seq - :n AND cur.seq - 1) AS median_error_rate
    FROM ranked cur
)
SELECT run_id, plan_name, name, kind, started_at,
       p95_time, median_p95, error_rate, median_error_rate
FROM judged
WHERE median_p95 IS NOT NULL
  AND (p95_time > median_p95 * 1.2 OR error_rate > median_error_rate + 0.01)
ORDER BY started_at DESC, plan_name, name;
