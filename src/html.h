/* html — the HTML reports: one self-contained file per run (summary,
 * throughput and errors over time, latency percentiles over time, the
 * latency distribution, active users, per-transaction table, errors,
 * settings), and a history page of one plan's runs week by week.
 *
 * Self-contained means no network at all: CSS inline, charts as inline
 * SVG drawn here, no scripts, no fonts. Numbers are printed with the same
 * formatting as the text report, and each table cell also carries its raw
 * value in a data- attribute so tests can compare the page with the JSON.
 * Pure formatting to a FILE; thread-safe. */
#ifndef HERD_HTML_H
#define HERD_HTML_H
#include <stdio.h>
#include "result.h"

/* Writes the report of one run. Returns 0, or -1 on a write error. */
int html_report(FILE *f, const struct result *r);

/* Writes the trend of several runs of one plan (oldest first): p50, p95,
 * p99 and error rate per transaction over time. Returns 0 or -1. */
int html_history(FILE *f, const char *plan, struct result *const *runs,
                 int n);
#endif
