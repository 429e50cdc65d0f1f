/* compare.c — baseline comparison; see compare.h. */
#include "compare.h"
#include "buf.h"
#include "units.h"
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

void cmp_tol_default(struct cmp_tol *t)
{
    t->p50 = -1;
    t->p95 = 0.20;
    t->p99 = 0.30;
    t->error_rate = 0.01;
    t->rps_drop = -1;
}

int cmp_tol_parse(const char *spec, struct cmp_tol *t, char *err,
                  size_t errlen)
{
    char *copy = xstrdup(spec), *save = NULL;
    int rc = 0;
    for (char *item = strtok_r(copy, ",", &save); item && rc == 0;
         item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        if (!eq) {
            snprintf(err, errlen, "\"%s\": expected name=value like "
                     "p95=20%%", item);
            rc = -1;
            break;
        }
        *eq = '\0';
        const char *v = eq + 1;
        double val = -1;
        if (strcmp(v, "off") != 0) {
            char *end;
            val = strtod(v, &end);
            if (end == v || (*end && strcmp(end, "%")) || val < 0) {
                snprintf(err, errlen, "%s=%s: expected a percentage like "
                         "20%% or \"off\"", item, v);
                rc = -1;
                break;
            }
            val /= 100.0;
        }
        if (!strcmp(item, "p50")) t->p50 = val;
        else if (!strcmp(item, "p95")) t->p95 = val;
        else if (!strcmp(item, "p99")) t->p99 = val;
        else if (!strcmp(item, "error_rate")) t->error_rate = val;
        else if (!strcmp(item, "rps")) t->rps_drop = val;
        else {
            snprintf(err, errlen, "unknown tolerance \"%s\" (expected p50, "
                     "p95, p99, error_rate or rps)", item);
            rc = -1;
        }
    }
    free(copy);
    return rc;
}

static void add_row(struct cmp_set *s, const struct stats_tx *t,
                    const char *name, double secs)
{
    s->rows = xrealloc(s->rows, (size_t)(s->n + 1) * sizeof *s->rows);
    struct cmp_row *r = &s->rows[s->n++];
    r->name = xstrdup(name);
    r->kind = t->kind;
    r->count = (double)t->count;
    r->ok = (double)stats_tx_ok(t);
    r->failed = (double)t->failed;
    r->failed_p99_us = (double)hist_percentile(t->fail_hist, 99);
    r->p50_us = (double)hist_percentile(t->hist, 50);
    r->p95_us = (double)hist_percentile(t->hist, 95);
    r->p99_us = (double)hist_percentile(t->hist, 99);
    r->error_rate = t->count ? (double)t->errors / (double)t->count : 0;
    r->rps = secs > 0 ? (double)t->count / secs : 0;
}

void cmp_from_result(const struct result *r, struct cmp_set *out)
{
    out->rows = NULL;
    out->n = 0;
    double secs = (double)(r->finished_unix_ms - r->started_unix_ms) / 1e3;
    struct stats_tx all;
    stats_tx_sum(r->stats, STATS_REQUEST, "http", &all);
    add_row(out, &all, "http", secs);
    stats_tx_clear(&all);
    for (int i = 0; i < r->stats->ntx; i++)
        add_row(out, &r->stats->tx[i], r->stats->tx[i].name, secs);
}

void cmp_set_free(struct cmp_set *s)
{
    for (int i = 0; i < s->n; i++) free(s->rows[i].name);
    free(s->rows);
    s->rows = NULL;
    s->n = 0;
}

