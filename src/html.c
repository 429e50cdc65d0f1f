/* html.c — self-contained HTML reports with inline SVG; see html.h.
 *
 * Charts are drawn by two functions: chart() draws up to five series of
 * (x, y) points over a time axis (seconds since the start) or over runs
 * (one slot per run), with "nice" round ticks (1, 2 or 5 x 10^n) on both
 * axes and a legend above the plot whose labels carry their series'
 * colour inline; distribution() draws a latency histogram on a log scale
 * with a count axis and p50/p95/p99 marks; the phases table has a small
 * bar per transaction. Everything else is tables. */
#include "html.h"
#include "buf.h"
#include "report.h"
#include "units.h"
#include "version.h"
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHART_W 900
#define CHART_H 250
#define PAD_L 70
#define PAD_R 44
#define PAD_T 30
#define PAD_B 30

#define C_BLUE "#2563eb"
#define C_RED "#dc2626"
#define C_GREEN "#16a34a"
#define C_PURPLE "#9333ea"
#define C_ORANGE "#ea580c"

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

double html_nice_step(double span, int max_ticks)
{
    if (!(span > 0) || max_ticks < 1) return 1;
    double raw = span / max_ticks, p = pow(10, floor(log10(raw))), m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

double html_axis_top(double max, int integer, double *step)
{
    if (!(max > 0)) max = integer ? 1 : 1e-9;
    double st = html_nice_step(max, 5);
    if (integer && st < 1) st = 1;
    double top = ceil(max / st - 1e-9) * st;
    if (top <= 0) top = st;
    if (top - max < st * 1e-6) top += st;   /* keep a line off the frame */
    *step = st;
    return top;
}

char *html_tick_label(char *b, size_t n, double v, enum html_axis kind,
                      double top)
{
    if (fabs(v) < 1e-12) v = 0;
    switch (kind) {
    case HTML_AX_US:
        if (v == 0) snprintf(b, n, "0");
        else if (top >= 1e6) snprintf(b, n, "%gs", v / 1e6);
        else if (top >= 1e3) snprintf(b, n, "%gms", v / 1e3);
        else snprintf(b, n, "%gus", v);
        break;
    case HTML_AX_PCT: snprintf(b, n, "%g%%", v); break;
    case HTML_AX_SEC:
        if (v == 0) snprintf(b, n, "0s");
        else if (top >= 180 && fmod(v, 60) == 0) snprintf(b, n, "%gm", v / 60);
        else snprintf(b, n, "%gs", v);
        break;
    default: snprintf(b, n, "%g", v);
    }
    return b;
}

/* One line of a chart. y is NAN where there is no point (the line breaks
 * there); a point with no neighbour gets a dot. */
struct series {
    const char *name, *color;
    const double *x, *y;
    int n;
    int dash;
};

/* The x axis: seconds since the start (0..span), or runs (n slots, one
 * label each, every point marked). */
struct xaxis {
    double span;                 /* seconds; X_SEC */
    int runs;                    /* > 0: run slots */
    const char *const *labels;   /* runs: "date\ntime" per run */
    int height;                  /* 0: CHART_H */
};

static double sx(const struct xaxis *xa, double x, int w)
{
    if (xa->runs) return PAD_L + w * (x + 0.5) / xa->runs;
    return PAD_L + w * x / xa->span;
}

static void legend(FILE *f, int k, const char *name, const char *color,
                   int dash, int x)
{
    fprintf(f, "<g class=\"legend\"><line x1=\"%d\" y1=\"12\" x2=\"%d\" "
            "y2=\"12\" stroke=\"%s\" stroke-width=\"3\"%s/>", x, x + 18, color,
            dash ? " stroke-dasharray=\"5 3\"" : "");
    fprintf(f, "<text x=\"%d\" y=\"16\" class=\"lg\" fill=\"%s\" "
            "style=\"fill:%s\" data-series=\"", x + 23, color, color);
    esc(f, name);
    fprintf(f, "\">");
    esc(f, name);
    fprintf(f, "</text></g>\n");
    (void)k;
}

static void chart(FILE *f, const char *id, const char *title, const char *note,
                  const struct series *s, int ns, enum html_axis ykind,
                  const struct xaxis *xa)
{
    double ymax = 0;
    int any = 0;
    for (int k = 0; k < ns; k++)
        for (int i = 0; i < s[k].n; i++)
            if (!isnan(s[k].y[i])) {
                any = 1;
                if (s[k].y[i] > ymax) ymax = s[k].y[i];
            }
    int hb = xa->runs ? 44 : PAD_B;
    int ch = (xa->height ? xa->height : CHART_H) + (xa->runs ? 14 : 0);
    fprintf(f, "<figure id=\"%s\"><figcaption>", id);
    esc(f, title);
    if (note) {
        fprintf(f, " <small>");
        esc(f, note);
        fprintf(f, "</small>");
    }
    fprintf(f, "</figcaption>\n<svg viewBox=\"0 0 %d %d\" width=\"%d\" "
            "height=\"%d\" role=\"img\">\n", CHART_W, ch, CHART_W, ch);
    int w = CHART_W - PAD_L - PAD_R, h = ch - PAD_T - hb;
    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
            "class=\"plot\"/>\n", PAD_L, PAD_T, w, h);
    if (!any || (!xa->runs && !(xa->span > 0))) {
        fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"xl\">%s</text>"
                "</svg></figure>\n", PAD_L + w / 2, PAD_T + h / 2,
                ykind == HTML_AX_US ? "no successful samples" : "no data");
        return;
    }
    int integer = ykind == HTML_AX_COUNT;
    double scale = ykind == HTML_AX_PCT ? 100 : 1, step;
    double top = html_axis_top(ymax * scale, integer, &step);
    if (ykind == HTML_AX_PCT && ymax == 0) top = 1, step = 0.5;
    for (int t = 0; t * step <= top * (1 + 1e-9); t++) {
        double v = t * step;
        double y = PAD_T + h - h * v / top;
        char lab[32];
        html_tick_label(lab, sizeof lab, v, ykind, top);
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
                "class=\"grid\"/><text x=\"%d\" y=\"%.1f\" class=\"yl\">%s"
                "</text>\n", PAD_L, y, PAD_L + w, y, PAD_L - 6, y + 4, lab);
    }
    if (xa->runs) {
        int every = (xa->runs + 7) / 8;
        for (int i = 0; i < xa->runs; i++) {
            if ((xa->runs - 1 - i) % every) continue;  /* the newest always */
            const char *lab = xa->labels[i], *nl = strchr(lab, '\n');
            double x = sx(xa, i, w);
            fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
                    "class=\"tick\"/>", x, PAD_T + h, x, PAD_T + h + 4);
            fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"xl\">", x,
                    PAD_T + h + 16);
            fprintf(f, "<tspan x=\"%.1f\">%.*s</tspan>", x,
                    (int)(nl ? nl - lab : (long)strlen(lab)), lab);
            if (nl) fprintf(f, "<tspan x=\"%.1f\" dy=\"13\">%s</tspan>", x, nl + 1);
            fprintf(f, "</text>\n");
        }
    } else {
        double xs = html_nice_step(xa->span, 8);
        if (xs > 50) xs = 60 * fmax(1, html_nice_step(xa->span / 60, 8));
        if (xs < 1) xs = 1;
        for (int t = 0; t * xs <= xa->span + 1e-9; t++) {
            double x = sx(xa, t * xs, w);
            char lab[32];
            html_tick_label(lab, sizeof lab, t * xs, HTML_AX_SEC, xa->span);
            fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
                    "class=\"tick\"/><text x=\"%.1f\" y=\"%d\" class=\"xl\">%s"
                    "</text>\n", x, PAD_T + h, x, PAD_T + h + 4, x,
                    PAD_T + h + 17, lab);
        }
    }
    int lx = PAD_L;
    for (int k = 0; k < ns; k++) {
        const char *c = s[k].color;
        fprintf(f, "<g class=\"series\" data-series=\"");
        esc(f, s[k].name);
        fprintf(f, "\">");
        int open = 0;
        for (int i = 0; i < s[k].n; i++) {
            if (isnan(s[k].y[i])) {
                if (open) fprintf(f, "\"/>");
                open = 0;
                continue;
            }
            if (!open)
                fprintf(f, "<polyline class=\"line\" stroke=\"%s\"%s points=\"",
                        c, s[k].dash ? " stroke-dasharray=\"5 3\"" : "");
            open = 1;
            fprintf(f, "%.1f,%.1f ", sx(xa, s[k].x[i], w),
                    PAD_T + h - h * s[k].y[i] * scale / top);
        }
        if (open) fprintf(f, "\"/>");
        for (int i = 0; i < s[k].n; i++) {
            if (isnan(s[k].y[i])) continue;
            int alone = (i == 0 || isnan(s[k].y[i - 1])) &&
                        (i == s[k].n - 1 || isnan(s[k].y[i + 1]));
            if (xa->runs || alone)
                fprintf(f, "<circle r=\"%d\" fill=\"%s\" cx=\"%.1f\" cy=\"%.1f\">"
                        "<title>%g</title></circle>", xa->runs ? 4 : 3, c,
                        sx(xa, s[k].x[i], w),
                        PAD_T + h - h * s[k].y[i] * scale / top,
                        s[k].y[i] * scale);
        }
        fprintf(f, "</g>\n");
        legend(f, k, s[k].name, c, s[k].dash, lx);
        lx += 40 + 7 * (int)strlen(s[k].name);
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
"td:first-child,th:first-child{text-align:left}td:first-child{white-space:"
"nowrap}#status td{text-align:left}#status td+td+td{text-align:right}th.grp{text-align:center;"
"border-left:2px solid #fff}\n"
".tiles{display:flex;gap:12px;flex-wrap:wrap;margin:8px 0}.tile{border:1px "
"solid #ddd;border-radius:6px;padding:8px 14px;min-width:7em}"
".tile b{display:block;font-size:1.3em}.tile small{color:#555}"
".flowt{border-color:#9333ea;background:#faf5ff}"
".bad{border-color:#dc2626;background:#fef2f2}\n"
"figure{margin:14px 0}figcaption{font-weight:600;margin-bottom:4px}"
"figcaption small{font-weight:400;color:#555}\n"
"svg{max-width:100%;height:auto;font-size:12px}"
".plot{fill:#fcfcfc;stroke:#bbb}.grid{stroke:#e5e5e5}.tick{stroke:#888}"
".yl{text-anchor:end;fill:#333}.xl{text-anchor:middle;fill:#333}"
".line{fill:none;stroke-width:2}.lg{font-weight:600}"
".pm{stroke:#111;stroke-dasharray:4 3}.pml{fill:#111;font-size:11px}\n"
".note{color:#555;font-size:.9em}dl.kv{display:grid;grid-template-columns:"
"max-content auto;gap:2px 16px}dl.kv dt{color:#555}dl.kv dd{margin:0}\n"
"@media print{body{margin:0;max-width:none;font-size:10pt}"
"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
"figure,table,.tiles,dl{break-inside:avoid}h2{break-after:avoid}"
".plot{fill:#fff}a{color:inherit;text-decoration:none}table{font-size:8pt}"
"svg{width:100%}}\n"
"</style>\n";

static void head(FILE *f, const char *title)
{
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>");
    esc(f, title);
    fprintf(f, "</title>\n%s</head><body>\n", style);
}

static void tile(FILE *f, const char *label, const char *value, const char *id,
                 const char *cls, const char *sub)
{
    fprintf(f, "<div class=\"tile%s%s\">%s<b id=\"%s\">", cls ? " " : "",
            cls ? cls : "", label, id);
    esc(f, value);
    fprintf(f, "</b>");
    if (sub) {
        fprintf(f, "<small>");
        esc(f, sub);
        fprintf(f, "</small>");
    }
    fprintf(f, "</div>\n");
}

static void tx_row(FILE *f, const struct stats_tx *t, double secs)
{
    static const double ps[] = {STATS_PCTS};
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
    /* Successful samples ("-" when there were none), then the failed side
     * in its own columns. */
    int64_t okn = stats_tx_ok(t);
    int ok = okn > 0;
    fprintf(f, "<td data-ok=\"%lld\">%lld</td>", (long long)okn, (long long)okn);
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
    fprintf(f, "<td data-failed=\"%lld\" class=\"f\">%lld</td>", (long long)t->failed,
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
    fprintf(f, "<table id=\"transactions\"><tr><th></th><th class=\"grp\" "
            "colspan=\"4\">every sample</th><th class=\"grp\" colspan=\"9\">"
            "successful</th><th class=\"grp\" colspan=\"4\">failed</th></tr>\n"
            "<tr><th>transaction</th><th>count</th><th>errors</th><th>err%%"
            "</th><th>rate/s</th><th>ok</th><th>min</th><th>mean</th><th>p50"
            "</th><th>p90</th><th>p95</th><th>p99</th><th>p99.9</th><th>max"
            "</th><th>failed</th><th>p50</th><th>p99</th><th>max</th></tr>\n");
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
            "every sample (errors also counts failures without a latency); "
            "ok to max: the successful samples; failed: the failed samples "
            "and their own latencies.</p>\n");
}

/* Folds a histogram into BINS bins of equal width on log10(us) over
 * [lo, hi]. */
enum { BINS = 60 };
static void fold(const struct hist *hh, double lo, double hi, double *bins)
{
    int32_t it = 0;
    int64_t v, c;
    while (hh && hist_next(hh, &it, &v, &c)) {
        int b = (int)((log10(fmax(1, (double)v)) - lo) / (hi - lo) * BINS);
        if (b < 0) b = 0;
        if (b >= BINS) b = BINS - 1;
        bins[b] += (double)c;
    }
}

/* The latency distribution of t: successful samples in blue with failed
 * ones stacked on them in red, on a log latency axis with round ticks and
 * a count axis; p50, p95 and p99 of the successful samples marked. */
/* One x-axis tick of the distribution: a mark below the plot at x (the
 * plot's bottom edge is at y) and its label under it. */
static void x_tick(FILE *f, double x, int y, const char *lab)
{
    fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
            "class=\"tick\"/><text x=\"%.1f\" y=\"%d\" class=\"xl\">"
            "%s</text>\n", x, y, x, y + 4, x, y + 17, lab);
}

