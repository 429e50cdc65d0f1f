/* thresh — pass/fail thresholds, written in plans as short sentences:
 *
 *   "<target> <metric> <op> <value>"
 *   target: a transaction name (may contain spaces), or "http" for all
 *           requests, or "flows" for all poll waits
 *   metric: p50 p90 p95 p99 p99.9 min max mean  (durations: "30s", "250ms")
 *           error_rate (percent: "1%" or a fraction "0.01")
 *           rps (throughput, requests per second: a number)
 *           count (samples: a number)
 *   op:     < <= > >=
 * e.g. "container ready p95 < 30s", "http error_rate < 1%", "http rps > 50".
 * The metric is found by scanning from the right, so names with spaces work.
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
 * fails (nothing measured is not a pass) and *actual is NAN. */
int thresh_eval(const struct thresh *t, const struct result *r,
                double *actual);
/* Formats a measured value in the threshold's unit for people ("1.08s",
 * "0.25%", "85.0/s", "2000"). Returns buf. */
char *thresh_format(const struct thresh *t, double value, char *buf,
                    size_t n);
#endif
