/* test_stats.c — recording, error keys, timeline, and merge(a, b) equal to
 * recording a ∪ b. */
#include "t.h"
#include "stats.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t rng = 12345;

static int64_t sample(void)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return 1 + (int64_t)((rng >> 33) % 5000000);
}

static int close_rel(double a, double b)
{
    return fabs(a - b) <= 1e-9 * fmax(1.0, fmax(fabs(a), fabs(b)));
}

static void test_record(void)
{
    struct stats *s = stats_new();
    int a = stats_tx_index(s, "a", STATS_REQUEST);
    int f = stats_tx_index(s, "wait", STATS_FLOW);
    CHECK_INT(stats_tx_index(s, "a", STATS_REQUEST), a);
    stats_record(s, a, 100, 100, 200, ERR_NONE, NULL, 1000);
    stats_record(s, a, 300, 300, 500, ERR_STATUS, "500", 1000);
    stats_record(s, a, 200, 150, 0, ERR_CONNECT, NULL, 1002);
    stats_record(s, f, 2000000, 2000000, 200, ERR_NONE, NULL, 1002);
    stats_error(s, a, ERR_INTERRUPTED, NULL);
    const struct stats_tx *t = &s->tx[a];
    CHECK_INT(t->count, 3);
    CHECK_INT(t->errors, 3);          /* 2 failed samples + 1 without */
    CHECK_INT(t->failed, 2);
    CHECK_INT(stats_tx_ok(t), 1);
    /* The successful side holds the one success only ... */
    CHECK_INT(t->min_us, 100);
    CHECK_INT(t->max_us, 100);
    CHECK(fabs(t->mean_us - 100) < 1e-9);
    CHECK_INT(t->hist->total, 1);
    CHECK_INT(t->hist_service->total, 1);
    /* ... and the failed side the two failures. */
    CHECK_INT(t->fail_min_us, 200);
    CHECK_INT(t->fail_max_us, 300);
    CHECK(fabs(t->fail_mean_us - 250) < 1e-9);
    CHECK(fabs(stats_tx_fail_stddev(t) - sqrt(5000)) < 1e-9); /* sample */
    CHECK_INT(t->fail_hist->total, 2);
    CHECK_INT(hist_percentile(t->fail_hist, 100), 300);
    /* Every sample together: what the old system's columns hold. */
    double all_mean, all_sd;
    int64_t all_max;
    stats_tx_all_moments(t, &all_mean, &all_max, &all_sd);
    CHECK(fabs(all_mean - 200) < 1e-9);
    CHECK_INT(all_max, 300);
    CHECK(fabs(all_sd - 100) < 1e-9);
    CHECK_INT(t->status[200], 1);
    CHECK_INT(t->status[0], 1);
    CHECK_INT(t->nerrs, 3);
    CHECK_STR(t->errs[0].key, "status: 500");
    CHECK_STR(t->errs[1].key, "connect");
    CHECK_INT(hist_percentile(t->hist_service, 100), 100);
    /* the timeline holds request samples only, and only the seconds that
     * have some: 1002 has none, so it is not there */
    CHECK_INT(s->nsec, 2);
    CHECK_INT(s->sec[0].t, 1000);
    CHECK_INT(s->sec[1].t, 1002);
    CHECK_INT(s->sec[0].requests, 2);
    CHECK_INT(s->sec[0].errors, 1);
    CHECK_INT(s->sec[0].hist->total, 1);   /* the success only */
    CHECK(s->sec[1].hist == NULL);        /* a second of failures only */
    CHECK_INT(s->sec[1].requests, 1);
    CHECK(stats_sec_find(s, 1001) == NULL);
    CHECK(stats_sec_find(s, 1002) == &s->sec[1]);
    stats_active(s, 999, 5);          /* before the first second */
    CHECK_INT(s->nsec, 3);
    CHECK_INT(s->sec[0].t, 999);
    CHECK_INT(s->sec[0].active_users, 5);
    CHECK_INT(s->sec[1].requests, 2);
    CHECK_STR(stats_err_name(ERR_RETRIES), "retries_exhausted");
    CHECK_INT(stats_err_parse("poll_timeout"), ERR_POLL_TIMEOUT);
    CHECK(stats_err_name(ERR__COUNT) == NULL);
    stats_free(s);
}

