/* test_plan.c — plan parsing, validation messages, ${ENV}, templates'
 * references, data pools, load models and overrides. */
#include "t.h"
#include "plan.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A directory of this process's own (mkdtemp in main, removed at the end):
 * concurrent runs of this test do not share files. */
static char tmpdir[] = "/tmp/herd-test-plan.XXXXXX";

/* tmpdir/rel in a static buffer of its own per slot (0-3). */
static const char *tpath(int slot, const char *rel)
{
    static char b[4][512];
    snprintf(b[slot], sizeof b[slot], "%s/%s", tmpdir, rel);
    return b[slot];
}

/* Runs a shell command after replacing every @ with tmpdir. */
static void sh(const char *cmd)
{
    char b[2048];
    size_t n = 0;
    for (const char *c = cmd; *c && n + strlen(tmpdir) + 1 < sizeof b; c++) {
        if (*c == '@') { memcpy(b + n, tmpdir, strlen(tmpdir)); n += strlen(tmpdir); }
        else b[n++] = *c;
    }
    b[n] = '\0';
    (void)!system(b);
}

static char err[1024];

static struct plan *parse(const char *json)
{
    err[0] = '\0';
    return plan_parse(json, "plan.json", err, sizeof err);
}

/* Expects json to be refused with a message starting with want. */
static void refused(const char *json, const char *want)
{
    struct plan *p = parse(json);
    CHECK(p == NULL);
    if (strncmp(err, want, strlen(want)) != 0) {
        t_fail++;
        fprintf(stderr, "message \"%s\"\n  does not start with \"%s\"\n", err,
                want);
    } else {
        t_pass++;
    }
    plan_free(p);
}

#define HEAD "{\"name\":\"t\",\"base_url\":\"http://127.0.0.1:1\","
#define LOAD "\"load\":{\"users\":2,\"duration\":\"1s\"},"

static void test_minimal(void)
{
    struct plan *p = parse(HEAD LOAD "\"scenarios\":[{\"steps\":[{\"method\":"
                           "\"GET\",\"path\":\"/\"}]}]}");
    CHECK(p != NULL);
    if (!p) { fprintf(stderr, "%s\n", err); return; }
    CHECK_STR(p->name, "t");
    CHECK_INT(p->nscenarios, 1);
    CHECK_INT(p->scenarios[0].weight, 1);
    CHECK_STR(p->scenarios[0].steps[0].name, "GET /");
    CHECK_INT(p->timeout_us, 30000000);       /* default 30 s */
    CHECK_INT(p->insecure, 0);                /* TLS verified by default */
    CHECK_INT(p->load.users, 2);
    CHECK_INT(p->load.duration_us, 1000000);
    CHECK_INT(p->ntx, 1);
    CHECK_STR(tmpl_source(p->scenarios[0].steps[0].req.url),
              "http://127.0.0.1:1/");
    plan_free(p);
}

