/* report.c — the text report and CSV table; see report.h.
 *
 * Latency columns are of successful samples only; count, errors, err% and
 * rate of every sample. A transaction with failed samples gets a second
 * line with their own latencies, so a fast refusal or a poll that timed
 * out never hides in the successful percentiles and is still seen. */
#include "report.h"
#include "buf.h"
#include "thresh.h"
#include "units.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const double pcts[] = {STATS_PCTS};

/* Timers firing this late at p99 mean the generator, not the server, set
 * the pace: the report says so. */
#define REPORT_LATE_US 10000

static const char *dur(char *b, size_t n, double us)
{
    return units_format_duration(b, n, us);
}

static void row(FILE *f, const struct stats_tx *t, double secs, int width)
{
    char b[8][32];
    double err = t->count ? 100.0 * (double)t->errors / (double)t->count : 0;
    fprintf(f, "%-*.*s %8lld %7lld %6.2f %8.1f", width, width, t->name,
            (long long)t->count, (long long)t->errors, err,
            secs > 0 ? (double)t->count / secs : 0.0);
    if (!t->count) {
        fprintf(f, "  (no samples)\n");
        return;
    }
    if (!stats_tx_ok(t)) {
        fprintf(f, "  (no successful samples)\n");
    } else {
        fprintf(f, " %8s %8s %8s", dur(b[0], 32, (double)t->min_us),
                dur(b[1], 32, t->mean_us), dur(b[2], 32, stats_tx_stddev(t)));
        for (size_t i = 0; i < sizeof pcts / sizeof *pcts; i++)
            fprintf(f, " %8s", dur(b[3], 32,
                                   (double)hist_percentile(t->hist, pcts[i])));
        fprintf(f, " %8s\n", dur(b[4], 32, (double)t->max_us));
    }
    if (!t->failed) return;
    /* The failed side, under the columns it shares with the row above. */
    char head[64];
    snprintf(head, sizeof head, "  failed: %lld", (long long)t->failed);
    fprintf(f, "%-*s %8s %7s %6s %8s %8s %8s %8s", width, head, "", "", "", "",
            dur(b[0], 32, (double)t->fail_min_us),
            dur(b[1], 32, t->fail_mean_us),
            dur(b[2], 32, stats_tx_fail_stddev(t)));
    for (size_t i = 0; i < sizeof pcts / sizeof *pcts; i++)
        fprintf(f, " %8s", dur(b[3], 32,
                               (double)hist_percentile(t->fail_hist, pcts[i])));
    fprintf(f, " %8s\n", dur(b[4], 32, (double)t->fail_max_us));
}

/* What a threshold entry of r shows as its measured value: "measured" as
 * written, or why nothing was measured (older writers left it out). */
static const char *measured_text(const cJSON *t, const struct result *r,
                                 char *buf, size_t n)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(t, "measured");
    if (cJSON_IsString(m)) return m->valuestring;
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(t, "expr");
    struct thresh th;
    char err[160];
    const char *why = NULL;
    if (cJSON_IsString(ex) && thresh_parse(ex->valuestring, &th, err,
                                           sizeof err) == 0) {
        why = thresh_unmeasured(&th, r);
        thresh_clear(&th);
    }
    snprintf(buf, n, "%s", why ? why : "nothing measured");
    return buf;
}

const char *report_threshold_measured(const cJSON *t, const struct result *r,
                                      char *buf, size_t n)
{
    return measured_text(t, r, buf, n);
}

struct key_count { const char *key; int64_t count; };

static int by_count(const void *a, const void *b)
{
    const struct key_count *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return strcmp(x->key, y->key);
}