/* x holds what y holds: the same counts, extremes, moments, p99 and 503s,
 * on the successful and on the failed side (as when the samples behind x
 * were recorded into y in one go). Both sides must have samples, or the
 * test would prove nothing about that side. */
static void check_same_tx(const struct stats_tx *x, const struct stats_tx *y)
{
    CHECK(stats_tx_ok(y) > 1 && y->failed > 1);
    CHECK_INT(x->count, y->count);
    CHECK_INT(x->errors, y->errors);
    CHECK_INT(x->failed, y->failed);
    CHECK_INT(x->min_us, y->min_us);
    CHECK_INT(x->max_us, y->max_us);
    CHECK(close_rel(x->mean_us, y->mean_us));
    CHECK(close_rel(stats_tx_stddev(x), stats_tx_stddev(y)));
    CHECK_INT(hist_percentile(x->hist, 99), hist_percentile(y->hist, 99));
    CHECK_INT(x->hist->total, y->hist->total);
    CHECK_INT(x->fail_min_us, y->fail_min_us);
    CHECK_INT(x->fail_max_us, y->fail_max_us);
    CHECK(close_rel(x->fail_mean_us, y->fail_mean_us));
    CHECK(close_rel(stats_tx_fail_stddev(x), stats_tx_fail_stddev(y)));
    CHECK_INT(hist_percentile(x->fail_hist, 50), hist_percentile(y->fail_hist, 50));
    CHECK_INT(hist_percentile(x->fail_hist, 99), hist_percentile(y->fail_hist, 99));
    CHECK_INT(x->fail_hist->total, y->fail_hist->total);
    CHECK_INT(x->status[503], y->status[503]);
}

static void test_merge_equals_union(void)
{
    struct stats *a = stats_new(), *b = stats_new(), *all = stats_new();
    struct stats *one = stats_new();
    int tw = stats_tx_index(one, "web", STATS_REQUEST);
    const char *names[] = {"login", "assign", "poll"};
    for (int i = 0; i < 30000; i++) {
        int k = i % 3;
        int64_t v = sample();
        int status = (v % 7) ? 200 : 503;
        enum err_class e = (v % 11) ? ERR_NONE : ERR_CHECK;
        int64_t sec = 5000 + (v % 9);
        struct stats *part = (v % 5 < 2) ? a : b;
        /* b never sees "login": merge must add it */
        if (k == 0) part = a;
        int ti = stats_tx_index(part, names[k], STATS_REQUEST);
        stats_record(part, ti, v, v / 2, status, e, e ? "contains \"OK\"" : NULL, sec);
        int tj = stats_tx_index(all, names[k], STATS_REQUEST);
        stats_record(all, tj, v, v / 2, status, e, e ? "contains \"OK\"" : NULL, sec);
        stats_record(one, tw, v, v / 2, status, e, NULL, sec);
    }
    a->iter_started = 5; b->iter_started = 7;
    CHECK(stats_merge(a, b) == 0);
    CHECK_INT(a->iter_started, 12);
    CHECK_INT(a->ntx, 3);
    for (int k = 0; k < 3; k++) {
        const struct stats_tx *x = &a->tx[stats_tx_find(a, names[k])];
        const struct stats_tx *y = &all->tx[stats_tx_find(all, names[k])];
        check_same_tx(x, y);
        CHECK_INT(hist_percentile(x->hist_service, 50),
                  hist_percentile(y->hist_service, 50));
        CHECK_INT(x->nerrs, y->nerrs);
        if (x->nerrs && y->nerrs) CHECK_INT(x->errs[0].count, y->errs[0].count);
    }
    CHECK_INT(a->nsec, all->nsec);
    for (int i = 0; i < a->nsec && i < all->nsec; i++) {
        CHECK_INT(a->sec[i].requests, all->sec[i].requests);
        CHECK_INT(a->sec[i].errors, all->sec[i].errors);
        CHECK_INT(a->sec[i].hist->total, all->sec[i].hist->total);
        CHECK_INT(hist_percentile(a->sec[i].hist, 50),
                  hist_percentile(all->sec[i].hist, 50));
    }
    /* summing every request tx gives the "web" pool */
    struct stats_tx web, web1;
    stats_tx_sum(a, STATS_REQUEST, "web", &web);
    CHECK_INT(web.count, 30000);
    /* ... the same as one pass recording all of them under one name */
    check_same_tx(&web, &one->tx[0]);
    stats_tx_sum(all, STATS_REQUEST, "web", &web1);
    check_same_tx(&web1, &one->tx[0]);
    stats_tx_clear(&web1);
    stats_tx_clear(&web);
    stats_free(one);
    stats_free(a); stats_free(b); stats_free(all);
}

