/* coord — the coordinator of a distributed run: fans one plan out over
 * many Lambda invocations of herd (lambda.h is the shard's side), merges
 * their partial results exactly, and says what it costs.
 *
 * Every part's schedule is anchored at its planned start however late it
 * is invoked; later parts are invoked ahead of their start (the start
 * delay, at most half a part). A part that began late is recorded with
 * result_add_late: the lateness the shard measured (or the coordinator's
 * own, when it sent the call after the planned start) and the cause it
 * knows (throttled 429, retried, a later part). The coordinator signs
 * Invoke calls with SigV4 through libcurl (AWS_SESSION_TOKEN as a signed
 * X-Amz-Security-Token), invokes every shard concurrently from one
 * process, retries throttling (429) with back-off and jitter honouring
 * Retry-After, records every failed shard with its reason, and writes
 * each shard's raw result to disk as it arrives.
 *
 * Streaming (the default): the coordinator calls InvokeWithResponseStream
 * and each shard answers with one delta record per worker per second
 * (journal.h's format) and its whole result last (rtstream.h), framed by
 * Lambda as an event stream (evstream.h). The records of all shards are
 * merged into r as they arrive (they add up to each part's final result,
 * whose counts are then not merged again: the coordinator holds one
 * result, not one per shard), feed the live line, and are appended to the
 * caller's journal, so a coordinator killed outright leaves them for
 * `herd report --recover`. A shard part that fails after it streamed
 * keeps its seconds: its shard is failed, marked "partial" in
 * shard_failures, and that part is not retried (a retry would count its
 * seconds twice). --no-stream keeps the buffered Invoke.
 *
 * Stopped (opts.stop set: Ctrl-C), it sends nothing more and stops
 * reading: the invocations already running run on in AWS to their end and
 * are billed (Lambda cannot cancel one); what they streamed is kept, each
 * is failed as interrupted, and one line on stderr says so.
 *
 * Not thread-safe; called from main only. */
#ifndef HERD_COORD_H
#define HERD_COORD_H
#include <stdatomic.h>
#include <stdint.h>
#include "engine.h"
#include "plan.h"
#include "result.h"

/* The most shards (--invocations): the coordinator holds a few libcurl
 * handles per shard in one process, and a shard takes an index up to
 * 1,000,000. */
#define COORD_MAX_INVOCATIONS 100000

struct coord_opts {
    const char *function;        /* plain name: no ':' (libcurl 7.88 signs
                                    such paths wrongly); use qualifier */
    const char *qualifier;       /* alias or version, or NULL */
    const char *region;          /* NULL: AWS_REGION / AWS_DEFAULT_REGION */
    const char *endpoint;        /* NULL: AWS_ENDPOINT_URL_LAMBDA or AWS */
    int invocations;             /* shards */
    int64_t start_delay_ms;      /* all shards start together this far
                                    ahead of now */
    int64_t part_us;             /* longest part of one invocation */
    int retries;                 /* retries of a failed shard part */
    const char *shard_dir;       /* raw shard results go here */
    const char *run_id;
    const atomic_int *stop;      /* engine_opts.stop */
    int quiet;
    int no_stream;               /* buffered Invoke instead of
                                    InvokeWithResponseStream */
    int journal_fd;              /* > 0: every second a shard streams is
                                    appended here as it arrives (journal.h;
                                    the caller wrote the header) */
    engine_progress_fn progress; /* the live line, about once a second,
                                    from what the shards streamed; NULL:
                                    none */
    void *progress_arg;
    int memory_mb;               /* the function's memory, for the cost
                                    estimate; 0: COORD_MEMORY_MB */
};

/* Checks what coord_run needs before anything runs: credentials and
 * region in the environment, a plain function name. Returns 0, or -1 with
 * a one-line reason in err. */
int coord_check(const struct coord_opts *o, char *err, size_t errlen);

/* Fans the plan's load out, merges into r (stats, timestamps, shard
 * counts and failures). Returns 0, or -1 on a configuration error such as
 * missing credentials (one line on stderr). Failed shards are data: they
 * are in r->shards_failed and r->shard_failures. */
int coord_run(const struct plan *p, const struct engine_vars *vars,
               const struct coord_opts *o, struct result *r);

/* Opens the coordinator's journal at path: its header is r's metadata
 * with invocations shards (none ok yet), so a recovered result says how
 * many ran. Returns the descriptor for coord_opts.journal_fd, or -1 after
 * one line on stderr (the run goes on without it). */
int coord_journal_open(const char *path, struct result *r, int invocations);

/* The longest a throttled Invoke call waits when the answer's Retry-After
 * asks for more (the coordinator's 50-150 % jitter comes on top): a
 * coordinator told to wait an hour would look hung. */
#define COORD_RETRY_AFTER_MAX_MS 60000

/* A Retry-After value (RFC 7231 7.1.3: delay-seconds, or an HTTP-date in
 * IMF-fixdate form, "Sun, 06 Nov 1994 08:49:37 GMT") as the wait in ms
 * from now_ms (Unix ms), at most COORD_RETRY_AFTER_MAX_MS; a date in the
 * past is 0. Returns -1 for a value that is neither. */
int64_t coord_retry_after_ms(const char *value, int64_t now_ms);

/* The cost estimate (README "Cost and limits"): Lambda's x86 price in
 * us-east-1 per GB-second and per request, the memory assumed when
 * --memory is not given (lambda.mk's default), and the estimate above
 * which a terminal is asked to confirm (HERD_LAMBDA_ASK_USD overrides). */
#define COORD_USD_PER_GB_S 0.0000166667
#define COORD_USD_PER_REQUEST 0.0000002
#define COORD_MEMORY_MB 1769
#define COORD_ASK_ABOVE_USD 1.0

struct coord_cost {
    int64_t calls;               /* invocations x parts */
    double seconds;              /* billed per shard: start delay + load +
                                    graceful stop, at most --part a call */
    double gb_s, usd;            /* usd: GB-s and requests */
    int upper_bound;             /* an iterations plan: each part as long
                                    as --part allows */
};

/* The estimate for o (invocations, start_delay_ms, part_us, memory_mb)
 * and p's load. */
struct coord_cost coord_cost(const struct plan *p, const struct coord_opts *o);

/* Prints the estimate on stderr and, above the threshold, asks on a
 * terminal (stdin and stderr both) whether to start; yes (--yes) or no
 * terminal: not asked. Returns 0 to go on, -1 when the answer was not
 * yes (nothing was invoked). */
int coord_confirm_cost(const struct plan *p, const struct coord_opts *o,
                       int yes);
#endif
