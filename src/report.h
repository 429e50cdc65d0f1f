/* report — renders a result for people: the final text table per
 * transaction, and the CSV export of that table.
 *
 * Who calls it: main after a run and `herd report`. Pure formatting over a
 * struct result; no I/O except to the FILE given. Durations are printed with
 * units_format_duration; rates per second. */
#ifndef HERD_REPORT_H
#define HERD_REPORT_H
#include <stdio.h>
#include "result.h"

/* Writes the human report: header (plan, target, mode, start, duration,
 * shards), iterations (started = succeeded + failed + interrupted, dropped),
 * one table row per transaction (name, count, errors, err%, rate/s over
 * every sample; min, mean, stddev, p50, p90, p95, p99, p99.9, max over the
 * successful samples), under it a "failed: N" line with the same latency
 * columns over the failed samples when there were any, the all-requests
 * and all-flows rows, status codes, errors by kind, thresholds and their
 * verdicts, setup/teardown errors, truncated and late shards (TRUNCATED /
 * LATE lines under the header), and a final "verdict: PASS" or "verdict:
 * FAIL" block with one line per failure (result_failures). Returns 0, or
 * -1 on a write error. */
int report_text(FILE *f, const struct result *r);

/* bytes as "930 B", "42.4 KiB", "1.05 MiB" (powers of 1024) into b;
 * returns b. */
const char *report_bytes(char *b, size_t n, int64_t bytes);

/* The measured text of one entry t of r->thresholds: its "measured", or
 * why nothing was measured ("no successful samples", ...; results written
 * before thresh_verdict leave it out). Returns it or buf. */
const char *report_threshold_measured(const cJSON *t, const struct result *r,
                                      char *buf, size_t n);

/* Writes the per-transaction table as CSV with a header line; latencies in
 * milliseconds with 3 decimals; min..max of successful samples, then ok,
 * failed and failed_p50/p99/max_ms of the failed ones. Returns 0, or -1 on
 * a write error. */
int report_csv(FILE *f, const struct result *r);
/* Writes a GitHub-flavoured markdown summary (verdict, totals, the
 * per-transaction table, thresholds, shards): for $GITHUB_STEP_SUMMARY.
 * Returns 0, or -1 on a write error. */
int report_markdown(FILE *f, const struct result *r);
/* Writes what was measured apart from the load — the per-user setup
 * (on_start) and the warm-up — as the text report's lines; nothing when
 * the result has neither. For the HTML report's section of its own. */
void report_apart(FILE *f, const struct result *r);
#endif
