/* coord.c — the coordinator: Invoke calls on one libcurl multi handle,
 * the shards' streams merged as they arrive; see coord.h. The shard side
 * (the event, the runtime) is lambda.c.
 *
 * One multi handle driven by curl_multi_poll holds every call (a few
 * hundred long-lived requests; the engine's epoll loop is for load). */
#include "coord.h"
#include "lambda.h"
#include "mask.h"
#include "buf.h"
#include "evstream.h"
#include "header.h"
#include "hist.h"
#include "journal.h"
#include "loop.h"
#include "version.h"
#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define COORD_MAX_THROTTLES 10

static int64_t wall_ms(void)
{
    return loop_wall_us() / 1000;
}

/* ---- Retry-After -------------------------------------------------------- */

/* IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") as Unix seconds, or -1. */
static int64_t imf_fixdate(const char *s)
{
    static const char days[] = "MonTueWedThuFriSatSun";
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    char wd[4], mon[4], zone[4];
    int d, y, h, mi, sec, used = 0;
    if (sscanf(s, "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d %3[A-Z]%n", wd,
               &d, mon, &y, &h, &mi, &sec, zone, &used) != 8 ||
        strcmp(zone, "GMT") != 0 || strlen(wd) != 3 || strlen(mon) != 3)
        return -1;
    for (const char *t = s + used; *t; t++)
        if (*t != ' ' && *t != '\t') return -1;
    const char *wp = strstr(days, wd), *mp = strstr(months, mon);
    if (!wp || (wp - days) % 3 || !mp || (mp - months) % 3 || d < 1 ||
        d > 31 || y < 1970 || h > 23 || mi > 59 || sec > 60)
        return -1;
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = (int)(mp - months) / 3;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    time_t t = timegm(&tm);
    return t == (time_t)-1 ? -1 : (int64_t)t;
}

int64_t coord_retry_after_ms(const char *value, int64_t now_ms)
{
    if (!value) return -1;
    while (*value == ' ' || *value == '\t') value++;
    int64_t ms;
    if (*value >= '0' && *value <= '9') {
        /* delay-seconds; digits past the cap only keep it there. */
        int64_t secs = 0;
        const char *p = value;
        for (; *p >= '0' && *p <= '9'; p++)
            if (secs <= COORD_RETRY_AFTER_MAX_MS / 1000)
                secs = secs * 10 + (*p - '0');
        while (*p == ' ' || *p == '\t') p++;
        if (*p) return -1;
        ms = secs * 1000;
    } else {
        int64_t at = imf_fixdate(value);
        if (at < 0) return -1;
        ms = at * 1000 - now_ms;
        if (ms < 0) ms = 0;
    }
    return ms > COORD_RETRY_AFTER_MAX_MS ? COORD_RETRY_AFTER_MAX_MS : ms;
}


/* ---- coordinator -------------------------------------------------------- */

/* Each shard has a few slots for Invoke calls: the next part of a long
 * test is invoked ahead of its planned start (while the previous part
 * still runs its graceful stop), as the first part is, so it starts on
 * time instead of skipping what it would miss. */
#define SLOTS_PER_SHARD 3

struct coord;

struct part {
    struct coord *c;
    int shard, part;
    int attempt, throttles;
    CURL *e;
    struct curl_slist *hl;
    struct buf body, hdrs;
    char *event;
    int64_t due_ms;              /* when to (re)send; 0 = in flight */
    int active;                  /* an Invoke call is in flight */
    int used;                    /* holds a part: due or in flight */
    int64_t sent_late_ms;        /* how long after the planned start the
                                    last send went out (0: ahead) */
    char late_why[96];           /* why it went out late */
    /* Streaming: the event stream, the payload up to its next newline,
     * how many records this call streamed (one per shard worker per
     * second) and the span they cover (Unix ms), whether InvokeComplete
     * came, and the first thing wrong with the stream. */
    struct evs es;
    struct buf line;
    int records, complete;
    int64_t from_ms, to_ms;
    char *serr;
};

struct coord {
    const struct plan *p;
    const struct engine_vars *vars;
    const struct coord_opts *o;
    struct result *r;
    CURLM *multi;
    char *url, *sigv4, *userpwd, *token_header;
    int64_t t0_ms, total_us, part_us, lead_ms;
    int nparts;
    struct part *slots;          /* SLOTS_PER_SHARD per shard */
    int *next_part;              /* per shard: the next part to invoke */
    struct result **shard_results;
    char **failed;               /* reason per shard, NULL if not failed */
    int *truncated;
    int stream;                  /* InvokeWithResponseStream */
    int *partial;                /* per shard: seconds kept from failed
                                    streams */
    int64_t live_requests, live_errors, progress_ms;
    int journal_failed;
};

static void coord_fail(struct coord *c, int shard, const char *reason)
{
    if (c->failed[shard]) return;
    c->failed[shard] = xstrdup(reason);
    if (!c->o->quiet)
        fprintf(stderr, "shard %d failed: %s\n", shard, reason);
}

static int64_t jitter_ms(int64_t ms)
{
    /* 50 % .. 150 %: shards throttled together do not retry together. */
    return ms / 2 + (int64_t)((double)rand() / RAND_MAX * (double)ms);
}

static int64_t planned_ms(const struct coord *c, int part)
{
    return c->t0_ms + (int64_t)part * c->part_us / 1000;
}

