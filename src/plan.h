/* plan — the load plan: reading, validating and compiling a plan file.
 *
 * plan_load parses the JSON, substitutes ${ENV} values, checks every field
 * (unknown keys are errors: a typo must not silently do nothing), compiles
 * every "{{...}}" template, loads data pools, parses thresholds and assigns
 * each transaction name an index, so the engine never parses or searches
 * while the load runs. Every error is one line:
 *     <file>: <field path>: <what was expected>
 *
 * Who calls it: main (run, check), the Lambda runtime (plan from the
 * event). After plan_load returns, the plan is read-only and shared by all
 * worker threads without locks.
 *
 * Units: durations in microseconds (int64_t *_us), rates per second. */
#ifndef HERD_PLAN_H
#define HERD_PLAN_H
#include <stdint.h>
#include <regex.h>
#include <cjson/cJSON.h>
#include "tmpl.h"
#include "thresh.h"
#include "stats.h"

/* The most virtual users a plan (load.users, load.max_users) or --users
 * may ask for. */
#define PLAN_MAX_USERS 1000000
/* The most iterations per user (load.iterations, --iterations). */
#define PLAN_MAX_ITERATIONS 1000000000000LL
/* Open-model arrival rates per second (load.rate, --rate). */
#define PLAN_MIN_RATE 0.001
#define PLAN_MAX_RATE 1e7

struct plan_kv {                 /* header or query parameter */
    char *name;
    struct tmpl *value;
    int optional;                /* a plan-wide default header: left out
                                    while its variables are unset (the
                                    login that extracts {{token}}) */
};

/* A JSON-path condition: the value at path, as text, is one of values. */
struct plan_match {
    char *path;
    char **values;
    int nvalues;
};

enum plan_extract_kind { EXTRACT_JSON, EXTRACT_HEADER, EXTRACT_REGEX };

struct plan_extract {
    int var;                     /* index into plan->vars */
    enum plan_extract_kind kind;
    char *expr;                  /* JSON path, header name or regex source */
    regex_t re;                  /* EXTRACT_REGEX only */
};

enum plan_body { BODY_NONE, BODY_JSON, BODY_FORM, BODY_RAW };

struct plan_request {
    char *method;                /* upper case */
    struct tmpl *url;            /* base_url + path, or the full url */
    struct plan_kv *headers;     /* plan defaults merged with the step's */
    int nheaders;
    struct plan_kv *query;
    int nquery;
    enum plan_body body_kind;
    struct tmpl *body;           /* JSON text / raw body; NULL for form */
    struct plan_kv *form;        /* BODY_FORM fields */
    int nform;
    int64_t timeout_us;
    int *expect_status;          /* empty: any 2xx or 3xx */
    int nexpect_status;
    char *expect_contains;
    struct plan_match *expect_json;
    int nexpect_json;
    char **expect_headers;
    int nexpect_headers;
    struct plan_extract *extract;
    int nextract;
    int *retry_status;           /* retry.on_status */
    int nretry_status;
    int64_t retry_every_us;
    int retry_max;               /* total tries, the first included */
    int tx;                      /* stats transaction of each request */
};

enum plan_step_kind { STEP_REQUEST, STEP_POLL, STEP_THINK };

struct plan_step {
    enum plan_step_kind kind;
    char *name;                  /* REQUEST: tx name; POLL: the wait's name */
    struct plan_request req;     /* REQUEST and POLL */
    /* POLL */
    int64_t every_us, poll_timeout_us;
    int *poll_retry_status;
    int npoll_retry_status;
    struct plan_match *until;
    int nuntil;
    struct plan_match *fail_on;
    int nfail_on;
    int *fail_status;
    int nfail_status;
    int flow_tx;                 /* stats transaction of the whole wait */
    /* THINK */
    int64_t think_min_us, think_max_us;
};

struct plan_scenario {
    char *name;
    int weight;
    struct plan_step *steps;
    int nsteps;
};

/* A data pool: rows of text; a list pool has one unnamed column. */
struct plan_pool {
    char *name;
    int pick_random;             /* else row (user number - 1) % nrows */
    char **cols;                 /* column names (CSV header); NULL for list */
    int ncols;
    char **cells;                /* nrows * max(ncols,1), row-major */
    int nrows;
};

struct plan_stage {
    int64_t duration_us;
    double target;               /* users (closed) or rate/s (open) */
};

