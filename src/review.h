/* review — the commands that read results back: `herd report` (a result's
 * text, CSV, Markdown or HTML report; --recover from a killed run's
 * journal; --history of one plan), `herd merge` and `herd compare`.
 *
 * main.c parses their options and calls one function here per command;
 * each returns the process exit code (exitcode.h) and prints its own
 * one-line errors. Results come from files (result.c), journals
 * (journal.c) or the database (store.c, absent from builds with
 * HERD_NO_DB). Called from the main thread only. */
#ifndef HERD_REVIEW_H
#define HERD_REVIEW_H
#include <stdio.h>
#include "compare.h"
#include "result.h"

enum review_format { REVIEW_TEXT, REVIEW_CSV, REVIEW_HTML, REVIEW_MARKDOWN };

/* Writes r's report in format fmt to f. Returns 0 or -1. */
int review_print(FILE *f, const struct result *r, enum review_format fmt);
/* The same into a new file at path. Returns 0, or -1 with errno set. */
int review_write_file(const char *path, const struct result *r,
                      enum review_format fmt);

/* `herd report FILE`: the report of one result file on stdout, or with
 * html set, its HTML report into that file. */
int review_report(const char *file, enum review_format fmt, const char *html);
/* `herd report --recover JOURNAL [-o OUT]`: the result of a killed run
 * from its journal, into out (default: the journal's name without
 * .journal, with .json), refusing to overwrite. */
int review_recover(const char *journal, const char *out);
/* `herd report --history PLAN`: the plan's runs from files and/or the
 * last `last` runs in the database (db: --db or NULL), oldest first, as
 * an HTML page in out. Files of other plans are left out (said on
 * stderr). */
int review_history(const char *plan, const char **files, int nfiles,
                   long long last, const char *db, const char *out);
/* `herd merge IN... -o OUT`: the nin results merged exactly into out. */
int review_merge(const char **in, int nin, const char *out);
#ifndef HERD_NO_DB
/* `herd compare CUR (--baseline BASE | --last N)`: CUR and BASE are files
 * or "run:ID" in the database; with last > 0 the baseline is the median
 * of the last runs of the same plan saved before CUR. Prints the table;
 * EXIT_REGRESSION when a change is past tol. */
int review_compare(const char *cur, const char *base, long long last,
                   const char *db, const struct cmp_tol *tol);
#endif
#endif