/* A part's call failed: it is sent again while it has retries left,
 * otherwise its shard fails with reason. */
static void part_failed(struct coord *c, struct part *pt, const char *why)
{
    /* An error body from AWS or the function may echo the plan's values. */
    struct buf m = {0};
    mask_text(why, strlen(why), c->p->secrets, c->p->nsecrets, &m);
    const char *reason = buf_str(&m);
    if (pt->attempt < c->o->retries && !(c->o->stop && c->o->stop[0])) {
        pt->attempt++;
        pt->due_ms = wall_ms() + jitter_ms(1000);
        if (!c->o->quiet)
            fprintf(stderr, "shard %d part %d: %s; retrying\n", pt->shard,
                    pt->part, reason);
        buf_free(&m);
        return;
    }
    coord_fail(c, pt->shard, reason);
    buf_free(&m);
    c->next_part[pt->shard] = c->nparts;    /* no further parts */
    pt->used = 0;
}

/* ---- streaming: InvokeWithResponseStream ------------------------------ */

static void stream_reset(struct part *pt)
{
    evs_free(&pt->es);
    buf_reset(&pt->line);
    pt->records = pt->complete = 0;
    pt->from_ms = pt->to_ms = 0;
    free(pt->serr);
    pt->serr = NULL;
}

/* Notes the first thing wrong with pt's stream. */
static void stream_error(struct part *pt, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void stream_error(struct part *pt, const char *fmt, ...)
{
    if (pt->serr) return;
    struct buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    pt->serr = buf_steal(&b);
}

/* One line of a shard's stream: a second (a journal delta: journaled and
 * merged into the run's result at once) or, carrying the run id, its
 * final result (kept in body, read as a buffered answer is, for what is
 * not counts: truncation, lateness, timestamps). The seconds of a part
 * add up to its final result's counts (the engine's last journal record
 * closes the run), so the result is the sum of the seconds: the
 * coordinator holds one result, not one per shard, and a part that fails
 * has its seconds counted already. */
static void stream_line(struct coord *c, struct part *pt, const char *line,
                        size_t len)
{
    if (!len) return;
    char *text = xstrndup(line, len), why[256];
    struct result *r = result_from_json(text, why, sizeof why);
    if (!r) {
        stream_error(pt, "unreadable streamed record: %s", why);
    } else if (r->run_id) {
        buf_reset(&pt->body);
        buf_append(&pt->body, text, len);
    } else {
        if (c->o->journal_fd > 0 &&
            journal_append_line(c->o->journal_fd, text, len) < 0 &&
            !c->journal_failed) {
            c->journal_failed = 1;
            fprintf(stderr, "herd: the run journal cannot be written (%s); "
                    "the run goes on without it\n", strerror(errno));
        }
        for (int i = 0; i < r->stats->nsec; i++) {
            c->live_requests += r->stats->sec[i].requests;
            c->live_errors += r->stats->sec[i].errors;
        }
        if (stats_merge(c->r->stats, r->stats) < 0)
            stream_error(pt, "streamed record: histogram layout differs");
        if (!pt->records || r->started_unix_ms < pt->from_ms)
            pt->from_ms = r->started_unix_ms;
        if (r->finished_unix_ms > pt->to_ms) pt->to_ms = r->finished_unix_ms;
        pt->records++;
    }
    result_free(r);
    free(text);
}

static void stream_msg(struct coord *c, struct part *pt,
                       const struct evs_msg *m)
{
    int plen = m->payload_len > 300 ? 300 : (int)m->payload_len;
    if (m->message_type && strcmp(m->message_type, "event")) {
        stream_error(pt, "stream %s %s: %.*s", m->message_type,
                     m->exception_type ? m->exception_type :
                     m->error_code ? m->error_code : "?",
                     m->error_message ? 300 : plen,
                     m->error_message ? m->error_message : m->payload);
        return;
    }
    if (!m->event_type) return;
    if (!strcmp(m->event_type, "PayloadChunk")) {
        buf_append(&pt->line, m->payload, m->payload_len);
        size_t at = 0;
        char *nl;
        while ((nl = memchr(pt->line.p + at, '\n', pt->line.len - at))) {
            stream_line(c, pt, pt->line.p + at, (size_t)(nl - pt->line.p) - at);
            at = (size_t)(nl - pt->line.p) + 1;
        }
        memmove(pt->line.p, pt->line.p + at, pt->line.len - at);
        pt->line.len -= at;
        pt->line.p[pt->line.len] = '\0';
    } else if (!strcmp(m->event_type, "InvokeComplete")) {
        pt->complete = 1;
        if (pt->line.len) {
            /* No newline at the end: a buffered answer (a function that
             * does not stream, an old deployment), read as Invoke's is. */
            buf_reset(&pt->body);
            buf_append(&pt->body, pt->line.p, pt->line.len);
            buf_reset(&pt->line);
        }
        char *text = xstrndup(m->payload, m->payload_len);
        cJSON *j = cJSON_Parse(text);
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(j, "ErrorCode");
        const cJSON *det = cJSON_GetObjectItemCaseSensitive(j, "ErrorDetails");
        if (cJSON_IsString(code))
            stream_error(pt, "function error: %s: %.300s", code->valuestring,
                         cJSON_IsString(det) ? det->valuestring : "");
        cJSON_Delete(j);
        free(text);
    }
}

/* libcurl's write callback for a streamed call: event stream frames in
 * any cut. A broken stream ends the call (a short write). */
static size_t on_stream(char *d, size_t s, size_t n, void *arg)
{
    struct part *pt = arg;
    long status = 0;
    curl_easy_getinfo(pt->e, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) {
        /* An error before the function ran: plain JSON, as buffered. */
        buf_append(&pt->body, d, s * n);
        return s * n;
    }
    evs_feed(&pt->es, d, s * n);
    struct evs_msg m;
    int rc;
    while ((rc = evs_next(&pt->es, &m)) == 1) stream_msg(pt->c, pt, &m);
    if (rc < 0) {
        stream_error(pt, "%s", pt->es.err);
        return 0;
    }
    return s * n;
}

/* Whether a streamed call that answered 200 failed: 1 with the reason.
 * Otherwise its final result is in body. */
static int stream_failed(struct part *pt, CURLcode rc, char *reason,
                         size_t len)
{
    if (pt->serr) snprintf(reason, len, "%s", pt->serr);
    else if (rc != CURLE_OK)
        snprintf(reason, len, "stream cut off (%s)%s", curl_easy_strerror(rc),
                 evs_pending(&pt->es) ? " in the middle of a frame" : "");
    else if (evs_pending(&pt->es) || pt->line.len)
        snprintf(reason, len, "stream ended in the middle of a %s",
                 evs_pending(&pt->es) ? "frame" : "record");
    else if (!pt->complete)
        snprintf(reason, len, "stream ended without InvokeComplete");
    else if (!pt->body.len)
        snprintf(reason, len, "stream complete but without the final result");
    else return 0;
    return 1;
}

/* A failed stream's seconds are in the result already: its shard is
 * marked partial. Such a part is not retried: its seconds would count
 * twice. */
static void stream_keep(struct coord *c, struct part *pt, char *reason,
                        size_t len)
{
    if (!pt->records) return;
    int i = pt->shard;
    int secs = (int)((pt->to_ms - pt->from_ms + 500) / 1000);
    if (secs < 1) secs = 1;
    c->partial[i] += secs;
    size_t at = strlen(reason);
    snprintf(reason + at, len - at, " (partial: kept the %d second%s it "
             "streamed)", secs, secs == 1 ? "" : "s");
    pt->attempt = c->o->retries;
}

/* The live line from the streamed seconds: the newest second at least 2 s
 * old (every shard's record for it has come by then, 1 s after it ended
 * plus the stream's delay). */
static void coord_progress(struct coord *c)
{
    int64_t now = wall_ms();
    if (!c->o->progress || now - c->progress_ms < 1000) return;
    c->progress_ms = now;
    struct engine_progress pr = {0};
    pr.elapsed_s = now > c->t0_ms ? (double)(now - c->t0_ms) / 1000 : 0;
    pr.total_s = (double)c->total_us / 1e6;
    pr.requests = c->live_requests;
    pr.errors = c->live_errors;
    const struct stats *live = c->r->stats;
    for (int k = live->nsec - 1; k >= 0; k--) {
        const struct stats_sec *sec = &live->sec[k];
        if (sec->t > now / 1000 - 2) continue;
        pr.rps = (double)sec->requests;
        pr.active_users = sec->active_users;
        pr.p99_us = sec->hist ? hist_percentile(sec->hist, 99.0) : 0;
        break;
    }
    int n = c->o->invocations;
    pr.shards_total = n;
    for (int i = 0; i < n; i++) {
        int busy = c->next_part[i] < c->nparts;
        for (int k = 0; k < SLOTS_PER_SHARD; k++)
            busy |= c->slots[i * SLOTS_PER_SHARD + k].used;
        if (c->failed[i]) pr.shards_failed++;
        else if (busy) pr.shards_running++;
        else pr.shards_done++;
    }
    c->o->progress(c->o->progress_arg, &pr);
}

static void send_part(struct coord *c, struct part *pt)
{
    /* The schedule is anchored at the planned start whenever the call goes
     * out: a shard invoked late does not shift its schedule, the engine
     * counts what it missed as dropped. */
    int64_t start = planned_ms(c, pt->part), now = wall_ms();
    struct engine_shard sh = {0};
    sh.first = pt->shard;
    sh.stride = c->o->invocations;
    sh.start_unix_ms = start;
    sh.elapsed_us = (start - c->t0_ms) * 1000;
    int64_t end = planned_ms(c, pt->part + 1);
    if (pt->part + 1 < c->nparts) sh.end_unix_ms = end;
    pt->sent_late_ms = now > start ? now - start : 0;
    if (pt->sent_late_ms) {
        if (pt->throttles)
            snprintf(pt->late_why, sizeof pt->late_why, "throttled 429%s",
                     pt->throttles > 1 ? " (several times)" : "");
        else if (pt->attempt)
            snprintf(pt->late_why, sizeof pt->late_why, "retried (attempt %d)",
                     pt->attempt + 1);
        else if (pt->part)
            snprintf(pt->late_why, sizeof pt->late_why, "part %d invoked "
                     "late (the previous parts still ran)", pt->part + 1);
        else
            snprintf(pt->late_why, sizeof pt->late_why, "invoked late");
    }
    free(pt->event);
    pt->event = lambda_event(c->p, c->vars, c->o->run_id, pt->shard, pt->part, &sh);
    if (c->stream) {
        /* The shard streams only when asked: a buffered Invoke of a
         * streaming answer would hand back JSON Lines. */
        struct buf ev = {0};
        buf_printf(&ev, "{\"stream\":true,%s", pt->event + 1);
        free(pt->event);
        pt->event = buf_steal(&ev);
        stream_reset(pt);
    }
    buf_reset(&pt->body);
    buf_reset(&pt->hdrs);
    CURL *e = pt->e;
    curl_easy_reset(e);
    curl_easy_setopt(e, CURLOPT_URL, c->url);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)pt);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, pt->event);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(pt->event));
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, pt->hl);
    curl_easy_setopt(e, CURLOPT_AWS_SIGV4, c->sigv4);
    curl_easy_setopt(e, CURLOPT_USERPWD, c->userpwd);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, c->stream ? on_stream : lambda_to_buf);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, c->stream ? (void *)pt : &pt->body);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, lambda_to_buf);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &pt->hdrs);
    /* A call open for up to 15 minutes, quiet between records (or all
     * along, buffered): keep-alive probes keep NATs and load balancers,
     * which drop idle connections after 350 s, from cutting it. */
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, 60L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, 30L);
    curl_easy_setopt(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    /* A part runs from its start until its end plus the plan's graceful
     * stop; Lambda's own ceiling is 15 minutes. Wait a little longer than
     * either. */
    int64_t wait_ms = (start > now ? start - now : 0) +
                      (end > start ? end - start : c->part_us / 1000) +
                      c->p->load.graceful_stop_us / 1000 + 60000;
    if (wait_ms > 16 * 60 * 1000) wait_ms = 16 * 60 * 1000;
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)wait_ms);
    pt->due_ms = 0;
    pt->used = 1;
    CURLMcode mc = xfail("curl_multi_add_handle") ? CURLM_OUT_OF_MEMORY :
                   curl_multi_add_handle(c->multi, e);
    if (mc != CURLM_OK) {
        /* Never sent: without this the part would wait forever. */
        char reason[160];
        snprintf(reason, sizeof reason, "invoke: not sent: "
                 "curl_multi_add_handle: %s", curl_multi_strerror(mc));
        part_failed(c, pt, reason);
        return;
    }
    pt->active = 1;
}

