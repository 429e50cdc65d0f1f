/* mkresult — test tool: builds a herd result from samples on stdin, so a
 * test knows every sample behind the numbers and can check them with an
 * independent calculation.
 *
 *   mkresult PLAN RUN_ID START_UNIX_MS DURATION_MS USERS > result.json
 * stdin, one sample per line:
 *   request NAME LATENCY_US STATUS      (status >= 400 counts as an error)
 *   flow NAME LATENCY_US
 */
#include "result.h"
#include "buf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: mkresult PLAN RUN_ID START_MS DURATION_MS USERS\n");
        return 2;
    }
    struct result *r = result_new();
    r->plan_name = xstrdup(argv[1]);
    r->run_id = xstrdup(argv[2]);
    r->mode = xstrdup("local");
    r->started_unix_ms = atoll(argv[3]);
    r->finished_unix_ms = r->started_unix_ms + atoll(argv[4]);
    r->shards_total = r->shards_ok = 1;
    r->settings = cJSON_CreateObject();
    cJSON_AddNumberToObject(r->settings, "users", atoi(argv[5]));
    char kind[16], name[128];
    long long lat;
    int status = 0;
    char line[512];
    int64_t t = r->started_unix_ms / 1000;
    while (fgets(line, sizeof line, stdin)) {
        int n = sscanf(line, "%15s %127s %lld %d", kind, name, &lat, &status);
        if (n < 3) continue;
        int flow = strcmp(kind, "flow") == 0;
        int tx = stats_tx_index(r->stats, name, flow ? STATS_FLOW : STATS_REQUEST);
        int code = flow ? 200 : status;
        stats_record(r->stats, tx, lat, lat, code,
                     code >= 400 ? ERR_STATUS : ERR_NONE, NULL, t);
        if (flow || !strcmp(name, "assign")) {
            r->stats->iter_started += !flow;
            r->stats->iter_succeeded += !flow;
        }
    }
    char *json = result_to_json(r);
    puts(json);
    free(json);
    result_free(r);
    return 0;
}
