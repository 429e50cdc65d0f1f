-- Latest runs per plan: the 10 most recent runs of every plan, newest
-- first, with the headline numbers. Old-system rows (no plan) are grouped
-- under "(legacy)".
SELECT coalesce(plan_name, '(legacy)') AS plan, run_id, started_at, mode,
       num_users, requests, error_rate, throughput_rps,
       p95_web_time, p99_web_time, p95_container_time, thresholds_passed
FROM (
    SELECT t.*, row_number() OVER (PARTITION BY plan_name
                                   ORDER BY started_at DESC NULLS LAST) AS n
    FROM analytics.load_testing t
) latest
WHERE n <= 10
ORDER BY plan, started_at DESC NULLS LAST;