static void distribution(FILE *f, const char *id, const char *title,
                         const struct stats_tx *t)
{
    int64_t okn = stats_tx_ok(t);
    fprintf(f, "<figure id=\"%s\"><figcaption>", id);
    esc(f, title);
    fprintf(f, " <small>(log scale; p50/p95/p99 of the successful "
            "samples marked)</small></figcaption>\n<svg viewBox=\"0 0 %d %d\" "
            "width=\"%d\" height=\"%d\" role=\"img\">\n", CHART_W, CHART_H,
            CHART_W, CHART_H);
    int w = CHART_W - PAD_L - PAD_R, h = CHART_H - PAD_T - PAD_B;
    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"plot\"/>\n",
            PAD_L, PAD_T, w, h);
    if (!okn && !t->failed) {
        fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"xl\">no data</text>"
                "</svg></figure>\n", PAD_L + w / 2, PAD_T + h / 2);
        return;
    }
    double mn = INFINITY, mx = 0;
    if (okn) mn = (double)t->min_us, mx = (double)t->max_us;
    if (t->failed) {
        mn = fmin(mn, (double)t->fail_min_us);
        mx = fmax(mx, (double)t->fail_max_us);
    }
    /* The bins reach a little past the extremes (histogram buckets hold a
     * range of values). */
    double lo = log10(fmax(1, mn * 0.95)), hi = log10(fmax(2, mx * 1.05));
    if (hi - lo < 0.1) { double c = (lo + hi) / 2; lo = c - 0.05; hi = c + 0.05; }
    double okb[BINS] = {0}, fb[BINS] = {0}, top = 0, step;
    if (okn) fold(t->hist, lo, hi, okb);
    if (t->failed) fold(t->fail_hist, lo, hi, fb);
    for (int i = 0; i < BINS; i++) if (okb[i] + fb[i] > top) top = okb[i] + fb[i];
    top = html_axis_top(top, 1, &step);
    for (int k = 0; k * step <= top * (1 + 1e-9); k++) {
        double y = PAD_T + h - h * k * step / top;
        char lab[32];
        html_tick_label(lab, sizeof lab, k * step, HTML_AX_COUNT, top);
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
                "class=\"grid\"/><text x=\"%d\" y=\"%.1f\" class=\"yl\">%s"
                "</text>\n", PAD_L, y, PAD_L + w, y, PAD_L - 6, y + 4, lab);
    }
    fprintf(f, "<text x=\"14\" y=\"%d\" class=\"yl\" transform=\"rotate(-90 14 %d)\" "
            "style=\"text-anchor:middle\">samples</text>\n", PAD_T + h / 2,
            PAD_T + h / 2);
    double bw = (double)w / BINS;
    for (int i = 0; i < BINS; i++) {
        double x = PAD_L + bw * i + 0.5;
        double ho = h * okb[i] / top, hf = h * fb[i] / top;
        if (okb[i] > 0)
            fprintf(f, "<rect class=\"bar\" fill=\"%s\" x=\"%.1f\" y=\"%.1f\" "
                    "width=\"%.1f\" height=\"%.1f\"><title>%.0f successful"
                    "</title></rect>\n", C_BLUE, x, PAD_T + h - ho, bw - 1, ho,
                    okb[i]);
        if (fb[i] > 0)
            fprintf(f, "<rect class=\"bar\" fill=\"%s\" x=\"%.1f\" y=\"%.1f\" "
                    "width=\"%.1f\" height=\"%.1f\"><title>%.0f failed</title>"
                    "</rect>\n", C_RED, x, PAD_T + h - ho - hf, bw - 1, hf, fb[i]);
    }
    /* Round latency ticks: 1, 2, 5 x 10^n, or every 1..9 x 10^n on a
     * narrow range. */
    static const int sets[3][10] = {{1, 2, 3, 4, 5, 6, 7, 8, 9, 0},
                                    {1, 2, 5, 0}, {1, 0}};
    double vlo = pow(10, lo), vhi = pow(10, hi);
    if (vhi / vlo < 4) {
        /* Less than a few 1..9 x 10^n marks in range: round steps. */
        double st = html_nice_step(vhi - vlo, 5);
        for (double v = ceil(vlo / st) * st; v <= vhi; v += st) {
            double x = PAD_L + w * (log10(v) - lo) / (hi - lo);
            char lab[32];
            html_tick_label(lab, sizeof lab, v, HTML_AX_US, vhi);
            x_tick(f, x, PAD_T + h, lab);
        }
    }
    for (int si = 0; vhi / vlo >= 4 && si < 3; si++) {
        int cnt = 0;
        for (int e = (int)floor(lo); e <= (int)ceil(hi); e++)
            for (int m = 0; sets[si][m]; m++) {
                double lv = log10(sets[si][m]) + e;
                if (lv >= lo && lv <= hi) cnt++;
            }
        if (cnt > 9 && si < 2) continue;
        for (int e = (int)floor(lo); e <= (int)ceil(hi); e++)
            for (int m = 0; sets[si][m]; m++) {
                double v = sets[si][m] * pow(10, e), lv = log10(v);
                if (lv < lo || lv > hi) continue;
                double x = PAD_L + w * (lv - lo) / (hi - lo);
                char lab[32];
                html_tick_label(lab, sizeof lab, v, HTML_AX_US, v);
                x_tick(f, x, PAD_T + h, lab);
            }
        break;
    }
    if (okn) {
        static const double pp[] = {50, 95, 99};
        for (int i = 0; i < 3; i++) {
            double v = (double)hist_percentile(t->hist, pp[i]);
            double x = PAD_L + w * (log10(fmax(1, v)) - lo) / (hi - lo);
            char d[32];
            units_format_duration(d, sizeof d, v);
            int right = x > PAD_L + w - 110;
            fprintf(f, "<line class=\"pm\" data-p=\"%g\" x1=\"%.1f\" y1=\"%d\" "
                    "x2=\"%.1f\" y2=\"%d\"/><text class=\"pml\" x=\"%.1f\" "
                    "y=\"%d\" style=\"text-anchor:%s\">p%g %s</text>\n", pp[i], x,
                    PAD_T, x, PAD_T + h, right ? x - 4 : x + 4, PAD_T + 12 + 13 * i,
                    right ? "end" : "start", pp[i], d);
        }
    }
    legend(f, 0, "successful", C_BLUE, 0, PAD_L);
    if (t->failed) legend(f, 1, "failed", C_RED, 0, PAD_L + 120);
    fprintf(f, "</svg></figure>\n");
}

