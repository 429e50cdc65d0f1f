/* result.c — the result document: JSON out, JSON in, merge; see result.h.
 *
 * Reading is strict: every field a reader relies on is checked for type
 * and range, histograms must decode, and their totals must equal the
 * counts beside them, so a truncated or edited file is refused instead of
 * producing a wrong report or a wrong database row. */
#include "result.h"
#include "buf.h"
#include "engine.h"
#include "version.h"
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* What a reader accepts: more shards than Lambda could run at once in a
 * region many times over, and a century of milliseconds. */
#define RESULT_MAX_SHARDS 1000000
#define RESULT_MAX_MS (100LL * 366 * 86400 * 1000)
#define RESULT_MAX_COUNT 9000000000000000LL

struct result *result_new(void)
{
    struct result *r = xcalloc(1, sizeof *r);
    r->stats = stats_new();
    r->shard_failures = cJSON_CreateArray();
    r->late_shards = cJSON_CreateArray();
    r->setup_errors = cJSON_CreateArray();
    r->thresholds = cJSON_CreateArray();
    return r;
}

void result_free(struct result *r)
{
    if (!r) return;
    free(r->run_id);
    free(r->plan_name);
    free(r->plan_file);
    free(r->mode);
    free(r->target);
    free(r->git_commit);
    cJSON_Delete(r->settings);
    cJSON_Delete(r->shard_failures);
    cJSON_Delete(r->late_shards);
    cJSON_Delete(r->setup_errors);
    cJSON_Delete(r->thresholds);
    cJSON_Delete(r->warmup);
    stats_free(r->stats);
    free(r);
}

/* ---- writing ----------------------------------------------------------- */

