/* store.c — PostgreSQL persistence; see store.h.
 *
 * Saving runs as: BEGIN; insert the run row ON CONFLICT (run_id) DO
 * NOTHING; if it went in, insert its transactions and their error and
 * status rows and COMMIT; if the run id was there, ROLLBACK and compare
 * the stored result_hash with ours (already saved, or a conflict). Only
 * INSERT and SELECT are used, the grants the README documents. A unique
 * violation (SQLSTATE 23505) from a concurrent save is answered by
 * looking again. */
#include "store.h"
#include "buf.h"
#include "version.h"
#include <libpq-fe.h>
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Any constant: identifies herd's migration lock among advisory locks. */
#define STORE_MIGRATE_LOCK 0x68657264LL        /* "herd" */

/* SQLSTATE of the last error set_err reported ("" when none or not from
 * the server): decisions are made on it, never on the message's text
 * (which follows the server's lc_messages). */
static char last_state[6];

static void set_err(char *err, size_t errlen, const char *what, PGconn *c,
                    const PGresult *res)
{
    const char *m = res ? PQresultErrorMessage(res) : NULL;
    if (!m || !*m) m = c ? PQerrorMessage(c) : "";
    const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    snprintf(last_state, sizeof last_state, "%s", st ? st : "");
    char one[512];
    snprintf(one, sizeof one, "%s", m);
    /* libpq messages end in a newline and may span lines: keep one. */
    for (char *p = one; *p; p++) if (*p == '\n' || *p == '\r') { *p = '\0'; break; }
    snprintf(err, errlen, "%s: %s", what, *one ? one : "unknown error");
}

/* Appends a second line to err (main prints it after "herd: "). */
static void add_hint(char *err, size_t errlen, const char *hint)
{
    size_t n = strlen(err);
    if (n + 1 < errlen) snprintf(err + n, errlen - n, "\nherd: hint: %s", hint);
}

/* Blanks every occurrence of secret (n > 0 bytes) in msg with '*'. The
 * search resumes after each hit, so a secret made only of '*' (which its
 * own mask would match again) cannot loop. */
