/* test_html — what a person sees on the HTML pages: legends in their
 * series' colour, round tick labels, status codes apart, readable
 * settings, no shards on a local run, flow tiles for a flow plan, the
 * history page's labels, axis and links. */
#include "t.h"
#include "html.h"
#include "buf.h"
#include <math.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static char *render(const struct result *r)
{
    char *p = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&p, &n);
    CHECK_INT(html_report(f, r), 0);
    fclose(f);
    return p;
}

/* A local run of 6.5 s from a half second: 40 requests a second to "get"
 * (p50 ~ 20ms), a few failed with status 500 and 0, no successful sample
 * in second 3; flows when flows. */
static struct result *sample(int flows, const char *mode)
{
    struct result *r = result_new();
    r->plan_name = xstrdup("unit");
    r->run_id = xstrdup("unit-1");
    r->mode = xstrdup(mode);
    r->target = xstrdup("http://x");
    int64_t t0 = 1764530000;                     /* a whole second */
    r->started_unix_ms = t0 * 1000 + 500;
    r->finished_unix_ms = r->started_unix_ms + 6500;
    r->shards_total = r->shards_ok = 1;
    r->settings = cJSON_Parse("{\"model\":\"closed\",\"users\":5,\"spawn_rate\":0,"
                              "\"iterations\":0,\"duration_s\":6,\"think_min_s\":0,"
                              "\"think_max_s\":0,\"timeout_s\":30,\"insecure\":false,"
                              "\"scenarios\":1}");
    struct stats *s = r->stats;
    int get = stats_tx_index(s, "get", STATS_REQUEST);
    int fl = flows ? stats_tx_index(s, "container ready", STATS_FLOW) : -1;
    for (int sec = 0; sec <= 7; sec++) {
        for (int i = 0; i < 40; i++) {
            int bad = sec == 3 || i % 13 == 0;
            stats_record(s, get, 15000 + i * 300, 15000, bad ? (i % 2 ? 500 : 0) : 200,
                         bad ? (i % 2 ? ERR_STATUS : ERR_CONNECT) : ERR_NONE,
                         bad && i % 2 ? "500" : NULL, t0 + sec);
        }
        if (fl >= 0)
            for (int i = 0; i < 3; i++)
                stats_record(s, fl, 1800000 + i * 90000, 1800000, -1, ERR_NONE,
                             NULL, t0 + sec);
        stats_active(s, t0 + sec, 5);
        stats_iteration(s, t0 + sec);
    }
    return r;
}

/* The text of the <style> element. */
static char *style_of(const char *page)
{
    const char *a = strstr(page, "<style>"), *z = strstr(page, "</style>");
    if (!a || !z) return strdup("");
    return strndup(a + 7, (size_t)(z - a - 7));
}

/* An attribute's value inside the tag starting at tag (up to '>'). */
static int attr(const char *tag, const char *name, char *out, size_t n)
{
    const char *end = strchr(tag, '>');
    char key[64];
    snprintf(key, sizeof key, " %s=\"", name);
    const char *p = strstr(tag, key);
    if (!p || (end && p > end)) return 0;
    p += strlen(key);
    const char *q = strchr(p, '"');
    snprintf(out, n, "%.*s", (int)(q - p), p);
    return 1;
}

/* Every legend entry's text has its series' colour: the fill of the
 * <text data-series=NAME class="lg"> equals the stroke of the series'
 * lines, inline (style="fill:...", which no stylesheet rule overrides),
 * and no CSS rule sets the fill of every text. Returns how many legends. */
