/* lambda.c — the shard side: the event both sides read, and the Runtime
 * API client the bootstrap runs; see lambda.h. The coordinator is coord.c.
 *
 * The runtime talks HTTP through blocking libcurl easy calls: one
 * invocation at a time, as Lambda delivers them. */
#include "lambda.h"
#include "buf.h"
#include "header.h"
#include "journal.h"
#include "rtstream.h"
#include "loop.h"
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Time kept back from the invocation deadline to serialize and post the
 * result (a few hundred KB at most). */
#define LAMBDA_ANSWER_MARGIN_MS 1500
/* Lambda's response limit is 6 MB; stay clear of it. */
#define LAMBDA_MAX_RESPONSE (5 * 1024 * 1024)

/* Wall clock in ms: Lambda deadlines and the result's timestamps. */
static int64_t wall_ms(void)
{
    return loop_wall_us() / 1000;
}

size_t lambda_to_buf(char *d, size_t s, size_t n, void *arg)
{
    buf_append(arg, d, s * n);
    return s * n;
}

struct curl_slist *lambda_slist_add(struct curl_slist *l, const char *line)
{
    return xfail("curl_slist_append") ? NULL : curl_slist_append(l, line);
}

/* ---- the event ---------------------------------------------------------- */

/* Setup and teardown ran (and run) on the coordinator: their steps, with
 * the credentials in them, stay here. The shard's plan gets one setup
 * step that is never sent and only declares the variables in vars, so
 * the load's {{token}} still checks. */
static void event_strip_setup(cJSON *plan, const cJSON *vars)
{
    cJSON_DeleteItemFromObjectCaseSensitive(plan, "setup");
    cJSON_DeleteItemFromObjectCaseSensitive(plan, "teardown");
    if (!cJSON_GetArraySize(vars)) return;
    cJSON *step = cJSON_CreateObject();
    cJSON_AddStringToObject(step, "name", "setup (ran on the coordinator)");
    cJSON_AddStringToObject(step, "url", "http://127.0.0.1/");
    cJSON *x = cJSON_AddObjectToObject(step, "extract");
    const cJSON *k;
    cJSON_ArrayForEach(k, vars) cJSON_AddStringToObject(x, k->string, "$.v");
    cJSON *setup = cJSON_AddArrayToObject(plan, "setup");
    cJSON_AddItemToArray(setup, step);
}

char *lambda_event(const struct plan *p, const struct engine_vars *vars,
                   const char *run_id, int index, int part,
                   const struct engine_shard *sh)
{
    cJSON *e = cJSON_CreateObject();
    cJSON_AddNumberToObject(e, "herd_event", 1);
    cJSON_AddStringToObject(e, "run_id", run_id ? run_id : "");
    cJSON *plan = cJSON_Parse(p->json);
    /* The load as run here, command-line overrides included. */
    cJSON_ReplaceItemInObjectCaseSensitive(plan, "load", plan_load_json(p));
    cJSON_AddItemToObject(e, "plan", plan);
    cJSON *v = cJSON_AddObjectToObject(e, "vars");
    for (int i = 0; vars && i < vars->n && i < p->nvars; i++)
        if (vars->v[i]) cJSON_AddStringToObject(v, p->vars[i], vars->v[i]);
    event_strip_setup(plan, v);
    cJSON *s = cJSON_AddObjectToObject(e, "shard");
    cJSON_AddNumberToObject(s, "index", index);
    cJSON_AddNumberToObject(s, "part", part);
    cJSON_AddNumberToObject(s, "first", (double)sh->first);
    cJSON_AddNumberToObject(s, "stride", (double)sh->stride);
    cJSON_AddNumberToObject(s, "user_offset", (double)sh->user_offset);
    cJSON_AddNumberToObject(s, "start_unix_ms", (double)sh->start_unix_ms);
    cJSON_AddNumberToObject(s, "elapsed_us", (double)sh->elapsed_us);
    cJSON_AddNumberToObject(s, "end_unix_ms", (double)sh->end_unix_ms);
    char *out = xjson_print(e, 0);
    cJSON_Delete(e);
    char *copy = xstrdup(out);
    cJSON_free(out);
    return copy;
}