static void iso_time(char *b, size_t n, int64_t unix_ms)
{
    time_t t = (time_t)(unix_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t l = strftime(b, n, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(b + l, n - l, ".%03dZ", (int)(unix_ms % 1000));
}

static void add_str(cJSON *o, const char *k, const char *v)
{
    if (v) cJSON_AddStringToObject(o, k, v);
    else cJSON_AddNullToObject(o, k);
}

static void add_num(cJSON *o, const char *k, double v)
{
    cJSON_AddNumberToObject(o, k, v);
}

/* "phases": {"dns": {count, sum_us, mean_us, p50_us, p95_us, max_us,
 * hist}, ...} and the bytes; hist only when full. */
void result_phases_json(cJSON *o, const struct stats_tx *t, int full)
{
    add_num(o, "sent_bytes", (double)t->sent_bytes);
    add_num(o, "received_bytes", (double)t->received_bytes);
    cJSON *ph = cJSON_AddObjectToObject(o, "phases");
    for (int i = 0; i < STATS_PH__COUNT; i++) {
        const struct stats_phase *x = &t->phase[i];
        cJSON *e = cJSON_AddObjectToObject(ph, stats_phase_name(i));
        add_num(e, "count", (double)x->count);
        add_num(e, "sum_us", (double)x->sum_us);
        add_num(e, "mean_us", stats_phase_mean_us(x));
        add_num(e, "p50_us", x->hist ? (double)hist_percentile(x->hist, 50) : 0);
        add_num(e, "p95_us", x->hist ? (double)hist_percentile(x->hist, 95) : 0);
        add_num(e, "max_us", (double)x->max_us);
        if (full && x->count && x->hist) {
            char *h = hist_encode(x->hist);
            add_str(e, "hist", h);
            free(h);
        }
    }
}

/* One timeline second as JSON: counts, percentiles and the histogram
 * (null when nothing succeeded that second). */
static cJSON *sec_json(const struct stats_sec *x, int whole_run)
{
    cJSON *e = cJSON_CreateObject();
    add_num(e, "t", (double)x->t);
    add_num(e, "requests", (double)x->requests);
    add_num(e, "errors", (double)x->errors);
    if (whole_run) {
        add_num(e, "iterations", (double)x->iterations);
        add_num(e, "active_users", (double)x->active_users);
    }
    add_num(e, "p50_us", x->hist ? (double)hist_percentile(x->hist, 50) : 0);
    if (!whole_run)
        add_num(e, "p95_us", x->hist ? (double)hist_percentile(x->hist, 95) : 0);
    add_num(e, "p99_us", x->hist ? (double)hist_percentile(x->hist, 99) : 0);
    if (x->hist) {
        char *h = hist_encode(x->hist);
        add_str(e, "hist", h);
        free(h);
    } else {
        cJSON_AddNullToObject(e, "hist");
    }
    if (x->hist_cut) cJSON_AddTrueToObject(e, "hist_cut");
    return e;
}

static cJSON *tx_json(const struct stats_tx *t, double secs, int full)
{
    cJSON *o = cJSON_CreateObject();
    add_str(o, "name", t->name);
    add_str(o, "kind", t->kind == STATS_FLOW ? "flow" : "request");
    add_num(o, "count", (double)t->count);
    add_num(o, "ok", (double)stats_tx_ok(t));
    add_num(o, "errors", (double)t->errors);
    add_num(o, "min_us", (double)t->min_us);
    add_num(o, "max_us", (double)t->max_us);
    add_num(o, "mean_us", t->mean_us);
    add_num(o, "m2", t->m2);
    add_num(o, "stddev_us", stats_tx_stddev(t));
    add_num(o, "rate_per_s", secs > 0 ? (double)t->count / secs : 0);
    static const double pcts[] = {STATS_PCTS};
    static const char *const keys[] = {STATS_PCT_KEYS};
    _Static_assert(sizeof pcts / sizeof *pcts == sizeof keys / sizeof *keys,
                   "a key for every reported percentile");
    for (size_t i = 0; i < sizeof pcts / sizeof *pcts; i++) {
        char k[16];
        snprintf(k, sizeof k, "%s_us", keys[i]);
        add_num(o, k, (double)hist_percentile(t->hist, pcts[i]));
    }
    /* Uncorrected (service time, from the actual send) for comparison. */
    add_num(o, "service_p50_us", (double)hist_percentile(t->hist_service, 50));
    add_num(o, "service_p99_us", (double)hist_percentile(t->hist_service, 99));
    /* The failed side: its own histogram and moments, beside (never in)
     * the successful ones above. */
    cJSON *fo = cJSON_AddObjectToObject(o, "failed");
    add_num(fo, "count", (double)t->failed);
    add_num(fo, "min_us", (double)t->fail_min_us);
    add_num(fo, "max_us", (double)t->fail_max_us);
    add_num(fo, "mean_us", t->fail_mean_us);
    add_num(fo, "m2", t->fail_m2);
    add_num(fo, "p50_us", (double)hist_percentile(t->fail_hist, 50));
    add_num(fo, "p99_us", (double)hist_percentile(t->fail_hist, 99));
    if (full) {
        char *h = hist_encode(t->fail_hist);
        add_str(fo, "hist", h);
        free(h);
    }
    cJSON *st = cJSON_AddObjectToObject(o, "status");
    for (int i = 0; i < STATS_MAX_STATUS; i++) {
        if (!t->status[i]) continue;
        char k[8];
        snprintf(k, sizeof k, "%d", i);
        add_num(st, k, (double)t->status[i]);
    }
    cJSON *eb = cJSON_AddObjectToObject(o, "errors_by");
    for (int i = 0; i < t->nerrs; i++)
        add_num(eb, t->errs[i].key, (double)t->errs[i].count);
    if (full) {
        char *h = hist_encode(t->hist), *hs = hist_encode(t->hist_service);
        add_str(o, "hist", h);
        add_str(o, "hist_service", hs);
        free(h);
        free(hs);
    }
    if (t->kind == STATS_REQUEST) result_phases_json(o, t, full);
    if (full) {
        cJSON *tl = cJSON_AddArrayToObject(o, "timeline");
        for (int i = 0; i < t->nsec; i++)
            cJSON_AddItemToArray(tl, sec_json(&t->sec[i], 0));
    }
    return o;
}

static char *to_json(const struct result *r, int pretty)
{
    cJSON *o = cJSON_CreateObject();
    char ts[40];
    double secs = (double)(r->finished_unix_ms - r->started_unix_ms) / 1e3;
    add_num(o, "herd_result", RESULT_VERSION);
    add_str(o, "run_id", r->run_id);
    add_str(o, "plan", r->plan_name);
    add_str(o, "plan_file", r->plan_file);
    add_str(o, "mode", r->mode);
    add_str(o, "target", r->target);
    add_str(o, "git_commit", r->git_commit);
    add_str(o, "herd_version", HERD_VERSION);
    iso_time(ts, sizeof ts, r->started_unix_ms);
    add_str(o, "started_at", ts);
    iso_time(ts, sizeof ts, r->finished_unix_ms);
    add_str(o, "finished_at", ts);
    add_num(o, "started_unix_ms", (double)r->started_unix_ms);
    add_num(o, "finished_unix_ms", (double)r->finished_unix_ms);
    add_num(o, "duration_s", secs);
    cJSON_AddBoolToObject(o, "interrupted", r->interrupted);
    cJSON_AddItemToObject(o, "settings", r->settings ?
                          cJSON_Duplicate(r->settings, 1) : cJSON_CreateObject());
    cJSON *sh = cJSON_AddObjectToObject(o, "shards");
    add_num(sh, "total", r->shards_total);
    add_num(sh, "ok", r->shards_ok);
    add_num(sh, "failed", r->shards_failed);
    add_num(sh, "truncated", r->shards_truncated);
    add_num(sh, "late", r->shards_late);
    add_num(sh, "start_late_ms", (double)r->start_late_ms);
    cJSON_AddItemToObject(sh, "failures", cJSON_Duplicate(r->shard_failures, 1));
    cJSON_AddItemToObject(sh, "late_shards", cJSON_Duplicate(r->late_shards, 1));
    const struct stats *s = r->stats;
    cJSON *it = cJSON_AddObjectToObject(o, "iterations");
    add_num(it, "started", (double)s->iter_started);
    add_num(it, "succeeded", (double)s->iter_succeeded);
    add_num(it, "failed", (double)s->iter_failed);
    add_num(it, "interrupted", (double)s->iter_interrupted);
    add_num(it, "dropped", (double)s->iter_dropped);
    /* Which request path sent the requests (README, "The HTTP/1.1 fast
     * path"). */
    cJSON *paths = cJSON_AddObjectToObject(o, "request_paths");
    add_num(paths, "fast", (double)s->path_fast);
    add_num(paths, "libcurl", (double)s->path_libcurl);
    cJSON_AddItemToObject(o, "setup_errors", cJSON_Duplicate(r->setup_errors, 1));
    if (r->user_setup.users) {
        cJSON *us = cJSON_AddObjectToObject(o, "user_setup");
        add_num(us, "users", (double)r->user_setup.users);
        add_num(us, "ok", (double)r->user_setup.ok);
        add_num(us, "failed", (double)r->user_setup.failed);
        add_num(us, "interrupted", (double)r->user_setup.interrupted);
    }
    if (r->warmup)
        cJSON_AddItemToObject(o, "warmup", cJSON_Duplicate(r->warmup, 1));
    cJSON *txs = cJSON_AddArrayToObject(o, "transactions");
    for (int i = 0; i < s->ntx; i++)
        cJSON_AddItemToArray(txs, tx_json(&s->tx[i], secs, 1));
    cJSON *sum = cJSON_AddObjectToObject(o, "summary");
    struct stats_tx all;
    stats_tx_sum(s, STATS_REQUEST, "all requests", &all);
    cJSON_AddItemToObject(sum, "requests", tx_json(&all, secs, 0));
    stats_tx_clear(&all);
    stats_tx_sum(s, STATS_FLOW, "all flows", &all);
    if (all.count) cJSON_AddItemToObject(sum, "flows", tx_json(&all, secs, 0));
    else cJSON_AddNullToObject(sum, "flows");
    stats_tx_clear(&all);
    cJSON *tl = cJSON_AddArrayToObject(o, "timeline");
    for (int i = 0; i < s->nsec; i++)
        cJSON_AddItemToArray(tl, sec_json(&s->sec[i], 1));
    if (s->timer_late && s->timer_late->total) {
        const struct hist *h = s->timer_late;
        cJSON *late = cJSON_AddObjectToObject(o, "timer_lateness");
        add_num(late, "count", (double)h->total);
        add_num(late, "p50_us", (double)hist_percentile(h, 50));
        add_num(late, "p99_us", (double)hist_percentile(h, 99));
        add_num(late, "max_us", (double)h->max);
        char *e = hist_encode(h);
        add_str(late, "hist", e);
        free(e);
    } else {
        cJSON_AddNullToObject(o, "timer_lateness");
    }
    cJSON_AddItemToObject(o, "thresholds", cJSON_Duplicate(r->thresholds, 1));
    char *text = xjson_print(o, pretty);
    cJSON_Delete(o);
    char *out = xstrdup(text);
    cJSON_free(text);
    return out;
}

char *result_to_json(const struct result *r)
{
    return to_json(r, 1);
}

char *result_to_json_line(const struct result *r)
{
    return to_json(r, 0);
}

int result_write(const struct result *r, const char *path)
{
    char *json = result_to_json(r);
    struct buf tmp = {0};
    buf_printf(&tmp, "%s.tmp-%d", path, (int)getpid());
    int fd = open(buf_str(&tmp), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int rc = -1, saved = 0;
    if (fd >= 0) {
        size_t len = strlen(json), off = 0;
        while (off < len) {
            ssize_t n = write(fd, json + off, len - off);
            if (n < 0) { if (errno == EINTR) continue; break; }
            off += (size_t)n;
        }
        if (off == len && write(fd, "\n", 1) == 1 && fsync(fd) == 0)
            rc = 0;
        saved = errno;
        if (close(fd) != 0 && rc == 0) { rc = -1; saved = errno; }
        if (rc == 0 && rename(buf_str(&tmp), path) != 0) { rc = -1; saved = errno; }
        if (rc < 0) unlink(buf_str(&tmp));
    } else {
        saved = errno;
    }
    buf_free(&tmp);
    free(json);
    errno = saved;
    return rc;
}

/* ---- reading ----------------------------------------------------------- */

struct rd {
    char *err;
    size_t errlen;
};

static int bad(struct rd *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int bad(struct rd *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, c->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

int result_json_count(const cJSON *n, int64_t *out)
{
    if (!cJSON_IsNumber(n) || !isfinite(n->valuedouble) ||
        n->valuedouble < 0 || n->valuedouble > 9e15 ||
        n->valuedouble != floor(n->valuedouble))
        return -1;
    *out = (int64_t)n->valuedouble;
    return 0;
}

static int get_i64(struct rd *c, const cJSON *o, const char *k,
                   const char *where, int64_t *out)
{
    if (result_json_count(cJSON_GetObjectItemCaseSensitive(o, k), out) < 0)
        return bad(c, "%s%s: expected a whole number >= 0", where, k);
    return 0;
}

/* An optional whole number in [0, max]: absent (older files) reads as 0. */
static int get_opt_i64(struct rd *c, const cJSON *o, const char *k,
                       const char *where, int64_t max, int64_t *out)
{
    *out = 0;
    if (!cJSON_GetObjectItemCaseSensitive(o, k)) return 0;
    if (get_i64(c, o, k, where, out) < 0) return -1;
    if (*out > max)
        return bad(c, "%s%s: %lld is out of range (at most %lld)", where, k,
                   (long long)*out, (long long)max);
    return 0;
}

static int get_dbl(struct rd *c, const cJSON *o, const char *k,
                   const char *where, double *out)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsNumber(n) || !isfinite(n->valuedouble))
        return bad(c, "%s%s: expected a number", where, k);
    *out = n->valuedouble;
    return 0;
}

static char *opt_str(const cJSON *o, const char *k)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(n) ? xstrdup(n->valuestring) : NULL;
}

static int read_hist(struct rd *c, const cJSON *o, const char *k,
                     const char *where, struct hist **h)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsString(n) || hist_decode(n->valuestring, h) < 0)
        return bad(c, "%s%s: malformed histogram", where, k);
    return 0;
}

