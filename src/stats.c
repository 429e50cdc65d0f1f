/* stats.c — per-transaction measurements and their exact merge; see
 * stats.h.
 *
 * Mean and variance use Welford's update per sample and Chan et al.'s
 * formula to combine two partial results, so the merged mean and sample
 * standard deviation equal those of one pass over all samples (up to
 * floating-point rounding), however the samples were split. */
#include "stats.h"
#include "buf.h"
#include "mask.h"
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A timeline: the whole run's (stats.sec) or one transaction's
 * (stats_tx.sec), handled by the same code. */
struct tl {
    struct stats_sec **sec;
    int *n, *cap;
};
#define TL(x) ((struct tl){&(x)->sec, &(x)->nsec, &(x)->sec_cap})

static void tl_free(struct tl l)
{
    for (int i = 0; i < *l.n; i++) hist_free((*l.sec)[i].hist);
    free(*l.sec);
    *l.sec = NULL;
    *l.n = *l.cap = 0;
}

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
    for (int i = 0; i < STATS_PH__COUNT; i++) hist_free(t->phase[i].hist);
    tl_free(TL(t));
    memset(t, 0, sizeof *t);
}

void stats_free(struct stats *s)
{
    if (!s) return;
    for (int i = 0; i < s->ntx; i++) stats_tx_clear(&s->tx[i]);
    free(s->tx);
    tl_free(TL(s));
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
    /* Made up front so that recording a request's phases never allocates;
     * a flow has none (it may still get them by a merge). */
    if (kind == STATS_REQUEST)
        for (int i = 0; i < STATS_PH__COUNT; i++)
            t->phase[i].hist = hist_new(STATS_PHASE_SIGFIGS);
}

static const char *const phase_names[STATS_PH__COUNT] = {
    "dns", "connect", "tls", "wait", "transfer"};

const char *stats_phase_name(int phase)
{
    return phase >= 0 && phase < STATS_PH__COUNT ? phase_names[phase] : NULL;
}

/* b - a, or -1 when the phase ending at b did not happen (b == 0) or the
 * clock went backwards (never a negative duration in the histograms). */
static int64_t span(int64_t a, int64_t b)
{
    return b <= 0 || b < a ? -1 : b - a;
}

void stats_phases_from_cumulative(struct stats_req_phases *p,
                                  int64_t namelookup_us, int64_t connect_us,
                                  int64_t appconnect_us,
                                  int64_t pretransfer_us,
                                  int64_t starttransfer_us, int64_t total_us)
{
    int fresh = connect_us > 0;
    p->us[STATS_PH_DNS] = fresh ? (namelookup_us > 0 ? namelookup_us : 0) : -1;
    p->us[STATS_PH_CONNECT] = fresh ? span(namelookup_us, connect_us) : -1;
    p->us[STATS_PH_TLS] = fresh ? span(connect_us, appconnect_us) : -1;
    /* Ready to send: pretransfer; older transports may not report it. */
    int64_t ready = pretransfer_us > 0 ? pretransfer_us :
                    appconnect_us > 0 ? appconnect_us : connect_us;
    p->us[STATS_PH_WAIT] = span(ready, starttransfer_us);
    p->us[STATS_PH_TRANSFER] = starttransfer_us > 0 ?
                               span(starttransfer_us, total_us) : -1;
}

static void phase_add(struct stats_phase *ph, int64_t us)
{
    ph->count++;
    ph->sum_us += us;
    if (us > ph->max_us) ph->max_us = us;
    if (!ph->hist) ph->hist = hist_new(STATS_PHASE_SIGFIGS);
    hist_record(ph->hist, us);
}

void stats_request_phases(struct stats *s, int tx,
                          const struct stats_req_phases *p)
{
    struct stats_tx *t = &s->tx[tx];
    for (int i = 0; i < STATS_PH__COUNT; i++)
        if (p->us[i] >= 0) phase_add(&t->phase[i], p->us[i]);
    if (p->sent_bytes > 0) t->sent_bytes += p->sent_bytes;
    if (p->received_bytes > 0) t->received_bytes += p->received_bytes;
}

double stats_phase_mean_us(const struct stats_phase *ph)
{
    return ph->count ? (double)ph->sum_us / (double)ph->count : 0;
}

