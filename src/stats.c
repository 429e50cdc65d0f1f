/* stats.c — per-transaction measurements and their exact merge; see
 * stats.h.
 *
 * Mean and variance use Welford's update per sample and Chan et al.'s
 * formula to combine two partial results, so the merged mean and sample
 * standard deviation equal those of one pass over all samples (up to
 * floating-point rounding), however the samples were split. */
#include "stats.h"
#include "buf.h"
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const err_names[ERR__COUNT] = {
    [ERR_NONE] = "none",
    [ERR_CONNECT] = "connect",
    [ERR_DNS] = "dns",
    [ERR_TLS] = "tls",
    [ERR_TIMEOUT] = "timeout",
    [ERR_TRANSPORT] = "transport",
    [ERR_STATUS] = "status",
    [ERR_CHECK] = "check",
    [ERR_EXTRACT] = "extract",
    [ERR_INVALID_JSON] = "invalid_json",
    [ERR_RETRIES] = "retries_exhausted",
    [ERR_POLL_TIMEOUT] = "poll_timeout",
    [ERR_POLL_FAILED] = "poll_failed",
    [ERR_INTERRUPTED] = "interrupted",
};

const char *stats_err_name(enum err_class c)
{
    if ((int)c <= 0 || c >= ERR__COUNT) return NULL;
    return err_names[c];
}

enum err_class stats_err_parse(const char *name)
{
    for (int i = 1; i < ERR__COUNT; i++)
        if (strcmp(err_names[i], name) == 0) return (enum err_class)i;
    return ERR_NONE;
}

struct stats *stats_new(void)
{
    return xcalloc(1, sizeof(struct stats));
}

void stats_tx_clear(struct stats_tx *t)
{
    free(t->name);
    hist_free(t->hist);
    hist_free(t->hist_service);
    hist_free(t->fail_hist);
    for (int i = 0; i < t->nerrs; i++) free(t->errs[i].key);
    free(t->errs);
    memset(t, 0, sizeof *t);
}

void stats_free(struct stats *s)
{
    if (!s) return;
    for (int i = 0; i < s->ntx; i++) stats_tx_clear(&s->tx[i]);
    free(s->tx);
    for (int i = 0; i < s->nsec; i++) hist_free(s->sec[i].hist);
    free(s->sec);
    hist_free(s->timer_late);
    free(s);
}

/* s->timer_late, created on first use; NULL only if that fails. */
static struct hist *late_hist(struct stats *s)
{
    if (!s->timer_late &&
        hist_init(HIST_HIGHEST_US, STATS_LATE_SIGFIGS, &s->timer_late) < 0)
        return NULL;
    return s->timer_late;
}

void stats_timer_late(struct stats *s, int64_t late_us)
{
    struct hist *h = late_hist(s);
    if (h) hist_record(h, late_us < 0 ? 0 : late_us);
}

static void tx_init(struct stats_tx *t, const char *name, enum stats_kind kind)
{
    memset(t, 0, sizeof *t);
    t->name = xstrdup(name);
    t->kind = kind;
    t->hist = hist_new(HIST_SIGFIGS);
    t->hist_service = hist_new(HIST_SIGFIGS);
    t->fail_hist = hist_new(HIST_SIGFIGS);
}

int stats_tx_find(const struct stats *s, const char *name)
{
    for (int i = 0; i < s->ntx; i++)
        if (strcmp(s->tx[i].name, name) == 0) return i;
    return -1;
}

int stats_tx_index(struct stats *s, const char *name, enum stats_kind kind)
{
    for (int i = 0; i < s->ntx; i++)
        if (strcmp(s->tx[i].name, name) == 0 && s->tx[i].kind == kind)
            return i;
    if (s->ntx == s->tx_cap) {
        s->tx_cap = s->tx_cap ? s->tx_cap * 2 : 8;
        s->tx = xrealloc(s->tx, (size_t)s->tx_cap * sizeof *s->tx);
    }
    tx_init(&s->tx[s->ntx], name, kind);
    return s->ntx++;
}

static int find_err_key(const struct stats_tx *t, const char *key)
{
    for (int i = 0; i < t->nerrs; i++)
        if (strcmp(t->errs[i].key, key) == 0) return i;
    return -1;
}