/* The failed side of a transaction (o is its "failed" object). */
static int read_failed(struct rd *c, const cJSON *o, const char *where0,
                       struct stats_tx *t)
{
    char where[80];
    snprintf(where, sizeof where, "%sfailed.", where0);
    if (!cJSON_IsObject(o)) return bad(c, "%sfailed: expected an object", where0);
    struct hist *h = NULL;
    if (get_i64(c, o, "count", where, &t->failed) < 0 ||
        get_i64(c, o, "min_us", where, &t->fail_min_us) < 0 ||
        get_i64(c, o, "max_us", where, &t->fail_max_us) < 0 ||
        get_dbl(c, o, "mean_us", where, &t->fail_mean_us) < 0 ||
        get_dbl(c, o, "m2", where, &t->fail_m2) < 0 ||
        read_hist(c, o, "hist", where, &h) < 0)
        return -1;
    if (h->highest != t->hist->highest || h->sigfigs != t->hist->sigfigs ||
        h->total != t->failed) {
        int total = h->highest == t->hist->highest &&
                    h->sigfigs == t->hist->sigfigs;
        hist_free(h);
        return bad(c, "%shist: %s", where, total ? "histogram total does not "
                   "match count" : "unexpected histogram layout");
    }
    hist_free(t->fail_hist);
    t->fail_hist = h;
    return 0;
}

/* The optional "phases" and bytes of a request transaction (results
 * written before they existed have neither: zeros). */
static int read_phases(struct rd *c, const cJSON *o, const char *where0,
                       struct stats_tx *t)
{
    const cJSON *ph = cJSON_GetObjectItemCaseSensitive(o, "phases");
    if (!ph) return 0;
    if (!cJSON_IsObject(ph)) return bad(c, "%sphases: expected an object", where0);
    if (get_i64(c, o, "sent_bytes", where0, &t->sent_bytes) < 0 ||
        get_i64(c, o, "received_bytes", where0, &t->received_bytes) < 0)
        return -1;
    for (int i = 0; i < STATS_PH__COUNT; i++) {
        char where[96];
        snprintf(where, sizeof where, "%sphases.%s.", where0, stats_phase_name(i));
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(ph, stats_phase_name(i));
        struct stats_phase *x = &t->phase[i];
        if (!cJSON_IsObject(e)) return bad(c, "%s: expected an object", where);
        if (get_i64(c, e, "count", where, &x->count) < 0 ||
            get_i64(c, e, "sum_us", where, &x->sum_us) < 0 ||
            get_i64(c, e, "max_us", where, &x->max_us) < 0)
            return -1;
        if (!x->count) continue;
        struct hist *h = NULL;
        if (read_hist(c, e, "hist", where, &h) < 0) return -1;
        if (h->sigfigs != STATS_PHASE_SIGFIGS || h->highest != HIST_HIGHEST_US ||
            h->total != x->count) {
            hist_free(h);
            return bad(c, "%shist: expected %d significant digits and count "
                       "values", where, STATS_PHASE_SIGFIGS);
        }
        hist_free(x->hist);
        x->hist = h;
    }
    return 0;
}

