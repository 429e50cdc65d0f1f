/* store — results in PostgreSQL (analytics.load_testing and companions).
 *
 * Owns every libpq call in herd: connecting (DATABASE_URL or --db, with a
 * connect timeout), applying the numbered migrations compiled in from
 * sql/ under an advisory lock, saving a result in one transaction with
 * parameterized statements only, and reading runs back for comparisons.
 *
 * Secrets: connection strings are never printed; error messages from the
 * server pass through store_mask so a password can never reach a log.
 * Every PGresult is cleared on every path. Not thread-safe: one
 * connection, one caller (main). No libpq type leaves store.c: a
 * connection is a struct store. */
#ifndef HERD_STORE_H
#define HERD_STORE_H
#include <stddef.h>
#include "result.h"

struct store_migration {
    int version;
    const char *name;            /* file name, e.g. "001_load_testing.sql" */
    const char *sql;
};
extern const struct store_migration store_migrations[];
extern const int store_nmigrations;

/* An open connection (opaque). */
struct store;

/* Connects. Returns the connection (store_close it), or NULL with a
 * one-line reason in err (without the connection string or password). */
struct store *store_connect(const char *conninfo, char *err, size_t errlen);
/* Closes s and frees it; NULL is allowed. */
void store_close(struct store *s);

/* Applies the migrations not yet recorded in analytics.herd_migrations,
 * in order, in one transaction holding an advisory lock (two herds
 * migrating at once: one applies, the other waits and finds nothing to
 * do). Sets *applied to the number applied. Returns 0 or -1 (err set). */
int store_migrate(struct store *s, int *applied, char *err, size_t errlen);

enum store_saved { STORE_SAVED, STORE_ALREADY, STORE_CONFLICT, STORE_FAILED };

/* Saves r under r->run_id in one transaction: the run row (old columns
 * and new), one row per transaction, one per error key and status code.
 * Saving the same result again changes nothing (STORE_ALREADY), whichever
 * herd version saved it; a different result under an existing run id is
 * refused (STORE_CONFLICT). Needs only INSERT and SELECT.
 * err is set for STORE_CONFLICT and STORE_FAILED. */
enum store_saved store_save(struct store *s, const struct result *r,
                            char *err, size_t errlen);

/* Reads a saved run back (from its stored result document). Returns the
 * result (caller frees) or NULL with err set. */
struct result *store_load(struct store *s, const char *run_id, char *err,
                          size_t errlen);

/* Which runs a listing returns. COMPLETE: the runs a baseline may use,
 * verdict "passed" or "thresholds_failed" (every planned request was
 * sent and measured); interrupted, truncated/late, shard-failed,
 * setup-failed and no-success runs are left out, and so are rows saved
 * without a verdict. ALL: every herd run (history). */
enum store_runs { STORE_RUNS_COMPLETE, STORE_RUNS_ALL };

/* Run ids of the last n runs of plan (by started_at) started before the
 * given run (or all, if before_run_id is NULL), newest first. Returns the
 * count found (<= n; ids are malloc'd, caller frees each) or -1 with err
 * set. */
int store_recent_runs_ex(struct store *s, const char *plan,
                         const char *before_run_id, int n,
                         enum store_runs which, char **ids, char *err,
                         size_t errlen);
/* The same; with before_run_id (a baseline: compare --last N) only
 * COMPLETE runs, without it (history) ALL. */
int store_recent_runs(struct store *s, const char *plan,
                      const char *before_run_id, int n, char **ids, char *err,
                      size_t errlen);

/* The verdict stored with a run: "passed", "thresholds_failed",
 * "truncated", "no_success", "setup_failed", "shards_failed" or
 * "interrupted" (result_failures' precedence, the strongest first). */
const char *store_verdict(const struct result *r);

/* The hash stored in result_hash: FNV-1a of the result document (json,
 * as result_to_json writes it) with herd's version left out. out holds
 * 16 hex digits. */
void store_result_hash(const char *json, char out[32]);

/* Replaces the password of conninfo, if any, wherever it appears in msg
 * (in place), and the whole conninfo too. Does not depend on libpq being
 * able to parse conninfo: in a URL, whatever follows the first ':' after
 * "://" up to the last '@' (as written and percent-decoded); in key/value
 * form every "password=" value. Used on every libpq message herd prints. */
void store_mask(const char *conninfo, char *msg);

/* 1 if conninfo carries a password (then it must come from the
 * environment, not the command line). */
int store_has_password(const char *conninfo);

/* The values written into the old columns, exposed for tests:
 * num_users, and (in seconds) avg/max/sample-std of web and container over
 * every sample, successful and failed (the old system's meaning; herd's
 * own min/p* columns beside them are of successful samples). */
struct store_legacy {
    int num_users;
    double avg_web, max_web, std_web;
    double avg_container, max_container, std_container;
    long long container_count;
};
void store_legacy_values(const struct result *r, struct store_legacy *out);

/* ---- what the commands share (each prints its own one-line message) ---- */

/* The connection string: flag (--db; refused if it carries a password:
 * secrets never go on a command line) or DATABASE_URL. NULL, with a
 * message on stderr, when there is none. */
const char *store_conninfo(const char *flag);
/* store_connect, printing the reason on stderr when it fails. */
struct store *store_open(const char *conninfo);
/* Connects, saves r and says on stderr what happened (saved, already
 * there, or why not, with how to retry from file when file is given).
 * Returns 0 when the run is in the database, -1 when not (why, if given,
 * gets the masked reason). */
int store_save_run(const char *conninfo, const struct result *r,
                   const char *file, char *why, size_t whylen);
/* `herd save`: reads the result file (refusing a corrupt one before
 * anything is written), under run_id if given, and saves it like
 * store_save_run. Returns 0, -1 if the file cannot be read, -2 if the
 * run is not in the database. */
int store_save_file(const char *conninfo, const char *file,
                    const char *run_id);
/* Connects and applies the migrations (store_migrate), printing why not
 * on stderr. Returns 0 (*applied set) or -1. */
int store_migrate_url(const char *conninfo, int *applied);
#endif