static int get_i64(const cJSON *o, const char *k, int64_t *out)
{
    return result_json_count(cJSON_GetObjectItemCaseSensitive(o, k), out);
}

/* Parses an event: the plan (validated like a file), the variables and
 * the shard. Returns 0, or -1 with err set. */
static int event_parse(const char *json, struct plan **pp,
                       struct engine_vars *vars, struct engine_shard *sh,
                       char **run_id, int *index, int *part, int *stream,
                       char *err, size_t errlen)
{
    cJSON *e = cJSON_Parse(json);
    if (!e) {
        snprintf(err, errlen, "event: not JSON");
        return -1;
    }
    int rc = -1;
    const cJSON *plan = cJSON_GetObjectItemCaseSensitive(e, "plan");
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(e, "shard");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, "vars");
    const cJSON *rid = cJSON_GetObjectItemCaseSensitive(e, "run_id");
    int64_t idx = 0, pno = 0;
    if (!cJSON_IsObject(plan) || !cJSON_IsObject(s)) {
        snprintf(err, errlen, "event: expected {\"plan\": {...}, \"shard\": "
                 "{...}}");
        goto out;
    }
    memset(sh, 0, sizeof *sh);
    if (get_i64(s, "index", &idx) < 0 || get_i64(s, "first", &sh->first) < 0 ||
        get_i64(s, "stride", &sh->stride) < 0 || sh->stride < 1 ||
        get_i64(s, "user_offset", &sh->user_offset) < 0 ||
        get_i64(s, "start_unix_ms", &sh->start_unix_ms) < 0 ||
        get_i64(s, "elapsed_us", &sh->elapsed_us) < 0 ||
        get_i64(s, "end_unix_ms", &sh->end_unix_ms) < 0 ||
        idx > 1000000 ||
        (cJSON_GetObjectItemCaseSensitive(s, "part") &&
         (get_i64(s, "part", &pno) < 0 || pno > LAMBDA_MAX_PARTS))) {
        snprintf(err, errlen, "event.shard: expected whole numbers index, "
                 "first, stride (>= 1), user_offset, start_unix_ms, "
                 "elapsed_us, end_unix_ms");
        goto out;
    }
    *index = (int)idx;
    *part = (int)pno;
    char *text = xjson_print(plan, 0);
    char perr[1024];
    *pp = plan_parse(text, "event.plan", perr, sizeof perr);
    cJSON_free(text);
    if (!*pp) {
        snprintf(err, errlen, "%s", perr);
        goto out;
    }
    engine_vars_init(vars, (*pp)->nvars);
    const cJSON *k;
    cJSON_ArrayForEach(k, v) {
        int i = plan_var_index(*pp, k->string);
        if (i >= 0 && cJSON_IsString(k)) vars->v[i] = xstrdup(k->valuestring);
    }
    *run_id = cJSON_IsString(rid) ? xstrdup(rid->valuestring) : NULL;
    *stream = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "stream"));
    rc = 0;
out:
    cJSON_Delete(e);
    return rc;
}

int lambda_event_read(const char *json, char *err, size_t errlen)
{
    struct plan *p = NULL;
    struct engine_vars vars = {0};
    struct engine_shard sh;
    char *run_id = NULL;
    int index, part, stream;
    int rc = event_parse(json, &p, &vars, &sh, &run_id, &index, &part, &stream,
                         err, errlen);
    engine_vars_free(&vars);
    plan_free(p);
    free(run_id);
    return rc;
}

/* ---- runtime ------------------------------------------------------------ */

