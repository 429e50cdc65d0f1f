/* compare — a result against a baseline, per transaction, with tolerances:
 * the regression gate of the weekly workflow.
 *
 * A "set" is the handful of numbers compared for every transaction and for
 * all requests ("http"): count, p50/p95/p99 (us) of the successful
 * samples, error rate (0..1) and throughput (per second) of every sample,
 * and, shown but never gated, the failed samples' p99: a run that fails
 * fast must not pass as a faster run, and one whose failures got slower
 * (timeouts) is seen. A baseline set comes from one result, or is the
 * per-transaction median over several results (the last N runs).
 *
 * Pure computation and formatting; main fetches the results (files or the
 * database). Thread-safe. */
#ifndef HERD_COMPARE_H
#define HERD_COMPARE_H
#include <stdio.h>
#include "result.h"

struct cmp_row {
    char *name;                  /* "http" for all requests */
    int kind;                    /* enum stats_kind */
    double count, p50_us, p95_us, p99_us, error_rate, rps;
    double ok;                   /* successful samples (the latencies') */
    double failed, failed_p99_us;   /* failed samples and their p99 */
};

struct cmp_set {
    struct cmp_row *rows;
    int n;
};

/* Tolerances; a negative value turns that check off. Latencies and
 * throughput are relative (0.20 = 20 %), error rate absolute (0.01 = one
 * percentage point). */
struct cmp_tol {
    double p50, p95, p99, error_rate, rps_drop;
};

/* Defaults: p95 +20 %, p99 +30 %, error rate +1 point; p50 and
 * throughput reported but not gated. */
void cmp_tol_default(struct cmp_tol *t);
/* Parses "p95=20%,p99=off,error_rate=1%,rps=10%" over t. Returns 0 or -1
 * with a reason in err. */
int cmp_tol_parse(const char *spec, struct cmp_tol *t, char *err,
                  size_t errlen);

void cmp_from_result(const struct result *r, struct cmp_set *out);
/* out = per-row median over sets (rows matched by name and kind). */
void cmp_median(const struct cmp_set *sets, int n, struct cmp_set *out);
void cmp_set_free(struct cmp_set *s);

/* Prints the side-by-side table and returns the number of regressions
 * beyond the tolerances (a transaction missing from the current run is
 * not a regression; one new in it is shown without a baseline). */
int cmp_print(FILE *f, const char *base_label, const struct cmp_set *base,
              const char *cur_label, const struct cmp_set *cur,
              const struct cmp_tol *tol);
#endif
