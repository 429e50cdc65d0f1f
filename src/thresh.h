/* thresh — pass/fail thresholds, written in plans as short sentences:
 *
 *   "<target> [failed] <metric> <op> <value>"
 *   target: a transaction name (may contain spaces), or "http" for all
 *           requests, or "flows" for all poll waits
 *   failed: the failed side of the target instead of the successful one
 *   metric: p50 p90 p95 p99 p99.9 min max mean  (durations: "30s", "250ms")
 *           error_rate (percent: "1%" or a fraction "0.01")
 *           rps (throughput, requests per second: a number)
 *           count (samples: a number)
 *   op:     < <= > >=
 * e.g. "container ready p95 < 30s", "http error_rate < 1%", "http rps > 50",
 * "http failed p99 < 2s", "task done failed count < 5".
 * The metric is found by scanning from the right, so names with spaces work;
 * the word before the metric, when it is "failed", picks the failed side
 * (so a transaction whose name ends in " failed" cannot be named here).
 *
 * What each metric measures (see stats.h):
 *   latency metrics (p*, min, max, mean): successful samples only; with
 *     "failed", failed samples only. No successful sample fails the
 *     threshold ("no successful samples": a flow whose every poll timed
 *     out is not fast); no failed sample passes a "failed" one (nothing
 *     failed, so nothing failed slowly).
 *   error_rate: errors / count (every failure over every sample);
 *   rps, count: every sample, successful and failed;
 *   failed count: every failure (the errors column: failed samples and
 *     failures without a latency). "failed" with error_rate or rps is
 *     refused.
 *
 * Who calls it: plan (parses at load time, so a typo fails `herd check`),
 * and main (evaluates after the run; any failure sets the exit code).
 * Thread-safe; parsed thresholds are read-only. */
#ifndef HERD_THRESH_H
#define HERD_THRESH_H
#include <stddef.h>
#include "result.h"

enum thresh_metric { TM_PCT, TM_MIN, TM_MAX, TM_MEAN, TM_ERROR_RATE, TM_RPS,
                     TM_COUNT };
enum thresh_op { TO_LT, TO_LE, TO_GT, TO_GE };

struct thresh {
    char *expr;              /* the source sentence, owned */
    char *target;            /* owned */
    enum thresh_metric metric;
    int failed;              /* "failed": the failed side */
    double pct;              /* for TM_PCT: 50, 90, 95, 99, 99.9 */
    enum thresh_op op;
    double value;            /* us for durations; fraction 0..1 for
                                error_rate; per second for rps; count */
};

/* Parses one threshold. Returns 0, or -1 with a reason in err saying what
 * was expected (e.g. "expected '<target> <metric> <op> <value>' like
 * \"http p95 < 500ms\""). */
int thresh_parse(const char *expr, struct thresh *out, char *err,
                 size_t errlen);
void thresh_clear(struct thresh *t);

/* Evaluates t against r. Returns 1 (pass) or 0 (fail) and sets *actual to
 * the measured value in the threshold's unit. A target with no samples
 * fails (nothing measured is not a pass) and *actual is NAN; so does a
 * latency metric with no successful sample. A "failed" latency metric with
 * no failed sample passes, *actual NAN. */
int thresh_eval(const struct thresh *t, const struct result *r,
                double *actual);
/* Why t measured nothing in r (when thresh_eval set NAN): "no such
 * transaction", "no samples", "no successful samples" or "no failed
 * samples"; NULL when it did measure. The reports show it in place of the
 * measured value. */
const char *thresh_unmeasured(const struct thresh *t, const struct result *r);
/* The verdict as the result's "thresholds" entry: {"expr", "ok", "value"
 * (null when nothing was measured), "measured" (thresh_format's text, or
 * thresh_unmeasured's reason)}. Sets *ok. Caller owns the object. */
cJSON *thresh_verdict(const struct thresh *t, const struct result *r,
                      int *ok);
/* Formats a measured value in the threshold's unit for people ("1.08s",
 * "0.25%", "85.0/s", "2000"). Returns buf. */
char *thresh_format(const struct thresh *t, double value, char *buf,
                    size_t n);
/* Evaluates the n thresholds ts against r and appends each verdict to
 * r->thresholds (in order). Returns 1 if all passed (or n is 0), else 0. */
int thresh_verdicts(const struct thresh *ts, int n, struct result *r);
#endif
