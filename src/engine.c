/* engine.c — workers, virtual users and the libcurl multi-socket driver.
 *
 * A worker is one thread: a loop, a struct stats, its users, and its users
 * split into groups of GROUP_USERS, each group with its own CURLM. (libcurl
 * searches a multi handle's whole connection pool for every request: with
 * 1,000 connections in one pool that search costs more than the request.
 * A socket event or timer only touches its own group's multi handle.)
 * libcurl tells us which sockets to watch (sock_cb) and when it wants a
 * timeout (timer_cb); both only update the loop. The loop calls back
 * on_socket / on_curl_timer, which call curl_multi_socket_action on that
 * group's handle and then drain its finished transfers (drain). Every other wake-up is a user's own
 * timer (think time, retry back-off, poll interval) or the worker's tick
 * (spawning users, arrivals, progress, end of run).
 *
 * A user runs an iteration as a little state machine over a list of steps:
 *   start_step -> send (request) -> on_done -> checks/extract -> next step
 *                                           -> retry/poll: wait -> send
 * Every iteration ends exactly once in end_iteration as succeeded, failed
 * or interrupted, which is what makes the accounting add up. */
#include "engine.h"
#include "fast.h"
#include "journal.h"
#include "buf.h"
#include "header.h"
#include "jpath.h"
#include "loop.h"
#include "mask.h"
#include "units.h"
#include "version.h"
#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* Spawning granularity and progress publication: 10 ms keeps a 100
 * users/s spawn rate within one tick and costs nothing measurable.
 * Open-model arrivals and the end of the run have timers of their own, to
 * the microsecond: an arrival started on a tick would be up to 10 ms late,
 * and that lateness would land in the server's percentiles. */
#define TICK_US          10000
/* Closed model: after an iteration that failed on a connection (refused,
 * DNS, TLS), a user waits at least this long, doubled per consecutive such
 * failure up to CONN_BACKOFF_MAX_US, and back to none after any response:
 * a dead target must not turn a plan without think time into a hot loop of
 * refused connects that measures only herd. */
#define CONN_BACKOFF_US     10000
#define CONN_BACKOFF_MAX_US 1000000
/* A shard that begins less than this after its planned start is on time
 * (its first arrivals start a little late, their latency counted from the
 * schedule); later than this it is late: the arrivals it missed are
 * dropped, not fired at once in a burst, and the lateness is reported. */
#define START_LATE_GRACE_US 100000
/* After Ctrl-C, requests in flight get this long to finish. */
#define STOP_GRACE_US    2000000
/* Debug output shows at most this much of a body. */
#define DEBUG_BODY_MAX   4096

enum phase { PH_RUN, PH_DRAIN, PH_ABORT };
enum wait { W_NONE, W_THINK, W_RETRY, W_POLL, W_NEXT, W_ITER };
enum outcome { O_OK, O_FAIL, O_INTERRUPT };

/* The CA bundle, found once at start-up (read-only afterwards). The static
 * Lambda build's libcurl has no default, and Amazon Linux keeps it
 * elsewhere than Debian: probe the usual places. */
static const char *ca_bundle;
static int no_proxy_env;          /* no *_proxy variable is set */
static int fast_env_off;          /* HERD_FAST_PATH=off (or 0) */

struct worker;

/* Users per libcurl multi handle: bounds libcurl's connection-pool search
 * (see the top of this file); measured in make bench. */
#ifndef GROUP_USERS
#define GROUP_USERS 64
#endif
/* Users per fast-path connect multi handle: every curl_easy_send and
 * curl_easy_recv searches its whole connection cache (fast.c), and each
 * fast connection stays in it; 16 kept that search under 2 % of a
 * request at 1,000 connections (make bench). But a multi handle costs
 * ~32 KiB (libcurl's socket hash), 2 KiB a user in groups of 16: a worker
 * with more than FAST_SMALL_USERS users (a flow's 10,000, which send a
 * request a second each, not back to back) uses groups of GROUP_USERS. */
#ifndef FAST_GROUP_USERS
#define FAST_GROUP_USERS 16
#endif
#define FAST_SMALL_USERS 1024

struct group {
    struct worker *w;
    CURLM *multi;
    struct loop_timer timer;      /* libcurl's timeout for this handle */
};

struct user {
    struct worker *w;
    struct group *g;              /* the multi handle this user's easy uses */
    struct group *fg;             /* ... and its fast path's connects */
    struct fast *fast;            /* NULL until its first fast request */
    int curl_only;                /* its cookie jar is not empty: libcurl */
    CURLU *curlu;                 /* the current URL, parsed (set_url) */
    struct buf curlu_url;         /* ... and as text */
    int curlu_ok;
    int64_t k;                    /* global index; number = k + 1 + offset */
    CURL *easy;
    struct loop_timer timer;
    enum wait wait;
    int busy;                     /* inside an iteration */
    int in_flight;                /* a request is with libcurl */
    int retire;                   /* stop after this iteration */
    int started;                  /* closed model: has been spawned */
    int64_t iterations_done;
    const struct plan_step *steps;
    int nsteps, step, scenario;
    int64_t iter;                 /* iteration number, 0-based */
    int attempt;                  /* tries of the current request */
    int conn_fails;               /* consecutive connection failures */
    int64_t intended_us;          /* when the current request should have
                                     started (open model: first request) */
    int64_t send_us;
    int64_t poll_start_us, poll_deadline_us;
    char **vars;                  /* plan->nvars owned strings */
    struct buf url, body, resp, hdrs;
    int resp_cut;                 /* body exceeded max_body */
    int keep_body, keep_hdrs;     /* the current step looks at them */
    struct curl_slist *hl;
    struct user *next_free;
    int in_start;                 /* running the plan's on_start steps */
    int start_done;               /* on_start ran (once per user) */
    char **start_vars;            /* what on_start extracted (owned),
                                     given to every iteration */
};

struct worker {
    const struct plan *p;
    const struct engine_vars *globals;
    const struct engine_opts *o;
    int index;
    int64_t first, stride;
    struct loop *loop;
    struct group *groups;
    int ngroups;
    struct group *fgroups;        /* fast-path connects (fast.h) */
    int nfgroups;
    int fgroup_users;             /* users per fgroups entry */
    int fast_on;                  /* the plan may use the fast path */
    struct stats *stats;
    struct loop_timer tick;
    struct loop_timer arrive;     /* open model: the next arrival's due time */
    struct user *users;
    int nusers;
    struct user *free_users;      /* open model */
    int64_t *backlog;             /* open model: intended starts, ring */
    int nbacklog, backlog_head, backlog_cap;
    int64_t next_arrival;         /* open model: next owned arrival index */
    int64_t mono0, wall0_us, end_us, stop_us;
    int64_t began_wall_us;        /* this part's planned start (wall) */
    int64_t ended_wall_us;        /* when the last iteration ended (wall) */
    int64_t late_us;              /* began this long after began_wall_us */
    int64_t grace_end_us;
    enum phase phase;
    int single;                   /* setup/teardown: one user, one pass */
    int active;                   /* users inside an iteration */
    int64_t spawned;              /* closed: users [0, spawned) may run */
    int64_t finished;             /* closed: users done with iterations */
    uint64_t rng;
    cJSON *errors;                /* single mode: failure lines */
    const char *what;
    int failures;
    /* published for the progress line (relaxed atomics: a snapshot) */
    _Atomic int64_t pub_requests, pub_errors, pub_active, pub_iters;
    _Atomic int64_t pub_p99;
    int64_t last_sec;
    struct stats *total;          /* journaling: what earlier deltas held;
                                     stats holds only the current delta */
    int64_t journal_ms;           /* when the current delta began */
    int by_signal;                /* draining because of SIGINT/SIGTERM */
    int cut_short;                /* the hard stop came before the end */
    int stop_base;                /* stop count when this worker began */
    int journal_failed;
    _Atomic int done;             /* set by the worker, read by the caller */
    /* Per-user set-up (plan on_start): its requests are measured into
     * start_stats, never into stats; only the outcomes are kept. */
    struct stats *start_stats;
    int64_t start_ok, start_failed, start_interrupted;
    cJSON *start_errors;          /* the first failure lines */
};

/* ---- small helpers ----------------------------------------------------- */

static uint64_t rnd(struct worker *w)
{
    /* xorshift64*: fast, good enough to pick scenarios and think times. */
    uint64_t x = w->rng;
    x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
    w->rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static int64_t rnd_range(struct worker *w, int64_t lo, int64_t hi)
{
    if (hi <= lo) return lo;
    return lo + (int64_t)(rnd(w) % (uint64_t)(hi - lo + 1));
}

static int64_t wall_s(const struct worker *w, int64_t mono)
{
    return (w->wall0_us + (mono - w->mono0)) / 1000000;
}

static int in_list(const int *v, int n, int x)
{
    for (int i = 0; i < n; i++) if (v[i] == x) return 1;
    return 0;
}

/* ---- templates --------------------------------------------------------- */

struct render_ctx {
    struct user *u;
    int json;                     /* escape values for a JSON string */
};

static void put_value(struct render_ctx *c, const char *s, struct buf *out)
{
    if (!c->json) { buf_puts(out, s); return; }
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') { buf_putc(out, '\\'); buf_putc(out, (char)ch); }
        else if (ch < 0x20) buf_printf(out, "\\u%04x", ch);
        else buf_putc(out, (char)ch);
    }
}