static void test_brief_plan(void)
{
    setenv("T_USER", "admin", 1);
    setenv("T_PASS", "s3cret-pass", 1);
    struct plan *p = parse(
      "{\"name\":\"assign-container\",\"base_url\":\"http://127.0.0.1:9\","
      "\"headers\":{\"Authorization\":\"Bearer {{token}}\"},"
      "\"setup\":[{\"name\":\"login\",\"method\":\"POST\",\"path\":\"/admin/login\","
      " \"json\":{\"username\":\"${T_USER}\",\"password\":\"${T_PASS}\"},"
      " \"expect\":{\"status\":200},\"extract\":{\"token\":\"$.access_token\"}}],"
      "\"load\":{\"users\":200,\"spawn_rate\":20,\"duration\":\"5m\","
      " \"think\":[\"100ms\",\"200ms\"]},"
      "\"scenarios\":[{\"name\":\"assign\",\"weight\":9,\"steps\":["
      " {\"name\":\"assign container\",\"method\":\"POST\","
      "  \"path\":\"/aws_container/assign_container\","
      "  \"json\":{\"username\":\"load_test_user_{{user}}\"},"
      "  \"retry\":{\"on_status\":[503],\"every\":\"500ms\",\"max\":100},"
      "  \"expect\":{\"status\":202},\"extract\":{\"task\":\"$.ID\"}},"
      " {\"name\":\"container ready\",\"poll\":{\"method\":\"GET\","
      "  \"path\":\"/status/{{task}}\",\"every\":\"500ms\",\"timeout\":\"10m\","
      "  \"retry_on_status\":[503],\"until\":{\"$.state\":[\"SUCCESS\"]},"
      "  \"fail_on\":{\"$.state\":[\"FAILURE\",\"REVOKED\"],\"status\":[400]}}}]},"
      " {\"name\":\"health\",\"weight\":1,\"steps\":[{\"method\":\"GET\","
      "  \"path\":\"/\",\"expect\":{\"status\":200,\"contains\":\"OK\"}}]}],"
      "\"thresholds\":[\"container ready p95 < 30s\",\"http error_rate < 1%\"]}");
    CHECK(p != NULL);
    if (!p) { fprintf(stderr, "%s\n", err); return; }
    CHECK_INT(p->total_weight, 10);
    CHECK_INT(p->nsetup, 1);
    CHECK_INT(p->nthresholds, 2);
    /* ${T_USER} is shown; ${T_PASS} is a secret (its name says so). */
    CHECK_INT(p->nsecrets, 1);
    if (p->nsecrets == 1) CHECK_STR(p->secrets[0], "s3cret-pass");
    const struct plan_step *poll = &p->scenarios[0].steps[1];
    CHECK_INT(poll->kind, STEP_POLL);
    CHECK_INT(poll->every_us, 500000);
    CHECK_INT(poll->poll_timeout_us, 600000000);
    CHECK_INT(poll->nfail_status, 1);
    CHECK_INT(poll->fail_status[0], 400);
    CHECK_INT(poll->nfail_on, 1);
    CHECK_INT(poll->fail_on[0].nvalues, 2);
    CHECK_STR(p->tx_names[poll->flow_tx], "container ready");
    CHECK_INT(p->tx_kinds[poll->flow_tx], STATS_FLOW);
    CHECK_STR(p->tx_names[poll->req.tx], "container ready poll");
    const struct plan_step *assign = &p->scenarios[0].steps[0];
    CHECK_INT(assign->req.retry_max, 100);
    CHECK_INT(assign->req.nheaders, 1);     /* default header merged in */
    CHECK_STR(assign->req.headers[0].name, "Authorization");
    CHECK_INT(p->load.think_min_us, 100000);
    CHECK_INT(p->load.think_max_us, 200000);
    CHECK(plan_var_index(p, "token") >= 0);
    CHECK(plan_var_index(p, "task") >= 0);
    /* the JSON body is a template with the env value substituted */
    CHECK(strstr(tmpl_source(p->setup[0].req.body), "s3cret-pass") != NULL);
    plan_free(p);
}