/* The optional per-second timeline of a transaction. */
static int read_tx_timeline(struct rd *c, const cJSON *o, const char *where0,
                            struct stats_tx *t)
{
    const cJSON *tl = cJSON_GetObjectItemCaseSensitive(o, "timeline");
    if (!tl) return 0;
    if (!cJSON_IsArray(tl)) return bad(c, "%stimeline: expected a list", where0);
    int i = 0;
    int64_t prev = -1;
    const cJSON *e;
    cJSON_ArrayForEach(e, tl) {
        char where[96];
        snprintf(where, sizeof where, "%stimeline[%d].", where0, i++);
        struct stats_sec x = {0};
        if (get_i64(c, e, "t", where, &x.t) < 0 ||
            get_i64(c, e, "requests", where, &x.requests) < 0 ||
            get_i64(c, e, "errors", where, &x.errors) < 0)
            return -1;
        if (x.t <= prev) return bad(c, "%st: seconds must increase", where);
        prev = x.t;
        if (x.errors > x.requests)
            return bad(c, "%serrors: more than requests", where);
        const cJSON *hj = cJSON_GetObjectItemCaseSensitive(e, "hist");
        if (cJSON_IsString(hj) && read_hist(c, e, "hist", where, &x.hist) < 0)
            return -1;
        if (!cJSON_IsString(hj) && !cJSON_IsNull(hj))
            return bad(c, "%shist: expected a histogram or null", where);
        const cJSON *cut = cJSON_GetObjectItemCaseSensitive(e, "hist_cut");
        if (cut && !cJSON_IsBool(cut))
            return bad(c, "%shist_cut: expected true or false", where);
        x.hist_cut = cJSON_IsTrue(cut);
        if (x.hist_cut && x.hist) {
            hist_free(x.hist);
            return bad(c, "%shist: a histogram on a cut second", where);
        }
        int rc = 0;
        if (x.hist && (x.hist->total != x.requests - x.errors ||
                       x.hist->sigfigs != HIST_TL_SIGFIGS))
            rc = bad(c, "%shist: histogram total does not match requests - "
                     "errors", where);
        else if (stats_tx_sec_add(t, &x) < 0)
            rc = bad(c, "%shist: unexpected histogram layout", where);
        hist_free(x.hist);
        if (rc < 0) return -1;
    }
    return 0;
}

/* Reads transaction i into s. *old is set to 1 when it is in the format
 * before success and failure were kept apart (no "ok", no "failed"): its
 * histogram and min/max/mean cover every sample, failed ones too, and are
 * read as they were, as the successful side; its failed side stays empty
 * (failed = 0; errors as written). Merged with new results, such a
 * transaction keeps the failures it had in its percentiles. */
static int read_tx(struct rd *c, const cJSON *o, int i, struct stats *s,
                   int *old)
{
    char where[64];
    snprintf(where, sizeof where, "transactions[%d].", i);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(o, "kind");
    if (!cJSON_IsString(name))
        return bad(c, "%sname: expected a string", where);
    if (!cJSON_IsString(kind) || (strcmp(kind->valuestring, "request") &&
                                  strcmp(kind->valuestring, "flow")))
        return bad(c, "%skind: expected \"request\" or \"flow\"", where);
    enum stats_kind k = strcmp(kind->valuestring, "flow") ? STATS_REQUEST :
                        STATS_FLOW;
    if (stats_tx_find(s, name->valuestring) >= 0 &&
        s->tx[stats_tx_find(s, name->valuestring)].kind == k)
        return bad(c, "%sname: \"%s\" appears twice", where, name->valuestring);
    int idx = stats_tx_index(s, name->valuestring, k);  /* may realloc */
    struct stats_tx *t = &s->tx[idx];
    struct hist *h = NULL, *hs = NULL;
    if (get_i64(c, o, "count", where, &t->count) < 0 ||
        get_i64(c, o, "errors", where, &t->errors) < 0 ||
        get_i64(c, o, "min_us", where, &t->min_us) < 0 ||
        get_i64(c, o, "max_us", where, &t->max_us) < 0 ||
        get_dbl(c, o, "mean_us", where, &t->mean_us) < 0 ||
        get_dbl(c, o, "m2", where, &t->m2) < 0)
        return -1;
    const cJSON *okj = cJSON_GetObjectItemCaseSensitive(o, "ok");
    const cJSON *fj = cJSON_GetObjectItemCaseSensitive(o, "failed");
    *old = !okj && !fj;
    if (!*old) {
        int64_t okn;
        if (get_i64(c, o, "ok", where, &okn) < 0 ||
            read_failed(c, fj, where, t) < 0)
            return -1;
        if (t->failed > t->count || okn != t->count - t->failed)
            return bad(c, "%sok: ok + failed.count must equal count", where);
        if (t->errors < t->failed)
            return bad(c, "%serrors: fewer than failed.count", where);
    }
    int64_t okn = stats_tx_ok(t);
    if (read_hist(c, o, "hist", where, &h) < 0) return -1;
    if (read_hist(c, o, "hist_service", where, &hs) < 0) {
        hist_free(h);
        return -1;
    }
    int same = h->highest == t->hist->highest && h->sigfigs == t->hist->sigfigs &&
               hs->highest == h->highest && hs->sigfigs == h->sigfigs;
    if (!same || h->total != okn || hs->total != okn) {
        hist_free(h);
        hist_free(hs);
        return bad(c, "%shist: %s", where, same ? "histogram total does not "
                   "match count" : "unexpected histogram layout");
    }
    hist_free(t->hist);
    hist_free(t->hist_service);
    t->hist = h;
    t->hist_service = hs;
    if (t->errors > t->count + 1000000000LL)
        return bad(c, "%serrors: larger than possible", where);
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "status");
    if (!cJSON_IsObject(st)) return bad(c, "%sstatus: expected an object", where);
    const cJSON *e;
    cJSON_ArrayForEach(e, st) {
        char *end;
        long code = strtol(e->string, &end, 10);
        int64_t n;
        if (*end || end == e->string || code < 0 || code >= STATS_MAX_STATUS ||
            result_json_count(e, &n) < 0)
            return bad(c, "%sstatus.%s: expected a status code and a count",
                       where, e->string);
        t->status[code] = n;
    }
    const cJSON *eb = cJSON_GetObjectItemCaseSensitive(o, "errors_by");
    if (!cJSON_IsObject(eb))
        return bad(c, "%serrors_by: expected an object", where);
    cJSON_ArrayForEach(e, eb) {
        int64_t n;
        if (result_json_count(e, &n) < 0)
            return bad(c, "%serrors_by: expected counts", where);
        if (t->nerrs == t->errs_cap) {
            t->errs_cap = t->errs_cap ? t->errs_cap * 2 : 4;
            t->errs = xrealloc(t->errs, (size_t)t->errs_cap * sizeof *t->errs);
        }
        t->errs[t->nerrs].key = xstrdup(e->string);
        t->errs[t->nerrs].count = n;
        t->nerrs++;
    }
    if (read_phases(c, o, where, t) < 0) return -1;
    return read_tx_timeline(c, o, where, t);
}

