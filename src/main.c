/* main.c — the command line: subcommands dispatched from a table (as git's
 * git.c does), each a cmd_<name>() that parses its options and hands the
 * work to the module that owns it (run.c, review.c, init.c, store.c),
 * returning the process exit code (exitcode.h). The binary's other names
 * (symlinks/) pick a subcommand through argv[0], busybox style:
 * run_local_load_test is `herd run`; as `bootstrap` herd is a Lambda
 * runtime (lambda.c). */
#include "buf.h"
#include "compare.h"
#include "exitcode.h"
#include "init.h"
#include "coord.h"
#include "lambda.h"
#include "plan.h"
#include "review.h"
#include "run.h"
#ifndef HERD_NO_DB
#include "store.h"
#endif
#include "units.h"
#include "version.h"
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
"  --memory MB          the function's memory, for the cost estimate (1769)\n"
"  --yes                start without asking: the estimated cost is printed\n"
"                       first, and above $1 (HERD_LAMBDA_ASK_USD) a terminal\n"
"                       is asked to confirm; no terminal is never asked\n"
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

static int want_value(int argc, char **argv, int *i, const char **out)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "herd: %s needs a value\n", argv[*i]);
        return -1;
    }
    *out = argv[++*i];
    return 0;
}

/* The option's value as a whole number in min..max. */
static int want_int(int argc, char **argv, int *i, long long min,
                    long long max, long long *out)
{
    const char *v;
    if (want_value(argc, argv, i, &v) < 0) return -1;
    int rc = units_parse_count(v, min, max, out);
    if (rc == -1)
        fprintf(stderr, "herd: %s: expected a whole number, got \"%s\"\n",
                argv[*i - 1], v);
    else if (rc == -2)
        fprintf(stderr, "herd: %s: expected a whole number from %lld to "
                "%lld, got %s\n", argv[*i - 1], min, max, v);
    return rc < 0 ? -1 : 0;
}

/* One option of a command and where it goes: its value as text, or as a
 * whole number in min..max (max fits an int: nothing is truncated), or 1
 * for a flag. */
struct opt {
    const char *name;
    const char **text;
    int *num;
    long long min, max;
    int *flag;
};
#define NOPTS(a) (sizeof (a) / sizeof *(a))

/* Takes argv[*i] if it is one of the n opts, with its value (advancing
 * *i). Returns 1 if taken, 0 if it is none of them, -1 on a missing or
 * bad value (said on stderr). */
static int take_opt(int argc, char **argv, int *i, const struct opt *opts,
                    size_t n)
{
    const struct opt *o = opts;
    while (o < opts + n && strcmp(argv[*i], o->name)) o++;
    if (o == opts + n) return 0;
    if (o->flag) *o->flag = 1;
    if (o->text && want_value(argc, argv, i, o->text) < 0) return -1;
    long long v;
    if (o->num) {
        if (want_int(argc, argv, i, o->min, o->max, &v) < 0) return -1;
        *o->num = (int)v;
    }
    return 1;
}

static int is_help(const char *s)
{
    return !strcmp(s, "-h") || !strcmp(s, "--help");
}

static int want_rate(int argc, char **argv, int *i, double *rate)
{
    const char *v;
    char *end;
    if (want_value(argc, argv, i, &v) < 0) return -1;
    *rate = strtod(v, &end);
    /* Written so that NaN fails too ("nan" and "inf" parse). */
    if (*end || end == v || !(*rate >= PLAN_MIN_RATE && *rate <= PLAN_MAX_RATE)) {
        fprintf(stderr, "herd: --rate: expected iterations per second from "
                "%g to %g, got \"%s\"\n", PLAN_MIN_RATE, PLAN_MAX_RATE, v);
        return -1;
    }
    return 0;
}

