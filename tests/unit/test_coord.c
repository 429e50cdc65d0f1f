/* test_lambda.c — the coordinator's reading of Retry-After: seconds or an
 * HTTP-date (IMF-fixdate), capped at COORD_RETRY_AFTER_MAX_MS. */
#include "t.h"
#include "buf.h"
#include "coord.h"
#include <math.h>
#include <stdlib.h>

static void test_retry_after(void)
{
    /* 784111777 s is Sun, 06 Nov 1994 08:49:37 GMT (RFC 7231's example). */
    const int64_t now = 784111777LL * 1000;
    CHECK_INT(coord_retry_after_ms("5", now), 5000);
    CHECK_INT(coord_retry_after_ms("0", now), 0);
    CHECK_INT(coord_retry_after_ms(" 12 ", now), 12000);
    /* Capped, however large (no overflow either). */
    CHECK_INT(coord_retry_after_ms("3600", now), COORD_RETRY_AFTER_MAX_MS);
    CHECK_INT(coord_retry_after_ms("99999999999999999999999", now),
              COORD_RETRY_AFTER_MAX_MS);
    /* An HTTP-date: the wait until then, from now. */
    CHECK_INT(coord_retry_after_ms("Sun, 06 Nov 1994 08:49:47 GMT", now), 10000);
    CHECK_INT(coord_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", now + 250), 0);
    CHECK_INT(coord_retry_after_ms("Sun, 06 Nov 1994 08:50:07 GMT", now - 500),
              30500);
    CHECK_INT(coord_retry_after_ms("Mon, 07 Nov 1994 08:49:37 GMT", now),
              COORD_RETRY_AFTER_MAX_MS);
    CHECK_INT(coord_retry_after_ms("Sat, 31 Dec 2044 23:59:59 GMT", now),
              COORD_RETRY_AFTER_MAX_MS);
    /* Past: retry now (the caller then backs off as without the header). */
    CHECK_INT(coord_retry_after_ms("Sat, 05 Nov 1994 08:49:37 GMT", now), 0);
    /* Neither: -1, and the caller backs off. */
    CHECK_INT(coord_retry_after_ms(NULL, now), -1);
    CHECK_INT(coord_retry_after_ms("", now), -1);
    CHECK_INT(coord_retry_after_ms("soon", now), -1);
    CHECK_INT(coord_retry_after_ms("5s", now), -1);
    CHECK_INT(coord_retry_after_ms("-5", now), -1);
    CHECK_INT(coord_retry_after_ms("Sun, 06 Nov 1994 08:49:47 PST", now), -1);
    CHECK_INT(coord_retry_after_ms("Sun, 06 Foo 1994 08:49:47 GMT", now), -1);
    CHECK_INT(coord_retry_after_ms("Xyz, 06 Nov 1994 08:49:47 GMT", now), -1);
    CHECK_INT(coord_retry_after_ms("Sun, 06 Nov 1994 25:49:47 GMT", now), -1);
    CHECK_INT(coord_retry_after_ms("Sun, 06 Nov 1994 08:49:47 GMT junk", now), -1);
}

/* A plan longer than LAMBDA_MAX_PARTS parts is refused before anything is
 * invoked (300 stages of 100 days in 1 s parts: 2.6e9 parts, past an
 * int, once wrapped negative and invoked nothing). */
static void test_too_many_parts(void)
{
    struct buf j = {0};
    buf_puts(&j, "{\"name\":\"long\",\"base_url\":\"http://127.0.0.1:1\","
             "\"load\":{\"spawn_rate\":1,\"stages\":[");
    for (int i = 0; i < 300; i++)
        buf_printf(&j, "%s{\"duration\":\"2400h\",\"users\":1}", i ? "," : "");
    buf_puts(&j, "]},\"scenarios\":[{\"steps\":[{\"path\":\"/\"}]}]}");
    char err[512];
    struct plan *p = plan_parse(buf_str(&j), "long.json", err, sizeof err);
    buf_free(&j);
    CHECK(p != NULL);
    if (!p) { fprintf(stderr, "%s\n", err); return; }
    struct engine_vars vars = {0};
    engine_vars_init(&vars, p->nvars);
    struct coord_opts lo = {0};
    lo.function = "herd";
    lo.invocations = 1;
    lo.part_us = 1000000;
    lo.quiet = 1;
    setenv("AWS_ACCESS_KEY_ID", "AKIDTEST", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
    setenv("AWS_REGION", "eu-west-1", 1);
    struct result *r = result_new();
    CHECK_INT(coord_run(p, &vars, &lo, r), -1);
    CHECK_INT(r->shards_total, 0);
    result_free(r);
    lo.invocations = COORD_MAX_INVOCATIONS + 1;
    r = result_new();
    CHECK_INT(coord_run(p, &vars, &lo, r), -1);
    result_free(r);
    engine_vars_free(&vars);
    plan_free(p);
}

/* The estimate by hand: 2 x (2 s + 1 s start delay + 1 s graceful stop)
 * x 2 GB = 16 GB-s; an iterations plan is bounded by --part. */
static void test_cost(void)
{
    char err[512];
    struct plan *p = plan_parse("{\"name\":\"c\",\"base_url\":"
        "\"http://127.0.0.1:1\",\"load\":{\"users\":2,\"duration\":\"2s\","
        "\"graceful_stop\":\"1s\"},\"scenarios\":[{\"steps\":[{\"path\":"
        "\"/\"}]}]}", "c.json", err, sizeof err);
    CHECK(p != NULL);
    if (!p) return;
    struct coord_opts o = {.invocations = 2, .start_delay_ms = 1000,
                           .memory_mb = 2048};
    struct coord_cost k = coord_cost(p, &o);
    CHECK_INT(k.calls, 2);
    CHECK(k.seconds == 4.0 && k.gb_s == 16.0 && !k.upper_bound);
    CHECK(fabs(k.usd - (16 * 0.0000166667 + 2 * 0.0000002)) < 1e-12);
    /* 30 s in parts of 10 s: 3 calls per shard, each with its delay */
    o.part_us = 10000000;
    o.memory_mb = 0;
    p->load.duration_us = 30000000;
    k = coord_cost(p, &o);
    CHECK_INT(k.calls, 6);
    CHECK(k.seconds == 36.0);
    CHECK(fabs(k.gb_s - 2 * 36.0 * 1769 / 1024.0) < 1e-9);
    p->load.duration_us = 0;
    p->load.iterations = 5;
    k = coord_cost(p, &o);
    CHECK(k.upper_bound && k.seconds == 12.0);
    plan_free(p);
}

int main(void)
{
    T_RUN(test_cost);
    T_RUN(test_retry_after);
    T_RUN(test_too_many_parts);
    return T_DONE();
}