static int lookup(void *arg, const char *name, struct buf *out)
{
    struct render_ctx *c = arg;
    struct user *u = c->u;
    struct worker *w = u->w;
    const struct plan *p = w->p;
    char tmp[64];
    if (strcmp(name, "user") == 0) {
        snprintf(tmp, sizeof tmp, "%lld",
                 (long long)(u->k + 1 + w->o->shard.user_offset));
        buf_puts(out, tmp);
        return 0;
    }
    if (strcmp(name, "iteration") == 0) {
        buf_printf(out, "%lld", (long long)u->iter);
        return 0;
    }
    if (strcmp(name, "random") == 0) {
        buf_printf(out, "%llu", (unsigned long long)(rnd(w) >> 33));
        return 0;
    }
    if (strcmp(name, "timestamp_ms") == 0) {
        buf_printf(out, "%lld", (long long)(loop_wall_us() / 1000));
        return 0;
    }
    if (strcmp(name, "scenario") == 0) {
        put_value(c, p->scenarios[u->scenario].name, out);
        return 0;
    }
    if (strcmp(name, "uuid") == 0) {
        uint64_t a = rnd(w), b = rnd(w);
        a = (a & ~0xF000ULL) | 0x4000ULL;                 /* version 4 */
        b = (b & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL; /* variant */
        buf_printf(out, "%08x-%04x-%04x-%04x-%012llx",
                   (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xFFFF,
                   (unsigned)a & 0xFFFF, (unsigned)(b >> 48),
                   (unsigned long long)(b & 0xFFFFFFFFFFFFULL));
        return 0;
    }
    long lo, hi;
    if (sscanf(name, "random(%ld,%ld)", &lo, &hi) == 2) {
        buf_printf(out, "%lld", (long long)rnd_range(w, lo, hi));
        return 0;
    }
    int v = plan_var_index(p, name);
    if (v >= 0) {
        const char *val = u->vars[v] ? u->vars[v] :
                          (w->globals && v < w->globals->n ? w->globals->v[v] : NULL);
        if (!val) return -1;
        put_value(c, val, out);
        return 0;
    }
    int col;
    int pi = plan_pool_ref(p, name, &col);
    if (pi >= 0) {
        const struct plan_pool *pool = &p->pools[pi];
        int64_t row = pool->pick_random ? (int64_t)(rnd(w) % (uint64_t)pool->nrows)
                      : (u->k + w->o->shard.user_offset) % pool->nrows;
        int width = pool->ncols ? pool->ncols : 1;
        put_value(c, pool->cells[row * width + (col < 0 ? 0 : col)], out);
        return 0;
    }
    return -1;
}

static int render(struct user *u, const struct tmpl *t, int json,
                  struct buf *out, const char **bad)
{
    struct render_ctx c = {u, json};
    return tmpl_render(t, lookup, &c, out, bad);
}

/* ---- curl plumbing ----------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    struct user *u = arg;
    size_t len = size * n;
    if (!u->keep_body) return len;
    size_t room = (size_t)u->w->p->max_body > u->resp.len ?
                  (size_t)u->w->p->max_body - u->resp.len : 0;
    if (len > room) u->resp_cut = 1;
    buf_append(&u->resp, data, len < room ? len : room);
    return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
    struct user *u = arg;
    size_t len = size * n;
    /* Headers are small; a server sending megabytes of them is capped. */
    if (u->hdrs.len < 65536) buf_append(&u->hdrs, data, len);
    return len;
}

static void drain(struct group *g);

static void on_socket(void *arg, int fd, int events)
{
    struct group *g = arg;
    int flags = (events & LOOP_READ ? CURL_CSELECT_IN : 0) |
                (events & LOOP_WRITE ? CURL_CSELECT_OUT : 0);
    int running;
    curl_multi_socket_action(g->multi, fd, flags, &running);
    drain(g);
}

static void on_curl_timer(void *arg)
{
    struct group *g = arg;
    int running;
    curl_multi_socket_action(g->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    drain(g);
}

static int sock_cb(CURL *e, curl_socket_t s, int what, void *arg, void *sp)
{
    struct group *g = arg;
    int ev = what == CURL_POLL_IN ? LOOP_READ : what == CURL_POLL_OUT ?
             LOOP_WRITE : what == CURL_POLL_INOUT ? LOOP_READ | LOOP_WRITE : 0;
    loop_watch(g->w->loop, s, what == CURL_POLL_REMOVE ? 0 : ev, on_socket, g);
    return 0;
}

/* libcurl's sockets open and close through the loop, so a keep-alive
 * connection can stay in epoll between its requests (see loop.c). */
static curl_socket_t open_sock(void *loop, curlsocktype purpose,
                               struct curl_sockaddr *a)
{
    (void)purpose;
    curl_socket_t s = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
    if (s != CURL_SOCKET_BAD) loop_own(loop, s);
    return s;
}

static int close_sock(void *loop, curl_socket_t s)
{
    return loop_close(loop, s);
}

static int timer_cb(CURLM *m, long timeout_ms, void *arg)
{
    struct group *g = arg;
    if (timeout_ms < 0) loop_timer_cancel(g->w->loop, &g->timer);
    else loop_timer_arm(g->w->loop, &g->timer,
                        loop_now_us() + (int64_t)timeout_ms * 1000);
    return 0;
}

/* status: the response code received before the failure, 0 if none. */
static enum err_class classify(CURLcode rc, long status)
{
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
        return ERR_CONNECT;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
        /* A reset before any response is a connection failure; once the
         * response has started it is a broken transfer. */
        return status ? ERR_TRANSPORT : ERR_CONNECT;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return ERR_DNS;
    case CURLE_OPERATION_TIMEDOUT:
        return ERR_TIMEOUT;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_USE_SSL_FAILED:
        return ERR_TLS;
    default:
        return ERR_TRANSPORT;
    }
}

/* ---- debug output ------------------------------------------------------ */

static void debug_body(struct worker *w, const char *arrow, const char *s,
                       size_t len, int cut)
{
    if (!len) return;
    struct buf b = {0};
    mask_text(s, len, w->p->secrets, w->p->nsecrets, &b);
    fprintf(w->o->debug, "%s\n%s %.*s%s\n", arrow, arrow,
            (int)(b.len > DEBUG_BODY_MAX ? DEBUG_BODY_MAX : b.len), buf_str(&b),
            b.len > DEBUG_BODY_MAX || cut ? " [... cut]" : "");
    buf_free(&b);
}

static void debug_request(struct user *u, const char *name)
{
    struct worker *w = u->w;
    FILE *f = w->o->debug;
    struct buf b = {0};
    mask_text(buf_str(&u->url), u->url.len, w->p->secrets, w->p->nsecrets, &b);
    fprintf(f, "\n> [%s] %s %s\n", name,
            u->steps[u->step].req.method, buf_str(&b));
    for (struct curl_slist *h = u->hl; h; h = h->next) {
        buf_reset(&b);
        mask_header_line(h->data, strlen(h->data), w->p->secrets,
                         w->p->nsecrets, &b);
        fprintf(f, "> %s\n", buf_str(&b));
    }
    buf_free(&b);
    debug_body(w, ">", buf_str(&u->body), u->body.len, 0);
}

static void debug_response(struct user *u, CURLcode rc, long status,
                           int64_t took_us)
{
    struct worker *w = u->w;
    FILE *f = w->o->debug;
    char d[32];
    units_format_duration(d, sizeof d, (double)took_us);
    if (rc != CURLE_OK) {
        fprintf(f, "< error: %s (%s)\n", curl_easy_strerror(rc), d);
        return;
    }
    fprintf(f, "< %ld (%s)\n", status, d);
    const char *s = buf_str(&u->hdrs);
    struct buf b = {0};
    while (*s) {
        const char *e = strpbrk(s, "\r\n");
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len && strncmp(s, "HTTP/", 5) != 0) {
            buf_reset(&b);
            mask_header_line(s, len, w->p->secrets, w->p->nsecrets, &b);
            fprintf(f, "< %s\n", buf_str(&b));
        }
        s += len;
        while (*s == '\r' || *s == '\n') s++;
    }
    buf_free(&b);
    debug_body(w, "<", buf_str(&u->resp), u->resp.len, u->resp_cut);
    fflush(f);
}

/* ---- the user state machine -------------------------------------------- */

static void start_step(struct user *u);
static void begin_iteration(struct user *u, int64_t intended_us);
static void user_setup_note(struct user *u, const char *msg);
static int user_setup_end(struct user *u, enum outcome o);

static void note_failure(struct user *u, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* In setup/teardown, failures become lines for the report. */
static void note_failure(struct user *u, const char *fmt, ...)
{
    struct worker *w = u->w;
    if (!w->single && !u->in_start) return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (u->in_start) {
        user_setup_note(u, msg);
        return;
    }
    char line[700];
    struct buf m = {0};      /* a poll's fail_on value comes from a body */
    mask_text(msg, strlen(msg), w->p->secrets, w->p->nsecrets, &m);
    snprintf(line, sizeof line, "%s[%d] %s: %s", w->what, u->step,
             u->steps[u->step].name ? u->steps[u->step].name : "think",
             buf_str(&m));
    buf_free(&m);
    cJSON_AddItemToArray(w->errors, cJSON_CreateString(line));
    w->failures++;
}

static void wait_then(struct user *u, enum wait why, int64_t due_us)
{
    u->wait = why;
    loop_timer_arm(u->w->loop, &u->timer, due_us);
}

static void end_iteration(struct user *u, enum outcome o)
{
    if (user_setup_end(u, o)) return;
    struct worker *w = u->w;
    struct stats *s = w->stats;
    if (o == O_OK) s->iter_succeeded++;
    else if (o == O_FAIL) s->iter_failed++;
    else s->iter_interrupted++;
    stats_iteration(s, wall_s(w, loop_now_us()));
    u->busy = 0;
    u->wait = W_NONE;
    u->iterations_done++;
    w->active--;
    atomic_fetch_add_explicit(&w->pub_iters, 1, memory_order_relaxed);
    if (w->single) return;
    /* The last iteration of a draining worker: end now, not on a tick, so
     * the measured duration is the load's own. */
    if (w->phase != PH_RUN && w->active == 0)
        loop_timer_arm(w->loop, &w->tick, loop_now_us());
    const struct plan_load *L = &w->p->load;
    /* The next iteration starts from a timer due now rather than by
     * recursion: an iteration that fails before sending anything must not
     * recurse without bound. */
    if (L->open) {
        /* Back to the pool, or on with the oldest waiting arrival. */
        if (w->phase == PH_RUN && w->nbacklog) {
            u->intended_us = w->backlog[w->backlog_head];
            w->backlog_head = (w->backlog_head + 1) % w->backlog_cap;
            w->nbacklog--;
            wait_then(u, W_ITER, loop_now_us());
            return;
        }
        u->next_free = w->free_users;
        w->free_users = u;
        return;
    }
    if (L->iterations && u->iterations_done >= L->iterations) {
        w->finished++;
        return;
    }
    if (w->phase != PH_RUN || u->retire) {
        u->started = 0;
        u->retire = 0;
        return;
    }
    /* The think after an iteration's last step paces the next one; a failed
     * iteration is paced exactly like a successful one (a dead target
     * must not make a hot loop), and after connection failures at least
     * by the back-off. */
    int64_t wait = L->think_max_us > 0 ?
                   rnd_range(w, L->think_min_us, L->think_max_us) : 0;
    if (o == O_FAIL && u->conn_fails > 0) {
        int shift = u->conn_fails - 1 < 7 ? u->conn_fails - 1 : 7;
        int64_t back = (int64_t)CONN_BACKOFF_US << shift;
        if (back > CONN_BACKOFF_MAX_US) back = CONN_BACKOFF_MAX_US;
        if (back > wait) wait = back;
    }
    u->intended_us = 0;
    wait_then(u, W_ITER, loop_now_us() + wait);
}

/* After a step: think (the plan's between-step think time), then next.
 * After the last step the iteration ends at once: the think that follows
 * it paces the next iteration (end_iteration), so the run's end never
 * waits for it. */
static void step_done(struct user *u)
{
    const struct plan_load *L = &u->w->p->load;
    u->step++;
    u->attempt = 0;
    if (!u->w->single && L->think_max_us > 0 && u->step < u->nsteps)
        wait_then(u, W_NEXT, loop_now_us() +
                  rnd_range(u->w, L->think_min_us, L->think_max_us));
    else
        start_step(u);
}

/* 1 when the request sets header name itself (case-insensitive). */
static int has_header(const struct plan_request *r, const char *name)
{
    for (int i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name, name) == 0) return 1;
    return 0;
}

