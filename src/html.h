/* html — the HTML reports: one self-contained file per run (summary tiles,
 * flows first when the plan has any; requests and failed requests per
 * second, latency percentiles per second, active users; p95 per second of
 * each flow and each request transaction; the latency distributions with
 * p50/p95/p99 marks; per-transaction table with the successful and failed
 * samples apart; request phases and bytes; errors; status codes;
 * settings), and
 * a history page of one plan's runs (latency, throughput and error rate by
 * run).
 *
 * Self-contained means no network at all: CSS inline (with a print
 * stylesheet), charts as inline SVG drawn here, no scripts, no fonts.
 * Chart axes have round ticks (1, 2 or 5 x 10^n; whole numbers for
 * counts); each legend label carries its series' colour inline. Numbers
 * are printed with the same formatting as the text report, and each table
 * cell also carries its raw value in a data- attribute so tests can compare
 * the page with the JSON. Pure formatting to a FILE; thread-safe. */
#ifndef HERD_HTML_H
#define HERD_HTML_H
#include <stdio.h>
#include "result.h"

/* Writes the report of one run. Returns 0, or -1 on a write error. */
int html_report(FILE *f, const struct result *r);

/* Writes the trend of several runs of one plan (oldest first): p50, p95,
 * p99, throughput and error rate per transaction by run. Returns 0 or -1. */
int html_history(FILE *f, const char *plan, struct result *const *runs,
                 int n);
/* The same, linking each run to its HTML report when the file beside its
 * result exists (paths[i] is runs[i]'s result file, X.json -> X.html, or
 * NULL); links are relative to the directory of out (the page's own path)
 * when given. paths may be NULL. */
int html_history_files(FILE *f, const char *plan, struct result *const *runs,
                       const char *const *paths, int n, const char *out);

/* Axis helpers (exposed for tests). */
enum html_axis { HTML_AX_COUNT, HTML_AX_US, HTML_AX_PCT, HTML_AX_SEC };
/* The round tick step (1, 2 or 5 x 10^n) that cuts span into at most
 * max_ticks steps. */
double html_nice_step(double span, int max_ticks);
/* The top of an axis from 0 that shows max: a whole number of round steps
 * (whole numbers when integer); *step receives the step. */
double html_axis_top(double max, int integer, double *step);
/* A tick label: count "40", duration in us "20ms" (unit from top),
 * percent (v in percent) "0.5%", seconds "10s" / "5m". Returns b. */
char *html_tick_label(char *b, size_t n, double v, enum html_axis kind,
                      double top);
#endif
