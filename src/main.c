/* main.c — the command line: subcommands dispatched from a table (as git's
 * git.c does), each a cmd_<name>() returning the process exit code. The
 * binary's other names (symlinks/) pick a subcommand through argv[0],
 * busybox style: run_local_load_test is `herd run`.
 *
 * Only this file decides exit codes; see usage() and the README. Results
 * are written to disk before anything else that could fail with them. */
#include "buf.h"
#include "compare.h"
#include "engine.h"
#include "html.h"
#include "journal.h"
#include "lambda.h"
#include "loop.h"
#include "mask.h"
#include "plan.h"
#include "report.h"
#include "result.h"
#ifndef HERD_NO_DB
#include "store.h"
#endif
#include "thresh.h"
#include "units.h"
#include "version.h"
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum exit_code {
    EXIT_OK = 0,
    EXIT_THRESHOLDS = 1,
    EXIT_USAGE = 2,
    EXIT_PLAN = 3,
    EXIT_SETUP = 4,
    EXIT_INTERRUPTED = 5,
    EXIT_IO = 6,
    EXIT_DB = 7,
    EXIT_REGRESSION = 8,
    EXIT_SHARDS = 9,
    EXIT_NO_SUCCESS = 10,
    EXIT_INCOMPLETE = 11,
    EXIT_INTERNAL = 70,
};

/* Every way `herd run` can fail. Several can hold at once; run_exit_code
 * picks the one exit code and the verdict names them all. */
struct run_failures {
    int internal;        /* the engine could not start */
    int usage;           /* a Lambda option or setting was refused */
    int io;              /* the result or a report could not be written */
    int interrupted;     /* SIGINT/SIGTERM */
    int shards;          /* Lambda shards failed (their results missing) */
    int setup;           /* setup or teardown failed */
    int no_success;      /* no iteration succeeded, or none could start */
    int incomplete;      /* shards truncated or late: the load ran short */
    int thresholds;      /* a threshold failed */
    int db;              /* --save failed */
};

/* The exit-code precedence (README, Exit codes): the first that holds
 * wins. Failures that make the result untrustworthy or missing come
 * first, then what says the load did not run as planned, then the
 * verdict on the system under test (thresholds), then bookkeeping (the
 * database: the result file is kept and `herd save` retries). */
static int run_exit_code(const struct run_failures *f)
{
    if (f->internal) return EXIT_INTERNAL;
    if (f->usage) return EXIT_USAGE;
    if (f->io) return EXIT_IO;
    if (f->interrupted) return EXIT_INTERRUPTED;
    if (f->shards) return EXIT_SHARDS;
    if (f->setup) return EXIT_SETUP;
    if (f->no_success) return EXIT_NO_SUCCESS;
    if (f->incomplete) return EXIT_INCOMPLETE;
    if (f->thresholds) return EXIT_THRESHOLDS;
    if (f->db) return EXIT_DB;
    return EXIT_OK;
}

static void fail_line(cJSON *lines, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void fail_line(cJSON *lines, const char *fmt, ...)
{
    char b[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    cJSON_AddItemToArray(lines, cJSON_CreateString(b));
}

/* The only mutable global: how many times SIGINT/SIGTERM arrived. The
 * workers read it from their threads, so it is atomic (lock-free, hence
 * safe in the handler). */
static atomic_int g_stop;
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the stop flag must be lock-free");

static void on_signal(int sig)
{
    (void)sig;
    int saved = errno;                 /* the interrupted code's errno */
    if (atomic_load(&g_stop) >= 2) _exit(130);  /* third time: leave now */
    atomic_fetch_add(&g_stop, 1);
    errno = saved;
}

static const char usage_text[] =
"usage: herd <command> [options]\n"
"\n"
"commands:\n"
"  run PLAN.json|URL  run a load test (also: run_local_load_test PLAN.json);\n"
"                     a URL (or host:port/path) instead of a plan runs a\n"
"                     smoke test of it\n"
"  check PLAN.json    validate a plan without sending anything\n"
"  init               write a commented starter plan (asks on a terminal;\n"
"                     --template celery: POST a job, poll until SUCCESS)\n"
"  report RESULT.json print a result's report again (--csv for the table,\n"
"                     --markdown for a CI summary, --html FILE)\n"
"  report --history PLAN (--last N | RESULT.json ...) --html FILE\n"
"                     one plan's runs over time, as an HTML page\n"
"  report --recover RESULT.json.journal [-o RESULT.json]\n"
"                     rebuild the result of a run that was killed\n"
"  merge A.json B.json ... -o ALL.json\n"
"                     merge results exactly (histograms, counters, timeline)\n"
"  db migrate         create or upgrade the analytics schema (DATABASE_URL)\n"
"  save RESULT.json   store a result in PostgreSQL [--run-id ID]\n"
"  compare RESULT.json|run:ID --baseline FILE|run:ID | --last N\n"
"                     [--tolerance p95=20%,p99=30%,error_rate=1%]\n"
"                     per-transaction change; exit 8 on a regression\n"
"  version            print the version\n"
"\n"
"run options:\n"
"  -o, --out FILE       result JSON (default herd-result-<plan>-<time>.json)\n"
"  --report FILE        text report (default: the result name with .txt)\n"
"  --csv FILE           also write the per-transaction table as CSV\n"
"  --users N            override load.users (open model: load.max_users)\n"
"  --duration D         override load.duration, e.g. 30s, 2m, 1h20m\n"
"  --iterations N       override: N iterations per user\n"
"  --rate R             override load.rate (open model)\n"
"  --threads N          worker threads (default: number of cores)\n"
"  --run-id ID          id stored in the result (default: generated)\n"
"  --data-root DIR      data files may be anywhere under DIR (default:\n"
"                       only under the plan's directory)\n"
"  --save               store the result in PostgreSQL (DATABASE_URL)\n"
"\n"
"distributed (AWS Lambda; also: run_distributed_load_test PLAN.json):\n"
"  --lambda FUNCTION    run the load on this function's invocations\n"
"  --invocations N      shards (default 1); users/rate split over them\n"
"  --qualifier ALIAS    function alias or version\n"
"  --region R           default AWS_REGION\n"
"  --endpoint URL       default AWS_ENDPOINT_URL_LAMBDA, else AWS\n"
"  --start-delay D      shards start together this far ahead (5s)\n"
"  --part D             longest single invocation (14m); longer tests\n"
"                       run as consecutive invocations per shard\n"
"  --shard-retries N    retry a failed shard part N times (0)\n"
"  --no-stream          buffered Invoke: no live line, nothing kept of a\n"
"                       shard that dies (for proxies that cannot stream)\n"
"  credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY[, AWS_SESSION_TOKEN]\n"
"  --debug              one user, one iteration of each scenario; print\n"
"                       every request and response (secrets masked);\n"
"                       no result files unless -o is given\n"
"  -q, --quiet          no progress line\n"
"\n"
"\n"
"The database is DATABASE_URL (or --db URL without a password; put\n"
"passwords in DATABASE_URL or PGPASSWORD, never on the command line).\n"
"\n"
"exit codes: 0 ok, 1 threshold failed, 2 usage, 3 invalid plan,\n"
"  4 setup/teardown failed, 5 interrupted, 6 result I/O, 7 database,\n"
"  8 regression found by compare, 9 a Lambda shard failed, 70 internal\n";

static int usage(FILE *f, int code)
{
    fputs(usage_text, f);
    return code;
}

/* ---- option parsing ---------------------------------------------------- */

/* --shard-retries: each retry waits about a second; more than this is a
 * typing error. */
#define MAX_SHARD_RETRIES 1000
/* --last N: runs read from the database for a history or a comparison;
 * more than this no chart or baseline needs. */
#define MAX_LAST_RUNS 10000

struct run_args {
    const char *plan, *out, *report, *csv, *duration, *run_id, *db;
    const char *data_root;
    int users, threads, debug, quiet, save;
    const char *lambda, *qualifier, *region, *endpoint, *start_delay, *part;
    int invocations, shard_retries, no_stream;
    int64_t iterations;
    double rate;
};

static int want_value(int argc, char **argv, int *i, const char **out)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "herd: %s needs a value\n", argv[*i]);
        return -1;
    }
    *out = argv[++*i];
    return 0;
}

/* The option's value as a whole number in min..max (the caller stores it
 * in an int when max fits one: nothing is ever truncated). */
