/* html.c — self-contained HTML reports with inline SVG; see html.h.
 *
 * Charts are drawn by one function, chart(), from up to four series of
 * (x, y) points: axes with a few ticks, a polyline per series and a
 * legend. Everything else is tables. */
#include "html.h"
#include "buf.h"
#include "report.h"
#include "units.h"
#include "version.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHART_W 860
#define CHART_H 220
#define PAD_L 64
#define PAD_B 28
#define PAD_T 12
#define PAD_R 16

static const char *const colors[] = {"#2563eb", "#dc2626", "#16a34a", "#9333ea"};

static void esc(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

struct series {
    const char *name;
    const double *x, *y;
    int n;
};

/* y_kind: 0 = plain number, 1 = duration in us, 2 = percent (0..1). */
static void fmt_y(char *b, size_t n, double v, int y_kind)
{
    if (y_kind == 1) units_format_duration(b, n, v);
    else if (y_kind == 2) snprintf(b, n, "%.1f%%", v * 100);
    else if (v >= 1000) snprintf(b, n, "%.0f", v);
    else snprintf(b, n, "%.3g", v);
}

/* x values are Unix seconds; labelled as elapsed time or dates. */
static void chart(FILE *f, const char *title, const struct series *s, int ns,
                  int y_kind, int x_dates)
{
    double xmin = INFINITY, xmax = -INFINITY, ymax = 0;
    for (int k = 0; k < ns; k++)
        for (int i = 0; i < s[k].n; i++) {
            if (s[k].x[i] < xmin) xmin = s[k].x[i];
            if (s[k].x[i] > xmax) xmax = s[k].x[i];
            if (s[k].y[i] > ymax) ymax = s[k].y[i];
        }
    fprintf(f, "<figure><figcaption>");
    esc(f, title);
    fprintf(f, "</figcaption>\n<svg viewBox=\"0 0 %d %d\" width=\"%d\" "
            "height=\"%d\" role=\"img\">\n", CHART_W, CHART_H, CHART_W, CHART_H);
    if (!isfinite(xmin)) {
        fprintf(f, "<text x=\"%d\" y=\"%d\">no data</text></svg></figure>\n",
                CHART_W / 2 - 30, CHART_H / 2);
        return;
    }
    if (xmax <= xmin) xmax = xmin + 1;
    if (ymax <= 0) ymax = 1;
    ymax *= 1.1;
    int w = CHART_W - PAD_L - PAD_R, h = CHART_H - PAD_T - PAD_B;
    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
            "class=\"plot\"/>\n", PAD_L, PAD_T, w, h);
    for (int t = 0; t <= 4; t++) {
        double v = ymax * t / 4;
        int y = PAD_T + h - (int)(h * t / 4);
        char lab[32];
        fmt_y(lab, sizeof lab, v, y_kind);
        fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                "class=\"grid\"/><text x=\"%d\" y=\"%d\" class=\"yl\">%s"
                "</text>\n", PAD_L, y, PAD_L + w, y, PAD_L - 6, y + 4, lab);
    }
    for (int t = 0; t <= 5; t++) {
        double v = xmin + (xmax - xmin) * t / 5;
        int x = PAD_L + (int)(w * t / 5);
        char lab[40];
        if (x_dates) {
            time_t tt = (time_t)v;
            struct tm tm;
            gmtime_r(&tt, &tm);
            strftime(lab, sizeof lab, "%Y-%m-%d", &tm);
        } else {
            units_format_duration(lab, sizeof lab, (v - xmin) * 1e6);
        }
        fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"xl\">%s</text>\n", x,
                CHART_H - 8, lab);
    }
    for (int k = 0; k < ns; k++) {
        fprintf(f, "<polyline class=\"line\" stroke=\"%s\" points=\"",
                colors[k % 4]);
        for (int i = 0; i < s[k].n; i++)
            fprintf(f, "%.1f,%.1f ", PAD_L + w * (s[k].x[i] - xmin) / (xmax - xmin),
                    PAD_T + h - h * s[k].y[i] / ymax);
        fprintf(f, "\"/>\n");
        if (s[k].n == 1)
            fprintf(f, "<circle r=\"3\" fill=\"%s\" cx=\"%.1f\" cy=\"%.1f\"/>\n",
                    colors[k % 4], PAD_L + w * (s[k].x[0] - xmin) / (xmax - xmin),
                    PAD_T + h - h * s[k].y[0] / ymax);
        fprintf(f, "<text x=\"%d\" y=\"%d\" fill=\"%s\" class=\"lg\">",
                PAD_L + 10 + k * 150, PAD_T + 14, colors[k % 4]);
        esc(f, s[k].name);
        fprintf(f, "</text>\n");
    }
    fprintf(f, "</svg></figure>\n");
}

