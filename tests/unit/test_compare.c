/* test_compare.c — the regression gate (compare.h): tolerance parsing, the
 * per-transaction median over several baselines (each number only over the
 * runs that say something about it), and cmp_print's verdicts exactly at
 * and just past each tolerance. */
#include "t.h"
#include "compare.h"
#include <math.h>
#include <stdlib.h>

static struct cmp_row row(const char *name, double count, double ok,
                          double p50, double p95, double p99, double er,
                          double rps)
{
    struct cmp_row r = {0};
    r.name = strdup(name);
    r.kind = STATS_REQUEST;
    r.count = count;
    r.ok = ok;
    r.failed = count - ok;
    r.p50_us = p50;
    r.p95_us = p95;
    r.p99_us = p99;
    r.error_rate = er;
    r.rps = rps;
    return r;
}

static struct cmp_set set1(struct cmp_row a)
{
    struct cmp_set s = {malloc(sizeof a), 1};
    s.rows[0] = a;
    return s;
}

static void test_tol(void)
{
    struct cmp_tol t;
    char err[256] = "";
    cmp_tol_default(&t);
    CHECK(t.p50 < 0);
    CHECK(fabs(t.p95 - 0.20) < 1e-12);
    CHECK(fabs(t.p99 - 0.30) < 1e-12);
    CHECK(fabs(t.error_rate - 0.01) < 1e-12);
    CHECK(t.rps_drop < 0);
    CHECK_INT(cmp_tol_parse("p95=10%,p99=off,rps=5,p50=2.5%", &t, err, sizeof err), 0);
    CHECK(fabs(t.p95 - 0.10) < 1e-12);
    CHECK(t.p99 < 0);
    CHECK(fabs(t.rps_drop - 0.05) < 1e-12);
    CHECK(fabs(t.p50 - 0.025) < 1e-12);
    CHECK(fabs(t.error_rate - 0.01) < 1e-12);   /* untouched */
    const char *bad[] = {"p95", "p95=abc", "p95=-1%", "p95=10%x", "p90=10%",
                         "p95=", NULL};
    for (const char **b = bad; *b; b++) {
        err[0] = '\0';
        int rc = cmp_tol_parse(*b, &t, err, sizeof err);
        if (rc == 0) fprintf(stderr, "accepted \"%s\"\n", *b);
        CHECK(rc == -1);
        CHECK(err[0] != '\0');
    }
    cmp_tol_parse("p90=1%", &t, err, sizeof err);
    CHECK_STR(err, "unknown tolerance \"p90\" (expected p50, p95, p99, "
              "error_rate or rps)");
}

/* Median per number over the runs that measured it. */
static void test_median(void)
{
    struct cmp_set s[4];
    s[0] = set1(row("a", 100, 100, 10, 100, 1000, 0.00, 10));
    s[1] = set1(row("a", 100, 90, 30, 300, 3000, 0.10, 30));
    s[2] = set1(row("a", 100, 95, 20, 200, 2000, 0.05, 20));
    s[3] = set1(row("a", 100, 0, 0, 0, 0, 1.00, 90));   /* no success */
    s[0].rows[0].failed_p99_us = 0;
    s[1].rows[0].failed_p99_us = 700;
    s[2].rows[0].failed_p99_us = 500;
    s[3].rows[0].failed_p99_us = 100;
    struct cmp_set m;
    /* three runs: the middle value of each number */
    cmp_median(s, 3, &m);
    CHECK_INT(m.n, 1);
    CHECK_STR(m.rows[0].name, "a");
    CHECK(m.rows[0].p50_us == 20);
    CHECK(m.rows[0].p95_us == 200);
    CHECK(m.rows[0].p99_us == 2000);
    CHECK(fabs(m.rows[0].error_rate - 0.05) < 1e-12);
    CHECK(m.rows[0].rps == 20);
    CHECK(m.rows[0].ok == 95);
    /* failed p99 only over runs with failures: (700 + 500) / 2 */
    CHECK(m.rows[0].failed_p99_us == 600);
    cmp_set_free(&m);
    /* four runs, one without successes: latencies over the other three,
     * rates and counts over all four (even n: the mean of the middle two) */
    cmp_median(s, 4, &m);
    CHECK(m.rows[0].p95_us == 200);
    CHECK(m.rows[0].p50_us == 20);
    CHECK(fabs(m.rows[0].error_rate - 0.075) < 1e-12);
    CHECK(m.rows[0].rps == 25);
    CHECK(m.rows[0].ok == 92.5);
    CHECK(m.rows[0].failed_p99_us == 500);
    cmp_set_free(&m);
    /* a transaction only some runs have: its median over those */
    struct cmp_set t[2] = {set1(row("a", 10, 10, 1, 2, 3, 0, 1)),
                           set1(row("b", 10, 10, 5, 50, 500, 0, 1))};
    cmp_median(t, 2, &m);
    CHECK_INT(m.n, 2);
    CHECK(m.n == 2 && m.rows[1].p95_us == 50);
    cmp_set_free(&m);
    for (int i = 0; i < 4; i++) cmp_set_free(&s[i]);
    for (int i = 0; i < 2; i++) cmp_set_free(&t[i]);
}