static const char *status_text(int c)
{
    switch (c) {
    case 0: return "no response";
    case 200: return "OK"; case 201: return "Created"; case 202: return "Accepted";
    case 204: return "No Content"; case 301: return "Moved Permanently";
    case 302: return "Found"; case 304: return "Not Modified";
    case 400: return "Bad Request"; case 401: return "Unauthorized";
    case 403: return "Forbidden"; case 404: return "Not Found";
    case 409: return "Conflict"; case 429: return "Too Many Requests";
    case 500: return "Internal Server Error"; case 502: return "Bad Gateway";
    case 503: return "Service Unavailable"; case 504: return "Gateway Timeout";
    default: return "";
    }
}

static void status_table(FILE *f, const struct stats *s)
{
    int64_t status[STATS_MAX_STATUS] = {0}, total = 0;
    for (int i = 0; i < s->ntx; i++)
        if (s->tx[i].kind == STATS_REQUEST)
            for (int c = 0; c < STATS_MAX_STATUS; c++) {
                status[c] += s->tx[i].status[c];
                total += s->tx[i].status[c];
            }
    fprintf(f, "<h3>Status codes</h3>\n<table id=\"status\"><tr><th>status"
            "</th><th>meaning</th><th>responses</th><th>share</th></tr>\n");
    for (int c = 0; c < STATS_MAX_STATUS; c++) {
        if (!status[c]) continue;
        fprintf(f, "<tr data-status=\"%d\"><td>%s", c, c ? "" : "-");
        if (c) fprintf(f, "%d", c);
        fprintf(f, "</td><td>%s</td><td data-count=\"%lld\">%lld</td><td>%.1f%%"
                "</td></tr>\n", status_text(c), (long long)status[c],
                (long long)status[c], 100.0 * (double)status[c] / (double)total);
    }
    if (!total) fprintf(f, "<tr><td colspan=\"4\">no responses</td></tr>\n");
    fprintf(f, "</table>\n");
}