static const char style[] =
"<style>\n"
"body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;"
"color:#111;max-width:1100px}\n"
"h1{font-size:1.5em;margin:0 0 4px}h2{font-size:1.15em;margin:28px 0 8px;"
"border-bottom:1px solid #ddd;padding-bottom:4px}\n"
".verdict{display:inline-block;padding:2px 10px;border-radius:4px;"
"font-weight:600;color:#fff}.pass{background:#16a34a}.fail{background:#dc2626}\n"
"table{border-collapse:collapse;font-size:.9em}td,th{padding:3px 8px;"
"border-bottom:1px solid #eee;text-align:right}th{background:#f6f6f6}\n"
"td:first-child,th:first-child{text-align:left}\n"
".tiles{display:flex;gap:12px;flex-wrap:wrap}.tile{border:1px solid #ddd;"
"border-radius:6px;padding:8px 14px}.tile b{display:block;font-size:1.3em}\n"
"figure{margin:12px 0}figcaption{font-weight:600;margin-bottom:4px}\n"
"svg text{font-size:11px;fill:#444}.plot{fill:#fcfcfc;stroke:#ccc}"
".grid{stroke:#eee}.yl{text-anchor:end}.xl{text-anchor:middle}"
".line{fill:none;stroke-width:1.6}.lg{font-weight:600}\n"
".bar{fill:#2563eb}pre{background:#f6f6f6;padding:8px;overflow:auto}\n"
"</style>\n";

static void head(FILE *f, const char *title)
{
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>");
    esc(f, title);
    fprintf(f, "</title>\n%s</head><body>\n", style);
}

static void tile(FILE *f, const char *label, const char *value, const char *id)
{
    fprintf(f, "<div class=\"tile\">%s<b id=\"%s\">", label, id);
    esc(f, value);
    fprintf(f, "</b></div>\n");
}

static void tx_row(FILE *f, const struct stats_tx *t, double secs)
{
    static const double ps[] = {50, 90, 95, 99, 99.9};
    char b[32];
    fprintf(f, "<tr data-name=\"");
    esc(f, t->name);
    fprintf(f, "\" data-kind=\"%s\"><td>", t->kind == STATS_FLOW ? "flow" : "request");
    esc(f, t->name);
    fprintf(f, "</td><td data-count=\"%lld\">%lld</td><td data-errors=\"%lld\">"
            "%lld</td><td>%.2f%%</td><td>%.1f</td>", (long long)t->count,
            (long long)t->count, (long long)t->errors, (long long)t->errors,
            t->count ? 100.0 * (double)t->errors / (double)t->count : 0.0,
            secs > 0 ? (double)t->count / secs : 0.0);
    /* Latencies: successful samples ("-" when there were none); the
     * failed side in its own columns at the end. */
    int ok = stats_tx_ok(t) > 0;
    fprintf(f, "<td data-us=\"%lld\">%s</td>", (long long)t->min_us,
            ok ? units_format_duration(b, sizeof b, (double)t->min_us) : "-");
    fprintf(f, "<td>%s</td>", ok ? units_format_duration(b, sizeof b, t->mean_us)
                                 : "-");
    for (size_t i = 0; i < sizeof ps / sizeof *ps; i++) {
        int64_t v = ok ? hist_percentile(t->hist, ps[i]) : 0;
        fprintf(f, "<td data-p=\"%g\" data-us=\"%lld\">%s</td>", ps[i],
                (long long)v,
                ok ? units_format_duration(b, sizeof b, (double)v) : "-");
    }
    fprintf(f, "<td data-us=\"%lld\">%s</td>", (long long)t->max_us,
            ok ? units_format_duration(b, sizeof b, (double)t->max_us) : "-");
    fprintf(f, "<td data-failed=\"%lld\">%lld</td>", (long long)t->failed,
            (long long)t->failed);
    static const double fps[] = {50, 99};
    for (size_t i = 0; i < sizeof fps / sizeof *fps; i++) {
        int64_t v = t->failed ? hist_percentile(t->fail_hist, fps[i]) : 0;
        fprintf(f, "<td data-failed-p=\"%g\" data-us=\"%lld\">%s</td>", fps[i],
                (long long)v, t->failed ?
                units_format_duration(b, sizeof b, (double)v) : "-");
    }
    fprintf(f, "<td data-failed-max-us=\"%lld\">%s</td></tr>\n",
            (long long)t->fail_max_us, t->failed ?
            units_format_duration(b, sizeof b, (double)t->fail_max_us) : "-");
}