static int want_int(int argc, char **argv, int *i, long long min,
                    long long max, long long *out)
{
    const char *v;
    if (want_value(argc, argv, i, &v) < 0) return -1;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (*end || end == v || (errno && errno != ERANGE)) {
        fprintf(stderr, "herd: %s: expected a whole number, got \"%s\"\n",
                argv[*i - 1], v);
        return -1;
    }
    if (errno == ERANGE || n < min || n > max) {
        fprintf(stderr, "herd: %s: expected a whole number from %lld to "
                "%lld, got %s\n", argv[*i - 1], min, max, v);
        return -1;
    }
    *out = n;
    return 0;
}

static int parse_run_args(int argc, char **argv, struct run_args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        long long n;
        if (!strcmp(s, "-o") || !strcmp(s, "--out")) {
            if (want_value(argc, argv, &i, &a->out) < 0) return -1;
        } else if (!strcmp(s, "--report")) {
            if (want_value(argc, argv, &i, &a->report) < 0) return -1;
        } else if (!strcmp(s, "--data-root")) {
            if (want_value(argc, argv, &i, &a->data_root) < 0) return -1;
        } else if (!strcmp(s, "--csv")) {
            if (want_value(argc, argv, &i, &a->csv) < 0) return -1;
        } else if (!strcmp(s, "--duration")) {
            if (want_value(argc, argv, &i, &a->duration) < 0) return -1;
        } else if (!strcmp(s, "--run-id")) {
            if (want_value(argc, argv, &i, &a->run_id) < 0) return -1;
        } else if (!strcmp(s, "--users")) {
            if (want_int(argc, argv, &i, 1, PLAN_MAX_USERS, &n) < 0) return -1;
            a->users = (int)n;
        } else if (!strcmp(s, "--threads")) {
            /* More workers than users are never started. */
            if (want_int(argc, argv, &i, 1, PLAN_MAX_USERS, &n) < 0) return -1;
            a->threads = (int)n;
        } else if (!strcmp(s, "--iterations")) {
            if (want_int(argc, argv, &i, 1, PLAN_MAX_ITERATIONS, &n) < 0)
                return -1;
            a->iterations = n;
        } else if (!strcmp(s, "--rate")) {
            const char *v;
            char *end;
            if (want_value(argc, argv, &i, &v) < 0) return -1;
            a->rate = strtod(v, &end);
            /* Written so that NaN fails too ("nan" and "inf" parse). */
            if (*end || end == v ||
                !(a->rate >= PLAN_MIN_RATE && a->rate <= PLAN_MAX_RATE)) {
                fprintf(stderr, "herd: --rate: expected iterations per "
                        "second from %g to %g, got \"%s\"\n", PLAN_MIN_RATE,
                        PLAN_MAX_RATE, v);
                return -1;
            }
        } else if (!strcmp(s, "--db")) {
            if (want_value(argc, argv, &i, &a->db) < 0) return -1;
        } else if (!strcmp(s, "--save")) {
            a->save = 1;
        } else if (!strcmp(s, "--lambda")) {
            if (want_value(argc, argv, &i, &a->lambda) < 0) return -1;
        } else if (!strcmp(s, "--qualifier")) {
            if (want_value(argc, argv, &i, &a->qualifier) < 0) return -1;
        } else if (!strcmp(s, "--region")) {
            if (want_value(argc, argv, &i, &a->region) < 0) return -1;
        } else if (!strcmp(s, "--endpoint")) {
            if (want_value(argc, argv, &i, &a->endpoint) < 0) return -1;
        } else if (!strcmp(s, "--start-delay")) {
            if (want_value(argc, argv, &i, &a->start_delay) < 0) return -1;
        } else if (!strcmp(s, "--part")) {
            if (want_value(argc, argv, &i, &a->part) < 0) return -1;
        } else if (!strcmp(s, "--invocations")) {
            if (want_int(argc, argv, &i, 1, LAMBDA_MAX_INVOCATIONS, &n) < 0)
                return -1;
            a->invocations = (int)n;
        } else if (!strcmp(s, "--shard-retries")) {
            if (want_int(argc, argv, &i, 0, MAX_SHARD_RETRIES, &n) < 0) return -1;
            a->shard_retries = (int)n;
        } else if (!strcmp(s, "--no-stream")) {
            a->no_stream = 1;
        } else if (!strcmp(s, "--debug")) {
            a->debug = 1;
        } else if (!strcmp(s, "-q") || !strcmp(s, "--quiet")) {
            a->quiet = 1;
        } else if (s[0] == '-' && s[1]) {
            fprintf(stderr, "herd: unknown option %s (see herd --help)\n", s);
            return -1;
        } else if (!a->plan) {
            a->plan = s;
        } else {
            fprintf(stderr, "herd: unexpected argument %s\n", s);
            return -1;
        }
    }
    if (!a->plan) {
        fprintf(stderr, "herd: missing the plan file (herd run PLAN.json)\n");
        return -1;
    }
    if (!a->lambda && (a->invocations || a->qualifier || a->region ||
                       a->endpoint || a->part || a->start_delay ||
                       a->no_stream)) {
        fprintf(stderr, "herd: --invocations and the other Lambda options "
                "need --lambda FUNCTION\n");
        return -1;
    }
    if (a->lambda && a->debug) {
        fprintf(stderr, "herd: --debug runs one local user; drop --lambda\n");
        return -1;
    }
    return 0;
}

/* ---- helpers ----------------------------------------------------------- */

/* Merging reads result after result, each with histograms of ~190 KB:
 * glibc would mmap and unmap every one (a page fault per 4 KB each time).
 * Keeping freed memory in the heap makes merging 1,000 results ~2.5x
 * faster. Only for commands that merge; musl has no mallopt. */
static void malloc_for_merging(void)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

/* Appends path to b without its suffix (when path ends in it and has more
 * before it). Returns 1 if the suffix was there. */
static int put_stem(struct buf *b, const char *path, const char *suffix)
{
    size_t l = strlen(path), n = strlen(suffix);
    int has = l > n && strcmp(path + l - n, suffix) == 0;
    buf_append(b, path, has ? l - n : l);
    return has;
}

static char *iso_now_compact(void)
{
    char b[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(b, sizeof b, "%Y%m%d-%H%M%S", &tm);
    return xstrdup(b);
}

static char *slug(const char *s)
{
    char *o = xstrdup(s);
    for (char *p = o; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
            *p = '-';
    return o;
}

/* Results, reports and shard files of a long run take a few MB; less free
 * space than this is a full disk for herd's purposes. */
#define MIN_FREE_BYTES (16LL << 20)

/* Checks that a file can be created next to path, and that there is room,
 * before the load starts: an unwritable or full result directory is found
 * in milliseconds, not after an hour of load. Returns 0, -1 with errno set,
 * or -2 when the disk is (nearly) full. */
static int check_writable(const char *path)
{
    char *copy = xstrdup(path);
    const char *dir = dirname(copy);
    struct statvfs sv;
    if (statvfs(dir, &sv) == 0 &&
        (long long)sv.f_bavail * (long long)sv.f_frsize < MIN_FREE_BYTES) {
        free(copy);
        return -2;
    }
    struct buf probe = {0};
    buf_printf(&probe, "%s/.herd-probe-%d", dir, (int)getpid());
    int fd = open(buf_str(&probe), O_WRONLY | O_CREAT | O_EXCL, 0600);
    int rc = 0;
    if (fd < 0 || write(fd, "x", 1) != 1) rc = -1;
    int saved = errno;
    if (fd >= 0) { close(fd); unlink(buf_str(&probe)); }
    buf_free(&probe);
    free(copy);
    errno = saved;
    return rc;
}

static char *git_commit(const char *plan_file)
{
    const char *env = getenv("HERD_GIT_COMMIT");
    if (!env || !*env) env = getenv("GITHUB_SHA");
    if (env && *env) return xstrdup(env);
    char *copy = xstrdup(plan_file);
    struct buf cmd = {0};
    buf_printf(&cmd, "git -C '%s' rev-parse HEAD 2>/dev/null", dirname(copy));
    free(copy);
    char line[128] = "";
    FILE *f = strchr(buf_str(&cmd), '\'') && !strchr(plan_file, '\'') ?
              popen(buf_str(&cmd), "r") : NULL;
    buf_free(&cmd);
    if (!f) return NULL;
    if (!fgets(line, sizeof line, f)) line[0] = '\0';
    pclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    return strlen(line) == 40 ? xstrdup(line) : NULL;
}

/* 1 if standard output was closed by its reader (`herd run ... | head`):
 * the report was not wanted, which is not a failed result. SIGPIPE is
 * ignored, so a write saw EPIPE; a pipe without readers polls POLLERR. */
static int stdout_closed(void)
{
    if (errno == EPIPE) return 1;
    struct pollfd pfd = {.fd = STDOUT_FILENO, .events = POLLOUT};
    return poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLERR | POLLHUP));
}

