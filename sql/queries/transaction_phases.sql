-- Where the request time went, per transaction, over the last 8 weeks of a
-- plan (newest first): mean phases per request that went through them,
-- new connections and bytes. Ordered by started_at: run ids do not sort
-- by time.
SELECT t.started_at, t.name, t.count, t.connections,
       round(t.dns_mean_time * 1000, 3)      AS dns_ms,
       round(t.connect_mean_time * 1000, 3)  AS connect_ms,
       round(t.tls_mean_time * 1000, 3)      AS tls_ms,
       round(t.wait_mean_time * 1000, 3)     AS wait_ms,
       round(t.wait_p95_time * 1000, 3)      AS wait_p95_ms,
       round(t.transfer_mean_time * 1000, 3) AS transfer_ms,
       t.sent_bytes, t.received_bytes
FROM analytics.load_testing_transactions t
WHERE t.plan_name = :'plan' AND t.kind = 'request'
  AND t.started_at > now() - interval '8 weeks'
ORDER BY t.started_at DESC, t.name;