static void tx_table(FILE *f, const struct stats *s, double secs)
{
    fprintf(f, "<table id=\"transactions\"><tr><th>transaction</th><th>count"
            "</th><th>errors</th><th>err%%</th><th>rate/s</th><th>min</th>"
            "<th>mean</th><th>p50</th><th>p90</th><th>p95</th><th>p99</th>"
            "<th>p99.9</th><th>max</th><th>failed</th><th>failed p50</th>"
            "<th>failed p99</th><th>failed max</th></tr>\n");
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < s->ntx; i++)
            if ((int)s->tx[i].kind == k) tx_row(f, &s->tx[i], secs);
    struct stats_tx all;
    stats_tx_sum(s, STATS_REQUEST, "all requests (web time)", &all);
    tx_row(f, &all, secs);
    stats_tx_clear(&all);
    stats_tx_sum(s, STATS_FLOW, "all flows (container time)", &all);
    if (all.count) tx_row(f, &all, secs);
    stats_tx_clear(&all);
    fprintf(f, "</table>\n<p class=\"note\">count, errors, err%% and rate/s: "
            "every sample; min to max: successful samples only; failed: the "
            "failed samples and their own latencies.</p>\n");
}

/* The latency distribution of all requests: histogram buckets folded into
 * bins of equal width on a log scale, as bars. */
static void distribution(FILE *f, const struct stats *s)
{
    struct stats_tx all;
    stats_tx_sum(s, STATS_REQUEST, "all", &all);
    enum { BINS = 48 };
    double counts[BINS] = {0}, lo = log10(fmax(1, (double)all.min_us)),
           hi = log10(fmax(2, (double)all.max_us + 1)), top = 0;
    if (hi <= lo) hi = lo + 1;
    int32_t it = 0;
    int64_t v, c;
    while (hist_next(all.hist, &it, &v, &c)) {
        int b = (int)((log10(fmax(1, (double)v)) - lo) / (hi - lo) * BINS);
        if (b < 0) b = 0;
        if (b >= BINS) b = BINS - 1;
        counts[b] += (double)c;
    }
    for (int i = 0; i < BINS; i++) if (counts[i] > top) top = counts[i];
    fprintf(f, "<figure><figcaption>Latency distribution, successful "
            "requests (log scale)</figcaption>\n<svg viewBox=\"0 0 %d %d\" width=\"%d\" "
            "height=\"%d\" role=\"img\">\n", CHART_W, CHART_H, CHART_W, CHART_H);
    int w = CHART_W - PAD_L - PAD_R, h = CHART_H - PAD_T - PAD_B;
    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"plot\"/>\n",
            PAD_L, PAD_T, w, h);
    for (int i = 0; all.count && i < BINS; i++) {
        double bh = top > 0 ? h * counts[i] / top : 0;
        fprintf(f, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                "height=\"%.1f\"><title>%.0f</title></rect>\n",
                PAD_L + (double)w * i / BINS + 1, PAD_T + h - bh,
                (double)w / BINS - 2, bh, counts[i]);
    }
    for (int t = 0; t <= 4; t++) {
        char lab[32];
        units_format_duration(lab, sizeof lab, pow(10, lo + (hi - lo) * t / 4));
        fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"xl\">%s</text>\n",
                PAD_L + w * t / 4, CHART_H - 8, lab);
    }
    fprintf(f, "</svg></figure>\n");
    stats_tx_clear(&all);
}