static int write_text(const char *path, const struct result *r, int csv)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    int rc = csv == 2 ? html_report(f, r) : csv ? report_csv(f, r) :
             report_text(f, r);
    if (fclose(f) != 0) rc = -1;
    return rc;
}

struct progress_state {
    int tty;
    int count;
    long long planned;           /* users the plan asks for at its peak */
};

static void on_progress(void *arg, const struct engine_progress *pr)
{
    struct progress_state *ps = arg;
    char el[32], tot[32], p99[32];
    units_format_duration(el, sizeof el, pr->elapsed_s * 1e6);
    if (pr->total_s > 0) units_format_duration(tot, sizeof tot, pr->total_s * 1e6);
    else snprintf(tot, sizeof tot, "-");
    units_format_duration(p99, sizeof p99, (double)pr->p99_us);
    char line[320];
    /* "users 16/20 active": of the users the plan asks for (its peak, or
     * the open model's max_users), those inside an iteration now; a user
     * thinking between iterations, or waiting out a failure's pause, is
     * not active. */
    snprintf(line, sizeof line, "%s/%s  users %lld/%lld active  %.0f req/s  "
             "requests %lld  errors %lld  p99 %s%s", el, tot,
             (long long)pr->active_users, ps->planned, pr->rps,
             (long long)pr->requests,
             (long long)pr->errors, pr->p99_us ? p99 : "-",
             pr->stopping ? "  stopping..." : "");
    if (pr->shards_total > 0) {
        /* A distributed run: users and rates are all shards' together. */
        size_t at = strlen(line);
        snprintf(line + at, sizeof line - at, "  shards %d running, %d done, "
                 "%d failed", pr->shards_running, pr->shards_done,
                 pr->shards_failed);
    }
    if (ps->tty) {
        fprintf(stderr, "\r\033[K%s", line);
    } else if (ps->count++ % 5 == 0) {
        fprintf(stderr, "%s\n", line);
    }
}

#ifndef HERD_NO_DB
/* ---- database ---------------------------------------------------------- */

/* The connection string: --db (refused if it carries a password: secrets
 * never go on a command line) or DATABASE_URL. NULL with a message on
 * stderr when there is none. */
static const char *db_conninfo(const char *flag)
{
    if (flag) {
        if (store_has_password(flag)) {
            fprintf(stderr, "herd: --db: the connection string has a "
                    "password; put it in DATABASE_URL or PGPASSWORD instead "
                    "(command lines are visible to every user)\n");
            return NULL;
        }
        return flag;
    }
    const char *env = getenv("DATABASE_URL");
    if (env && *env) return env;
    fprintf(stderr, "herd: no database: set DATABASE_URL (e.g. "
            "postgresql://user@host/db, password in PGPASSWORD)\n");
    return NULL;
}

static PGconn *db_open(const char *conninfo)
{
    char err[600];
    PGconn *c = store_connect(conninfo, err, sizeof err);
    if (!c) fprintf(stderr, "herd: %s\n", err);
    return c;
}

/* Saves r; prints what happened. Returns an exit code. */
static int db_save(const char *conninfo, const struct result *r,
                   const char *file, char *why, size_t whylen)
{
    char cerr[600];
    PGconn *c = store_connect(conninfo, cerr, sizeof cerr);
    if (!c) {
        fprintf(stderr, "herd: %s\n", cerr);
        if (why) snprintf(why, whylen, "%s", cerr);
        if (file) fprintf(stderr, "herd: the result is kept in %s; retry with: "
                          "herd save %s\n", file, file);
        return EXIT_DB;
    }
    char err[600];
    enum store_saved rc = store_save(c, r, err, sizeof err);
    store_mask(conninfo, err);
    PQfinish(c);
    switch (rc) {
    case STORE_SAVED:
        fprintf(stderr, "saved run %s (%d transactions) to the database\n",
                r->run_id, r->stats->ntx);
        return EXIT_OK;
    case STORE_ALREADY:
        fprintf(stderr, "run %s is already saved with this result; nothing "
                "changed\n", r->run_id);
        return EXIT_OK;
    case STORE_CONFLICT:
        fprintf(stderr, "herd: %s\n", err);
        if (why) snprintf(why, whylen, "%s", err);
        return EXIT_DB;
    default:
        if (why) snprintf(why, whylen, "%s", err);
        fprintf(stderr, "herd: %s%s\n", err, strstr(err, "does not exist") ?
                " (run `herd db migrate` first?)" : "");
        if (file) fprintf(stderr, "herd: the result is kept in %s; retry with: "
                          "herd save %s\n", file, file);
        return EXIT_DB;
    }
}

#endif /* HERD_NO_DB */

/* ---- commands ---------------------------------------------------------- */

static int cmd_check(int argc, char **argv)
{
    const char *plan = NULL, *root = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            puts("usage: herd check PLAN.json [--data-root DIR]\nValidates the "
                 "plan (fields, templates, data files, thresholds, ${ENV} "
                 "values) and\nsends nothing. Exit 0 when valid, 3 when not.");
            return EXIT_OK;
        }
        if (!strcmp(argv[i], "--data-root")) {
            if (want_value(argc, argv, &i, &root) < 0) return EXIT_USAGE;
        } else if (argv[i][0] != '-' && !plan) {
            plan = argv[i];
        } else {
            plan = NULL;
            break;
        }
    }
    if (!plan) {
        fprintf(stderr, "usage: herd check PLAN.json [--data-root DIR]\n");
        return EXIT_USAGE;
    }
    plan_set_data_root(root);
    char err[1024];
    struct plan *p = plan_load(plan, err, sizeof err);
    if (!p) {
        fprintf(stderr, "%s\n", err);
        return EXIT_PLAN;
    }
    printf("%s: ok: plan \"%s\", %d scenario%s, %d transaction%s, %s model\n",
           plan, p->name, p->nscenarios, p->nscenarios == 1 ? "" : "s",
           p->ntx, p->ntx == 1 ? "" : "s", p->load.open ? "open" : "closed");
    plan_free(p);
    return EXIT_OK;
}

/* 1 if s, not an existing file, reads as host[:port][/path] without a
 * scheme: "127.0.0.1:18000/healthz", "localhost:8000", "api.example.com/x".
 * A name like "plan.json" is a missing file, not a host. */
static int looks_like_host(const char *s)
{
    size_t hl = strcspn(s, "/?#");
    if (!hl || hl > 255 || strstr(s, "://")) return 0;
    char host[256];
    memcpy(host, s, hl);
    host[hl] = '\0';
    char *colon = strrchr(host, ':');
    int port = 0;
    if (colon) {
        if (!colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1))
            return 0;
        port = 1;
        *colon = '\0';
    }
    if (!*host || strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"
                         "RSTUVWXYZ0123456789.-") != strlen(host))
        return 0;
    if (port || !strcmp(host, "localhost")) return 1;
    const char *dot = strrchr(host, '.');
    if (!dot || !dot[1]) return 0;
    if (strspn(host, "0123456789.") == strlen(host)) return 1;    /* IPv4 */
    static const char *const files[] = {"json", "txt", "csv", "html",
        "yaml", "yml", "journal", NULL};
    for (const char *const *f = files; *f; f++)
        if (!strcasecmp(dot + 1, *f)) return 0;
    return 1;
}

/* The smoke test's row: "GET /healthz" (the URL's path, "/" if none). */
static char *smoke_row_name(const char *url)
{
    const char *h = strstr(url, "://");
    h = h ? h + 3 : url;
    const char *path = h + strcspn(h, "/?#");
    struct buf b = {0};
    buf_printf(&b, "GET %s%.*s", *path == '/' ? "" : "/",
               (int)strcspn(path, "?#"), path);
    return buf_steal(&b);
}

