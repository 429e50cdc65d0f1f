/* review.c — reading results back: report, recover, history, merge,
 * compare; see review.h. */
#include "review.h"
#include "buf.h"
#include "exitcode.h"
#include "html.h"
#include "journal.h"
#include "report.h"
#ifndef HERD_NO_DB
#include "store.h"
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int review_print(FILE *f, const struct result *r, enum review_format fmt)
{
    switch (fmt) {
    case REVIEW_HTML: return html_report(f, r);
    case REVIEW_CSV: return report_csv(f, r);
    case REVIEW_MARKDOWN: return report_markdown(f, r);
    default: return report_text(f, r);
    }
}

int review_write_file(const char *path, const struct result *r,
                      enum review_format fmt)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    int rc = review_print(f, r, fmt);
    if (fclose(f) != 0) rc = -1;
    return rc;
}

int review_report(const char *file, enum review_format fmt, const char *html)
{
    char err[512];
    struct result *r = result_read(file, err, sizeof err);
    if (!r) {
        fprintf(stderr, "herd: %s: %s\n", file, err);
        return EXIT_IO;
    }
    int rc;
    if (html) {
        rc = review_write_file(html, r, REVIEW_HTML) < 0 ? EXIT_IO : EXIT_OK;
        if (rc) fprintf(stderr, "herd: %s: cannot write: %s\n", html,
                        strerror(errno));
    } else {
        rc = review_print(stdout, r, fmt) < 0 || fflush(stdout) != 0 ?
             EXIT_IO : EXIT_OK;
    }
    result_free(r);
    return rc;
}

/* ---- --recover ---------------------------------------------------------- */

int review_recover(const char *journal, const char *out_arg)
{
    struct buf out = {0};
    if (out_arg) buf_puts(&out, out_arg);
    else if (!buf_put_stem(&out, journal, ".journal")) buf_puts(&out, ".json");
    if (access(buf_str(&out), F_OK) == 0) {
        fprintf(stderr, "herd: %s exists; choose another -o\n", buf_str(&out));
        buf_free(&out);
        return EXIT_USAGE;
    }
    char err[512];
    int records, torn;
    result_malloc_for_merging();
    struct result *r = journal_recover(journal, &records, &torn, err,
                                       sizeof err);
    if (!r) {
        fprintf(stderr, "herd: %s: %s\n", journal, err);
        buf_free(&out);
        return EXIT_IO;
    }
    int rc = EXIT_OK;
    if (result_write(r, buf_str(&out)) < 0) {
        fprintf(stderr, "herd: %s: cannot write the result: %s\n",
                buf_str(&out), strerror(errno));
        rc = EXIT_IO;
    } else {
        if (report_text(stdout, r) < 0 || fflush(stdout) != 0) rc = EXIT_IO;
        fprintf(stderr, "recovered %d record%s%s into %s (the run was cut "
                "short: marked interrupted, thresholds not evaluated, "
                "teardown did not run)\n", records, records == 1 ? "" : "s",
                torn ? ", ignored a record cut off by the kill" : "",
                buf_str(&out));
    }
    result_free(r);
    buf_free(&out);
    return rc;
}

/* ---- --history ---------------------------------------------------------- */

static int by_start(const void *a, const void *b)
{
    const struct result *x = *(struct result *const *)a;
    const struct result *y = *(struct result *const *)b;
    return x->started_unix_ms < y->started_unix_ms ? -1 :
           x->started_unix_ms > y->started_unix_ms;
}

/* Sorts runs by start time, each keeping its path (insertion sort: a
 * history is tens of runs). */
static void sort_runs(struct result **runs, const char **paths, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && by_start(&runs[j - 1], &runs[j]) > 0; j--) {
            struct result *r = runs[j]; runs[j] = runs[j - 1]; runs[j - 1] = r;
            const char *p = paths[j]; paths[j] = paths[j - 1]; paths[j - 1] = p;
        }
}

/* Appends the plan's runs among files to runs/paths. Returns an exit
 * code. */