static void write_raw(struct coord *c, const struct part *pt)
{
    if (!c->o->shard_dir) return;
    struct buf path = {0};
    buf_printf(&path, "%s/shard-%04d-part-%02d.json", c->o->shard_dir,
               pt->shard, pt->part);
    FILE *f = fopen(buf_str(&path), "w");
    if (f) {
        fwrite(buf_str(&pt->body), 1, pt->body.len, f);
        if (fclose(f) != 0)
            fprintf(stderr, "herd: %s: write failed\n", buf_str(&path));
    } else {
        fprintf(stderr, "herd: %s: %s\n", buf_str(&path), strerror(errno));
    }
    buf_free(&path);
}

/* Records a part that began late: the lateness the shard measured (or,
 * without it, how late the coordinator sent it) and the cause the
 * coordinator knows. */
static void note_late(struct coord *c, const struct part *pt,
                      const struct result *r)
{
    int64_t late = r->start_late_ms;
    if (pt->sent_late_ms > late) late = pt->sent_late_ms;
    if (late < RESULT_LATE_MS) return;
    const char *why = pt->sent_late_ms ? pt->late_why : NULL;
    if (!why) {
        const cJSON *e = cJSON_GetArrayItem(r->late_shards, 0);
        const cJSON *w = cJSON_GetObjectItemCaseSensitive(e, "reason");
        why = cJSON_IsString(w) ? w->valuestring : "started late";
    }
    result_add_late(c->r, pt->shard, pt->part, late, r->stats->iter_dropped, why);
    if (!c->o->quiet)
        fprintf(stderr, "shard %d part %d: started %lld ms late (%s)\n",
                pt->shard, pt->part, (long long)late, why);
}