static void test_errors(void)
{
    refused("{", "plan.json: (JSON): not valid JSON");
    refused(HEAD LOAD "\"scenarios\":[], \"extra\":1}",
            "plan.json: extra: unknown key");
    refused(HEAD LOAD "\"scenarios\":[]}", "plan.json: scenarios: required");
    refused(HEAD LOAD "\"scenarios\":[{\"steps\":[{\"method\":\"GET\","
            "\"path\":\"/\",\"expct\":{}}]}]}",
            "plan.json: scenarios[0].steps[0].expct: unknown key");
    refused(HEAD LOAD "\"scenarios\":[{\"steps\":[{\"name\":\"w\",\"poll\":{"
            "\"path\":\"/s\",\"every\":\"soon\",\"timeout\":\"1m\","
            "\"until\":{\"$.state\":\"SUCCESS\"}}}]}]}",
            "plan.json: scenarios[0].steps[0].poll.every: expected a duration");
    refused(HEAD LOAD "\"scenarios\":[{\"steps\":[{\"method\":\"GET\","
            "\"path\":\"/{{nope}}\"}]}]}",
            "plan.json: scenarios[0].steps[0].path: unknown {{nope}}");
    unsetenv("HERD_T_MISSING");
    refused(HEAD LOAD "\"headers\":{\"X\":\"${HERD_T_MISSING}\"},"
            "\"scenarios\":[{\"steps\":[{\"path\":\"/\"}]}]}",
            "plan.json: headers.X: environment variable HERD_T_MISSING is "
            "not set");
    refused(HEAD "\"load\":{\"users\":2},\"scenarios\":[{\"steps\":"
            "[{\"path\":\"/\"}]}]}", "plan.json: load: expected \"duration\"");
    refused(HEAD "\"load\":{\"users\":0,\"duration\":\"1s\"},\"scenarios\":"
            "[{\"steps\":[{\"path\":\"/\"}]}]}", "plan.json: load.users:");
    refused(HEAD LOAD "\"timeout\":\"0\",\"scenarios\":[{\"steps\":"
            "[{\"path\":\"/\"}]}]}", "plan.json: timeout: expected a positive");
    refused(HEAD LOAD "\"scenarios\":[{\"steps\":[{\"path\":\"/\","
            "\"expect\":{\"status\":999}}]}]}",
            "plan.json: scenarios[0].steps[0].expect.status: expected an HTTP");
    refused(HEAD LOAD "\"scenarios\":[{\"steps\":[{\"path\":\"/\"}]}],"
            "\"thresholds\":[\"nosuch p95 < 1s\"]}",
            "plan.json: thresholds[0]: no transaction named \"nosuch\"");
    refused(HEAD LOAD "\"scenarios\":[{\"steps\":[{\"path\":\"/\","
            "\"extract\":{\"x\":\"$.a[\"}}]}]}",
            "plan.json: scenarios[0].steps[0].extract.x: expected a JSON path");
    refused("{\"name\":\"t\"," LOAD "\"scenarios\":[{\"steps\":[{\"path\":"
            "\"/\"}]}]}", "plan.json: scenarios[0].steps[0].path: a path needs");
    refused(HEAD "\"load\":{\"rate\":5,\"users\":3,\"duration\":\"1s\"},"
            "\"scenarios\":[{\"steps\":[{\"path\":\"/\"}]}]}",
            "plan.json: load.users: the open model");
}

static void test_comments(void)
{
    unsetenv("HERD_T_NOT_SET");
    struct plan *p = parse(HEAD LOAD "\"//\": \"uses ${HERD_T_NOT_SET}\","
                           "\"scenarios\":[{\"//why\":\"x\",\"steps\":"
                           "[{\"path\":\"/\",\"// note\":1}]}]}");
    CHECK(p != NULL);
    if (!p) fprintf(stderr, "%s\n", err);
    plan_free(p);
}

static void test_templates_and_pools(void)
{
    struct plan *p = parse(HEAD LOAD
        "\"data\":{\"region\":{\"values\":[\"us-east-1\",\"eu-west-1\"],"
        "\"pick\":\"random\"}},"
        "\"scenarios\":[{\"steps\":[{\"method\":\"post\",\"path\":\"/a/{{user}}"
        "?i={{iteration}}&r={{random(1,6)}}&u={{uuid}}&z={{region}}\"}]}]}");
    CHECK(p != NULL);
    if (!p) { fprintf(stderr, "%s\n", err); return; }
    CHECK_STR(p->scenarios[0].steps[0].req.method, "POST");
    CHECK_INT(p->pools[0].nrows, 2);
    CHECK_INT(p->pools[0].pick_random, 1);
    int col;
    CHECK_INT(plan_pool_ref(p, "region", &col), 0);
    CHECK_INT(plan_pool_ref(p, "nope", &col), -1);
    plan_free(p);
    refused(HEAD LOAD "\"data\":{\"d\":{\"csv\":\"../etc/passwd\"}},"
            "\"scenarios\":[{\"steps\":[{\"path\":\"/\"}]}]}",
            "plan.json: data.d.csv: expected a file name relative");
}

