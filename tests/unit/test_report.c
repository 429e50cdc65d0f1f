/* test_report.c — the text report (report.h) of a small hand-built result
 * whose every number is known: the header, the iteration line, the exact
 * table row of a transaction (count, errors, err%, rate, min, mean, p50,
 * max), its "failed:" line, status codes, errors by kind, thresholds and
 * the verdict block; truncated and late shards named under the header. */
#include "t.h"
#include "report.h"
#include "result.h"
#include <stdlib.h>

static struct result *small(void)
{
    struct result *r = result_new();
    r->run_id = strdup("run-7");
    r->plan_name = strdup("smallplan");
    r->mode = strdup("local");
    r->target = strdup("http://127.0.0.1:8080");
    r->started_unix_ms = 1700000000000;
    r->finished_unix_ms = 1700000010000;      /* 10 s */
    r->shards_total = r->shards_ok = 1;
    struct stats *s = r->stats;
    int a = stats_tx_index(s, "login", STATS_REQUEST);
    /* 8 successes of 10, 20, ..., 80 ms; 2 failures (500) of 1 ms */
    for (int i = 1; i <= 8; i++)
        stats_record(s, a, i * 10000, i * 10000, 200, ERR_NONE, NULL,
                     1700000000 + i);
    for (int i = 0; i < 2; i++)
        stats_record(s, a, 1000, 1000, 500, ERR_STATUS, "expected 200",
                     1700000009);
    s->iter_started = 10;
    s->iter_succeeded = 8;
    s->iter_failed = 2;
    return r;
}

static char *text(const struct result *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK(report_text(f, r) == 0);
    fclose(f);
    return buf;
}

/* The line starting with prefix (after a newline or at the start). */
static const char *line(const char *buf, const char *prefix, char *out,
                        size_t n)
{
    out[0] = '\0';
    for (const char *p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, prefix, strlen(prefix)) == 0) {
            const char *e = strchr(p, '\n');
            snprintf(out, n, "%.*s", (int)(e ? e - p : (long)strlen(p)), p);
            return out;
        }
    return out;
}

static void test_table(void)
{
    struct result *r = small();
    char *b = text(r), l[512];
    CHECK_STR(line(b, "herd report:", l, sizeof l), "herd report: smallplan");
    CHECK_STR(line(b, "  run ", l, sizeof l),
              "  run run-7, local mode, target http://127.0.0.1:8080");
    CHECK_STR(line(b, "  started", l, sizeof l),
              "  started 2023-11-14 22:13:20 UTC, ran 10.0s");
    CHECK_STR(line(b, "  iterations:", l, sizeof l), "  iterations: started 10 "
              "= succeeded 8 + failed 2 + interrupted 0 (dropped 0)");
    /* count and errors over every sample, rate over 10 s; the latency
     * columns of the 8 successes only (the 1 ms failures would pull min to
     * 1 ms and p50 to 30 ms) */
    CHECK_STR(line(b, "login ", l, sizeof l),
              "login                              10       2  20.00      1.0"
              "   10.0ms   45.0ms   24.5ms   40.0ms   80.0ms   80.0ms   80.0ms"
              "   80.0ms   80.0ms");
    /* the failed side on the next line, with its own latencies */
    const char *row = strstr(b, "\nlogin ");
    CHECK(row && strncmp(strchr(row + 1, '\n') + 1, "  failed: 2 ", 12) == 0);
    CHECK(strstr(b, "  failed: 2                                                     "
                 "1.00ms   1.00ms      0us   1.00ms") != NULL);
    CHECK(strncmp(line(b, "all requests (web time) ", l, sizeof l),
                  "all requests (web time)            10       2  20.00", 51) == 0);
    CHECK(line(b, "all flows", l, sizeof l)[0] == '\0');     /* none ran */
    CHECK_STR(line(b, "status codes:", l, sizeof l), "status codes:  200: 8  500: 2");
    CHECK_STR(line(b, "         2  status: expected 200", l, sizeof l),
              "         2  status: expected 200");
    CHECK_STR(line(b, "verdict:", l, sizeof l), "verdict: PASS");
    free(b);
    result_free(r);
}

/* A failed threshold: listed with its measurement, the verdict FAIL with
 * the threshold named. */
static void test_thresholds(void)
{
    struct result *r = small();
    cJSON *t = cJSON_CreateObject();
    cJSON_AddStringToObject(t, "expr", "login p95 < 50ms");
    cJSON_AddBoolToObject(t, "ok", 0);
    cJSON_AddNumberToObject(t, "value", 80000);
    cJSON_AddStringToObject(t, "measured", "80.0ms");
    cJSON_AddItemToArray(r->thresholds, t);
    t = cJSON_CreateObject();
    cJSON_AddStringToObject(t, "expr", "login error_rate < 50%");
    cJSON_AddBoolToObject(t, "ok", 1);
    cJSON_AddNumberToObject(t, "value", 0.2);
    cJSON_AddStringToObject(t, "measured", "20.00%");
    cJSON_AddItemToArray(r->thresholds, t);
    char *b = text(r), l[512];
    CHECK_STR(line(b, "  FAIL ", l, sizeof l), "  FAIL  login p95 < 50ms  (measured 80.0ms)");
    CHECK_STR(line(b, "  PASS ", l, sizeof l),
              "  PASS  login error_rate < 50%  (measured 20.00%)");
    CHECK_STR(line(b, "verdict:", l, sizeof l), "verdict: FAIL");
    /* the verdict block names the failed threshold, only it */
    CHECK(strstr(b, "verdict: FAIL\n  threshold failed: login p95 < 50ms "
                 "(measured 80.0ms)\n") != NULL);
    CHECK(strstr(b, "threshold failed: login error_rate") == NULL);
    free(b);
    result_free(r);
}

