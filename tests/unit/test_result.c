/* test_result.c — JSON round trip, refusal of truncated or corrupt files,
 * atomic write, result merge; thresholds and the report over a result. */
#include "t.h"
#include "report.h"
#include "result.h"
#include "thresh.h"
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

static struct result *make(int64_t seed, int64_t t0)
{
    struct result *r = result_new();
    r->run_id = strdup("run-1");
    r->plan_name = strdup("demo");
    r->mode = strdup("local");
    r->started_unix_ms = t0 * 1000;
    r->finished_unix_ms = t0 * 1000 + 10000;
    r->shards_total = r->shards_ok = 1;
    struct stats *s = r->stats;
    int a = stats_tx_index(s, "assign container", STATS_REQUEST);
    int w = stats_tx_index(s, "container ready", STATS_FLOW);
    for (int64_t i = 0; i < 1000; i++) {
        int64_t v = 1000 + (i * seed) % 90000;
        stats_record(s, a, v, v - 5, i % 10 ? 202 : 503,
                     i % 10 ? ERR_NONE : ERR_RETRIES, i % 10 ? NULL : "503 after 100 tries",
                     t0 + i % 10);
        if (i % 4 == 0)
            stats_record(s, w, v * 20, v * 20, 200, ERR_NONE, NULL, t0 + i % 10);
        stats_active(s, t0 + i % 10, 7);
        struct stats_req_phases ph;
        stats_phases_from_cumulative(&ph, i % 5 ? 0 : 7, i % 5 ? 0 : 90, 0,
                                     i % 5 ? 3 : 95, v - 100, v);
        ph.sent_bytes = 200 + i % 3;
        ph.received_bytes = 900 + i % 7;
        stats_request_phases(s, a, &ph);
    }
    s->iter_started = 250;
    s->iter_succeeded = 240;
    s->iter_failed = 10;
    return r;
}

static void same(const struct result *x, const struct result *y)
{
    CHECK_INT(x->stats->ntx, y->stats->ntx);
    for (int i = 0; i < x->stats->ntx && i < y->stats->ntx; i++) {
        const struct stats_tx *a = &x->stats->tx[i], *b = &y->stats->tx[i];
        CHECK_STR(a->name, b->name);
        CHECK_INT(a->kind, b->kind);
        CHECK_INT(a->count, b->count);
        CHECK_INT(a->errors, b->errors);
        CHECK_INT(a->min_us, b->min_us);
        CHECK_INT(a->max_us, b->max_us);
        CHECK(fabs(a->mean_us - b->mean_us) < 1e-6);
        CHECK(fabs(stats_tx_stddev(a) - stats_tx_stddev(b)) < 1e-6);
        CHECK_INT(hist_percentile(a->hist, 95), hist_percentile(b->hist, 95));
        CHECK_INT(a->failed, b->failed);
        CHECK_INT(a->fail_min_us, b->fail_min_us);
        CHECK_INT(a->fail_max_us, b->fail_max_us);
        CHECK(fabs(a->fail_mean_us - b->fail_mean_us) < 1e-6);
        CHECK(fabs(stats_tx_fail_stddev(a) - stats_tx_fail_stddev(b)) < 1e-6);
        CHECK_INT(a->fail_hist->total, b->fail_hist->total);
        CHECK_INT(hist_percentile(a->fail_hist, 50), hist_percentile(b->fail_hist, 50));
        CHECK_INT(a->status[503], b->status[503]);
        CHECK_INT(a->nerrs, b->nerrs);
        for (int k = 0; k < STATS_PH__COUNT; k++) {
            CHECK_INT(a->phase[k].count, b->phase[k].count);
            CHECK_INT(a->phase[k].sum_us, b->phase[k].sum_us);
            CHECK_INT(a->phase[k].max_us, b->phase[k].max_us);
            if (a->phase[k].count && b->phase[k].hist)
                CHECK_INT(hist_percentile(a->phase[k].hist, 95),
                          hist_percentile(b->phase[k].hist, 95));
        }
        CHECK_INT(a->sent_bytes, b->sent_bytes);
        CHECK_INT(a->received_bytes, b->received_bytes);
        CHECK_INT(a->nsec, b->nsec);
        for (int k = 0; k < a->nsec && k < b->nsec; k++) {
            CHECK_INT(a->sec[k].t, b->sec[k].t);
            CHECK_INT(a->sec[k].requests, b->sec[k].requests);
            CHECK_INT(a->sec[k].errors, b->sec[k].errors);
            CHECK(!a->sec[k].hist == !b->sec[k].hist);
            if (a->sec[k].hist && b->sec[k].hist)
                CHECK_INT(hist_percentile(a->sec[k].hist, 95),
                          hist_percentile(b->sec[k].hist, 95));
        }
    }
    CHECK_INT(x->stats->nsec, y->stats->nsec);
    CHECK_INT(x->stats->iter_started, y->stats->iter_started);
    CHECK_INT(x->started_unix_ms, y->started_unix_ms);
}