static void test_merge_timeline_disjoint(void)
{
    struct stats *a = stats_new(), *b = stats_new();
    int ta = stats_tx_index(a, "x", STATS_REQUEST);
    int tb = stats_tx_index(b, "x", STATS_REQUEST);
    stats_record(a, ta, 10, 10, 200, ERR_NONE, NULL, 100);
    stats_record(b, tb, 20, 20, 200, ERR_NONE, NULL, 90);
    stats_active(a, 100, 3);
    stats_active(b, 100, 4);
    CHECK(stats_merge(a, b) == 0);
    CHECK_INT(a->nsec, 2);                   /* 90 and 100, nothing between */
    CHECK_INT(a->sec[0].t, 90);
    CHECK_INT(a->sec[0].requests, 1);
    CHECK_INT(a->sec[1].t, 100);
    CHECK_INT(a->sec[1].requests, 1);
    CHECK_INT(a->sec[1].active_users, 7);    /* side by side: users add */
    stats_free(a); stats_free(b);
}

/* Two results a week apart (herd merge): the merged timeline holds their
 * seconds, not the calendar between them (it was 604,801 entries). */
static void test_merge_week_apart(void)
{
    const int64_t t0 = 1700000000, week = 7 * 86400;
    struct stats *a = stats_new(), *b = stats_new();
    int ta = stats_tx_index(a, "x", STATS_REQUEST);
    int tb = stats_tx_index(b, "x", STATS_REQUEST);
    for (int i = 0; i < 3; i++) {
        stats_record(a, ta, 10 + i, 10, 200, ERR_NONE, NULL, t0 + i);
        stats_record(b, tb, 20 + i, 20, 200, ERR_NONE, NULL, t0 + week + i);
    }
    CHECK(stats_merge(a, b) == 0);
    CHECK_INT(a->nsec, 6);
    CHECK(a->sec_cap <= 64);                 /* small memory */
    for (int i = 0; i < 3; i++) {
        CHECK_INT(a->sec[i].t, t0 + i);
        CHECK_INT(a->sec[3 + i].t, t0 + week + i);
        CHECK_INT(a->sec[3 + i].hist->total, 1);
    }
    /* and the other way round: the later one first */
    struct stats *c = stats_new();
    stats_tx_index(c, "x", STATS_REQUEST);
    CHECK(stats_merge(c, b) == 0);
    CHECK(stats_merge(c, a) == 0);
    CHECK_INT(c->nsec, 6);
    CHECK(c->sec_cap <= 64);
    CHECK_INT(c->sec[0].t, t0);
    CHECK_INT(c->sec[5].t, t0 + week + 2);
    CHECK_INT(c->sec[3].requests, 2);        /* b's first second, twice */
    /* a gap longer than an int counts seconds: no overflow */
    struct stats *d = stats_new();
    int td = stats_tx_index(d, "x", STATS_REQUEST);
    stats_record(d, td, 1, 1, 200, ERR_NONE, NULL, 0);
    stats_record(d, td, 1, 1, 200, ERR_NONE, NULL, (int64_t)1 << 40);
    stats_active(d, -((int64_t)1 << 33), 2);
    CHECK_INT(d->nsec, 3);
    CHECK_INT(d->sec[0].t, -((int64_t)1 << 33));
    CHECK_INT(d->sec[2].t, (int64_t)1 << 40);
    stats_free(a); stats_free(b); stats_free(c); stats_free(d);
}