/* old: the document is in the format before success and failure were
 * kept apart, whose per-second histograms hold every request, failed too
 * (read as they were); in the new one they hold requests - errors. */
static int read_timeline(struct rd *c, const cJSON *tl, struct stats *s,
                         int old)
{
    if (!cJSON_IsArray(tl)) return bad(c, "timeline: expected a list");
    int n = cJSON_GetArraySize(tl), i = 0;
    const cJSON *e;
    int64_t prev = -1;
    cJSON_ArrayForEach(e, tl) {
        char where[48];
        snprintf(where, sizeof where, "timeline[%d].", i++);
        int64_t t, req, errs, it, au;
        if (get_i64(c, e, "t", where, &t) < 0 ||
            get_i64(c, e, "requests", where, &req) < 0 ||
            get_i64(c, e, "errors", where, &errs) < 0 ||
            get_i64(c, e, "iterations", where, &it) < 0 ||
            get_i64(c, e, "active_users", where, &au) < 0)
            return -1;
        /* Only the seconds with data are listed (gaps cost nothing: the
         * timeline is sparse), each once, in order. */
        if (t <= prev) return bad(c, "%st: seconds must increase", where);
        prev = t;
        struct hist *h = NULL;
        const cJSON *hj = cJSON_GetObjectItemCaseSensitive(e, "hist");
        if (cJSON_IsString(hj) && read_hist(c, e, "hist", where, &h) < 0)
            return -1;
        if (!cJSON_IsString(hj) && !cJSON_IsNull(hj))
            return bad(c, "%shist: expected a histogram or null", where);
        if (errs > req) return bad(c, "%serrors: more than requests", where);
        if (h && h->total != (old ? req : req - errs)) {
            hist_free(h);
            return bad(c, "%shist: histogram total does not match %s", where,
                       old ? "requests" : "requests - errors");
        }
        /* Build through the public recorder so layout stays consistent. */
        struct stats one = {0};
        struct stats_sec sec = {t, req, errs, it, au, h, 0};
        one.sec = &sec;
        one.nsec = 1;
        one.sec_cap = 1;
        int rc = stats_merge(s, &one);
        hist_free(h);
        if (rc < 0) return bad(c, "%shist: unexpected histogram layout", where);
    }
    (void)n;
    return 0;
}

/* The result's "shards" object: counts, failures and late shards. */
static int read_shards(struct rd *c, const cJSON *o, struct result *r)
{
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(o, "shards");
    int64_t a, b, d, e, l;
    if (!cJSON_IsObject(sh)) { bad(c, "shards: expected an object"); return -1; }
    if (get_i64(c, sh, "total", "shards.", &a) < 0 ||
        get_i64(c, sh, "ok", "shards.", &b) < 0 ||
        get_i64(c, sh, "failed", "shards.", &d) < 0 ||
        get_i64(c, sh, "truncated", "shards.", &e) < 0 ||
        get_opt_i64(c, sh, "late", "shards.", RESULT_MAX_SHARDS, &l) < 0 ||
        get_opt_i64(c, sh, "start_late_ms", "shards.", RESULT_MAX_MS,
                    &r->start_late_ms) < 0)
        return -1;
    if (a > RESULT_MAX_SHARDS || b > RESULT_MAX_SHARDS ||
        d > RESULT_MAX_SHARDS || e > RESULT_MAX_SHARDS) {
        bad(c, "shards: a count is out of range (at most %d)", RESULT_MAX_SHARDS);
        return -1;
    }
    r->shards_total = (int)a; r->shards_ok = (int)b;
    r->shards_failed = (int)d; r->shards_truncated = (int)e;
    r->shards_late = (int)l;
    const cJSON *sf = cJSON_GetObjectItemCaseSensitive(sh, "failures");
    if (cJSON_IsArray(sf)) {
        cJSON_Delete(r->shard_failures);
        r->shard_failures = cJSON_Duplicate(sf, 1);
    }
    const cJSON *ls = cJSON_GetObjectItemCaseSensitive(sh, "late_shards");
    if (ls && !cJSON_IsArray(ls)) { bad(c, "shards.late_shards: expected a list"); return -1; }
    int li = 0;
    const cJSON *le;
    cJSON_ArrayForEach(le, ls) {
        char where[64];
        int64_t ls_shard, ls_part, ls_ms, ls_dropped;
        snprintf(where, sizeof where, "shards.late_shards[%d].", li++);
        if (!cJSON_IsObject(le)) { bad(c, "%s: expected an object", where); return -1; }
        const cJSON *why = cJSON_GetObjectItemCaseSensitive(le, "reason");
        if (get_opt_i64(c, le, "shard", where, RESULT_MAX_SHARDS, &ls_shard) < 0 ||
            get_opt_i64(c, le, "part", where, RESULT_MAX_SHARDS, &ls_part) < 0 ||
            get_opt_i64(c, le, "late_ms", where, RESULT_MAX_MS, &ls_ms) < 0 ||
            get_opt_i64(c, le, "dropped", where, RESULT_MAX_COUNT, &ls_dropped) < 0)
            return -1;
        if (!cJSON_IsString(why)) { bad(c, "%sreason: expected a string", where); return -1; }
        cJSON_AddItemToArray(r->late_shards, cJSON_Duplicate(le, 1));
    }
    return 0;
}