static void test_round_trip(void)
{
    struct result *r = make(7919, 1700000000);
    char *json = result_to_json(r);
    char err[256];
    struct result *back = result_from_json(json, err, sizeof err);
    CHECK(back != NULL);
    if (!back) { fprintf(stderr, "%s\n", err); free(json); result_free(r); return; }
    same(r, back);
    CHECK_STR(back->run_id, "run-1");
    /* the failed side is there and apart: 100 retries failed */
    CHECK_INT(back->stats->tx[0].failed, 100);
    CHECK_INT(back->stats->tx[0].hist->total, 900);
    CHECK_INT(back->stats->tx[0].fail_hist->total, 100);
    /* phases: 200 new connections of 1000 requests, bytes summed */
    CHECK_INT(back->stats->tx[0].phase[STATS_PH_CONNECT].count, 200);
    CHECK_INT(back->stats->tx[0].phase[STATS_PH_CONNECT].sum_us, 200 * 83);
    CHECK_INT(back->stats->tx[0].phase[STATS_PH_WAIT].count, 1000);
    CHECK_INT(back->stats->tx[0].sent_bytes, 1000 * 200 + 333 * 1 + 333 * 2);
    CHECK_INT(back->stats->tx[1].nsec, 5);     /* the flow: even seconds */
    /* A phase whose count disagrees with its histogram is refused. */
    char *ed = strdup(json), *q = strstr(ed, "\"connect\":");
    q = q ? strstr(q, "200") : NULL;
    if (q) {
        q[2] = '1';
        struct result *x = result_from_json(ed, err, sizeof err);
        CHECK(x == NULL);
        CHECK(strstr(err, "phases.connect.hist") != NULL);
        result_free(x);
    } else {
        CHECK(!"phases.connect.count not found");
    }
    free(ed);
    CHECK(strstr(json, "\"ok\":\t900") || strstr(json, "\"ok\": 900"));
    /* Every truncation of the document is refused, never a crash. */
    size_t n = strlen(json);
    int accepted = 0;
    for (size_t cut = 0; cut + 2 < n; cut += n / 400 + 1) {
        char *t = strndup(json, cut);
        struct result *x = result_from_json(t, err, sizeof err);
        if (x) { accepted++; result_free(x); }
        free(t);
    }
    CHECK_INT(accepted, 0);
    /* An edited count that disagrees with its histogram is refused. */
    char *edit = strdup(json);
    char *p = strstr(edit, "\"count\":\t1000");
    if (!p) p = strstr(edit, "\"count\": 1000");
    if (p) {
        char *d = strstr(p, "1000");
        d[3] = '1';
        struct result *x = result_from_json(edit, err, sizeof err);
        CHECK(x == NULL);
        CHECK(strstr(err, "must equal count") != NULL);
        result_free(x);
    } else {
        CHECK(!"count field not found");
    }
    free(edit);
    CHECK(result_from_json("{\"herd_result\": 99}", err, sizeof err) == NULL);
    CHECK(strstr(err, "version 99") != NULL);
    CHECK(result_from_json("[]", err, sizeof err) == NULL);
    free(json);
    result_free(back);
    result_free(r);
}