static int check_legends(const char *page)
{
    int n = 0;
    char *css = style_of(page);
    /* Rules that would paint every text (or the legends): a selector
     * ending in "text", "*" or naming .lg, whose block sets fill. */
    for (char *p = css; (p = strchr(p, '{')); p++) {
        char *sel = p;
        while (sel > css && sel[-1] != '}' && sel[-1] != '\n') sel--;
        char *end = strchr(p, '}');
        if (!end) break;
        char decl[512], s[256];
        snprintf(decl, sizeof decl, "%.*s", (int)(end - p), p);
        snprintf(s, sizeof s, "%.*s", (int)(p - sel), sel);
        size_t sl = strlen(s);
        int all = (sl >= 4 && !strcmp(s + sl - 4, "text")) || strstr(s, "*") ||
                  strstr(s, ".lg");
        if (all && strstr(decl, "fill") && !strstr(s, "@media")) {
            fprintf(stderr, "CSS rule paints the legends: %s%s}\n", s, decl);
            CHECK(0);
        }
    }
    free(css);
    for (const char *p = page; (p = strstr(p, "<text ")); p++) {
        char cls[32], name[64], fill[32], style[64];
        if (!attr(p, "class", cls, sizeof cls) || strcmp(cls, "lg")) continue;
        CHECK(attr(p, "data-series", name, sizeof name));
        CHECK(attr(p, "fill", fill, sizeof fill));
        CHECK(attr(p, "style", style, sizeof style));
        char want[64];
        snprintf(want, sizeof want, "fill:%s", fill);
        CHECK_STR(style, want);
        /* The series' lines (before the legend, in the same <svg>). */
        char g[96];
        snprintf(g, sizeof g, "<g class=\"series\" data-series=\"%s\">", name);
        const char *svg = page, *q;
        for (q = page; (q = strstr(q, "<svg")) && q < p; q++) svg = q;
        const char *gs = strstr(svg, g);
        if (!gs || gs > p) {
            /* Distribution legends name bars, not lines. */
            const char *bar = strstr(svg, "class=\"bar\" fill=\"");
            char bf[32] = "";
            int found = 0;
            for (; bar && bar < p; bar = strstr(bar + 1, "class=\"bar\" fill=\"")) {
                attr(bar - 1, "fill", bf, sizeof bf);
                found |= !strcmp(bf, fill);
            }
            CHECK(found);
        } else {
            const char *pl = strstr(gs, "<polyline");
            const char *ci = strstr(gs, "<circle");
            char stroke[32] = "";
            if (pl && pl < p) attr(pl, "stroke", stroke, sizeof stroke);
            else if (ci && ci < p) attr(ci, "fill", stroke, sizeof stroke);
            CHECK_STR(stroke, fill);
        }
        n++;
    }
    return n;
}

/* Tick labels of one class ("yl"): each chart's ladder starts at 0 and
 * climbs by one round step (1, 2 or 5 x 10^n). Returns charts checked. */
static int check_ticks(const char *page, const char *cls)
{
    int charts = 0;
    char key[48];
    snprintf(key, sizeof key, "class=\"%s\">", cls);
    for (const char *svg = page; (svg = strstr(svg, "<svg")); svg++) {
        const char *end = strstr(svg, "</svg>");
        /* The distributions' latency axis is a log scale: checked by
         * check_log_ticks. */
        const char *fig = NULL;
        for (const char *q = page; (q = strstr(q, "<figure id=\"")) && q < svg; q++)
            fig = q;
        if (!strcmp(cls, "xl") && fig && !strncmp(fig + 12, "dist-", 5)) continue;
        double v[32];
        int n = 0;
        for (const char *p = svg; (p = strstr(p, key)) && p < end && n < 32; p++) {
            p += strlen(key);
            char *e;
            v[n] = strtod(p, &e);
            if (e == p) break;              /* "samples", "no data" */
            n++;
        }
        if (n < 2) continue;
        charts++;
        double step = v[1] - v[0];
        if (v[0] != 0) fprintf(stderr, "first tick %g in %.80s\n", v[0], svg);
        CHECK(v[0] == 0);
        double m = step / pow(10, floor(log10(step) + 1e-9));
        int round = fabs(m - 1) < 1e-6 || fabs(m - 2) < 1e-6 || fabs(m - 5) < 1e-6;
        if (!round) fprintf(stderr, "step %g in %.60s\n", step, svg);
        CHECK(round);
        for (int i = 2; i < n; i++) CHECK(fabs(v[i] - v[i - 1] - step) < 1e-6 * step);
    }
    return charts;
}

/* The log latency axis of each distribution: every label is a round
 * number (its mantissa 1 to 9, or a round step on a narrow range: at most
 * two significant digits). Returns the labels checked. */
static int check_log_ticks(const char *page)
{
    int n = 0;
    for (const char *fig = page; (fig = strstr(fig, "<figure id=\"dist-")); fig++) {
        const char *end = strstr(fig, "</svg>");
        for (const char *p = fig; (p = strstr(p, "class=\"xl\">")) && p < end; p++) {
            p += 11;
            char *e;
            double v = strtod(p, &e);
            if (e == p) continue;
            double m = v / pow(10, floor(log10(v)) - 1);   /* 10..99.9 */
            CHECK(fabs(m - round(m)) < 1e-6);
            n++;
        }
    }
    return n;
}