static void blank_all(char *msg, const char *secret, size_t n)
{
    if (!n) return;
    char *from = msg, *hit;
    while ((hit = strstr(from, secret))) {
        memset(hit, '*', n);
        from = hit + n;
    }
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* Blanks v (n bytes) in msg as written, and percent-decoded (what libpq
 * sends, and may echo). */
static void blank_value(char *msg, const char *v, size_t n)
{
    if (!n) return;
    char *raw = xmalloc(n + 1), *dec = xmalloc(n + 1);
    memcpy(raw, v, n);
    raw[n] = '\0';
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int hi = v[i] == '%' && i + 2 < n ? hexval(v[i + 1]) : -1;
        int lo = hi >= 0 ? hexval(v[i + 2]) : -1;
        if (hi >= 0 && lo >= 0) {
            dec[k++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            dec[k++] = v[i];
        }
    }
    dec[k] = '\0';
    blank_all(msg, raw, n);
    if (k && strlen(dec) == k && strcmp(dec, raw)) blank_all(msg, dec, k);
    free(raw);
    free(dec);
}

/* The password of a URL ("scheme://user:PASSWORD@host..."), found by
 * position alone — no decoding, no validation — so a URL libpq cannot
 * parse (a '%' not followed by hex, a broken IPv6 host) still has it:
 * what follows the first ':' after "://" up to the last '@'. Returns its
 * length (0: none) and sets *start. */
static size_t url_password(const char *ci, const char **start)
{
    const char *p = strstr(ci, "://");
    if (!p) return 0;
    p += 3;
    const char *at = strrchr(p, '@');
    if (!at) return 0;
    const char *colon = memchr(p, ':', (size_t)(at - p));
    if (!colon) return 0;
    *start = colon + 1;
    return (size_t)(at - colon - 1);
}

/* Blanks in msg every "password = value" of a key/value conninfo (the
 * value bare, up to white space, or single-quoted with \ escapes), and
 * every "password=value" of a URL's query. */
static void kv_passwords(const char *ci, char *msg)
{
    int url = strstr(ci, "://") != NULL;
    for (const char *p = ci; (p = strstr(p, "password")); p += 8) {
        if (p > ci && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
            continue;                                /* e.g. "sslpassword" */
        const char *q = p + 8;
        while (isspace((unsigned char)*q)) q++;
        if (*q != '=') continue;
        q++;
        while (isspace((unsigned char)*q)) q++;
        const char *v = q;
        if (*q == '\'') {
            v = ++q;
            while (*q && *q != '\'') q += (*q == '\\' && q[1]) ? 2 : 1;
        } else {
            /* In a URL's query ("?password=...&..."), '&' and '#' end it. */
            while (*q && !isspace((unsigned char)*q) &&
                   !(url && (*q == '&' || *q == '#'))) q++;
        }
        blank_value(msg, v, (size_t)(q - v));
    }
}

int store_has_password(const char *conninfo)
{
    const char *pw = NULL;
    if (url_password(conninfo, &pw) > 0) return 1;
    char *msg = NULL;
    PQconninfoOption *o = PQconninfoParse(conninfo, &msg);
    int has = 0;
    if (o) {
        for (PQconninfoOption *p = o; p->keyword; p++)
            if (!strcmp(p->keyword, "password") && p->val && *p->val) has = 1;
        PQconninfoFree(o);
    } else if (!strstr(conninfo, "://") && strstr(conninfo, "password")) {
        has = 1;              /* unparsable key/value text naming one */
    }
    PQfreemem(msg);
    return has;
}

void store_mask(const char *conninfo, char *msg)
{
    if (!conninfo || !msg) return;
    /* The whole connection string first (libpq echoes it in some parse
     * errors), then the password found by position, in key/value form,
     * and as libpq parsed it when it could. */
    if (strstr(conninfo, "://") || strchr(conninfo, '='))   /* not a bare name */
        blank_all(msg, conninfo, strlen(conninfo));
    const char *pw = NULL;
    size_t n = url_password(conninfo, &pw);
    if (n) blank_value(msg, pw, n);
    kv_passwords(conninfo, msg);
    char *perr = NULL;
    PQconninfoOption *o = PQconninfoParse(conninfo, &perr);
    PQfreemem(perr);
    if (!o) return;
    for (PQconninfoOption *p = o; p->keyword; p++)
        if (!strcmp(p->keyword, "password") && p->val && *p->val)
            blank_all(msg, p->val, strlen(p->val));
    PQconninfoFree(o);
}

/* Server notices (a shutdown warning, "already exists, skipping") are not
 * printed: libpq's default would write them to stderr unmasked, and the
 * error that matters is reported on its own line. */
static void quiet_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* An open connection: libpq's, behind a name of herd's, so that no libpq
 * type leaves this file. */
struct store {
    PGconn *pg;
};

struct store *store_connect(const char *conninfo, char *err, size_t errlen)
{
    /* Later keywords win, so the user's own settings override these. */
    const char *keys[] = {"connect_timeout", "application_name", "dbname", NULL};
    const char *vals[] = {"10", "herd", conninfo, NULL};
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    if (!c || PQstatus(c) != CONNECTION_OK) {
        set_err(err, errlen, "cannot connect to the database", c, NULL);
        store_mask(conninfo, err);
        PQfinish(c);
        return NULL;
    }
    PQsetNoticeProcessor(c, quiet_notice, NULL);
    PGresult *r = PQexec(c, "SET client_min_messages = warning");
    PQclear(r);
    struct store *s = xcalloc(1, sizeof *s);
    s->pg = c;
    return s;
}

void store_close(struct store *s)
{
    if (!s) return;
    PQfinish(s->pg);
    free(s);
}

/* Runs a statement without parameters; returns 0 or -1 (err set). */
static int exec0(PGconn *c, const char *sql, const char *what, char *err,
                 size_t errlen)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok) set_err(err, errlen, what, c, r);
    PQclear(r);
    return ok ? 0 : -1;
}

static void rollback(PGconn *c)
{
    PQclear(PQexec(c, "ROLLBACK"));
}

