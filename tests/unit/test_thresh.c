/* test_thresh.c — thresholds on the successful and the failed side:
 * latency metrics ignore failures, "failed" picks them, no successful
 * sample fails a latency threshold, and the grammar around "failed". */
#include "t.h"
#include "report.h"
#include "result.h"
#include "thresh.h"
#include <math.h>
#include <stdlib.h>

/* "slow ok": 100 successes at 1s..1.099s and 50 failures at 1ms (refused
 * fast); "task done": 20 poll timeouts at 30s; "clean": 10 successes. */
static struct result *make(void)
{
    struct result *r = result_new();
    r->started_unix_ms = 1700000000000;
    r->finished_unix_ms = 1700000010000;
    struct stats *s = r->stats;
    int a = stats_tx_index(s, "slow ok", STATS_REQUEST);
    int b = stats_tx_index(s, "task done", STATS_FLOW);
    int c = stats_tx_index(s, "clean", STATS_REQUEST);
    for (int i = 0; i < 100; i++)
        stats_record(s, a, 1000000 + i * 1000, 1000000, 200, ERR_NONE, NULL,
                     1700000000 + i % 10);
    for (int i = 0; i < 50; i++)
        stats_record(s, a, 1000, 1000, 0, ERR_CONNECT, NULL, 1700000000);
    for (int i = 0; i < 20; i++)
        stats_record(s, b, 30000000, 30000000, 200, ERR_POLL_TIMEOUT, NULL,
                     1700000005);
    for (int i = 0; i < 10; i++)
        stats_record(s, c, 5000, 5000, 200, ERR_NONE, NULL, 1700000001);
    stats_error(s, c, ERR_EXTRACT, "id");   /* a failure with no latency */
    return r;
}

/* Parses expr, evaluates it on r; returns the verdict, *v the value. */
static int eval(const struct result *r, const char *expr, double *v)
{
    struct thresh t;
    char err[256];
    if (thresh_parse(expr, &t, err, sizeof err) < 0) {
        fprintf(stderr, "\"%s\": %s\n", expr, err);
        *v = NAN;
        return -1;
    }
    int ok = thresh_eval(&t, r, v);
    thresh_clear(&t);
    return ok;
}

static void test_success_side(void)
{
    struct result *r = make();
    double v;
    /* 50 fast failures do not pull the successful percentiles down. */
    CHECK_INT(eval(r, "slow ok p50 < 1s", &v), 0);
    CHECK(v >= 1040000 && v <= 1060000);
    CHECK_INT(eval(r, "slow ok min >= 1s", &v), 1);
    CHECK_INT(v, 1000000);
    CHECK_INT(eval(r, "slow ok mean > 1s", &v), 1);
    CHECK(fabs(v - 1049500) < 1e-6);
    CHECK_INT(eval(r, "http p50 > 1s", &v), 1);    /* the sum, too */
    /* count and error_rate are of every sample */
    CHECK_INT(eval(r, "slow ok count >= 150", &v), 1);
    CHECK_INT(v, 150);
    CHECK_INT(eval(r, "slow ok error_rate < 40%", &v), 1);
    CHECK(fabs(v - 50.0 / 150) < 1e-12);
    result_free(r);
}

