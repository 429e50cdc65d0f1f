/* result — the result document of a run: metadata around a struct stats,
 * its versioned JSON form, and exact merging of partial results.
 *
 * The JSON form ("herd_result": 1) is what `herd run` writes, what a Lambda
 * shard returns, what `herd merge` and `herd report` read, and what the
 * database stores. Everything needed to re-render the report or merge again
 * is in it: histograms are serialized with hist_encode, so percentiles of a
 * merge are exact (never averaged percentiles).
 *
 * Shape (keys in this order):
 *   { "herd_result": 1, "run_id", "plan", "plan_file", "mode", "target",
 *     "git_commit", "herd_version", "started_at" (ISO-8601 UTC),
 *     "finished_at", "started_unix_ms", "finished_unix_ms", "duration_s",
 *     "interrupted": bool, "settings": {...},
 *     "shards": {"total","ok","failed","truncated","late","start_late_ms",
 *                "failures":[{"shard","reason"}],
 *                "late_shards":[{"shard","part","late_ms","dropped",
 *                                "reason"}]},
 *        (late, start_late_ms and late_shards are absent from older files:
 *        read as 0 and [])
 *     "iterations": {"started","succeeded","failed","interrupted","dropped"},
 *     "setup_errors": ["..."],
 *     "user_setup": {"users","ok","failed","interrupted"} (only when the
 *        plan has on_start; its failure lines are in setup_errors),
 *     "warmup": {"users","duration_s","iterations":{...},"summary":{...},
 *        "transactions":[{"name","kind","count","ok","errors","p50_us",
 *        "p95_us","p99_us"}]} (only when the plan has a warm-up),
 *     "transactions": [ {"name","kind":"request"|"flow","count","ok",
 *        "errors","min_us","max_us","mean_us","m2","stddev_us","rate_per_s",
 *        "p50_us","p90_us","p95_us","p99_us","p999_us",
 *        "service_p50_us","service_p99_us" (uncorrected),
 *        "failed": {"count","min_us","max_us","mean_us","m2","p50_us",
 *                   "p99_us","hist"},
 *        "status":{"200":n,...}, "errors_by":{"status":n,"check: ...":n},
 *        "hist":"v1:...", "hist_service":"v1:..."} ... ],
 *     "summary": {"requests": <tx row of all request txs>,
 *                 "flows": <tx row of all flow txs, or null>},
 *     "timeline": [ {"t", "requests","errors","iterations","active_users",
 *                    "p50_us","p99_us","hist"} ... ] (hist, p50/p99: the
 *                    successful requests of that second),
 *     "timer_lateness": {"count","p50_us","p99_us","max_us","hist"} | null
 *        (how late herd's own timers fired: a busy generator shows here),
 *     "thresholds": [ {"expr","ok","value"} ... ] }
 * Derived fields (p*_us, stddev_us, rate_per_s, summary, ok) are written
 * for people and SQL; readers recompute them from the histograms and
 * counters.
 *
 * What each number includes (see stats.h): count and rate_per_s every
 * sample; ok the successful ones (err none); errors every failure, with or
 * without a latency (so errors >= failed.count); min/max/mean/m2/stddev,
 * p*_us, service_*, hist and hist_service the successful samples only;
 * "failed" the failed samples only (its count: samples with a latency that
 * failed). Summary rows are the same sums over all requests / all flows.
 *
 * Older documents (before success and failure were kept apart) have the
 * same version number and no "ok" nor "failed": their histograms and
 * min/max/mean cover every sample and their timeline histograms every
 * request. They are read as they were, as the successful side, with an
 * empty failed side. A new document without failures reads the same in an
 * older herd; one with failures is refused by it ("histogram total does not
 * match count") rather than misread.
 *
 * Thread-safety: none needed; results are built after the workers joined.
 * Ownership: result_new/result_read return a result freed by result_free;
 * the result owns its stats, strings and cJSON members. */
#ifndef HERD_RESULT_H
#define HERD_RESULT_H
#include <stdint.h>
#include <cjson/cJSON.h>
#include "stats.h"

#define RESULT_VERSION 1

/* The plan's per-user set-up (on_start): how many users ran it and how
 * it ended for them. Its requests are in no statistics. */
struct result_user_setup {
    int64_t users, ok, failed, interrupted;
};

struct result {
    char *run_id, *plan_name, *plan_file, *mode, *target, *git_commit;
    int64_t started_unix_ms, finished_unix_ms;
    int interrupted;                 /* Ctrl-C / deadline stopped the load */
    cJSON *settings;                 /* owned; the load settings used */
    int shards_total, shards_ok, shards_failed, shards_truncated;
    int64_t start_late_ms;           /* how long after its planned start the
                                        load began (a shard invoked late:
                                        throttled, retried, a later part);
                                        0 = on time. The schedule still runs
                                        from the planned start: what it
                                        missed is counted as dropped. */
    int shards_late;                 /* shard parts whose load began late
                                        (RESULT_LATE_MS or more) */
    cJSON *shard_failures;           /* owned array of {"shard","reason"} */
    cJSON *late_shards;              /* owned array of {"shard","part",
                                        "late_ms","dropped","reason"}: one
                                        per late shard part */
    cJSON *setup_errors;             /* owned array of strings */
    cJSON *thresholds;               /* owned array of {"expr","ok","value"} */
    struct stats *stats;             /* owned */
    struct result_user_setup user_setup;  /* all 0: the plan has none */
    cJSON *warmup;                   /* owned; NULL: no warm-up. What the
                                        warm-up measured, kept apart from
                                        stats and thresholds (warmup.h) */
};