/* POSTs body to the runtime API; returns the HTTP status or -1. */
static long runtime_post(CURL *c, const char *url, const char *body,
                         const char *error_type)
{
    char eh[160];
    snprintf(eh, sizeof eh, "Lambda-Runtime-Function-Error-Type: %s",
             error_type ? error_type : "");
    struct curl_slist *h = lambda_slist_add(NULL, "Content-Type: application/json");
    struct curl_slist *h2 = h && error_type ? lambda_slist_add(h, eh) : h;
    if (!h2) {
        fprintf(stderr, "bootstrap: %s: out of memory\n", url);
        curl_slist_free_all(h);
        return -1;
    }
    h = h2;
    struct buf sink = {0};
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, lambda_to_buf);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    long status = -1;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    buf_free(&sink);
    return status;
}

static char *error_body(const char *type, const char *msg)
{
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "errorMessage", msg);
    cJSON_AddStringToObject(e, "errorType", type);
    cJSON_AddItemToObject(e, "stackTrace", cJSON_CreateArray());
    char *s = xjson_print(e, 0);
    cJSON_Delete(e);
    char *copy = xstrdup(s);
    cJSON_free(s);
    return copy;
}

/* The end of a streamed answer: the final result, or the error in the
 * trailers. Returns NULL: the answer has gone. */
static char *stream_end(struct rts *st, const char *journal, int fd,
                        char *json, const char **etype, const char *err)
{
    long status = rts_finish(st, json, json ? NULL : *etype, err);
    if (status != 202)
        fprintf(stderr, "bootstrap: the streamed answer was not taken "
                "(status %ld)\n", status);
    close(fd);
    unlink(journal);
    free(json);
    *etype = NULL;
    return NULL;
}

/* Runs one invocation's shard. Returns the compact result JSON, or NULL
 * with an error type and message; when the event asks for a stream
 * (coordinator's InvokeWithResponseStream), the answer goes to
 * stream_url as it is measured (rtstream.h) and NULL comes back with no
 * error type. */
static char *run_invocation(const char *event, int64_t deadline_ms,
                            const char *stream_url, const char **etype,
                            char *err, size_t errlen)
{
    struct plan *p = NULL;
    struct engine_vars vars = {0};
    struct engine_shard sh;
    char *run_id = NULL;
    int index = 0, part = 0, stream = 0;
    if (event_parse(event, &p, &vars, &sh, &run_id, &index, &part, &stream,
                    err, errlen) < 0) {
        *etype = "Herd.InvalidEvent";
        return NULL;
    }
    if (deadline_ms > 0) sh.stop_unix_ms = deadline_ms - LAMBDA_ANSWER_MARGIN_MS;
    struct result *r = result_new();
    r->run_id = run_id;
    r->plan_name = xstrdup(p->name);
    r->mode = xstrdup("lambda");
    r->target = p->base_url ? xstrdup(p->base_url) : NULL;
    r->settings = plan_settings_json(p);
    engine_register_tx(p, r->stats);
    struct engine_opts o = {0};
    o.shard = sh;
    /* Streaming: the engine journals each second to /tmp (the only
     * writable place in Lambda) and rtstream sends the lines on. */
    char journal[64];
    snprintf(journal, sizeof journal, "/tmp/herd-stream-%d.journal",
             (int)getpid());
    struct rts *st = NULL;
    if (stream && stream_url) {
        r->started_unix_ms = r->finished_unix_ms = wall_ms();
        o.journal_fd = journal_open(journal, r);
        st = o.journal_fd > 0 ? rts_start(stream_url, journal) : NULL;
        if (!st && o.journal_fd > 0) {
            close(o.journal_fd);
            unlink(journal);
            o.journal_fd = 0;
        }
        if (!st)
            fprintf(stderr, "bootstrap: cannot stream (%s); answering "
                    "buffered\n", journal);
    }
    char *json = NULL;
    struct engine_span span;
    int ran = engine_run_load(p, &vars, &o, r->stats, &span);
    /* The on_start counts are this shard's users only: each ran it here. */
    result_take_span(r, &span);
    if (ran < 0) {
        *etype = "Herd.EngineFailed";
        snprintf(err, errlen, "the engine could not start");
    } else {
        r->shards_total = r->shards_ok = 1;
        if (r->shards_truncated) {
            cJSON *f = cJSON_CreateObject();
            cJSON_AddNumberToObject(f, "shard", index);
            cJSON_AddStringToObject(f, "reason", "truncated: the invocation "
                                    "deadline came before the planned end");
            cJSON_AddItemToArray(r->shard_failures, f);
        }
        /* The engine ran the schedule from the planned start and counted
         * what it missed as dropped; the coordinator names the cause. */
        if (r->start_late_ms >= RESULT_LATE_MS)
            result_add_late(r, index, part, r->start_late_ms,
                            r->stats->iter_dropped, "started late");
        json = result_to_json(r);
        cJSON_Minify(json);
        if (strlen(json) > LAMBDA_MAX_RESPONSE) {
            free(json);
            json = NULL;
            *etype = "Herd.ResultTooLarge";
            snprintf(err, errlen, "the result exceeds %d bytes",
                     LAMBDA_MAX_RESPONSE);
        }
    }
    result_free(r);
    engine_vars_free(&vars);
    plan_free(p);
    if (st) json = stream_end(st, journal, o.journal_fd, json, etype, err);
    return json;
}