static int cmd_run(int argc, char **argv)
{
    struct run_args a = {0};
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return usage(stdout, EXIT_OK);
    if (parse_run_args(argc, argv, &a) < 0) return EXIT_USAGE;
    char err[1024];
    struct plan *p;
    static char url[2048];
    struct stat plan_st;
    if (stat(a.plan, &plan_st) != 0 && looks_like_host(a.plan) &&
        strlen(a.plan) < sizeof url - 8) {
        snprintf(url, sizeof url, "http://%s", a.plan);
        fprintf(stderr, "herd: %s is not a file: running a smoke test of %s "
                "(a plan file or an http:// URL was expected)\n", a.plan, url);
        a.plan = url;
    } else if (stat(a.plan, &plan_st) != 0 && errno == ENOENT &&
               strncmp(a.plan, "http://", 7) && strncmp(a.plan, "https://", 8)) {
        fprintf(stderr, "herd: %s: no such file (expected a plan file, "
                "e.g. from herd init, or a URL like http://host:port/path)\n",
                a.plan);
        return EXIT_PLAN;
    }
    if (!strncmp(a.plan, "http://", 7) || !strncmp(a.plan, "https://", 8)) {
        /* A URL instead of a plan: a smoke test of it (GET, 2xx/3xx). */
        cJSON *sp = cJSON_CreateObject();
        cJSON_AddStringToObject(sp, "name", "smoke");
        cJSON *load = cJSON_AddObjectToObject(sp, "load");
        cJSON_AddNumberToObject(load, "users", 10);
        cJSON_AddNumberToObject(load, "spawn_rate", 10);
        cJSON_AddStringToObject(load, "duration", "30s");
        /* About 2 requests per second per user: a smoke test, not a soak. */
        cJSON_AddStringToObject(load, "think", "500ms");
        cJSON *scs = cJSON_AddArrayToObject(sp, "scenarios");
        cJSON *sc = cJSON_CreateObject();
        cJSON_AddStringToObject(sc, "name", "smoke");
        cJSON *steps = cJSON_AddArrayToObject(sc, "steps");
        cJSON *st = cJSON_CreateObject();
        char *row = smoke_row_name(a.plan);
        cJSON_AddStringToObject(st, "name", row);
        free(row);
        cJSON_AddStringToObject(st, "url", a.plan);
        cJSON_AddItemToArray(steps, st);
        cJSON_AddItemToArray(scs, sc);
        cJSON *th = cJSON_AddArrayToObject(sp, "thresholds");
        cJSON_AddItemToArray(th, cJSON_CreateString("http error_rate < 1%"));
        char *text = xjson_print(sp, 0);
        cJSON_Delete(sp);
        p = plan_parse(text, "smoke plan", err, sizeof err);
        cJSON_free(text);
        if (p) {
            free(p->base_url);
            p->base_url = xstrdup(a.plan);
            fprintf(stderr, "smoke test of %s: %d users for %s unless --users/"
                    "--duration say otherwise (herd init writes a plan to "
                    "edit)\n", a.plan, a.users ? a.users : p->load.users, a.duration ? a.duration : "30s");
        }
    } else {
        plan_set_data_root(a.data_root);
        p = plan_load(a.plan, err, sizeof err);
    }
    if (!p) {
        fprintf(stderr, "%s\n", err);
        return EXIT_PLAN;
    }
    if (a.debug) {
        if (p->load.open) { p->load.open = 0; p->load.max_users = 0; }
        p->load.users = 1;
        p->load.nstages = 0;
        p->load.duration_us = 0;
        p->load.spawn_rate = 0;
        p->load.iterations = p->nscenarios;
    } else if (plan_override(p, a.users, a.duration, a.iterations, a.rate,
                             err, sizeof err) < 0) {
        fprintf(stderr, "herd: %s\n", err);
        plan_free(p);
        return EXIT_USAGE;
    }

    if (a.lambda) {
        malloc_for_merging();
        struct lambda_opts lo = {0};
        lo.function = a.lambda;
        lo.region = a.region;
        lo.endpoint = a.endpoint;
        if (lambda_check(&lo, err, sizeof err) < 0) {
            fprintf(stderr, "herd: %s\n", err);
            plan_free(p);
            return EXIT_USAGE;
        }
    }

    char *stamp = iso_now_compact(), *name = slug(p->name);
    struct buf out = {0}, rep = {0}, journal = {0};
    if (a.out) buf_puts(&out, a.out);
    else buf_printf(&out, "herd-result-%s-%s.json", name, stamp);
    if (a.report) buf_puts(&rep, a.report);
    else {
        put_stem(&rep, buf_str(&out), ".json");
        buf_puts(&rep, ".txt");
    }
    /* --debug is for reading the exchange: it leaves no files behind
     * unless -o, --report or --save asks for them. */
    int files = !a.debug || a.out || a.report || a.save;
    int wr = files ? check_writable(buf_str(&out)) : 0;
    if (wr < 0) {
        if (wr == -2)
            fprintf(stderr, "herd: %s: the disk is full (less than %lld MB "
                    "free): free some space or choose another -o\n",
                    buf_str(&out), MIN_FREE_BYTES >> 20);
        else
            fprintf(stderr, "herd: %s: cannot write the result here: %s\n",
                    buf_str(&out), strerror(errno));
        free(stamp); free(name); buf_free(&out); buf_free(&rep);
        plan_free(p);
        return EXIT_IO;
    }

    /* Every user holds a socket: lift the soft descriptor limit (often
     * 1024) to the hard one. */
    struct rlimit nofile;
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
        nofile.rlim_cur = nofile.rlim_max;
        setrlimit(RLIMIT_NOFILE, &nofile);
    }

    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    engine_global_init();

    struct result *r = result_new();
    if (a.run_id) r->run_id = xstrdup(a.run_id);
    else {
        struct buf id = {0};
        buf_printf(&id, "%s-%s-%04x", name, stamp,
                   (unsigned)(getpid() ^ time(NULL)) & 0xFFFF);
        r->run_id = buf_steal(&id);
    }
    r->plan_name = xstrdup(p->name);
    r->plan_file = xstrdup(a.plan);
    r->mode = xstrdup(a.lambda ? "lambda" : "local");
    if (p->base_url) {
        /* A secret in the URL (an ?api_key=${API_KEY}) is not stored. */
        struct buf t = {0};
        mask_text(p->base_url, strlen(p->base_url), p->secrets, p->nsecrets, &t);
        r->target = buf_steal(&t);
    }
    r->git_commit = git_commit(a.plan);
    r->settings = plan_settings_json(p);
    r->shards_total = r->shards_ok = 1;
    /* Every planned transaction is listed, even if nothing ran. */
    engine_register_tx(p, r->stats);

    struct progress_state ps = {isatty(2), 0, p->load.open ?
                                p->load.max_users : p->load.users};
    for (int i = 0; !p->load.open && i < p->load.nstages; i++)
        if (p->load.stages[i].target > ps.planned)
            ps.planned = (long long)p->load.stages[i].target;
    struct engine_opts o = {0};
    o.threads = a.threads;
    o.shard.stride = 1;
    o.stop = &g_stop;
    o.debug = a.debug ? stdout : NULL;
    o.progress = a.quiet || a.debug ? NULL : on_progress;
    o.progress_arg = &ps;

    struct engine_vars vars;
    engine_vars_init(&vars, p->nvars);
    int setup_failed = engine_run_steps(p, "setup", p->setup, p->nsetup, &vars,
                                        r->setup_errors, &o) > 0;
    int rc = EXIT_OK;
    struct run_failures fl = {0};
    cJSON *why = cJSON_CreateArray();      /* failures outside the result */
    if (!setup_failed && !g_stop && a.lambda) {
        struct lambda_opts lo = {0};
        struct buf shards = {0};
        put_stem(&shards, buf_str(&out), ".json");
        buf_puts(&shards, ".shards");
        lo.function = a.lambda;
        lo.qualifier = a.qualifier;
        lo.region = a.region;
        lo.endpoint = a.endpoint;
        lo.invocations = a.invocations ? a.invocations : 1;
        lo.retries = a.shard_retries;
        lo.shard_dir = buf_str(&shards);
        lo.run_id = r->run_id;
        lo.stop = &g_stop;
        lo.quiet = a.quiet;
        int64_t us = 5000000;
        if (a.start_delay && units_parse_duration(a.start_delay, &us) < 0) {
            fprintf(stderr, "herd: --start-delay: expected a duration like "
                    "\"5s\"\n");
            rc = EXIT_USAGE;
        }
        lo.start_delay_ms = us / 1000;
        lo.part_us = 0;
        if (a.part && (units_parse_duration(a.part, &lo.part_us) < 0 ||
                       lo.part_us < 1000000 || lo.part_us > 15LL * 60000000)) {
            fprintf(stderr, "herd: --part: expected a duration from 1s to "
                    "15m\n");
            rc = EXIT_USAGE;
        }
        r->shards_total = r->shards_ok = 0;
        lo.no_stream = a.no_stream;
        lo.progress = a.quiet ? NULL : on_progress;
        lo.progress_arg = &ps;
        /* What the shards stream reaches the disk as it comes: a
         * coordinator killed outright leaves it for report --recover. */
        buf_printf(&journal, "%s.journal", buf_str(&out));
        if (rc == EXIT_OK && !a.no_stream)
            o.journal_fd = lo.journal_fd = lambda_journal_open(
                buf_str(&journal), r, lo.invocations);
        if (rc == EXIT_OK && lambda_run(p, &vars, &lo, r) < 0) rc = EXIT_USAGE;
        if (ps.tty && lo.progress) fputs("\r\033[K", stderr);
        if (rc == EXIT_USAGE) {
            fl.usage = 1;
            fail_line(why, "distributed run: refused before any shard ran "
                      "(see above)");
        }
        if (rc == EXIT_OK)
            fprintf(stderr, "shards: %d ok, %d failed, %d truncated of %d; raw "
                    "results in %s/\n", r->shards_ok, r->shards_failed,
                    r->shards_truncated, r->shards_total, buf_str(&shards));
        buf_free(&shards);
    } else if (!setup_failed && !g_stop) {
        /* What the load measures reaches the disk once a second: a run
         * killed outright leaves it for `herd report --recover`. */
        buf_printf(&journal, "%s.journal", buf_str(&out));
        if (!a.debug) {
            r->started_unix_ms = r->finished_unix_ms = loop_wall_us() / 1000;
            o.journal_fd = journal_open(buf_str(&journal), r);
            if (o.journal_fd < 0)
                fprintf(stderr, "herd: %s: cannot write the run journal (%s); "
                        "the run goes on without it\n", buf_str(&journal),
                        strerror(errno));
        }
        if (engine_run_load(p, &vars, &o, r) < 0) {
            fl.internal = 1;
            fail_line(why, "internal error: the engine could not start "
                      "(see above)");
        }
        if (ps.tty && o.progress) fputs("\r\033[K", stderr);
    } else {
        int64_t now = (int64_t)time(NULL) * 1000;
        r->started_unix_ms = r->finished_unix_ms = now;
    }
    r->interrupted = g_stop > 0;
    int teardown_failed = 0;
    if (g_stop < 2)
        teardown_failed = engine_run_steps(p, "teardown", p->teardown,
                                           p->nteardown, &vars,
                                           r->setup_errors, &o) > 0;
    engine_vars_free(&vars);

    int thresholds_ok = 1;
    for (int i = 0; i < p->nthresholds; i++) {
        int ok;
        cJSON_AddItemToArray(r->thresholds,
                             thresh_verdict(&p->thresholds[i], r, &ok));
        thresholds_ok &= ok;
    }

    /* The result goes to disk before anything else can fail. */
    if (!files) {
        /* --debug without -o: nothing to write. */
    } else if (result_write(r, buf_str(&out)) < 0) {
        fprintf(stderr, "herd: %s: cannot write the result: %s\n",
                buf_str(&out), strerror(errno));
        if (o.journal_fd > 0)
            fprintf(stderr, "herd: the measurements are in %s: `herd report "
                    "--recover %s -o RESULT.json` rebuilds the result\n",
                    buf_str(&journal), buf_str(&journal));
        fl.io = 1;
        fail_line(why, "%s: cannot write the result: %s", buf_str(&out),
                  strerror(errno));
    } else if (o.journal_fd > 0 && !getenv("HERD_KEEP_JOURNAL")) {
        unlink(buf_str(&journal));
    }
    if (o.journal_fd > 0) close(o.journal_fd);
    buf_free(&journal);
    if (!a.debug || p->nthresholds) {
        if ((report_text(stdout, r) < 0 || fflush(stdout) != 0) &&
            !stdout_closed()) {
            fl.io = 1;
            fail_line(why, "standard output: cannot write the report");
        }
    }
    if (files && write_text(buf_str(&rep), r, 0) < 0) {
        fprintf(stderr, "herd: %s: cannot write the report: %s\n",
                buf_str(&rep), strerror(errno));
        fl.io = 1;
        fail_line(why, "%s: cannot write the report: %s", buf_str(&rep),
                  strerror(errno));
    }
    struct buf html = {0};
    if (files) {
        put_stem(&html, buf_str(&out), ".json");
        buf_puts(&html, ".html");
        if (write_text(buf_str(&html), r, 2) < 0) {
            fprintf(stderr, "herd: %s: cannot write the HTML report: %s\n",
                    buf_str(&html), strerror(errno));
            fl.io = 1;
            fail_line(why, "%s: cannot write the HTML report: %s",
                      buf_str(&html), strerror(errno));
        }
    }
    if (a.csv && write_text(a.csv, r, 1) < 0) {
        fprintf(stderr, "herd: %s: cannot write the CSV: %s\n", a.csv,
                strerror(errno));
        fl.io = 1;
        fail_line(why, "%s: cannot write the CSV: %s", a.csv, strerror(errno));
    }
    if (files)
        fprintf(stderr, "result: %s\nreport: %s\nhtml:   %s  (open it: "
                "xdg-open %s)\n", buf_str(&out), buf_str(&rep), buf_str(&html),
                buf_str(&html));
    else
        fprintf(stderr, "--debug: no result files written (add -o RESULT.json "
                "to keep them)\n");
    buf_free(&html);

    /* The database comes last: the result file is already written, and a
     * failed save is retried from it with `herd save`. */