static int migrate_tx(PGconn *c, int *applied, char *err, size_t errlen)
{
    *applied = 0;
    char sql[256];
    if (exec0(c, "BEGIN", "migrate", err, errlen) < 0) return -1;
    snprintf(sql, sizeof sql, "SELECT pg_advisory_xact_lock(%lld)",
             STORE_MIGRATE_LOCK);
    if (exec0(c, sql, "migrate: lock", err, errlen) < 0 ||
        exec0(c, "CREATE SCHEMA IF NOT EXISTS analytics", "migrate", err,
              errlen) < 0 ||
        exec0(c, "CREATE TABLE IF NOT EXISTS analytics.herd_migrations ("
              "version integer PRIMARY KEY, name text NOT NULL, "
              "applied_at timestamptz NOT NULL DEFAULT now())",
              "migrate", err, errlen) < 0) {
        rollback(c);
        return -1;
    }
    for (int i = 0; i < store_nmigrations; i++) {
        const struct store_migration *m = &store_migrations[i];
        char v[16];
        snprintf(v, sizeof v, "%d", m->version);
        const char *p[1] = {v};
        PGresult *r = PQexecParams(c, "SELECT 1 FROM analytics.herd_migrations "
                                   "WHERE version = $1", 1, NULL, p, NULL,
                                   NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            set_err(err, errlen, "migrate", c, r);
            PQclear(r);
            rollback(c);
            return -1;
        }
        int done = PQntuples(r) > 0;
        PQclear(r);
        if (done) continue;
        char what[128];
        snprintf(what, sizeof what, "migrate: %s", m->name);
        if (exec0(c, m->sql, what, err, errlen) < 0) {
            rollback(c);
            return -1;
        }
        const char *p2[2] = {v, m->name};
        r = PQexecParams(c, "INSERT INTO analytics.herd_migrations (version, "
                         "name) VALUES ($1, $2)", 2, NULL, p2, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            set_err(err, errlen, what, c, r);
            PQclear(r);
            rollback(c);
            return -1;
        }
        PQclear(r);
        (*applied)++;
    }
    return exec0(c, "COMMIT", "migrate: commit", err, errlen);
}

int store_migrate(struct store *s, int *applied, char *err, size_t errlen)
{
    PGconn *c = s->pg;
    last_state[0] = '\0';
    int rc = migrate_tx(c, applied, err, errlen);
    if (rc < 0 && !strcmp(last_state, "42501"))       /* insufficient_privilege */
        add_hint(err, errlen, "herd db migrate creates and alters the schema "
                 "analytics and its tables: run it as their owner (the role "
                 "that created analytics.load_testing, e.g. the old "
                 "system's) or a superuser; save, compare and report need "
                 "only the grants in the README");
    return rc;
}

/* ---- the values of a run row ------------------------------------------ */

void store_legacy_values(const struct result *r, struct store_legacy *out)
{
    memset(out, 0, sizeof *out);
    struct stats_tx t;
    double mean, sd;
    int64_t max;
    /* The old columns keep the old meaning: every sample, successful and
     * failed together (the two sides combined exactly), so a week's row
     * compares with the rows the old system wrote. */
    stats_tx_sum(r->stats, STATS_REQUEST, "web", &t);
    stats_tx_all_moments(&t, &mean, &max, &sd);
    out->avg_web = mean / 1e6;
    out->max_web = (double)max / 1e6;
    out->std_web = sd / 1e6;
    stats_tx_clear(&t);
    stats_tx_sum(r->stats, STATS_FLOW, "container", &t);
    /* A plan without a poll step has no container time: 0, count 0. */
    out->container_count = t.count;
    stats_tx_all_moments(&t, &mean, &max, &sd);
    out->avg_container = mean / 1e6;
    out->max_container = (double)max / 1e6;
    out->std_container = sd / 1e6;
    stats_tx_clear(&t);
    /* Closed model: the planned users; open model (or anything else): the
     * most users seen active at once. */
    const cJSON *u = r->settings ?
        cJSON_GetObjectItemCaseSensitive(r->settings, "users") : NULL;
    if (cJSON_IsNumber(u) && u->valuedouble > 0) {
        out->num_users = (int)u->valuedouble;
    } else {
        for (int i = 0; i < r->stats->nsec; i++)
            if (r->stats->sec[i].active_users > out->num_users)
                out->num_users = (int)r->stats->sec[i].active_users;
    }
}

/* Parameters are text; these hold their storage until the statement runs. */
struct params {
    const char *v[64];
    char *own[64];
    int n;
};

static void p_str(struct params *p, const char *s)
{
    p->own[p->n] = NULL;
    p->v[p->n++] = s;
}