static int parse_run_args(int argc, char **argv, struct run_args *a)
{
    const struct opt opts[] = {
        {"-o", .text = &a->out}, {"--out", .text = &a->out},
        {"--report", .text = &a->report}, {"--csv", .text = &a->csv},
        {"--data-root", .text = &a->data_root},
        {"--duration", .text = &a->duration},
        {"--run-id", .text = &a->run_id}, {"--db", .text = &a->db},
        {"--lambda", .text = &a->lambda},
        {"--qualifier", .text = &a->qualifier},
        {"--region", .text = &a->region},
        {"--endpoint", .text = &a->endpoint},
        {"--start-delay", .text = &a->start_delay},
        {"--part", .text = &a->part},
        {"--users", .num = &a->users, .min = 1, .max = PLAN_MAX_USERS},
        /* More workers than users are never started. */
        {"--threads", .num = &a->threads, .min = 1, .max = PLAN_MAX_USERS},
        {"--invocations", .num = &a->invocations, .min = 1,
         .max = COORD_MAX_INVOCATIONS},
        {"--shard-retries", .num = &a->shard_retries, .min = 0,
         .max = MAX_SHARD_RETRIES},
        {"--save", .flag = &a->save}, {"--debug", .flag = &a->debug},
        {"--no-stream", .flag = &a->no_stream}, {"--yes", .flag = &a->yes},
        {"--memory", .num = &a->memory_mb, .min = 128, .max = 10240},
        {"-q", .flag = &a->quiet}, {"--quiet", .flag = &a->quiet},
    };
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        long long n;
        int took = take_opt(argc, argv, &i, opts, NOPTS(opts));
        if (took < 0) return -1;
        if (took) continue;
        if (!strcmp(s, "--iterations")) {
            if (want_int(argc, argv, &i, 1, PLAN_MAX_ITERATIONS, &n) < 0)
                return -1;
            a->iterations = n;
        } else if (!strcmp(s, "--rate")) {
            if (want_rate(argc, argv, &i, &a->rate) < 0) return -1;
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
    return 0;
}

/* Parses a command's options (the n opts) and operands (at most max, into
 * ops; *nops counts them). -h or --help prints use and help on stdout and
 * returns 1; an unknown option or an operand too many prints use on
 * stderr, and a bad value says why: -1. Otherwise 0. */
static int parse_opts(int argc, char **argv, const struct opt *opts,
                      size_t n, const char **ops, int max, int *nops,
                      const char *use, const char *help)
{
    *nops = 0;
    for (int i = 1; i < argc; i++) {
        int took = take_opt(argc, argv, &i, opts, n);
        if (took < 0) return -1;
        if (took) continue;
        if (is_help(argv[i])) {
            fputs(use, stdout);
            puts(help);
            return 1;
        }
        if (argv[i][0] == '-' || *nops == max) {
            fputs(use, stderr);
            return -1;
        }
        ops[(*nops)++] = argv[i];
    }
    return 0;
}

/* parse_opts' answer as the command's exit code, when it ends the
 * command (help, or bad usage). */
#define PARSED_OR_RETURN(rc) do { \
        if ((rc) > 0) return EXIT_OK; \
        if ((rc) < 0) return EXIT_USAGE; \
    } while (0)

/* ---- commands ---------------------------------------------------------- */