#ifndef HERD_NO_DB
    if (a.save && !fl.io) {
        const char *ci = db_conninfo(a.db);
        char dberr[600] = "no database given";
        if (!ci || db_save(ci, r, buf_str(&out), dberr, sizeof dberr) != EXIT_OK) {
            /* The reason is on the line above already: say which kind. */
            fl.db = 1;
            fail_line(why, "database: the run was not saved (%s; the result "
                      "is kept in %s: herd save %s)", !ci ? "no database given" :
                      strstr(dberr, "cannot connect") ? "unreachable" :
                      "refused, see above", buf_str(&out), buf_str(&out));
        }
    }
#else
    if (a.save) {
        fprintf(stderr, "herd: --save: this build has no database support\n");
        fl.usage = 1;
        fail_line(why, "--save: this build has no database support");
    }
#endif
    fl.interrupted = r->interrupted;
    fl.shards = r->shards_failed > 0;
    fl.setup = setup_failed || teardown_failed;
    fl.no_success = result_no_success(r);
    fl.incomplete = result_incomplete(r);
    fl.thresholds = !thresholds_ok;
    rc = run_exit_code(&fl);
    if (rc != EXIT_OK) {
        /* Every failure, not only the one that chose the exit code: those
         * outside the result (the engine, I/O) first, then the result's own
         * in precedence order, the database last. */
        cJSON *lines = cJSON_CreateArray();
        int nwhy = cJSON_GetArraySize(why);
        for (int i = 0; i < nwhy; i++) {
            cJSON *l = cJSON_GetArrayItem(why, i);
            if (strncmp(l->valuestring, "database:", 9))
                cJSON_AddItemToArray(lines, cJSON_Duplicate(l, 1));
        }
        result_failures(r, lines);
        for (int i = 0; i < nwhy; i++) {
            cJSON *l = cJSON_GetArrayItem(why, i);
            if (!strncmp(l->valuestring, "database:", 9))
                cJSON_AddItemToArray(lines, cJSON_Duplicate(l, 1));
        }
        int n = cJSON_GetArraySize(lines);
        fprintf(stderr, "verdict: FAIL, exit %d (%d failure%s)\n", rc, n,
                n == 1 ? "" : "s");
        const cJSON *l;
        cJSON_ArrayForEach(l, lines) fprintf(stderr, "herd: %s\n", l->valuestring);
        cJSON_Delete(lines);
    }
    cJSON_Delete(why);
    result_free(r);
    plan_free(p);
    free(stamp);
    free(name);
    buf_free(&out);
    buf_free(&rep);
    return rc;
}

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

static const char report_use[] =
    "usage: herd report RESULT.json [--csv | --markdown | --html FILE]\n"
    "       herd report --history PLAN (--last N [--db URL] | RESULT.json ...)"
    " --html FILE\n"
    "       herd report --recover RESULT.json.journal [-o RESULT.json]\n";

