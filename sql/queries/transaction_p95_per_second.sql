-- One run's p95 latency per second and transaction (requests: successful
-- samples; flows: completed flows), from the stored result's per-second
-- timelines. Seconds without a successful sample have p95 NULL.
SELECT tx->>'name' AS name, tx->>'kind' AS kind,
       to_timestamp((s->>'t')::bigint) AS second,
       (s->>'requests')::bigint AS samples, (s->>'errors')::bigint AS failed,
       CASE WHEN s->'hist' = 'null'::jsonb THEN NULL
            ELSE round((s->>'p95_us')::numeric / 1000, 3) END AS p95_ms
FROM analytics.load_testing l,
     jsonb_array_elements(l.result->'transactions') AS tx,
     jsonb_array_elements(coalesce(tx->'timeline', '[]'::jsonb)) AS s
WHERE l.run_id = :'run_id'
ORDER BY name, kind, second;