/* d += x, exactly. Returns -1 on a histogram layout mismatch. */
static int phase_merge(struct stats_phase *d, const struct stats_phase *x)
{
    if (!x->count) return 0;
    d->count += x->count;
    d->sum_us += x->sum_us;
    if (x->max_us > d->max_us) d->max_us = x->max_us;
    if (!x->hist) return 0;
    if (!d->hist) d->hist = hist_new(STATS_PHASE_SIGFIGS);
    return hist_add(d->hist, x->hist);
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

void stats_set_secrets(struct stats *s, char *const *secrets, int n)
{
    s->secrets = n > 0 ? secrets : NULL;
    s->nsecrets = n > 0 ? n : 0;
}

static void count_err(const struct stats *s, struct stats_tx *t,
                      enum err_class err, const char *detail)
{
    const char *cls = stats_err_name(err);
    if (!cls) return;
    if (!detail || !*detail || t->nerrs >= STATS_MAX_ERR_KEYS) {
        add_err_key(t, cls, 1);
        return;
    }
    char key[320];
    if (s->nsecrets) {
        /* Failures only, so the copy costs nothing on the success path. */
        struct buf m = {0};
        mask_text(detail, strlen(detail), s->secrets, s->nsecrets, &m);
        snprintf(key, sizeof key, "%s: %s", cls, buf_str(&m));
        buf_free(&m);
    } else {
        snprintf(key, sizeof key, "%s: %s", cls, detail);
    }
    add_err_key(t, key, 1);
}

/* Room for extra more timeline seconds. */
static void sec_reserve(struct tl l, size_t extra)
{
    size_t need = (size_t)*l.n + extra;
    if (need <= (size_t)*l.cap) return;
    size_t cap = *l.cap ? (size_t)*l.cap * 2 : 16;
    if (cap < need) cap = need;
    if (cap > INT_MAX) cap = INT_MAX;
    if (need > cap) {
        fprintf(stderr, "herd: timeline of more than %d seconds\n", INT_MAX);
        abort();
    }
    *l.sec = xrealloc(*l.sec, cap * sizeof **l.sec);
    *l.cap = (int)cap;
}

/* The first index whose second is >= t (n when none). */
static int sec_lower(const struct stats_sec *sec, int n, int64_t t)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (sec[mid].t < t) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static const struct stats_sec *sec_find(const struct stats_sec *sec, int n,
                                        int64_t t)
{
    if (n && sec[n - 1].t == t) return &sec[n - 1];
    int i = sec_lower(sec, n, t);
    return i < n && sec[i].t == t ? &sec[i] : NULL;
}

const struct stats_sec *stats_sec_find(const struct stats *s, int64_t t)
{
    return sec_find(s->sec, s->nsec, t);
}

const struct stats_sec *stats_tx_sec_find(const struct stats_tx *t,
                                          int64_t sec)
{
    return sec_find(t->sec, t->nsec, sec);
}

/* The entry of second t, added (zero) when missing. */
static struct stats_sec *sec_at(struct tl l, int64_t t)
{
    int n = *l.n, i;
    struct stats_sec *sec = *l.sec;
    if (n && sec[n - 1].t == t) return &sec[n - 1];         /* the usual */
    if (!n || sec[n - 1].t < t) {
        i = n;                                              /* a new one */
    } else {
        i = sec_lower(sec, n, t);                           /* out of order */
        if (sec[i].t == t) return &sec[i];
    }
    sec_reserve(l, 1);
    sec = *l.sec;
    memmove(sec + i + 1, sec + i, (size_t)(n - i) * sizeof *sec);
    memset(&sec[i], 0, sizeof sec[i]);
    sec[i].t = t;
    (*l.n)++;
    return &sec[i];
}

/* One sample into a timeline second: errors count, successes feed hist. */
static void sec_sample(struct stats_sec *sec, int64_t latency_us, int failed)
{
    sec->requests++;
    if (failed) {
        sec->errors++;
        return;
    }
    if (!sec->hist) sec->hist = hist_new(HIST_TL_SIGFIGS);
    hist_record(sec->hist, latency_us);
}


/* The same into a transaction's own timeline, under the memory bound. */
static void tx_sec_sample(struct stats *s, struct stats_sec *sec,
                          int64_t latency_us, int failed)
{
    if (!failed && !sec->hist && !sec->hist_cut) {
        if (s->tx_tl_hists >= STATS_TX_TL_HISTS) sec->hist_cut = 1;
        else s->tx_tl_hists++;
    }
    if (sec->hist_cut) {
        sec->requests++;
        sec->errors += failed != 0;
        return;
    }
    sec_sample(sec, latency_us, failed);
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
        count_err(s, t, err, detail);
    }
    if (status >= 0 && status < STATS_MAX_STATUS) t->status[status]++;
    tx_sec_sample(s, sec_at(TL(t), wall_s), latency_us, err != ERR_NONE);
    if (t->kind == STATS_REQUEST)
        sec_sample(sec_at(TL(s), wall_s), latency_us, err != ERR_NONE);
}

void stats_error(struct stats *s, int tx, enum err_class err,
                 const char *detail)
{
    struct stats_tx *t = &s->tx[tx];
    t->errors++;
    count_err(s, t, err, detail);
}

void stats_iteration(struct stats *s, int64_t wall_s)
{
    sec_at(TL(s), wall_s)->iterations++;
}

void stats_active(struct stats *s, int64_t wall_s, int64_t users)
{
    struct stats_sec *sec = sec_at(TL(s), wall_s);
    if (users > sec->active_users) sec->active_users = users;
}

static int timeline_merge(struct tl dst, const struct stats_sec *x, int m,
                          int64_t *held);