/* Handles a finished Invoke call for pt. */
static void part_done(struct coord *c, struct part *pt, CURLcode rc)
{
    long status = 0;
    curl_easy_getinfo(pt->e, CURLINFO_RESPONSE_CODE, &status);
    curl_multi_remove_handle(c->multi, pt->e);
    pt->active = 0;
    char reason[600];
    if (rc == CURLE_OK && (status == 429 || status == 503) &&
        pt->throttles < COORD_MAX_THROTTLES) {
        /* Throttled: wait as told (Retry-After) or back off, with jitter. */
        char *ra = header_get(buf_str(&pt->hdrs), "Retry-After");
        int64_t wait = coord_retry_after_ms(ra, wall_ms());
        free(ra);
        if (wait <= 0) wait = 500LL << (pt->throttles < 5 ? pt->throttles : 5);
        pt->throttles++;
        int64_t in_ms = jitter_ms(wait);
        pt->due_ms = wall_ms() + in_ms;
        if (!c->o->quiet)
            fprintf(stderr, "shard %d: throttled (%ld), retrying in %lld ms\n",
                    pt->shard, status, (long long)in_ms);
        return;
    }
    if (c->stream && status == 200 &&
        stream_failed(pt, rc, reason, sizeof reason)) {
        if (pt->body.len) write_raw(c, pt);
        stream_keep(c, pt, reason, sizeof reason);
        part_failed(c, pt, reason);
        return;
    }
    char *ferr = header_get(buf_str(&pt->hdrs), "X-Amz-Function-Error");
    struct result *r = NULL;
    if (rc != CURLE_OK) {
        snprintf(reason, sizeof reason, "invoke: %s", curl_easy_strerror(rc));
    } else if (status != 200) {
        snprintf(reason, sizeof reason, "invoke: HTTP %ld: %.300s", status,
                 buf_str(&pt->body));
    } else if (ferr) {
        cJSON *b = cJSON_Parse(buf_str(&pt->body));
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(b, "errorType");
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(b, "errorMessage");
        snprintf(reason, sizeof reason, "function error (%s): %s: %.300s", ferr,
                 cJSON_IsString(t) ? t->valuestring : "?",
                 cJSON_IsString(m) ? m->valuestring : buf_str(&pt->body));
        cJSON_Delete(b);
    } else {
        char rerr[256];
        r = result_from_json(buf_str(&pt->body), rerr, sizeof rerr);
        if (!r) {
            /* Most often an old deployment: say so, and what to do. */
            cJSON *b = cJSON_Parse(buf_str(&pt->body));
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, "herd_version");
            if (cJSON_IsString(v) && strcmp(v->valuestring, HERD_VERSION))
                snprintf(reason, sizeof reason, "the function runs herd %s, "
                         "this is herd %s: redeploy it (make -f lambda.mk "
                         "deploy)", v->valuestring, HERD_VERSION);
            else
                snprintf(reason, sizeof reason, "unreadable result: %s", rerr);
            cJSON_Delete(b);
        }
    }
    free(ferr);
    if (status == 200) write_raw(c, pt);
    if (!r) {
        part_failed(c, pt, reason);
        return;
    }
    if (r->shards_truncated) c->truncated[pt->shard] = 1;
    if (c->stream) {
        /* Its counts came second by second; only the rest is kept. */
        stats_free(r->stats);
        r->stats = stats_new();
    }
    note_late(c, pt, r);
    if (!c->o->quiet)
        fprintf(stderr, "shard %d/%d part %d/%d: ok (%lld iterations%s)\n",
                pt->shard + 1, c->o->invocations, pt->part + 1, c->nparts,
                (long long)r->stats->iter_started,
                r->shards_truncated ? ", truncated" : "");
    if (!c->shard_results[pt->shard]) c->shard_results[pt->shard] = r;
    else {
        result_merge(c->shard_results[pt->shard], r);
        result_free(r);
    }
    pt->used = 0;
}