static int history_files(const char *plan, const char **files, int nfiles,
                         struct result **runs, const char **paths, int *n)
{
    char err[600];
    for (int i = 0; i < nfiles; i++) {
        struct result *r = result_read(files[i], err, sizeof err);
        if (!r) {
            fprintf(stderr, "herd: %s: %s\n", files[i], err);
            return EXIT_IO;
        }
        if (r->plan_name && strcmp(r->plan_name, plan)) {
            fprintf(stderr, "herd: %s: plan \"%s\", not \"%s\": left out\n",
                    files[i], r->plan_name, plan);
            result_free(r);
            continue;
        }
        paths[*n] = files[i];
        runs[(*n)++] = r;
    }
    return EXIT_OK;
}

/* Appends the plan's last runs in the database. Returns an exit code. */
static int history_db(const char *plan, long long last, const char *db,
                      struct result **runs, int *n)
{
#ifndef HERD_NO_DB
    char err[600];
    const char *ci = store_conninfo(db);
    struct store *c = ci ? store_open(ci) : NULL;
    int rc = c ? EXIT_OK : ci ? EXIT_DB : EXIT_USAGE;
    char **ids = xcalloc((size_t)last, sizeof *ids);
    int got = c ? store_recent_runs(c, plan, NULL, (int)last, ids, err,
                                    sizeof err) : 0;
    if (got < 0) {
        store_mask(ci, err);
        fprintf(stderr, "herd: %s\n", err);
        rc = EXIT_DB;
    }
    for (int i = 0; i < got; i++) {
        struct result *r = store_load(c, ids[i], err, sizeof err);
        if (r) runs[(*n)++] = r;
        free(ids[i]);
    }
    free(ids);
    store_close(c);
    return rc;
#else
    (void)plan; (void)db; (void)runs; (void)n; (void)last;
    fprintf(stderr, "herd: --last: this build has no database support\n");
    return EXIT_USAGE;
#endif
}

int review_history(const char *plan, const char **files, int nfiles,
                   long long last, const char *db, const char *out)
{
    struct result **runs = xcalloc((size_t)(nfiles + last + 1), sizeof *runs);
    const char **paths = xcalloc((size_t)(nfiles + last + 1), sizeof *paths);
    int n = 0;
    int rc = history_files(plan, files, nfiles, runs, paths, &n);
    if (rc == EXIT_OK && last > 0) rc = history_db(plan, last, db, runs, &n);
    if (rc == EXIT_OK) {
        /* Each run keeps its file through the sort: the page links a run
         * to the report beside its result (none for database runs). */
        sort_runs(runs, paths, n);
        FILE *f = fopen(out, "w");
        if (!f || html_history_files(f, plan, runs, paths, n, out) < 0)
            rc = EXIT_IO;
        if (f && fclose(f) != 0) rc = EXIT_IO;
        if (rc == EXIT_OK)
            fprintf(stderr, "history of %d run%s: %s\n", n, n == 1 ? "" : "s",
                    out);
        else
            fprintf(stderr, "herd: %s: cannot write: %s\n", out,
                    strerror(errno));
    }
    for (int i = 0; i < n; i++) result_free(runs[i]);
    free(runs);
    free(paths);
    return rc;
}

/* ---- merge -------------------------------------------------------------- */

int review_merge(const char **in, int nin, const char *out)
{
    result_malloc_for_merging();
    struct result *all = NULL;
    int rc = EXIT_OK;
    for (int i = 0; i < nin && rc == EXIT_OK; i++) {
        char err[512];
        struct result *r = result_read(in[i], err, sizeof err);
        if (!r) {
            fprintf(stderr, "herd: %s: %s\n", in[i], err);
            rc = EXIT_IO;
        } else if (!all) {
            all = r;
        } else {
            if (result_merge(all, r) < 0) {
                fprintf(stderr, "herd: %s: histograms use a different layout; "
                        "cannot merge exactly\n", in[i]);
                rc = EXIT_IO;
            }
            result_free(r);
        }
    }
    if (rc == EXIT_OK && result_write(all, out) < 0) {
        fprintf(stderr, "herd: %s: cannot write: %s\n", out, strerror(errno));
        rc = EXIT_IO;
    }
    if (rc == EXIT_OK)
        fprintf(stderr, "merged %d result%s into %s\n", nin,
                nin == 1 ? "" : "s", out);
    result_free(all);
    return rc;
}

/* ---- compare ------------------------------------------------------------ */