/* One row of the settings list. */
static void kv(FILE *f, const char *k, const char *v)
{
    fprintf(f, "<dt>");
    esc(f, k);
    fprintf(f, "</dt><dd>");
    esc(f, v);
    fprintf(f, "</dd>\n");
}

static double num(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* The load settings as people say them; zero, false and internal fields
 * left out. Unknown fields are shown with their name in words. */
/* The per-user setup and the warm-up, as the text report words them:
 * measured apart from everything above. */
static void measured_apart(FILE *f, const struct result *r)
{
    if (!r->user_setup.users && !r->warmup) return;
    char *txt = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&txt, &n);
    if (!m) return;
    report_apart(m, r);
    fclose(m);
    fprintf(f, "<h2>Measured apart: per-user setup and warm-up</h2><pre>");
    esc(f, txt);
    fprintf(f, "</pre>\n");
    free(txt);
}

static void settings(FILE *f, const struct result *r, int distributed)
{
    const cJSON *s = r->settings, *it;
    char b[96], d1[32], d2[32];
    fprintf(f, "<h2>Settings</h2>\n<dl class=\"kv\" id=\"settings\">\n");
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(s, "model");
    if (cJSON_IsString(model))
        kv(f, "load model", !strcmp(model->valuestring, "open") ?
           "open (arrivals at a fixed rate)" : "closed (a fixed number of users)");
    cJSON_ArrayForEach(it, s) {
        const char *k = it->string;
        if (!k || !strcmp(k, "model") || !strcmp(k, "think_max_s")) continue;
        if (!strcmp(k, "think_min_s")) {
            double a = num(s, "think_min_s"), z = num(s, "think_max_s");
            if (a <= 0 && z <= 0) continue;
            units_format_duration(d1, sizeof d1, a * 1e6);
            units_format_duration(d2, sizeof d2, z * 1e6);
            if (a == z) kv(f, "think time", d1);
            else {
                snprintf(b, sizeof b, "%s to %s (random)", d1, d2);
                kv(f, "think time", b);
            }
            continue;
        }
        if (!strcmp(k, "stages") && cJSON_IsArray(it)) {
            struct buf sb = {0};
            const cJSON *st;
            cJSON_ArrayForEach(st, it) {
                int open = cJSON_GetObjectItemCaseSensitive(st, "rate_per_s") != NULL;
                units_format_duration(d1, sizeof d1, num(st, "duration_s") * 1e6);
                buf_printf(&sb, "%s%s to %g%s", sb.len ? ", " : "", d1,
                           num(st, open ? "rate_per_s" : "users"),
                           open ? "/s" : " users");
            }
            if (sb.len) kv(f, "stages", buf_str(&sb));
            buf_free(&sb);
            continue;
        }
        if (cJSON_IsFalse(it) || cJSON_IsNull(it)) continue;
        if (cJSON_IsNumber(it) && it->valuedouble == 0) continue;
        if (!strcmp(k, "insecure")) {
            kv(f, "TLS verification", "off (insecure)");
            continue;
        }
        static const struct { const char *k, *label, *unit; } names[] = {
            {"users", "users", ""}, {"max_users", "at most", " users"},
            {"rate_per_s", "arrival rate", "/s"},
            {"spawn_rate", "spawn rate", " users/s"},
            {"iterations", "iterations", ""}, {"scenarios", "scenarios", ""},
        };
        const char *label = NULL, *unit = "";
        for (size_t i = 0; i < sizeof names / sizeof *names; i++)
            if (!strcmp(names[i].k, k)) label = names[i].label, unit = names[i].unit;
        size_t kl = strlen(k);
        char words[64];
        snprintf(words, sizeof words, "%s", k);
        for (char *p = words; *p; p++) if (*p == '_') *p = ' ';
        if (!label && kl > 2 && !strcmp(k + kl - 2, "_s") && cJSON_IsNumber(it)) {
            words[kl - 2 < sizeof words ? kl - 2 : sizeof words - 1] = 0;
            if (!strcmp(k, "timeout_s")) snprintf(words, sizeof words, "request timeout");
            kv(f, words, units_format_duration(d1, sizeof d1, it->valuedouble * 1e6));
            continue;
        }
        if (cJSON_IsNumber(it)) snprintf(b, sizeof b, "%g%s", it->valuedouble, unit);
        else if (cJSON_IsString(it)) snprintf(b, sizeof b, "%s", it->valuestring);
        else if (cJSON_IsTrue(it)) snprintf(b, sizeof b, "yes");
        else {
            char *p = cJSON_PrintUnformatted(it);
            snprintf(b, sizeof b, "%s", p ? p : "?");
            cJSON_free(p);
        }
        kv(f, label ? label : words, b);
    }
    kv(f, "plan file", r->plan_file ? r->plan_file : "-");
    if (r->git_commit) kv(f, "commit", r->git_commit);
    if (distributed) {
        snprintf(b, sizeof b, "%d ok, %d failed, %d truncated, %d late of %d",
                 r->shards_ok, r->shards_failed, r->shards_truncated,
                 r->shards_late, r->shards_total);
        kv(f, "shards", b);
    }
    kv(f, "herd", HERD_VERSION);
    fprintf(f, "</dl>\n");
}

static double *dalloc(int n)
{
    return xcalloc((size_t)(n > 0 ? n : 1), sizeof(double));
}

/* More colours for one line per transaction. */
static const char *const palette[] = {C_BLUE, C_RED, C_GREEN, C_PURPLE,
                                      C_ORANGE};
#define TX_PER_CHART 5