/* Returns an empty result with a new empty stats and empty arrays. */
struct result *result_new(void);
void result_free(struct result *r);

/* Serializes r. Returns a malloc'd JSON string (caller frees). */
char *result_to_json(const struct result *r);
/* The same document on one line (no newline in it): a journal record. */
char *result_to_json_line(const struct result *r);
/* Writes the JSON to path atomically (temp file + fsync + rename).
 * Returns 0, or -1 with errno set. */
int result_write(const struct result *r, const char *path);

/* Parses a result document. Returns the result, or NULL and writes a
 * one-line reason into err (e.g. "transactions[2].hist: malformed
 * histogram"). A truncated or corrupt document is always refused. */
struct result *result_from_json(const char *json, char *err, size_t errlen);
/* Reads and parses a file; err as above, prefixed with nothing (the caller
 * adds the file name). */
struct result *result_read(const char *path, char *err, size_t errlen);

/* A shard part whose load began this much after its planned start or
 * more is late (less is the timer's noise). */
#define RESULT_LATE_MS 100

/* Records one late shard part in r (late_shards, shards_late) unless the
 * same shard and part is already there (then its late_ms is raised to
 * late_ms and reason, when given, replaces the old one). */
void result_add_late(struct result *r, int shard, int part, int64_t late_ms,
                     int64_t dropped, const char *reason);

/* 1 when no iteration succeeded: some started and none succeeded, or
 * none could start at all (every arrival dropped, ...) — unless nothing
 * started because of a failure of its own: setup, an interruption, failed
 * shards, a truncated or late start. */
int result_no_success(const struct result *r);
/* 1 when the planned load did not all run: a shard was truncated by its
 * deadline or began late. */
int result_incomplete(const struct result *r);
/* Appends to lines (an array) one string per failure the result itself
 * records, in the order of the exit-code precedence: interrupted, failed
 * shards, setup/teardown errors, no iteration succeeded, truncated or
 * late shards, failed thresholds. Returns how many it appended; lines may
 * be NULL to count only. */
int result_failures(const struct result *r, cJSON *lines);

/* The one reader of counts in JSON, for every parser (results, journals,
 * Lambda events): a whole number from 0 to 9e15 (exact in a double, and
 * far from INT64_MAX, so sums of a few thousand shards cannot overflow).
 * Returns 0 and sets *out, or -1 for anything else -- a fraction, NaN, a
 * negative, a string, a missing node (n NULL) -- and never casts an
 * out-of-range double. */
int result_json_count(const cJSON *n, int64_t *out);

/* Adds a request transaction's "sent_bytes", "received_bytes" and
 * "phases" (per phase count, sum_us, mean_us, p50_us, p95_us, max_us, and
 * with full its histogram "hist") to o, as the result file has them. */
void result_phases_json(cJSON *o, const struct stats_tx *t, int full);

/* 1 when every threshold in r passed (or there are none). */
int result_thresholds_passed(const struct result *r);
/* The run's verdict: thresholds passed, nothing interrupted, no shard
 * failed, truncated or late, setup and teardown clean, and some iteration
 * succeeded (result_failures appends nothing). */
int result_passed(const struct result *r);

/* dst += src: stats merged exactly (stats_merge), iteration counts,
 * user_setup counts and shard counts summed, warmup kept from dst (else
 * src's), failures, late shards and setup errors appended,
 * start_late_ms = max, started = min,
 * finished = max, interrupted = or. Metadata (run id, plan, settings) kept
 * from dst, taken from src when dst has none. Returns 0 or -1 (histogram
 * layouts differ; dst may be partly merged). */
int result_merge(struct result *dst, const struct result *src);
/* The set-up part of result_merge: setup errors appended, user_setup
 * counts summed (the coordinator of a distributed run merges its shards'
 * stats itself, and this with them). */
void result_merge_setup(struct result *dst, const struct result *src);
struct engine_span;
/* Fills r from what the engine measured (engine_run_load's span): start
 * and end times, how late the start was, whether the run was cut short,
 * and the on_start outcomes (result_add_user_setup). Frees
 * span->setup_errors. */
void result_take_span(struct result *r, struct engine_span *span);
/* Adds one run's on_start outcomes to r (an engine_span's): counts summed
 * into user_setup, failure lines (an array, not taken) appended to
 * setup_errors. */
void result_add_user_setup(struct result *r, int64_t ok, int64_t failed,
                           int64_t interrupted, const cJSON *lines);
/* The commit the run's plan is at: HERD_GIT_COMMIT, else GITHUB_SHA, else
 * `git rev-parse HEAD` in the plan's directory. NULL when none is known
 * (caller frees). */
char *result_git_commit(const char *plan_file);
/* For commands that merge many results: keep freed memory in the heap
 * instead of unmapping each result's histograms (process-wide). */
void result_malloc_for_merging(void);
#endif