struct plan_load {
    int open;                    /* 1: arrival-rate model */
    int users;                   /* closed: users at the end of ramp-up */
    double spawn_rate;           /* closed: users per second; 0 = at once */
    int64_t duration_us;         /* 0 when iterations bound the run */
    int64_t iterations;          /* per user; 0 = until duration */
    double rate;                 /* open: iterations started per second */
    int max_users;               /* open: concurrent users cap */
    struct plan_stage *stages;
    int nstages;
    int64_t think_min_us, think_max_us;  /* between steps */
    int64_t graceful_stop_us;    /* at the end, let iterations finish */
};

struct plan {
    char *file;                  /* as given, for messages */
    char *name;
    char *base_url;
    int insecure;                /* TLS verification off */
    int fast_path;               /* 0: every request through libcurl's
                                    HTTP layer (README, "The HTTP/1.1
                                    fast path"); default 1 */
    int64_t timeout_us;
    int64_t max_body;            /* bytes of a body kept for checks */
    struct plan_pool *pools;
    int npools;
    struct plan_step *setup, *teardown;
    int nsetup, nteardown;
    /* Per-user set-up ("on_start", Locust's name): each virtual user runs
     * these steps once, before its first iteration. Measured apart: never
     * in the load's statistics or thresholds (result "user_setup"). */
    struct plan_step *on_start;
    int non_start;
    /* "warmup": users running the scenarios for a while before the load;
     * its measurements are kept apart (result "warmup"). 0 users = none. */
    int warmup_users;
    int64_t warmup_duration_us;
    struct plan_scenario *scenarios;
    int nscenarios;
    int total_weight;
    struct plan_load load;
    struct thresh *thresholds;
    int nthresholds;
    char **vars;                 /* names of extracted variables */
    int nvars;
    char **tx_names;             /* every transaction, by index */
    enum stats_kind *tx_kinds;
    int ntx;
    char **secrets;              /* values that came from ${ENV} */
    int nsecrets;
    char *json;                  /* the document with ${ENV} filled in,
                                    compact: what a Lambda shard receives
                                    (holds secrets: never logged) */
};

/* Loads and validates a plan file. Returns the plan (free with plan_free),
 * or NULL with a one-line "<file>: <field>: <expected>" message in err. */
struct plan *plan_load(const char *path, char *err, size_t errlen);
/* The same from JSON text; file is used in messages and to resolve data
 * files (relative to its directory). */
struct plan *plan_parse(const char *json, const char *file, char *err,
                        size_t errlen);
void plan_free(struct plan *p);

/* Data files (pools' "csv") are read only from under the plan's directory,
 * resolved with realpath so neither "..", an absolute path nor a symbolic
 * link leads out of it. plan_set_data_root(DIR) — the command line's
 * --data-root — allows any file under DIR instead (relative names still
 * start at the plan's directory); NULL restores the default. Process-wide;
 * set before loading plans. */
void plan_set_data_root(const char *dir);

/* Command-line overrides; any value <= 0 / NULL leaves the plan's. Returns
 * 0, or -1 with a message in err (e.g. --rate on a closed-model plan). */
int plan_override(struct plan *p, int users, const char *duration,
                  int64_t iterations, double rate, char *err, size_t errlen);

/* The effective "load" object in plan-file syntax (after command-line
 * overrides), for shards that parse the plan again (caller frees). */
cJSON *plan_load_json(const struct plan *p);

/* The load settings as JSON, for the result document (caller frees). */
cJSON *plan_settings_json(const struct plan *p);

/* Index of an extracted variable or -1. */
int plan_var_index(const struct plan *p, const char *name);
/* Index of a pool by name or -1; *col set for "pool.column" (else -1). */
int plan_pool_ref(const struct plan *p, const char *ref, int *col);
/* Total planned duration (sum of stages, or duration), 0 if iterations. */
int64_t plan_duration_us(const struct plan *p);
/* 1 if s (not an existing file: the caller checks) reads as
 * host[:port][/path] without a scheme: "127.0.0.1:18000/healthz",
 * "localhost:8000", "api.example.com/x". A name like "plan.json" is a
 * missing file, not a host. */
int plan_looks_like_host(const char *s);
/* The plan `herd run URL` runs: a smoke test of url (10 users, GET about
 * twice a second each for 30s, "http error_rate < 1%"). Returns the plan
 * or NULL with err set, like plan_parse. */
struct plan *plan_smoke(const char *url, char *err, size_t errlen);
/* Turns p into --debug's run: one user, one iteration of each scenario. */
void plan_for_debug(struct plan *p);
#endif