static void test_nice(void)
{
    double st, top;
    top = html_axis_top(88, 1, &st);
    CHECK(st == 20 && top == 100);
    top = html_axis_top(5.5, 1, &st);           /* users: whole numbers */
    CHECK(st == 2 && top == 6);
    top = html_axis_top(0.4, 1, &st);
    CHECK(st == 1 && top == 1);
    top = html_axis_top(394, 1, &st);
    CHECK(st == 100 && top == 400);
    top = html_axis_top(73200, 0, &st);         /* 73.2ms */
    CHECK(st == 20000 && top == 80000);
    top = html_axis_top(4, 1, &st);             /* a line at the max stays */
    CHECK(top > 4);                             /* off the frame */
    CHECK(html_nice_step(6.06, 8) == 1);
    CHECK(html_nice_step(22, 8) == 5);
    char b[32];
    CHECK_STR(html_tick_label(b, sizeof b, 20000, HTML_AX_US, 80000), "20ms");
    CHECK_STR(html_tick_label(b, sizeof b, 0, HTML_AX_US, 80000), "0");
    CHECK_STR(html_tick_label(b, sizeof b, 1500000, HTML_AX_US, 2e6), "1.5s");
    CHECK_STR(html_tick_label(b, sizeof b, 0.5, HTML_AX_PCT, 1), "0.5%");
    CHECK_STR(html_tick_label(b, sizeof b, 0, HTML_AX_SEC, 20), "0s");
    CHECK_STR(html_tick_label(b, sizeof b, 300, HTML_AX_SEC, 600), "5m");
}

static void test_report(void)
{
    struct result *r = sample(0, "local");
    char *p = render(r);
    CHECK(check_legends(p) >= 5);
    CHECK(check_ticks(p, "yl") >= 4);
    CHECK(check_ticks(p, "xl") >= 3);
    CHECK(check_log_ticks(p) >= 2);
    /* Time axis in seconds from 0s, not "0us". */
    CHECK(strstr(p, "class=\"xl\">0s<") != NULL);
    CHECK(strstr(p, ">0us<") == NULL);
    /* Status codes apart, 0 said in words. */
    CHECK(strstr(p, "none:") == NULL);
    CHECK(strstr(p, "<tr data-status=\"0\">") != NULL);
    CHECK(strstr(p, "no response") != NULL);
    CHECK(strstr(p, "<tr data-status=\"500\">") != NULL);
    /* Settings readable, no internal or zero fields, no raw JSON. */
    CHECK(strstr(p, "think_min_s") == NULL);
    CHECK(strstr(p, "\"iterations\":") == NULL);
    CHECK(strstr(p, "<dt>iterations</dt>") == NULL);
    CHECK(strstr(p, "<dt>request timeout</dt><dd>30.0s</dd>") != NULL);
    CHECK(strstr(p, "<dt>users</dt><dd>5</dd>") != NULL);
    /* A local run has no shards. */
    CHECK(strstr(p, "shards") == NULL);
    /* The latency lines have no point at 0 for second 3 (no successful
     * sample): the p50 series is split in two lines, none at the bottom. */
    const char *g = strstr(p, "<g class=\"series\" data-series=\"p50\">");
    CHECK(g != NULL);
    if (g) {
        const char *ge = strstr(g, "</g>");
        int lines = 0;
        for (const char *q = g; (q = strstr(q, "<polyline")) && q < ge; q++) lines++;
        CHECK_INT(lines, 2);
    }
    /* Whole seconds only in the rate chart: the partial first (0.5 s) and
     * last seconds are left out: 6 whole seconds, 5 in one line + 1 after
     * the gap? No: second 3 is whole and counted; 6 points in one line. */
    const char *th = strstr(p, "<g class=\"series\" data-series=\"requests/s\">");
    CHECK(th != NULL);
    if (th) {
        const char *pts = strstr(th, "points=\"");
        int n = 0;
        for (const char *q = pts + 8; *q != '"'; q++) n += *q == ' ';
        CHECK_INT(n, 6);
    }
    /* Percentile marks on the distribution, a count axis. */
    CHECK(strstr(p, "class=\"pm\" data-p=\"50\"") != NULL);
    CHECK(strstr(p, "class=\"pm\" data-p=\"99\"") != NULL);
    CHECK(strstr(p, ">samples</text>") != NULL);
    /* No flow tiles without flows; print stylesheet; no scripts. */
    CHECK(strstr(p, "id=\"flows\"") == NULL);
    CHECK(strstr(p, "@media print") != NULL);
    CHECK(strstr(p, "<script") == NULL);
    free(p);
    result_free(r);

    /* An open model with stages, think time and TLS verification off. */
    r = sample(0, "local");
    cJSON_Delete(r->settings);
    r->settings = cJSON_Parse("{\"model\":\"open\",\"rate_per_s\":50,"
        "\"max_users\":200,\"duration_s\":90,\"stages\":[{\"duration_s\":30,"
        "\"rate_per_s\":10},{\"duration_s\":60,\"rate_per_s\":50}],"
        "\"think_min_s\":0.1,\"think_max_s\":0.3,\"timeout_s\":10,"
        "\"insecure\":true,\"scenarios\":2}");
    p = render(r);
    CHECK(strstr(p, "<dt>load model</dt><dd>open (arrivals at a fixed rate)</dd>") != NULL);
    CHECK(strstr(p, "<dt>arrival rate</dt><dd>50/s</dd>") != NULL);
    CHECK(strstr(p, "<dt>at most</dt><dd>200 users</dd>") != NULL);
    CHECK(strstr(p, "<dt>stages</dt><dd>30.0s to 10/s, 1m00s to 50/s</dd>") != NULL);
    CHECK(strstr(p, "<dt>think time</dt><dd>100ms to 300ms (random)</dd>") != NULL);
    CHECK(strstr(p, "<dt>TLS verification</dt><dd>off (insecure)</dd>") != NULL);
    CHECK(strstr(p, "rate_per_s") == NULL);
    free(p);
    result_free(r);

    r = sample(0, "lambda");
    r->shards_total = 4;
    r->shards_ok = 3;
    p = render(r);
    CHECK(strstr(p, "id=\"shards\">3/4<") != NULL);
    free(p);
    result_free(r);
}