static void test_csv_pool(void)
{
    const char *dir = tpath(0, "pool");
    sh("mkdir -p @/pool && printf "
       "'username,password\\nalice,\"p,1\"\\nbob,p2\\n' > @/pool/users.csv");
    char json[] = HEAD LOAD "\"data\":{\"creds\":{\"csv\":\"users.csv\"}},"
        "\"scenarios\":[{\"steps\":[{\"path\":\"/{{creds.username}}\"}]}]}";
    char file[256];
    snprintf(file, sizeof file, "%s/plan.json", dir);
    struct plan *p = plan_parse(json, file, err, sizeof err);
    CHECK(p != NULL);
    if (!p) { fprintf(stderr, "%s\n", err); return; }
    CHECK_INT(p->pools[0].ncols, 2);
    CHECK_INT(p->pools[0].nrows, 2);
    CHECK_STR(p->pools[0].cells[1], "p,1");
    int col;
    CHECK_INT(plan_pool_ref(p, "creds.password", &col), 0);
    CHECK_INT(col, 1);
    /* A Lambda shard gets the plan without its files: the CSV travels
     * inline, and parses back to the same pool anywhere. */
    CHECK(strstr(p->json, "\"csv\"") == NULL);
    struct plan *q = plan_parse(p->json, "event.plan", err, sizeof err);
    CHECK(q != NULL);
    if (q) {
        CHECK_INT(q->pools[0].ncols, 2);
        CHECK_INT(q->pools[0].nrows, 2);
        CHECK_STR(q->pools[0].cols[1], "password");
        CHECK_STR(q->pools[0].cells[1], "p,1");
        CHECK_STR(q->pools[0].cells[2], "bob");
        CHECK_STR(q->json, p->json);
    }
    plan_free(q);
    plan_free(p);
    /* Inline rows of named columns, checked like any field. */
    refused(HEAD LOAD "\"data\":{\"d\":{\"values\":[{\"a\":1,\"b\":2},"
            "{\"a\":3}]}},\"scenarios\":[{\"steps\":[{\"path\":\"/\"}]}]}",
            "plan.json: data.d.values[1]: expected an object with the keys");
    refused(HEAD LOAD "\"data\":{\"d\":{\"values\":[{\"a\":1},"
            "{\"b\":3}]}},\"scenarios\":[{\"steps\":[{\"path\":\"/\"}]}]}",
            "plan.json: data.d.values[1]: expected \"a\": a string or number");
}

/* Writes text to TMPDIR/d.csv and parses a plan with that pool; returns
 * the plan (NULL with err set when refused). */
static struct plan *csv_plan(const char *text)
{
    FILE *f = fopen(tpath(0, "d.csv"), "wb");
    if (!f) return NULL;
    fputs(text, f);
    fclose(f);
    err[0] = '\0';
    return plan_parse(HEAD LOAD "\"data\":{\"d\":{\"csv\":\"d.csv\"}},"
                      "\"scenarios\":[{\"steps\":[{\"path\":\"/{{d.a}}\"}]}]}",
                      tpath(1, "plan.json"), err, sizeof err);
}

/* RFC 4180: a quoted field may hold commas, "" for a quote and line
 * breaks; CRLF or LF ends a record; blank lines are skipped; an error
 * names the line the record starts on. */