static int print(const struct cmp_set *b, const struct cmp_set *c,
                 const struct cmp_tol *tol, char **out)
{
    size_t len;
    FILE *f = open_memstream(out, &len);
    int n = cmp_print(f, "base", b, "cur", c, tol);
    fclose(f);
    return n;
}

/* The line of metric m in the block of transaction name. */
static const char *line_of(const char *out, const char *name, const char *m,
                           char *buf, size_t n)
{
    const char *p = strstr(out, name);
    buf[0] = '\0';
    while (p && (p = strchr(p, '\n'))) {
        p++;
        const char *e = strchr(p, '\n');
        if (!e) break;
        if (strncmp(p + 29, m, strlen(m)) == 0 && p[29 + strlen(m)] == ' ') {
            snprintf(buf, n, "%.*s", (int)(e - p), p);
            return buf;
        }
    }
    return buf;
}

static void test_print(void)
{
    struct cmp_tol tol;
    cmp_tol_default(&tol);
    tol.rps_drop = 0.10;
    char *out, l[256];
    /* exactly at each tolerance: ok */
    struct cmp_set b = set1(row("t", 100, 99, 1000, 100000, 100000, 0.01, 100));
    struct cmp_set c = set1(row("t", 100, 98, 5000, 120000, 130000, 0.02, 90));
    CHECK_INT(print(&b, &c, &tol, &out), 0);
    CHECK(strstr(line_of(out, "\nt ", "p95", l, sizeof l), "+20.0%  ok") != NULL);
    CHECK(strstr(line_of(out, "\nt ", "p99", l, sizeof l), "+30.0%  ok") != NULL);
    CHECK(strstr(line_of(out, "\nt ", "error_rate", l, sizeof l), "+1.00pt  ok") != NULL);
    CHECK(strstr(line_of(out, "\nt ", "rps", l, sizeof l), "-10.0%  ok") != NULL);
    /* p50 is shown, not gated: +400 % and no verdict */
    line_of(out, "\nt ", "p50", l, sizeof l);
    CHECK(strstr(l, "+400.0%") != NULL && strstr(l, "REGRESSION") == NULL);
    CHECK(strstr(out, "\n0 regressions beyond the tolerances\n") != NULL);
    free(out);
    /* just past each: four regressions */
    c.rows[0].p95_us = 120500;
    c.rows[0].p99_us = 130500;
    c.rows[0].error_rate = 0.0201;
    c.rows[0].rps = 89.9;
    CHECK_INT(print(&b, &c, &tol, &out), 4);
    CHECK(strstr(line_of(out, "\nt ", "p95", l, sizeof l), "REGRESSION") != NULL);
    CHECK(strstr(line_of(out, "\nt ", "p99", l, sizeof l), "REGRESSION") != NULL);
    CHECK(strstr(line_of(out, "\nt ", "error_rate", l, sizeof l), "REGRESSION") != NULL);
    CHECK(strstr(line_of(out, "\nt ", "rps", l, sizeof l), "REGRESSION") != NULL);
    CHECK(strstr(out, "\n4 regressions beyond the tolerances\n") != NULL);
    free(out);
    /* a tolerance turned off gates nothing; faster is never a regression */
    tol.p95 = -1;
    c.rows[0].p99_us = 50000;
    c.rows[0].error_rate = 0;
    c.rows[0].rps = 200;
    CHECK_INT(print(&b, &c, &tol, &out), 0);
    CHECK(strstr(line_of(out, "\nt ", "p95", l, sizeof l), "REGRESSION") == NULL);
    free(out);
    cmp_tol_default(&tol);
    /* no successful samples now: said so, not a latency regression (the
     * error rate is what fails) */
    struct cmp_set z = set1(row("t", 100, 0, 0, 0, 0, 1.0, 100));
    z.rows[0].failed_p99_us = 3000;
    CHECK_INT(print(&b, &z, &tol, &out), 1);
    CHECK(strstr(line_of(out, "\nt ", "p95", l, sizeof l), "no successful samples") != NULL);
    CHECK(strstr(line_of(out, "\nt ", "error_rate", l, sizeof l), "REGRESSION") != NULL);
    CHECK(line_of(out, "\nt ", "failed p99", l, sizeof l)[0] != '\0');
    free(out);
    /* new in the current run: no baseline, no regression; missing from the
     * current run: not a regression either */
    struct cmp_set nb = set1(row("other", 10, 10, 1, 1, 1, 0, 1));
    CHECK_INT(print(&nb, &c, &tol, &out), 0);
    CHECK(strstr(line_of(out, "\nt ", "p95", l, sizeof l), "no baseline") != NULL);
    CHECK(strstr(out, "other") == NULL);
    free(out);
    cmp_set_free(&b);
    cmp_set_free(&c);
    cmp_set_free(&z);
    cmp_set_free(&nb);
}

