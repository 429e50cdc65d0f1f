/* test_event.c — the Lambda event (lambda.h): what the coordinator sends a
 * shard part (lambda_event) and what the shard accepts (lambda_event_read):
 * a round trip, the shard numbers and variables carried, and every broken
 * event refused with its reason. No network: pure JSON. */
#include "t.h"
#include "lambda.h"
#include <cjson/cJSON.h>
#include <stdlib.h>

static const char *PLAN =
    "{\"name\": \"ev\", \"base_url\": \"http://127.0.0.1:9\","
    " \"load\": {\"users\": 6, \"duration\": \"4s\"},"
    " \"setup\": [{\"name\": \"login\", \"path\": \"/login\","
    "   \"extract\": {\"token\": \"$.access_token\"}}],"
    " \"teardown\": [{\"name\": \"logout\", \"path\": \"/logout\"}],"
    " \"scenarios\": [{\"steps\": [{\"name\": \"s\", \"path\": \"/x?t={{token}}\"}]}]}";

static int read_ok(const char *json)
{
    char err[1200] = "";
    int rc = lambda_event_read(json, err, sizeof err);
    if (rc) fprintf(stderr, "refused: %s\n  %s\n", err, json);
    return rc;
}

/* Replaces shard.KEY in the event text ev with the JSON value v (NULL:
 * removes it) and returns lambda_event_read's reason ("" if accepted). */
static void with_shard(const char *ev, const char *key, const char *v,
                       char *err, size_t n)
{
    cJSON *e = cJSON_Parse(ev);
    cJSON *s = cJSON_GetObjectItemCaseSensitive(e, "shard");
    if (v) cJSON_ReplaceItemInObjectCaseSensitive(s, key, cJSON_Parse(v));
    else cJSON_DeleteItemFromObjectCaseSensitive(s, key);
    char *t = cJSON_PrintUnformatted(e);
    err[0] = '\0';
    if (lambda_event_read(t, err, n) == 0) err[0] = '\0';
    else if (!err[0]) snprintf(err, n, "(refused, no reason)");
    cJSON_free(t);
    cJSON_Delete(e);
}