/* A document written before success and failure were kept apart (no "ok",
 * no "failed"; histograms of every sample) still reads, as it was. */
static void test_old_format(void)
{
    /* Build one: record every sample as a success (the old histogram held
     * them all), then count the failures the old way and drop the new keys. */
    struct result *r = result_new();
    r->started_unix_ms = 1700000000000;
    r->finished_unix_ms = 1700000010000;
    int a = stats_tx_index(r->stats, "x", STATS_REQUEST);
    for (int i = 0; i < 100; i++)
        stats_record(r->stats, a, 1000 + i * 100, 1000, i < 10 ? 0 : 200,
                     ERR_NONE, NULL, 1700000000 + i % 3);
    char *json = result_to_json(r);
    cJSON *o = cJSON_Parse(json);
    free(json);
    cJSON *tx = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "transactions"), 0);
    cJSON_DeleteItemFromObject(tx, "ok");
    cJSON_DeleteItemFromObject(tx, "failed");
    cJSON_ReplaceItemInObject(tx, "errors", cJSON_CreateNumber(10));
    cJSON *sum = cJSON_GetObjectItem(cJSON_GetObjectItem(o, "summary"), "requests");
    cJSON_DeleteItemFromObject(sum, "ok");
    cJSON_DeleteItemFromObject(sum, "failed");
    cJSON *sec = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "timeline"), 0);
    cJSON_ReplaceItemInObject(sec, "errors", cJSON_CreateNumber(4));
    char *old = cJSON_Print(o);
    char err[256];
    struct result *back = result_from_json(old, err, sizeof err);
    CHECK(back != NULL);
    if (!back) fprintf(stderr, "old format: %s\n", err);
    if (back) {
        const struct stats_tx *t = &back->stats->tx[0];
        CHECK_INT(t->count, 100);
        CHECK_INT(t->errors, 10);
        CHECK_INT(t->failed, 0);            /* read as it was */
        CHECK_INT(t->hist->total, 100);
        CHECK_INT(t->fail_hist->total, 0);
        CHECK_INT(t->min_us, 1000);
        CHECK_INT(t->max_us, 10900);
        CHECK_INT(back->stats->sec[0].errors, 4);
        CHECK_INT(back->stats->sec[0].hist->total, back->stats->sec[0].requests);
        /* and it merges with a new one */
        struct result *n = result_new();
        int b = stats_tx_index(n->stats, "x", STATS_REQUEST);
        stats_record(n->stats, b, 50, 50, 0, ERR_CONNECT, NULL, 1700000000);
        CHECK(result_merge(back, n) == 0);
        CHECK_INT(back->stats->tx[0].count, 101);
        CHECK_INT(back->stats->tx[0].failed, 1);
        CHECK_INT(back->stats->tx[0].min_us, 1000);
        result_free(n);
        result_free(back);
    }
    /* Half old, half new: refused (one writer writes a whole document). */
    int b2 = stats_tx_index(r->stats, "y", STATS_REQUEST);
    stats_record(r->stats, b2, 10, 10, 200, ERR_NONE, NULL, 1700000000);
    json = result_to_json(r);
    cJSON *o2 = cJSON_Parse(json);
    free(json);
    tx = cJSON_GetArrayItem(cJSON_GetObjectItem(o2, "transactions"), 0);
    cJSON_DeleteItemFromObject(tx, "ok");
    cJSON_DeleteItemFromObject(tx, "failed");
    char *mixed = cJSON_Print(o2);
    CHECK(result_from_json(mixed, err, sizeof err) == NULL);
    CHECK(strstr(err, "\"failed\"") != NULL);
    /* New format, a failed count out of range: refused, never cast. */
    tx = cJSON_GetArrayItem(cJSON_GetObjectItem(o2, "transactions"), 1);
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(tx, "failed"), "count",
                              cJSON_CreateNumber(1e300));
    cJSON *tx0 = cJSON_GetArrayItem(cJSON_GetObjectItem(o2, "transactions"), 0);
    cJSON_Delete(cJSON_DetachItemFromArray(cJSON_GetObjectItem(o2, "transactions"), 0));
    (void)tx0;
    char *huge = cJSON_Print(o2);
    CHECK(result_from_json(huge, err, sizeof err) == NULL);
    CHECK(strstr(err, "failed.count: expected a whole number") != NULL);
    /* A new document whose timeline histogram counts its errors too. */
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(tx, "failed"), "count",
                              cJSON_CreateNumber(0));
    sec = cJSON_GetArrayItem(cJSON_GetObjectItem(o2, "timeline"), 0);
    cJSON_ReplaceItemInObject(sec, "errors", cJSON_CreateNumber(1));
    char *tl = cJSON_Print(o2);
    CHECK(result_from_json(tl, err, sizeof err) == NULL);
    CHECK(strstr(err, "requests - errors") != NULL);
    free(tl);
    free(huge);
    free(mixed);
    free(old);
    cJSON_Delete(o);
    cJSON_Delete(o2);
    result_free(r);
}