static double num(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* What was measured apart from the load (on_start, warm-up): its own
 * lines, after the load's, in text (md = 0) or Markdown (md = 1). */
static void apart(FILE *f, const struct result *r, int md)
{
    const struct result_user_setup *u = &r->user_setup;
    const char *lead = md ? "\n- " : "";
    if (u->users)
        fprintf(f, "%sper-user setup (on_start, not in the statistics): %lld "
                "users, %lld ok, %lld failed, %lld interrupted\n", lead,
                (long long)u->users, (long long)u->ok, (long long)u->failed,
                (long long)u->interrupted);
    if (!r->warmup) return;
    const cJSON *w = r->warmup;
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(w, "iterations");
    fprintf(f, "%swarm-up (not in the statistics or thresholds): %.0f user%s "
            "for %.0fs, iterations %.0f (succeeded %.0f, failed %.0f)\n", lead,
            num(w, "users"), num(w, "users") == 1 ? "" : "s",
            num(w, "duration_s"), num(it, "started"), num(it, "succeeded"),
            num(it, "failed"));
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(w, "transactions")) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(t, "name");
        char a[32], b[32];
        fprintf(f, "%s  %-28s %8.0f requests %6.0f errors  p50 %s  p95 %s\n",
                md ? "\n   " : "", cJSON_IsString(n) ? n->valuestring : "?",
                num(t, "count"), num(t, "errors"),
                dur(a, sizeof a, num(t, "p50_us")),
                dur(b, sizeof b, num(t, "p95_us")));
    }
}

void report_apart(FILE *f, const struct result *r)
{
    apart(f, r, 0);
}

/* Who, what and when: the first lines of the report. */
static void text_header(FILE *f, const struct result *r, double secs)
{
    const struct stats *s = r->stats;
    char when[40], d[32];
    time_t t0 = (time_t)(r->started_unix_ms / 1000);
    struct tm tm;
    gmtime_r(&t0, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    fprintf(f, "\nherd report: %s%s\n", r->plan_name ? r->plan_name : "(unnamed)",
            r->interrupted ? "  [INTERRUPTED]" : "");
    fprintf(f, "  run %s, %s mode, target %s\n", r->run_id ? r->run_id : "-",
            r->mode ? r->mode : "-", r->target ? r->target : "-");
    fprintf(f, "  started %s, ran %s", when, dur(d, sizeof d, secs * 1e6));
    if (r->shards_total > 1 || r->shards_failed || r->shards_truncated ||
        r->shards_late)
        fprintf(f, ", shards %d ok / %d failed / %d truncated of %d",
                r->shards_ok, r->shards_failed, r->shards_truncated,
                r->shards_total);
    if (r->git_commit) fprintf(f, ", commit %.12s", r->git_commit);
    fputc('\n', f);
    if (r->settings && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r->settings,
                                                                     "insecure")))
        fprintf(f, "  TLS verification was OFF (insecure: true)\n");
    char it[160];
    fprintf(f, "  %s\n\n", report_iterations(it, sizeof it, s));
}

/* The memory bound of the transactions' own timelines (stats.h
 * STATS_TX_TL_HISTS), when it cut any second. */
static void text_timeline_cut(FILE *f, const struct stats *s)
{
    int64_t cut = 0;
    for (int i = 0; i < s->ntx; i++) cut += stats_tx_tl_cut(&s->tx[i]);
    if (cut)
        fprintf(f, "  TIMELINE CUT: per-transaction latency per second is kept "
                "for %d transaction-\n  seconds (memory bound); %lld more have "
                "counts only (no p95 point)\n\n", STATS_TX_TL_HISTS,
                (long long)cut);
}

/* What makes the numbers below less than the plan: truncated or late
 * shards, and herd's own timers firing late. */