/* A run that was killed: its result rebuilt from the journal it left. */
static int report_recover(const char *journal, const char *out_arg)
{
    struct buf out = {0};
    if (out_arg) buf_puts(&out, out_arg);
    else if (!put_stem(&out, journal, ".journal")) buf_puts(&out, ".json");
    if (access(buf_str(&out), F_OK) == 0) {
        fprintf(stderr, "herd: %s exists; choose another -o\n", buf_str(&out));
        buf_free(&out);
        return EXIT_USAGE;
    }
    char err[512];
    int records, torn;
    malloc_for_merging();
    struct result *r = journal_recover(journal, &records, &torn, err, sizeof err);
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

/* The history page of one plan, from result files or the database. */
static int report_history(const char *plan, const char **files, int nfiles,
                          long long last, const char *db, const char *out)
{
    struct result **runs = xcalloc((size_t)(nfiles + last + 1), sizeof *runs);
    const char **paths = xcalloc((size_t)(nfiles + last + 1), sizeof *paths);
    int n = 0, rc = EXIT_OK;
    char err[600];
    for (int i = 0; i < nfiles; i++) {
        struct result *r = result_read(files[i], err, sizeof err);
        if (!r) {
            fprintf(stderr, "herd: %s: %s\n", files[i], err);
            rc = EXIT_IO;
            break;
        }
        if (r->plan_name && strcmp(r->plan_name, plan)) {
            fprintf(stderr, "herd: %s: plan \"%s\", not \"%s\": left out\n",
                    files[i], r->plan_name, plan);
            result_free(r);
            continue;
        }
        paths[n] = files[i];
        runs[n++] = r;
    }
#ifndef HERD_NO_DB
    if (rc == EXIT_OK && last > 0) {
        const char *ci = db_conninfo(db);
        PGconn *c = ci ? db_open(ci) : NULL;
        if (!c) rc = ci ? EXIT_DB : EXIT_USAGE;
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
            if (r) runs[n++] = r;
            free(ids[i]);
        }
        free(ids);
        PQfinish(c);
    }
#else
    (void)db;
    if (last > 0) {
        fprintf(stderr, "herd: --last: this build has no database support\n");
        rc = EXIT_USAGE;
    }
#endif
    if (rc == EXIT_OK) {
        /* Each run keeps its file through the sort: the page links a run
         * to the report beside its result (none for database runs). */
        sort_runs(runs, paths, n);
        FILE *f = fopen(out, "w");
        if (!f || html_history_files(f, plan, runs, paths, n, out) < 0)
            rc = EXIT_IO;
        if (f && fclose(f) != 0) rc = EXIT_IO;
        if (rc == EXIT_OK)
            fprintf(stderr, "history of %d run%s: %s\n", n, n == 1 ? "" : "s", out);
        else
            fprintf(stderr, "herd: %s: cannot write: %s\n", out, strerror(errno));
    }
    for (int i = 0; i < n; i++) result_free(runs[i]);
    free(runs);
    free(paths);
    return rc;
}

static int cmd_report(int argc, char **argv)
{
    const char *html = NULL, *history = NULL, *db = NULL, *recover = NULL;
    const char *out = NULL;
    const char **files = xcalloc((size_t)argc, sizeof *files);
    int nfiles = 0, csv = 0, rc;
    long long last = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--csv")) csv = 1;
        else if (!strcmp(argv[i], "--markdown")) csv = 3;
        else if (!strcmp(argv[i], "--html") || !strcmp(argv[i], "--history") ||
                 !strcmp(argv[i], "--db")) {
            const char **dst = argv[i][2] == 'h' && argv[i][3] == 't' ? &html :
                               argv[i][2] == 'h' ? &history : &db;
            if (want_value(argc, argv, &i, dst) < 0) { free(files); return EXIT_USAGE; }
        } else if (!strcmp(argv[i], "--recover") || !strcmp(argv[i], "-o") ||
                   !strcmp(argv[i], "--out")) {
            const char **dst = !strcmp(argv[i], "--recover") ? &recover : &out;
            if (want_value(argc, argv, &i, dst) < 0) { free(files); return EXIT_USAGE; }
        } else if (!strcmp(argv[i], "--last")) {
            if (want_int(argc, argv, &i, 1, MAX_LAST_RUNS, &last) < 0) {
                free(files);
                return EXIT_USAGE;
            }
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(report_use, stdout);
            puts("Prints a result's text report, its per-transaction table as "
                 "CSV, or writes its\nHTML report (one self-contained file). "
                 "--history draws one plan's runs week\nby week (p50/p95/p99 "
                 "and error rate per transaction) from result files or\nthe "
                 "last N runs in the database. --recover rebuilds the "
                 "result of a run that was\nkilled from the journal it "
                 "left next to its result (RESULT.json.journal).");
            free(files);
            return EXIT_OK;
        } else if (argv[i][0] == '-') {
            fputs(report_use, stderr);
            free(files);
            return EXIT_USAGE;
        } else files[nfiles++] = argv[i];
    }
    if (recover || out) {
        if (!recover || nfiles || html || history || csv) {
            fputs(report_use, stderr);
            free(files);
            return EXIT_USAGE;
        }
        free(files);
        return report_recover(recover, out);
    }
    if (history) {
        if (!html || (!nfiles && !last)) {
            fputs(report_use, stderr);
            free(files);
            return EXIT_USAGE;
        }
        rc = report_history(history, files, nfiles, last, db, html);
        free(files);
        return rc;
    }
    if (nfiles != 1 || (csv && html)) {
        fputs(report_use, stderr);
        free(files);
        return EXIT_USAGE;
    }
    char err[512];
    struct result *r = result_read(files[0], err, sizeof err);
    if (!r) {
        fprintf(stderr, "herd: %s: %s\n", files[0], err);
        free(files);
        return EXIT_IO;
    }
    if (html) {
        rc = write_text(html, r, 2) < 0 ? EXIT_IO : EXIT_OK;
        if (rc) fprintf(stderr, "herd: %s: cannot write: %s\n", html, strerror(errno));
    } else {
        rc = (csv == 3 ? report_markdown(stdout, r) : csv ? report_csv(stdout, r) :
              report_text(stdout, r)) < 0 || fflush(stdout) != 0 ? EXIT_IO : EXIT_OK;
    }
    result_free(r);
    free(files);
    return rc;
}

static int cmd_merge(int argc, char **argv)
{
    malloc_for_merging();
    const char *out = NULL;
    int nin = 0;
    const char **in = xcalloc((size_t)argc, sizeof *in);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--out")) {
            if (want_value(argc, argv, &i, &out) < 0) { free(in); return EXIT_USAGE; }
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            puts("usage: herd merge A.json B.json ... -o ALL.json\nMerges "
                 "results exactly: histograms, counters and the timeline "
                 "aligned by wall clock.");
            free(in);
            return EXIT_OK;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "herd: unknown option %s\n", argv[i]);
            free(in);
            return EXIT_USAGE;
        } else in[nin++] = argv[i];
    }
    if (!out || nin < 1) {
        fprintf(stderr, "usage: herd merge A.json B.json ... -o ALL.json\n");
        free(in);
        return EXIT_USAGE;
    }
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
        fprintf(stderr, "merged %d result%s into %s\n", nin, nin == 1 ? "" : "s",
                out);
    result_free(all);
    free(in);
    return rc;
}

#ifndef HERD_NO_DB
static int cmd_db(int argc, char **argv)
{
    const char *db = NULL;
    int migrate = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "migrate")) migrate = 1;
        else if (!strcmp(argv[i], "--db")) {
            if (want_value(argc, argv, &i, &db) < 0) return EXIT_USAGE;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            puts("usage: herd db migrate [--db URL]\nApplies the migrations "
                 "in sql/ (compiled into herd) that the database has not "
                 "seen,\nin one transaction under an advisory lock. Safe to "
                 "re-run and to run concurrently.");
            return EXIT_OK;
        } else {
            fprintf(stderr, "usage: herd db migrate [--db URL]\n");
            return EXIT_USAGE;
        }
    }
    if (!migrate) {
        fprintf(stderr, "usage: herd db migrate [--db URL]\n");
        return EXIT_USAGE;
    }
    const char *ci = db_conninfo(db);
    if (!ci) return EXIT_USAGE;
    PGconn *c = db_open(ci);
    if (!c) return EXIT_DB;
    char err[600];
    int applied = 0;
    int rc = store_migrate(c, &applied, err, sizeof err);
    store_mask(ci, err);
    PQfinish(c);
    if (rc < 0) {
        fprintf(stderr, "herd: %s\n", err);
        return EXIT_DB;
    }
    printf("migrations: %d applied, %d already there\n", applied,
           store_nmigrations - applied);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_IO;
}

static int cmd_save(int argc, char **argv)
{
    const char *file = NULL, *db = NULL, *run_id = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--db")) {
            if (want_value(argc, argv, &i, &db) < 0) return EXIT_USAGE;
        } else if (!strcmp(argv[i], "--run-id")) {
            if (want_value(argc, argv, &i, &run_id) < 0) return EXIT_USAGE;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            puts("usage: herd save RESULT.json [--run-id ID] [--db URL]\n"
                 "Stores a result in analytics.load_testing and its companion "
                 "tables,\nin one transaction. Saving the same result again "
                 "changes nothing;\na different result under an existing run "
                 "id is refused (exit 7).");
            return EXIT_OK;
        } else if (argv[i][0] == '-' || file) {
            fprintf(stderr, "usage: herd save RESULT.json [--run-id ID] "
                    "[--db URL]\n");
            return EXIT_USAGE;
        } else file = argv[i];
    }
    if (!file) {
        fprintf(stderr, "usage: herd save RESULT.json [--run-id ID] [--db URL]\n");
        return EXIT_USAGE;
    }
    const char *ci = db_conninfo(db);
    if (!ci) return EXIT_USAGE;
    /* A corrupt or truncated file is refused before anything is written. */
    char err[512];
    struct result *r = result_read(file, err, sizeof err);
    if (!r) {
        fprintf(stderr, "herd: %s: %s\n", file, err);
        return EXIT_IO;
    }
    if (run_id) {
        free(r->run_id);
        r->run_id = xstrdup(run_id);
    }
    int rc = db_save(ci, r, NULL, NULL, 0);
    result_free(r);
    return rc;
}