static void test_write_read(void)
{
    struct result *r = make(31, 1700000100);
    char path[] = "/tmp/herd-test-result-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    CHECK(result_write(r, path) == 0);
    char err[256];
    struct result *back = result_read(path, err, sizeof err);
    CHECK(back != NULL);
    if (back) same(r, back);
    result_free(back);
    unlink(path);
    CHECK(result_write(r, "/nonexistent-dir/x.json") == -1);
    CHECK(result_read("/nonexistent-dir/x.json", err, sizeof err) == NULL);
    result_free(r);
}

static void test_merge(void)
{
    struct result *a = make(7, 1700000000), *b = make(13, 1700000005);
    b->shards_failed = 1;
    b->shards_ok = 0;
    cJSON *f = cJSON_CreateObject();
    cJSON_AddNumberToObject(f, "shard", 1);
    cJSON_AddStringToObject(f, "reason", "timeout");
    cJSON_AddItemToArray(b->shard_failures, f);
    CHECK(result_merge(a, b) == 0);
    CHECK_INT(a->shards_total, 2);
    CHECK_INT(a->shards_failed, 1);
    CHECK_INT(cJSON_GetArraySize(a->shard_failures), 1);
    CHECK_INT(a->stats->tx[0].count, 2000);
    CHECK_INT(a->stats->iter_started, 500);
    CHECK_INT(a->finished_unix_ms, 1700000015000LL);
    CHECK_INT(a->stats->nsec, 15);
    result_free(a);
    result_free(b);
}

/* Two results a week (and two years) apart merge into a file the size of
 * what they measured: the timeline lists the seconds with data only (it
 * was 604,804 entries, 91 MB), and reads back as it was written. */
