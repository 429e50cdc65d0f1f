/* stats.c — per-transaction measurements and their exact merge; see
 * stats.h.
 *
 * Mean and variance use Welford's update per sample and Chan et al.'s
 * formula to combine two partial results, so the merged mean and sample
 * standard deviation equal those of one pass over all samples (up to
 * floating-point rounding), however the samples were split. */
#include "stats.h"
#include "buf.h"
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

static struct stats_sec *sec_at(struct stats *s, int64_t t)
{
    if (s->nsec == 0) s->tl_base = t;
    if (t < s->tl_base) {
        /* A second before the first one (clocks of merged shards): shift. */
        int64_t shift = s->tl_base - t;
        int64_t need = s->nsec + shift;
        if (need > s->sec_cap) {
            s->sec_cap = (int)need * 2;
            s->sec = xrealloc(s->sec, (size_t)s->sec_cap * sizeof *s->sec);
        }
        memmove(s->sec + shift, s->sec, (size_t)s->nsec * sizeof *s->sec);
        memset(s->sec, 0, (size_t)shift * sizeof *s->sec);
        for (int64_t i = 0; i < shift; i++) s->sec[i].t = t + i;
        s->nsec = (int)need;
        s->tl_base = t;
    }
    int64_t i = t - s->tl_base;
    if (i >= s->nsec) {
        if (i >= s->sec_cap) {
            s->sec_cap = (int)(i + 1) * 2;
            s->sec = xrealloc(s->sec, (size_t)s->sec_cap * sizeof *s->sec);
        }
        memset(s->sec + s->nsec, 0, (size_t)(i + 1 - s->nsec) * sizeof *s->sec);
        for (int64_t k = s->nsec; k <= i; k++) s->sec[k].t = s->tl_base + k;
        s->nsec = (int)i + 1;
    }
    return &s->sec[i];
}

void stats_record(struct stats *s, int tx, int64_t latency_us,
                  int64_t service_us, int status, enum err_class err,
                  const char *detail, int64_t wall_s)
{
    struct stats_tx *t = &s->tx[tx];
    if (latency_us < 0) latency_us = 0;
    if (service_us < 0) service_us = 0;
    t->count++;
    if (t->count == 1 || latency_us < t->min_us) t->min_us = latency_us;
    if (latency_us > t->max_us) t->max_us = latency_us;
    double delta = (double)latency_us - t->mean_us;
    t->mean_us += delta / (double)t->count;
    t->m2 += delta * ((double)latency_us - t->mean_us);
    hist_record(t->hist, latency_us);
    hist_record(t->hist_service, service_us);
    if (status >= 0 && status < STATS_MAX_STATUS) t->status[status]++;
    if (err != ERR_NONE) {
        t->errors++;
        count_err(t, err, detail);
    }
    if (t->kind != STATS_REQUEST) return;
    struct stats_sec *sec = sec_at(s, wall_s);
    sec->requests++;
    if (err != ERR_NONE) sec->errors++;
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
        hist_add(d->hist_service, x->hist_service) < 0)
        return -1;
    if (x->count) {
        if (!d->count || x->min_us < d->min_us) d->min_us = x->min_us;
        if (x->max_us > d->max_us) d->max_us = x->max_us;
        double n1 = (double)d->count, n2 = (double)x->count, n = n1 + n2;
        double delta = x->mean_us - d->mean_us;
        d->mean_us += delta * n2 / n;
        d->m2 += x->m2 + delta * delta * n1 * n2 / n;
    }
    d->count += x->count;
    d->errors += x->errors;
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
        t->count = t->errors = t->min_us = t->max_us = 0;
        t->mean_us = t->m2 = 0;
        hist_reset(t->hist);
        hist_reset(t->hist_service);
        memset(t->status, 0, sizeof t->status);
        for (int k = 0; k < t->nerrs; k++) free(t->errs[k].key);
        t->nerrs = 0;
    }
    s->iter_started = s->iter_succeeded = s->iter_failed = 0;
    s->iter_interrupted = s->iter_dropped = 0;
    for (int i = 0; i < s->nsec; i++) hist_free(s->sec[i].hist);
    s->nsec = 0;
    s->tl_base = 0;
    if (s->timer_late) hist_reset(s->timer_late);
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
    for (int i = 0; i < src->nsec; i++) {
        const struct stats_sec *x = &src->sec[i];
        struct stats_sec *d = sec_at(dst, x->t);
        d->requests += x->requests;
        d->errors += x->errors;
        d->iterations += x->iterations;
        /* Workers and shards run side by side: their users add up. */
        d->active_users += x->active_users;
        if (x->hist) {
            if (!d->hist) d->hist = hist_new(HIST_TL_SIGFIGS);
            if (hist_add(d->hist, x->hist) < 0) return -1;
        }
    }
    if (src->timer_late && src->timer_late->total) {
        struct hist *h = late_hist(dst);
        if (!h || hist_add(h, src->timer_late) < 0) return -1;
    }
    return 0;
}

double stats_tx_stddev(const struct stats_tx *t)
{
    if (t->count < 2) return 0;
    double v = t->m2 / (double)(t->count - 1);
    return v > 0 ? sqrt(v) : 0;
}

void stats_tx_sum(const struct stats *s, enum stats_kind kind,
                  const char *name, struct stats_tx *out)
{
    tx_init(out, name, kind);
    for (int i = 0; i < s->ntx; i++)
        if (s->tx[i].kind == kind) tx_merge(out, &s->tx[i]);
}