static void test_csv_rfc4180(void)
{
    struct plan *p = csv_plan("a,b\r\n\"line 1\nline 2\",\"say \"\"hi\"\"\"\r\n"
                              "\r\n\"x,\r\ny\",\"\"\n"
                              "plain,\"\"\"\"\n"
                              "last,row");
    CHECK(p != NULL);
    if (!p) { fprintf(stderr, "%s\n", err); return; }
    CHECK_INT(p->pools[0].ncols, 2);
    CHECK_INT(p->pools[0].nrows, 4);
    CHECK_STR(p->pools[0].cols[1], "b");
    CHECK_STR(p->pools[0].cells[0], "line 1\nline 2");
    CHECK_STR(p->pools[0].cells[1], "say \"hi\"");
    CHECK_STR(p->pools[0].cells[2], "x,\r\ny");     /* kept as written */
    CHECK_STR(p->pools[0].cells[3], "");
    CHECK_STR(p->pools[0].cells[4], "plain");
    CHECK_STR(p->pools[0].cells[5], "\"");
    CHECK_STR(p->pools[0].cells[6], "last");         /* no final newline */
    CHECK_STR(p->pools[0].cells[7], "row");
    /* Inline for the shards, it parses back to the same cells. */
    struct plan *q = plan_parse(p->json, "event.plan", err, sizeof err);
    CHECK(q != NULL);
    if (q) CHECK_STR(q->pools[0].cells[0], "line 1\nline 2");
    plan_free(q);
    plan_free(p);

    p = csv_plan("a,b\n1,\"open\n2,3\n");
    CHECK(p == NULL);
    CHECK(strstr(err, "d.csv line 2: a quoted field is not closed") != NULL);
    if (!strstr(err, "line 2: a quoted field")) fprintf(stderr, "%s\n", err);
    plan_free(p);
    p = csv_plan("a,b\n\"x\ny\",2\n3\n");
    CHECK(p == NULL);
    CHECK(strstr(err, "d.csv line 4: expected 2 comma-separated fields") != NULL);
    if (!strstr(err, "line 4")) fprintf(stderr, "%s\n", err);
    plan_free(p);
    p = csv_plan("a,b\n\"x\"y,2\n");
    CHECK(p == NULL);
    CHECK(strstr(err, "d.csv line 2: expected a comma or the end of the line "
                 "after a quoted field") != NULL);
    if (!strstr(err, "after a quoted")) fprintf(stderr, "%s\n", err);
    plan_free(p);
}

/* Data files cannot leave the plan's directory: not with "..", an absolute
 * path or a symbolic link; --data-root (plan_set_data_root) widens it. */
static void test_data_root(void)
{
    sh("mkdir -p @/root/plans @/root/shared && "
       "printf 'u\\nx\\n' > @/root/shared/u.csv && "
       "printf 's\\nsecret\\n' > @/root/outside.csv && "
       "ln -s ../outside.csv @/root/plans/link.csv && "
       "ln -s @/root/shared/u.csv @/root/shared/l.csv");
    const char *file = tpath(0, "root/plans/plan.json");
#define POOL(f) HEAD LOAD "\"data\":{\"d\":{\"csv\":\"" f "\"}}," \
        "\"scenarios\":[{\"steps\":[{\"path\":\"/{{d}}\"}]}]}"
    char j1[] = POOL("link.csv"), j2[] = POOL("../shared/u.csv"),
         j4[] = POOL("../outside.csv"), j5[] = POOL("../shared/l.csv");
    char j3[1024];
    snprintf(j3, sizeof j3, POOL("%s"), tpath(1, "root/shared/u.csv"));
    struct plan *p = plan_parse(j1, file, err, sizeof err);
    CHECK(p == NULL);
    CHECK(strstr(err, "data.d.csv: link.csv leads outside the plan's "
                 "directory") != NULL);
    p = plan_parse(j2, file, err, sizeof err);
    CHECK(p == NULL);
    CHECK(strstr(err, "without \"..\" (--data-root DIR") != NULL);
    plan_set_data_root(tpath(2, "root/shared/.."));
    p = plan_parse(j2, file, err, sizeof err);
    CHECK(p != NULL);
    if (p) CHECK_STR(p->pools[0].cells[0], "x");
    plan_free(p);
    p = plan_parse(j3, file, err, sizeof err);
    CHECK(p != NULL);
    plan_free(p);
    plan_set_data_root(tpath(2, "root/shared"));
    p = plan_parse(j4, file, err, sizeof err);
    CHECK(p == NULL);
    CHECK(strstr(err, "leads outside --data-root") != NULL);
    p = plan_parse(j5, file, err, sizeof err);     /* a link inside the root */
    CHECK(p != NULL);
    plan_free(p);
    plan_set_data_root(NULL);
#undef POOL
}