static void test_flow(void)
{
    struct result *r = sample(1, "local");
    char *p = render(r);
    CHECK(strstr(p, "id=\"flow-tiles\"") != NULL);
    CHECK(strstr(p, "id=\"flows\">24<") != NULL);      /* 8 s x 3 */
    CHECK(strstr(p, "id=\"flow-p50\">1.89s<") != NULL ||
          strstr(p, "id=\"flow-p50\">1.90s<") != NULL);
    CHECK(strstr(p, "id=\"flow-p95\"") != NULL);
    CHECK(strstr(p, "id=\"dist-flows\"") != NULL);
    /* The flow tiles come before the request tiles. */
    CHECK(strstr(p, "flow-tiles") < strstr(p, "request-tiles"));
    CHECK(check_legends(p) >= 5);
    CHECK(check_ticks(p, "yl") >= 5);
    free(p);
    result_free(r);
}

/* The phases table: each cell its own value (the received column once
 * showed the wait p95), "-" for a phase no request went through; a p95
 * chart per kind with a line per transaction, five to a chart. */
static void test_phases(void)
{
    struct result *r = sample(1, "local");
    struct stats *s = r->stats;
    int get = stats_tx_find(s, "get");
    struct stats_req_phases ph;
    stats_phases_from_cumulative(&ph, 10, 210, 0, 220, 20220, 20320);
    ph.sent_bytes = 700;
    ph.received_bytes = 3 * 1024 * 1024;
    stats_request_phases(s, get, &ph);
    for (int i = 0; i < 6; i++) {
        char name[16];
        snprintf(name, sizeof name, "tx%d", i);
        int t = stats_tx_index(s, name, STATS_REQUEST);
        stats_record(s, t, 1000 * (i + 1), 1000, 200, ERR_NONE, NULL,
                     1764530001);
    }
    char *p = render(r);
    const char *row = strstr(p, "<tr data-phases-of=\"get\"><td>get</td>");
    CHECK(row != NULL);
    if (row) {
        CHECK(strstr(row, "<td data-conns=\"1\">1</td>") == strstr(row, "<td data-conns"));
        CHECK(strstr(row, "data-phase=\"connect\" data-ph-count=\"1\" "
                     "data-ph-sum-us=\"200\">200us</td>") != NULL);
        CHECK(strstr(row, "data-phase=\"tls\" data-ph-count=\"0\" "
                     "data-ph-sum-us=\"0\">-</td>") != NULL);
        CHECK(strstr(row, "<td data-bytes=\"700\">700 B</td><td data-bytes=\""
                     "3145728\">3.00 MiB</td>") != NULL);
    }
    /* get + tx0..tx5 = 7 request transactions: two charts (5 + 2). */
    CHECK(strstr(p, "id=\"chart-tx-p95-1\"") != NULL);
    CHECK(strstr(p, "id=\"chart-tx-p95-2\"") != NULL);
    CHECK(strstr(p, "id=\"chart-tx-p95-3\"") == NULL);
    CHECK(strstr(p, "id=\"chart-flow-p95-1\"") != NULL);
    CHECK(strstr(p, "<g class=\"series\" data-series=\"container ready\">") != NULL);
    free(p);
    result_free(r);
}