/* One transaction's p95 per second as a series: its own sparse timeline,
 * a missing second breaks the line. x and y are filled (cap entries). */
static int tx_points(const struct stats_tx *t, const struct result *r,
                     double secs, double *x, double *y)
{
    int n = 0;
    for (int i = 0; i < t->nsec; i++) {
        const struct stats_sec *c = &t->sec[i];
        if (i && c->t - t->sec[i - 1].t > 1) {
            x[n] = ((double)c->t * 1000 - (double)r->started_unix_ms) / 1e3;
            y[n++] = NAN;
        }
        double xs = ((double)c->t * 1000 + 500 - (double)r->started_unix_ms) / 1e3;
        x[n] = xs < 0 ? 0 : xs > secs ? secs : xs;
        y[n++] = c->hist ? (double)hist_percentile(c->hist, 95) : NAN;
    }
    return n;
}

/* p95 latency per second, one line per transaction of a kind (flows: the
 * whole poll wait), TX_PER_CHART lines to a chart. p95 because it is what
 * k6's dashboard and Gatling's "response time percentiles over time" lead
 * with: the tail a user notices, and steadier per second than p99 at a
 * few requests a second. */
static void tx_charts(FILE *f, const struct result *r, double secs,
                      enum stats_kind kind)
{
    const struct stats *s = r->stats;
    int idx[TX_PER_CHART], k = 0, chart_no = 0;
    for (int i = 0; i <= s->ntx; i++) {
        /* A transaction that never succeeded has no p95 line to draw, nor
         * one from a result without per-transaction seconds (older herds). */
        if (i < s->ntx && (s->tx[i].kind != kind || !stats_tx_ok(&s->tx[i]) ||
                           !s->tx[i].nsec))
            continue;
        if (i < s->ntx) idx[k++] = i;
        if (k < TX_PER_CHART && i < s->ntx) continue;
        if (!k) break;
        struct series ser[TX_PER_CHART];
        double *buf[2 * TX_PER_CHART];
        char names[TX_PER_CHART][28];
        for (int j = 0; j < k; j++) {
            const struct stats_tx *t = &s->tx[idx[j]];
            buf[2 * j] = dalloc(2 * t->nsec);
            buf[2 * j + 1] = dalloc(2 * t->nsec);
            /* Long names are cut so the legend stays on one line. */
            snprintf(names[j], sizeof names[j], "%s", t->name);
            if (strlen(t->name) >= sizeof names[j])
                memcpy(names[j] + sizeof names[j] - 4, "...", 4);
            ser[j] = (struct series){names[j], palette[j], buf[2 * j],
                                     buf[2 * j + 1], 0, 0};
            ser[j].n = tx_points(t, r, secs, buf[2 * j], buf[2 * j + 1]);
        }
        char id[48];
        snprintf(id, sizeof id, "chart-%s-p95-%d",
                 kind == STATS_FLOW ? "flow" : "tx", ++chart_no);
        struct xaxis xa = {secs, 0, NULL, 0};
        int64_t cut = 0;
        for (int j = 0; j < k; j++) cut += stats_tx_tl_cut(&s->tx[idx[j]]);
        char note[96];
        snprintf(note, sizeof note, "(cut: %lld seconds past the memory bound "
                 "have no point)", (long long)cut);
        chart(f, id, kind == STATS_FLOW ? "Flow p95 per second, completed "
              "flows" : "p95 per second by transaction, successful requests",
              cut ? note : NULL, ser, k, HTML_AX_US, &xa);
        for (int j = 0; j < 2 * k; j++) free(buf[j]);
        k = 0;
    }
}

/* A phase cell: mean, with the raw value for tests. */
static void phase_cell(FILE *f, const struct stats_phase *ph, int which)
{
    char b[32];
    fprintf(f, "<td data-phase=\"%s\" data-ph-count=\"%lld\" data-ph-sum-us=\"%lld\">"
            "%s</td>", stats_phase_name(which), (long long)ph->count,
            (long long)ph->sum_us, ph->count ? units_format_duration(b,
            sizeof b, stats_phase_mean_us(ph)) : "-");
}

/* A bar of the mean request time split by phase (conns/requests weights
 * dns, connect and tls by how often they happen), scaled to the longest
 * transaction. */
static void phase_bar(FILE *f, const struct stats_tx *t, double longest_us)
{
    static const char *const col[STATS_PH__COUNT] = {
        C_ORANGE, C_GREEN, C_PURPLE, C_BLUE, "#0891b2"};
    double n = (double)t->phase[STATS_PH_WAIT].count;
    fprintf(f, "<td><svg width=\"240\" height=\"12\" role=\"img\">");
    double x = 0;
    for (int i = 0; i < STATS_PH__COUNT && n > 0 && longest_us > 0; i++) {
        double w = 240 * ((double)t->phase[i].sum_us / n) / longest_us;
        if (w <= 0) continue;
        fprintf(f, "<rect x=\"%.1f\" y=\"0\" width=\"%.1f\" height=\"12\" "
                "fill=\"%s\"><title>%s</title></rect>", x, w, col[i],
                stats_phase_name(i));
        x += w;
    }
    fprintf(f, "</svg></td>");
}

static void phase_row(FILE *f, const struct stats_tx *t, double longest_us)
{
    char b[32], c[32], d[32];
    fprintf(f, "<tr data-phases-of=\"");
    esc(f, t->name);
    fprintf(f, "\"><td>");
    esc(f, t->name);
    fprintf(f, "</td><td data-conns=\"%lld\">%lld</td>",
            (long long)t->phase[STATS_PH_CONNECT].count,
            (long long)t->phase[STATS_PH_CONNECT].count);
    for (int i = 0; i < STATS_PH__COUNT; i++) phase_cell(f, &t->phase[i], i);
    const struct stats_phase *w = &t->phase[STATS_PH_WAIT];
    fprintf(f, "<td>%s</td><td data-bytes=\"%lld\">%s</td><td data-bytes=\""
            "%lld\">%s</td>", w->count ? units_format_duration(b, sizeof b,
            (double)hist_percentile(w->hist, 95)) : "-",
            (long long)t->sent_bytes, report_bytes(c, sizeof c, t->sent_bytes),
            (long long)t->received_bytes,
            report_bytes(d, sizeof d, t->received_bytes));
    phase_bar(f, t, longest_us);
    fprintf(f, "</tr>\n");
}

/* Mean time per request through every phase, for the bar's scale. */
static double request_us(const struct stats_tx *t)
{
    double n = (double)t->phase[STATS_PH_WAIT].count, sum = 0;
    for (int i = 0; i < STATS_PH__COUNT && n > 0; i++)
        sum += (double)t->phase[i].sum_us / n;
    return sum;
}

/* Where the request time went, per request transaction (k6's
 * http_req_connecting, tls_handshaking, waiting, receiving), and the
 * bytes sent and received. */