int html_report(FILE *f, const struct result *r)
{
    const struct stats *s = r->stats;
    double secs = (double)(r->finished_unix_ms - r->started_unix_ms) / 1e3;
    int passed = result_passed(r);
    const cJSON *t;
    struct buf title = {0};
    buf_printf(&title, "herd report: %s", r->plan_name ? r->plan_name : "run");
    head(f, buf_str(&title));
    buf_free(&title);
    char when[40], b[64];
    time_t t0 = (time_t)(r->started_unix_ms / 1000);
    struct tm tm;
    gmtime_r(&t0, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    fprintf(f, "<h1>");
    esc(f, r->plan_name ? r->plan_name : "(unnamed)");
    fprintf(f, " <span id=\"verdict\" class=\"verdict %s\">%s</span></h1>\n",
            passed ? "pass" : "fail", passed ? "PASS" : "FAIL");
    fprintf(f, "<p>run <code>");
    esc(f, r->run_id);
    fprintf(f, "</code>, %s mode, target <code>", r->mode ? r->mode : "-");
    esc(f, r->target ? r->target : "-");
    fprintf(f, "</code>, started %s, ran %s%s</p>\n", when,
            units_format_duration(b, sizeof b, secs * 1e6),
            r->interrupted ? " — <b>interrupted</b>" : "");

    struct stats_tx all;
    stats_tx_sum(s, STATS_REQUEST, "all", &all);
    fprintf(f, "<div class=\"tiles\">\n");
    snprintf(b, sizeof b, "%lld", (long long)all.count);
    tile(f, "requests", b, "requests");
    snprintf(b, sizeof b, "%lld", (long long)all.errors);
    tile(f, "errors", b, "errors");
    snprintf(b, sizeof b, "%.1f/s", secs > 0 ? (double)all.count / secs : 0);
    tile(f, "throughput", b, "throughput");
    if (stats_tx_ok(&all))
        units_format_duration(b, sizeof b, (double)hist_percentile(all.hist, 99));
    else
        snprintf(b, sizeof b, "-");
    tile(f, "p99 (successful)", b, "p99");
    snprintf(b, sizeof b, "%lld", (long long)s->iter_started);
    tile(f, "iterations", b, "iterations");
    snprintf(b, sizeof b, "%d/%d", r->shards_ok, r->shards_total);
    tile(f, "shards ok", b, "shards");
    fprintf(f, "</div>\n");
    stats_tx_clear(&all);
    fprintf(f, "<p>iterations: started %lld = succeeded %lld + failed %lld + "
            "interrupted %lld (dropped %lld)</p>\n",
            (long long)s->iter_started, (long long)s->iter_succeeded,
            (long long)s->iter_failed, (long long)s->iter_interrupted,
            (long long)s->iter_dropped);
    if (cJSON_GetArraySize(r->thresholds)) {
        fprintf(f, "<h2>Thresholds</h2><table id=\"thresholds\"><tr><th>threshold"
                "</th><th>measured</th><th>verdict</th></tr>\n");
        cJSON_ArrayForEach(t, r->thresholds) {
            const cJSON *ex = cJSON_GetObjectItemCaseSensitive(t, "expr");
            int ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "ok"));
            char why[64];
            fprintf(f, "<tr><td>");
            esc(f, cJSON_IsString(ex) ? ex->valuestring : "?");
            fprintf(f, "</td><td>");
            esc(f, report_threshold_measured(t, r, why, sizeof why));
            fprintf(f, "</td><td>%s</td></tr>\n", ok ? "PASS" : "FAIL");
        }
        fprintf(f, "</table>\n");
    }

    /* Timeline charts. The timeline lists only the seconds with data: a
     * gap between two of them is drawn at zero (a point at zero on each
     * side of it), not as a line across. */
    size_t cap = 3 * (size_t)s->nsec + 1;
    double *x = xcalloc(cap, sizeof *x);
    double *req = xcalloc(cap, sizeof *req);
    double *err = xcalloc(cap, sizeof *err);
    double *p50 = xcalloc(cap, sizeof *p50);
    double *p99 = xcalloc(cap, sizeof *p99);
    double *users = xcalloc(cap, sizeof *users);
    int n = 0;
    for (int i = 0; i < s->nsec; i++) {
        int64_t st = s->sec[i].t, prev = i ? s->sec[i - 1].t : st - 1;
        if (st - prev > 1) x[n++] = (double)(prev + 1);     /* zeros (calloc) */
        if (st - prev > 2) x[n++] = (double)(st - 1);
        x[n] = (double)st;
        req[n] = (double)s->sec[i].requests;
        err[n] = (double)s->sec[i].errors;
        p50[n] = s->sec[i].hist ? (double)hist_percentile(s->sec[i].hist, 50) : 0;
        p99[n] = s->sec[i].hist ? (double)hist_percentile(s->sec[i].hist, 99) : 0;
        users[n++] = (double)s->sec[i].active_users;
    }
    fprintf(f, "<h2>Over time</h2>\n");
    struct series thr[2] = {{"requests/s", x, req, n}, {"errors/s", x, err, n}};
    chart(f, "Throughput and errors per second", thr, 2, 0, 0);
    struct series lat[2] = {{"p50", x, p50, n}, {"p99", x, p99, n}};
    chart(f, "Latency percentiles per second (all requests)", lat, 2, 1, 0);
    struct series us[1] = {{"active users", x, users, n}};
    chart(f, "Active users", us, 1, 0, 0);
    free(x); free(req); free(err); free(p50); free(p99); free(users);
    distribution(f, s);

    fprintf(f, "<h2>Transactions</h2>\n");
    tx_table(f, s, secs);

    fprintf(f, "<h2>Errors and status codes</h2>\n<table id=\"errors\"><tr>"
            "<th>transaction</th><th>error</th><th>count</th></tr>\n");
    int any = 0;
    for (int i = 0; i < s->ntx; i++)
        for (int e = 0; e < s->tx[i].nerrs; e++, any = 1) {
            fprintf(f, "<tr><td>");
            esc(f, s->tx[i].name);
            fprintf(f, "</td><td>");
            esc(f, s->tx[i].errs[e].key);
            fprintf(f, "</td><td>%lld</td></tr>\n", (long long)s->tx[i].errs[e].count);
        }
    if (!any) fprintf(f, "<tr><td colspan=\"3\">no errors</td></tr>\n");
    fprintf(f, "</table>\n<p>status codes:");
    int64_t status[STATS_MAX_STATUS] = {0};
    for (int i = 0; i < s->ntx; i++)
        if (s->tx[i].kind == STATS_REQUEST)
            for (int c = 0; c < STATS_MAX_STATUS; c++) status[c] += s->tx[i].status[c];
    for (int c = 0; c < STATS_MAX_STATUS; c++)
        if (status[c]) fprintf(f, " <code>%s%d</code> %lld", c ? "" : "none:", c,
                               (long long)status[c]);
    fprintf(f, "</p>\n");
    if (cJSON_GetArraySize(r->setup_errors) || cJSON_GetArraySize(r->shard_failures)) {
        fprintf(f, "<h2>Setup, teardown and shard failures</h2><ul>\n");
        const cJSON *e;
        cJSON_ArrayForEach(e, r->setup_errors) {
            fprintf(f, "<li>");
            esc(f, cJSON_IsString(e) ? e->valuestring : "?");
            fprintf(f, "</li>\n");
        }
        cJSON_ArrayForEach(e, r->shard_failures) {
            const cJSON *sh = cJSON_GetObjectItemCaseSensitive(e, "shard");
            const cJSON *why = cJSON_GetObjectItemCaseSensitive(e, "reason");
            fprintf(f, "<li>shard %d: ", cJSON_IsNumber(sh) ? sh->valueint : -1);
            esc(f, cJSON_IsString(why) ? why->valuestring : "?");
            fprintf(f, "</li>\n");
        }
        fprintf(f, "</ul>\n");
    }
    fprintf(f, "<h2>Settings</h2>\n<p>plan file <code>");
    esc(f, r->plan_file ? r->plan_file : "-");
    fprintf(f, "</code>, commit <code>");
    esc(f, r->git_commit ? r->git_commit : "-");
    fprintf(f, "</code>, shards %d ok / %d failed / %d truncated of %d</p>\n<pre>",
            r->shards_ok, r->shards_failed, r->shards_truncated, r->shards_total);
    char *set = r->settings ? cJSON_Print(r->settings) : NULL;
    esc(f, set ? set : "{}");
    cJSON_free(set);
    fprintf(f, "</pre>\n");
    if (r->settings && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r->settings, "insecure")))
        fprintf(f, "<p><b>TLS verification was off</b> (insecure: true).</p>\n");
    fprintf(f, "<p><small>herd %s</small></p>\n</body></html>\n", HERD_VERSION);
    return ferror(f) ? -1 : 0;
}