/* cmp_from_result: "http" first (all requests), then every transaction,
 * rates over the run's duration. */
static void test_from_result(void)
{
    struct result *r = result_new();
    r->started_unix_ms = 1700000000000;
    r->finished_unix_ms = 1700000010000;
    int a = stats_tx_index(r->stats, "a", STATS_REQUEST);
    int f = stats_tx_index(r->stats, "f", STATS_FLOW);
    for (int i = 1; i <= 100; i++)
        stats_record(r->stats, a, i * 1000, i * 1000, i % 10 ? 200 : 500,
                     i % 10 ? ERR_NONE : ERR_STATUS, NULL, 1700000000 + i % 10);
    stats_record(r->stats, f, 5000000, 5000000, 0, ERR_NONE, NULL, 1700000005);
    struct cmp_set s;
    cmp_from_result(r, &s);
    CHECK_INT(s.n, 3);
    if (s.n == 3) {
        CHECK_STR(s.rows[0].name, "http");
        CHECK(s.rows[0].count == 100);       /* requests only, not the flow */
        CHECK_STR(s.rows[1].name, "a");
        CHECK(s.rows[1].ok == 90 && s.rows[1].failed == 10);
        CHECK(fabs(s.rows[1].error_rate - 0.10) < 1e-12);
        CHECK(fabs(s.rows[1].rps - 10.0) < 1e-12);
        /* successes are 1..99 ms without the multiples of 10: p50 ~ 50 ms */
        CHECK(s.rows[1].p50_us >= 49000 && s.rows[1].p50_us <= 52000);
        CHECK(s.rows[1].p99_us >= 98000 && s.rows[1].p99_us <= 99500);
        CHECK(s.rows[1].failed_p99_us >= 99000);
        CHECK_INT(s.rows[2].kind, STATS_FLOW);
    }
    cmp_set_free(&s);
    result_free(r);
}

int main(void)
{
    T_RUN(test_tol);
    T_RUN(test_median);
    T_RUN(test_print);
    T_RUN(test_from_result);
    return T_DONE();
}