static void p_fmt(struct params *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void p_fmt(struct params *p, const char *fmt, ...)
{
    struct buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    p->own[p->n] = buf_steal(&b);
    p->v[p->n] = p->own[p->n];
    p->n++;
}

/* Seconds from microseconds, with microsecond precision. */
static void p_secs(struct params *p, double us)
{
    p_fmt(p, "%.6f", us / 1e6);
}

static void p_time(struct params *p, int64_t unix_ms)
{
    p_fmt(p, "%.3f", (double)unix_ms / 1e3);
}

static void p_clear(struct params *p)
{
    for (int i = 0; i < p->n; i++) free(p->own[i]);
    p->n = 0;
}

static PGresult *run(PGconn *c, const char *sql, struct params *p)
{
    PGresult *r = PQexecParams(c, sql, p->n, NULL, p->v, NULL, NULL, 0);
    p_clear(p);
    return r;
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

/* p50..p999 of the successful samples; NULL when there were none. */
static int pct_row(struct params *p, const struct stats_tx *t)
{
    static const double ps[] = {STATS_PCTS};
    for (size_t i = 0; i < sizeof ps / sizeof *ps; i++) {
        if (stats_tx_ok(t)) p_secs(p, (double)hist_percentile(t->hist, ps[i]));
        else p_str(p, NULL);
    }
    return 0;
}

/* The run's verdict as stored in analytics.load_testing.verdict (see
 * sql/005_verdict.sql), in result_failures' order of precedence. */
const char *store_verdict(const struct result *r)
{
    if (r->interrupted) return "interrupted";
    if (r->shards_failed > 0) return "shards_failed";
    if (cJSON_GetArraySize(r->setup_errors) > 0) return "setup_failed";
    if (result_no_success(r)) return "no_success";
    if (result_incomplete(r)) return "truncated";
    if (!result_thresholds_passed(r)) return "thresholds_failed";
    return "passed";
}

/* Inserts the run row unless its run id is there. Returns 1 inserted, 0
 * already there (nothing written), -1 error (err set). */
static int insert_run(PGconn *c, const struct result *r, const char *json,
                      const char *hash, char *err, size_t errlen)
{
    struct params p = {0};
    struct store_legacy L;
    store_legacy_values(r, &L);
    const struct stats *s = r->stats;
    struct stats_tx web, cont;
    stats_tx_sum(s, STATS_REQUEST, "web", &web);
    stats_tx_sum(s, STATS_FLOW, "container", &cont);
    double secs = (double)(r->finished_unix_ms - r->started_unix_ms) / 1e3;
    int passed = result_thresholds_passed(r);

    p_str(&p, r->run_id);
    p_fmt(&p, "%d", L.num_users);
    p_fmt(&p, "%.6f", L.avg_container);
    p_fmt(&p, "%.6f", L.max_container);
    p_fmt(&p, "%.6f", L.std_container);
    p_fmt(&p, "%.6f", L.avg_web);
    p_fmt(&p, "%.6f", L.max_web);
    p_fmt(&p, "%.6f", L.std_web);
    p_str(&p, r->plan_name);
    p_time(&p, r->started_unix_ms);
    p_time(&p, r->finished_unix_ms);
    p_str(&p, r->mode);
    p_str(&p, r->target);
    p_str(&p, r->git_commit);
    p_str(&p, HERD_VERSION);
    p_fmt(&p, "%d", r->shards_total);
    p_fmt(&p, "%d", r->shards_ok);
    p_fmt(&p, "%d", r->shards_failed);
    p_fmt(&p, "%d", r->shards_truncated);
    p_fmt(&p, "%lld", (long long)s->iter_started);
    p_fmt(&p, "%lld", (long long)s->iter_succeeded);
    p_fmt(&p, "%lld", (long long)s->iter_failed);
    p_fmt(&p, "%lld", (long long)s->iter_interrupted);
    p_fmt(&p, "%lld", (long long)s->iter_dropped);
    p_fmt(&p, "%lld", (long long)web.count);
    p_fmt(&p, "%lld", (long long)web.errors);
    p_fmt(&p, "%.6f", web.count ? (double)web.errors / (double)web.count : 0);
    p_fmt(&p, "%.3f", secs > 0 ? (double)web.count / secs : 0);
    if (stats_tx_ok(&web)) p_secs(&p, (double)web.min_us); else p_str(&p, NULL);
    pct_row(&p, &web);
    p_fmt(&p, "%lld", (long long)cont.count);
    if (stats_tx_ok(&cont)) p_secs(&p, (double)cont.min_us); else p_str(&p, NULL);
    pct_row(&p, &cont);
    p_str(&p, r->interrupted ? "true" : "false");
    p_str(&p, cJSON_GetArraySize(r->thresholds) ? (passed ? "true" : "false") : NULL);
    p_str(&p, json);
    p_str(&p, hash);
    p_str(&p, store_verdict(r));
    stats_tx_clear(&web);
    stats_tx_clear(&cont);

    PGresult *res = run(c,
        "INSERT INTO analytics.load_testing (run_id, num_users, "
        "avg_container_time, max_container_time, std_container_time, "
        "avg_web_time, max_web_time, std_web_time, plan_name, started_at, "
        "finished_at, mode, target, git_commit, herd_version, shards_total, "
        "shards_ok, shards_failed, shards_truncated, iterations_started, "
        "iterations_succeeded, iterations_failed, iterations_interrupted, "
        "iterations_dropped, requests, errors, error_rate, throughput_rps, "
        "min_web_time, p50_web_time, p90_web_time, p95_web_time, "
        "p99_web_time, p999_web_time, container_count, min_container_time, "
        "p50_container_time, p90_container_time, p95_container_time, "
        "p99_container_time, p999_container_time, interrupted, "
        "thresholds_passed, result, result_hash, verdict) VALUES ($1, $2, $3, $4, $5, "
        "$6, $7, $8, $9, to_timestamp($10), to_timestamp($11), $12, $13, $14, "
        "$15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, "
        "$29, $30, $31, $32, $33, $34, $35, $36, $37, $38, $39, $40, $41, "
        "$42, $43, $44::jsonb, $45, $46) ON CONFLICT (run_id) DO NOTHING", &p);
    /* ON CONFLICT DO NOTHING needs only INSERT (DO UPDATE and SELECT ...
     * FOR UPDATE need UPDATE): the documented grants are enough. A
     * concurrent save of the same run id waits here for the other to end,
     * then inserts nothing. */
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    int rc = ok ? (strcmp(PQcmdTuples(res), "0") ? 1 : 0) : -1;
    if (!ok) set_err(err, errlen, "save", c, res);
    PQclear(res);
    return rc;
}

/* The phase and byte columns (migration 006): NULL for a flow, and a
 * phase's mean NULL when no request went through it. */
static void p_phases(struct params *p, const struct stats_tx *t)
{
    if (t->kind != STATS_REQUEST) {
        for (int i = 0; i < 10; i++) p_str(p, NULL);
        return;
    }
    p_fmt(p, "%lld", (long long)t->sent_bytes);
    p_fmt(p, "%lld", (long long)t->received_bytes);
    p_fmt(p, "%lld", (long long)t->phase[STATS_PH_CONNECT].count);
    static const int order[] = {STATS_PH_DNS, STATS_PH_CONNECT, STATS_PH_TLS,
                                STATS_PH_WAIT, -1, STATS_PH_TRANSFER};
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        const struct stats_phase *ph =
            &t->phase[order[i] < 0 ? STATS_PH_WAIT : order[i]];
        if (!ph->count) p_str(p, NULL);
        else if (order[i] < 0) p_secs(p, (double)hist_percentile(ph->hist, 95));
        else p_secs(p, stats_phase_mean_us(ph));
    }
    cJSON *o = cJSON_CreateObject();
    result_phases_json(o, t, 0);
    char *j = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(o, "phases"));
    p_fmt(p, "%s", j ? j : "{}");
    cJSON_free(j);
    cJSON_Delete(o);
}