/* Sends what is due: retries and throttled calls whose wait is over, and
 * the next part of each shard once it is within lead_ms of its planned
 * start and a slot is free. Returns 1 while anything is left to do. */
static int coord_step(struct coord *c, int stopping)
{
    int n = c->o->invocations, left = 0;
    int64_t now = wall_ms();
    for (int i = 0; i < n; i++) {
        struct part *sl = &c->slots[i * SLOTS_PER_SHARD];
        for (int k = 0; k < SLOTS_PER_SHARD; k++) {
            if (!sl[k].used) continue;
            left = 1;
            if (!sl[k].active && sl[k].due_ms && sl[k].due_ms <= now && !stopping)
                send_part(c, &sl[k]);
        }
        if (c->next_part[i] >= c->nparts || c->failed[i]) continue;
        left = 1;
        if (stopping || now < planned_ms(c, c->next_part[i]) - c->lead_ms)
            continue;
        for (int k = 0; k < SLOTS_PER_SHARD; k++) {
            if (sl[k].used) continue;
            sl[k].part = c->next_part[i]++;
            sl[k].attempt = sl[k].throttles = 0;
            send_part(c, &sl[k]);
            break;
        }
    }
    return left;
}

static int coord_setup(struct coord *c, char *err, size_t errlen)
{
    const struct coord_opts *o = c->o;
    const char *key = getenv("AWS_ACCESS_KEY_ID");
    const char *secret = getenv("AWS_SECRET_ACCESS_KEY");
    const char *token = getenv("AWS_SESSION_TOKEN");
    const char *region = o->region ? o->region : getenv("AWS_REGION");
    if (!region || !*region) region = getenv("AWS_DEFAULT_REGION");
    if (!key || !*key || !secret || !*secret) {
        snprintf(err, errlen, "AWS credentials: set AWS_ACCESS_KEY_ID and "
                 "AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary "
                 "credentials) in the environment");
        return -1;
    }
    if (!region || !*region) {
        snprintf(err, errlen, "AWS region: set AWS_REGION or pass --region");
        return -1;
    }
    if (strchr(o->function, ':') || strchr(o->function, '/')) {
        snprintf(err, errlen, "--lambda %s: give the plain function name and "
                 "the alias or version with --qualifier", o->function);
        return -1;
    }
    const char *ep = o->endpoint ? o->endpoint : getenv("AWS_ENDPOINT_URL_LAMBDA");
    struct buf b = {0};
    if (ep && *ep) buf_puts(&b, ep);
    else buf_printf(&b, "https://lambda.%s.amazonaws.com", region);
    while (b.len && b.p[b.len - 1] == '/') b.p[--b.len] = '\0';
    char *fn = xfail("curl_easy_escape") ? NULL :
               curl_easy_escape(NULL, o->function, 0);
    char *q = !fn || !o->qualifier ? NULL : xfail("curl_easy_escape") ? NULL :
              curl_easy_escape(NULL, o->qualifier, 0);
    if (!fn || (o->qualifier && !q)) {
        snprintf(err, errlen, "--lambda/--qualifier: cannot escape the name "
                 "(out of memory, or longer than 8 MB)");
        curl_free(fn);
        buf_free(&b);
        return -1;
    }
    if (o->no_stream)
        buf_printf(&b, "/2015-03-31/functions/%s/invocations", fn);
    else
        buf_printf(&b, "/2021-11-15/functions/%s/response-streaming-invocations",
                   fn);
    if (q) buf_printf(&b, "?Qualifier=%s", q);
    curl_free(fn);
    curl_free(q);
    c->url = buf_steal(&b);
    buf_printf(&b, "aws:amz:%s:lambda", region);
    c->sigv4 = buf_steal(&b);
    buf_printf(&b, "%s:%s", key, secret);
    c->userpwd = buf_steal(&b);
    if (token && *token) {
        /* libcurl does not add the session token itself. */
        buf_printf(&b, "X-Amz-Security-Token: %s", token);
        c->token_header = buf_steal(&b);
    }
    return 0;
}