static const struct cmp_row *find(const struct cmp_set *s, const char *name,
                                  int kind)
{
    for (int i = 0; i < s->n; i++)
        if (s->rows[i].kind == kind && !strcmp(s->rows[i].name, name))
            return &s->rows[i];
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void cmp_median(const struct cmp_set *sets, int n, struct cmp_set *out)
{
    out->rows = NULL;
    out->n = 0;
    double *v = xcalloc((size_t)(n ? n : 1), sizeof *v);
    for (int s = 0; s < n; s++) {
        for (int i = 0; i < sets[s].n; i++) {
            const struct cmp_row *r = &sets[s].rows[i];
            if (find(out, r->name, r->kind)) continue;
            out->rows = xrealloc(out->rows, (size_t)(out->n + 1) * sizeof *out->rows);
            struct cmp_row *m = &out->rows[out->n++];
            m->name = xstrdup(r->name);
            m->kind = r->kind;
            /* Each number with the count that must be non-zero for a run
             * to say anything about it: runs without successful samples
             * say nothing about successful latencies, and so on. */
            static const struct { size_t off, need; } fs[] = {
                {offsetof(struct cmp_row, count), offsetof(struct cmp_row, count)},
                {offsetof(struct cmp_row, ok), offsetof(struct cmp_row, count)},
                {offsetof(struct cmp_row, failed), offsetof(struct cmp_row, count)},
                {offsetof(struct cmp_row, p50_us), offsetof(struct cmp_row, ok)},
                {offsetof(struct cmp_row, p95_us), offsetof(struct cmp_row, ok)},
                {offsetof(struct cmp_row, p99_us), offsetof(struct cmp_row, ok)},
                {offsetof(struct cmp_row, error_rate), offsetof(struct cmp_row, count)},
                {offsetof(struct cmp_row, rps), offsetof(struct cmp_row, count)},
                {offsetof(struct cmp_row, failed_p99_us),
                 offsetof(struct cmp_row, failed)}};
            for (size_t f = 0; f < sizeof fs / sizeof *fs; f++) {
                int k = 0;
                for (int t = 0; t < n; t++) {
                    const struct cmp_row *x = find(&sets[t], r->name, r->kind);
                    if (x && *(const double *)((const char *)x + fs[f].need) > 0)
                        v[k++] = *(const double *)((const char *)x + fs[f].off);
                }
                *(double *)((char *)m + fs[f].off) = k ? median(v, k) : 0;
            }
        }
    }
    free(v);
}

static const char *fmt_change(char *b, size_t n, double base, double cur)
{
    if (base <= 0) snprintf(b, n, "%s", cur > 0 ? "new" : "-");
    else snprintf(b, n, "%+.1f%%", (cur - base) / base * 100);
    return b;
}

int cmp_print(FILE *f, const char *base_label, const struct cmp_set *base,
              const char *cur_label, const struct cmp_set *cur,
              const struct cmp_tol *tol)
{
    int regressions = 0;
    fprintf(f, "comparing %s\n     with %s\n", cur_label, base_label);
    fprintf(f, "p50/p95/p99: successful samples; error_rate, rps: every "
            "sample; failed p99: the\nfailed samples, shown when there are "
            "any, not gated\n\n");
    fprintf(f, "%-28s %-10s %10s %10s %9s  %s\n", "transaction", "metric",
            "baseline", "current", "change", "verdict");
    for (int i = 0; i < cur->n; i++) {
        const struct cmp_row *c = &cur->rows[i];
        const struct cmp_row *b = find(base, c->name, c->kind);
        if (!c->count && !(b && b->count)) continue;
        struct { const char *m; double bv, cv, tol; int kind; } rows[] = {
            {"p50", b ? b->p50_us : 0, c->p50_us, tol->p50, 0},
            {"p95", b ? b->p95_us : 0, c->p95_us, tol->p95, 0},
            {"p99", b ? b->p99_us : 0, c->p99_us, tol->p99, 0},
            {"error_rate", b ? b->error_rate : 0, c->error_rate, tol->error_rate, 1},
            {"rps", b ? b->rps : 0, c->rps, tol->rps_drop, 2},
            {"failed p99", b ? b->failed_p99_us : 0, c->failed_p99_us, -1, 0},
        };
        int nrows = sizeof rows / sizeof *rows;
        if (!c->failed && !(b && b->failed)) nrows--;
        for (int k = 0; k < nrows; k++) {
            char bs[32], cs[32], ch[32];
            const char *verdict = "";
            if (rows[k].kind == 0) {
                units_format_duration(bs, sizeof bs, rows[k].bv);
                units_format_duration(cs, sizeof cs, rows[k].cv);
            } else if (rows[k].kind == 1) {
                snprintf(bs, sizeof bs, "%.2f%%", rows[k].bv * 100);
                snprintf(cs, sizeof cs, "%.2f%%", rows[k].cv * 100);
            } else {
                snprintf(bs, sizeof bs, "%.1f/s", rows[k].bv);
                snprintf(cs, sizeof cs, "%.1f/s", rows[k].cv);
            }
            if (rows[k].kind == 1)
                snprintf(ch, sizeof ch, "%+.2fpt", (rows[k].cv - rows[k].bv) * 100);
            else
                fmt_change(ch, sizeof ch, rows[k].bv, rows[k].cv);
            int bad = 0;
            /* Latencies are compared when both sides had successes. */
            int have = rows[k].kind != 0 || (b && b->ok && c->ok);
            if (k == 5) {
                verdict = "";
            } else if (b && b->count && c->count && !have) {
                verdict = c->ok ? "no baseline" : "no successful samples";
            } else if (b && b->count && c->count && rows[k].tol >= 0) {
                if (rows[k].kind == 0)
                    bad = rows[k].cv > rows[k].bv * (1 + rows[k].tol);
                else if (rows[k].kind == 1)
                    bad = rows[k].cv > rows[k].bv + rows[k].tol;
                else
                    bad = rows[k].cv < rows[k].bv * (1 - rows[k].tol);
                verdict = bad ? "REGRESSION" : "ok";
            } else if (!b || !b->count) {
                verdict = "no baseline";
            }
            regressions += bad;
            fprintf(f, "%-28.28s %-10s %10s %10s %9s  %s\n",
                    k == 0 ? c->name : "", rows[k].m, bs, cs, ch, verdict);
        }
    }
    fprintf(f, "\n%d regression%s beyond the tolerances\n", regressions,
            regressions == 1 ? "" : "s");
    return regressions;
}
