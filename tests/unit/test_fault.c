/* test_fault.c — library calls that fail (out of memory, a value libcurl
 * will not take), made to fail through the test-only hook xfault (buf.h):
 * a request libcurl cannot take ends its iteration as failed, counted, and
 * the run goes on; the Lambda coordinator and runtime fail with one line;
 * cJSON printing aborts like xmalloc instead of handing on NULL.
 *
 * The engine runs against a tiny HTTP server on a local socket (one
 * thread, one connection at a time, "Connection: close"). A run that
 * would hang (a user waiting forever for a request never added) is caught
 * by alarm(). */
#include "t.h"
#include "buf.h"
#include "engine.h"
#include "coord.h"
#include "lambda.h"
#include "plan.h"
#include "result.h"
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- the fault: site fails on its nth call (1-based), or on every call
 * from the nth on when every is set. */
static const char *f_site;
static int f_nth, f_every, f_calls;

static int fault(const char *site)
{
    if (!f_site || strcmp(site, f_site) != 0) return 0;
    f_calls++;
    return f_every ? f_calls >= f_nth : f_calls == f_nth;
}

static void arm(const char *site, int nth, int every)
{
    f_site = site;
    f_nth = nth;
    f_every = every;
    f_calls = 0;
    xfault = fault;
}

static void disarm(void)
{
    xfault = NULL;
    f_site = NULL;
}

/* ---- the server: answers 200 to every request, then closes. */
static int srv_fd, srv_port;
static long srv_requests;

static void *serve(void *arg)
{
    (void)arg;
    for (;;) {
        int c = accept(srv_fd, NULL, NULL);
        if (c < 0) return NULL;
        char b[8192];
        size_t n = 0;
        ssize_t k;
        /* Headers, then any body the Content-Length announces. */
        while (n < sizeof b - 1 && (k = read(c, b + n, sizeof b - 1 - n)) > 0) {
            n += (size_t)k;
            b[n] = '\0';
            char *end = strstr(b, "\r\n\r\n");
            if (!end) continue;
            char *cl = strcasestr(b, "\r\ncontent-length:");
            size_t want = (size_t)(end + 4 - b) + (cl ? strtoul(cl + 17, NULL, 10) : 0);
            if (n >= want) break;
        }
        static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                                 "Connection: close\r\n\r\nok";
        if (write(c, ok, sizeof ok - 1) < 0) { /* the client went away */ }
        __atomic_add_fetch(&srv_requests, 1, __ATOMIC_RELAXED);
        close(c);
    }
}

static void server_start(void)
{
    srv_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(srv_fd, (struct sockaddr *)&a, len) < 0 || listen(srv_fd, 64) < 0 ||
        getsockname(srv_fd, (struct sockaddr *)&a, &len) < 0) {
        perror("test_fault: server");
        exit(1);
    }
    srv_port = ntohs(a.sin_port);
    pthread_t t;
    pthread_create(&t, NULL, serve, NULL);
    pthread_detach(t);
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char m[] = "test_fault: the run hung (a user never came back)\n";
    if (write(2, m, sizeof m - 1) < 0) { /* nothing left to do */ }
    _exit(1);
}

/* 1: fault_plan lets requests take the fast path (fast.h); 0: libcurl's
 * path, whose every failure site these runs walk. */
static int fault_fast;

/* A closed-model plan: one user, 4 iterations of one step that has a
 * query, a header and a form body (every escape and header append). */
static struct plan *fault_plan(void)
{
    char json[1024], err[512];
    snprintf(json, sizeof json,
             "{\"name\":\"f\",\"base_url\":\"http://127.0.0.1:%d\","
             "\"fast_path\":%s,"
             "\"load\":{\"users\":1,\"iterations\":4},"
             "\"scenarios\":[{\"steps\":[{\"name\":\"s\",\"method\":\"POST\","
             "\"path\":\"/x\",\"query\":{\"q\":\"a b\"},"
             "\"headers\":{\"X-T\":\"1\"},\"form\":{\"f\":\"v&w\"}}]}]}",
             srv_port, fault_fast ? "true" : "false");
    struct plan *p = plan_parse(json, "fault.json", err, sizeof err);
    if (!p) fprintf(stderr, "test_fault: %s\n", err);
    return p;
}

/* Runs the plan with site failing on its nth call; checks that exactly
 * one iteration failed, counted under want_err, and the others succeeded. */
static void run_with_fault(const char *site, int nth, const char *want_err)
{
    struct plan *p = fault_plan();
    CHECK(p != NULL);
    if (!p) return;
    struct result *r = result_new();
    engine_register_tx(p, r->stats);
    struct engine_vars vars = {0};
    engine_vars_init(&vars, p->nvars);
    struct engine_opts o = {0};
    o.threads = 1;
    long before = __atomic_load_n(&srv_requests, __ATOMIC_RELAXED);
    arm(site, nth, 0);
    alarm(20);
    struct engine_span span;
    CHECK_INT(engine_run_load(p, &vars, &o, r->stats, &span), 0);
    alarm(0);
    disarm();
    CHECK(f_calls >= nth);                    /* the site was reached */
    CHECK_INT(r->stats->iter_succeeded, 3);
    CHECK_INT(r->stats->iter_failed, 1);
    CHECK_INT(__atomic_load_n(&srv_requests, __ATOMIC_RELAXED) - before, 3);
    const struct stats_tx *tx = &r->stats->tx[0];
    CHECK_INT(tx->errors, 1);
    int found = 0;
    for (int i = 0; i < tx->nerrs; i++)
        if (strstr(tx->errs[i].key, want_err)) found = 1;
    if (!found) fprintf(stderr, "  no error key with \"%s\"\n", want_err);
    CHECK(found);
    cJSON_Delete(span.setup_errors);
    engine_vars_free(&vars);
    result_free(r);
    plan_free(p);
}