static int insert_tx(PGconn *c, const struct result *r,
                     const struct stats_tx *t, char *err, size_t errlen)
{
    struct params p = {0};
    double secs = (double)(r->finished_unix_ms - r->started_unix_ms) / 1e3;
    const char *kind = t->kind == STATS_FLOW ? "flow" : "request";
    char *h = hist_encode(t->hist), *fh = hist_encode(t->fail_hist);
    int have_ok = stats_tx_ok(t) > 0, have_failed = t->failed > 0;
    p_str(&p, r->run_id);
    p_str(&p, t->name);
    p_str(&p, kind);
    p_str(&p, r->plan_name);
    p_time(&p, r->started_unix_ms);
    p_fmt(&p, "%lld", (long long)t->count);
    p_fmt(&p, "%lld", (long long)t->errors);
    p_fmt(&p, "%.6f", t->count ? (double)t->errors / (double)t->count : 0);
    p_fmt(&p, "%.3f", secs > 0 ? (double)t->count / secs : 0);
    /* Latencies: successful samples, NULL when there were none (0 would
     * read as fast); the failed side in its own columns (migration 004). */
    if (have_ok) {
        p_secs(&p, (double)t->min_us);
        p_secs(&p, t->mean_us);
        p_secs(&p, stats_tx_stddev(t));
        p_secs(&p, (double)t->max_us);
    } else {
        for (int i = 0; i < 4; i++) p_str(&p, NULL);
    }
    pct_row(&p, t);
    p_str(&p, h);
    p_fmt(&p, "%lld", (long long)stats_tx_ok(t));
    p_fmt(&p, "%lld", (long long)t->failed);
    if (have_failed) {
        p_secs(&p, (double)t->fail_min_us);
        p_secs(&p, t->fail_mean_us);
        p_secs(&p, (double)t->fail_max_us);
        p_secs(&p, (double)hist_percentile(t->fail_hist, 50));
        p_secs(&p, (double)hist_percentile(t->fail_hist, 95));
        p_secs(&p, (double)hist_percentile(t->fail_hist, 99));
    } else {
        for (int i = 0; i < 6; i++) p_str(&p, NULL);
    }
    p_str(&p, fh);
    p_phases(&p, t);
    PGresult *res = run(c,
        "INSERT INTO analytics.load_testing_transactions (run_id, name, kind, "
        "plan_name, started_at, count, errors, error_rate, rate_per_s, "
        "min_time, mean_time, stddev_time, max_time, p50_time, p90_time, "
        "p95_time, p99_time, p999_time, histogram, ok, failed, "
        "failed_min_time, failed_mean_time, failed_max_time, failed_p50_time, "
        "failed_p95_time, failed_p99_time, failed_histogram, sent_bytes, "
        "received_bytes, connections, dns_mean_time, connect_mean_time, "
        "tls_mean_time, wait_mean_time, wait_p95_time, transfer_mean_time, "
        "phases) VALUES ($1, $2, "
        "$3, $4, to_timestamp($5), $6, $7, $8, $9, $10, $11, $12, $13, $14, "
        "$15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, "
        "$28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38::jsonb)", &p);
    free(h);
    free(fh);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok) set_err(err, errlen, "save transaction", c, res);
    PQclear(res);
    if (!ok) return -1;
    const char *sql = "INSERT INTO analytics.load_testing_errors (run_id, "
                      "name, kind, what, key, count) VALUES ($1, $2, $3, $4, "
                      "$5, $6)";
    for (int i = 0; i < t->nerrs + STATS_MAX_STATUS && ok; i++) {
        int is_err = i < t->nerrs;
        int code = i - t->nerrs;
        if (!is_err && !t->status[code]) continue;
        p_str(&p, r->run_id);
        p_str(&p, t->name);
        p_str(&p, kind);
        p_str(&p, is_err ? "error" : "status");
        if (is_err) p_str(&p, t->errs[i].key);
        else p_fmt(&p, "%d", code);
        p_fmt(&p, "%lld", (long long)(is_err ? t->errs[i].count : t->status[code]));
        res = run(c, sql, &p);
        ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        if (!ok) set_err(err, errlen, "save errors", c, res);
        PQclear(res);
    }
    return ok ? 0 : -1;
}