static void text_warnings(FILE *f, const struct result *r)
{
    const struct stats *s = r->stats;
    char d[32];
    /* A load that did not all run is said before its numbers. */
    if (r->shards_truncated)
        fprintf(f, "  TRUNCATED: %d of %d shard%s stopped before the planned "
                "end (the invocation\n  deadline came first): the load ran "
                "short of the plan\n\n", r->shards_truncated, r->shards_total,
                r->shards_total == 1 ? "" : "s");
    if (r->shards_late || cJSON_GetArraySize(r->late_shards)) {
        const cJSON *e;
        fprintf(f, "  LATE: %d shard part%s began after the planned start; "
                "what they missed is\n  counted as dropped (%lld dropped "
                "in all):\n", cJSON_GetArraySize(r->late_shards),
                cJSON_GetArraySize(r->late_shards) == 1 ? "" : "s",
                (long long)s->iter_dropped);
        cJSON_ArrayForEach(e, r->late_shards) {
            const cJSON *sh = cJSON_GetObjectItemCaseSensitive(e, "shard");
            const cJSON *pt = cJSON_GetObjectItemCaseSensitive(e, "part");
            const cJSON *ms = cJSON_GetObjectItemCaseSensitive(e, "late_ms");
            const cJSON *dr = cJSON_GetObjectItemCaseSensitive(e, "dropped");
            const cJSON *why = cJSON_GetObjectItemCaseSensitive(e, "reason");
            fprintf(f, "    shard %d part %d: +%s (%s), %lld dropped\n",
                    cJSON_IsNumber(sh) ? sh->valueint : -1,
                    cJSON_IsNumber(pt) ? pt->valueint : 0,
                    dur(d, sizeof d, cJSON_IsNumber(ms) ? ms->valuedouble * 1e3 : 0),
                    cJSON_IsString(why) ? why->valuestring : "late",
                    cJSON_IsNumber(dr) ? (long long)dr->valuedouble : 0LL);
        }
        fputc('\n', f);
    }
    int64_t late99 = s->timer_late ? hist_percentile(s->timer_late, 99) : 0;
    if (s->timer_late && s->timer_late->total) {
        /* herd's own delay in starting what it planned, always shown: it
         * is not in the latencies above the server's when it is small. */
        char p50[32], p99[32], mx[32];
        fprintf(f, "  herd's own timers (arrivals, think, polls, retries) "
                "fired late by p50 %s, p99 %s, max %s\n\n",
                dur(p50, sizeof p50, (double)hist_percentile(s->timer_late, 50)),
                dur(p99, sizeof p99, (double)late99),
                dur(mx, sizeof mx, (double)s->timer_late->max));
    }
    if (late99 > REPORT_LATE_US) {
        char p99[32], mx[32];
        fprintf(f, "  WARNING: herd was too busy: its timers fired late (p99 "
                "%s, max %s), so think\n  times and poll intervals ran longer "
                "than planned; use more --threads or shards\n\n",
                dur(p99, sizeof p99, (double)late99),
                dur(mx, sizeof mx, (double)s->timer_late->max));
    }

}

/* Width of the name column: fits "all flows (container time)" and every
 * name up to 48 characters. */
static int name_width(const struct stats *s)
{
    int width = 28;
    for (int i = 0; i < s->ntx; i++) {
        int l = (int)strlen(s->tx[i].name);
        if (l > width) width = l > 48 ? 48 : l;
    }
    return width;
}

/* The latency table: every transaction, then the all-requests and
 * all-flows rows. */
static void text_table(FILE *f, const struct stats *s, double secs, int width)
{
    fprintf(f, "latencies: successful samples only, failed ones on their own "
            "\"failed: N\" line;\ncount, errors, err%% and rate/s: every "
            "sample\n\n");
    fprintf(f, "%-*s %8s %7s %6s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s\n",
            width, "transaction", "count", "errors", "err%", "rate/s", "min",
            "mean", "stddev", "p50", "p90", "p95", "p99", "p99.9", "max");
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < s->ntx; i++)
            if ((int)s->tx[i].kind == k) row(f, &s->tx[i], secs, width);
    }
    struct stats_tx all;
    stats_tx_sum(s, STATS_REQUEST, "all requests (web time)", &all);
    fputc('\n', f);
    row(f, &all, secs, width);
    stats_tx_clear(&all);
    stats_tx_sum(s, STATS_FLOW, "all flows (container time)", &all);
    if (all.count) row(f, &all, secs, width);
    stats_tx_clear(&all);

}