/* Hands libcurl the user's URL as a parsed handle, parsed again only when
 * the URL changed: otherwise libcurl parses the string for every request
 * (~5,000 instructions, a sixteenth of a request's cost). A URL libcurl
 * cannot parse goes in as a string, so the transfer fails as it would. */
static void set_url(struct user *u)
{
    const char *url = buf_str(&u->url);
    if (!u->curlu) u->curlu = curl_url();
    if (u->curlu && u->curlu_ok && strcmp(url, buf_str(&u->curlu_url)) == 0) {
        curl_easy_setopt(u->easy, CURLOPT_CURLU, u->curlu);
        return;
    }
    u->curlu_ok = u->curlu && curl_url_set(u->curlu, CURLUPART_URL, url,
                                           CURLU_GUESS_SCHEME |
                                           CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK;
    buf_reset(&u->curlu_url);
    buf_puts(&u->curlu_url, url);
    curl_easy_setopt(u->easy, CURLOPT_CURLU, u->curlu_ok ? u->curlu : NULL);
    if (!u->curlu_ok) curl_easy_setopt(u->easy, CURLOPT_URL, url);
}

/* Only what the step looks at is kept: a step that checks the status
 * alone copies neither the body nor the headers (libcurl is then not even
 * asked for the header lines). */
static void keep_response(struct user *u, const struct plan_step *st)
{
    const struct plan_request *r = &st->req;
    int debug = u->w->o->debug != NULL, hdrs = debug || r->nexpect_headers;
    u->keep_body = debug || st->kind == STEP_POLL || r->expect_contains ||
                   r->nexpect_json;
    for (int i = 0; i < r->nextract; i++) {
        if (r->extract[i].kind == EXTRACT_HEADER) hdrs = 1;
        else u->keep_body = 1;
    }
    if (hdrs == u->keep_hdrs) return;
    u->keep_hdrs = hdrs;
    if (!u->easy) return;         /* user_easy applies it */
    curl_easy_setopt(u->easy, CURLOPT_HEADERFUNCTION, hdrs ? on_header : NULL);
    curl_easy_setopt(u->easy, CURLOPT_HEADERDATA, hdrs ? u : NULL);
}

/* libcurl's calls that can fail while a request is being built, each
 * with its test-only fault (buf.h). They fail on out of memory, and
 * curl_easy_escape also on a value longer than libcurl takes (8 MB). */
static char *escape(CURL *e, const char *s, size_t len)
{
    if (len > INT_MAX || xfail("curl_easy_escape")) return NULL;
    return curl_easy_escape(e, s, (int)len);
}

/* Appends line to *l; on failure returns -1 and *l is unchanged. */
static int header_add(struct curl_slist **l, const char *line)
{
    struct curl_slist *n = xfail("curl_slist_append") ? NULL :
                           curl_slist_append(*l, line);
    if (!n) return -1;
    *l = n;
    return 0;
}

static CURLMcode add_handle(CURLM *m, CURL *e)
{
    return xfail("curl_multi_add_handle") ? CURLM_OUT_OF_MEMORY :
           curl_multi_add_handle(m, e);
}

/* The request is about to leave (either path): debug output and the
 * send time. */
static void mark_sent(struct user *u, const struct plan_step *st)
{
    struct worker *w = u->w;
    if (w->o->debug)
        debug_request(u, st->kind == STEP_POLL ? w->p->tx_names[st->req.tx]
                                               : st->name);
    u->send_us = loop_now_us();
    if (u->intended_us == 0 || u->intended_us > u->send_us)
        u->intended_us = u->send_us;
}

static void finish_request(struct user *u, CURLcode rc, long status,
                           const struct stats_req_phases *ph);
static CURL *easy_new(struct worker *w, struct user *u);
static CURL *user_easy(struct user *u);

/* A fast-path request ended (fast.h). Cookies it set go to the user's
 * libcurl cookie engine, and the user's later requests with them. */
static void on_fast_done(void *arg, CURLcode rc, long status)
{
    struct user *u = arg;
    u->in_flight = 0;
    const char *c = fast_cookies(u->fast);
    while (*c) {
        const char *nl = strchr(c, '\n');
        char *line = xstrndup(c, (size_t)(nl - c));
        if (user_easy(u)) curl_easy_setopt(u->easy, CURLOPT_COOKIELIST, line);
        free(line);
        u->curl_only = 1;
        c = nl + 1;
    }
    const struct fast_times *t = fast_times(u->fast);
    struct stats_req_phases ph = {{t->dns_us, t->connect_us, t->tls_us,
                                   t->wait_us, t->transfer_us},
                                  t->sent_bytes, t->recv_bytes};
    finish_request(u, rc, status, &ph);
}

/* 1 when the step's request is the same every time: no template refers
 * to anything, so the fast path formats it once per user (fast_has). */
static int step_static(const struct plan_request *r)
{
    if (!tmpl_is_static(r->url) || r->nquery || r->body_kind == BODY_FORM ||
        (r->body && !tmpl_is_static(r->body)))
        return 0;
    for (int i = 0; i < r->nheaders; i++)
        if (!tmpl_is_static(r->headers[i].value)) return 0;
    return 1;
}

/* Sends the request on the fast path when the plan allows it and the
 * user's cookie jar is empty; returns -1 (nothing done) when fast_send
 * leaves it to libcurl. Without debug output, a step without templates
 * is rendered once per user. */
static int send_fast(struct user *u, const struct plan_step *st)
{
    struct worker *w = u->w;
    const struct plan_request *r = &st->req;
    if (!w->fast_on || u->curl_only) return -1;
    const void *key = !w->o->debug && step_static(r) ? (const void *)st : NULL;
    if (!u->fast) {
        CURL *e = easy_new(w, u);
        if (!e) { u->curl_only = 1; return -1; }
        u->fast = fast_new(w->loop, u->fg->multi, e, on_fast_done, u);
    }
    struct fast_req fr = {key, r->method, buf_str(&u->url), u->hl, buf_str(&u->body),
        u->body.len, r->timeout_us, (size_t)w->p->max_body,
        u->keep_body ? &u->resp : NULL, u->keep_hdrs ? &u->hdrs : NULL,
        &u->resp_cut};
    /* The send time is taken after fast_send, which never reports from
     * inside: the connect it may start runs from the loop. */
    if (fast_send(u->fast, &fr) < 0) return -1;
    mark_sent(u, st);
    w->stats->path_fast++;
    u->in_flight = 1;
    return 0;
}

static int send_request(struct user *u)
{
    struct worker *w = u->w;
    const struct plan_step *st = &u->steps[u->step];
    const struct plan_request *r = &st->req;
    const char *bad = NULL;
    const char *lib = NULL;       /* the libcurl call that failed */
    CURL *e = u->easy;            /* NULL until its first libcurl request */

    buf_reset(&u->url);
    buf_reset(&u->body);
    buf_reset(&u->resp);
    buf_reset(&u->hdrs);
    u->resp_cut = 0;
    keep_response(u, st);
    /* The same bytes as this user's last request of this step: nothing
     * to render. */
    if (u->fast && !u->curl_only && fast_has(u->fast, st) &&
        send_fast(u, st) == 0)
        return 0;
    if (render(u, r->url, 0, &u->url, &bad) < 0) goto unset;
    for (int i = 0; i < r->nquery; i++) {
        struct buf v = {0};
        if (render(u, r->query[i].value, 0, &v, &bad) < 0) { buf_free(&v); goto unset; }
        char *k = escape(e, r->query[i].name, strlen(r->query[i].name));
        char *ev = k ? escape(e, buf_str(&v), v.len) : NULL;
        if (ev)
            buf_printf(&u->url, "%c%s=%s", i == 0 &&
                       !strchr(buf_str(&u->url), '?') ? '?' : '&', k, ev);
        curl_free(k);
        curl_free(ev);
        buf_free(&v);
        if (!ev) { lib = "curl_easy_escape"; goto broken; }
    }
    curl_slist_free_all(u->hl);
    u->hl = NULL;
    struct buf h = {0};
    for (int i = 0; i < r->nheaders; i++) {
        buf_reset(&h);
        buf_printf(&h, "%s: ", r->headers[i].name);
        if (render(u, r->headers[i].value, 0, &h, &bad) < 0) {
            if (r->headers[i].optional) continue;
            buf_free(&h);
            goto unset;
        }
        if (header_add(&u->hl, buf_str(&h)) < 0) { buf_free(&h); goto no_header; }
    }
    /* herd's User-Agent as a plain header: libcurl formats the
     * CURLOPT_USERAGENT header anew for every transfer (~2,500
     * instructions). A plan's own User-Agent header wins. */
    if (!has_header(r, "User-Agent") &&
        header_add(&u->hl, "User-Agent: herd/" HERD_VERSION) < 0) {
        buf_free(&h);
        goto no_header;
    }
    if (r->body_kind == BODY_JSON) {
        if (render(u, r->body, 1, &u->body, &bad) < 0) { buf_free(&h); goto unset; }
        if (!has_header(r, "Content-Type") &&
            header_add(&u->hl, "Content-Type: application/json") < 0) {
            buf_free(&h);
            goto no_header;
        }
    } else if (r->body_kind == BODY_RAW) {
        if (render(u, r->body, 0, &u->body, &bad) < 0) { buf_free(&h); goto unset; }
    } else if (r->body_kind == BODY_FORM) {
        for (int i = 0; i < r->nform; i++) {
            buf_reset(&h);
            if (render(u, r->form[i].value, 0, &h, &bad) < 0) { buf_free(&h); goto unset; }
            char *k = escape(e, r->form[i].name, strlen(r->form[i].name));
            char *v = k ? escape(e, buf_str(&h), h.len) : NULL;
            if (v) buf_printf(&u->body, "%s%s=%s", i ? "&" : "", k, v);
            curl_free(k);
            curl_free(v);
            if (!v) { buf_free(&h); lib = "curl_easy_escape"; goto broken; }
        }
    }
    buf_free(&h);
    /* No "Expect: 100-continue" round trip for larger bodies. */
    if (r->body_kind != BODY_NONE && header_add(&u->hl, "Expect:") < 0)
        goto no_header;

    if (send_fast(u, st) == 0) return 0;
    if (!(e = user_easy(u))) { lib = "curl_easy_init"; goto broken; }
    w->stats->path_libcurl++;
    set_url(u);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, u->hl);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(r->timeout_us / 1000));
    int has_body = r->body_kind != BODY_NONE;
    if (strcmp(r->method, "GET") == 0 && !has_body) {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, NULL);
    } else if (strcmp(r->method, "HEAD") == 0) {
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, NULL);
    } else {
        curl_easy_setopt(e, CURLOPT_NOBODY, 0L);
        if (has_body || strcmp(r->method, "POST") == 0) {
            curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)u->body.len);
            curl_easy_setopt(e, CURLOPT_POSTFIELDS, buf_str(&u->body));
        } else {
            curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
        }
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST,
                         strcmp(r->method, "POST") == 0 ? NULL : r->method);
    }
    mark_sent(u, st);
    if (add_handle(u->g->multi, e) != CURLM_OK) {
        lib = "curl_multi_add_handle";
        goto broken;
    }
    u->in_flight = 1;
    return 0;