/* json with the value of its "herd_version" key replaced by version. The
 * key is the document's first "herd_version" (a string value containing
 * those characters has its quotes escaped). */
static char *with_version(const char *json, const char *version)
{
    const char *k = strstr(json, "\"herd_version\"");
    const char *v = k ? k + strlen("\"herd_version\"") : NULL;
    while (v && (*v == ':' || isspace((unsigned char)*v))) v++;
    const char *e = v && *v == '"' ? strchr(v + 1, '"') : NULL;
    if (!e) return xstrdup(json);
    struct buf b = {0};
    buf_printf(&b, "%.*s\"%s%s", (int)(v - json), json, version, e);
    return buf_steal(&b);
}

static void hash_of(const char *json, const char *version, char out[32])
{
    char *j = with_version(json, version);
    snprintf(out, 32, "%016llx", (unsigned long long)fnv1a(j));
    free(j);
}

void store_result_hash(const char *json, char out[32])
{
    /* herd's version is left out: re-saving the same measurements after
     * an upgrade is the same result (the version is stored beside it). */
    hash_of(json, "", out);
}

/* Compares the stored row of run_id with ours (a plain SELECT: the
 * documented grants). Returns 1 same result, 2 different, 0 absent, -1
 * error. A row saved before the hash left herd_version out matches when
 * its hash is ours with its own stored version put back. */