static int cmd_check(int argc, char **argv)
{
    const char *plan = NULL, *root = NULL;
    static const char use[] = "usage: herd check PLAN.json [--data-root "
        "DIR]\n";
    const struct opt opts[] = {{"--data-root", .text = &root}};
    int n, rc = parse_opts(argc, argv, opts, NOPTS(opts), &plan, 1, &n, use,
        "Validates the plan (fields, templates, data files, thresholds, "
        "${ENV} values) and\nsends nothing. Exit 0 when valid, 3 when not.");
    PARSED_OR_RETURN(rc);
    if (!plan) {
        fputs(use, stderr);
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

static int cmd_run(int argc, char **argv)
{
    struct run_args a = {0};
    for (int i = 1; i < argc; i++)
        if (is_help(argv[i])) return usage(stdout, EXIT_OK);
    if (parse_run_args(argc, argv, &a) < 0) return EXIT_USAGE;
    return run_main(&a);
}

static const char report_use[] =
    "usage: herd report RESULT.json [--csv | --markdown | --html FILE]\n"
    "       herd report --history PLAN (--last N [--db URL] | RESULT.json ...)"
    " --html FILE\n"
    "       herd report --recover RESULT.json.journal [-o RESULT.json]\n";

static int cmd_report(int argc, char **argv)
{
    const char *html = NULL, *history = NULL, *db = NULL, *recover = NULL;
    const char *out = NULL;
    const char **files = xcalloc((size_t)argc, sizeof *files);
    int nfiles, csv = 0, markdown = 0, last = 0;
    const struct opt opts[] = {
        {"--html", .text = &html}, {"--history", .text = &history},
        {"--db", .text = &db}, {"--recover", .text = &recover},
        {"-o", .text = &out}, {"--out", .text = &out},
        {"--csv", .flag = &csv}, {"--markdown", .flag = &markdown},
        {"--last", .num = &last, .min = 1, .max = MAX_LAST_RUNS},
    };
    int rc = parse_opts(argc, argv, opts, NOPTS(opts), files, argc, &nfiles,
        report_use, "Prints a result's text report, its per-transaction "
        "table as CSV, or writes its\nHTML report (one self-contained file). "
        "--history draws one plan's runs week\nby week (p50/p95/p99 and error "
        "rate per transaction) from result files or\nthe last N runs in the "
        "database. --recover rebuilds the result of a run that was\nkilled "
        "from the journal it left next to its result (RESULT.json.journal).");
    rc = rc > 0 ? EXIT_OK : rc < 0 ? EXIT_USAGE : -1;
    /* Which of the three forms the options ask for, if any. */
    if (rc >= 0) {
    } else if (recover || out) {
        if (recover && !nfiles && !html && !history && !csv && !markdown)
            rc = review_recover(recover, out);
    } else if (history) {
        if (html && (nfiles || last))
            rc = review_history(history, files, nfiles, last, db, html);
    } else if (nfiles == 1 && !((csv || markdown) && html)) {
        rc = review_report(files[0], markdown ? REVIEW_MARKDOWN :
                           csv ? REVIEW_CSV : REVIEW_TEXT, html);
    }
    if (rc < 0) {
        fputs(report_use, stderr);
        rc = EXIT_USAGE;
    }
    free(files);
    return rc;
}

static int cmd_merge(int argc, char **argv)
{
    const char *out = NULL;
    const char **in = xcalloc((size_t)argc, sizeof *in);
    static const char use[] = "usage: herd merge A.json B.json ... -o "
        "ALL.json\n";
    const struct opt opts[] = {{"-o", .text = &out}, {"--out", .text = &out}};
    int nin, rc = parse_opts(argc, argv, opts, NOPTS(opts), in, argc, &nin,
        use, "Merges results exactly: histograms, counters and the timeline "
        "aligned by wall clock.");
    if (rc == 0 && (!out || nin < 1)) {
        fputs(use, stderr);
        rc = -1;
    }
    rc = rc > 0 ? EXIT_OK : rc < 0 ? EXIT_USAGE : review_merge(in, nin, out);
    free(in);
    return rc;
}

#ifndef HERD_NO_DB
static int cmd_db(int argc, char **argv)
{
    const char *db = NULL;
    int migrate = 0, n;
    static const char use[] = "usage: herd db migrate [--db URL]\n";
    const struct opt opts[] = {{"migrate", .flag = &migrate},
                               {"--db", .text = &db}};
    int rc = parse_opts(argc, argv, opts, NOPTS(opts), NULL, 0, &n, use,
        "Applies the migrations in sql/ (compiled into herd) that the "
        "database has not seen,\nin one transaction under an advisory lock. "
        "Safe to re-run and to run concurrently.");
    PARSED_OR_RETURN(rc);
    if (!migrate) {
        fputs(use, stderr);
        return EXIT_USAGE;
    }
    const char *ci = store_conninfo(db);
    if (!ci) return EXIT_USAGE;
    int applied = 0;
    if (store_migrate_url(ci, &applied) < 0) return EXIT_DB;
    printf("migrations: %d applied, %d already there\n", applied,
           store_nmigrations - applied);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_IO;
}

static int cmd_save(int argc, char **argv)
{
    const char *file = NULL, *db = NULL, *run_id = NULL;
    static const char use[] = "usage: herd save RESULT.json [--run-id ID] "
        "[--db URL]\n";
    const struct opt opts[] = {{"--db", .text = &db},
                               {"--run-id", .text = &run_id}};
    int n, rc = parse_opts(argc, argv, opts, NOPTS(opts), &file, 1, &n, use,
        "Stores a result in analytics.load_testing and its companion "
        "tables,\nin one transaction. Saving the same result again changes "
        "nothing;\na different result under an existing run id is refused "
        "(exit 7).");
    PARSED_OR_RETURN(rc);
    if (!file) {
        fputs(use, stderr);
        return EXIT_USAGE;
    }
    const char *ci = store_conninfo(db);
    if (!ci) return EXIT_USAGE;
    rc = store_save_file(ci, file, run_id);
    return rc == -1 ? EXIT_IO : rc < 0 ? EXIT_DB : EXIT_OK;
}

static int cmd_compare(int argc, char **argv)
{
    const char *cur = NULL, *base = NULL, *db = NULL, *tols = NULL;
    int last = 0;
    static const char use[] = "usage: herd compare RESULT.json|run:ID "
        "(--baseline FILE|run:ID | --last N) [--tolerance SPEC] [--db URL]\n";
    const struct opt opts[] = {
        {"--baseline", .text = &base}, {"--tolerance", .text = &tols},
        {"--db", .text = &db},
        {"--last", .num = &last, .min = 1, .max = MAX_LAST_RUNS},
    };
    int n, rc = parse_opts(argc, argv, opts, NOPTS(opts), &cur, 1, &n, use,
        "Compares per transaction (and all requests as \"http\"): p50, p95, "
        "p99, error rate,\nthroughput. The baseline is another result (file "
        "or run:ID), or with --last N the\nmedian of the N runs of the same "
        "plan saved before it. Tolerances default to\np95=20%,p99=30%,"
        "error_rate=1% (error rate in percentage points); p50 and rps\nare "
        "shown, and gated when given (rps=10% fails a 10% drop).\nExit 0 "
        "within tolerances, 8 on a regression.");
    PARSED_OR_RETURN(rc);
    if (!cur || (!base == !last)) {
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
    return review_compare(cur, base, last, db, &tol);
}
#endif /* HERD_NO_DB */

static int cmd_init(int argc, char **argv)
{
    struct init_args a = {.out = "plan.json"};
    static const char use[] = "usage: herd init [-o plan.json] [--name NAME] "
        "[--url URL] [--users N] [--duration D] [--template browse|celery] "
        "[--force]\n";
    const struct opt opts[] = {
        {"--name", .text = &a.name}, {"--template", .text = &a.template},
        {"--url", .text = &a.url}, {"--users", .text = &a.users},
        {"--duration", .text = &a.duration}, {"-o", .text = &a.out},
        {"--force", .flag = &a.force},
    };
    int n, rc = parse_opts(argc, argv, opts, NOPTS(opts), NULL, 0, &n, use,
        "Writes a starter plan with comments (\"//\" keys) to edit. On a "
        "terminal it asks\nfor what the flags leave out; otherwise defaults "
        "are used.\n--template browse: one GET (the default); celery: POST a "
        "job, then poll its\nstatus until SUCCESS (FAILURE or REVOKED fail "
        "the iteration).");
    PARSED_OR_RETURN(rc);
    return init_main(&a);
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