no_header:
    lib = "curl_slist_append";
broken:
    /* libcurl could not take the request (out of memory, or a value too
     * long to escape): the iteration fails, counted, without a sample, and
     * the user goes on at the planned pace. */
    {
        char d[64];
        snprintf(d, sizeof d, "not sent: %s failed", lib);
        stats_error(w->stats, r->tx, ERR_TRANSPORT, d);
        note_failure(u, "%s", d);
    }
    end_iteration(u, O_FAIL);
    return -1;
unset:
    /* Only possible for a variable that no step has extracted yet. */
    stats_error(w->stats, r->tx, ERR_EXTRACT, bad);
    note_failure(u, "{{%s}} has no value", bad);
    end_iteration(u, O_FAIL);
    return -1;
}

static void start_step(struct user *u)
{
    struct worker *w = u->w;
    if (w->phase == PH_ABORT || (w->phase == PH_DRAIN && w->by_signal)) {
        end_iteration(u, O_INTERRUPT);
        return;
    }
    if (u->step >= u->nsteps) {
        end_iteration(u, O_OK);
        return;
    }
    const struct plan_step *st = &u->steps[u->step];
    if (st->kind == STEP_THINK) {
        int64_t think = rnd_range(w, st->think_min_us, st->think_max_us);
        u->step++;
        /* A think before an open-model arrival's first request moves its
         * intended start by the same amount: the wait is the plan's, not
         * the server's, and must not count in the request's latency. */
        if (u->intended_us) u->intended_us += think;
        wait_then(u, W_THINK, loop_now_us() + think);
        return;
    }
    if (st->kind == STEP_POLL && u->attempt == 0) {
        u->poll_start_us = loop_now_us();
        u->poll_deadline_us = u->poll_start_us + st->poll_timeout_us;
    }
    u->attempt++;
    send_request(u);
}

static void user_timer_fired(struct user *u)
{
    stats_timer_late(u->w->stats, loop_now_us() - u->timer.due_us);
    enum wait why = u->wait;
    u->wait = W_NONE;
    if (why == W_ITER) {
        struct worker *w = u->w;
        if (w->phase == PH_RUN && !u->retire) {
            /* Open model: the arrival's intended start; closed: 0, each
             * request counts from its own send. */
            begin_iteration(u, u->intended_us);
        } else if (w->p->load.open) {
            u->next_free = w->free_users;
            w->free_users = u;
        } else {
            u->started = 0;
            u->retire = 0;
        }
        return;
    }
    if (why == W_RETRY || why == W_POLL) u->intended_us = 0;
    start_step(u);
}

/* ---- per-user set-up (plan on_start) ------------------------------------
 * A user's first begin_iteration runs the on_start steps instead, as an
 * iteration of their own: same requests, checks, retries and polls, but
 * while the user is in them the worker's stats point at start_stats, so
 * nothing of them reaches the load's statistics, timeline or thresholds.
 * Only the outcome per user is kept (ok / failed / interrupted, and the
 * first failure lines). Its end schedules the user's real first iteration
 * (a timer due now), unless the load is stopping. What on_start extracted
 * is handed to every later iteration (a per-user login token). */

/* Failure lines kept per worker: enough to see what went wrong, bounded
 * when every one of 10,000 users fails the same way. */
#define USER_SETUP_MAX_LINES 5

static struct stats *user_stats_enter(struct user *u)
{
    struct stats *saved = u->w->stats;
    if (u->in_start) u->w->stats = u->w->start_stats;
    return saved;
}

static void user_setup_note(struct user *u, const char *msg)
{
    struct worker *w = u->w;
    if (!w->start_errors) w->start_errors = cJSON_CreateArray();
    if (cJSON_GetArraySize(w->start_errors) >= USER_SETUP_MAX_LINES) return;
    char line[700];
    snprintf(line, sizeof line, "on_start user %lld: %s: %s",
             (long long)(u->k + 1 + w->o->shard.user_offset),
             u->steps[u->step].name ? u->steps[u->step].name : "think", msg);
    cJSON_AddItemToArray(w->start_errors, cJSON_CreateString(line));
}

/* Starts the user's on_start steps if it has not run them. Returns 1 when
 * it did (the first iteration comes after them). */
static int user_setup_begin(struct user *u)
{
    struct worker *w = u->w;
    const struct plan *p = w->p;
    if (w->single || !p->non_start || u->start_done) return 0;
    u->start_done = 1;
    u->in_start = 1;
    u->busy = 1;
    w->active++;
    u->steps = p->on_start;
    u->nsteps = p->non_start;
    u->step = 0;
    u->attempt = 0;
    u->intended_us = 0;
    struct stats *saved = user_stats_enter(u);
    start_step(u);
    w->stats = saved;
    return 1;
}

/* end_iteration's first look: the end of on_start (returns 1) or not. */
static int user_setup_end(struct user *u, enum outcome o)
{
    struct worker *w = u->w;
    if (!u->in_start) return 0;
    u->in_start = 0;
    u->busy = 0;
    u->wait = W_NONE;
    w->active--;
    if (o == O_OK) {
        w->start_ok++;
        int n = w->p->nvars;
        u->start_vars = xcalloc((size_t)(n ? n : 1), sizeof(char *));
        for (int i = 0; i < n; i++)
            if (u->vars[i]) u->start_vars[i] = xstrdup(u->vars[i]);
    } else if (o == O_FAIL) {
        w->start_failed++;
    } else {
        w->start_interrupted++;
    }
    if (w->phase != PH_RUN && w->active == 0)
        loop_timer_arm(w->loop, &w->tick, loop_now_us());
    /* on_user_timer decides: the first iteration, or back to rest when
     * the load is stopping. */
    wait_then(u, W_ITER, loop_now_us());
    return 1;
}

static void on_user_timer(void *arg)
{
    struct user *u = arg;
    struct stats *saved = user_stats_enter(u);
    user_timer_fired(u);
    u->w->stats = saved;
}

static void begin_iteration(struct user *u, int64_t intended_us)
{
    struct worker *w = u->w;
    const struct plan *p = w->p;
    if (user_setup_begin(u)) return;
    u->busy = 1;
    w->active++;
    w->stats->iter_started++;
    /* Variables live for one iteration: each starts from a clean slate. */
    for (int i = 0; i < p->nvars; i++) {
        free(u->vars[i]);
        u->vars[i] = u->start_vars && u->start_vars[i] ?
                     xstrdup(u->start_vars[i]) : NULL;
    }
    u->iter = u->iterations_done;
    u->step = 0;
    u->attempt = 0;
    u->intended_us = intended_us;
    if (!w->single) {
        int pick;
        if (w->o->debug) {
            pick = (int)(u->iter % p->nscenarios);
        } else {
            int64_t r = (int64_t)(rnd(w) % (uint64_t)p->total_weight);
            for (pick = 0; pick < p->nscenarios - 1; pick++) {
                r -= p->scenarios[pick].weight;
                if (r < 0) break;
            }
            while (p->scenarios[pick].weight == 0) pick++;
        }
        u->scenario = pick;
        u->steps = p->scenarios[pick].steps;
        u->nsteps = p->scenarios[pick].nsteps;
    }
    start_step(u);
}

static int match_all(const cJSON *doc, const struct plan_match *m, int n,
                     int *which)
{
    struct buf b = {0};
    for (int i = 0; i < n; i++) {
        const cJSON *node = doc ? jpath_get(doc, m[i].path) : NULL;
        int ok = 0;
        if (node) {
            buf_reset(&b);
            jpath_to_text(node, &b);
            for (int j = 0; j < m[i].nvalues && !ok; j++)
                ok = strcmp(buf_str(&b), m[i].values[j]) == 0;
        }
        if (!ok) { buf_free(&b); if (which) *which = i; return 0; }
    }
    buf_free(&b);
    return 1;
}

/* Any of the conditions holds (fail_on): returns its index or -1. */
static int match_any(const cJSON *doc, const struct plan_match *m, int n)
{
    for (int i = 0; i < n; i++)
        if (match_all(doc, &m[i], 1, NULL)) return i;
    return -1;
}

/* Runs extractions; returns -1 and names the variable on failure. */
static int extract(struct user *u, const struct plan_request *r,
                   const cJSON *doc, const char **bad)
{
    struct buf v = {0};
    for (int i = 0; i < r->nextract; i++) {
        const struct plan_extract *x = &r->extract[i];
        buf_reset(&v);
        int ok = 0;
        if (x->kind == EXTRACT_JSON) {
            const cJSON *n = doc ? jpath_get(doc, x->expr) : NULL;
            if (n && !cJSON_IsNull(n)) { jpath_to_text(n, &v); ok = 1; }
        } else if (x->kind == EXTRACT_HEADER) {
            ok = header_find(buf_str(&u->hdrs), x->expr, &v);
        } else {
            regmatch_t m[2];
            if (regexec(&x->re, buf_str(&u->resp), 2, m, 0) == 0 &&
                m[1].rm_so >= 0) {
                buf_append(&v, buf_str(&u->resp) + m[1].rm_so,
                           (size_t)(m[1].rm_eo - m[1].rm_so));
                ok = 1;
            }
        }
        if (!ok) { buf_free(&v); *bad = u->w->p->vars[x->var]; return -1; }
        free(u->vars[x->var]);
        u->vars[x->var] = buf_steal(&v);
    }
    buf_free(&v);
    return 0;
}