/* Seconds recorded out of order (a late worker, shards' clocks) land in
 * order, each once; the merge of interleaved timelines adds them up. */
static void test_timeline_out_of_order(void)
{
    struct stats *s = stats_new(), *o = stats_new();
    int t = stats_tx_index(s, "x", STATS_REQUEST);
    int to = stats_tx_index(o, "x", STATS_REQUEST);
    const int64_t order[] = {1005, 1000, 1003, 1000, 1005, 1001, 999, 1003};
    for (int i = 0; i < 8; i++)
        stats_record(s, t, 100, 100, 200, ERR_NONE, NULL, order[i]);
    const int64_t want_t[] = {999, 1000, 1001, 1003, 1005};
    const int64_t want_n[] = {1, 2, 1, 2, 2};
    CHECK_INT(s->nsec, 5);
    for (int i = 0; i < 5 && i < s->nsec; i++) {
        CHECK_INT(s->sec[i].t, want_t[i]);
        CHECK_INT(s->sec[i].requests, want_n[i]);
        CHECK_INT(s->sec[i].hist->total, want_n[i]);
        CHECK(stats_sec_find(s, want_t[i]) == &s->sec[i]);
    }
    CHECK(stats_sec_find(s, 998) == NULL);
    CHECK(stats_sec_find(s, 1002) == NULL);
    CHECK(stats_sec_find(s, 1006) == NULL);
    /* interleaved: 998, 1000 (shared), 1002, 1004, 1006 */
    for (int64_t u = 998; u <= 1006; u += 2)
        stats_record(o, to, 100, 100, 200, ERR_NONE, NULL, u);
    CHECK(stats_merge(s, o) == 0);
    const int64_t mt[] = {998, 999, 1000, 1001, 1002, 1003, 1004, 1005, 1006};
    const int64_t mn[] = {1, 1, 3, 1, 1, 2, 1, 2, 1};
    CHECK_INT(s->nsec, 9);
    int64_t total = 0;
    for (int i = 0; i < 9 && i < s->nsec; i++) {
        CHECK_INT(s->sec[i].t, mt[i]);
        CHECK_INT(s->sec[i].requests, mn[i]);
        total += s->sec[i].hist->total;
    }
    CHECK_INT(total, 13);
    stats_free(s); stats_free(o);
}

/* The journal's way of recording: record a delta, merge it into a total,
 * reset, go on. The total equals recording everything into one stats. */