int coord_journal_open(const char *path, struct result *r, int invocations)
{
    int total = r->shards_total, okn = r->shards_ok;
    r->shards_total = invocations;
    r->shards_ok = 0;
    r->started_unix_ms = r->finished_unix_ms = wall_ms();
    int fd = journal_open(path, r);
    r->shards_total = total;
    r->shards_ok = okn;
    if (fd < 0)
        fprintf(stderr, "herd: %s: cannot write the run journal (%s); the "
                "run goes on without it\n", path, strerror(errno));
    return fd;
}

int coord_check(const struct coord_opts *o, char *err, size_t errlen)
{
    struct coord c = {0};
    c.o = o;
    int rc = coord_setup(&c, err, errlen);
    free(c.url);
    free(c.sigv4);
    if (c.userpwd) memset(c.userpwd, 0, strlen(c.userpwd));
    free(c.userpwd);
    free(c.token_header);
    return rc;
}

/* Frees what coord_run made: handles (an active one leaves the multi
 * handle first), parts, per-shard results and reasons, strings. */
static void coord_free(struct coord *c)
{
    int n = c->o->invocations;
    for (int i = 0; c->slots && i < n * SLOTS_PER_SHARD; i++) {
        struct part *pt = &c->slots[i];
        if (pt->active) curl_multi_remove_handle(c->multi, pt->e);
        if (pt->e) curl_easy_cleanup(pt->e);
        curl_slist_free_all(pt->hl);
        buf_free(&pt->body);
        buf_free(&pt->hdrs);
        free(pt->event);
        stream_reset(pt);
        buf_free(&pt->line);
    }
    for (int i = 0; c->shard_results && i < n; i++) {
        result_free(c->shard_results[i]);
        free(c->failed[i]);
    }
    if (c->multi) curl_multi_cleanup(c->multi);
    free(c->slots);
    free(c->next_part);
    free(c->shard_results);
    free(c->failed);
    free(c->truncated);
    free(c->partial);
    free(c->url);
    free(c->sigv4);
    /* The secret leaves memory as soon as it is not needed. */
    if (c->userpwd) memset(c->userpwd, 0, strlen(c->userpwd));
    free(c->userpwd);
    free(c->token_header);
}

/* Allocates the per-shard state and SLOTS_PER_SHARD libcurl handles per
 * shard. Returns 0, or -1 after one line on stderr. */
static int coord_init(struct coord *c)
{
    const struct coord_opts *o = c->o;
    int n = o->invocations;
    c->multi = xfail("curl_multi_init") ? NULL : curl_multi_init();
    c->slots = xcalloc((size_t)n * SLOTS_PER_SHARD, sizeof *c->slots);
    c->next_part = xcalloc((size_t)n, sizeof *c->next_part);
    c->shard_results = xcalloc((size_t)n, sizeof *c->shard_results);
    c->failed = xcalloc((size_t)n, sizeof *c->failed);
    c->truncated = xcalloc((size_t)n, sizeof *c->truncated);
    c->partial = xcalloc((size_t)n, sizeof *c->partial);
    c->stream = !o->no_stream;
    for (int i = 0; i < n * SLOTS_PER_SHARD; i++) {
        struct part *pt = &c->slots[i];
        pt->c = c;
        pt->shard = i / SLOTS_PER_SHARD;
        pt->e = xfail("curl_easy_init") ? NULL : curl_easy_init();
        /* An append returns the list's head, or NULL leaving it as it was. */
        pt->hl = lambda_slist_add(NULL, "Content-Type: application/json");
        int ok = pt->hl && lambda_slist_add(pt->hl, "X-Amz-Invocation-Type: "
                                     "RequestResponse") &&
                 (!c->token_header || lambda_slist_add(pt->hl, c->token_header));
        if (!ok || !pt->e || !c->multi) {
            /* Nothing was sent yet: a set-up error, not a failed shard. */
            fprintf(stderr, "herd: cannot create the coordinator's libcurl "
                    "handles (out of memory)\n");
            return -1;
        }
    }
    return 0;
}