static void test_round_trip(void)
{
    char err[1200];
    struct plan *p = plan_parse(PLAN, "ev.json", err, sizeof err);
    CHECK(p != NULL);
    if (!p) { fprintf(stderr, "%s\n", err); return; }
    struct engine_vars vars;
    engine_vars_init(&vars, p->nvars);
    int ti = plan_var_index(p, "token");
    CHECK(ti >= 0);
    if (ti >= 0) vars.v[ti] = strdup("tok-123");
    struct engine_shard sh = {.first = 2, .stride = 3, .user_offset = 0,
                              .start_unix_ms = 1700000001000,
                              .elapsed_us = 2000000,
                              .end_unix_ms = 1700000003000};
    char *ev = lambda_event(p, &vars, "run-9", 2, 1, &sh);
    CHECK(ev != NULL);
    cJSON *e = cJSON_Parse(ev);
    CHECK(e != NULL);
    CHECK_INT(cJSON_GetObjectItem(e, "herd_event")->valueint, 1);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(e, "run_id")), "run-9");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "vars"), "token")),
              "tok-123");
    cJSON *s = cJSON_GetObjectItem(e, "shard");
    const char *keys[] = {"index", "part", "first", "stride", "user_offset",
                          "start_unix_ms", "elapsed_us", "end_unix_ms"};
    double want[] = {2, 1, 2, 3, 0, 1700000001000.0, 2000000, 1700000003000.0};
    for (int i = 0; i < 8; i++) {
        cJSON *k = cJSON_GetObjectItem(s, keys[i]);
        if (!(k && cJSON_IsNumber(k) && k->valuedouble == want[i]))
            fprintf(stderr, "shard.%s wrong\n", keys[i]);
        CHECK(k && cJSON_IsNumber(k) && k->valuedouble == want[i]);
    }
    /* the plan travels whole, its load as run here */
    cJSON *plan = cJSON_GetObjectItem(e, "plan");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(plan, "name")), "ev");
    CHECK(cJSON_IsObject(cJSON_GetObjectItem(plan, "load")));
    cJSON_Delete(e);
    /* setup and teardown stay on the coordinator: only a step declaring
     * the extracted variables travels, and the shard reads it back */
    CHECK(strstr(ev, "/login") == NULL);
    CHECK(strstr(ev, "logout") == NULL);
    CHECK(strstr(ev, "teardown") == NULL);
    CHECK_INT(read_ok(ev), 0);

    /* Broken shards, each refused with the reason. */
    const char *why = "event.shard: expected whole numbers index, first, "
                      "stride (>= 1), user_offset, start_unix_ms, elapsed_us, "
                      "end_unix_ms";
    struct { const char *key, *v; } bad[] = {
        {"stride", "0"}, {"stride", "-3"}, {"first", "-1"}, {"first", "\"2\""},
        {"index", "1000001"}, {"part", "-1"}, {"part", "1000001"},
        {"start_unix_ms", "null"}, {"elapsed_us", "1e16"}, {"end_unix_ms", NULL},
        {"user_offset", NULL}, {"index", NULL},
        /* one count reader for every parser: no fractions */
        {"stride", "1.5"}, {"first", "0.5"}, {"elapsed_us", "2.25"}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        with_shard(ev, bad[i].key, bad[i].v, err, sizeof err);
        if (strcmp(err, why))
            fprintf(stderr, "shard.%s = %s: \"%s\"\n", bad[i].key,
                    bad[i].v ? bad[i].v : "(missing)", err);
        CHECK(strcmp(err, why) == 0);
    }
    /* part is optional (older coordinators); the largest legal numbers pass */
    with_shard(ev, "part", NULL, err, sizeof err);
    CHECK_STR(err, "");
    with_shard(ev, "index", "1000000", err, sizeof err);
    CHECK_STR(err, "");
    with_shard(ev, "stride", "1", err, sizeof err);
    CHECK_STR(err, "");
    free(ev);
    engine_vars_free(&vars);
    plan_free(p);
}

static void test_refused(void)
{
    char err[1200];
    CHECK_INT(lambda_event_read("{not json", err, sizeof err), -1);
    CHECK_STR(err, "event: not JSON");
    const char *shape = "event: expected {\"plan\": {...}, \"shard\": {...}}";
    const char *no[] = {"{}", "[]", "{\"plan\": {}}", "{\"shard\": {}}",
                        "{\"plan\": [], \"shard\": {}}",
                        "{\"plan\": {}, \"shard\": 3}", NULL};
    for (const char **b = no; *b; b++) {
        err[0] = '\0';
        CHECK_INT(lambda_event_read(*b, err, sizeof err), -1);
        CHECK_STR(err, shape);
    }
    /* A plan that would fail as a file fails here, named event.plan. */
    const char *sh = "\"shard\": {\"index\": 0, \"first\": 0, \"stride\": 1, "
                     "\"user_offset\": 0, \"start_unix_ms\": 0, \"elapsed_us\": 0, "
                     "\"end_unix_ms\": 0}";
    char ev[2048];
    snprintf(ev, sizeof ev, "{\"plan\": {\"name\": 3}, %s}", sh);
    err[0] = '\0';
    CHECK_INT(lambda_event_read(ev, err, sizeof err), -1);
    CHECK(strncmp(err, "event.plan: ", 12) == 0);
    if (strncmp(err, "event.plan: ", 12)) fprintf(stderr, "plan error: %s\n", err);
    /* The same shard with a good plan, no vars, no run_id: accepted. */
    snprintf(ev, sizeof ev, "{\"plan\": %s, %s}", PLAN, sh);
    CHECK_INT(read_ok(ev), 0);
}

int main(void)
{
    T_RUN(test_round_trip);
    T_RUN(test_refused);
    return T_DONE();
}