static void test_reset_and_merge_deltas(void)
{
    struct stats *one = stats_new(), *total = stats_new(), *d = stats_new();
    int t1 = stats_tx_index(one, "x", STATS_REQUEST);
    int td = stats_tx_index(d, "x", STATS_REQUEST);
    stats_tx_index(total, "x", STATS_REQUEST);
    for (int sec = 0; sec < 5; sec++) {
        for (int i = 0; i < 1000; i++) {
            int64_t v = sample();
            int st = i % 10 ? 200 : 503;
            enum err_class e = st == 200 ? ERR_NONE : ERR_STATUS;
            stats_record(one, t1, v, v, st, e, "x", 1000 + sec);
            stats_record(d, td, v, v, st, e, "x", 1000 + sec);
        }
        stats_active(one, 1000 + sec, 7);
        stats_active(d, 1000 + sec, 7);
        one->iter_started += 3; d->iter_started += 3;
        CHECK(stats_merge(total, d) == 0);
        stats_reset(d);
        CHECK_INT(d->tx[td].count, 0);
        CHECK_INT(d->tx[td].nerrs, 0);
        CHECK_INT(d->nsec, 0);
        CHECK_INT(d->tx[td].hist->total, 0);
        CHECK_INT(d->tx[td].fail_hist->total, 0);
        CHECK_INT(d->tx[td].failed, 0);
        CHECK_INT(d->tx[td].fail_max_us, 0);
        CHECK(d->tx[td].fail_mean_us == 0 && d->tx[td].fail_m2 == 0);
        CHECK_INT(d->tx[td].status[200], 0);
    }
    const struct stats_tx *b = &total->tx[0];
    check_same_tx(b, &one->tx[t1]);
    CHECK_INT(b->nerrs, 1);
    CHECK_INT(total->nsec, 5);
    CHECK_INT(total->sec[4].active_users, 7);   /* one record per second */
    CHECK_INT(total->iter_started, 15);
    stats_free(one); stats_free(total); stats_free(d);
}

/* Merging many partials with distinct error details stays bounded. */
static void test_merge_error_keys_bounded(void)
{
    struct stats *total = stats_new(), *d = stats_new();
    int td = stats_tx_index(d, "x", STATS_REQUEST);
    char detail[32];
    for (int i = 0; i < 500; i++) {
        snprintf(detail, sizeof detail, "id %d", i);
        stats_error(d, td, ERR_CHECK, detail);
        CHECK(stats_merge(total, d) == 0);
        stats_reset(d);
    }
    const struct stats_tx *t = &total->tx[0];
    CHECK(t->nerrs <= 65);
    int64_t sum = 0;
    for (int i = 0; i < t->nerrs; i++) sum += t->errs[i].count;
    CHECK_INT(sum, 500);
    CHECK_INT(t->errors, 500);
    stats_free(total); stats_free(d);
}

/* libcurl's cumulative times into durations: a new plain connection, a new
 * TLS one, a reused one (connect 0: no dns/connect/tls), and a transfer
 * that never got a byte (starttransfer 0: no wait/transfer). */
static void test_phases_from_cumulative(void)
{
    struct stats_req_phases p;
    stats_phases_from_cumulative(&p, 10, 110, 0, 115, 20115, 20130);
    CHECK_INT(p.us[STATS_PH_DNS], 10);
    CHECK_INT(p.us[STATS_PH_CONNECT], 100);
    CHECK_INT(p.us[STATS_PH_TLS], -1);
    CHECK_INT(p.us[STATS_PH_WAIT], 20000);
    CHECK_INT(p.us[STATS_PH_TRANSFER], 15);
    stats_phases_from_cumulative(&p, 10, 110, 4110, 4120, 5120, 5200);
    CHECK_INT(p.us[STATS_PH_TLS], 4000);
    CHECK_INT(p.us[STATS_PH_WAIT], 1000);
    CHECK_INT(p.us[STATS_PH_TRANSFER], 80);
    stats_phases_from_cumulative(&p, 3, 0, 0, 5, 505, 510);
    CHECK_INT(p.us[STATS_PH_DNS], -1);
    CHECK_INT(p.us[STATS_PH_CONNECT], -1);
    CHECK_INT(p.us[STATS_PH_TLS], -1);
    CHECK_INT(p.us[STATS_PH_WAIT], 500);
    stats_phases_from_cumulative(&p, 10, 110, 0, 0, 0, 3000000);
    CHECK_INT(p.us[STATS_PH_CONNECT], 100);
    CHECK_INT(p.us[STATS_PH_WAIT], -1);
    CHECK_INT(p.us[STATS_PH_TRANSFER], -1);
    CHECK_STR(stats_phase_name(STATS_PH_WAIT), "wait");
    CHECK(stats_phase_name(STATS_PH__COUNT) == NULL);
}