static void test_engine_add_handle(void)
{
    /* The second request: libcurl refuses it; the user must come back. */
    run_with_fault("curl_multi_add_handle", 2,
                   "not sent: curl_multi_add_handle failed");
    /* The fast path adds a handle only to connect: the first request's
     * connect fails (a transport error), the next iteration reconnects. */
    fault_fast = 1;
    run_with_fault("curl_multi_add_handle", 1, "transport");
    fault_fast = 0;
}

static void test_engine_escape(void)
{
    /* Each request escapes a query name and value and a form name and
     * value: call 5 is the second request's query name, 8 its form value. */
    run_with_fault("curl_easy_escape", 5, "not sent: curl_easy_escape failed");
    run_with_fault("curl_easy_escape", 8, "not sent: curl_easy_escape failed");
}

static void test_engine_slist(void)
{
    /* Four headers a request (X-T, User-Agent, Expect; form bodies set no
     * Content-Type of herd's): call 5 is in the second request. */
    run_with_fault("curl_slist_append", 5, "not sent: curl_slist_append failed");
}

/* ---- Lambda ------------------------------------------------------------ */

static void lambda_env(void)
{
    setenv("AWS_ACCESS_KEY_ID", "AKIDTEST", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
    setenv("AWS_REGION", "eu-west-1", 1);
}

/* coord_run with site failing from its first call on. */
static int lambda_with_fault(const char *site, struct result *r)
{
    struct plan *p = fault_plan();
    if (!p) return -2;
    struct engine_vars vars = {0};
    engine_vars_init(&vars, p->nvars);
    struct coord_opts lo = {0};
    char ep[64];
    snprintf(ep, sizeof ep, "http://127.0.0.1:%d", srv_port);
    lo.function = "herd";
    lo.endpoint = ep;
    lo.invocations = 2;
    lo.retries = 1;
    lo.quiet = 1;
    arm(site, 1, 1);
    alarm(20);
    int rc = coord_run(p, &vars, &lo, r);
    alarm(0);
    disarm();
    engine_vars_free(&vars);
    plan_free(p);
    return rc;
}

static void test_lambda_add_handle(void)
{
    /* Every Invoke call refused by libcurl: each shard is retried, then
     * fails with the reason; before, the coordinator waited forever. */
    struct result *r = result_new();
    CHECK_INT(lambda_with_fault("curl_multi_add_handle", r), 0);
    CHECK_INT(r->shards_failed, 2);
    CHECK_INT(r->shards_ok, 0);
    const cJSON *f = cJSON_GetArrayItem(r->shard_failures, 0);
    const cJSON *why = cJSON_GetObjectItemCaseSensitive(f, "reason");
    CHECK(cJSON_IsString(why) &&
          strstr(why->valuestring, "not sent: curl_multi_add_handle") != NULL);
    result_free(r);
}

static void test_lambda_init(void)
{
    static const char *const sites[] = {"curl_multi_init", "curl_easy_init",
                                        "curl_slist_append"};
    for (size_t i = 0; i < sizeof sites / sizeof *sites; i++) {
        struct result *r = result_new();
        CHECK_INT(lambda_with_fault(sites[i], r), -1);
        CHECK_INT(r->shards_total, 0);        /* nothing was invoked */
        result_free(r);
    }
    struct coord_opts lo = {0};
    lo.function = "herd";
    lo.qualifier = "live";
    char err[256] = "";
    for (int nth = 1; nth <= 2; nth++) {       /* the name, the qualifier */
        arm("curl_easy_escape", nth, 0);
        CHECK_INT(coord_check(&lo, err, sizeof err), -1);
        disarm();
        CHECK(strstr(err, "cannot escape") != NULL);
    }
    CHECK_INT(coord_check(&lo, err, sizeof err), 0);
}

static void test_runtime_init(void)
{
    setenv("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:1", 1);
    arm("curl_easy_init", 1, 1);
    CHECK_INT(lambda_runtime_main(), 70);
    disarm();
    unsetenv("AWS_LAMBDA_RUNTIME_API");
}

/* ---- cJSON printing ------------------------------------------------------ */

static void test_json_print(void)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "a", 1);
    char *s = xjson_print(o, 0);
    CHECK_STR(s, "{\"a\":1}");
    cJSON_free(s);
    /* Out of memory: one line and abort, as xmalloc does (never NULL). */
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", 1);
        if (devnull >= 0) dup2(devnull, 2);
        arm("cJSON_Print", 1, 1);
        char *t = xjson_print(o, 1);
        _exit(t ? 0 : 3);                     /* 3: NULL came back */
    }
    int st = 0;
    waitpid(pid, &st, 0);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
    cJSON_Delete(o);
}

int main(void)
{
    engine_global_init();
    signal(SIGALRM, on_alarm);
    lambda_env();
    server_start();
    T_RUN(test_engine_add_handle);
    T_RUN(test_engine_escape);
    T_RUN(test_engine_slist);
    T_RUN(test_lambda_add_handle);
    T_RUN(test_lambda_init);
    T_RUN(test_runtime_init);
    T_RUN(test_json_print);
    return T_DONE();
}