const char *report_iterations(char *b, size_t n, const struct stats *s)
{
    snprintf(b, n, "iterations: started %lld = succeeded %lld + failed %lld + "
             "interrupted %lld (dropped %lld)",
             (long long)s->iter_started, (long long)s->iter_succeeded,
             (long long)s->iter_failed, (long long)s->iter_interrupted,
             (long long)s->iter_dropped);
    return b;
}

const char *report_bytes(char *b, size_t n, int64_t bytes)
{
    static const char *const unit[] = {"KiB", "MiB", "GiB", "TiB"};
    if (bytes < 1024) {
        snprintf(b, n, "%lld B", (long long)bytes);
        return b;
    }
    double v = (double)bytes / 1024;
    int u = 0;
    while (v >= 1024 && u < 3) v /= 1024, u++;
    snprintf(b, n, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v,
             unit[u]);
    return b;
}

/* A phase's mean, or "-" when no request went through it. */
static const char *phase_mean(char *b, size_t n, const struct stats_phase *ph)
{
    if (!ph->count) return "-";
    return dur(b, n, stats_phase_mean_us(ph));
}

static void phase_row(FILE *f, const struct stats_tx *t, int width)
{
    char b[STATS_PH__COUNT + 3][32];
    fprintf(f, "%-*.*s %8lld", width, width, t->name,
            (long long)t->phase[STATS_PH_CONNECT].count);
    for (int i = 0; i < STATS_PH__COUNT; i++)
        fprintf(f, " %8s", phase_mean(b[i], 32, &t->phase[i]));
    const struct stats_phase *w = &t->phase[STATS_PH_WAIT];
    fprintf(f, " %8s %10s %10s\n",
            w->count ? dur(b[5], 32, (double)hist_percentile(w->hist, 95)) : "-",
            report_bytes(b[6], 32, t->sent_bytes),
            report_bytes(b[7], 32, t->received_bytes));
}

/* Where the request time went (k6's http_req_connecting, tls_handshaking,
 * waiting, receiving) and the bytes on the wire, per request transaction. */
static void text_phases(FILE *f, const struct stats *s, int width)
{
    fprintf(f, "\nrequest phases, mean of the requests that went through "
            "each (every request, failed too);\nconns: new connections "
            "(dns, connect and tls are per new connection; a reused one "
            "skips them)\n\n");
    fprintf(f, "%-*s %8s %8s %8s %8s %8s %8s %8s %10s %10s\n", width,
            "transaction", "conns", "dns", "connect", "tls", "wait",
            "transfer", "wait p95", "sent", "received");
    for (int i = 0; i < s->ntx; i++)
        if (s->tx[i].kind == STATS_REQUEST) phase_row(f, &s->tx[i], width);
    struct stats_tx all;
    stats_tx_sum(s, STATS_REQUEST, "all requests", &all);
    fputc('\n', f);
    phase_row(f, &all, width);
    stats_tx_clear(&all);
}

/* Status codes and error kinds over every transaction. */
static void text_status_errors(FILE *f, const struct stats *s)
{
    int64_t status[STATS_MAX_STATUS] = {0};
    int nkeys = 0, cap = 0;
    struct key_count *keys = NULL;
    for (int i = 0; i < s->ntx; i++) {
        const struct stats_tx *t = &s->tx[i];
        if (t->kind == STATS_REQUEST)
            for (int c = 0; c < STATS_MAX_STATUS; c++) status[c] += t->status[c];
        for (int e = 0; e < t->nerrs; e++) {
            int j;
            for (j = 0; j < nkeys; j++)
                if (!strcmp(keys[j].key, t->errs[e].key)) break;
            if (j == nkeys) {
                if (nkeys == cap) {
                    cap = cap ? cap * 2 : 16;
                    keys = xrealloc(keys, (size_t)cap * sizeof *keys);
                }
                keys[nkeys].key = t->errs[e].key;
                keys[nkeys++].count = 0;
            }
            keys[j].count += t->errs[e].count;
        }
    }
    fprintf(f, "\nstatus codes:");
    int any = 0;
    for (int c = 0; c < STATS_MAX_STATUS; c++) {
        if (!status[c]) continue;
        if (c) fprintf(f, "  %d: %lld", c, (long long)status[c]);
        else fprintf(f, "  no response: %lld", (long long)status[c]);
        any = 1;
    }
    fprintf(f, "%s\n", any ? "" : "  -");
    if (nkeys) {
        qsort(keys, (size_t)nkeys, sizeof *keys, by_count);
        fprintf(f, "errors by kind:\n");
        for (int j = 0; j < nkeys; j++)
            fprintf(f, "  %8lld  %s\n", (long long)keys[j].count, keys[j].key);
    } else {
        fprintf(f, "errors by kind: none\n");
    }
    free(keys);
}