static void test_merge_far_apart(void)
{
    const int64_t t0 = 1700000000;
    struct result *a = make(7, t0), *b = make(13, t0 + 7 * 86400);
    char *ja = result_to_json(a);
    CHECK(result_merge(a, b) == 0);
    CHECK_INT(a->stats->nsec, 20);
    char *jm = result_to_json(a);
    CHECK(strlen(jm) < 3 * strlen(ja));
    cJSON *o = cJSON_Parse(jm);
    const cJSON *tl = cJSON_GetObjectItemCaseSensitive(o, "timeline");
    CHECK_INT(cJSON_GetArraySize(tl), 20);
    CHECK_INT((int64_t)cJSON_GetArrayItem(tl, 10)->child->valuedouble, t0 + 7 * 86400);
    cJSON_Delete(o);
    char err[256];
    struct result *back = result_from_json(jm, err, sizeof err);
    CHECK(back != NULL);
    if (back) {
        same(a, back);
        CHECK_INT(back->stats->sec[9].t, t0 + 9);
        CHECK_INT(back->stats->sec[10].t, t0 + 7 * 86400);
    }
    result_free(back);
    free(jm);
    /* more than a year between two seconds: fine too */
    struct result *c = make(17, t0 + 2 * 366 * 86400);
    CHECK(result_merge(a, c) == 0);
    jm = result_to_json(a);
    back = result_from_json(jm, err, sizeof err);
    CHECK(back != NULL);
    if (back) CHECK_INT(back->stats->nsec, 30);
    else fprintf(stderr, "%s\n", err);
    result_free(back);
    free(jm);
    free(ja);
    result_free(a); result_free(b); result_free(c);
}

static void test_thresholds(void)
{
    struct result *r = make(7919, 1700000000);
    struct thresh t;
    char err[256];
    double v;
    CHECK(thresh_parse("container ready p95 < 30s", &t, err, sizeof err) == 0);
    CHECK_STR(t.target, "container ready");
    CHECK(t.pct == 95 && t.value == 30e6 && t.op == TO_LT);
    CHECK(thresh_eval(&t, r, &v) == 1);
    thresh_clear(&t);
    CHECK(thresh_parse("http error_rate < 1%", &t, err, sizeof err) == 0);
    CHECK(fabs(t.value - 0.01) < 1e-12);
    CHECK(thresh_eval(&t, r, &v) == 0);              /* 10% retries failed */
    CHECK(fabs(v - 0.1) < 1e-9);
    thresh_clear(&t);
    char shown[32];
    CHECK(thresh_parse("http error_rate < 1%", &t, err, sizeof err) == 0);
    CHECK_STR(thresh_format(&t, 0.0025, shown, sizeof shown), "0.25%");
    thresh_clear(&t);
    CHECK(thresh_parse("x p95 < 1s", &t, err, sizeof err) == 0);
    CHECK_STR(thresh_format(&t, 1080000, shown, sizeof shown), "1.08s");
    thresh_clear(&t);
    CHECK(thresh_parse("http rps >= 100", &t, err, sizeof err) == 0);
    CHECK(thresh_eval(&t, r, &v) == 1 && fabs(v - 100) < 1e-9);
    thresh_clear(&t);
    CHECK(thresh_parse("flows count > 0", &t, err, sizeof err) == 0);
    CHECK(thresh_eval(&t, r, &v) == 1 && v == 250);
    thresh_clear(&t);
    CHECK(thresh_parse("nothing p99 < 1s", &t, err, sizeof err) == 0);
    CHECK(thresh_eval(&t, r, &v) == 0 && isnan(v));  /* nothing measured */
    thresh_clear(&t);
    const char *bad[] = {"p95 < 1s", "http p95 <", "http p95 ~ 1s",
        "http p95 < fast", "http error_rate < 150%", "http p101 < 1s",
        "http speed > 3", "http rps > many", NULL};
    for (const char **b = bad; *b; b++) {
        int rc = thresh_parse(*b, &t, err, sizeof err);
        if (rc == 0) { fprintf(stderr, "accepted \"%s\"\n", *b); thresh_clear(&t); }
        CHECK(rc == -1);
    }
    result_free(r);
}

