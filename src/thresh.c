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
#include <strings.h>

static const char expected[] = "expected '<target> <metric> <op> <value>' "
    "like \"http p95 < 500ms\" or \"http error_rate < 1%\"";

/* Unit words people type after a number, and herd's own spelling. */
static const char *unit_word(const char *w)
{
    static const char *const map[][2] = {
        {"us", "us"}, {"microsecond", "us"}, {"microseconds", "us"},
        {"ms", "ms"}, {"msec", "ms"}, {"msecs", "ms"},
        {"millisecond", "ms"}, {"milliseconds", "ms"},
        {"s", "s"}, {"sec", "s"}, {"secs", "s"}, {"second", "s"},
        {"seconds", "s"}, {"m", "m"}, {"min", "m"}, {"mins", "m"},
        {"minute", "m"}, {"minutes", "m"}, {"h", "h"}, {"hour", "h"},
        {"hours", "h"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcasecmp(w, map[i][0])) return map[i][1];
    return NULL;
}

/* "1s", "1 s", "1 second", "500 ms", "1.5seconds": a duration, or -1. */
static int parse_duration_words(const char *v, int64_t *us)
{
    if (units_parse_duration(v, us) == 0) return 0;
    size_t n = strspn(v, "0123456789.");
    if (!n || n > 30) return -1;
    const char *w = v + n;
    while (*w == ' ') w++;
    const char *u = unit_word(w);
    if (!u) return -1;
    char norm[48];
    snprintf(norm, sizeof norm, "%.*s%s", (int)n, v, u);
    return units_parse_duration(norm, us);
}

/* 1 if w is a number ("1", "0.5") that may have a unit word after it. */
static int is_number(const char *w)
{
    size_t n = strspn(w, "0123456789.");
    return n > 0 && w[n] == '\0';
}

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
    /* "1 second", "500 ms", "1 %": the number and its unit are one value. */
    char joined[96];
    if (value && !is_number(value) && strlen(value) < 40) {
        char *sp = strrchr(s, ' ');
        char *prev = sp ? sp + 1 : NULL;
        if (prev && is_number(prev) && strlen(prev) < 40 &&
            (strspn(value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
             == strlen(value) || !strcmp(value, "%"))) {
            snprintf(joined, sizeof joined, "%s%s%s", prev,
                     strcmp(value, "%") ? " " : "", value);
            *sp = '\0';
            value = joined;
        }
    }
    char *op = value ? last_word(s) : NULL;
    char *metric = op ? last_word(s) : NULL;
    char *target = s;
    while (*target == ' ') target++;
    /* "<target> failed <metric>": the failed side. */
    size_t tl = strlen(target);
    while (tl && target[tl - 1] == ' ') target[--tl] = '\0';
    if (metric && tl > 7 && !strcmp(target + tl - 7, " failed")) {
        out->failed = 1;
        tl -= 7;
        while (tl && target[tl - 1] == ' ') tl--;
        target[tl] = '\0';
    }
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
    if (out->failed && (out->metric == TM_ERROR_RATE || out->metric == TM_RPS)) {
        snprintf(err, errlen, "\"failed %s\": the failed side has latencies "
                 "(p95, min, max, mean) and a count; error_rate and rps are "
                 "of every sample (write it without \"failed\")", metric);
        free(s);
        return -1;
    }
    char *end;
    if (duration) {
        int64_t us;
        if (parse_duration_words(value, &us) < 0) {
            snprintf(err, errlen, "\"%s\": expected a duration like "
                     "\"500ms\", \"1s\" or \"1 second\" (us, ms, s, m, h)",
                     value);
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
    int latency = t->metric == TM_PCT || t->metric == TM_MIN ||
                  t->metric == TM_MAX || t->metric == TM_MEAN;
    if (tx && tx->count > 0 && latency && t->failed && !tx->failed) {
        ok = 1;                             /* nothing failed slowly */
    } else if (tx && tx->count > 0 && latency && !t->failed &&
               !stats_tx_ok(tx)) {
        ok = 0;                             /* no success is not fast */
    } else if (tx && tx->count > 0) {
        double secs = (double)(r->finished_unix_ms - r->started_unix_ms) / 1e3;
        const struct hist *h = t->failed ? tx->fail_hist : tx->hist;
        switch (t->metric) {
        case TM_PCT: *actual = (double)hist_percentile(h, t->pct); break;
        case TM_MIN:
            *actual = (double)(t->failed ? tx->fail_min_us : tx->min_us);
            break;
        case TM_MAX:
            *actual = (double)(t->failed ? tx->fail_max_us : tx->max_us);
            break;
        case TM_MEAN: *actual = t->failed ? tx->fail_mean_us : tx->mean_us; break;
        case TM_ERROR_RATE: *actual = (double)tx->errors / (double)tx->count; break;
        case TM_RPS: *actual = secs > 0 ? (double)tx->count / secs : 0; break;
        case TM_COUNT:
            *actual = (double)(t->failed ? tx->errors : tx->count);
            break;
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

const char *thresh_unmeasured(const struct thresh *t, const struct result *r)
{
    int64_t count = 0, failed = 0, found = 0;
    int http = !strcmp(t->target, "http"), flows = !strcmp(t->target, "flows");
    for (int i = 0; i < r->stats->ntx; i++) {
        const struct stats_tx *x = &r->stats->tx[i];
        if (http || flows ? (int)x->kind == (http ? STATS_REQUEST : STATS_FLOW)
                          : !strcmp(x->name, t->target)) {
            found = 1;
            count += x->count;
            failed += x->failed;
        }
    }
    if (!found && !http && !flows) return "no such transaction";
    if (!count) return "no samples";
    if (t->metric != TM_PCT && t->metric != TM_MIN && t->metric != TM_MAX &&
        t->metric != TM_MEAN)
        return NULL;
    if (!t->failed && count == failed) return "no successful samples";
    if (t->failed && !failed) return "no failed samples";
    return NULL;
}

cJSON *thresh_verdict(const struct thresh *t, const struct result *r, int *ok)
{
    double actual;
    *ok = thresh_eval(t, r, &actual);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "expr", t->expr);
    cJSON_AddBoolToObject(o, "ok", *ok);
    if (!isnan(actual)) {
        char shown[64];
        cJSON_AddNumberToObject(o, "value", actual);
        thresh_format(t, actual, shown, sizeof shown);
        cJSON_AddStringToObject(o, "measured", shown);
    } else {
        const char *why = thresh_unmeasured(t, r);
        cJSON_AddNullToObject(o, "value");
        cJSON_AddStringToObject(o, "measured", why ? why : "nothing measured");
    }
    return o;
}

int thresh_verdicts(const struct thresh *ts, int n, struct result *r)
{
    int all_ok = 1;
    for (int i = 0; i < n; i++) {
        int ok;
        cJSON_AddItemToArray(r->thresholds, thresh_verdict(&ts[i], r, &ok));
        all_ok &= ok;
    }
    return all_ok;
}