static void phases_table(FILE *f, const struct stats *s)
{
    double longest = 0;
    for (int i = 0; i < s->ntx; i++)
        if (s->tx[i].kind == STATS_REQUEST && request_us(&s->tx[i]) > longest)
            longest = request_us(&s->tx[i]);
    fprintf(f, "<h2>Request phases and bytes</h2>\n<p class=\"note\">Mean "
            "time of the requests that went through each phase, failed ones "
            "too. dns, connect and tls happen on a new connection only "
            "(conns); a reused connection skips them. wait: request sent to "
            "first byte of the answer; transfer: first byte to last. Bytes "
            "as on the wire, headers included (a chunked body's framing is "
            "counted on the fast path, not on libcurl's). The bar: mean time per request, "
            "<span style=\"color:%s\">dns</span> <span style=\"color:%s\">"
            "connect</span> <span style=\"color:%s\">tls</span> <span "
            "style=\"color:%s\">wait</span> <span style=\"color:#0891b2\">"
            "transfer</span>.</p>\n<table id=\"phases\"><tr><th>transaction"
            "</th><th>conns</th><th>dns</th><th>connect</th><th>tls</th>"
            "<th>wait</th><th>transfer</th><th>wait p95</th><th>sent</th>"
            "<th>received</th><th>mean request</th></tr>\n", C_ORANGE,
            C_GREEN, C_PURPLE, C_BLUE);
    for (int i = 0; i < s->ntx; i++)
        if (s->tx[i].kind == STATS_REQUEST) phase_row(f, &s->tx[i], longest);
    struct stats_tx all;
    stats_tx_sum(s, STATS_REQUEST, "all requests", &all);
    phase_row(f, &all, request_us(&all) > longest ? request_us(&all) : longest);
    stats_tx_clear(&all);
    fprintf(f, "</table>\n");
}

/* Title, verdict and the run line. */
static void page_top(FILE *f, const struct result *r, double secs)
{
    int passed = result_passed(r);
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

}

/* Headline tiles: the flows first when the plan has any (they are what
 * the plan is about), then the requests. */
static void headline_tiles(FILE *f, const struct result *r, double secs,
                           const struct stats_tx *all,
                           const struct stats_tx *flows, int has_flows,
                           int distributed)
{
    const struct stats *s = r->stats;
    char b[64], sub[64];
    if (has_flows) {
        int64_t fok = stats_tx_ok(flows);
        fprintf(f, "<div class=\"tiles\" id=\"flow-tiles\">\n");
        snprintf(b, sizeof b, "%lld", (long long)fok);
        snprintf(sub, sizeof sub, "of %lld started", (long long)(flows->count +
                 flows->errors - flows->failed));
        tile(f, "flows completed", b, "flows", "flowt", sub);
        snprintf(b, sizeof b, "%lld", (long long)flows->errors);
        tile(f, "flows failed", b, "flow-errors", flows->errors ? "bad" : "flowt",
             NULL);
        if (fok) units_format_duration(b, sizeof b,
                                       (double)hist_percentile(flows->hist, 50));
        else snprintf(b, sizeof b, "-");
        tile(f, "flow p50", b, "flow-p50", "flowt", "completed flows");
        if (fok) units_format_duration(b, sizeof b,
                                       (double)hist_percentile(flows->hist, 95));
        else snprintf(b, sizeof b, "-");
        tile(f, "flow p95", b, "flow-p95", "flowt", "completed flows");
        fprintf(f, "</div>\n");
    }
    fprintf(f, "<div class=\"tiles\" id=\"request-tiles\">\n");
    snprintf(b, sizeof b, "%lld", (long long)all->count);
    tile(f, has_flows ? "HTTP requests" : "requests", b, "requests", NULL, NULL);
    snprintf(b, sizeof b, "%lld", (long long)stats_tx_ok(all));
    tile(f, "successful", b, "ok", NULL, NULL);
    snprintf(b, sizeof b, "%lld", (long long)all->errors);
    snprintf(sub, sizeof sub, "%.2f%% of requests", all->count ?
             100.0 * (double)all->errors / (double)all->count : 0.0);
    tile(f, "failed", b, "errors", all->errors ? "bad" : NULL, sub);
    snprintf(b, sizeof b, "%.1f/s", secs > 0 ? (double)all->count / secs : 0);
    tile(f, "throughput", b, "throughput", NULL, NULL);
    if (stats_tx_ok(all))
        units_format_duration(b, sizeof b, (double)hist_percentile(all->hist, 99));
    else
        snprintf(b, sizeof b, "-");
    tile(f, "p99", b, "p99", NULL, "successful requests");
    snprintf(b, sizeof b, "%lld", (long long)s->iter_started);
    tile(f, "iterations", b, "iterations", NULL, NULL);
    if (distributed) {
        snprintf(b, sizeof b, "%d/%d", r->shards_ok, r->shards_total);
        tile(f, "shards ok", b, "shards", r->shards_ok < r->shards_total ?
             "bad" : NULL, NULL);
    }
    fprintf(f, "</div>\n");
    char it[160];
    fprintf(f, "<p>%s</p>\n", report_iterations(it, sizeof it, s));
}

static void thresholds_table(FILE *f, const struct result *r)
{
    const cJSON *t;
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

}

/* The whole run's charts over time. x: seconds since the start, each
 * second drawn at its middle. */
static void run_charts(FILE *f, const struct result *r, double secs,
                       int has_flows)
{
    const struct stats *s = r->stats;
    /* The timeline lists only the seconds with data: a gap
     * between two of them is drawn at zero rate (a point at zero on each
     * side of it) and breaks the latency lines. Rates use only whole
     * seconds (a partial first or last second would show as a fake drop);
     * latencies only seconds with successful samples (no point at 0 for a
     * second without any). */
    int cap = 3 * s->nsec + 1, n = 0, partial = 0;
    double *x = dalloc(cap), *req = dalloc(cap), *err = dalloc(cap);
    double *it = dalloc(cap), *p50 = dalloc(cap), *p99 = dalloc(cap);
    double *users = dalloc(cap);
    for (int i = 0; i < s->nsec; i++) {
        const struct stats_sec *c = &s->sec[i];
        int64_t prev = i ? s->sec[i - 1].t : c->t - 1;
        for (int64_t g = 0; g < 2 && c->t - prev > 1 + g; g++) {
            int64_t gt = g == 0 ? prev + 1 : c->t - 1;    /* a gap: zeros */
            x[n] = ((double)gt * 1000 + 500 - (double)r->started_unix_ms) / 1e3;
            p50[n] = p99[n] = NAN;
            n++;
        }
        int whole = c->t * 1000 >= r->started_unix_ms &&
                    (c->t + 1) * 1000 <= r->finished_unix_ms;
        partial += !whole;
        x[n] = ((double)c->t * 1000 + 500 - (double)r->started_unix_ms) / 1e3;
        req[n] = whole ? (double)c->requests : NAN;
        err[n] = whole ? (double)c->errors : NAN;
        it[n] = whole ? (double)c->iterations : NAN;
        p50[n] = c->hist ? (double)hist_percentile(c->hist, 50) : NAN;
        p99[n] = c->hist ? (double)hist_percentile(c->hist, 99) : NAN;
        users[n++] = (double)c->active_users;
    }
    for (int i = 0; i < n; i++) {
        if (x[i] < 0) x[i] = 0;
        if (x[i] > secs) x[i] = secs;
    }
    struct xaxis xa = {secs, 0, NULL, 0};
    fprintf(f, "<h2>Over time</h2>\n");
    struct series thr[2] = {{"requests/s", C_BLUE, x, req, n, 0},
                            {"failed requests/s", C_RED, x, err, n, 0}};
    chart(f, "chart-throughput", "Requests per second", partial ?
          "(whole seconds only: the partial first and last seconds are left out)"
          : NULL, thr, 2, HTML_AX_COUNT, &xa);
    struct series lat[2] = {{"p50", C_BLUE, x, p50, n, 0},
                            {"p99", C_RED, x, p99, n, 0}};
    chart(f, "chart-latency", "Latency per second, successful requests",
          NULL, lat, 2, HTML_AX_US, &xa);
    struct series us[1] = {{"active users", C_GREEN, x, users, n, 0}};
    chart(f, "chart-users", "Active users", NULL, us, 1, HTML_AX_COUNT, &xa);
    if (has_flows) {
        struct series its[1] = {{"iterations finished/s", C_PURPLE, x, it, n, 0}};
        chart(f, "chart-iterations", "Iterations finished per second", NULL,
              its, 1, HTML_AX_COUNT, &xa);
    }
    free(x); free(req); free(err); free(it); free(p50); free(p99); free(users);

}