#ifndef HERD_NO_DB
/* Loads "run:ID" from the database (connecting on first use) or a file.
 * NULL with *rc set when it cannot. */
static struct result *load_any(const char *what, struct store **c,
                               const char *db, int *rc)
{
    char err[600];
    if (!strncmp(what, "run:", 4)) {
        if (!*c) {
            const char *ci = store_conninfo(db);
            if (!ci) { *rc = EXIT_USAGE; return NULL; }
            if (!(*c = store_open(ci))) { *rc = EXIT_DB; return NULL; }
        }
        struct result *r = store_load(*c, what + 4, err, sizeof err);
        if (!r) { fprintf(stderr, "herd: %s\n", err); *rc = EXIT_DB; }
        return r;
    }
    struct result *r = result_read(what, err, sizeof err);
    if (!r) { fprintf(stderr, "herd: %s: %s\n", what, err); *rc = EXIT_IO; }
    return r;
}

/* The baseline of --last N: the median of the last runs of cur's plan
 * saved before it, into bs and label. Returns an exit code; *none is set
 * when there is no earlier run (said on stdout). */
static int median_of_last(const struct result *cur, long long last,
                          struct store **c, const char *db,
                          struct cmp_set *bs, struct buf *label, int *none)
{
    char err[600];
    const char *ci = store_conninfo(db);
    if (!ci) return EXIT_USAGE;
    if (!*c && !(*c = store_open(ci))) return EXIT_DB;
    const char *plan = cur->plan_name ? cur->plan_name : "";
    char **ids = xcalloc((size_t)last, sizeof *ids);
    int n = store_recent_runs(*c, plan, cur->run_id, (int)last, ids, err,
                              sizeof err);
    if (n < 0) {
        store_mask(ci, err);
        fprintf(stderr, "herd: %s\n", err);
        free(ids);
        return EXIT_DB;
    }
    struct cmp_set *sets = xcalloc((size_t)(n ? n : 1), sizeof *sets);
    int got = 0;
    for (int i = 0; i < n; i++) {
        struct result *b = store_load(*c, ids[i], err, sizeof err);
        if (b) { cmp_from_result(b, &sets[got++]); result_free(b); }
        else fprintf(stderr, "herd: skipping %s: %s\n", ids[i], err);
        free(ids[i]);
    }
    free(ids);
    if (!got) {
        printf("no earlier runs of plan \"%s\" in the database: nothing "
               "to compare with (first run?)\n", plan);
        *none = 1;
    } else {
        cmp_median(sets, got, bs);
        buf_printf(label, "the median of the last %d run%s of \"%s\"", got,
                   got == 1 ? "" : "s", cur->plan_name);
    }
    for (int i = 0; i < got; i++) cmp_set_free(&sets[i]);
    free(sets);
    return EXIT_OK;
}

int review_compare(const char *cur_arg, const char *base_arg,
                   long long last, const char *db, const struct cmp_tol *tol)
{
    int rc = EXIT_OK, none = 0;
    struct store *c = NULL;
    struct cmp_set cs = {0}, bs = {0};
    struct buf label = {0};
    struct result *cur = load_any(cur_arg, &c, db, &rc);
    if (cur) cmp_from_result(cur, &cs);
    if (cur && base_arg) {
        struct result *b = load_any(base_arg, &c, db, &rc);
        if (b) {
            cmp_from_result(b, &bs);
            buf_printf(&label, "%s (run %s)", base_arg,
                       b->run_id ? b->run_id : "-");
            result_free(b);
        }
    } else if (cur) {
        rc = median_of_last(cur, last, &c, db, &bs, &label, &none);
    }
    if (rc == EXIT_OK && !none) {
        struct buf cl = {0};
        buf_printf(&cl, "%s (run %s)", cur_arg,
                   cur->run_id ? cur->run_id : "-");
        int regressions = cmp_print(stdout, buf_str(&label), &bs,
                                    buf_str(&cl), &cs, tol);
        buf_free(&cl);
        if (fflush(stdout) != 0) rc = EXIT_IO;
        else if (regressions) rc = EXIT_REGRESSION;
    }
    cmp_set_free(&cs);
    cmp_set_free(&bs);
    buf_free(&label);
    result_free(cur);
    store_close(c);
    return rc;
}
#endif
