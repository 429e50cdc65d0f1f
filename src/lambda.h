/* lambda — herd as an AWS Lambda function: the Runtime API client the
 * binary runs as the function's `bootstrap`, and the event a shard
 * receives (written by the coordinator, coord.h, read here).
 *
 * The event:
 *   {"herd_event": 1, "run_id": ..., "stream": true,
 *    "plan": {<plan, ${ENV} filled in, without its setup and teardown>},
 *    "vars": {"token": "..."},           (extracted by the local setup)
 *    "shard": {"index", "part", "first", "stride", "user_offset",
 *              "start_unix_ms", "elapsed_us", "end_unix_ms"}}
 * and it answers with a herd result document (mode "lambda"). Setup and
 * teardown run on the coordinator: their steps, and the credentials in
 * them, never travel; the plan's "setup" is replaced by one step that
 * sends nothing and only declares the variables the setup extracted (a
 * shard runs no setup). Shards own users (or arrivals) first, first +
 * stride, ...: user numbers are unique across shards and the global spawn
 * rate holds. Tests longer than one invocation may run are split into
 * consecutive parts per shard; each part continues the schedule where the
 * previous one stopped (elapsed_us).
 *
 * The runtime stops starting work in time to answer before the
 * invocation's deadline (Lambda-Runtime-Deadline-Ms) and marks the result
 * truncated; asked to stream, it answers in the Runtime API's streaming
 * mode (rtstream.h).
 *
 * Not thread-safe; called from main only. */
#ifndef HERD_LAMBDA_H
#define HERD_LAMBDA_H
#include <stddef.h>
#include "engine.h"
#include "plan.h"

struct curl_slist;

/* Runs the Runtime API loop (AWS_LAMBDA_RUNTIME_API). Returns only on an
 * unrecoverable error, with an exit code. */
int lambda_runtime_main(void);

/* Parts of one shard: 1,000,000 one-second parts are 11 days. */
#define LAMBDA_MAX_PARTS 1000000

/* The event for one shard part (caller frees): see above. */
char *lambda_event(const struct plan *p, const struct engine_vars *vars,
                   const char *run_id, int index, int part,
                   const struct engine_shard *sh);

/* Reads an event as a shard would (plan, variables, shard). Returns 0, or
 * -1 with a reason in err. For tests and fuzzing. */
int lambda_event_read(const char *json, char *err, size_t errlen);

/* For both sides' libcurl calls: a CURLOPT_WRITEFUNCTION/HEADERFUNCTION
 * appending to the struct buf in arg, and curl_slist_append with its
 * test-only fault (buf.h): NULL on failure, when l is left as it was. */
size_t lambda_to_buf(char *d, size_t s, size_t n, void *arg);
struct curl_slist *lambda_slist_add(struct curl_slist *l, const char *line);
#endif