/* Shards: truncated and late ones are named under the header, the verdict
 * fails on them. */
static void test_shards(void)
{
    struct result *r = small();
    free(r->mode);
    r->mode = strdup("lambda");
    r->shards_total = 4;
    r->shards_ok = 3;
    r->shards_failed = 1;
    r->shards_truncated = 1;
    cJSON *f = cJSON_CreateObject();
    cJSON_AddNumberToObject(f, "shard", 2);
    cJSON_AddStringToObject(f, "reason", "Runtime.ExitError");
    cJSON_AddItemToArray(r->shard_failures, f);
    char *b = text(r), l[512];
    CHECK(strstr(b, "shards 3 ok / 1 failed / 1 truncated of 4") != NULL);
    CHECK(strstr(b, "TRUNCATED: 1 of 4 shards stopped before the planned end") != NULL);
    CHECK_STR(line(b, "shard 2 failed:", l, sizeof l), "shard 2 failed: Runtime.ExitError");
    CHECK_STR(line(b, "verdict:", l, sizeof l), "verdict: FAIL");
    CHECK(strstr(b, "\n  1 of 4 shards failed (") != NULL);
    CHECK(strstr(b, "\n  truncated: 1 of 4 shards stopped before the planned end") != NULL);
    free(b);
    result_free(r);
}

/* The phases table: means over the requests that went through each phase
 * (connect: the 2 new connections, 100 and 300 us -> 200us; wait: all 4),
 * "-" for TLS on plain http, bytes summed and scaled; the job summary has
 * the same row. */
static void test_phases(void)
{
    struct result *r = small();
    int a = stats_tx_find(r->stats, "login");
    static const int64_t cum[4][6] = {
        {10, 110, 0, 112, 10112, 10212},     /* new: dns 10, connect 100 */
        {30, 330, 0, 331, 20331, 20431},     /* new: dns 30, connect 300 */
        {1, 0, 0, 2, 30002, 30102},          /* reused */
        {1, 0, 0, 2, 40002, 40102}};         /* reused */
    for (int i = 0; i < 4; i++) {
        struct stats_req_phases p;
        stats_phases_from_cumulative(&p, cum[i][0], cum[i][1], cum[i][2],
                                     cum[i][3], cum[i][4], cum[i][5]);
        p.sent_bytes = 500;
        p.received_bytes = 1536 * 1024;
        stats_request_phases(r->stats, a, &p);
    }
    char *b = text(r), l[512];
    CHECK(strstr(b, "\nrequest phases, mean") != NULL);
    const char *ph = strstr(b, "\nrequest phases");
    CHECK(ph != NULL);
    if (ph) {
        CHECK_STR(line(ph, "login ", l, sizeof l),
                  "login                               2     20us    200us"
                  "        -   25.0ms    100us   40.0ms   1.95 KiB   6.00 MiB");
    }
    char *md = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&md, &n);
    CHECK(report_markdown(f, r) == 0);
    fclose(f);
    CHECK(strstr(md, "| login | 2 | 20us | 200us | - | 25.0ms | 100us | "
                     "1.95 KiB | 6.00 MiB |") != NULL);
    free(md);
    /* CSV: connections, mean and p95 of each phase (ms), bytes. */
    f = open_memstream(&md, &n);
    CHECK(report_csv(f, r) == 0);
    fclose(f);
    const char *row = strstr(md, "\nlogin,");
    CHECK(row != NULL);
    if (row) {
        const char *ext = row;
        for (int c = 0; c < 20 && ext; c++) ext = strchr(ext + 1, ',');
        CHECK(ext != NULL);
        if (ext)
            CHECK(strncmp(ext, ",2,0.020,0.030,0.200,0.300,0.000,0.000,25.000,",
                          46) == 0 && strstr(ext, ",2000,6291456\n") != NULL);
    }
    char bb[32];
    CHECK_STR(report_bytes(bb, sizeof bb, 1023), "1023 B");
    CHECK_STR(report_bytes(bb, sizeof bb, 150 * 1024), "150 KiB");
    free(md);
    free(b);
    result_free(r);
}

static void test_dump(void)
{
    struct result *r = small();
    char *b = text(r);
    if (getenv("T_DUMP")) fputs(b, stdout);
    free(b);
    result_free(r);
}

int main(void)
{
    T_RUN(test_dump);
    T_RUN(test_table);
    T_RUN(test_thresholds);
    T_RUN(test_shards);
    T_RUN(test_phases);
    return T_DONE();
}
