/* thresh.c — threshold sentences; see thresh.h.
 *
 * Parsing splits on spaces from the right: the last word is the value, the
 * one before the operator, the one before that the metric, and everything
 * left of it the target — so transaction names may contain spaces. */
#include "thresh.h"
#include "buf.h"
#include "units.h"
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char expected[] = "expected '<target> <metric> <op> <value>' "
    "like \"http p95 < 500ms\" or \"http error_rate < 1%\"";

/* Cuts the last space-separated word off s (modified in place). */
static char *last_word(char *s)
{
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ') s[--n] = '\0';
    char *sp = strrchr(s, ' ');
    if (!sp) return NULL;
    *sp = '\0';
    return sp + 1;
}

int thresh_parse(const char *expr, struct thresh *out, char *err,
                 size_t errlen)
{
    memset(out, 0, sizeof *out);
    char *s = xstrdup(expr);
    char *value = last_word(s);
    char *op = value ? last_word(s) : NULL;
    char *metric = op ? last_word(s) : NULL;
    char *target = s;
    while (*target == ' ') target++;
    if (!metric || !*target) {
        snprintf(err, errlen, "%s", expected);
        free(s);
        return -1;
    }
    if (!strcmp(op, "<")) out->op = TO_LT;
    else if (!strcmp(op, "<=")) out->op = TO_LE;
    else if (!strcmp(op, ">")) out->op = TO_GT;
    else if (!strcmp(op, ">=")) out->op = TO_GE;
    else {
        snprintf(err, errlen, "unknown operator \"%s\" (expected <, <=, > "
                 "or >=)", op);
        free(s);
        return -1;
    }
    int duration = 0;
    if (metric[0] == 'p' && isdigit((unsigned char)metric[1])) {
        char *end;
        out->metric = TM_PCT;
        out->pct = strtod(metric + 1, &end);
        if (*end || out->pct <= 0 || out->pct > 100) {
            snprintf(err, errlen, "unknown percentile \"%s\" (expected p50, "
                     "p90, p95, p99, p99.9)", metric);
            free(s);
            return -1;
        }
        duration = 1;
    } else if (!strcmp(metric, "min")) { out->metric = TM_MIN; duration = 1; }
    else if (!strcmp(metric, "max")) { out->metric = TM_MAX; duration = 1; }
    else if (!strcmp(metric, "mean")) { out->metric = TM_MEAN; duration = 1; }
    else if (!strcmp(metric, "error_rate")) out->metric = TM_ERROR_RATE;
    else if (!strcmp(metric, "rps")) out->metric = TM_RPS;
    else if (!strcmp(metric, "count")) out->metric = TM_COUNT;
    else {
        snprintf(err, errlen, "unknown metric \"%s\" (expected p95, p99, "
                 "min, max, mean, error_rate, rps or count)", metric);
        free(s);
        return -1;
    }
    char *end;
    if (duration) {
        int64_t us;
        if (units_parse_duration(value, &us) < 0) {
            snprintf(err, errlen, "\"%s\": expected a duration like "
                     "\"500ms\"", value);
            free(s);
            return -1;
        }
        out->value = (double)us;
    } else if (out->metric == TM_ERROR_RATE) {
        out->value = strtod(value, &end);
        if (*end == '%' && end[1] == '\0') out->value /= 100.0;
        else if (*end || out->value > 1) {
            snprintf(err, errlen, "\"%s\": expected a percentage like "
                     "\"1%%\" or a fraction like 0.01", value);
            free(s);
            return -1;
        }
        if (end == value || out->value < 0 || out->value > 1) {
            snprintf(err, errlen, "\"%s\": expected a percentage", value);
            free(s);
            return -1;
        }
    } else {
        out->value = strtod(value, &end);
        if (end == value || *end || out->value < 0) {
            snprintf(err, errlen, "\"%s\": expected a number", value);
            free(s);
            return -1;
        }
    }
    out->expr = xstrdup(expr);
    out->target = xstrdup(target);
    free(s);
    return 0;
}

void thresh_clear(struct thresh *t)
{
    free(t->expr);
    free(t->target);
    memset(t, 0, sizeof *t);
}

int thresh_eval(const struct thresh *t, const struct result *r,
                double *actual)
{
    struct stats_tx sum;
    const struct stats_tx *tx = NULL;
    int summed = 0;
    if (!strcmp(t->target, "http") || !strcmp(t->target, "flows")) {
        stats_tx_sum(r->stats, !strcmp(t->target, "http") ? STATS_REQUEST :
                     STATS_FLOW, t->target, &sum);
        tx = &sum;
        summed = 1;
    } else {
        int i = stats_tx_find(r->stats, t->target);
        if (i >= 0) tx = &r->stats->tx[i];
    }
    *actual = NAN;
    int ok = 0;
    if (tx && tx->count > 0) {
        double secs = (double)(r->finished_unix_ms - r->started_unix_ms) / 1e3;
        switch (t->metric) {
        case TM_PCT: *actual = (double)hist_percentile(tx->hist, t->pct); break;
        case TM_MIN: *actual = (double)tx->min_us; break;
        case TM_MAX: *actual = (double)tx->max_us; break;
        case TM_MEAN: *actual = tx->mean_us; break;
        case TM_ERROR_RATE: *actual = (double)tx->errors / (double)tx->count; break;
        case TM_RPS: *actual = secs > 0 ? (double)tx->count / secs : 0; break;
        case TM_COUNT: *actual = (double)tx->count; break;
        }
        switch (t->op) {
        case TO_LT: ok = *actual < t->value; break;
        case TO_LE: ok = *actual <= t->value; break;
        case TO_GT: ok = *actual > t->value; break;
        case TO_GE: ok = *actual >= t->value; break;
        }
    }
    if (summed) stats_tx_clear(&sum);
    return ok;
}

char *thresh_format(const struct thresh *t, double v, char *buf, size_t n)
{
    switch (t->metric) {
    case TM_ERROR_RATE: snprintf(buf, n, "%.2f%%", v * 100); break;
    case TM_RPS: snprintf(buf, n, "%.1f/s", v); break;
    case TM_COUNT: snprintf(buf, n, "%.0f", v); break;
    default: units_format_duration(buf, n, v); break;
    }
    return buf;
}