/* Appends a key t does not have yet. */
static void push_err_key(struct stats_tx *t, const char *key, int64_t n)
{
    if (t->nerrs == t->errs_cap) {
        t->errs_cap = t->errs_cap ? t->errs_cap * 2 : 4;
        t->errs = xrealloc(t->errs, (size_t)t->errs_cap * sizeof *t->errs);
    }
    t->errs[t->nerrs].key = xstrdup(key);
    t->errs[t->nerrs].count = n;
    t->nerrs++;
}

static void add_err_key(struct stats_tx *t, const char *key, int64_t n)
{
    int i = find_err_key(t, key);
    if (i >= 0) t->errs[i].count += n;
    else push_err_key(t, key, n);
}

/* Too many distinct error keys (e.g. a detail with an id in it) would grow
 * without bound; past this, details fold into the class alone. */
#define STATS_MAX_ERR_KEYS 64

static void count_err(struct stats_tx *t, enum err_class err,
                      const char *detail)
{
    const char *cls = stats_err_name(err);
    if (!cls) return;
    if (!detail || !*detail || t->nerrs >= STATS_MAX_ERR_KEYS) {
        add_err_key(t, cls, 1);
        return;
    }
    char key[320];
    snprintf(key, sizeof key, "%s: %s", cls, detail);
    add_err_key(t, key, 1);
}

/* Room for extra more timeline seconds. */
static void sec_reserve(struct stats *s, size_t extra)
{
    size_t need = (size_t)s->nsec + extra;
    if (need <= (size_t)s->sec_cap) return;
    size_t cap = s->sec_cap ? (size_t)s->sec_cap * 2 : 16;
    if (cap < need) cap = need;
    if (cap > INT_MAX) cap = INT_MAX;
    if (need > cap) {
        fprintf(stderr, "herd: timeline of more than %d seconds\n", INT_MAX);
        abort();
    }
    s->sec = xrealloc(s->sec, cap * sizeof *s->sec);
    s->sec_cap = (int)cap;
}