static void errors_table(FILE *f, const struct stats *s)
{
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
    fprintf(f, "</table>\n");
}

static void failures_list(FILE *f, const struct result *r)
{
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
}

int html_report(FILE *f, const struct result *r)
{
    const struct stats *s = r->stats;
    double secs = (double)(r->finished_unix_ms - r->started_unix_ms) / 1e3;
    int distributed = (r->mode && strcmp(r->mode, "local")) || r->shards_total > 1;
    page_top(f, r, secs);
    struct stats_tx all, flows;
    stats_tx_sum(s, STATS_REQUEST, "all", &all);
    stats_tx_sum(s, STATS_FLOW, "flows", &flows);
    int has_flows = 0;
    for (int i = 0; i < s->ntx; i++) has_flows |= s->tx[i].kind == STATS_FLOW;
    headline_tiles(f, r, secs, &all, &flows, has_flows, distributed);
    thresholds_table(f, r);
    run_charts(f, r, secs, has_flows);
    tx_charts(f, r, secs, STATS_FLOW);
    tx_charts(f, r, secs, STATS_REQUEST);
    fprintf(f, "<h2>Latency distribution</h2>\n");
    if (has_flows)
        distribution(f, "dist-flows", "Flows (container time)", &flows);
    distribution(f, "dist-requests", "HTTP requests", &all);
    stats_tx_clear(&all);
    stats_tx_clear(&flows);

    fprintf(f, "<h2>Transactions</h2>\n");
    tx_table(f, s, secs);

    phases_table(f, s);
    errors_table(f, s);
    status_table(f, s);
    failures_list(f, r);
    measured_apart(f, r);
    settings(f, r, distributed);
    if (r->settings && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r->settings, "insecure")))
        fprintf(f, "<p><b>TLS verification was off</b> (insecure: true).</p>\n");
    fprintf(f, "</body></html>\n");
    return ferror(f) ? -1 : 0;
}

/* The href of the HTML report beside result file path (X.json -> X.html),
 * relative to the directory of out when both are known, or NULL when the
 * report does not exist. Caller frees. */
static char *report_href(const char *path, const char *out)
{
    if (!path) return NULL;
    size_t l = strlen(path);
    struct buf p = {0};
    if (l > 5 && !strcmp(path + l - 5, ".json")) buf_append(&p, path, l - 5);
    else buf_puts(&p, path);
    buf_puts(&p, ".html");
    char *abs = realpath(buf_str(&p), NULL);
    buf_free(&p);
    if (!abs) return NULL;
    char *href = NULL;
    char *od = NULL;
    if (out) {
        struct buf d = {0};
        const char *sl = strrchr(out, '/');
        if (sl) buf_append(&d, out, (size_t)(sl - out) + 1);
        else buf_puts(&d, ".");
        od = realpath(buf_str(&d), NULL);
        buf_free(&d);
    }
    if (od) {
        /* The last common directory, then "../" per directory of od
         * below it. */
        size_t c = 0;
        for (size_t i = 0;; i++) {
            if ((od[i] == '/' || !od[i]) && abs[i] == '/') c = i;
            if (!od[i] || od[i] != abs[i]) break;
        }
        struct buf h = {0};
        for (const char *q = od + c; *q; q++)
            if (*q != '/' && q[-1] == '/') buf_puts(&h, "../");
        buf_puts(&h, abs + c + 1);
        href = buf_steal(&h);
    } else {
        struct buf h = {0};
        buf_printf(&h, "file://%s", abs);
        href = buf_steal(&h);
    }
    free(od);
    free(abs);
    return href;
}

/* "2026-11-30 19:24" (a newline instead of the space when nl), with the
 * seconds when secs. */
static void run_label(char *b, size_t n, const struct result *r, int nl,
                      int secs)
{
    time_t tt = (time_t)(r->started_unix_ms / 1000);
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(b, n, nl ? (secs ? "%Y-%m-%d\n%H:%M:%S" : "%Y-%m-%d\n%H:%M") :
             secs ? "%Y-%m-%d %H:%M:%S" : "%Y-%m-%d %H:%M", &tm);
}

/* The history page's table: one row per run, linked to its report. */
static void history_runs_table(FILE *f, struct result *const *runs,
                               const char *const *paths, int n,
                               const char *out)
{
    fprintf(f, "<h2>Runs</h2>\n<table id=\"runs\"><tr><th>run</th><th>started "
            "(UTC)</th><th>verdict</th><th>requests</th><th>throughput</th>"
            "<th>p95 (successful)</th><th>p99 (successful)</th><th>error rate"
            "</th></tr>\n");
    for (int r = 0; r < n; r++) {
        struct stats_tx t;
        stats_tx_sum(runs[r]->stats, STATS_REQUEST, "http", &t);
        char when[40], p95[32], p99[32];
        double secs = (double)(runs[r]->finished_unix_ms -
                               runs[r]->started_unix_ms) / 1e3;
        run_label(when, sizeof when, runs[r], 0, 1);
        char *href = paths ? report_href(paths[r], out) : NULL;
        int ok = stats_tx_ok(&t) > 0;
        fprintf(f, "<tr><td>");
        if (href) {
            fprintf(f, "<a href=\"");
            esc(f, href);
            fprintf(f, "\">");
        }
        esc(f, runs[r]->run_id);
        if (href) fprintf(f, "</a>");
        free(href);
        fprintf(f, "</td><td>%s</td><td>%s</td><td>%lld</td><td>%.1f/s</td>"
                "<td>%s</td><td>%s</td><td>%.2f%%</td></tr>\n", when,
                result_passed(runs[r]) ? "PASS" : "FAIL", (long long)t.count,
                secs > 0 ? (double)t.count / secs : 0.0,
                ok ? units_format_duration(p95, sizeof p95,
                                           (double)hist_percentile(t.hist, 95)) : "-",
                ok ? units_format_duration(p99, sizeof p99,
                                           (double)hist_percentile(t.hist, 99)) : "-",
                t.count ? 100.0 * (double)t.errors / (double)t.count : 0.0);
        stats_tx_clear(&t);
    }
    fprintf(f, "</table>\n");
}