static void status_detail(char *d, size_t n, long status, const int *exp,
                          int nexp)
{
    int len = snprintf(d, n, "%ld (expected ", status);
    if (!nexp) snprintf(d + len, n - (size_t)len, "2xx/3xx)");
    for (int i = 0; i < nexp && (size_t)len < n; i++)
        len += snprintf(d + len, n - (size_t)len, "%s%d%s", i ? "," : "",
                        exp[i], i == nexp - 1 ? ")" : "");
}

/* Index of the first expected header missing from the response, or -1. */
static int missing_header(const struct user *u, const struct plan_request *r)
{
    for (int i = 0; i < r->nexpect_headers; i++)
        if (!header_find(buf_str(&u->hdrs), r->expect_headers[i], NULL))
            return i;
    return -1;
}

/* A request step's response: the first check that fails decides the error
 * class and its detail; one sample is recorded either way. */
static void done_request(struct user *u, const struct plan_step *st,
                         CURLcode rc, long status, int64_t lat, int64_t svc,
                         int64_t ws)
{
    const struct plan_request *r = &st->req;
    enum err_class err = ERR_NONE;
    char d[256] = "", why[256] = "";
    cJSON *doc = NULL;
    const char *bad = NULL;
    int need_json = r->nexpect_json > 0, which = 0, h;
    for (int i = 0; i < r->nextract; i++)
        need_json |= r->extract[i].kind == EXTRACT_JSON;
    int status_ok = r->nexpect_status ?
        in_list(r->expect_status, r->nexpect_status, (int)status) :
        status >= 200 && status < 400;

    if (rc != CURLE_OK) {
        err = classify(rc, status);
        snprintf(why, sizeof why, "%s", curl_easy_strerror(rc));
    } else if (in_list(r->retry_status, r->nretry_status, (int)status)) {
        /* A retried "busy" answer is an ordinary response; only running
         * out of tries is an error. */
        if (u->attempt < r->retry_max) {
            stats_record(u->w->stats, r->tx, lat, svc, (int)status, ERR_NONE,
                         NULL, ws);
            wait_then(u, W_RETRY, loop_now_us() + r->retry_every_us);
            return;
        }
        err = ERR_RETRIES;
        snprintf(d, sizeof d, "%ld after %d tries", status, u->attempt);
    } else if (!status_ok) {
        err = ERR_STATUS;
        snprintf(d, sizeof d, "%ld", status);
        status_detail(why, sizeof why, status, r->expect_status,
                      r->nexpect_status);
    } else if (r->expect_contains &&
               !memmem(buf_str(&u->resp), u->resp.len, r->expect_contains,
                       strlen(r->expect_contains))) {
        err = ERR_CHECK;
        snprintf(d, sizeof d, "contains \"%.200s\"%s", r->expect_contains,
                 u->resp_cut ? " (body cut at max_body)" : "");
    } else if ((h = missing_header(u, r)) >= 0) {
        err = ERR_CHECK;
        snprintf(d, sizeof d, "header %.200s", r->expect_headers[h]);
    } else if (need_json && !(doc = cJSON_ParseWithLength(buf_str(&u->resp),
                                                          u->resp.len))) {
        err = ERR_INVALID_JSON;
        if (u->resp_cut) snprintf(d, sizeof d, "body cut at max_body");
    } else if (r->nexpect_json &&
               !match_all(doc, r->expect_json, r->nexpect_json, &which)) {
        err = ERR_CHECK;
        snprintf(d, sizeof d, "json %.200s", r->expect_json[which].path);
    } else if (extract(u, r, doc, &bad) < 0) {
        err = ERR_EXTRACT;
        snprintf(d, sizeof d, "%s", bad);
    }
    cJSON_Delete(doc);
    stats_record(u->w->stats, r->tx, lat, svc, rc == CURLE_OK ? (int)status : 0,
                 err, d[0] ? d : NULL, ws);
    if (err == ERR_NONE) {
        step_done(u);
        return;
    }
    note_failure(u, "%s%s%s", stats_err_name(err), why[0] || d[0] ? ": " : "",
                 why[0] ? why : d);
    end_iteration(u, O_FAIL);
}

/* A poll request's response. The wait ("flow") is recorded when it ends. */
static void done_poll(struct user *u, const struct plan_step *st,
                      CURLcode rc, long status, int64_t lat, int64_t svc,
                      int64_t ws)
{
    struct worker *w = u->w;
    const struct plan_request *r = &st->req;
    struct stats *s = w->stats;
    int64_t now = loop_now_us();
    int64_t flow = now - u->poll_start_us;
    char d[256];
    enum err_class fail = ERR_NONE;
    d[0] = '\0';
    cJSON *doc = NULL;
    if (rc != CURLE_OK) {
        fail = classify(rc, status);
        stats_record(s, r->tx, lat, svc, 0, fail, NULL, ws);
        snprintf(d, sizeof d, "%s", curl_easy_strerror(rc));
        goto failed;
    }
    if (in_list(st->fail_status, st->nfail_status, (int)status)) {
        snprintf(d, sizeof d, "status %ld", status);
        stats_record(s, r->tx, lat, svc, (int)status, ERR_POLL_FAILED, d, ws);
        fail = ERR_POLL_FAILED;
        goto failed;
    }
    if (in_list(st->poll_retry_status, st->npoll_retry_status, (int)status)) {
        stats_record(s, r->tx, lat, svc, (int)status, ERR_NONE, NULL, ws);
        goto again;
    }
    if (status < 200 || status >= 400) {
        snprintf(d, sizeof d, "%ld", status);
        stats_record(s, r->tx, lat, svc, (int)status, ERR_STATUS, d, ws);
        fail = ERR_STATUS;
        goto failed;
    }
    doc = cJSON_ParseWithLength(buf_str(&u->resp), u->resp.len);
    if (!doc) {
        snprintf(d, sizeof d, "%s", u->resp_cut ? "body cut at max_body" : "");
        stats_record(s, r->tx, lat, svc, (int)status, ERR_INVALID_JSON,
                     d[0] ? d : NULL, ws);
        fail = ERR_INVALID_JSON;
        goto failed;
    }
    stats_record(s, r->tx, lat, svc, (int)status, ERR_NONE, NULL, ws);
    int f = match_any(doc, st->fail_on, st->nfail_on);
    if (f >= 0) {
        struct buf v = {0};
        jpath_to_text(jpath_get(doc, st->fail_on[f].path), &v);
        snprintf(d, sizeof d, "%.100s=%.100s", st->fail_on[f].path, buf_str(&v));
        buf_free(&v);
        fail = ERR_POLL_FAILED;
        goto failed;
    }
    if (match_all(doc, st->until, st->nuntil, NULL)) {
        const char *bad = NULL;
        if (extract(u, r, doc, &bad) < 0) {
            stats_record(s, st->flow_tx, flow, flow, (int)status, ERR_EXTRACT,
                         bad, ws);
            note_failure(u, "extract %s found nothing", bad);
            cJSON_Delete(doc);
            end_iteration(u, O_FAIL);
            return;
        }
        cJSON_Delete(doc);
        stats_record(s, st->flow_tx, flow, flow, (int)status, ERR_NONE, NULL, ws);
        step_done(u);
        return;
    }
again:
    cJSON_Delete(doc);
    if (now + st->every_us > u->poll_deadline_us) {
        char t[32];
        units_format_duration(t, sizeof t, (double)st->poll_timeout_us);
        stats_record(s, st->flow_tx, flow, flow, (int)status, ERR_POLL_TIMEOUT,
                     NULL, ws);
        note_failure(u, "poll timeout: no terminal state within %s", t);
        end_iteration(u, O_FAIL);
        return;
    }
    wait_then(u, W_POLL, now + st->every_us);
    return;
failed:
    cJSON_Delete(doc);
    stats_record(s, st->flow_tx, flow, flow, (int)status, fail,
                 d[0] ? d : NULL, ws);
    note_failure(u, "%s%s%s", stats_err_name(fail), d[0] ? ": " : "", d);
    end_iteration(u, O_FAIL);
}

/* A finished transfer's timing phases and bytes, as libcurl measured
 * them. */
static void curl_phases(CURL *e, struct stats_req_phases *p)
{
    curl_off_t t[6] = {0}, up = 0, down = 0;
    static const CURLINFO what[6] = {
        CURLINFO_NAMELOOKUP_TIME_T, CURLINFO_CONNECT_TIME_T,
        CURLINFO_APPCONNECT_TIME_T, CURLINFO_PRETRANSFER_TIME_T,
        CURLINFO_STARTTRANSFER_TIME_T, CURLINFO_TOTAL_TIME_T};
    for (int i = 0; i < 6; i++) curl_easy_getinfo(e, what[i], &t[i]);
    long req_size = 0, hdr_size = 0;
    curl_easy_getinfo(e, CURLINFO_REQUEST_SIZE, &req_size);
    curl_easy_getinfo(e, CURLINFO_HEADER_SIZE, &hdr_size);
    curl_easy_getinfo(e, CURLINFO_SIZE_UPLOAD_T, &up);
    curl_easy_getinfo(e, CURLINFO_SIZE_DOWNLOAD_T, &down);
    stats_phases_from_cumulative(p, t[0], t[1], t[2], t[3], t[4], t[5]);
    /* REQUEST_SIZE is what the first send wrote: the headers, and a body
     * under 64 KiB that libcurl (7.88: MAX_INITIAL_POST_SIZE) sends with
     * them; a larger body goes later and only SIZE_UPLOAD counts it. */
    int with_headers = up > 0 && up < 64 * 1024 && req_size > up;
    p->sent_bytes = (int64_t)req_size + (with_headers ? 0 : (int64_t)up);
    p->received_bytes = (int64_t)hdr_size + (int64_t)down;
}

static void on_done(struct worker *w, CURL *e, CURLcode rc)
{
    struct user *u = NULL;
    curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&u);
    if (e != u->easy) {            /* a fast-path connect */
        fast_connected(u->fast, rc);
        return;
    }
    curl_multi_remove_handle(u->g->multi, e);
    u->in_flight = 0;
    long status = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    struct stats_req_phases ph;
    curl_phases(e, &ph);
    finish_request(u, rc, status, &ph);
}

/* A request's end on either path: rc and status as libcurl gives them,
 * its timing phases and bytes. */