/* "iterations" and "request_paths" into s. */
static int read_iterations(struct rd *c, const cJSON *o, struct stats *s)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, "iterations");
    if (!cJSON_IsObject(it)) { bad(c, "iterations: expected an object"); return -1; }
    if (get_i64(c, it, "started", "iterations.", &s->iter_started) < 0 ||
        get_i64(c, it, "succeeded", "iterations.", &s->iter_succeeded) < 0 ||
        get_i64(c, it, "failed", "iterations.", &s->iter_failed) < 0 ||
        get_i64(c, it, "interrupted", "iterations.", &s->iter_interrupted) < 0 ||
        get_i64(c, it, "dropped", "iterations.", &s->iter_dropped) < 0)
        return -1;
    const cJSON *paths = cJSON_GetObjectItemCaseSensitive(o, "request_paths");
    if (paths && !cJSON_IsObject(paths)) { bad(c, "request_paths: expected an object"); return -1; }
    if (paths &&
        (get_opt_i64(c, paths, "fast", "request_paths.", RESULT_MAX_COUNT,
                     &s->path_fast) < 0 ||
         get_opt_i64(c, paths, "libcurl", "request_paths.", RESULT_MAX_COUNT,
                     &s->path_libcurl) < 0))
        return -1;
    return 0;
}

struct result *result_from_json(const char *json, char *err, size_t errlen)
{
    struct rd c = {err, errlen};
    cJSON *o = cJSON_Parse(json);
    if (!o) {
        bad(&c, "not valid JSON (truncated or corrupt)");
        return NULL;
    }
    struct result *r = result_new();
    int rc = -1;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "herd_result");
    if (!cJSON_IsNumber(v)) { bad(&c, "herd_result: not a herd result file"); goto out; }
    if (v->valueint != RESULT_VERSION) {
        bad(&c, "herd_result: version %d, expected %d", v->valueint,
            RESULT_VERSION);
        goto out;
    }
    r->run_id = opt_str(o, "run_id");
    r->plan_name = opt_str(o, "plan");
    r->plan_file = opt_str(o, "plan_file");
    r->mode = opt_str(o, "mode");
    r->target = opt_str(o, "target");
    r->git_commit = opt_str(o, "git_commit");
    if (get_i64(&c, o, "started_unix_ms", "", &r->started_unix_ms) < 0 ||
        get_i64(&c, o, "finished_unix_ms", "", &r->finished_unix_ms) < 0)
        goto out;
    r->interrupted = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "interrupted"));
    const cJSON *set = cJSON_GetObjectItemCaseSensitive(o, "settings");
    r->settings = cJSON_IsObject(set) ? cJSON_Duplicate(set, 1) : cJSON_CreateObject();
    if (read_shards(&c, o, r) < 0 || read_iterations(&c, o, r->stats) < 0)
        goto out;
    struct stats *s = r->stats;
    const cJSON *se = cJSON_GetObjectItemCaseSensitive(o, "setup_errors");
    if (cJSON_IsArray(se)) {
        cJSON_Delete(r->setup_errors);
        r->setup_errors = cJSON_Duplicate(se, 1);
    }
    const cJSON *us = cJSON_GetObjectItemCaseSensitive(o, "user_setup");
    if (us) {
        struct result_user_setup *u = &r->user_setup;
        if (!cJSON_IsObject(us)) { bad(&c, "user_setup: expected an object"); goto out; }
        if (get_i64(&c, us, "users", "user_setup.", &u->users) < 0 ||
            get_i64(&c, us, "ok", "user_setup.", &u->ok) < 0 ||
            get_i64(&c, us, "failed", "user_setup.", &u->failed) < 0 ||
            get_i64(&c, us, "interrupted", "user_setup.", &u->interrupted) < 0)
            goto out;
    }
    const cJSON *wu = cJSON_GetObjectItemCaseSensitive(o, "warmup");
    if (cJSON_IsObject(wu)) r->warmup = cJSON_Duplicate(wu, 1);
    const cJSON *th = cJSON_GetObjectItemCaseSensitive(o, "thresholds");
    if (cJSON_IsArray(th)) {
        cJSON_Delete(r->thresholds);
        r->thresholds = cJSON_Duplicate(th, 1);
    }
    const cJSON *txs = cJSON_GetObjectItemCaseSensitive(o, "transactions");
    if (!cJSON_IsArray(txs)) { bad(&c, "transactions: expected a list"); goto out; }
    int i = 0, nold = 0;
    const cJSON *t;
    cJSON_ArrayForEach(t, txs) {
        int old = 0;
        if (read_tx(&c, t, i++, s, &old) < 0) goto out;
        nold += old;
    }
    /* One writer wrote the whole document: all old or all new. */
    if (nold && nold != i) {
        bad(&c, "transactions: some have \"failed\" and some not");
        goto out;
    }
    if (read_timeline(&c, cJSON_GetObjectItemCaseSensitive(o, "timeline"), s,
                      i > 0 && nold == i) < 0)
        goto out;
    /* Optional: older results have none. */
    const cJSON *late = cJSON_GetObjectItemCaseSensitive(o, "timer_lateness");
    if (late && !cJSON_IsNull(late)) {
        if (!cJSON_IsObject(late)) { bad(&c, "timer_lateness: expected an object or null"); goto out; }
        if (read_hist(&c, late, "hist", "timer_lateness.", &s->timer_late) < 0)
            goto out;
        if (s->timer_late->sigfigs != STATS_LATE_SIGFIGS ||
            s->timer_late->highest != HIST_HIGHEST_US) {
            bad(&c, "timer_lateness.hist: expected %d significant digits up "
                "to 1 hour", STATS_LATE_SIGFIGS);
            goto out;
        }
    }
    rc = 0;
out:
    cJSON_Delete(o);
    if (rc < 0) {
        result_free(r);
        return NULL;
    }
    return r;
}

struct result *result_read(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot read: %s", strerror(errno));
        return NULL;
    }
    struct buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_append(&b, chunk, n);
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        snprintf(err, errlen, "cannot read: I/O error");
        buf_free(&b);
        return NULL;
    }
    struct result *r = result_from_json(buf_str(&b), err, errlen);
    buf_free(&b);
    return r;
}