static void test_report(void)
{
    struct result *r = make(7919, 1700000000);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK(report_text(f, r) == 0);
    fclose(f);
    CHECK(strstr(buf, "assign container") != NULL);
    CHECK(strstr(buf, "container ready") != NULL);
    CHECK(strstr(buf, "iterations: started 250 = succeeded 240 + failed 10 + "
                 "interrupted 0 (dropped 0)") != NULL);
    CHECK(strstr(buf, "retries_exhausted: 503 after 100 tries") != NULL);
    CHECK(strstr(buf, "202: 900") != NULL);
    /* the failed side on its own line under its transaction */
    char *row = strstr(buf, "\nassign container ");
    CHECK(row && strncmp(strchr(row + 1, '\n'), "\n  failed: 100 ", 15) == 0);
    CHECK(strstr(buf, "latencies: successful samples only") != NULL);
    free(buf);
    f = open_memstream(&buf, &len);
    CHECK(report_csv(f, r) == 0);
    fclose(f);
    int lines = 0;
    for (char *p = buf; *p; p++) lines += *p == '\n';
    CHECK_INT(lines, 3);
    CHECK(strncmp(buf, "transaction,kind,count,", 23) == 0);
    CHECK(strstr(buf, "\nassign container,request,1000,100,") != NULL);
    CHECK(strstr(buf, ",ok,failed,failed_p50_ms,failed_p99_ms,failed_max_ms,"
                 "connections,dns_mean_ms,dns_p95_ms,connect_mean_ms,"
                 "connect_p95_ms,tls_mean_ms,tls_p95_ms,wait_mean_ms,"
                 "wait_p95_ms,transfer_mean_ms,transfer_p95_ms,sent_bytes,"
                 "received_bytes\n"));
    CHECK(strstr(buf, ",900,100,") != NULL);
    free(buf);
    result_free(r);
}

/* Timer lateness: kept, merged and read back exactly; the report warns
 * when herd itself was the bottleneck, and only then. */
static void test_timer_lateness(void)
{
    struct result *a = make(7, 1700000000), *b = make(13, 1700000005);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK(report_text(f, a) == 0);
    fclose(f);
    CHECK(strstr(buf, "too busy") == NULL);        /* no samples: no warning */
    free(buf);
    char *json = result_to_json(a);
    CHECK(strstr(json, "\"timer_lateness\":\tnull") != NULL);
    free(json);
    for (int i = 0; i < 1000; i++) stats_timer_late(a->stats, 300 + i);
    for (int i = 0; i < 50; i++) stats_timer_late(b->stats, 80000);
    CHECK(result_merge(a, b) == 0);
    CHECK_INT(a->stats->timer_late->total, 1050);
    CHECK_INT(a->stats->timer_late->max, 80000);
    json = result_to_json(a);
    char err[256];
    struct result *c = result_from_json(json, err, sizeof err);
    CHECK(c != NULL);
    if (c) {
        CHECK(c->stats->timer_late != NULL);
        if (c->stats->timer_late) {
            CHECK_INT(c->stats->timer_late->total, 1050);
            CHECK_INT(hist_percentile(c->stats->timer_late, 99),
                      hist_percentile(a->stats->timer_late, 99));
        }
        f = open_memstream(&buf, &len);
        CHECK(report_text(f, c) == 0);
        fclose(f);
        CHECK(strstr(buf, "WARNING: herd was too busy: its timers fired late "
                     "(p99 80") != NULL);
        free(buf);
    }
    result_free(c);
    /* A lateness histogram of another layout is refused. */
    char *bad = strstr(json, "\"hist\":\t\"v1:3600000000:2:");
    CHECK(bad != NULL);
    if (bad) bad[strlen("\"hist\":\t\"v1:3600000000:")] = '3';
    c = result_from_json(json, err, sizeof err);
    CHECK(c == NULL);
    result_free(c);
    free(json);
    result_free(a);
    result_free(b);
}

/* Per-user set-up and warm-up: written only when there were any, read
 * back, summed by a merge (shards), and they fail the verdict only through
 * setup_errors. */