static void test_history(void)
{
    struct result *a = sample(0, "local"), *b = sample(0, "local");
    b->started_unix_ms += 30000;            /* same minute as a */
    b->finished_unix_ms += 30000;
    /* No errors in a run: a 0..1% axis, not 0..110%. */
    struct result *c = result_new();
    c->plan_name = xstrdup("unit");
    c->run_id = xstrdup("unit-c");
    c->started_unix_ms = a->started_unix_ms + 86400000;
    c->finished_unix_ms = c->started_unix_ms + 2000;
    int tx = stats_tx_index(c->stats, "get", STATS_REQUEST);
    for (int i = 0; i < 10; i++)
        stats_record(c->stats, tx, 1000, 1000, 200, ERR_NONE, NULL,
                     c->started_unix_ms / 1000);
    char *p = NULL;
    size_t n = 0;
    /* One run: a marked point, date and time. */
    FILE *f = open_memstream(&p, &n);
    CHECK_INT(html_history(f, "unit", &c, 1), 0);
    fclose(f);
    CHECK(strstr(p, "<circle") != NULL);
    CHECK(strstr(p, "%") != NULL);
    CHECK(strstr(p, ">110") == NULL && strstr(p, ">1%<") != NULL);
    CHECK(strstr(p, "requests/s") != NULL);     /* throughput */
    CHECK(check_legends(p) >= 3);
    CHECK(check_ticks(p, "yl") >= 3);
    free(p);

    /* Two runs in one minute get different labels (seconds shown); a run
     * whose report exists beside its result links to it. */
    char dir[] = "/tmp/test_html.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char rj[96], rh[96], out[96];
    snprintf(rj, sizeof rj, "%s/a.json", dir);
    snprintf(rh, sizeof rh, "%s/a.html", dir);
    snprintf(out, sizeof out, "%s/history.html", dir);
    FILE *w = fopen(rh, "w");
    fputs("x", w);
    fclose(w);
    struct result *runs[3] = {a, b, c};
    const char *paths[3] = {rj, "/nonexistent/b.json", NULL};
    f = open_memstream(&p, &n);
    CHECK_INT(html_history_files(f, "unit", runs, paths, 3, out), 0);
    fclose(f);
    CHECK(strstr(p, "<a href=\"a.html\">unit-1</a>") != NULL);
    CHECK(strstr(p, "<td>unit-1</td>") != NULL);        /* b: no report */
    char la[40], lb[40];
    time_t ta = (time_t)(a->started_unix_ms / 1000), tb = (time_t)(b->started_unix_ms / 1000);
    strftime(la, sizeof la, "%H:%M:%S</tspan>", gmtime(&ta));
    strftime(lb, sizeof lb, "%H:%M:%S</tspan>", gmtime(&tb));
    CHECK(strcmp(la, lb) != 0);
    CHECK(strstr(p, la) != NULL && strstr(p, lb) != NULL);
    free(p);
    unlink(rh);
    rmdir(dir);
    result_free(a);
    result_free(b);
    result_free(c);
}

/* A transaction timeline cut by the memory bound (stats.h
 * STATS_TX_TL_HISTS): the p95-per-transaction chart says how many seconds
 * have no point; an uncut run has no such note. */
static void test_timeline_cut_note(void)
{
    struct result *r = sample(0, "local");
    char *page = render(r);
    CHECK(strstr(page, "past the memory bound") == NULL);
    free(page);
    struct stats_tx *t = &r->stats->tx[stats_tx_find(r->stats, "get")];
    for (int i = 4; i < 6; i++) {
        hist_free(t->sec[i].hist);
        t->sec[i].hist = NULL;
        t->sec[i].hist_cut = 1;
    }
    page = render(r);
    const char *fig = strstr(page, "<figure id=\"chart-tx-p95-1\">");
    CHECK(fig != NULL);
    if (fig)
        CHECK(strstr(fig, "(cut: 2 seconds past the memory bound have no "
                     "point)") != NULL);
    free(page);
    result_free(r);
}

int main(void)
{
    T_RUN(test_timeline_cut_note);
    T_RUN(test_nice);
    T_RUN(test_report);
    T_RUN(test_flow);
    T_RUN(test_phases);
    T_RUN(test_history);
    return T_DONE();
}