/* Phases, bytes and a transaction's own timeline: merge(a, b) equals
 * recording both into one, however the requests were split (shards). */
static void test_phases_merge_exact(void)
{
    struct stats *one = stats_new(), *a = stats_new(), *b = stats_new();
    int t1 = stats_tx_index(one, "get", STATS_REQUEST);
    int ta = stats_tx_index(a, "get", STATS_REQUEST);
    int tb = stats_tx_index(b, "get", STATS_REQUEST);
    int f1 = stats_tx_index(one, "flow", STATS_FLOW);
    int fb = stats_tx_index(b, "flow", STATS_FLOW);
    for (int i = 0; i < 3000; i++) {
        struct stats_req_phases p;
        int64_t v = sample();
        int64_t conn = i % 7 ? 0 : 50 + v % 300;    /* a new one now and then */
        stats_phases_from_cumulative(&p, conn ? 5 : 0, conn, conn ? conn * 3 : 0,
                                     conn * 3 + 2, conn * 3 + 2 + v,
                                     conn * 3 + 2 + v + i % 50);
        p.sent_bytes = 100 + i % 13;
        p.received_bytes = 1000 + i % 101;
        int64_t wall = 1700000000 + i / 400;
        struct stats *x = i % 3 ? a : b;
        stats_request_phases(one, t1, &p);
        stats_request_phases(x, x == a ? ta : tb, &p);
        stats_record(one, t1, v, v, 200, i % 11 ? ERR_NONE : ERR_STATUS, "500", wall);
        stats_record(x, x == a ? ta : tb, v, v, 200, i % 11 ? ERR_NONE : ERR_STATUS,
                     "500", wall);
        if (i % 5 == 0) {
            stats_record(one, f1, v * 3, v * 3, 200, ERR_NONE, NULL, wall);
            stats_record(b, fb, v * 3, v * 3, 200, ERR_NONE, NULL, wall);
        }
    }
    struct stats *m = stats_new();
    CHECK(stats_merge(m, b) == 0);
    CHECK(stats_merge(m, a) == 0);
    const struct stats_tx *w = &one->tx[t1], *g = &m->tx[stats_tx_find(m, "get")];
    for (int k = 0; k < STATS_PH__COUNT; k++) {
        CHECK_INT(g->phase[k].count, w->phase[k].count);
        CHECK_INT(g->phase[k].sum_us, w->phase[k].sum_us);
        CHECK_INT(g->phase[k].max_us, w->phase[k].max_us);
        CHECK_INT(hist_percentile(g->phase[k].hist, 95),
                  hist_percentile(w->phase[k].hist, 95));
    }
    CHECK_INT(w->phase[STATS_PH_CONNECT].count, 429);   /* 3000 / 7, rounded up */
    CHECK_INT(w->phase[STATS_PH_TLS].count, 429);
    CHECK_INT(w->phase[STATS_PH_WAIT].count, 3000);
    CHECK_INT(g->sent_bytes, w->sent_bytes);
    CHECK_INT(g->received_bytes, w->received_bytes);
    CHECK_INT(g->nsec, w->nsec);
    CHECK_INT(w->nsec, 8);
    for (int i = 0; i < w->nsec && i < g->nsec; i++) {
        CHECK_INT(g->sec[i].t, w->sec[i].t);
        CHECK_INT(g->sec[i].requests, w->sec[i].requests);
        CHECK_INT(g->sec[i].errors, w->sec[i].errors);
        CHECK_INT(hist_percentile(g->sec[i].hist, 95),
                  hist_percentile(w->sec[i].hist, 95));
    }
    const struct stats_tx *fw = &one->tx[f1], *fm = &m->tx[stats_tx_find(m, "flow")];
    CHECK_INT(fm->nsec, fw->nsec);
    CHECK(stats_tx_sec_find(fm, 1700000003) != NULL);
    CHECK_INT(stats_tx_sec_find(fm, 1700000003)->requests,
              stats_tx_sec_find(fw, 1700000003)->requests);
    CHECK(stats_tx_sec_find(fm, 1700000009) == NULL);
    /* Reset empties them and keeps the transactions. */
    stats_reset(a);
    CHECK_INT(a->tx[ta].phase[STATS_PH_WAIT].count, 0);
    CHECK_INT(a->tx[ta].sent_bytes, 0);
    CHECK_INT(a->tx[ta].nsec, 0);
    stats_free(one);
    stats_free(a);
    stats_free(b);
    stats_free(m);
}