/* Loads "run:ID" from the database or a file. */
static struct result *load_any(const char *what, PGconn **c, const char *db,
                               int *rc)
{
    char err[600];
    if (!strncmp(what, "run:", 4)) {
        if (!*c) {
            const char *ci = db_conninfo(db);
            if (!ci) { *rc = EXIT_USAGE; return NULL; }
            if (!(*c = db_open(ci))) { *rc = EXIT_DB; return NULL; }
        }
        struct result *r = store_load(*c, what + 4, err, sizeof err);
        if (!r) { fprintf(stderr, "herd: %s\n", err); *rc = EXIT_DB; }
        return r;
    }
    struct result *r = result_read(what, err, sizeof err);
    if (!r) { fprintf(stderr, "herd: %s: %s\n", what, err); *rc = EXIT_IO; }
    return r;
}

static int cmd_compare(int argc, char **argv)
{
    const char *cur_arg = NULL, *base_arg = NULL, *db = NULL, *tols = NULL;
    long long last = 0;
    static const char use[] = "usage: herd compare RESULT.json|run:ID "
        "(--baseline FILE|run:ID | --last N) [--tolerance SPEC] [--db URL]\n";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--baseline")) {
            if (want_value(argc, argv, &i, &base_arg) < 0) return EXIT_USAGE;
        } else if (!strcmp(argv[i], "--last")) {
            if (want_int(argc, argv, &i, 1, MAX_LAST_RUNS, &last) < 0)
                return EXIT_USAGE;
        } else if (!strcmp(argv[i], "--tolerance")) {
            if (want_value(argc, argv, &i, &tols) < 0) return EXIT_USAGE;
        } else if (!strcmp(argv[i], "--db")) {
            if (want_value(argc, argv, &i, &db) < 0) return EXIT_USAGE;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(use, stdout);
            puts("Compares per transaction (and all requests as \"http\"): "
                 "p50, p95, p99, error rate,\nthroughput. The baseline is "
                 "another result (file or run:ID), or with --last N the\n"
                 "median of the N runs of the same plan saved before it. "
                 "Tolerances default to\np95=20%,p99=30%,error_rate=1% (error "
                 "rate in percentage points); p50 and rps\nare shown, and "
                 "gated when given (rps=10% fails a 10% drop).\n"
                 "Exit 0 within tolerances, 8 on a regression.");
            return EXIT_OK;
        } else if (argv[i][0] == '-' || cur_arg) {
            fputs(use, stderr);
            return EXIT_USAGE;
        } else cur_arg = argv[i];
    }
    if (!cur_arg || (!base_arg == !last)) {
        fputs(use, stderr);
        return EXIT_USAGE;
    }
    struct cmp_tol tol;
    cmp_tol_default(&tol);
    char err[600];
    if (tols && cmp_tol_parse(tols, &tol, err, sizeof err) < 0) {
        fprintf(stderr, "herd: --tolerance: %s\n", err);
        return EXIT_USAGE;
    }
    int rc = EXIT_OK;
    PGconn *c = NULL;
    struct result *cur = load_any(cur_arg, &c, db, &rc);
    struct cmp_set cs = {0}, bs = {0};
    struct buf label = {0};
    if (!cur) goto out;
    cmp_from_result(cur, &cs);
    if (base_arg) {
        struct result *b = load_any(base_arg, &c, db, &rc);
        if (!b) goto out;
        cmp_from_result(b, &bs);
        buf_printf(&label, "%s (run %s)", base_arg, b->run_id ? b->run_id : "-");
        result_free(b);
    } else {
        const char *ci = db_conninfo(db);
        if (!ci) { rc = EXIT_USAGE; goto out; }
        if (!c && !(c = db_open(ci))) { rc = EXIT_DB; goto out; }
        char **ids = xcalloc((size_t)last, sizeof *ids);
        int n = store_recent_runs(c, cur->plan_name ? cur->plan_name : "",
                                  cur->run_id, (int)last, ids, err, sizeof err);
        if (n < 0) {
            store_mask(ci, err);
            fprintf(stderr, "herd: %s\n", err);
            free(ids);
            rc = EXIT_DB;
            goto out;
        }
        struct cmp_set *sets = xcalloc((size_t)(n ? n : 1), sizeof *sets);
        int got = 0;
        for (int i = 0; i < n; i++) {
            struct result *b = store_load(c, ids[i], err, sizeof err);
            if (b) { cmp_from_result(b, &sets[got++]); result_free(b); }
            else fprintf(stderr, "herd: skipping %s: %s\n", ids[i], err);
            free(ids[i]);
        }
        free(ids);
        if (!got) {
            printf("no earlier runs of plan \"%s\" in the database: nothing "
                   "to compare with (first run?)\n",
                   cur->plan_name ? cur->plan_name : "");
            free(sets);
            goto out;
        }
        cmp_median(sets, got, &bs);
        for (int i = 0; i < got; i++) cmp_set_free(&sets[i]);
        free(sets);
        buf_printf(&label, "the median of the last %d run%s of \"%s\"", got,
                   got == 1 ? "" : "s", cur->plan_name);
    }
    {
        struct buf cl = {0};
        buf_printf(&cl, "%s (run %s)", cur_arg, cur->run_id ? cur->run_id : "-");
        int regressions = cmp_print(stdout, buf_str(&label), &bs, buf_str(&cl),
                                    &cs, &tol);
        buf_free(&cl);
        if (fflush(stdout) != 0) rc = EXIT_IO;
        else if (regressions) rc = EXIT_REGRESSION;
    }
out:
    cmp_set_free(&cs);
    cmp_set_free(&bs);
    buf_free(&label);
    result_free(cur);
    PQfinish(c);
    return rc;
}

#endif /* HERD_NO_DB */

/* Asks one question on the terminal; returns the answer or the default. */
static void ask(const char *q, const char *def, char *out, size_t n)
{
    fprintf(stderr, "%s [%s]: ", q, def);
    fflush(stderr);
    if (!fgets(out, (int)n, stdin)) out[0] = '\0';
    out[strcspn(out, "\r\n")] = '\0';
    if (!out[0]) snprintf(out, n, "%s", def);
}