static void test_no_successful_samples(void)
{
    struct result *r = make();
    double v;
    /* Every poll timed out: the wait is not "fast", whatever the bound. */
    CHECK_INT(eval(r, "task done p95 < 1h", &v), 0);
    CHECK(isnan(v));
    CHECK_INT(eval(r, "flows max < 1h", &v), 0);
    CHECK_INT(eval(r, "task done count >= 20", &v), 1);   /* still counted */
    struct thresh t;
    char err[256];
    CHECK(thresh_parse("task done p95 < 1s", &t, err, sizeof err) == 0);
    CHECK_STR(thresh_unmeasured(&t, r), "no successful samples");
    int ok = 1;
    cJSON *j = thresh_verdict(&t, r, &ok);
    CHECK_INT(ok, 0);
    CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "value")));
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "measured")),
              "no successful samples");
    /* The report says so too, even for an entry without "measured" (as
     * main writes it today). */
    cJSON_DeleteItemFromObject(j, "measured");
    char buf[64];
    CHECK_STR(report_threshold_measured(j, r, buf, sizeof buf),
              "no successful samples");
    cJSON_Delete(j);
    thresh_clear(&t);
    CHECK(thresh_parse("slow ok p95 < 1s", &t, err, sizeof err) == 0);
    CHECK(thresh_unmeasured(&t, r) == NULL);
    thresh_clear(&t);
    CHECK(thresh_parse("nothing p95 < 1s", &t, err, sizeof err) == 0);
    CHECK_STR(thresh_unmeasured(&t, r), "no such transaction");
    thresh_clear(&t);
    result_free(r);
}

static void test_failed_side(void)
{
    struct result *r = make();
    double v;
    struct thresh t;
    char err[256];
    CHECK(thresh_parse("slow ok failed p99 < 2s", &t, err, sizeof err) == 0);
    CHECK_STR(t.target, "slow ok");
    CHECK_INT(t.failed, 1);
    CHECK_INT(t.metric, TM_PCT);
    thresh_clear(&t);
    CHECK(thresh_parse("task done  failed  count < 5", &t, err, sizeof err) == 0);
    CHECK_STR(t.target, "task done");
    CHECK_INT(t.failed, 1);
    thresh_clear(&t);
    CHECK(thresh_parse("slow ok p99 < 2s", &t, err, sizeof err) == 0);
    CHECK_INT(t.failed, 0);
    thresh_clear(&t);
    /* The failed side's latencies are the failures' own. */
    CHECK_INT(eval(r, "slow ok failed p99 < 2ms", &v), 1);
    CHECK(v >= 990 && v <= 1010);
    CHECK_INT(eval(r, "slow ok failed max <= 1ms", &v), 1);
    CHECK_INT(eval(r, "slow ok failed min >= 1ms", &v), 1);
    CHECK_INT(eval(r, "slow ok failed mean < 2ms", &v), 1);
    CHECK(fabs(v - 1000) < 1e-9);
    CHECK_INT(eval(r, "task done failed p50 > 29s", &v), 1);
    CHECK_INT(eval(r, "http failed p50 < 2ms", &v), 1);
    /* failed count: every failure, with or without a latency. */
    CHECK_INT(eval(r, "slow ok failed count < 5", &v), 0);
    CHECK_INT(v, 50);
    CHECK_INT(eval(r, "clean failed count < 5", &v), 1);
    CHECK_INT(v, 1);
    /* Nothing failed with a latency: nothing failed slowly. */
    CHECK_INT(eval(r, "clean failed p99 < 1ms", &v), 1);
    CHECK(isnan(v));
    CHECK(thresh_parse("clean failed p99 < 1s", &t, err, sizeof err) == 0);
    CHECK_STR(thresh_unmeasured(&t, r), "no failed samples");
    thresh_clear(&t);
    /* error_rate and rps are of every sample: "failed" is refused. */
    CHECK(thresh_parse("http failed error_rate < 1%", &t, err, sizeof err) == -1);
    CHECK(strstr(err, "failed") != NULL);
    CHECK(thresh_parse("http failed rps > 1", &t, err, sizeof err) == -1);
    /* "failed" alone is a transaction's name, not a side. */
    CHECK(thresh_parse("failed p99 < 1s", &t, err, sizeof err) == 0);
    CHECK_STR(t.target, "failed");
    CHECK_INT(t.failed, 0);
    thresh_clear(&t);
    result_free(r);
}

int main(void)
{
    T_RUN(test_success_side);
    T_RUN(test_no_successful_samples);
    T_RUN(test_failed_side);
    return T_DONE();
}
