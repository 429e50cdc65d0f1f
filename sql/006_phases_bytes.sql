-- 006: request timing phases and bytes per transaction (request
-- transactions; flows have none: NULL). Times in seconds, like the other
-- time columns.
--   sent_bytes, received_bytes  on the wire, headers included, every request
--                               (a chunked answer: its data, not the framing)
--   connections                 new connections the requests opened
--   dns/connect/tls_mean_time   mean per new connection (a reused one skips
--                               them; tls only on https)
--   wait_mean_time, wait_p95_time  request sent -> first byte of the answer
--   transfer_mean_time          first byte -> last
--   phases                      the result's "phases" object as written:
--                               per phase count, sum_us, mean_us, p50_us,
--                               p95_us, max_us (exact sums: add runs up with
--                               sum(sum_us) / sum(count))
-- Rows written before this migration have NULL here.
ALTER TABLE analytics.load_testing_transactions
    ADD COLUMN IF NOT EXISTS sent_bytes          bigint CHECK (sent_bytes >= 0),
    ADD COLUMN IF NOT EXISTS received_bytes      bigint CHECK (received_bytes >= 0),
    ADD COLUMN IF NOT EXISTS connections         bigint CHECK (connections >= 0),
    ADD COLUMN IF NOT EXISTS dns_mean_time       numeric,
    ADD COLUMN IF NOT EXISTS connect_mean_time   numeric,
    ADD COLUMN IF NOT EXISTS tls_mean_time       numeric,
    ADD COLUMN IF NOT EXISTS wait_mean_time      numeric,
    ADD COLUMN IF NOT EXISTS wait_p95_time       numeric,
    ADD COLUMN IF NOT EXISTS transfer_mean_time  numeric,
    ADD COLUMN IF NOT EXISTS phases              jsonb;
