/* run.c — `herd run`; see run.h.
 *
 * run_main reads top to bottom in the order a run happens; each step is a
 * function below it, in the same order. What the steps share travels in
 * struct run: the plan, the result, the file names, the engine's options
 * and every failure seen so far (struct run_failures), which run_verdict
 * turns into one exit code and a line per failure. */
#include "run.h"
#include "buf.h"
#include "engine.h"
#include "exitcode.h"
#include "html.h"
#include "journal.h"
#include "coord.h"
#include "loop.h"
#include "mask.h"
#include "plan.h"
#include "report.h"
#include "result.h"
#include "review.h"
#ifndef HERD_NO_DB
#include "store.h"
#endif
#include "thresh.h"
#include "units.h"
#include "warmup.h"
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

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

struct progress_state {
    int tty;
    int count;
    long long planned;           /* users the plan asks for at its peak */
};

struct run {
    const struct run_args *a;
    const char *plan_file;       /* a->plan, or the smoke test's URL */
    char url[2048];              /* the smoke test's URL */
    struct plan *p;
    struct result *r;
    char *stamp, *name;          /* for default file names and the run id */
    struct buf out, rep, journal;
    int files;                   /* write result files (not --debug alone) */
    struct engine_opts o;
    struct progress_state ps;
    struct run_failures fl;
    cJSON *why;                  /* failures outside the result, as lines */
};

/* The only mutable global: how many times SIGINT/SIGTERM arrived. The
 * workers read it from their threads, so it is atomic (lock-free, hence
 * safe in the handler). */
static atomic_int g_stop;
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the stop flag must be lock-free");

/* Results, reports and shard files of a long run take a few MB; less free
 * space than this is a full disk for herd's purposes. */
#define MIN_FREE_BYTES (16LL << 20)

static int run_check_args(const struct run_args *a);
static int run_load_plan(struct run *R);
static int run_ask_cost(struct run *R, struct coord_opts *lo);
static int run_name_files(struct run *R);
static void run_prepare_process(void);
static void run_new_result(struct run *R);
static void run_set_engine_opts(struct run *R);
static void run_shards(struct run *R, struct engine_vars *vars);
static void run_local(struct run *R, struct engine_vars *vars);
static void run_warmup(struct run *R, struct engine_vars *vars);
static void run_write_result(struct run *R);
static void run_write_reports(struct run *R);
static void run_save(struct run *R);
static int run_verdict(struct run *R, int steps_failed, int thresholds_ok);
static void run_free(struct run *R);

int run_main(const struct run_args *a)
{
    struct run R = {.a = a, .plan_file = a->plan};
    if (run_check_args(a) < 0) return EXIT_USAGE;
    int rc = run_load_plan(&R);             /* the plan, or a smoke test */
    if (rc == EXIT_OK) rc = run_name_files(&R);  /* writable, before load */
    if (rc != EXIT_OK) {
        run_free(&R);
        return rc;
    }
    run_prepare_process();
    run_new_result(&R);
    run_set_engine_opts(&R);
    R.why = cJSON_CreateArray();

    struct engine_vars vars;
    engine_vars_init(&vars, R.p->nvars);
    int setup_failed = engine_run_steps(R.p, "setup", R.p->setup,
                                        R.p->nsetup, &vars,
                                        R.r->setup_errors, &R.o) > 0;
    if (!setup_failed && !g_stop) run_warmup(&R, &vars);
    if (!setup_failed && !g_stop && a->lambda) {
        run_shards(&R, &vars);
    } else if (!setup_failed && !g_stop) {
        run_local(&R, &vars);
    } else {
        int64_t now = (int64_t)time(NULL) * 1000;
        R.r->started_unix_ms = R.r->finished_unix_ms = now;
    }
    R.r->interrupted = g_stop > 0;
    /* The load's result reaches the disk before the teardown, which may
     * wait minutes (a cluster deleted and polled): written again after. */
    if (R.files && R.p->nteardown && g_stop < 2)
        result_write(R.r, buf_str(&R.out));
    int teardown_failed = 0;
    if (g_stop < 2)                         /* a second Ctrl-C skips it */
        teardown_failed = engine_run_steps(R.p, "teardown", R.p->teardown,
                                           R.p->nteardown, &vars,
                                           R.r->setup_errors, &R.o) > 0;
    engine_vars_free(&vars);
    /* The verdicts are part of the result, so they come before it. */
    int thresholds_ok = thresh_verdicts(R.p->thresholds, R.p->nthresholds,
                                        R.r);

    run_write_result(&R);      /* to disk before anything else can fail */
    run_write_reports(&R);     /* stdout, .txt, .html, --csv */
    run_save(&R);              /* last: `herd save` retries from the file */
    rc = run_verdict(&R, setup_failed || teardown_failed, thresholds_ok);
    run_free(&R);
    return rc;
}