/* Thresholds, setup errors, failed shards and the verdict. */
static void text_verdict(FILE *f, const struct result *r)
{
    int n = cJSON_GetArraySize(r->thresholds);
    if (n) {
        fprintf(f, "thresholds:\n");
        const cJSON *t;
        cJSON_ArrayForEach(t, r->thresholds) {
            const cJSON *ex = cJSON_GetObjectItemCaseSensitive(t, "expr");
            const cJSON *val = cJSON_GetObjectItemCaseSensitive(t, "value");
            int ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "ok"));
            char why[64];
            const char *m = measured_text(t, r, why, sizeof why);
            fprintf(f, "  %s  %s", ok ? "PASS" : "FAIL",
                    cJSON_IsString(ex) ? ex->valuestring : "?");
            if (cJSON_IsNumber(val)) fprintf(f, "  (measured %s)", m);
            else fprintf(f, "  (%s)", m);
            fputc('\n', f);
        }
    }
    apart(f, r, 0);
    if (cJSON_GetArraySize(r->setup_errors)) {
        fprintf(f, "setup/teardown errors:\n");
        const cJSON *e;
        cJSON_ArrayForEach(e, r->setup_errors)
            if (cJSON_IsString(e)) fprintf(f, "  %s\n", e->valuestring);
    }
    const cJSON *fl;
    cJSON_ArrayForEach(fl, r->shard_failures) {
        const cJSON *sh = cJSON_GetObjectItemCaseSensitive(fl, "shard");
        const cJSON *why = cJSON_GetObjectItemCaseSensitive(fl, "reason");
        fprintf(f, "shard %d failed: %s\n", cJSON_IsNumber(sh) ? sh->valueint : -1,
                cJSON_IsString(why) ? why->valuestring : "?");
    }
    /* The verdict: every failure the result records, in the order of the
     * exit-code precedence (herd run adds I/O and database failures on
     * stderr). */
    cJSON *lines = cJSON_CreateArray();
    int nfail = result_failures(r, lines);
    if (!nfail) fprintf(f, "verdict: PASS\n");
    else {
        fprintf(f, "verdict: FAIL\n");
        const cJSON *l;
        cJSON_ArrayForEach(l, lines) fprintf(f, "  %s\n", l->valuestring);
    }
    cJSON_Delete(lines);
}

int report_text(FILE *f, const struct result *r)
{
    double secs = (double)(r->finished_unix_ms - r->started_unix_ms) / 1e3;
    int width = name_width(r->stats);
    text_header(f, r, secs);
    text_warnings(f, r);
    text_timeline_cut(f, r->stats);
    text_table(f, r->stats, secs, width);
    text_phases(f, r->stats, width);
    text_status_errors(f, r->stats);
    text_verdict(f, r);
    return ferror(f) ? -1 : 0;
}

static void csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n")) { fputs(s, f); return; }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* The CSV's phase and bytes columns of one transaction: connections,
 * then mean and p95 of each phase (ms), then bytes sent and received.
 * With header set, their names instead. */