int html_history(FILE *f, const char *plan, struct result *const *runs,
                 int n)
{
    struct buf title = {0};
    buf_printf(&title, "herd history: %s", plan);
    head(f, buf_str(&title));
    fprintf(f, "<h1>");
    esc(f, buf_str(&title));
    fprintf(f, "</h1>\n<p>%d run%s", n, n == 1 ? "" : "s");
    buf_free(&title);
    if (n) {
        char a[40], z[40];
        time_t t0 = (time_t)(runs[0]->started_unix_ms / 1000);
        time_t t1 = (time_t)(runs[n - 1]->started_unix_ms / 1000);
        strftime(a, sizeof a, "%Y-%m-%d", gmtime(&t0));
        strftime(z, sizeof z, "%Y-%m-%d", gmtime(&t1));
        fprintf(f, ", %s to %s", a, z);
    }
    fprintf(f, ".</p>\n");
    /* Every transaction seen in any run, in first-seen order, plus "http". */
    const char **names = xcalloc(64, sizeof *names);
    int *kinds = xcalloc(64, sizeof *kinds);
    int nn = 0;
    names[nn] = "http";
    kinds[nn++] = -1;
    for (int r = 0; r < n; r++)
        for (int i = 0; i < runs[r]->stats->ntx && nn < 64; i++) {
            const struct stats_tx *t = &runs[r]->stats->tx[i];
            int seen = 0;
            for (int k = 1; k < nn; k++)
                seen |= !strcmp(names[k], t->name) && kinds[k] == (int)t->kind;
            if (!seen) { names[nn] = t->name; kinds[nn++] = (int)t->kind; }
        }
    double *x = xcalloc((size_t)(n ? n : 1), sizeof *x);
    double *y[4];
    for (int k = 0; k < 4; k++) y[k] = xcalloc((size_t)(n ? n : 1), sizeof *y[k]);
    for (int k = 0; k < nn; k++) {
        int m = 0;
        for (int r = 0; r < n; r++) {
            struct stats_tx sum;
            const struct stats_tx *t = NULL;
            if (kinds[k] < 0) {
                stats_tx_sum(runs[r]->stats, STATS_REQUEST, "http", &sum);
                t = &sum;
            } else {
                for (int i = 0; i < runs[r]->stats->ntx; i++)
                    if (!strcmp(runs[r]->stats->tx[i].name, names[k]) &&
                        (int)runs[r]->stats->tx[i].kind == kinds[k])
                        t = &runs[r]->stats->tx[i];
            }
            /* Latencies: successful samples (0 in a run with none, whose
             * error rate still counts). */
            if (t && t->count) {
                x[m] = (double)runs[r]->started_unix_ms / 1e3;
                y[0][m] = (double)hist_percentile(t->hist, 50);
                y[1][m] = (double)hist_percentile(t->hist, 95);
                y[2][m] = (double)hist_percentile(t->hist, 99);
                y[3][m] = (double)t->errors / (double)t->count;
                m++;
            }
            if (kinds[k] < 0) stats_tx_clear(&sum);
        }
        fprintf(f, "<h2>");
        esc(f, kinds[k] < 0 ? "all requests (http)" : names[k]);
        fprintf(f, "</h2>\n");
        struct series lat[3] = {{"p50", x, y[0], m}, {"p95", x, y[1], m},
                                {"p99", x, y[2], m}};
        chart(f, "Latency by run", lat, 3, 1, 1);
        struct series er[1] = {{"error rate", x, y[3], m}};
        chart(f, "Error rate by run", er, 1, 2, 1);
    }
    fprintf(f, "<h2>Runs</h2>\n<table id=\"runs\"><tr><th>run</th><th>started"
            "</th><th>requests</th><th>p95 (successful)</th><th>p99 "
            "(successful)</th><th>error rate</th></tr>\n");
    for (int r = 0; r < n; r++) {
        struct stats_tx t;
        stats_tx_sum(runs[r]->stats, STATS_REQUEST, "http", &t);
        char when[40], p95[32], p99[32];
        time_t tt = (time_t)(runs[r]->started_unix_ms / 1000);
        strftime(when, sizeof when, "%Y-%m-%d %H:%M", gmtime(&tt));
        fprintf(f, "<tr><td>");
        esc(f, runs[r]->run_id);
        fprintf(f, "</td><td>%s</td><td>%lld</td><td>%s</td><td>%s</td><td>"
                "%.2f%%</td></tr>\n", when, (long long)t.count,
                units_format_duration(p95, sizeof p95, (double)hist_percentile(t.hist, 95)),
                units_format_duration(p99, sizeof p99, (double)hist_percentile(t.hist, 99)),
                t.count ? 100.0 * (double)t.errors / (double)t.count : 0.0);
        stats_tx_clear(&t);
    }
    fprintf(f, "</table>\n</body></html>\n");
    free(names);
    free(kinds);
    free(x);
    for (int k = 0; k < 4; k++) free(y[k]);
    return ferror(f) ? -1 : 0;
}