/* d += x; held: the tx_tl_hists of d's stats (NULL: no bound). */
static int tx_merge(struct stats_tx *d, const struct stats_tx *x,
                    int64_t *held)
{
    for (int i = 0; i < STATS_PH__COUNT; i++)
        if (phase_merge(&d->phase[i], &x->phase[i]) < 0) return -1;
    d->sent_bytes += x->sent_bytes;
    d->received_bytes += x->received_bytes;
    if (timeline_merge(TL(d), x->sec, x->nsec, held) < 0) return -1;
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
        for (int k = 0; k < STATS_PH__COUNT; k++) {
            struct stats_phase *ph = &t->phase[k];
            ph->count = ph->sum_us = ph->max_us = 0;
            if (ph->hist) hist_reset(ph->hist);
        }
        t->sent_bytes = t->received_bytes = 0;
        for (int k = 0; k < t->nsec; k++) hist_free(t->sec[k].hist);
        t->nsec = 0;
    }
    s->iter_started = s->iter_succeeded = s->iter_failed = 0;
    s->iter_interrupted = s->iter_dropped = 0;
    s->path_fast = s->path_libcurl = 0;
    s->tx_tl_hists = 0;
    for (int i = 0; i < s->nsec; i++) hist_free(s->sec[i].hist);
    s->nsec = 0;
    if (s->timer_late) hist_reset(s->timer_late);
}

/* One second of another stats added into d (the same second). */
static int sec_add(struct stats_sec *d, const struct stats_sec *x,
                   int64_t *held)
{
    d->requests += x->requests;
    d->errors += x->errors;
    d->iterations += x->iterations;
    /* Workers and shards run side by side: their users add up. */
    d->active_users += x->active_users;
    /* A second cut on either side is cut: a histogram kept is whole. */
    if (x->hist_cut || (x->hist && !d->hist && held &&
                        *held >= STATS_TX_TL_HISTS)) {
        if (d->hist && held) (*held)--;
        hist_free(d->hist);
        d->hist = NULL;
        d->hist_cut = 1;
    }
    if (!x->hist || d->hist_cut) return 0;
    if (!d->hist) {
        d->hist = hist_new(HIST_TL_SIGFIGS);
        if (held) (*held)++;
    }
    return hist_add(d->hist, x->hist);
}

/* dst's timeline += src's: two sorted lists merged in place, from the
 * end, after counting the seconds dst lacks. Appending later seconds (the
 * usual: a worker's delta into the total, a result read second by second)
 * touches only them. On a histogram layout mismatch the merge still ends
 * consistent, and -1 is returned. */
static int timeline_merge(struct tl dst, const struct stats_sec *x, int m,
                          int64_t *held)
{
    int n = *dst.n, add = 0, rc = 0;
    if (!m) return 0;
    for (int i = sec_lower(*dst.sec, n, x[0].t), j = 0; j < m;) {
        struct stats_sec *d = *dst.sec;
        if (i < n && d[i].t < x[j].t) i++;
        else if (i < n && d[i].t == x[j].t) i++, j++;
        else add++, j++;
    }
    sec_reserve(dst, (size_t)add);
    struct stats_sec *d = *dst.sec;
    int i = n - 1, j = m - 1, k = n + add - 1;
    while (j >= 0) {
        if (i >= 0 && d[i].t > x[j].t) {
            d[k--] = d[i--];
        } else if (i >= 0 && d[i].t == x[j].t) {
            if (sec_add(&d[i], &x[j--], held) < 0) rc = -1;
            d[k--] = d[i--];
        } else {
            memset(&d[k], 0, sizeof d[k]);
            d[k].t = x[j].t;
            if (sec_add(&d[k--], &x[j--], held) < 0) rc = -1;
        }
    }
    *dst.n = n + add;
    return rc;
}

int stats_tx_sec_add(struct stats_tx *t, const struct stats_sec *x)
{
    return timeline_merge(TL(t), x, 1, NULL);
}

int64_t stats_tx_tl_cut(const struct stats_tx *t)
{
    int64_t n = 0;
    for (int i = 0; i < t->nsec; i++) n += t->sec[i].hist_cut;
    return n;
}

int stats_merge(struct stats *dst, const struct stats *src)
{
    for (int i = 0; i < src->ntx; i++) {
        const struct stats_tx *x = &src->tx[i];
        int j = stats_tx_find(dst, x->name);
        if (j >= 0 && dst->tx[j].kind != x->kind) j = -1;
        if (j < 0 && x->count == 0 && x->errors == 0) continue;
        j = stats_tx_index(dst, src->tx[i].name, src->tx[i].kind);
        if (tx_merge(&dst->tx[j], &src->tx[i], &dst->tx_tl_hists) < 0)
            return -1;
    }
    dst->iter_started += src->iter_started;
    dst->iter_succeeded += src->iter_succeeded;
    dst->iter_failed += src->iter_failed;
    dst->iter_interrupted += src->iter_interrupted;
    dst->iter_dropped += src->iter_dropped;
    dst->path_fast += src->path_fast;
    dst->path_libcurl += src->path_libcurl;
    int rc = timeline_merge(TL(dst), src->sec, src->nsec, NULL);
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
        if (s->tx[i].kind == kind) tx_merge(out, &s->tx[i], NULL);
}