static void test_load_models(void)
{
    struct plan *p = parse(HEAD "\"load\":{\"rate\":50,\"duration\":\"10s\"},"
                           "\"scenarios\":[{\"steps\":[{\"path\":\"/\"}]}]}");
    CHECK(p != NULL);
    if (!p) { fprintf(stderr, "%s\n", err); return; }
    CHECK_INT(p->load.open, 1);
    CHECK_INT(p->load.max_users, 1000);
    CHECK(plan_override(p, 0, NULL, 0, 80, err, sizeof err) == 0);
    CHECK(p->load.rate == 80);
    CHECK(plan_override(p, 0, NULL, 5, 0, err, sizeof err) < 0);
    plan_free(p);

    p = parse(HEAD "\"load\":{\"spawn_rate\":10,\"stages\":[{\"users\":50,"
              "\"duration\":\"2m\"},{\"users\":100,\"duration\":\"2m\"}]},"
              "\"scenarios\":[{\"steps\":[{\"path\":\"/\"}]}]}");
    CHECK(p != NULL);
    if (!p) { fprintf(stderr, "%s\n", err); return; }
    CHECK_INT(p->load.users, 100);
    CHECK_INT(plan_duration_us(p), 240000000);
    CHECK(plan_override(p, 0, "30s", 0, 0, err, sizeof err) == 0);
    CHECK_INT(plan_duration_us(p), 30000000);
    CHECK(plan_override(p, 0, "later", 0, 0, err, sizeof err) < 0);
    /* The effective load round-trips through plan-file syntax (what a
     * Lambda shard parses). */
    CHECK(plan_override(p, 7, NULL, 0, 0, err, sizeof err) == 0);
    cJSON *lj = plan_load_json(p);
    char *lt = cJSON_PrintUnformatted(lj);
    char doc[1024];
    snprintf(doc, sizeof doc, HEAD "\"load\":%s,\"scenarios\":[{\"steps\":"
             "[{\"path\":\"/\"}]}]}", lt);
    struct plan *q = parse(doc);
    CHECK(q != NULL);
    if (q) {
        CHECK_INT(q->load.users, 7);
        CHECK_INT(plan_duration_us(q), 30000000);
        CHECK(q->load.spawn_rate == 10);
        CHECK_INT(q->load.graceful_stop_us, p->load.graceful_stop_us);
    }
    plan_free(q);
    cJSON_free(lt);
    cJSON_Delete(lj);
    CHECK(plan_override(p, 0, NULL, 0, 5, err, sizeof err) < 0);
    plan_free(p);
}

/* ---- first-use papercuts: units in thresholds, methods, secrets ------- */

static void test_threshold_units(void)
{
    const char *ok[] = {"http p95 < 1 second", "http p95 < 1s",
        "http p95 < 500 ms", "http p99 <= 2 seconds", "http max < 1.5sec",
        "http mean < 250 milliseconds", "http error_rate < 1 %"};
    double want[] = {1e6, 1e6, 5e5, 2e6, 1.5e6, 2.5e5, 0.01};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char json[512];
        snprintf(json, sizeof json, HEAD LOAD "\"scenarios\":[{\"steps\":"
                 "[{\"path\":\"/\"}]}],\"thresholds\":[\"%s\"]}", ok[i]);
        struct plan *p = parse(json);
        CHECK(p != NULL);
        if (!p) { fprintf(stderr, "%s: %s\n", ok[i], err); continue; }
        CHECK(p->thresholds[0].value > want[i] * 0.999 &&
              p->thresholds[0].value < want[i] * 1.001);
        plan_free(p);
    }
    refused(HEAD LOAD "\"scenarios\":[{\"steps\":[{\"path\":\"/\"}]}],"
            "\"thresholds\":[\"http p95 < 1 fortnight\"]}",
            "plan.json: thresholds[0]: \"1 fortnight\": expected a duration "
            "like \"500ms\"");
}