void result_take_span(struct result *r, struct engine_span *span)
{
    r->started_unix_ms = span->started_unix_ms;
    r->finished_unix_ms = span->finished_unix_ms;
    r->start_late_ms = span->start_late_ms;
    r->shards_truncated = span->cut_short;
    result_add_user_setup(r, span->setup_ok, span->setup_failed,
                          span->setup_interrupted, span->setup_errors);
    cJSON_Delete(span->setup_errors);
    span->setup_errors = NULL;
}

void result_add_user_setup(struct result *r, int64_t ok, int64_t failed,
                           int64_t interrupted, const cJSON *lines)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, lines)
        cJSON_AddItemToArray(r->setup_errors, cJSON_Duplicate(e, 1));
    r->user_setup.ok += ok;
    r->user_setup.failed += failed;
    r->user_setup.interrupted += interrupted;
    r->user_setup.users += ok + failed + interrupted;
}

void result_merge_setup(struct result *dst, const struct result *src)
{
    const struct result_user_setup *u = &src->user_setup;
    result_add_user_setup(dst, u->ok, u->failed, u->interrupted,
                          src->setup_errors);
}

int result_merge(struct result *dst, const struct result *src)
{
#define TAKE(f) do { if (!dst->f && src->f) dst->f = xstrdup(src->f); } while (0)
    TAKE(run_id); TAKE(plan_name); TAKE(plan_file); TAKE(mode); TAKE(target);
    TAKE(git_commit);
#undef TAKE
    if ((!dst->settings || !cJSON_GetArraySize(dst->settings)) && src->settings) {
        cJSON_Delete(dst->settings);
        dst->settings = cJSON_Duplicate(src->settings, 1);
    }
    if (src->started_unix_ms && (!dst->started_unix_ms ||
                                 src->started_unix_ms < dst->started_unix_ms))
        dst->started_unix_ms = src->started_unix_ms;
    if (src->finished_unix_ms > dst->finished_unix_ms)
        dst->finished_unix_ms = src->finished_unix_ms;
    dst->interrupted |= src->interrupted;
    dst->shards_total += src->shards_total;
    dst->shards_ok += src->shards_ok;
    dst->shards_failed += src->shards_failed;
    dst->shards_truncated += src->shards_truncated;
    dst->shards_late += src->shards_late;
    if (src->start_late_ms > dst->start_late_ms)
        dst->start_late_ms = src->start_late_ms;
    const cJSON *e;
    cJSON_ArrayForEach(e, src->shard_failures)
        cJSON_AddItemToArray(dst->shard_failures, cJSON_Duplicate(e, 1));
    cJSON_ArrayForEach(e, src->late_shards)
        cJSON_AddItemToArray(dst->late_shards, cJSON_Duplicate(e, 1));
    result_merge_setup(dst, src);
    if (!dst->warmup && src->warmup)
        dst->warmup = cJSON_Duplicate(src->warmup, 1);
    return stats_merge(dst->stats, src->stats);
}

int result_thresholds_passed(const struct result *r)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, r->thresholds)
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "ok"))) return 0;
    return 1;
}

/* ---- verdict ------------------------------------------------------------ */

static double num_of(const cJSON *o, const char *k)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(n) ? n->valuedouble : 0;
}

void result_add_late(struct result *r, int shard, int part, int64_t late_ms,
                     int64_t dropped, const char *reason)
{
    cJSON *e;
    cJSON_ArrayForEach(e, r->late_shards)
        if ((int)num_of(e, "shard") == shard && (int)num_of(e, "part") == part)
            break;
    if (!e) {
        e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "shard", shard);
        cJSON_AddNumberToObject(e, "part", part);
        cJSON_AddNumberToObject(e, "late_ms", (double)late_ms);
        cJSON_AddNumberToObject(e, "dropped", (double)dropped);
        cJSON_AddStringToObject(e, "reason", reason ? reason : "started late");
        cJSON_AddItemToArray(r->late_shards, e);
        r->shards_late++;
    } else {
        if ((double)late_ms > num_of(e, "late_ms"))
            cJSON_ReplaceItemInObjectCaseSensitive(e, "late_ms",
                                                   cJSON_CreateNumber((double)late_ms));
        if ((double)dropped > num_of(e, "dropped"))
            cJSON_ReplaceItemInObjectCaseSensitive(e, "dropped",
                                                   cJSON_CreateNumber((double)dropped));
        if (reason)
            cJSON_ReplaceItemInObjectCaseSensitive(e, "reason",
                                                   cJSON_CreateString(reason));
    }
    if (late_ms > r->start_late_ms) r->start_late_ms = late_ms;
}

int result_no_success(const struct result *r)
{
    const struct stats *s = r->stats;
    if (s->iter_succeeded) return 0;
    /* Nothing started for a reason of its own: that reason is the verdict
     * (setup, Ctrl-C, failed shards, a deadline before the start). */
    return !(s->iter_started == 0 &&
             (cJSON_GetArraySize(r->setup_errors) || r->interrupted ||
              r->shards_failed || result_incomplete(r)));
}

int result_incomplete(const struct result *r)
{
    return r->shards_truncated > 0 || r->shards_late > 0 ||
           cJSON_GetArraySize(r->late_shards) > 0;
}

static void add_line(cJSON *lines, int *n, struct buf *b)
{
    if (lines) cJSON_AddItemToArray(lines, cJSON_CreateString(buf_str(b)));
    buf_reset(b);
    (*n)++;
}

struct kind_count { const char *key; int64_t count; };