/* Records every shard in r: the merged results of those that answered
 * (their counts, for a streamed run, came second by second), each failed
 * one with its reason (partial, with the seconds it streamed), and the
 * shard counts. */
static void coord_finish(struct coord *c, int interrupted)
{
    struct result *r = c->r;
    int n = c->o->invocations;
    /* Merge the shards that answered; record the ones that did not. */
    r->started_unix_ms = c->t0_ms;
    r->finished_unix_ms = wall_ms();
    int ok = 0, failed = 0, trunc = 0;
    /* Calls still streaming when the coordinator stopped: their seconds
     * are kept, as a failed stream's are. */
    for (int i = 0; i < n * SLOTS_PER_SHARD; i++)
        if (c->slots[i].active && c->slots[i].records) {
            char why[200] = "interrupted: the coordinator stopped waiting "
                            "(Ctrl-C)";
            stream_keep(c, &c->slots[i], why, sizeof why);
            coord_fail(c, c->slots[i].shard, why);
        }
    for (int i = 0; i < n; i++) {
        int busy = c->next_part[i] < c->nparts;
        for (int k = 0; k < SLOTS_PER_SHARD; k++)
            busy |= c->slots[i * SLOTS_PER_SHARD + k].used;
        if (interrupted && !c->failed[i] && busy)
            coord_fail(c, i, "interrupted: the coordinator stopped waiting "
                       "(Ctrl-C); this shard's result is missing");
        if (c->shard_results[i]) {
            if (stats_merge(r->stats, c->shard_results[i]->stats) < 0)
                coord_fail(c, i, "histogram layout differs");
            /* Each shard set up its own users (plan on_start). */
            result_merge_setup(r, c->shard_results[i]);
            if (c->shard_results[i]->started_unix_ms < r->started_unix_ms)
                r->started_unix_ms = c->shard_results[i]->started_unix_ms;
            if (c->shard_results[i]->finished_unix_ms > r->finished_unix_ms)
                r->finished_unix_ms = c->shard_results[i]->finished_unix_ms;
        }
        if (c->failed[i]) {
            failed++;
            cJSON *f = cJSON_CreateObject();
            cJSON_AddNumberToObject(f, "shard", i);
            cJSON_AddStringToObject(f, "reason", c->failed[i]);
            if (c->partial[i]) {
                cJSON_AddTrueToObject(f, "partial");
                cJSON_AddNumberToObject(f, "seconds_streamed", c->partial[i]);
            }
            cJSON_AddItemToArray(r->shard_failures, f);
        } else {
            ok++;
        }
        if (c->truncated[i]) trunc++;
    }
    r->shards_total = n;
    r->shards_ok = ok;
    r->shards_failed = failed;
    r->shards_truncated = trunc;
    /* Every shard may have answered before its planned start (begun after
     * its deadline): the window is then empty, never negative. */
    if (r->finished_unix_ms < r->started_unix_ms)
        r->finished_unix_ms = r->started_unix_ms;
}

/* The line a Ctrl-C leaves on screen (README "Ctrl-C"), also with -q:
 * what the invocations still running do, and what was kept. */
static void coord_say_interrupted(const struct coord *c, int running)
{
    int secs = 0;
    for (int i = 0; i < c->o->invocations; i++) secs += c->partial[i];
    fprintf(stderr, "herd: interrupted: %d invocation%s still running in "
            "AWS run to their end and are billed (Lambda cannot cancel "
            "them); stopped reading them, kept the %d second%s they "
            "streamed; writing the result, marked interrupted\n", running,
            running == 1 ? "" : "s", secs, secs == 1 ? "" : "s");
}