static void test_methods(void)
{
    refused(HEAD LOAD "\"scenarios\":[{\"steps\":[{\"path\":\"/\"},"
            "{\"method\":\"PSOT\",\"path\":\"/\"}]}]}",
            "plan.json: scenarios[0].steps[1].method: expected GET, POST, PUT, "
            "PATCH, DELETE, HEAD or OPTIONS");
    refused(HEAD LOAD "\"scenarios\":[{\"steps\":[{\"name\":\"w\",\"poll\":"
            "{\"method\":\"GOT\",\"path\":\"/s\",\"every\":\"1s\","
            "\"timeout\":\"1m\",\"until\":{\"$.state\":\"SUCCESS\"}}}]}]}",
            "plan.json: scenarios[0].steps[0].poll.method: expected GET");
    const char *ms[] = {"get", "POST", "put", "PATCH", "DELETE", "head",
                        "OPTIONS"};
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) {
        char json[512];
        snprintf(json, sizeof json, HEAD LOAD "\"scenarios\":[{\"steps\":"
                 "[{\"method\":\"%s\",\"path\":\"/\"}]}]}", ms[i]);
        struct plan *p = parse(json);
        CHECK(p != NULL);
        plan_free(p);
    }
}

/* Only secret-named ${ENV} values and those under "secrets" are masked. */
static void test_secrets(void)
{
    setenv("HERD_T_TARGET_URL", "http://10.1.2.3:8080", 1);
    setenv("HERD_T_API_TOKEN", "tok-123456", 1);
    setenv("HERD_T_TENANT", "acme-corp", 1);
    struct plan *p = parse("{\"name\":\"t\",\"base_url\":"
        "\"${HERD_T_TARGET_URL}\"," LOAD "\"secrets\":[\"HERD_T_TENANT\"],"
        "\"headers\":{\"X-Token\":\"${HERD_T_API_TOKEN}\",\"X-Tenant\":"
        "\"${HERD_T_TENANT}\"},\"scenarios\":[{\"steps\":[{\"path\":"
        "\"/\"}]}]}");
    CHECK(p != NULL);
    if (!p) { fprintf(stderr, "%s\n", err); return; }
    int url = 0, tok = 0, tenant = 0;
    for (int i = 0; i < p->nsecrets; i++) {
        url |= strstr(p->secrets[i], "10.1.2.3") != NULL;
        tok |= !strcmp(p->secrets[i], "tok-123456");
        tenant |= !strcmp(p->secrets[i], "acme-corp");
    }
    CHECK(!url);
    CHECK(tok);
    CHECK(tenant);
    plan_free(p);
    refused(HEAD LOAD "\"secrets\":[\"${X}\"],\"scenarios\":[{\"steps\":"
            "[{\"path\":\"/\"}]}]}", "plan.json: secrets[0]: expected an "
            "environment variable name");
    refused(HEAD LOAD "\"secrets\":\"X\",\"scenarios\":[{\"steps\":"
            "[{\"path\":\"/\"}]}]}", "plan.json: secrets: expected a list");
}


