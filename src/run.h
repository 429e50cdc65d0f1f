/* run — `herd run`: one load test from plan to exit code.
 *
 * The command line (main.c) parses the options into struct run_args;
 * run_main does the rest in the order the README's "nothing is lost"
 * promise describes: load the plan (or a smoke test of a URL), check that
 * the result can be written, setup, the load (local workers journalling
 * once a second, or Lambda shards), teardown, the result file FIRST, then
 * the reports, the database, and the exit code naming every failure.
 *
 * Owns the process's only mutable global, the SIGINT/SIGTERM counter the
 * workers read (first signal: stop and report; second: skip teardown;
 * third: leave at once). Called once per process, from the main thread. */
#ifndef HERD_RUN_H
#define HERD_RUN_H
#include <stdint.h>

struct run_args {
    const char *plan;            /* plan file, URL or host:port/path */
    const char *out, *report, *csv, *duration, *run_id, *db;
    const char *data_root;
    int users, threads, debug, quiet, save;
    const char *lambda, *qualifier, *region, *endpoint, *start_delay, *part;
    int invocations, shard_retries;
    int no_stream;               /* buffered Invoke (coord.h) */
    int memory_mb, yes;          /* the cost estimate; --yes: not asked */
    int64_t iterations;          /* 0: the plan's */
    double rate;                 /* iterations per second; 0: the plan's */
};

/* Runs the load test a describes. Returns the process exit code
 * (exitcode.h; the precedence when several failures hold is
 * run_exit_code's, listed in the README). */
int run_main(const struct run_args *a);
#endif