static int existing(PGconn *c, const char *run_id, const char *json,
                    const char *hash, char *err, size_t errlen)
{
    const char *p[1] = {run_id};
    PGresult *res = PQexecParams(c, "SELECT result_hash, herd_version FROM "
                                 "analytics.load_testing WHERE run_id = $1",
                                 1, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        set_err(err, errlen, "save", c, res);
        PQclear(res);
        return -1;
    }
    int rc = 0;
    if (PQntuples(res) > 0) {
        rc = 2;
        const char *h = PQgetisnull(res, 0, 0) ? NULL : PQgetvalue(res, 0, 0);
        if (h && !strcmp(h, hash)) rc = 1;
        if (h && rc == 2 && !PQgetisnull(res, 0, 1)) {
            char old[32];
            hash_of(json, PQgetvalue(res, 0, 1), old);
            if (!strcmp(h, old)) rc = 1;
        }
    }
    PQclear(res);
    return rc;
}

enum store_saved store_save(struct store *s, const struct result *r,
                            char *err, size_t errlen)
{
    PGconn *c = s->pg;
    if (!r->run_id || !*r->run_id) {
        snprintf(err, errlen, "save: the result has no run id");
        return STORE_FAILED;
    }
    char *json = result_to_json(r);
    char hash[32];
    store_result_hash(json, hash);
    enum store_saved out = STORE_FAILED;
    last_state[0] = '\0';
    for (int attempt = 0; attempt < 2; attempt++) {
        if (exec0(c, "BEGIN", "save", err, errlen) < 0) break;
        int rc = insert_run(c, r, json, hash, err, errlen);
        for (int i = 0; rc == 1 && i < r->stats->ntx; i++)
            if (insert_tx(c, r, &r->stats->tx[i], err, errlen) < 0) rc = -1;
        if (rc == 1) {
            if (exec0(c, "COMMIT", "save: commit", err, errlen) == 0) {
                out = STORE_SAVED;
                break;
            }
            rc = -1;
        }
        /* 23505 unique_violation: a concurrent save won a race the
         * ON CONFLICT did not cover; look again. Decided on the SQLSTATE,
         * never on the (translated) message. */
        int raced = rc < 0 && !strcmp(last_state, "23505");
        rollback(c);
        if (rc < 0 && !raced) break;
        int ex = existing(c, r->run_id, json, hash, err, errlen);
        if (ex < 0) break;
        if (ex == 1) { out = STORE_ALREADY; break; }
        if (ex == 2) {
            out = STORE_CONFLICT;
            snprintf(err, errlen, "run id \"%s\" is already saved with a "
                     "different result; use another --run-id", r->run_id);
            break;
        }
        /* ex == 0: the other save rolled back; try once more. */
    }
    if (out == STORE_FAILED && !strcmp(last_state, "42501"))
        add_hint(err, errlen, "the role needs USAGE on the schema analytics "
                 "and SELECT, INSERT on analytics.load_testing, "
                 "load_testing_transactions and load_testing_errors");
    free(json);
    return out;
}

struct result *store_load(struct store *s, const char *run_id, char *err,
                          size_t errlen)
{
    PGconn *c = s->pg;
    const char *p[1] = {run_id};
    PGresult *res = PQexecParams(c, "SELECT result::text FROM "
                                 "analytics.load_testing WHERE run_id = $1",
                                 1, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        set_err(err, errlen, "load run", c, res);
        PQclear(res);
        return NULL;
    }
    if (PQntuples(res) == 0 || PQgetisnull(res, 0, 0)) {
        snprintf(err, errlen, "run \"%s\" is not in the database%s", run_id,
                 PQntuples(res) ? " as a herd result (an old-system row)" : "");
        PQclear(res);
        return NULL;
    }
    char rerr[256];
    struct result *r = result_from_json(PQgetvalue(res, 0, 0), rerr, sizeof rerr);
    if (!r) snprintf(err, errlen, "run \"%s\": stored result: %s", run_id, rerr);
    PQclear(res);
    return r;
}

