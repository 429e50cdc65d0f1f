/* engine — runs virtual users through a plan's scenarios and measures them.
 *
 * The seam shared by every mode: a worker takes the read-only plan and a
 * shard (which global user numbers it owns, when to start) and fills a
 * struct stats. Local runs start one worker per thread; a Lambda
 * invocation runs one shard; both merge with stats_merge/result_merge.
 *
 * Each worker thread owns one loop (epoll + timers), one libcurl multi
 * handle and its users. The only call into curl_multi_socket_action is in
 * engine.c, made from socket events and from the curl timer; completed
 * transfers are drained with curl_multi_info_read after every call. A user
 * is a session: its own easy handle, so its own cookies; between requests
 * it waits on a loop timer and costs nothing.
 *
 * Closed model: global user index k (0-based; the user number seen in
 * templates is k + 1 + user offset) is owned by the worker with
 * k % stride == first. Users are spawned at the plan's spawn rate following
 * its stages; every worker computes the same global schedule, so the spawn
 * rate holds however users are split. Open model: global arrival i is owned
 * by the worker with i % stride == first; arrivals that find no free user
 * wait in a bounded backlog and their latency counts from the intended
 * start (no coordinated omission); a full backlog drops them (counted).
 *
 * Threads: engine_run_load starts opts->threads workers and joins them;
 * workers share nothing but the plan and the stop flag. */
#ifndef HERD_ENGINE_H
#define HERD_ENGINE_H
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <cjson/cJSON.h>
#include "plan.h"
#include "stats.h"

struct engine_shard {
    int64_t first;               /* first global user/arrival index */
    int64_t stride;              /* this shard owns first, first+stride, ... */
    int64_t user_offset;         /* added to k + 1 for {{user}} */
    int64_t start_unix_ms;       /* when the load starts; 0 = now */
    int64_t elapsed_us;          /* this part starts this far into the
                                    load (consecutive Lambda invocations
                                    of one long test): schedules continue
                                    where the previous part stopped */
    int64_t end_unix_ms;         /* planned end of this part; 0 = the
                                    plan's duration */
    int64_t stop_unix_ms;        /* hard stop (e.g. Lambda deadline); 0 =
                                    none. Reaching it before the planned
                                    end marks the result truncated. */
};

struct engine_progress {         /* a snapshot for the live progress line */
    double elapsed_s, total_s;
    int64_t active_users, requests, errors, iterations;
    double rps;                  /* over the last second */
    int64_t p99_us;              /* last completed second, max of workers */
    int stopping;
    int shards_total;            /* > 0: a distributed run (lambda.h): */
    int shards_running, shards_done, shards_failed;
};

typedef void (*engine_progress_fn)(void *arg, const struct engine_progress *pr);

struct engine_opts {
    int threads;                 /* workers; <= 0: number of cores */
    struct engine_shard shard;
    /* Set by SIGINT/SIGTERM, read by every worker thread: an atomic, not
     * a sig_atomic_t, which is safe only within one thread (a lock-free
     * atomic is as safe in a signal handler). */
    const atomic_int *stop;
    FILE *debug;                 /* non-NULL: print every request/response */
    engine_progress_fn progress; /* called about once a second, may be NULL */
    void *progress_arg;
    int journal_fd;              /* > 0: each worker appends what it has
                                    measured once a second (journal.h) */
};

/* Variables extracted by setup, visible read-only to every user: an array
 * of plan->nvars strings (NULL = unset). */
struct engine_vars {
    char **v;
    int n;
};

void engine_global_init(void);   /* once per process: libcurl, SIGPIPE */

/* Runs steps once as a single user (setup or teardown): not counted in the
 * load statistics. Variables they extract are stored into vars (which must
 * have plan->nvars slots). Each failure appends one line to errors
 * ("setup[0] login: status 401 (expected 200)"). Returns the number of
 * failed steps (0 = all ok). */
int engine_run_steps(const struct plan *p, const char *what,
                     const struct plan_step *steps, int nsteps,
                     struct engine_vars *vars, cJSON *errors,
                     const struct engine_opts *o);

/* What engine_run_load measured besides its stats: when the load ran
 * (Unix ms, from its planned start to the end of its last iteration, as
 * the workers saw them), how late the workers' timers began, and whether
 * the hard stop came before the planned end. */
struct engine_span {
    int64_t started_unix_ms, finished_unix_ms;
    int64_t start_late_ms;
    int cut_short;
    /* The plan's on_start (per-user set-up): how it ended for the users
     * that ran it, and the first failure lines ("on_start user 7: register
     * user: status: 500 ..."): an array the caller frees (cJSON_Delete),
     * always set. None of it is in s. */
    int64_t setup_ok, setup_failed, setup_interrupted;
    cJSON *setup_errors;
};

/* Runs the load and merges every worker's stats into s (whose
 * transactions engine_register_tx registered), and fills *span (the
 * caller frees span->setup_errors). The
 * caller builds the result from them; the engine knows no result
 * document. Returns 0, or -1 if a worker could not start (message on
 * stderr). */
int engine_run_load(const struct plan *p, const struct engine_vars *vars,
                    const struct engine_opts *o, struct stats *s,
                    struct engine_span *span);

/* Registers the transactions the load can produce (the scenarios' steps,
 * not setup or teardown) in s, in plan order. */
void engine_register_tx(const struct plan *p, struct stats *s);

void engine_vars_init(struct engine_vars *v, int n);
void engine_vars_free(struct engine_vars *v);
#endif