/* The weekly job's keys: on_start, warmup, choose and ${NAME:-default}. */
#define SC "\"scenarios\":[{\"steps\":[{\"name\":\"a\",\"method\":\"GET\",\"path\":\"/{{td}}\"}]}]"
static void test_weekly_keys(void)
{
    unsetenv("T_TD");
    struct plan *p = parse(HEAD LOAD
        "\"choose\":{\"// td\":\"a comment\",\"td\":{\"value\":\"${T_TD:-}\","
        "\"contains\":[[\"dev\",\"d\"],[\"127.0.0.1\",\"local\"]],\"default\":\"s\"}},"
        "\"on_start\":[{\"name\":\"register\",\"method\":\"POST\",\"path\":\"/r\","
        "\"json\":{\"u\":\"u{{user}}\"},\"expect\":{\"status\":[200,409]},"
        "\"extract\":{\"utok\":\"$.t\"}}],"
        "\"warmup\":{\"users\":2,\"duration\":\"3s\"}," SC "}");
    CHECK(p != NULL);
    if (!p) { fprintf(stderr, "%s\n", err); return; }
    CHECK_INT(p->non_start, 1);
    CHECK_STR(p->on_start[0].name, "register");
    CHECK_INT(p->on_start[0].req.nexpect_status, 2);
    CHECK_INT(p->warmup_users, 2);
    CHECK_INT(p->warmup_duration_us, 3000000);
    int col;
    int pool = plan_pool_ref(p, "td", &col);
    CHECK(pool >= 0);
    if (pool >= 0) CHECK_STR(p->pools[pool].cells[0], "local");  /* from base_url */
    CHECK(plan_var_index(p, "utok") >= 0);
    plan_free(p);
    /* The override wins; "from" replaces base_url; no rule: the default. */
    setenv("T_TD", "mine", 1);
    p = parse(HEAD LOAD "\"choose\":{\"td\":{\"value\":\"${T_TD:-}\","
              "\"contains\":[[\"dev\",\"d\"]],\"default\":\"s\"}}," SC "}");
    CHECK(p && !strcmp(p->pools[plan_pool_ref(p, "td", &col)].cells[0], "mine"));
    plan_free(p);
    unsetenv("T_TD");
    p = parse(HEAD LOAD "\"choose\":{\"td\":{\"from\":\"https://x-dev.example\","
              "\"contains\":[[\"dev\",\"d\"]],\"default\":\"s\"}}," SC "}");
    CHECK(p && !strcmp(p->pools[plan_pool_ref(p, "td", &col)].cells[0], "d"));
    plan_free(p);
    p = parse(HEAD LOAD "\"choose\":{\"td\":{\"contains\":[[\"prod\",\"p\"]],"
              "\"default\":\"s\"}}," SC "}");
    CHECK(p && !strcmp(p->pools[plan_pool_ref(p, "td", &col)].cells[0], "s"));
    plan_free(p);
    /* ${NAME:-default}: the default when unset or empty, else the value. */
    setenv("T_EMPTY", "", 1);
    p = parse("{\"name\":\"${T_NOPE:-n1}${T_EMPTY:-n2}\",\"base_url\":\"http://127.0.0.1:1\","
              LOAD "\"scenarios\":[{\"steps\":[{\"method\":\"GET\",\"path\":\"/\"}]}]}");
    CHECK(p && !strcmp(p->name, "n1n2"));
    plan_free(p);
    /* Errors: one line naming the field. */
    refused(HEAD LOAD "\"warmup\":{\"users\":0,\"duration\":\"1s\"}," SC "}",
            "plan.json: warmup.users:");
    refused(HEAD LOAD "\"warmup\":{\"users\":1}," SC "}",
            "plan.json: warmup.duration:");
    refused(HEAD LOAD "\"warmup\":{\"users\":1,\"duration\":\"1s\",\"x\":1}," SC "}",
            "plan.json: warmup.x: unknown key");
    refused(HEAD LOAD "\"choose\":{\"td\":{\"contains\":[[\"a\"]],\"default\":\"s\"}}," SC "}",
            "plan.json: choose.td.contains[0]: expected [\"needle\", \"value\"]");
    refused(HEAD LOAD "\"choose\":{\"td\":{\"contains\":[]}}," SC "}",
            "plan.json: choose.td.default:");
    refused(HEAD LOAD "\"on_start\":[{\"think\":\"1s\"}]," SC "}",
            "plan.json: on_start[0]: think steps belong in scenarios");
    refused(HEAD LOAD "\"on_start\":[{\"name\":\"reg\",\"method\":\"GET\",\"path\":\"/\"}],"
            "\"thresholds\":[\"reg p95 < 1s\"]," SC "}",
            "plan.json: thresholds[0]: no transaction named \"reg\" in the scenarios");
    refused("{\"name\":\"${T_NOPE:-}\",\"base_url\":\"${T_NOPE}\"," LOAD SC "}",
            "plan.json: base_url: environment variable T_NOPE is not set");
}

int main(void)
{
    if (!mkdtemp(tmpdir)) { perror("mkdtemp"); return 1; }
    T_RUN(test_minimal);
    T_RUN(test_brief_plan);
    T_RUN(test_errors);
    T_RUN(test_comments);
    T_RUN(test_templates_and_pools);
    T_RUN(test_csv_pool);
    T_RUN(test_csv_rfc4180);
    T_RUN(test_data_root);
    T_RUN(test_load_models);
    T_RUN(test_threshold_units);
    T_RUN(test_methods);
    T_RUN(test_secrets);
    T_RUN(test_weekly_keys);
    sh("rm -rf @");
    return T_DONE();
}