/* The transactions' own timelines hold at most STATS_TX_TL_HISTS latency
 * histograms per stats, first come first kept: past it a second keeps
 * exact counts and is marked hist_cut. A merge keeps a second's histogram
 * only if it is whole (cut on either side: cut), and where kept it equals
 * recording both sides into one stats. */
static void test_timeline_bound(void)
{
    const int64_t t0 = 1700000000, extra = 10;
    struct stats *a = stats_new();
    int x = stats_tx_index(a, "x", STATS_REQUEST);
    int y = stats_tx_index(a, "y", STATS_REQUEST);
    /* x fills the bound but 5; y takes those 5, then is cut. */
    for (int64_t i = 0; i < STATS_TX_TL_HISTS - 5; i++)
        stats_record(a, x, 1000 + i, 1000 + i, 200, ERR_NONE, NULL, t0 + i);
    for (int64_t i = 0; i < 5 + extra; i++) {
        stats_record(a, y, 2000, 2000, 200, ERR_NONE, NULL, t0 + i);
        stats_record(a, y, 3000, 3000, 500, ERR_STATUS, "s", t0 + i);
    }
    CHECK(a->tx_tl_hists == STATS_TX_TL_HISTS);
    CHECK(stats_tx_tl_cut(&a->tx[x]) == 0);
    CHECK(stats_tx_tl_cut(&a->tx[y]) == extra);
    const struct stats_tx *ty = &a->tx[y];
    CHECK_INT(ty->nsec, 5 + extra);
    for (int i = 0; i < ty->nsec; i++) {
        const struct stats_sec *e = &ty->sec[i];
        CHECK(e->requests == 2 && e->errors == 1);
        CHECK(i < 5 ? e->hist && e->hist->total == 1 && !e->hist_cut
                    : !e->hist && e->hist_cut);
    }
    /* More samples into a cut second stay counted, not kept. */
    stats_record(a, x, 5, 5, 200, ERR_NONE, NULL, t0 + STATS_TX_TL_HISTS + 1);
    CHECK(stats_tx_tl_cut(&a->tx[x]) == 1);
    CHECK(a->tx_tl_hists == STATS_TX_TL_HISTS);

    /* b: y's first second is cut there (b's bound spent on z first), its
     * second second kept. Merged into an empty stats: y's first second is
     * cut (a had it whole, b did not), its second second whole. */
    struct stats *b = stats_new();
    int z = stats_tx_index(b, "z", STATS_REQUEST);
    int by = stats_tx_index(b, "y", STATS_REQUEST);
    for (int64_t i = 0; i < STATS_TX_TL_HISTS; i++)
        stats_record(b, z, 10, 10, 200, ERR_NONE, NULL, t0 - 100000 + i);
    stats_record(b, by, 7000, 7000, 200, ERR_NONE, NULL, t0);
    b->tx_tl_hists = 0;   /* as if a later delta: the next second is kept */
    stats_record(b, by, 9000, 9000, 200, ERR_NONE, NULL, t0 + 1);
    CHECK(b->tx[by].sec[0].hist_cut && b->tx[by].sec[1].hist);
    struct stats *m = stats_new();
    CHECK(stats_merge(m, a) == 0);
    CHECK(m->tx_tl_hists == STATS_TX_TL_HISTS);
    /* m's bound is spent: b's z seconds (earlier, new to m) are all cut. */
    CHECK(stats_merge(m, b) == 0);
    int my = stats_tx_find(m, "y"), mz = stats_tx_find(m, "z");
    const struct stats_sec *s0 = stats_tx_sec_find(&m->tx[my], t0);
    const struct stats_sec *s1 = stats_tx_sec_find(&m->tx[my], t0 + 1);
    CHECK(s0 && s0->hist_cut && !s0->hist && s0->requests == 3);
    CHECK(s1 && !s1->hist_cut && s1->hist && s1->hist->total == 2 &&
          s1->requests == 3 && s1->hist->max >= 9000);
    CHECK(stats_tx_tl_cut(&m->tx[mz]) == STATS_TX_TL_HISTS);
    CHECK(m->tx_tl_hists == STATS_TX_TL_HISTS - 1);   /* s0's freed */
    /* Kept seconds of x are exact: the same histograms as in a. */
    int mx = stats_tx_find(m, "x");
    int same = 1;
    for (int i = 0; i < a->tx[x].nsec; i++) {
        const struct stats_sec *e = &a->tx[x].sec[i],
                               *f = stats_tx_sec_find(&m->tx[mx], e->t);
        same &= f && f->requests == e->requests && f->hist_cut == e->hist_cut &&
                (!e->hist || (f->hist && f->hist->total == e->hist->total &&
                              f->hist->min == e->hist->min &&
                              f->hist->max == e->hist->max));
    }
    CHECK(same);
    /* Every count stays exact: the timeline adds up to the count. */
    int64_t n = 0;
    for (int i = 0; i < m->tx[my].nsec; i++) n += m->tx[my].sec[i].requests;
    CHECK(n == m->tx[my].count);
    /* A reset gives the bound back. */
    stats_reset(a);
    CHECK(a->tx_tl_hists == 0);
    stats_free(a);
    stats_free(b);
    stats_free(m);
    /* A 1-hour run of 20 transactions, every one succeeding every second:
     * 72 000 transaction-seconds, 7200 histograms held, every count kept. */
    struct stats *h = stats_new();
    int ids[20];
    for (int k = 0; k < 20; k++) {
        char nm[8];
        snprintf(nm, sizeof nm, "t%d", k);
        ids[k] = stats_tx_index(h, nm, STATS_REQUEST);
    }
    for (int64_t sec = 0; sec < 3600; sec++)
        for (int k = 0; k < 20; k++)
            stats_record(h, ids[k], 100 + k, 100 + k, 200, ERR_NONE, NULL,
                         t0 + sec);
    int64_t held = 0, cut = 0, secs = 0;
    for (int k = 0; k < 20; k++) {
        cut += stats_tx_tl_cut(&h->tx[k]);
        secs += h->tx[k].nsec;
        for (int i = 0; i < h->tx[k].nsec; i++) held += h->tx[k].sec[i].hist != NULL;
    }
    CHECK(held == STATS_TX_TL_HISTS && h->tx_tl_hists == held);
    CHECK(secs == 72000 && cut == 72000 - STATS_TX_TL_HISTS);
    stats_free(h);
}

int main(void)
{
    T_RUN(test_phases_from_cumulative);
    T_RUN(test_phases_merge_exact);
    T_RUN(test_record);
    T_RUN(test_merge_equals_union);
    T_RUN(test_timeline_bound);
    T_RUN(test_merge_timeline_disjoint);
    T_RUN(test_merge_week_apart);
    T_RUN(test_timeline_out_of_order);
    T_RUN(test_reset_and_merge_deltas);
    T_RUN(test_merge_error_keys_bounded);
    return T_DONE();
}
