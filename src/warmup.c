/* warmup.c — the plan's warm-up; see warmup.h.
 *
 * The warm-up is the load engine run on a shallow copy of the plan whose
 * "load" is the warm-up's (users, duration); everything else (scenarios,
 * templates, pools) is shared read-only. Its result is measured like any
 * run, then cut down to the numbers a person compares with the load's. */
#include "warmup.h"
#include "buf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The fields of a transaction row worth showing for a warm-up: counts and
 * a few percentiles (no histograms: nothing merges or re-renders them). */
static cJSON *slim_row(const cJSON *t)
{
    static const char *const keep[] = {"name", "kind", "count", "ok",
        "errors", "p50_us", "p95_us", "p99_us", NULL};
    cJSON *o = cJSON_CreateObject();
    for (const char *const *k = keep; *k; k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, *k);
        if (v) cJSON_AddItemToObject(o, *k, cJSON_Duplicate(v, 1));
    }
    return o;
}

static cJSON *warmup_json(const struct plan *p, const struct result *w)
{
    char *text = result_to_json(w);
    cJSON *full = cJSON_Parse(text);
    free(text);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "users", p->warmup_users);
    cJSON_AddNumberToObject(o, "duration_s", (double)p->warmup_duration_us / 1e6);
    static const char *const copy[] = {"iterations", "user_setup", NULL};
    for (const char *const *k = copy; *k; k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(full, *k);
        if (v) cJSON_AddItemToObject(o, *k, cJSON_Duplicate(v, 1));
    }
    const cJSON *sum = cJSON_GetObjectItemCaseSensitive(full, "summary");
    cJSON *s = cJSON_AddObjectToObject(o, "summary");
    static const char *const kinds[] = {"requests", "flows", NULL};
    for (const char *const *k = kinds; *k; k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(sum, *k);
        cJSON_AddItemToObject(s, *k, cJSON_IsObject(v) ? slim_row(v)
                                                       : cJSON_CreateNull());
    }
    cJSON *txs = cJSON_AddArrayToObject(o, "transactions");
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(full, "transactions"))
        cJSON_AddItemToArray(txs, slim_row(t));
    cJSON_AddItemToObject(o, "errors", cJSON_Duplicate(w->setup_errors, 1));
    cJSON_Delete(full);
    return o;
}

int warmup_run(const struct plan *p, const struct engine_vars *vars,
               const struct engine_opts *o, struct result *r)
{
    if (p->warmup_users <= 0) return 0;
    /* Shallow: the copy borrows every pointer of p and frees none. */
    struct plan wp = *p;
    memset(&wp.load, 0, sizeof wp.load);
    wp.load.users = p->warmup_users;
    wp.load.duration_us = p->warmup_duration_us;
    wp.load.think_min_us = p->load.think_min_us;
    wp.load.think_max_us = p->load.think_max_us;
    wp.load.graceful_stop_us = p->load.graceful_stop_us;
    struct engine_opts wo = *o;
    wo.progress = NULL;            /* the progress line is the load's */
    wo.journal_fd = 0;             /* the journal holds the load only */
    memset(&wo.shard, 0, sizeof wo.shard);
    wo.shard.stride = 1;
    fprintf(stderr, "warm-up: %d user%s for %.0fs (kept apart from the "
            "result's statistics)\n", p->warmup_users,
            p->warmup_users == 1 ? "" : "s", p->warmup_duration_us / 1e6);
    struct result *w = result_new();
    engine_register_tx(&wp, w->stats);
    struct engine_span span;
    int rc = engine_run_load(&wp, vars, &wo, w->stats, &span);
    result_take_span(w, &span);
    cJSON_Delete(r->warmup);
    r->warmup = warmup_json(&wp, w);
    result_free(w);
    return rc;
}