static void finish_request(struct user *u, CURLcode rc, long status,
                           const struct stats_req_phases *ph)
{
    struct worker *w = u->w;
    struct stats *saved = user_stats_enter(u);
    int64_t now = loop_now_us();
    int64_t lat = now - u->intended_us, svc = now - u->send_us;
    /* The intended start belongs to this request only (an open-model
     * arrival's first request); the next step counts from its own send. */
    u->intended_us = 0;
    int64_t ws = wall_s(w, now);
    if (w->o->debug) debug_response(u, rc, status, svc);
    atomic_fetch_add_explicit(&w->pub_requests, 1, memory_order_relaxed);
    const struct plan_step *st = &u->steps[u->step];
    enum err_class cls = rc == CURLE_OK ? ERR_NONE : classify(rc, status);
    u->conn_fails = cls == ERR_CONNECT || cls == ERR_DNS || cls == ERR_TLS ?
                    u->conn_fails + 1 : 0;
    int64_t errs_before = w->stats->tx[st->req.tx].errors;
    stats_request_phases(w->stats, st->req.tx, ph);
    if (st->kind == STEP_POLL) done_poll(u, st, rc, status, lat, svc, ws);
    else done_request(u, st, rc, status, lat, svc, ws);
    if (w->stats->tx[st->req.tx].errors != errs_before)
        atomic_fetch_add_explicit(&w->pub_errors, 1, memory_order_relaxed);
    w->stats = saved;
}

static void drain(struct group *g)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(g->multi, &left)))
        if (m->msg == CURLMSG_DONE) on_done(g->w, m->easy_handle, m->data.result);
}

/* ---- users ------------------------------------------------------------- */

static void user_init(struct worker *w, struct group *g, struct user *u,
                      int64_t k)
{
    u->w = w;
    u->g = g;
    u->fg = w->fgroups ? &w->fgroups[(u - w->users) / w->fgroup_users] : NULL;
    u->k = k;
    u->vars = xcalloc((size_t)(w->p->nvars ? w->p->nvars : 1), sizeof(char *));
    loop_timer_init(&u->timer, on_user_timer, u);
    u->keep_hdrs = 1;
}

/* The user's own easy handle, created on its first libcurl-path request
 * or cookie (a user whose requests all take the fast path never needs
 * one: ~5 KiB each at 1,000 users). NULL if libcurl cannot allocate it. */
static CURL *user_easy(struct user *u)
{
    if (u->easy) return u->easy;
    CURL *e = u->easy = easy_new(u->w, u);
    if (!e) return NULL;
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, u);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, u->keep_hdrs ? on_header : NULL);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, u->keep_hdrs ? u : NULL);
    curl_easy_setopt(e, CURLOPT_COOKIEFILE, "");      /* per-user cookies */
    return e;
}

/* An easy handle of user u's with what both request paths need: sockets
 * through the loop, no signals, timeouts, TLS, proxies. NULL if libcurl
 * cannot allocate one. */
static CURL *easy_new(struct worker *w, struct user *u)
{
    CURL *e = curl_easy_init();
    if (!e) return NULL;
    curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)u);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_sock);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, w->loop);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, close_sock);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, w->loop);
    /* Signals are process-wide; libcurl must not install handlers per
     * request (3 rt_sigaction calls each otherwise). SIGPIPE is ignored. */
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, w->p->insecure ? 0L : 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, w->p->insecure ? 0L : 2L);
    curl_easy_setopt(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    if (ca_bundle) curl_easy_setopt(e, CURLOPT_CAINFO, ca_bundle);
    /* Without a proxy setting libcurl reads the *_proxy variables for
     * every request (~1,400 instructions each); when none is set, say so
     * once. A proxy in the environment is still honoured. */
    if (no_proxy_env) {
        curl_easy_setopt(e, CURLOPT_PROXY, "");
        curl_easy_setopt(e, CURLOPT_NOPROXY, "");
    }
    return e;
}

static void user_free(struct user *u)
{
    fast_free(u->fast);
    if (u->easy) {
        if (u->in_flight) curl_multi_remove_handle(u->g->multi, u->easy);
        curl_easy_cleanup(u->easy);
    }
    if (u->curlu) curl_url_cleanup(u->curlu);
    buf_free(&u->curlu_url);
    for (int i = 0; i < u->w->p->nvars; i++) {
        free(u->vars[i]);
        if (u->start_vars) free(u->start_vars[i]);
    }
    free(u->vars);
    free(u->start_vars);
    buf_free(&u->url);
    buf_free(&u->body);
    buf_free(&u->resp);
    buf_free(&u->hdrs);
    curl_slist_free_all(u->hl);
}

/* Interrupts a user: cancels its wait or aborts its request. */
static void interrupt(struct user *u)
{
    struct worker *w = u->w;
    if (!u->busy) return;
    struct stats *saved = user_stats_enter(u);
    if (u->in_flight) {
        if (u->fast && fast_busy(u->fast)) fast_abort(u->fast);
        else curl_multi_remove_handle(u->g->multi, u->easy);
        u->in_flight = 0;
        const struct plan_step *st = &u->steps[u->step];
        stats_error(w->stats, st->req.tx, ERR_INTERRUPTED, NULL);
    }
    loop_timer_cancel(w->loop, &u->timer);
    if (w->single) note_failure(u, "interrupted");
    end_iteration(u, O_INTERRUPT);
    w->stats = saved;
}

/* ---- schedules --------------------------------------------------------- */

/* Closed model: how many users (global) should be running t_us after the
 * start. Users ramp up at spawn_rate towards each stage's target and drop
 * to a lower target at once (they finish their iteration first). */
static int64_t users_at(const struct plan_load *L, int64_t t_us)
{
    double rate = L->spawn_rate;
    if (!L->nstages) {
        if (rate <= 0) return L->users;
        int64_t n = (int64_t)floor(rate * (double)t_us / 1e6) + 1;
        return n < L->users ? n : L->users;
    }
    int64_t level = 0, ts = 0;
    for (int i = 0; i < L->nstages; i++) {
        int64_t target = (int64_t)L->stages[i].target;
        int64_t into = t_us - ts;
        int64_t d = L->stages[i].duration_us;
        int64_t at = into < d ? into : d;
        if (target <= level || rate <= 0) level = target;
        else {
            int64_t n = level + (int64_t)floor(rate * (double)at / 1e6) + 1;
            level = n < target ? n : target;
        }
        if (into < d) return level;
        ts += d;
    }
    return level;
}

/* Open model: intended start (us after the load start) of global arrival
 * i, or -1 after the end. */
static int64_t arrival_at(const struct plan *p, int64_t i)
{
    const struct plan_load *L = &p->load;
    if (!L->nstages) {
        int64_t t = (int64_t)((double)i * 1e6 / L->rate);
        return t < L->duration_us ? t : -1;
    }
    double before = 0;
    int64_t ts = 0;
    for (int s = 0; s < L->nstages; s++) {
        double n = L->stages[s].target * (double)L->stages[s].duration_us / 1e6;
        if ((double)i < before + n && L->stages[s].target > 0)
            return ts + (int64_t)(((double)i - before) * 1e6 /
                                  L->stages[s].target);
        before += n;
        ts += L->stages[s].duration_us;
    }
    return -1;
}

/* Journaling: appends what this worker measured since its last record
 * and folds it into w->total, leaving w->stats empty for the next second. */
static void checkpoint(struct worker *w)
{
    int fd = w->o->journal_fd;
    if (fd <= 0 || !w->total) return;
    int64_t now_ms = loop_wall_us() / 1000;
    if (journal_append(fd, w->stats, w->journal_ms, now_ms) < 0 && !w->journal_failed) {
        w->journal_failed = 1;
        fprintf(stderr, "\nherd: the run journal cannot be written (%s); the "
                "run goes on without it\n", strerror(errno));
    }
    w->journal_ms = now_ms;
    stats_merge(w->total, w->stats);
    stats_reset(w->stats);
}

static void publish(struct worker *w, int64_t now)
{
    atomic_store_explicit(&w->pub_active, w->active, memory_order_relaxed);
    int64_t sec = wall_s(w, now);
    if (sec != w->last_sec) {
        /* p99 of the second that just ended, for the progress line. */
        struct stats *s = w->stats;
        const struct stats_sec *last = stats_sec_find(s, w->last_sec);
        if (last && last->hist)
            atomic_store_explicit(&w->pub_p99, hist_percentile(last->hist,
                                  99.0), memory_order_relaxed);
        /* Before the new second's active users are noted: each second's
         * user count then lives in exactly one record. */
        if (w->last_sec >= 0) checkpoint(w);
        w->last_sec = sec;
    }
    stats_active(w->stats, sec, w->active);
}

static void start_arrival(struct worker *w, int64_t intended)
{
    if (w->free_users) {
        struct user *u = w->free_users;
        w->free_users = u->next_free;
        begin_iteration(u, intended);
    } else if (w->nbacklog < w->backlog_cap) {
        w->backlog[(w->backlog_head + w->nbacklog) % w->backlog_cap] = intended;
        w->nbacklog++;
    } else {
        w->stats->iter_dropped++;
    }
}

/* Intended start (monotonic) of this worker's next arrival in this part,
 * or -1 when there is none before the part's end. */
static int64_t next_arrival_due(const struct worker *w)
{
    int64_t at = arrival_at(w->p, w->next_arrival);
    if (at < 0 || (w->end_us && w->mono0 + at >= w->end_us)) return -1;
    return w->mono0 + at;
}

/* Counts this worker's arrivals due before until (monotonic) that never
 * started -- a shard that began late or was cut short -- as dropped, so
 * started + dropped always equals the schedule. */
static void drop_arrivals(struct worker *w, int64_t until)
{
    int64_t due;
    while ((due = next_arrival_due(w)) >= 0 && due < until) {
        w->stats->iter_dropped++;
        w->next_arrival += w->stride;
    }
}

/* Starts the arrivals due by now, each with its own intended start. */
static void start_due_arrivals(struct worker *w, int64_t now)
{
    if (w->phase != PH_RUN || (w->o->stop && w->o->stop[0] > w->stop_base))
        return;
    int64_t due;
    while ((due = next_arrival_due(w)) >= 0 && due <= now) {
        start_arrival(w, due);
        w->next_arrival += w->stride;
    }
}

/* The open model's own timer, armed for the next arrival's due time. */
static void on_arrive(void *arg)
{
    struct worker *w = arg;
    int64_t now = loop_now_us();
    stats_timer_late(w->stats, now - w->arrive.due_us);
    start_due_arrivals(w, now);
    int64_t due = next_arrival_due(w);
    if (w->phase == PH_RUN && due >= 0)
        loop_timer_arm(w->loop, &w->arrive, due);
}