static int by_count_desc(const void *a, const void *b)
{
    const struct kind_count *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* "connect 512, timeout 3": the commonest error kinds of the requests (of
 * the flows when no request failed), at most three. */
static void error_kinds(const struct stats *s, struct buf *b)
{
    for (int kind = STATS_REQUEST; kind <= STATS_FLOW; kind++) {
        struct kind_count *k = NULL;
        int nk = 0;
        for (int i = 0; i < s->ntx; i++) {
            const struct stats_tx *t = &s->tx[i];
            if ((int)t->kind != kind) continue;
            for (int e = 0; e < t->nerrs; e++) {
                int j;
                for (j = 0; j < nk; j++)
                    if (!strcmp(k[j].key, t->errs[e].key)) break;
                if (j == nk) {
                    k = xrealloc(k, (size_t)(nk + 1) * sizeof *k);
                    k[nk].key = t->errs[e].key;
                    k[nk++].count = 0;
                }
                k[j].count += t->errs[e].count;
            }
        }
        if (nk) qsort(k, (size_t)nk, sizeof *k, by_count_desc);
        for (int j = 0; j < nk && j < 3; j++)
            buf_printf(b, "%s%s %lld", j ? ", " : ": ", k[j].key,
                       (long long)k[j].count);
        if (nk > 3) buf_puts(b, ", ...");
        free(k);
        if (nk) return;
    }
}

static const char *ms_text(char *b, size_t n, int64_t ms)
{
    if (ms < 1000) snprintf(b, n, "+%lldms", (long long)ms);
    else snprintf(b, n, "+%.1fs", (double)ms / 1000);
    return b;
}

int result_failures(const struct result *r, cJSON *lines)
{
    const struct stats *s = r->stats;
    struct buf b = {0};
    int n = 0;
    int nsetup = cJSON_GetArraySize(r->setup_errors);
    if (r->interrupted) {
        buf_puts(&b, "interrupted: the load was stopped before its planned end");
        add_line(lines, &n, &b);
    }
    if (r->shards_failed) {
        buf_printf(&b, "%d of %d shard%s failed", r->shards_failed,
                   r->shards_total, r->shards_total == 1 ? "" : "s");
        const cJSON *f;
        int k = 0;
        cJSON_ArrayForEach(f, r->shard_failures) {
            const cJSON *why = cJSON_GetObjectItemCaseSensitive(f, "reason");
            if (!cJSON_IsString(why) || !strncmp(why->valuestring, "truncated", 9))
                continue;
            if (k == 2) { buf_puts(&b, "; ..."); break; }
            buf_printf(&b, "%s shard %d: %.100s", k++ ? ";" : " (",
                       (int)num_of(f, "shard"), why->valuestring);
        }
        if (k) buf_puts(&b, ")");
        add_line(lines, &n, &b);
    }
    if (nsetup) {
        const cJSON *e = cJSON_GetArrayItem(r->setup_errors, 0);
        buf_printf(&b, "setup/teardown failed: %s", cJSON_IsString(e) ?
                   e->valuestring : "?");
        if (nsetup > 1) buf_printf(&b, " (and %d more)", nsetup - 1);
        add_line(lines, &n, &b);
    }
    if (result_no_success(r)) {
        if (s->iter_started == 0)
            buf_printf(&b, "no iteration could start (%lld dropped)",
                       (long long)s->iter_dropped);
        else {
            buf_printf(&b, "no iteration succeeded (%lld started, %lld failed",
                       (long long)s->iter_started, (long long)s->iter_failed);
            error_kinds(s, &b);
            if (s->iter_interrupted)
                buf_printf(&b, "; %lld interrupted", (long long)s->iter_interrupted);
            buf_puts(&b, ")");
        }
        add_line(lines, &n, &b);
    }
    if (r->shards_truncated) {
        buf_printf(&b, "truncated: %d of %d shard%s stopped before the planned "
                   "end (the invocation deadline came first); the load ran "
                   "short", r->shards_truncated, r->shards_total,
                   r->shards_total == 1 ? "" : "s");
        add_line(lines, &n, &b);
    }
    int nlate = cJSON_GetArraySize(r->late_shards);
    if (nlate || r->shards_late) {
        if (nlate < r->shards_late) nlate = r->shards_late;
        buf_printf(&b, "%d shard%s started late", nlate, nlate == 1 ? "" : "s");
        const cJSON *e;
        int k = 0;
        cJSON_ArrayForEach(e, r->late_shards) {
            const cJSON *why = cJSON_GetObjectItemCaseSensitive(e, "reason");
            char t[32];
            if (k == 4) { buf_puts(&b, ", ..."); break; }
            buf_printf(&b, "%s%s: %s", k++ ? ", " : " (",
                       cJSON_IsString(why) ? why->valuestring : "late",
                       ms_text(t, sizeof t, (int64_t)num_of(e, "late_ms")));
        }
        if (k) buf_puts(&b, ")");
        buf_printf(&b, "; %lld arrival%s dropped", (long long)s->iter_dropped,
                   s->iter_dropped == 1 ? "" : "s");
        add_line(lines, &n, &b);
    }
    const cJSON *t;
    cJSON_ArrayForEach(t, r->thresholds) {
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "ok"))) continue;
        const cJSON *ex = cJSON_GetObjectItemCaseSensitive(t, "expr");
        const cJSON *ms = cJSON_GetObjectItemCaseSensitive(t, "measured");
        buf_printf(&b, "threshold failed: %s (%s%s)",
                   cJSON_IsString(ex) ? ex->valuestring : "?",
                   cJSON_IsString(ms) ? "measured " : "nothing measured",
                   cJSON_IsString(ms) ? ms->valuestring : "");
        add_line(lines, &n, &b);
    }
    buf_free(&b);
    return n;
}

int result_passed(const struct result *r)
{
    return result_failures(r, NULL) == 0;
}

char *result_git_commit(const char *plan_file)
{
    const char *env = getenv("HERD_GIT_COMMIT");
    if (!env || !*env) env = getenv("GITHUB_SHA");
    if (env && *env) return xstrdup(env);
    char *copy = xstrdup(plan_file);
    struct buf cmd = {0};
    buf_printf(&cmd, "git -C '%s' rev-parse HEAD 2>/dev/null", dirname(copy));
    free(copy);
    char line[128] = "";
    FILE *f = strchr(buf_str(&cmd), '\'') && !strchr(plan_file, '\'') ?
              popen(buf_str(&cmd), "r") : NULL;
    buf_free(&cmd);
    if (!f) return NULL;
    if (!fgets(line, sizeof line, f)) line[0] = '\0';
    pclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    return strlen(line) == 40 ? xstrdup(line) : NULL;
}

/* Merging reads result after result, each with histograms of ~190 KB:
 * glibc would mmap and unmap every one (a page fault per 4 KB each time).
 * Keeping freed memory in the heap makes merging 1,000 results ~2.5x
 * faster. musl has no mallopt. */
void result_malloc_for_merging(void)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}
