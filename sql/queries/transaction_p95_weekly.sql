-- One transaction's p95 week by week: for plan :'plan' and transaction
-- :'name' (psql -v plan=... -v name=...), the median of the runs' p95 in
-- each ISO week, with the number of runs and requests behind it.
SELECT date_trunc('week', started_at) AS week,
       count(*) AS runs,
       sum(count) AS samples,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY p95_time) AS p95_seconds,
       max(p95_time) AS worst_p95_seconds,
       sum(errors)::numeric / nullif(sum(count), 0) AS error_rate
FROM analytics.load_testing_transactions
WHERE plan_name = :'plan' AND name = :'name'
GROUP BY 1
ORDER BY 1;