static void test_user_setup_warmup(void)
{
    struct result *a = make(7, 1700000000), *b = make(13, 1700000005);
    char *js = result_to_json(a);
    CHECK(strstr(js, "user_setup") == NULL && strstr(js, "warmup") == NULL);
    free(js);
    a->user_setup = (struct result_user_setup){3, 2, 1, 0};
    b->user_setup = (struct result_user_setup){3, 3, 0, 0};
    cJSON_AddItemToArray(a->setup_errors,
                         cJSON_CreateString("on_start user 2: register user: status 500"));
    a->warmup = cJSON_Parse("{\"users\":1,\"duration_s\":2,\"iterations\":"
                            "{\"started\":3,\"succeeded\":3,\"failed\":0}}");
    js = result_to_json(a);
    char e[256];
    struct result *c = result_from_json(js, e, sizeof e);
    free(js);
    CHECK(c != NULL);
    if (c) {
        CHECK_INT(c->user_setup.users, 3);
        CHECK_INT(c->user_setup.failed, 1);
        CHECK(c->warmup && cJSON_GetObjectItem(c->warmup, "users")->valueint == 1);
        same(a, c);
        CHECK_INT(result_passed(c), 0);
        result_free(c);
    }
    CHECK(result_merge(b, a) == 0);
    CHECK_INT(b->user_setup.users, 6);
    CHECK_INT(b->user_setup.ok, 5);
    CHECK_INT(b->user_setup.failed, 1);
    CHECK_INT(cJSON_GetArraySize(b->setup_errors), 1);
    CHECK(b->warmup != NULL);
    /* A broken user_setup is refused, naming the field. */
    js = result_to_json(a);
    char *at = strstr(js, "\"user_setup\"");
    at = at ? strstr(at, "\"ok\":") : NULL;
    if (at) at[5] = '-';        /* "ok":-2 (the 5th byte is the blank or digit) */
    c = result_from_json(js, e, sizeof e);
    CHECK(c == NULL && strstr(e, "user_setup.") != NULL);
    result_free(c);
    free(js);
    result_free(a);
    result_free(b);
}

/* A transaction timeline second cut by the memory bound (stats.h
 * STATS_TX_TL_HISTS) says so in the result and reads back cut. */
static void test_timeline_cut(void)
{
    struct result *r = make(7, 1700000000);
    struct stats_tx *t = &r->stats->tx[stats_tx_find(r->stats, "assign container")];
    struct stats_sec *e = &t->sec[3];
    int64_t req = e->requests;
    hist_free(e->hist);
    e->hist = NULL;
    e->hist_cut = 1;
    char err[256];
    char *json = result_to_json(r);
    CHECK(strstr(json, "\"hist_cut\"") != NULL);
    struct result *back = result_from_json(json, err, sizeof err);
    CHECK(back != NULL);
    if (back) {
        const struct stats_tx *b =
            &back->stats->tx[stats_tx_find(back->stats, "assign container")];
        CHECK(stats_tx_tl_cut(b) == 1);
        CHECK(b->sec[3].hist_cut && !b->sec[3].hist && b->sec[3].requests == req);
        CHECK(b->sec[2].hist && !b->sec[2].hist_cut);
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        CHECK(report_text(f, back) == 0);
        fclose(f);
        CHECK(strstr(buf, "TIMELINE CUT: per-transaction latency per second "
                     "is kept for 7200") != NULL);
        CHECK(strstr(buf, "1 more have counts only") != NULL);
        free(buf);
    }
    result_free(back);
    free(json);
    result_free(r);
}

int main(void)
{
    T_RUN(test_round_trip);
    T_RUN(test_timeline_cut);
    T_RUN(test_old_format);
    T_RUN(test_write_read);
    T_RUN(test_merge);
    T_RUN(test_merge_far_apart);
    T_RUN(test_thresholds);
    T_RUN(test_report);
    T_RUN(test_timer_lateness);
    T_RUN(test_user_setup_warmup);
    return T_DONE();
}
