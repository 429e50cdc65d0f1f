/* warmup — the plan's warm-up: a few users running the scenarios for a
 * while before the load (the old weekly job's 1-user warm-up), so the
 * target's caches, connection pools and autoscaler are warm when the
 * measured load begins.
 *
 * Who calls it: the run command, after the plan's setup and before the
 * load (local or distributed: the warm-up itself always runs in the herd
 * process, from one machine). What it measured goes into r->warmup only:
 * never into r->stats, the timeline or the thresholds. Users run the
 * plan's scenarios closed-model (the warm-up's user count, all at once,
 * the plan's think times) and their on_start too; a user number set up in
 * the warm-up runs on_start again in the load (make it idempotent: accept
 * "already exists").
 *
 * Units: the plan's (durations in microseconds). Not thread-safe; it runs
 * the engine's workers and joins them before returning. */
#ifndef HERD_WARMUP_H
#define HERD_WARMUP_H
#include "engine.h"
#include "plan.h"
#include "result.h"

/* Runs the warm-up if the plan has one (else returns 0 at once) and sets
 * r->warmup to what it measured:
 *   {"users","duration_s","iterations":{...},"summary":{"requests",
 *    "flows"},"transactions":[{"name","kind","count","ok","errors",
 *    "p50_us","p95_us","p99_us"}],"user_setup":{...},"errors":[...]}
 * o->stop ends it early like the load. Returns 0, or -1 when the engine
 * could not start (message on stderr). */
int warmup_run(const struct plan *p, const struct engine_vars *vars,
               const struct engine_opts *o, struct result *r);
#endif