/* The first index whose second is >= t (nsec when none). */
static int sec_lower(const struct stats *s, int64_t t)
{
    int lo = 0, hi = s->nsec;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (s->sec[mid].t < t) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

const struct stats_sec *stats_sec_find(const struct stats *s, int64_t t)
{
    int n = s->nsec;
    if (n && s->sec[n - 1].t == t) return &s->sec[n - 1];
    int i = sec_lower(s, t);
    return i < n && s->sec[i].t == t ? &s->sec[i] : NULL;
}

/* The entry of second t, added (zero) when missing. */
static struct stats_sec *sec_at(struct stats *s, int64_t t)
{
    int n = s->nsec, i;
    if (n && s->sec[n - 1].t == t) return &s->sec[n - 1];   /* the usual */
    if (!n || s->sec[n - 1].t < t) {
        i = n;                                              /* a new one */
    } else {
        i = sec_lower(s, t);                                /* out of order */
        if (s->sec[i].t == t) return &s->sec[i];
    }
    sec_reserve(s, 1);
    memmove(s->sec + i + 1, s->sec + i, (size_t)(n - i) * sizeof *s->sec);
    memset(&s->sec[i], 0, sizeof s->sec[i]);
    s->sec[i].t = t;
    s->nsec++;
    return &s->sec[i];
}

/* One side's exact moments: n samples so far (n already counts v). */
static void moments_add(int64_t n, int64_t v, int64_t *min, int64_t *max,
                        double *mean, double *m2)
{
    if (n == 1 || v < *min) *min = v;
    if (v > *max) *max = v;
    double delta = (double)v - *mean;
    *mean += delta / (double)n;
    *m2 += delta * ((double)v - *mean);
}

/* Chan et al.: side (n1, d*) += side (n2, x*). */
static void moments_merge(int64_t n1, int64_t *dmin, int64_t *dmax,
                          double *dmean, double *dm2, int64_t n2,
                          int64_t xmin, int64_t xmax, double xmean,
                          double xm2)
{
    if (!n2) return;
    if (!n1 || xmin < *dmin) *dmin = xmin;
    if (xmax > *dmax) *dmax = xmax;
    double a = (double)n1, b = (double)n2, n = a + b;
    double delta = xmean - *dmean;
    *dmean += delta * b / n;
    *dm2 += xm2 + delta * delta * a * b / n;
}

void stats_record(struct stats *s, int tx, int64_t latency_us,
                  int64_t service_us, int status, enum err_class err,
                  const char *detail, int64_t wall_s)
{
    struct stats_tx *t = &s->tx[tx];
    if (latency_us < 0) latency_us = 0;
    if (service_us < 0) service_us = 0;
    t->count++;
    if (err == ERR_NONE) {
        moments_add(t->count - t->failed, latency_us, &t->min_us, &t->max_us,
                    &t->mean_us, &t->m2);
        hist_record(t->hist, latency_us);
        hist_record(t->hist_service, service_us);
    } else {
        t->failed++;
        t->errors++;
        moments_add(t->failed, latency_us, &t->fail_min_us, &t->fail_max_us,
                    &t->fail_mean_us, &t->fail_m2);
        hist_record(t->fail_hist, latency_us);
        count_err(t, err, detail);
    }
    if (status >= 0 && status < STATS_MAX_STATUS) t->status[status]++;
    if (t->kind != STATS_REQUEST) return;
    struct stats_sec *sec = sec_at(s, wall_s);
    sec->requests++;
    if (err != ERR_NONE) {
        sec->errors++;
        return;
    }
    if (!sec->hist) sec->hist = hist_new(HIST_TL_SIGFIGS);
    hist_record(sec->hist, latency_us);
}

void stats_error(struct stats *s, int tx, enum err_class err,
                 const char *detail)
{
    struct stats_tx *t = &s->tx[tx];
    t->errors++;
    count_err(t, err, detail);
}

void stats_iteration(struct stats *s, int64_t wall_s)
{
    sec_at(s, wall_s)->iterations++;
}

void stats_active(struct stats *s, int64_t wall_s, int64_t users)
{
    struct stats_sec *sec = sec_at(s, wall_s);
    if (users > sec->active_users) sec->active_users = users;
}

static int tx_merge(struct stats_tx *d, const struct stats_tx *x)
{
    if (hist_add(d->hist, x->hist) < 0 ||
        hist_add(d->hist_service, x->hist_service) < 0 ||
        hist_add(d->fail_hist, x->fail_hist) < 0)
        return -1;
    moments_merge(stats_tx_ok(d), &d->min_us, &d->max_us, &d->mean_us, &d->m2,
                  stats_tx_ok(x), x->min_us, x->max_us, x->mean_us, x->m2);
    moments_merge(d->failed, &d->fail_min_us, &d->fail_max_us,
                  &d->fail_mean_us, &d->fail_m2, x->failed, x->fail_min_us,
                  x->fail_max_us, x->fail_mean_us, x->fail_m2);
    d->count += x->count;
    d->errors += x->errors;
    d->failed += x->failed;
    for (int i = 0; i < STATS_MAX_STATUS; i++) d->status[i] += x->status[i];
    for (int i = 0; i < x->nerrs; i++) {
        const char *key = x->errs[i].key;
        int64_t n = x->errs[i].count;
        int k = find_err_key(d, key);
        /* Past the cap a new detailed key folds into its class, as when
         * recording: merging many partial stats stays bounded too. */
        const char *colon = strstr(key, ": ");
        if (k >= 0) {
            d->errs[k].count += n;
        } else if (colon && d->nerrs >= STATS_MAX_ERR_KEYS) {
            char cls[64];
            snprintf(cls, sizeof cls, "%.*s", (int)(colon - key), key);
            add_err_key(d, cls, n);
        } else {
            push_err_key(d, key, n);
        }
    }
    return 0;
}

void stats_reset(struct stats *s)
{
    for (int i = 0; i < s->ntx; i++) {
        struct stats_tx *t = &s->tx[i];
        t->count = t->errors = t->failed = t->min_us = t->max_us = 0;
        t->mean_us = t->m2 = 0;
        t->fail_min_us = t->fail_max_us = 0;
        t->fail_mean_us = t->fail_m2 = 0;
        hist_reset(t->hist);
        hist_reset(t->hist_service);
        hist_reset(t->fail_hist);
        memset(t->status, 0, sizeof t->status);
        for (int k = 0; k < t->nerrs; k++) free(t->errs[k].key);
        t->nerrs = 0;
    }
    s->iter_started = s->iter_succeeded = s->iter_failed = 0;
    s->iter_interrupted = s->iter_dropped = 0;
    s->path_fast = s->path_libcurl = 0;
    for (int i = 0; i < s->nsec; i++) hist_free(s->sec[i].hist);
    s->nsec = 0;
    if (s->timer_late) hist_reset(s->timer_late);
}

/* One second of another stats added into d (the same second). */
static int sec_add(struct stats_sec *d, const struct stats_sec *x)
{
    d->requests += x->requests;
    d->errors += x->errors;
    d->iterations += x->iterations;
    /* Workers and shards run side by side: their users add up. */
    d->active_users += x->active_users;
    if (!x->hist) return 0;
    if (!d->hist) d->hist = hist_new(HIST_TL_SIGFIGS);
    return hist_add(d->hist, x->hist);
}

/* dst's timeline += src's: two sorted lists merged in place, from the
 * end, after counting the seconds dst lacks. Appending later seconds (the
 * usual: a worker's delta into the total, a result read second by second)
 * touches only them. On a histogram layout mismatch the merge still ends
 * consistent, and -1 is returned. */
static int timeline_merge(struct stats *dst, const struct stats *src)
{
    int n = dst->nsec, m = src->nsec, add = 0, rc = 0;
    if (!m) return 0;
    const struct stats_sec *x = src->sec;
    for (int i = sec_lower(dst, x[0].t), j = 0; j < m;) {
        if (i < n && dst->sec[i].t < x[j].t) i++;
        else if (i < n && dst->sec[i].t == x[j].t) i++, j++;
        else add++, j++;
    }
    sec_reserve(dst, (size_t)add);
    struct stats_sec *d = dst->sec;
    int i = n - 1, j = m - 1, k = n + add - 1;
    while (j >= 0) {
        if (i >= 0 && d[i].t > x[j].t) {
            d[k--] = d[i--];
        } else if (i >= 0 && d[i].t == x[j].t) {
            if (sec_add(&d[i], &x[j--]) < 0) rc = -1;
            d[k--] = d[i--];
        } else {
            memset(&d[k], 0, sizeof d[k]);
            d[k].t = x[j].t;
            if (sec_add(&d[k--], &x[j--]) < 0) rc = -1;
        }
    }
    dst->nsec = n + add;
    return rc;
}

int stats_merge(struct stats *dst, const struct stats *src)
{
    for (int i = 0; i < src->ntx; i++) {
        const struct stats_tx *x = &src->tx[i];
        int j = stats_tx_find(dst, x->name);
        if (j >= 0 && dst->tx[j].kind != x->kind) j = -1;
        if (j < 0 && x->count == 0 && x->errors == 0) continue;
        j = stats_tx_index(dst, src->tx[i].name, src->tx[i].kind);
        if (tx_merge(&dst->tx[j], &src->tx[i]) < 0) return -1;
    }
    dst->iter_started += src->iter_started;
    dst->iter_succeeded += src->iter_succeeded;
    dst->iter_failed += src->iter_failed;
    dst->iter_interrupted += src->iter_interrupted;
    dst->iter_dropped += src->iter_dropped;
    dst->path_fast += src->path_fast;
    dst->path_libcurl += src->path_libcurl;
    int rc = timeline_merge(dst, src);
    if (src->timer_late && src->timer_late->total) {
        struct hist *h = late_hist(dst);
        if (!h || hist_add(h, src->timer_late) < 0) return -1;
    }
    return rc;
}

int64_t stats_tx_ok(const struct stats_tx *t)
{
    return t->count - t->failed;
}

static double sample_stddev(int64_t n, double m2)
{
    if (n < 2) return 0;
    double v = m2 / (double)(n - 1);
    return v > 0 ? sqrt(v) : 0;
}

double stats_tx_stddev(const struct stats_tx *t)
{
    return sample_stddev(stats_tx_ok(t), t->m2);
}

double stats_tx_fail_stddev(const struct stats_tx *t)
{
    return sample_stddev(t->failed, t->fail_m2);
}

void stats_tx_all_moments(const struct stats_tx *t, double *mean_us,
                          int64_t *max_us, double *stddev_us)
{
    int64_t mn = t->min_us, mx = t->max_us;
    double mean = t->mean_us, m2 = t->m2;
    moments_merge(stats_tx_ok(t), &mn, &mx, &mean, &m2, t->failed,
                  t->fail_min_us, t->fail_max_us, t->fail_mean_us, t->fail_m2);
    *mean_us = t->count ? mean : 0;
    *max_us = t->count ? mx : 0;
    *stddev_us = sample_stddev(t->count, m2);
}

void stats_tx_sum(const struct stats *s, enum stats_kind kind,
                  const char *name, struct stats_tx *out)
{
    tx_init(out, name, kind);
    for (int i = 0; i < s->ntx; i++)
        if (s->tx[i].kind == kind) tx_merge(out, &s->tx[i]);
}