int store_recent_runs_ex(struct store *s, const char *plan,
                         const char *before_run_id, int n,
                         enum store_runs which, char **ids, char *err,
                         size_t errlen)
{
    PGconn *c = s->pg;
    char lim[16];
    snprintf(lim, sizeof lim, "%d", n);
    const char *p[4] = {plan, before_run_id, lim,
                        which == STORE_RUNS_COMPLETE ? "t" : "f"};
    PGresult *res = PQexecParams(c,
        "SELECT run_id FROM analytics.load_testing "
        "WHERE plan_name = $1 AND result IS NOT NULL AND ($2::text IS NULL OR "
        "(run_id <> $2 AND started_at < coalesce((SELECT started_at FROM "
        "analytics.load_testing WHERE run_id = $2), 'infinity'))) "
        "AND (NOT $4::boolean OR verdict IN ('passed', 'thresholds_failed')) "
        "ORDER BY started_at DESC LIMIT $3", 4, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        set_err(err, errlen, "recent runs", c, res);
        PQclear(res);
        return -1;
    }
    int got = PQntuples(res);
    for (int i = 0; i < got; i++) ids[i] = xstrdup(PQgetvalue(res, i, 0));
    PQclear(res);
    return got;
}

int store_recent_runs(struct store *s, const char *plan,
                      const char *before_run_id, int n, char **ids, char *err,
                      size_t errlen)
{
    return store_recent_runs_ex(s, plan, before_run_id, n,
                                before_run_id ? STORE_RUNS_COMPLETE :
                                STORE_RUNS_ALL, ids, err, errlen);
}

/* ---- what the commands share -------------------------------------------- */

const char *store_conninfo(const char *flag)
{
    if (flag) {
        if (store_has_password(flag)) {
            fprintf(stderr, "herd: --db: the connection string has a "
                    "password; put it in DATABASE_URL or PGPASSWORD instead "
                    "(command lines are visible to every user)\n");
            return NULL;
        }
        return flag;
    }
    const char *env = getenv("DATABASE_URL");
    if (env && *env) return env;
    fprintf(stderr, "herd: no database: set DATABASE_URL (e.g. "
            "postgresql://user@host/db, password in PGPASSWORD)\n");
    return NULL;
}

struct store *store_open(const char *conninfo)
{
    char err[600];
    struct store *s = store_connect(conninfo, err, sizeof err);
    if (!s) fprintf(stderr, "herd: %s\n", err);
    return s;
}

int store_save_run(const char *conninfo, const struct result *r,
                   const char *file, char *why, size_t whylen)
{
    char cerr[600];
    struct store *s = store_connect(conninfo, cerr, sizeof cerr);
    if (!s) {
        fprintf(stderr, "herd: %s\n", cerr);
        if (why) snprintf(why, whylen, "%s", cerr);
        if (file) fprintf(stderr, "herd: the result is kept in %s; retry with: "
                          "herd save %s\n", file, file);
        return -1;
    }
    char err[600];
    enum store_saved rc = store_save(s, r, err, sizeof err);
    store_mask(conninfo, err);
    store_close(s);
    switch (rc) {
    case STORE_SAVED:
        fprintf(stderr, "saved run %s (%d transactions) to the database\n",
                r->run_id, r->stats->ntx);
        return 0;
    case STORE_ALREADY:
        fprintf(stderr, "run %s is already saved with this result; nothing "
                "changed\n", r->run_id);
        return 0;
    case STORE_CONFLICT:
        fprintf(stderr, "herd: %s\n", err);
        if (why) snprintf(why, whylen, "%s", err);
        return -1;
    default:
        if (why) snprintf(why, whylen, "%s", err);
        fprintf(stderr, "herd: %s%s\n", err, strstr(err, "does not exist") ?
                " (run `herd db migrate` first?)" : "");
        if (file) fprintf(stderr, "herd: the result is kept in %s; retry with: "
                          "herd save %s\n", file, file);
        return -1;
    }
}

int store_migrate_url(const char *conninfo, int *applied)
{
    struct store *s = store_open(conninfo);
    if (!s) return -1;
    char err[600];
    int rc = store_migrate(s, applied, err, sizeof err);
    store_mask(conninfo, err);
    store_close(s);
    if (rc < 0) fprintf(stderr, "herd: %s\n", err);
    return rc;
}

int store_save_file(const char *conninfo, const char *file,
                    const char *run_id)
{
    /* A corrupt or truncated file is refused before anything is written. */
    char err[512];
    struct result *r = result_read(file, err, sizeof err);
    if (!r) {
        fprintf(stderr, "herd: %s: %s\n", file, err);
        return -1;
    }
    if (run_id) {
        free(r->run_id);
        r->run_id = xstrdup(run_id);
    }
    int rc = store_save_run(conninfo, r, NULL, NULL, 0) < 0 ? -2 : 0;
    result_free(r);
    return rc;
}