static void csv_phases(FILE *f, const struct stats_tx *t, int header)
{
    if (header) {
        fprintf(f, ",connections");
        for (int k = 0; k < STATS_PH__COUNT; k++)
            fprintf(f, ",%s_mean_ms,%s_p95_ms", stats_phase_name(k),
                    stats_phase_name(k));
        fprintf(f, ",sent_bytes,received_bytes");
        return;
    }
    fprintf(f, ",%lld", (long long)t->phase[STATS_PH_CONNECT].count);
    for (int k = 0; k < STATS_PH__COUNT; k++)
        fprintf(f, ",%.3f,%.3f", stats_phase_mean_us(&t->phase[k]) / 1e3,
                t->phase[k].hist
                    ? (double)hist_percentile(t->phase[k].hist, 95) / 1e3 : 0.0);
    fprintf(f, ",%lld,%lld", (long long)t->sent_bytes,
            (long long)t->received_bytes);
}

int report_csv(FILE *f, const struct result *r)
{
    const struct stats *s = r->stats;
    double secs = (double)(r->finished_unix_ms - r->started_unix_ms) / 1e3;
    /* min..max: successful samples; failed_*: failed samples (columns
     * added at the end so readers of the older table keep working). */
    fprintf(f, "transaction,kind,count,errors,error_rate,rate_per_s,min_ms,"
            "mean_ms,stddev_ms,p50_ms,p90_ms,p95_ms,p99_ms,p999_ms,max_ms,"
            "ok,failed,failed_p50_ms,failed_p99_ms,failed_max_ms");
    csv_phases(f, NULL, 1);
    fputc('\n', f);
    for (int i = 0; i < s->ntx; i++) {
        const struct stats_tx *t = &s->tx[i];
        csv_field(f, t->name);
        fprintf(f, ",%s,%lld,%lld,%.6f,%.3f,%.3f,%.3f,%.3f",
                t->kind == STATS_FLOW ? "flow" : "request",
                (long long)t->count, (long long)t->errors,
                t->count ? (double)t->errors / (double)t->count : 0.0,
                secs > 0 ? (double)t->count / secs : 0.0,
                (double)t->min_us / 1e3, t->mean_us / 1e3,
                stats_tx_stddev(t) / 1e3);
        for (size_t p = 0; p < sizeof pcts / sizeof *pcts; p++)
            fprintf(f, ",%.3f", (double)hist_percentile(t->hist, pcts[p]) / 1e3);
        fprintf(f, ",%.3f", (double)t->max_us / 1e3);
        fprintf(f, ",%lld,%lld,%.3f,%.3f,%.3f", (long long)stats_tx_ok(t),
                (long long)t->failed,
                (double)hist_percentile(t->fail_hist, 50) / 1e3,
                (double)hist_percentile(t->fail_hist, 99) / 1e3,
                (double)t->fail_max_us / 1e3);
        csv_phases(f, t, 0);
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}

/* The job summary's phase table: request transactions that have phases. */
static void md_phases(FILE *f, const struct stats *s)
{
    int any = 0;
    for (int i = 0; i < s->ntx; i++) {
        const struct stats_tx *t = &s->tx[i];
        if (t->kind != STATS_REQUEST || !t->phase[STATS_PH_WAIT].count) continue;
        if (!any++)
            fprintf(f, "\nrequest phases (mean; dns, connect and tls per new "
                    "connection) and bytes\n\n| transaction | conns | dns | "
                    "connect | tls | wait | transfer | sent | received |\n"
                    "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        char b[STATS_PH__COUNT + 2][32];
        fprintf(f, "| %s | %lld", t->name,
                (long long)t->phase[STATS_PH_CONNECT].count);
        for (int k = 0; k < STATS_PH__COUNT; k++)
            fprintf(f, " | %s", phase_mean(b[k], 32, &t->phase[k]));
        fprintf(f, " | %s | %s |\n", report_bytes(b[5], 32, t->sent_bytes),
                report_bytes(b[6], 32, t->received_bytes));
    }
}

int report_markdown(FILE *f, const struct result *r)
{
    const struct stats *s = r->stats;
    double secs = (double)(r->finished_unix_ms - r->started_unix_ms) / 1e3;
    int passed = result_passed(r);
    const cJSON *t;
    char d[32];
    fprintf(f, "## herd: %s %s\n\n", r->plan_name ? r->plan_name : "run",
            passed ? "✅ passed" : "❌ failed");
    fprintf(f, "run `%s`, %s mode, %s, shards %d ok / %d failed / %d "
            "truncated of %d; iterations %lld (succeeded %lld, failed %lld, "
            "interrupted %lld, dropped %lld)\n\n", r->run_id ? r->run_id : "-",
            r->mode ? r->mode : "-", dur(d, sizeof d, secs * 1e6),
            r->shards_ok, r->shards_failed, r->shards_truncated, r->shards_total,
            (long long)s->iter_started, (long long)s->iter_succeeded,
            (long long)s->iter_failed, (long long)s->iter_interrupted,
            (long long)s->iter_dropped);
    fprintf(f, "p50 to max: successful samples; failed: the failed ones' "
            "p50 / p99\n\n");
    fprintf(f, "| transaction | count | errors | rate/s | p50 | p95 | p99 | max "
            "| failed |\n|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (int i = 0; i < s->ntx; i++) {
        const struct stats_tx *x = &s->tx[i];
        char a[32], b[32], c[32], m[32], fa[32], fb[32], fl[96] = "-";
        if (x->failed)
            snprintf(fl, sizeof fl, "%lld: %s / %s", (long long)x->failed,
                     dur(fa, sizeof fa, (double)hist_percentile(x->fail_hist, 50)),
                     dur(fb, sizeof fb, (double)hist_percentile(x->fail_hist, 99)));
        if (!stats_tx_ok(x)) {
            fprintf(f, "| %s%s | %lld | %lld | %.1f | - | - | - | - | %s |\n",
                    x->name, x->kind == STATS_FLOW ? " (flow)" : "",
                    (long long)x->count, (long long)x->errors,
                    secs > 0 ? (double)x->count / secs : 0, fl);
            continue;
        }
        fprintf(f, "| %s%s | %lld | %lld | %.1f | %s | %s | %s | %s | %s |\n",
                x->name, x->kind == STATS_FLOW ? " (flow)" : "",
                (long long)x->count, (long long)x->errors,
                secs > 0 ? (double)x->count / secs : 0,
                dur(a, sizeof a, (double)hist_percentile(x->hist, 50)),
                dur(b, sizeof b, (double)hist_percentile(x->hist, 95)),
                dur(c, sizeof c, (double)hist_percentile(x->hist, 99)),
                dur(m, sizeof m, (double)x->max_us), fl);
    }
    md_phases(f, s);
    if (cJSON_GetArraySize(r->thresholds)) {
        fprintf(f, "\n| threshold | measured | verdict |\n|---|---:|---|\n");
        cJSON_ArrayForEach(t, r->thresholds) {
            const cJSON *ex = cJSON_GetObjectItemCaseSensitive(t, "expr");
            char why[64];
            fprintf(f, "| %s | %s | %s |\n", cJSON_IsString(ex) ? ex->valuestring : "?",
                    measured_text(t, r, why, sizeof why),
                    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "ok")) ?
                    "pass" : "**FAIL**");
        }
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, r->shard_failures) {
        const cJSON *sh = cJSON_GetObjectItemCaseSensitive(e, "shard");
        const cJSON *why = cJSON_GetObjectItemCaseSensitive(e, "reason");
        fprintf(f, "\n- shard %d: %s", cJSON_IsNumber(sh) ? sh->valueint : -1,
                cJSON_IsString(why) ? why->valuestring : "?");
    }
    cJSON_ArrayForEach(e, r->setup_errors)
        fprintf(f, "\n- %s", cJSON_IsString(e) ? e->valuestring : "?");
    fputc('\n', f);
    apart(f, r, 1);
    return ferror(f) ? -1 : 0;
}