/* ---- before the load ---------------------------------------------------- */

/* Options that need others: the Lambda options need --lambda, which
 * --debug (one local user) excludes. */
static int run_check_args(const struct run_args *a)
{
    if (!a->lambda && (a->invocations || a->qualifier || a->region ||
                       a->endpoint || a->part || a->start_delay ||
                       a->no_stream || a->memory_mb || a->yes)) {
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

/* Loads the plan (a file, or a URL to smoke-test) and applies --debug or
 * the command line's overrides. Returns an exit code. */
static int run_load_plan(struct run *R)
{
    const struct run_args *a = R->a;
    char err[1024];
    struct stat st;
    if (stat(a->plan, &st) != 0 && plan_looks_like_host(a->plan) &&
        strlen(a->plan) < sizeof R->url - 8) {
        snprintf(R->url, sizeof R->url, "http://%s", a->plan);
        fprintf(stderr, "herd: %s is not a file: running a smoke test of %s "
                "(a plan file or an http:// URL was expected)\n", a->plan,
                R->url);
        R->plan_file = R->url;
    } else if (stat(a->plan, &st) != 0 && errno == ENOENT &&
               strncmp(a->plan, "http://", 7) &&
               strncmp(a->plan, "https://", 8)) {
        fprintf(stderr, "herd: %s: no such file (expected a plan file, "
                "e.g. from herd init, or a URL like http://host:port/path)\n",
                a->plan);
        return EXIT_PLAN;
    }
    const char *f = R->plan_file;
    if (!strncmp(f, "http://", 7) || !strncmp(f, "https://", 8)) {
        R->p = plan_smoke(f, err, sizeof err);
        if (R->p)
            fprintf(stderr, "smoke test of %s: %d users for %s unless "
                    "--users/--duration say otherwise (herd init writes a "
                    "plan to edit)\n", f, a->users ? a->users :
                    R->p->load.users, a->duration ? a->duration : "30s");
    } else {
        plan_set_data_root(a->data_root);
        R->p = plan_load(f, err, sizeof err);
    }
    if (!R->p) {
        fprintf(stderr, "%s\n", err);
        return EXIT_PLAN;
    }
    if (a->debug) {
        plan_for_debug(R->p);
    } else if (plan_override(R->p, a->users, a->duration, a->iterations,
                             a->rate, err, sizeof err) < 0) {
        fprintf(stderr, "herd: %s\n", err);
        return EXIT_USAGE;
    }
    if (a->lambda) {
        result_malloc_for_merging();
        struct coord_opts lo = {0};
        lo.function = a->lambda;
        lo.region = a->region;
        lo.endpoint = a->endpoint;
        if (coord_check(&lo, err, sizeof err) < 0) {
            fprintf(stderr, "herd: %s\n", err);
            return EXIT_USAGE;
        }
        if (run_ask_cost(R, &lo) < 0) return EXIT_INTERRUPTED;
    }
    return EXIT_OK;
}

/* The distributed run's estimated cost, confirmed on a terminal above
 * the threshold (coord.h), before setup runs. Returns -1 when declined. */
static int run_ask_cost(struct run *R, struct coord_opts *lo)
{
    const struct run_args *a = R->a;
    int64_t delay_us = 5000000, part_us = 0;
    if (a->start_delay) units_parse_duration(a->start_delay, &delay_us);
    if (a->part) units_parse_duration(a->part, &part_us);
    lo->invocations = a->invocations ? a->invocations : 1;
    lo->start_delay_ms = delay_us / 1000;
    lo->part_us = part_us;
    lo->memory_mb = a->memory_mb;
    return coord_confirm_cost(R->p, lo, a->yes);
}

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

/* Names the result and its report and checks they can be written.
 * Returns an exit code. */
static int run_name_files(struct run *R)
{
    const struct run_args *a = R->a;
    R->stamp = iso_now_compact();
    R->name = slug(R->p->name);
    if (a->out) buf_puts(&R->out, a->out);
    else buf_printf(&R->out, "herd-result-%s-%s.json", R->name, R->stamp);
    if (a->report) buf_puts(&R->rep, a->report);
    else {
        buf_put_stem(&R->rep, buf_str(&R->out), ".json");
        buf_puts(&R->rep, ".txt");
    }
    /* --debug is for reading the exchange: it leaves no files behind
     * unless -o, --report or --save asks for them. */
    R->files = !a->debug || a->out || a->report || a->save;
    int wr = R->files ? check_writable(buf_str(&R->out)) : 0;
    if (wr == -2) {
        fprintf(stderr, "herd: %s: the disk is full (less than %lld MB "
                "free): free some space or choose another -o\n",
                buf_str(&R->out), MIN_FREE_BYTES >> 20);
        return EXIT_IO;
    }
    if (wr < 0) {
        fprintf(stderr, "herd: %s: cannot write the result here: %s\n",
                buf_str(&R->out), strerror(errno));
        return EXIT_IO;
    }
    return EXIT_OK;
}

static void on_signal(int sig)
{
    (void)sig;
    int saved = errno;                 /* the interrupted code's errno */
    if (atomic_load(&g_stop) >= 2) _exit(130);  /* third time: leave now */
    atomic_fetch_add(&g_stop, 1);
    errno = saved;
}

static void run_prepare_process(void)
{
    /* Every user holds a socket: lift the soft descriptor limit (often
     * 1024) to the hard one. */
    struct rlimit nofile;
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 &&
        nofile.rlim_cur < nofile.rlim_max) {
        nofile.rlim_cur = nofile.rlim_max;
        setrlimit(RLIMIT_NOFILE, &nofile);
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    engine_global_init();
}

/* The result's metadata, and every planned transaction (listed even if
 * nothing runs). */
static void run_new_result(struct run *R)
{
    const struct run_args *a = R->a;
    struct plan *p = R->p;
    struct result *r = R->r = result_new();
    if (a->run_id) r->run_id = xstrdup(a->run_id);
    else {
        struct buf id = {0};
        buf_printf(&id, "%s-%s-%04x", R->name, R->stamp,
                   (unsigned)(getpid() ^ time(NULL)) & 0xFFFF);
        r->run_id = buf_steal(&id);
    }
    r->plan_name = xstrdup(p->name);
    r->plan_file = xstrdup(R->plan_file);
    r->mode = xstrdup(a->lambda ? "lambda" : "local");
    if (p->base_url) {
        /* A secret in the URL (an ?api_key=${API_KEY}) is not stored. */
        struct buf t = {0};
        mask_text(p->base_url, strlen(p->base_url), p->secrets, p->nsecrets,
                  &t);
        r->target = buf_steal(&t);
    }
    r->git_commit = result_git_commit(R->plan_file);
    r->settings = plan_settings_json(p);
    r->shards_total = r->shards_ok = 1;
    engine_register_tx(p, r->stats);
}

static void on_progress(void *arg, const struct engine_progress *pr)
{
    struct progress_state *ps = arg;
    char el[32], tot[32], p99[32];
    units_format_duration(el, sizeof el, pr->elapsed_s * 1e6);
    if (pr->total_s > 0)
        units_format_duration(tot, sizeof tot, pr->total_s * 1e6);
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

static void run_set_engine_opts(struct run *R)
{
    const struct plan_load *l = &R->p->load;
    R->ps.tty = isatty(2);
    R->ps.planned = l->open ? l->max_users : l->users;
    for (int i = 0; !l->open && i < l->nstages; i++)
        if (l->stages[i].target > R->ps.planned)
            R->ps.planned = (long long)l->stages[i].target;
    R->o.threads = R->a->threads;
    R->o.shard.stride = 1;
    R->o.stop = &g_stop;
    R->o.debug = R->a->debug ? stdout : NULL;
    R->o.progress = R->a->quiet || R->a->debug ? NULL : on_progress;
    R->o.progress_arg = &R->ps;
}

/* ---- the load ----------------------------------------------------------- */

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

/* The load on Lambda shards; their raw results go next to the result. */
static void run_shards(struct run *R, struct engine_vars *vars)
{
    const struct run_args *a = R->a;
    struct coord_opts lo = {0};
    struct buf shards = {0};
    buf_put_stem(&shards, buf_str(&R->out), ".json");
    buf_puts(&shards, ".shards");
    lo.function = a->lambda;
    lo.qualifier = a->qualifier;
    lo.region = a->region;
    lo.endpoint = a->endpoint;
    lo.invocations = a->invocations ? a->invocations : 1;
    lo.retries = a->shard_retries;
    lo.shard_dir = buf_str(&shards);
    lo.run_id = R->r->run_id;
    lo.stop = &g_stop;
    lo.quiet = a->quiet;
    int refused = 0;
    int64_t us = 5000000;
    if (a->start_delay && units_parse_duration(a->start_delay, &us) < 0) {
        fprintf(stderr, "herd: --start-delay: expected a duration like "
                "\"5s\"\n");
        refused = 1;
    }
    lo.start_delay_ms = us / 1000;
    lo.part_us = 0;
    if (a->part && (units_parse_duration(a->part, &lo.part_us) < 0 ||
                    lo.part_us < 1000000 || lo.part_us > 15LL * 60000000)) {
        fprintf(stderr, "herd: --part: expected a duration from 1s to 15m\n");
        refused = 1;
    }
    struct result *r = R->r;
    r->shards_total = r->shards_ok = 0;
    /* The live line comes from what the shards stream, and what they
     * stream reaches the journal as it comes: a coordinator killed
     * outright leaves it for report --recover. */
    lo.no_stream = a->no_stream;
    lo.progress = a->quiet ? NULL : on_progress;
    lo.progress_arg = &R->ps;
    buf_printf(&R->journal, "%s.journal", buf_str(&R->out));
    if (!refused && !a->no_stream)
        R->o.journal_fd = lo.journal_fd =
            coord_journal_open(buf_str(&R->journal), r, lo.invocations);
    if (!refused && coord_run(R->p, vars, &lo, r) < 0) refused = 1;
    if (R->ps.tty && lo.progress) fputs("\r\033[K", stderr);
    if (refused) {
        R->fl.usage = 1;
        fail_line(R->why, "distributed run: refused before any shard ran "
                  "(see above)");
    } else {
        fprintf(stderr, "shards: %d ok, %d failed, %d truncated of %d; raw "
                "results in %s/\n", r->shards_ok, r->shards_failed,
                r->shards_truncated, r->shards_total, buf_str(&shards));
    }
    buf_free(&shards);
}

/* The plan's warm-up (warmup.h), local or distributed: in this process,
 * kept apart in R->r->warmup. */
static void run_warmup(struct run *R, struct engine_vars *vars)
{
    if (warmup_run(R->p, vars, &R->o, R->r) < 0) {
        R->fl.internal = 1;
        fail_line(R->why, "internal error: the warm-up could not start");
    }
}

/* The load on this machine's workers, journalled once a second. */
static void run_local(struct run *R, struct engine_vars *vars)
{
    /* What the load measures reaches the disk once a second: a run
     * killed outright leaves it for `herd report --recover`. */
    buf_printf(&R->journal, "%s.journal", buf_str(&R->out));
    if (!R->a->debug) {
        R->r->started_unix_ms = R->r->finished_unix_ms = loop_wall_us() / 1000;
        R->o.journal_fd = journal_open(buf_str(&R->journal), R->r);
        if (R->o.journal_fd < 0)
            fprintf(stderr, "herd: %s: cannot write the run journal (%s); "
                    "the run goes on without it\n", buf_str(&R->journal),
                    strerror(errno));
    }
    struct engine_span span;
    int ran = engine_run_load(R->p, vars, &R->o, R->r->stats, &span);
    result_take_span(R->r, &span);
    if (ran < 0) {
        R->fl.internal = 1;
        fail_line(R->why, "internal error: the engine could not start "
                  "(see above)");
    }
    if (R->ps.tty && R->o.progress) fputs("\r\033[K", stderr);
}

/* ---- after the load ----------------------------------------------------- */

/* The result file; the journal goes once the result is safe. */
static void run_write_result(struct run *R)
{
    const char *out = buf_str(&R->out), *journal = buf_str(&R->journal);
    if (!R->files) {
        /* --debug without -o: nothing to write. */
    } else if (result_write(R->r, out) < 0) {
        fprintf(stderr, "herd: %s: cannot write the result: %s\n", out,
                strerror(errno));
        if (R->o.journal_fd > 0)
            fprintf(stderr, "herd: the measurements are in %s: `herd report "
                    "--recover %s -o RESULT.json` rebuilds the result\n",
                    journal, journal);
        R->fl.io = 1;
        fail_line(R->why, "%s: cannot write the result: %s", out,
                  strerror(errno));
    } else if (R->o.journal_fd > 0 && !getenv("HERD_KEEP_JOURNAL")) {
        unlink(journal);
    }
    if (R->o.journal_fd > 0) close(R->o.journal_fd);
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

/* Writes one report file; what is the message's name for it. */
static void run_report_file(struct run *R, const char *path,
                            enum review_format fmt, const char *what)
{
    if (review_write_file(path, R->r, fmt) == 0) return;
    fprintf(stderr, "herd: %s: cannot write the %s: %s\n", path, what,
            strerror(errno));
    R->fl.io = 1;
    fail_line(R->why, "%s: cannot write the %s: %s", path, what,
              strerror(errno));
}

static void run_write_reports(struct run *R)
{
    if (!R->a->debug || R->p->nthresholds) {
        if ((report_text(stdout, R->r) < 0 || fflush(stdout) != 0) &&
            !stdout_closed()) {
            R->fl.io = 1;
            fail_line(R->why, "standard output: cannot write the report");
        }
    }
    if (R->files) run_report_file(R, buf_str(&R->rep), REVIEW_TEXT, "report");
    struct buf html = {0};
    if (R->files) {
        buf_put_stem(&html, buf_str(&R->out), ".json");
        buf_puts(&html, ".html");
        run_report_file(R, buf_str(&html), REVIEW_HTML, "HTML report");
    }
    if (R->a->csv) run_report_file(R, R->a->csv, REVIEW_CSV, "CSV");
    if (R->files)
        fprintf(stderr, "result: %s\nreport: %s\nhtml:   %s  (open it: "
                "xdg-open %s)\n", buf_str(&R->out), buf_str(&R->rep),
                buf_str(&html), buf_str(&html));
    else
        fprintf(stderr, "--debug: no result files written (add -o "
                "RESULT.json to keep them)\n");
    buf_free(&html);
}

/* --save: the database comes last; the result file is already written,
 * and a failed save is retried from it with `herd save`. */
static void run_save(struct run *R)
{
#ifndef HERD_NO_DB
    if (!R->a->save || R->fl.io) return;
    const char *out = buf_str(&R->out);
    const char *ci = store_conninfo(R->a->db);
    char dberr[600] = "no database given";
    if (!ci || store_save_run(ci, R->r, out, dberr, sizeof dberr) < 0) {
        /* The reason is on the line above already: say which kind. */
        R->fl.db = 1;
        fail_line(R->why, "database: the run was not saved (%s; the result "
                  "is kept in %s: herd save %s)", !ci ? "no database given" :
                  strstr(dberr, "cannot connect") ? "unreachable" :
                  "refused, see above", out, out);
    }
#else
    if (R->a->save) {
        fprintf(stderr, "herd: --save: this build has no database support\n");
        R->fl.usage = 1;
        fail_line(R->why, "--save: this build has no database support");
    }
#endif
}

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

/* Adds the lines of why that start (or, with want 0, do not start) with
 * "database:". */
static void add_lines(cJSON *lines, const cJSON *why, int want)
{
    const cJSON *l;
    cJSON_ArrayForEach(l, why)
        if ((strncmp(l->valuestring, "database:", 9) == 0) == want)
            cJSON_AddItemToArray(lines, cJSON_Duplicate(l, 1));
}

/* The exit code; when it is not 0, the verdict line and every failure,
 * not only the one that chose the exit code: those outside the result
 * (the engine, I/O) first, then the result's own in precedence order, the
 * database last. */
static int run_verdict(struct run *R, int steps_failed, int thresholds_ok)
{
    struct run_failures *fl = &R->fl;
    fl->interrupted = R->r->interrupted;
    fl->shards = R->r->shards_failed > 0;
    /* setup or teardown, or a user's on_start */
    fl->setup = steps_failed || R->r->user_setup.failed > 0;
    fl->no_success = result_no_success(R->r);
    fl->incomplete = result_incomplete(R->r);
    fl->thresholds = !thresholds_ok;
    int rc = run_exit_code(fl);
    if (rc == EXIT_OK) return rc;
    cJSON *lines = cJSON_CreateArray();
    add_lines(lines, R->why, 0);
    result_failures(R->r, lines);
    add_lines(lines, R->why, 1);
    int n = cJSON_GetArraySize(lines);
    fprintf(stderr, "verdict: FAIL, exit %d (%d failure%s)\n", rc, n,
            n == 1 ? "" : "s");
    const cJSON *l;
    cJSON_ArrayForEach(l, lines) fprintf(stderr, "herd: %s\n", l->valuestring);
    cJSON_Delete(lines);
    return rc;
}

static void run_free(struct run *R)
{
    cJSON_Delete(R->why);
    result_free(R->r);
    plan_free(R->p);
    free(R->stamp);
    free(R->name);
    buf_free(&R->out);
    buf_free(&R->rep);
    buf_free(&R->journal);
}