static void on_tick(void *arg)
{
    struct worker *w = arg;
    const struct plan *p = w->p;
    const struct plan_load *L = &p->load;
    int64_t now = loop_now_us();
    int64_t t = now - w->mono0;
    int stop_asked = w->o->stop && w->o->stop[0] > w->stop_base;

    /* Arrivals due by now are started before the end is looked at, so
     * none is lost (their own timer may not have fired yet). */
    if (L->open) start_due_arrivals(w, now);
    /* At the planned end users finish their iteration (up to
     * graceful_stop); on SIGINT/SIGTERM waiting users stop at once and
     * requests in flight get STOP_GRACE_US. */
    if (w->phase == PH_RUN && w->stop_us && now >= w->stop_us &&
        !(w->end_us && now >= w->end_us))
        w->cut_short = 1;
    if (w->phase == PH_RUN && (stop_asked || (w->end_us && now >= w->end_us) ||
                               (w->stop_us && now >= w->stop_us))) {
        w->phase = PH_DRAIN;
        w->grace_end_us = now + L->graceful_stop_us;
        /* Arrivals still waiting for a user never start: dropped; so do
         * the rest of the part's when the hard stop cut it short. */
        w->stats->iter_dropped += w->nbacklog;
        w->nbacklog = 0;
        if (L->open && w->cut_short && w->end_us) drop_arrivals(w, w->end_us);
        loop_timer_cancel(w->loop, &w->arrive);
    }
    if (w->phase == PH_DRAIN && stop_asked && !w->by_signal) {
        w->by_signal = 1;
        if (w->grace_end_us > now + STOP_GRACE_US)
            w->grace_end_us = now + STOP_GRACE_US;
    }
    if (w->stop_us && w->grace_end_us > w->stop_us)
        w->grace_end_us = w->stop_us;
    if (w->phase == PH_DRAIN && now >= w->grace_end_us)
        w->phase = PH_ABORT;
    if (w->phase == PH_DRAIN && w->by_signal)
        for (int i = 0; i < w->nusers; i++)
            if (w->users[i].busy && !w->users[i].in_flight)
                interrupt(&w->users[i]);
    if (w->phase == PH_ABORT)
        for (int i = 0; i < w->nusers; i++) interrupt(&w->users[i]);

    if (w->phase == PH_RUN && !L->open) {
        /* Users are in ascending k order: users[j].k = first + j * stride,
         * so the ones that should run are a prefix of the array. */
        int64_t want = users_at(L, t);
        int64_t n = want > w->first ? (want - w->first + w->stride - 1) /
                    w->stride : 0;
        if (n > w->nusers) n = w->nusers;
        for (int64_t j = w->spawned; j < n; j++) {
            struct user *u = &w->users[j];
            u->retire = 0;
            if (u->started || u->busy ||
                (L->iterations && u->iterations_done >= L->iterations))
                continue;
            u->started = 1;
            begin_iteration(u, 0);
        }
        for (int64_t j = n; j < w->spawned; j++)
            w->users[j].retire = 1;
        w->spawned = n;
        if (L->iterations && w->finished == w->nusers) w->phase = PH_ABORT;
    }
    publish(w, now);
    if (w->phase != PH_RUN && w->active == 0) {
        w->ended_wall_us = loop_wall_us();
        atomic_store(&w->done, 1);
        return;
    }
    /* The end (planned or hard stop) is looked at when it is due, not on
     * the next tick: the duration is measured to the millisecond. */
    int64_t next = now + TICK_US;
    if (w->phase == PH_RUN && w->end_us > now && w->end_us < next) next = w->end_us;
    if (w->phase == PH_RUN && w->stop_us > now && w->stop_us < next) next = w->stop_us;
    loop_timer_arm(w->loop, &w->tick, next);
}

/* ---- workers ----------------------------------------------------------- */

/* A stats for a worker: recording indexes it by the plan's transaction
 * index, so every one is registered, in plan order. */
static struct stats *plan_stats(const struct plan *p)
{
    struct stats *s = stats_new();
    stats_set_secrets(s, p->secrets, p->nsecrets);
    for (int i = 0; i < p->ntx; i++)
        stats_tx_index(s, p->tx_names[i], p->tx_kinds[i]);
    return s;
}

static int worker_init(struct worker *w, const struct plan *p,
                       const struct engine_vars *g, const struct engine_opts *o)
{
    w->p = p;
    w->globals = g;
    w->o = o;
    w->loop = loop_new();
    w->stats = plan_stats(p);
    w->start_stats = plan_stats(p);
    if (!w->loop) return -1;
    loop_timer_init(&w->tick, on_tick, w);
    loop_timer_init(&w->arrive, on_arrive, w);
    w->rng = (uint64_t)loop_wall_us() ^ ((uint64_t)(w->first + 1) << 32) ^
             (uint64_t)(uintptr_t)w;
    if (!w->rng) w->rng = 88172645463325252ULL;
    w->last_sec = -1;
    w->stop_base = o->stop ? o->stop[0] : 0;
    /* Decided once per run: a proxy (libcurl's) or the plan's or the
     * environment's word keeps every request on libcurl's path. */
    w->fast_on = p->fast_path && !fast_env_off && no_proxy_env;
    return 0;
}

static int group_init(struct worker *w, struct group *g);

/* One multi handle per GROUP_USERS users (at least one), and as many for
 * the fast path's connects: those hold only CONNECT_ONLY handles, which
 * libcurl would prune as idle from a pool it shares with transfers. */
static int make_groups(struct worker *w, int64_t users)
{
    int n = (int)((users + GROUP_USERS - 1) / GROUP_USERS);
    if (n < 1) n = 1;
    w->groups = xcalloc((size_t)n, sizeof *w->groups);
    for (; w->ngroups < n; w->ngroups++)
        if (group_init(w, &w->groups[w->ngroups]) < 0) return -1;
    if (!w->fast_on) return 0;
    w->fgroup_users = users <= FAST_SMALL_USERS ? FAST_GROUP_USERS : GROUP_USERS;
    n = (int)((users + w->fgroup_users - 1) / w->fgroup_users);
    if (n < 1) n = 1;
    w->fgroups = xcalloc((size_t)n, sizeof *w->fgroups);
    for (; w->nfgroups < n; w->nfgroups++)
        if (group_init(w, &w->fgroups[w->nfgroups]) < 0) return -1;
    return 0;
}