static int cmd_init(int argc, char **argv)
{
    const char *name = NULL, *url = NULL, *users = NULL, *duration = NULL;
    const char *out = "plan.json", *template = NULL;
    int force = 0;
    static const char use[] = "usage: herd init [-o plan.json] [--name NAME] "
        "[--url URL] [--users N] [--duration D] [--template browse|celery] "
        "[--force]\n";
    for (int i = 1; i < argc; i++) {
        const char **dst = !strcmp(argv[i], "--name") ? &name :
                           !strcmp(argv[i], "--template") ? &template :
                           !strcmp(argv[i], "--url") ? &url :
                           !strcmp(argv[i], "--users") ? &users :
                           !strcmp(argv[i], "--duration") ? &duration :
                           !strcmp(argv[i], "-o") ? &out : NULL;
        if (dst) {
            if (want_value(argc, argv, &i, dst) < 0) return EXIT_USAGE;
        } else if (!strcmp(argv[i], "--force")) {
            force = 1;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(use, stdout);
            puts("Writes a starter plan with comments (\"//\" keys) to edit. On "
                 "a terminal it asks\nfor what the flags leave out; otherwise "
                 "defaults are used.\n--template browse: one GET (the "
                 "default); celery: POST a job, then poll its\nstatus until "
                 "SUCCESS (FAILURE or REVOKED fail the iteration).");
            return EXIT_OK;
        } else {
            fputs(use, stderr);
            return EXIT_USAGE;
        }
    }
    if (!force && access(out, F_OK) == 0) {
        fprintf(stderr, "herd: %s exists; pick another -o or pass --force\n", out);
        return EXIT_USAGE;
    }
    char a_name[128], a_url[512], a_users[32], a_dur[32], a_tpl[32];
    int tty = isatty(0);

    if (name) snprintf(a_name, sizeof a_name, "%s", name);
    else if (tty) ask("Plan name", "my-service", a_name, sizeof a_name);
    else snprintf(a_name, sizeof a_name, "my-service");
    if (url) snprintf(a_url, sizeof a_url, "%s", url);
    else if (tty) ask("Base URL of the server", "http://localhost:8000", a_url, sizeof a_url);
    else snprintf(a_url, sizeof a_url, "http://localhost:8000");
    if (users) snprintf(a_users, sizeof a_users, "%s", users);
    else if (tty) ask("Virtual users", "10", a_users, sizeof a_users);
    else snprintf(a_users, sizeof a_users, "10");
    if (duration) snprintf(a_dur, sizeof a_dur, "%s", duration);
    else if (tty) ask("Duration (e.g. 30s, 5m)", "1m", a_dur, sizeof a_dur);
    else snprintf(a_dur, sizeof a_dur, "1m");
    /* Asked last, so answers piped in the old order still fit. */
    if (template) snprintf(a_tpl, sizeof a_tpl, "%s", template);
    else if (tty) ask("Template: browse (one GET) or celery (POST a job, poll "
                      "until SUCCESS)", "browse", a_tpl, sizeof a_tpl);
    else snprintf(a_tpl, sizeof a_tpl, "browse");
    int celery = !strcmp(a_tpl, "celery");
    if (!celery && strcmp(a_tpl, "browse")) {
        fprintf(stderr, "herd: --template: expected browse or celery\n");
        return EXIT_USAGE;
    }
    char *end;
    long nu = strtol(a_users, &end, 10);
    int64_t d;
    if (*end || nu < 1 || units_parse_duration(a_dur, &d) < 0 || d <= 0) {
        fprintf(stderr, "herd: users must be a whole number >= 1 and the "
                "duration like \"30s\" or \"5m\"\n");
        return EXIT_USAGE;
    }
    cJSON *jn = cJSON_CreateString(a_name), *ju = cJSON_CreateString(a_url);
    char *qn = xjson_print(jn, 0), *qu = xjson_print(ju, 0);
    cJSON_Delete(jn);
    cJSON_Delete(ju);
    struct buf b = {0};
    buf_printf(&b,
"{\n"
"  \"//\": \"A herd plan. Keys starting with // are comments. Reference: the README, 'The plan reference'. Check it with: herd check %s\",\n"
"  \"name\": %s,\n"
"  \"base_url\": %s,\n"
"  \"//headers\": \"Sent with every request. Secrets come from the environment, e.g. \\\"Authorization\\\": \\\"Bearer ${API_TOKEN}\\\"\",\n"
"  \"headers\": {\"Accept\": \"application/json\"},\n"
"  \"timeout\": \"30s\",\n"
"  \"load\": {\n"
"    \"//\": \"Closed model: users started at spawn_rate per second, each looping over the scenarios, thinking between steps. Or \\\"rate\\\": iterations per second (open model).\",\n"
"    \"users\": %ld,\n"
"    \"spawn_rate\": %ld,\n"
"    \"duration\": \"%s\",\n"
"    \"think\": [\"200ms\", \"500ms\"]\n"
"  },\n"
"  \"scenarios\": [\n"
"%s"
"  ],\n"
"  \"//thresholds\": \"A failing threshold makes the exit code 1, for CI.\",\n"
"  \"thresholds\": [%s\"http error_rate < 1%%\"]\n"
"}\n", out, qn, qu, nu, nu > 10 ? nu / 10 : 1, a_dur, celery ?
"    {\"name\": \"job\", \"weight\": 1, \"steps\": [\n"
"      {\"//\": \"Starts a Celery task; its id comes back in the answer (edit the path, the body and $.id to your API).\",\n"
"       \"name\": \"submit job\", \"method\": \"POST\", \"path\": \"/tasks\",\n"
"       \"json\": {\"user\": \"load_test_user_{{user}}\"},\n"
"       \"expect\": {\"status\": [200, 201, 202]}, \"extract\": {\"task\": \"$.id\"}},\n"
"      {\"//\": \"Polls the task's status: the first poll goes out at once, then one every 500ms until $.state is SUCCESS (the flow row 'job done' times first poll to SUCCESS); FAILURE or REVOKED, or 5m without an answer, fails the iteration. every, timeout and until are required.\",\n"
"       \"name\": \"job done\", \"poll\": {\"name\": \"poll status\", \"method\": \"GET\",\n"
"       \"path\": \"/tasks/{{task}}\", \"every\": \"500ms\", \"timeout\": \"5m\",\n"
"       \"until\": {\"$.state\": \"SUCCESS\"},\n"
"       \"fail_on\": {\"$.state\": [\"FAILURE\", \"REVOKED\"]}}}\n"
"    ]}\n" :
"    {\"name\": \"browse\", \"weight\": 1, \"steps\": [\n"
"      {\"name\": \"home\", \"method\": \"GET\", \"path\": \"/\",\n"
"       \"expect\": {\"status\": 200}}\n"
"    ]}\n",
    celery ? "\"job done p95 < 30s\", \"submit job p95 < 500ms\", " :
    "\"http p95 < 500ms\", ");
    cJSON_free(qn);
    cJSON_free(qu);
    char err[1024];
    struct plan *p = plan_parse(buf_str(&b), out, err, sizeof err);
    if (!p) {
        fprintf(stderr, "herd: the starter plan would be invalid: %s\n", err);
        buf_free(&b);
        return EXIT_USAGE;
    }
    plan_free(p);
    FILE *f = fopen(out, "w");
    int rc = f && fputs(buf_str(&b), f) >= 0 ? EXIT_OK : EXIT_IO;
    if (f && fclose(f) != 0) rc = EXIT_IO;
    buf_free(&b);
    if (rc != EXIT_OK) {
        fprintf(stderr, "herd: %s: %s\n", out, strerror(errno));
        return rc;
    }
    fprintf(stderr, "wrote %s; try it: herd run %s --debug\n", out, out);
    return EXIT_OK;
}

static int cmd_version(int argc, char **argv)
{
    (void)argc; (void)argv;
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    printf("herd %s (libcurl %s, %s%s)\n", HERD_VERSION, v->version,
           v->ssl_version ? v->ssl_version : "no TLS",
#ifdef HERD_NO_DB
           ", no database"
#else
           ""
#endif
           );
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_IO;
}

static int cmd_help(int argc, char **argv)
{
    (void)argc; (void)argv;
    return usage(stdout, EXIT_OK);
}

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
} commands[] = {
    {"run", cmd_run},
    {"check", cmd_check},
    {"init", cmd_init},
    {"report", cmd_report},
    {"merge", cmd_merge},
#ifndef HERD_NO_DB
    {"db", cmd_db},
    {"save", cmd_save},
    {"compare", cmd_compare},
#endif
    {"version", cmd_version},
    {"help", cmd_help},
    {"--help", cmd_help},
    {"-h", cmd_help},
    {"--version", cmd_version},
};

/* Names the binary answers to through symlinks/, and their command. */
static const struct {
    const char *argv0;
    const char *command;
} aliases[] = {
    {"run_local_load_test", "run"},
    {"run_distributed_load_test", "run"},
};

int main(int argc, char **argv)
{
    const char *self = strrchr(argv[0], '/');
    self = self ? self + 1 : argv[0];
    /* As the function's bootstrap (or with the runtime API and nothing
     * else to do), herd is a Lambda runtime. */
    if (!strcmp(self, "bootstrap") ||
        (argc == 1 && getenv("AWS_LAMBDA_RUNTIME_API")))
        return lambda_runtime_main();
    for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++) {
        if (strcmp(self, aliases[i].argv0)) continue;
        if (argc < 2) {
            fprintf(stderr, "%s runs a herd load test on this machine.\n"
                    "usage: %s PLAN.json [--users N] [--duration D] ...\n"
                    "(the same as `herd run`; see herd --help)\n", self, self);
            return EXIT_USAGE;
        }
        if (!strcmp(self, "run_distributed_load_test")) {
            int has = 0;
            for (int k = 1; k < argc; k++) has |= !strcmp(argv[k], "--lambda");
            if (!has) {
                fprintf(stderr, "%s: needs --lambda FUNCTION (and "
                        "--invocations N)\n", self);
                return EXIT_USAGE;
            }
        }
        argv[0] = (char *)aliases[i].command;
        return cmd_run(argc, argv);
    }
    if (argc < 2) return usage(stderr, EXIT_USAGE);
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "herd: unknown command \"%s\" (see herd --help)\n", argv[1]);
    return EXIT_USAGE;
}