/* The request transaction called name in run r, or NULL. */
static const struct stats_tx *history_tx(const struct result *r,
                                         const char *name)
{
    for (int i = 0; i < r->stats->ntx; i++)
        if (r->stats->tx[i].kind == STATS_REQUEST &&
            !strcmp(r->stats->tx[i].name, name))
            return &r->stats->tx[i];
    return NULL;
}

/* The history page's phases view of request transaction name (chart ids
 * hK-phases and hK-bytes): p95 of wait, connect and tls by run (connect
 * and tls over new connections only: no point in a run that opened none)
 * and the mean bytes sent and received per request. Nothing when no run
 * measured its phases (results from before they existed). */
static void history_phases(FILE *f, struct result *const *runs, int n,
                           const char *name, int k, const struct xaxis *xa,
                           double *x)
{
    static const int ph[3] = {STATS_PH_WAIT, STATS_PH_CONNECT, STATS_PH_TLS};
    double *y[5];
    int any = 0;
    for (int j = 0; j < 5; j++) y[j] = dalloc(n);
    for (int r = 0; r < n; r++) {
        const struct stats_tx *t = history_tx(runs[r], name);
        x[r] = r;
        for (int j = 0; j < 3; j++)
            y[j][r] = t && t->phase[ph[j]].count
                ? (double)hist_percentile(t->phase[ph[j]].hist, 95) : NAN;
        int has = t && t->phase[STATS_PH_WAIT].count > 0;
        any |= has;
        y[3][r] = has ? (double)t->sent_bytes / (double)t->count : NAN;
        y[4][r] = has ? (double)t->received_bytes / (double)t->count : NAN;
    }
    if (any) {
        static const char *const nm[3] = {"wait p95", "connect p95", "tls p95"};
        static const char *const co[3] = {C_PURPLE, C_BLUE, C_ORANGE};
        struct series p[3];
        int np = 0;
        /* A phase no run went through (tls on http) gets no line and no
         * legend entry. */
        for (int j = 0; j < 3; j++) {
            int has = 0;
            for (int r = 0; r < n; r++) has |= !isnan(y[j][r]);
            if (has)
                p[np++] = (struct series){nm[j], co[j], x, y[j], n, 0};
        }
        char id[32];
        snprintf(id, sizeof id, "h%d-phases", k);
        chart(f, id, "Request phases by run", "(p95; connect and tls of new "
              "connections)", p, np, HTML_AX_US, xa);
        struct series b[2] = {{"received", C_GREEN, x, y[4], n, 0},
                              {"sent", C_BLUE, x, y[3], n, 1}};
        snprintf(id, sizeof id, "h%d-bytes", k);
        chart(f, id, "Bytes per request by run", "(mean, bytes)", b, 2,
              HTML_AX_COUNT, xa);
    }
    for (int j = 0; j < 5; j++) free(y[j]);
}

int html_history_files(FILE *f, const char *plan, struct result *const *runs,
                       const char *const *paths, int n, const char *out)
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
        run_label(a, sizeof a, runs[0], 0, 0);
        run_label(z, sizeof z, runs[n - 1], 0, 0);
        if (n == 1) fprintf(f, ", %s UTC", a);
        else fprintf(f, ", %s to %s UTC, oldest on the left", a, z);
    }
    fprintf(f, ".</p>\n");
    char (*labs)[24] = xcalloc((size_t)(n ? n : 1), sizeof *labs);
    const char **lp = xcalloc((size_t)(n ? n : 1), sizeof *lp);
    /* Two runs in one minute would share a label: then seconds too. */
    int secs_needed = 0;
    for (int r = 1; r < n; r++)
        secs_needed |= runs[r]->started_unix_ms / 60000 ==
                       runs[r - 1]->started_unix_ms / 60000;
    for (int r = 0; r < n; r++) {
        run_label(labs[r], sizeof labs[r], runs[r], 1, secs_needed);
        lp[r] = labs[r];
    }
    struct xaxis xa = {0, n, lp, 190};
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
    double *x = dalloc(n), *y[5];
    for (int k = 0; k < 5; k++) y[k] = dalloc(n);
    for (int k = 0; k < nn; k++) {
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
            double secs = (double)(runs[r]->finished_unix_ms -
                                   runs[r]->started_unix_ms) / 1e3;
            x[r] = r;
            /* Latencies: successful samples (no point in a run with none,
             * whose error rate still counts). */
            int ok = t && stats_tx_ok(t) > 0;
            y[0][r] = ok ? (double)hist_percentile(t->hist, 50) : NAN;
            y[1][r] = ok ? (double)hist_percentile(t->hist, 95) : NAN;
            y[2][r] = ok ? (double)hist_percentile(t->hist, 99) : NAN;
            y[3][r] = t && t->count ? (double)t->errors / (double)t->count : NAN;
            y[4][r] = t && t->count && secs > 0 ? (double)t->count / secs : NAN;
            if (kinds[k] < 0) stats_tx_clear(&sum);
        }
        fprintf(f, "<h2>");
        esc(f, kinds[k] < 0 ? "all requests (http)" : names[k]);
        if (kinds[k] == STATS_FLOW) fprintf(f, " <small>(flow)</small>");
        fprintf(f, "</h2>\n");
        char id[32];
        struct series lat[3] = {{"p50", C_BLUE, x, y[0], n, 0},
                                {"p95", C_PURPLE, x, y[1], n, 0},
                                {"p99", C_RED, x, y[2], n, 0}};
        snprintf(id, sizeof id, "h%d-latency", k);
        chart(f, id, "Latency by run", "(successful samples)", lat, 3,
              HTML_AX_US, &xa);
        struct series th[1] = {{kinds[k] == STATS_FLOW ? "flows/s" :
                                "requests/s", C_GREEN, x, y[4], n, 0}};
        snprintf(id, sizeof id, "h%d-throughput", k);
        chart(f, id, "Throughput by run", NULL, th, 1, HTML_AX_COUNT, &xa);
        struct series er[1] = {{"error rate", C_RED, x, y[3], n, 0}};
        snprintf(id, sizeof id, "h%d-errors", k);
        chart(f, id, "Error rate by run", NULL, er, 1, HTML_AX_PCT, &xa);
        if (kinds[k] == STATS_REQUEST)
            history_phases(f, runs, n, names[k], k, &xa, x);
    }
    history_runs_table(f, runs, paths, n, out);
    fprintf(f, "</body></html>\n");
    free(names);
    free(kinds);
    free(labs);
    free(lp);
    free(x);
    for (int k = 0; k < 5; k++) free(y[k]);
    return ferror(f) ? -1 : 0;
}

int html_history(FILE *f, const char *plan, struct result *const *runs,
                 int n)
{
    return html_history_files(f, plan, runs, NULL, n, NULL);
}