static int group_init(struct worker *w, struct group *g)
{
    g->w = w;
    g->multi = curl_multi_init();
    if (!g->multi) return -1;
    curl_multi_setopt(g->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
    curl_multi_setopt(g->multi, CURLMOPT_SOCKETDATA, g);
    curl_multi_setopt(g->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_multi_setopt(g->multi, CURLMOPT_TIMERDATA, g);
    /* libcurl sizes its connection cache from the handles currently
     * added, and users leave the multi handle between requests:
     * without this the cache shrinks and keep-alive connections get
     * closed. */
    curl_multi_setopt(g->multi, CURLMOPT_MAXCONNECTS, (long)(GROUP_USERS + 8));
    loop_timer_init(&g->timer, on_curl_timer, g);
    return 0;
}

static void worker_free(struct worker *w)
{
    for (int i = 0; i < w->nusers; i++) user_free(&w->users[i]);
    free(w->users);
    free(w->backlog);
    for (int i = 0; i < w->ngroups; i++)
        if (w->groups[i].multi) curl_multi_cleanup(w->groups[i].multi);
    free(w->groups);
    for (int i = 0; i < w->nfgroups; i++)
        if (w->fgroups[i].multi) curl_multi_cleanup(w->fgroups[i].multi);
    free(w->fgroups);
    loop_free(w->loop);
    stats_free(w->stats);
    stats_free(w->start_stats);
    stats_free(w->total);
    cJSON_Delete(w->start_errors);
}

static void worker_loop(struct worker *w)
{
    while (!w->done) {
        if (loop_run_once(w->loop, 50) < 0) break;
        /* A second Ctrl-C while draining aborts at once. */
        if (w->o->stop && w->o->stop[0] > w->stop_base + 1 &&
            w->phase != PH_ABORT) {
            w->phase = PH_ABORT;
            loop_timer_arm(w->loop, &w->tick, loop_now_us());
        }
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    const struct plan_load *L = &w->p->load;
    /* Users this worker owns. */
    int64_t total = L->open ? L->max_users : L->users;
    int64_t mine = total > w->first ? (total - w->first + w->stride - 1) / w->stride : 0;
    if (L->open) {
        /* The global cap is shared out evenly across workers. */
        mine = (L->max_users + w->stride - 1) / w->stride;
        w->backlog_cap = (int)mine;
        w->backlog = xcalloc((size_t)mine, sizeof *w->backlog);
    }
    w->users = xcalloc((size_t)(mine ? mine : 1), sizeof *w->users);
    if (make_groups(w, mine) < 0) {
        fprintf(stderr, "herd: cannot create a libcurl multi handle\n");
        w->done = 1;
        return NULL;
    }
    for (int64_t j = 0; j < mine; j++) {
        user_init(w, &w->groups[j / GROUP_USERS], &w->users[j],
                  w->first + j * w->stride);
        w->nusers++;
    }
    if (L->open)
        for (int i = w->nusers - 1; i >= 0; i--) {
            w->users[i].next_free = w->free_users;
            w->free_users = &w->users[i];
        }
    w->next_arrival = w->first;
    /* Wait for the common start time (shards begin together), but not
     * past the hard stop: a part whose start lies after its deadline
     * returns its empty result instead of being killed with it. */
    int64_t start_ms = w->o->shard.start_unix_ms;
    int64_t stop_ms = w->o->shard.stop_unix_ms;
    int signalled = 0;
    for (;;) {
        int64_t now_w = loop_wall_us();
        int64_t left = start_ms * 1000 - now_w;
        if (stop_ms && stop_ms * 1000 - now_w < left) left = stop_ms * 1000 - now_w;
        if (left <= 0) break;
        usleep((useconds_t)(left > 100000 ? 100000 : left));
        if (w->o->stop && w->o->stop[0]) { signalled = 1; break; }
    }
    /* A later part of a long test behaves as if the load had started
     * elapsed_us ago: spawn and arrival schedules carry on. A shard that
     * begins late (throttled, retried) keeps the planned schedule: what
     * it missed is counted, not shifted. */
    const struct engine_shard *sh = &w->o->shard;
    int64_t now_mono = loop_now_us(), now_wall = loop_wall_us();
    /* late < 0: the hard stop came before the start (nothing will run). */
    int64_t late = start_ms && !signalled ? now_wall - start_ms * 1000 : 0;
    w->late_us = late >= START_LATE_GRACE_US ? late : 0;
    w->began_wall_us = now_wall - late;
    w->mono0 = now_mono - late - sh->elapsed_us;
    w->wall0_us = now_wall - late - sh->elapsed_us;
    int64_t dur = plan_duration_us(w->p);
    w->end_us = dur ? w->mono0 + dur : 0;
    if (sh->end_unix_ms)
        w->end_us = now_mono + (sh->end_unix_ms * 1000 - now_wall);
    if (sh->stop_unix_ms)
        w->stop_us = now_mono + (sh->stop_unix_ms * 1000 - now_wall);
    if (L->open)
        while (sh->elapsed_us > 0) {
            int64_t at = arrival_at(w->p, w->next_arrival);
            if (at < 0 || at >= sh->elapsed_us) break;
            w->next_arrival += w->stride;
        }
    if (L->open && w->late_us) drop_arrivals(w, now_mono);
    if (w->o->journal_fd > 0 && !w->single) {
        w->total = plan_stats(w->p);
        w->journal_ms = now_wall / 1000;
    }
    if (w->stop_us && now_mono >= w->stop_us) {
        /* Begun after its hard stop (a deadline): nothing runs, and the
         * part's whole schedule is dropped; the result is still returned. */
        w->cut_short = 1;
        if (L->open && w->end_us) drop_arrivals(w, w->end_us);
        w->ended_wall_us = now_wall;
        atomic_store(&w->done, 1);
    } else {
        loop_timer_arm(w->loop, &w->tick, now_mono);
        if (L->open) loop_timer_arm(w->loop, &w->arrive, now_mono);
        worker_loop(w);
    }
    if (w->total) {
        /* The last record: the journal then holds the whole run. */
        checkpoint(w);
        struct stats *t = w->stats;
        w->stats = w->total;
        w->total = t;
    }
    return NULL;
}

void engine_register_tx(const struct plan *p, struct stats *s)
{
    /* Requests first, then flows, each in plan order: the report's order. */
    for (int kind = 0; kind < 2; kind++)
        for (int i = 0; i < p->nscenarios; i++)
            for (int j = 0; j < p->scenarios[i].nsteps; j++) {
                const struct plan_step *st = &p->scenarios[i].steps[j];
                if (st->kind == STEP_THINK) continue;
                int tx = kind == 0 ? st->req.tx :
                         st->kind == STEP_POLL ? st->flow_tx : -1;
                if (tx >= 0)
                    stats_tx_index(s, p->tx_names[tx], p->tx_kinds[tx]);
            }
}

void engine_global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    signal(SIGPIPE, SIG_IGN);
    const char *env = getenv("SSL_CERT_FILE");
    const char *probe[] = {env, "/etc/pki/tls/certs/ca-bundle.crt",
        "/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/cert.pem"};
    for (size_t i = 0; i < sizeof probe / sizeof *probe && !ca_bundle; i++)
        if (probe[i] && *probe[i] && access(probe[i], R_OK) == 0)
            ca_bundle = probe[i];
    static const char *const proxies[] = {"http_proxy", "HTTP_PROXY",
        "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"};
    const char *fp = getenv("HERD_FAST_PATH");
    fast_env_off = fp && (strcmp(fp, "off") == 0 || strcmp(fp, "0") == 0);
    no_proxy_env = 1;
    for (size_t i = 0; i < sizeof proxies / sizeof *proxies; i++) {
        const char *v = getenv(proxies[i]);
        if (v && *v) no_proxy_env = 0;
    }
}

void engine_vars_init(struct engine_vars *v, int n)
{
    v->n = n;
    v->v = xcalloc((size_t)(n ? n : 1), sizeof *v->v);
}

void engine_vars_free(struct engine_vars *v)
{
    for (int i = 0; i < v->n; i++) free(v->v[i]);
    free(v->v);
    v->v = NULL;
    v->n = 0;
}

int engine_run_steps(const struct plan *p, const char *what,
                     const struct plan_step *steps, int nsteps,
                     struct engine_vars *vars, cJSON *errors,
                     const struct engine_opts *o)
{
    if (!nsteps) return 0;
    struct worker w = {0};
    w.stride = 1;
    w.single = 1;
    w.errors = errors;
    w.what = what;
    if (worker_init(&w, p, vars, o) < 0) {
        cJSON_AddItemToArray(errors, cJSON_CreateString("cannot start a worker"));
        worker_free(&w);
        return 1;
    }
    w.users = xcalloc(1, sizeof *w.users);
    if (make_groups(&w, 1) < 0) {
        cJSON_AddItemToArray(errors, cJSON_CreateString("cannot start a worker"));
        worker_free(&w);
        return 1;
    }
    w.nusers = 1;
    struct user *u = &w.users[0];
    user_init(&w, &w.groups[0], u, 0);
    u->steps = steps;
    u->nsteps = nsteps;
    w.mono0 = loop_now_us();
    w.wall0_us = loop_wall_us();
    /* Setup and teardown run to completion; a Ctrl-C that arrives while
     * they run stops them (teardown after a Ctrl-C during the load still
     * runs: only a new signal counts). */
    w.stop_base = o->stop ? o->stop[0] : 0;
    w.phase = PH_RUN;
    begin_iteration(u, 0);
    while (u->busy) {
        if (loop_run_once(w.loop, 50) < 0) break;
        if (o->stop && o->stop[0] > w.stop_base && u->busy)
            interrupt(u);
    }
    for (int i = 0; i < p->nvars; i++)
        if (u->vars[i]) { free(vars->v[i]); vars->v[i] = xstrdup(u->vars[i]); }
    int failures = w.failures;
    worker_free(&w);
    return failures;
}

/* A worker's on_start outcomes into the span: counts summed, failure
 * lines (bounded) appended. */
static void user_setup_collect(const struct worker *w, struct engine_span *span)
{
    span->setup_ok += w->start_ok;
    span->setup_failed += w->start_failed;
    span->setup_interrupted += w->start_interrupted;
    const cJSON *e;
    cJSON_ArrayForEach(e, w->start_errors)
        cJSON_AddItemToArray(span->setup_errors, cJSON_Duplicate(e, 1));
}

int engine_run_load(const struct plan *p, const struct engine_vars *vars,
                    const struct engine_opts *o, struct stats *s,
                    struct engine_span *span)
{
    int threads = o->threads > 0 ? o->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1) threads = 1;
    const struct plan_load *L = &p->load;
    if (!L->open && threads > L->users) threads = L->users;
    if (L->open && threads > L->max_users) threads = L->max_users;
    if (o->debug) threads = 1;
    struct worker *ws = xcalloc((size_t)threads, sizeof *ws);
    pthread_t *tid = xcalloc((size_t)threads, sizeof *tid);
    int rc = 0, started = 0;
    for (int i = 0; i < threads; i++) {
        ws[i].index = i;
        ws[i].first = o->shard.first + (int64_t)i * (o->shard.stride ? o->shard.stride : 1);
        ws[i].stride = (o->shard.stride ? o->shard.stride : 1) * threads;
        if (worker_init(&ws[i], p, vars, o) < 0 ||
            pthread_create(&tid[i], NULL, worker_main, &ws[i]) != 0) {
            fprintf(stderr, "herd: cannot start worker %d: %s\n", i,
                    strerror(errno));
            rc = -1;
            break;
        }
        started++;
    }
    int64_t t0 = loop_now_us();
    int64_t start_wall = o->shard.start_unix_ms ? o->shard.start_unix_ms * 1000
                                                : loop_wall_us();
    double total_s = plan_duration_us(p) / 1e6;
    int64_t last_req = 0, last_t = t0;
    /* The calling thread reports progress until every worker is done. */
    for (;;) {
        int done = 1;
        for (int i = 0; i < started; i++) if (!ws[i].done) done = 0;
        if (done) break;
        usleep(100000);
        int64_t now = loop_now_us();
        if (!o->progress || now - last_t < 1000000) continue;
        struct engine_progress pr = {0};
        pr.elapsed_s = (loop_wall_us() - start_wall) / 1e6;
        if (pr.elapsed_s < 0) pr.elapsed_s = 0;
        pr.total_s = total_s;
        for (int i = 0; i < started; i++) {
            pr.active_users += atomic_load_explicit(&ws[i].pub_active, memory_order_relaxed);
            pr.requests += atomic_load_explicit(&ws[i].pub_requests, memory_order_relaxed);
            pr.errors += atomic_load_explicit(&ws[i].pub_errors, memory_order_relaxed);
            pr.iterations += atomic_load_explicit(&ws[i].pub_iters, memory_order_relaxed);
            int64_t p99 = atomic_load_explicit(&ws[i].pub_p99, memory_order_relaxed);
            if (p99 > pr.p99_us) pr.p99_us = p99;
        }
        pr.rps = (double)(pr.requests - last_req) * 1e6 / (double)(now - last_t);
        pr.stopping = o->stop && o->stop[0];
        last_req = pr.requests;
        last_t = now;
        o->progress(o->progress_arg, &pr);
    }
    for (int i = 0; i < started; i++) pthread_join(tid[i], NULL);
    /* The load ran from its planned start to the end of its last
     * iteration, as the workers saw them (not when this thread noticed). */
    int64_t began = 0, ended = 0, late = 0;
    for (int i = 0; i < started; i++) {
        if (ws[i].began_wall_us && (!began || ws[i].began_wall_us < began))
            began = ws[i].began_wall_us;
        if (ws[i].ended_wall_us > ended) ended = ws[i].ended_wall_us;
        if (ws[i].late_us > late) late = ws[i].late_us;
    }
    span->started_unix_ms = (began ? began : start_wall) / 1000;
    span->finished_unix_ms = (ended ? ended : loop_wall_us()) / 1000;
    if (span->finished_unix_ms < span->started_unix_ms)
        span->finished_unix_ms = span->started_unix_ms;
    span->start_late_ms = late / 1000;
    span->cut_short = 0;
    span->setup_ok = span->setup_failed = span->setup_interrupted = 0;
    span->setup_errors = cJSON_CreateArray();
    for (int i = 0; i < started; i++) {
        user_setup_collect(&ws[i], span);
        if (ws[i].cut_short) span->cut_short = 1;
        if (stats_merge(s, ws[i].stats) < 0) rc = -1;
        worker_free(&ws[i]);
    }
    for (int i = started; i < threads; i++) worker_free(&ws[i]);
    free(ws);
    free(tid);
    return rc;
}