int lambda_runtime_main(void)
{
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    if (!api || !*api) {
        fprintf(stderr, "bootstrap: AWS_LAMBDA_RUNTIME_API is not set: this "
                "name runs herd as an AWS Lambda function\n");
        return 2;
    }
    engine_global_init();
    CURL *c = xfail("curl_easy_init") ? NULL : curl_easy_init();
    if (!c) {
        fprintf(stderr, "bootstrap: curl_easy_init failed (out of memory)\n");
        return 70;
    }
    struct buf url = {0}, body = {0}, hdrs = {0};
    for (;;) {
        buf_reset(&url);
        buf_reset(&body);
        buf_reset(&hdrs);
        buf_printf(&url, "http://%s/2018-06-01/runtime/invocation/next", api);
        curl_easy_reset(c);
        curl_easy_setopt(c, CURLOPT_URL, buf_str(&url));
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, lambda_to_buf);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, lambda_to_buf);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, &hdrs);
        CURLcode rc = curl_easy_perform(c);
        long status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (rc != CURLE_OK || status != 200) {
            /* The runtime API went away: the sandbox is shutting down. */
            fprintf(stderr, "bootstrap: next invocation: %s\n",
                    rc != CURLE_OK ? curl_easy_strerror(rc) : "bad status");
            break;
        }
        char *id = header_get(buf_str(&hdrs), "Lambda-Runtime-Aws-Request-Id");
        char *dl = header_get(buf_str(&hdrs), "Lambda-Runtime-Deadline-Ms");
        if (!id) {
            fprintf(stderr, "bootstrap: invocation without a request id\n");
            free(dl);
            continue;
        }
        const char *etype = NULL;
        char err[1200];
        buf_reset(&url);
        buf_printf(&url, "http://%s/2018-06-01/runtime/invocation/%s/response",
                   api, id);
        char *json = run_invocation(buf_str(&body), dl ? atoll(dl) : 0,
                                    buf_str(&url), &etype, err, sizeof err);
        buf_reset(&url);
        if (!json && !etype) {
            /* Streamed: answered already. */
        } else if (json) {
            buf_printf(&url, "http://%s/2018-06-01/runtime/invocation/%s/response",
                       api, id);
            runtime_post(c, buf_str(&url), json, NULL);
        } else {
            char *eb = error_body(etype, err);
            buf_printf(&url, "http://%s/2018-06-01/runtime/invocation/%s/error",
                       api, id);
            runtime_post(c, buf_str(&url), eb, etype);
            fprintf(stderr, "bootstrap: %s: %s\n", etype, err);
            free(eb);
        }
        free(json);
        free(id);
        free(dl);
    }
    buf_free(&url);
    buf_free(&body);
    buf_free(&hdrs);
    curl_easy_cleanup(c);
    return 1;
}
