/* init.c — `herd init`; see init.h. */
#include "init.h"
#include "buf.h"
#include "exitcode.h"
#include "plan.h"
#include "units.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Asks one question on the terminal; returns the answer or the default. */
static void ask(const char *q, const char *def, char *out, size_t n)
{
    fprintf(stderr, "%s [%s]: ", q, def);
    fflush(stderr);
    if (!fgets(out, (int)n, stdin)) out[0] = '\0';
    out[strcspn(out, "\r\n")] = '\0';
    if (!out[0]) snprintf(out, n, "%s", def);
}

/* The flag's value if given, else the answer on a terminal, else def. */
static void answer(const char *flag, int tty, const char *q, const char *def,
                   char *out, size_t n)
{
    if (flag) snprintf(out, n, "%s", flag);
    else if (tty) ask(q, def, out, n);
    else snprintf(out, n, "%s", def);
}

/* The starter plan's text (caller frees): out names the file in its
 * comment; name and url are JSON-quoted here. */
static char *starter_plan(const char *out, const char *name, const char *url,
                          long long nu, const char *a_dur, int celery)
{
    cJSON *jn = cJSON_CreateString(name), *ju = cJSON_CreateString(url);
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
"    \"users\": %lld,\n"
"    \"spawn_rate\": %lld,\n"
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
    return buf_steal(&b);
}

int init_main(const struct init_args *a)
{
    const char *out = a->out;
    if (!a->force && access(out, F_OK) == 0) {
        fprintf(stderr, "herd: %s exists; pick another -o or pass --force\n",
                out);
        return EXIT_USAGE;
    }
    char a_name[128], a_url[512], a_users[32], a_dur[32], a_tpl[32];
    int tty = isatty(0);
    answer(a->name, tty, "Plan name", "my-service", a_name, sizeof a_name);
    answer(a->url, tty, "Base URL of the server", "http://localhost:8000",
           a_url, sizeof a_url);
    answer(a->users, tty, "Virtual users", "10", a_users, sizeof a_users);
    answer(a->duration, tty, "Duration (e.g. 30s, 5m)", "1m", a_dur,
           sizeof a_dur);
    /* Asked last, so answers piped in the old order still fit. */
    answer(a->template, tty, "Template: browse (one GET) or celery (POST a "
           "job, poll until SUCCESS)", "browse", a_tpl, sizeof a_tpl);
    int celery = !strcmp(a_tpl, "celery");
    if (!celery && strcmp(a_tpl, "browse")) {
        fprintf(stderr, "herd: --template: expected browse or celery\n");
        return EXIT_USAGE;
    }
    long long nu;
    int64_t d;
    if (units_parse_count(a_users, 1, PLAN_MAX_USERS, &nu) < 0 ||
        units_parse_duration(a_dur, &d) < 0 || d <= 0) {
        fprintf(stderr, "herd: users must be a whole number >= 1 and the "
                "duration like \"30s\" or \"5m\"\n");
        return EXIT_USAGE;
    }
    char *text = starter_plan(out, a_name, a_url, nu, a_dur, celery);
    char err[1024];
    struct plan *p = plan_parse(text, out, err, sizeof err);
    if (!p) {
        fprintf(stderr, "herd: the starter plan would be invalid: %s\n", err);
        free(text);
        return EXIT_USAGE;
    }
    plan_free(p);
    FILE *f = fopen(out, "w");
    int rc = f && fputs(text, f) >= 0 ? EXIT_OK : EXIT_IO;
    if (f && fclose(f) != 0) rc = EXIT_IO;
    free(text);
    if (rc != EXIT_OK) {
        fprintf(stderr, "herd: %s: %s\n", out, strerror(errno));
        return rc;
    }
    fprintf(stderr, "wrote %s; try it: herd run %s --debug\n", out, out);
    return EXIT_OK;
}