int coord_run(const struct plan *p, const struct engine_vars *vars,
               const struct coord_opts *o, struct result *r)
{
    struct coord c = {0};
    c.p = p;
    c.vars = vars;
    c.o = o;
    c.r = r;
    char err[512];
    if (o->invocations < 1 || o->invocations > COORD_MAX_INVOCATIONS) {
        fprintf(stderr, "herd: --invocations: expected 1 to %d\n",
                COORD_MAX_INVOCATIONS);
        return -1;
    }
    /* A shard takes a part number up to LAMBDA_MAX_PARTS (event_parse);
     * the count is checked before it becomes an int. */
    int64_t part_us = o->part_us > 0 ? o->part_us : 14LL * 60 * 1000000;
    if ((plan_duration_us(p) + part_us - 1) / part_us > LAMBDA_MAX_PARTS) {
        fprintf(stderr, "herd: --part: the plan's duration would take more "
                "than %d parts per shard; give a longer --part\n",
                LAMBDA_MAX_PARTS);
        return -1;
    }
    if (coord_setup(&c, err, sizeof err) < 0) {
        fprintf(stderr, "herd: %s\n", err);
        coord_free(&c);
        return -1;
    }
    if (o->shard_dir && mkdir(o->shard_dir, 0755) < 0 && errno != EEXIST)
        fprintf(stderr, "herd: %s: %s (raw shard results not kept)\n",
                o->shard_dir, strerror(errno));
    srand((unsigned)wall_ms());
    c.total_us = plan_duration_us(p);
    c.part_us = o->part_us > 0 ? o->part_us : 14LL * 60 * 1000000;
    c.nparts = c.total_us > 0 ? (int)((c.total_us + c.part_us - 1) / c.part_us) : 1;
    if (c.total_us == 0) c.part_us = 14LL * 60 * 1000000;
    c.t0_ms = wall_ms() + o->start_delay_ms;
    /* Later parts are invoked as far ahead of their start as the first
     * (the start delay), but no more than half a part ahead. */
    c.lead_ms = o->start_delay_ms;
    if (c.lead_ms > c.part_us / 2000) c.lead_ms = c.part_us / 2000;
    if (coord_init(&c) < 0) {
        coord_free(&c);
        return -1;
    }
    int n = o->invocations;
    /* Every shard's first part goes out now, all together. */
    for (int i = 0; i < n; i++) {
        struct part *pt = &c.slots[i * SLOTS_PER_SHARD];
        pt->part = c.next_part[i]++;
        send_part(&c, pt);
    }
    if (!o->quiet)
        fprintf(stderr, "invoked %d shard%s of %s, %d part%s each; all start "
                "in %lld ms\n", n, n == 1 ? "" : "s", o->function, c.nparts,
                c.nparts == 1 ? "" : "s", (long long)o->start_delay_ms);
    int interrupted = 0;
    while (coord_step(&c, o->stop && o->stop[0])) {
        if (o->stop && o->stop[0]) {
            /* The invocations run on in AWS; stop waiting for them. */
            interrupted = 1;
            break;
        }
        int running;
        curl_multi_perform(c.multi, &running);
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(c.multi, &left))) {
            if (m->msg != CURLMSG_DONE) continue;
            struct part *pt = NULL;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&pt);
            part_done(&c, pt, m->data.result);
        }
        coord_progress(&c);
        curl_multi_poll(c.multi, NULL, 0, 100, NULL);
    }
    int running = 0;
    for (int i = 0; interrupted && i < n * SLOTS_PER_SHARD; i++)
        running += c.slots[i].active;
    coord_finish(&c, interrupted);
    r->interrupted |= interrupted;
    if (interrupted) coord_say_interrupted(&c, running);
    coord_free(&c);
    return 0;
}

/* ---- the cost ----------------------------------------------------------- */

struct coord_cost coord_cost(const struct plan *p, const struct coord_opts *o)
{
    struct coord_cost k = {0};
    int64_t part_us = o->part_us > 0 ? o->part_us : 14LL * 60 * 1000000;
    int64_t load_us = plan_duration_us(p);
    int64_t nparts = load_us > 0 ? (load_us + part_us - 1) / part_us : 1;
    int64_t us = load_us > 0 ? load_us : part_us;
    k.upper_bound = load_us <= 0;
    /* Each part waits out the start delay (the first) or is invoked as
     * far ahead, and ends with the graceful stop. */
    us += nparts * (o->start_delay_ms * 1000 + p->load.graceful_stop_us);
    k.calls = (int64_t)o->invocations * nparts;
    k.seconds = (double)us / 1e6;
    int mb = o->memory_mb > 0 ? o->memory_mb : COORD_MEMORY_MB;
    k.gb_s = o->invocations * k.seconds * mb / 1024.0;
    k.usd = k.gb_s * COORD_USD_PER_GB_S + k.calls * COORD_USD_PER_REQUEST;
    return k;
}

/* The threshold: HERD_LAMBDA_ASK_USD, else COORD_ASK_ABOVE_USD. */
static double ask_above_usd(void)
{
    const char *s = getenv("HERD_LAMBDA_ASK_USD");
    char *end;
    double v = s && *s ? strtod(s, &end) : -1;
    return s && *s && !*end && v >= 0 ? v : COORD_ASK_ABOVE_USD;
}

int coord_confirm_cost(const struct plan *p, const struct coord_opts *o,
                       int yes)
{
    struct coord_cost k = coord_cost(p, o);
    int mb = o->memory_mb > 0 ? o->memory_mb : COORD_MEMORY_MB;
    double above = ask_above_usd();
    fprintf(stderr, "cost: %d invocation%s x %s%.1f s x %.2f GB (%d MB) = "
            "%.1f GB-s = $%.4f at $%.10f per GB-s, plus $%.4f for %lld "
            "request%s (x86, us-east-1)\n", o->invocations,
            o->invocations == 1 ? "" : "s", k.upper_bound ? "at most " : "",
            k.seconds, mb / 1024.0, mb, k.gb_s,
            k.gb_s * COORD_USD_PER_GB_S, COORD_USD_PER_GB_S,
            k.calls * COORD_USD_PER_REQUEST, (long long)k.calls,
            k.calls == 1 ? "" : "s");
    if (k.usd <= above) return 0;
    if (yes) {
        fprintf(stderr, "cost: $%.2f is above $%.2f: --yes, not asked\n",
                k.usd, above);
        return 0;
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
        fprintf(stderr, "cost: $%.2f is above $%.2f: no terminal, not "
                "asked\n", k.usd, above);
        return 0;
    }
    fprintf(stderr, "cost: $%.2f is above $%.2f. Start the run? [y/N] ",
            k.usd, above);
    char line[16] = "";
    if (!fgets(line, sizeof line, stdin) ||
        (strcasecmp(line, "y\n") && strcasecmp(line, "yes\n"))) {
        fprintf(stderr, "herd: not started (the answer was not yes): "
                "nothing was invoked\n");
        return -1;
    }
    return 0;
}
