/* journal.c — the run journal: see journal.h. */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "buf.h"

static int write_line(int fd, const char *json)
{
    return journal_append_line(fd, json, strlen(json));
}

int journal_append_line(int fd, const char *json, size_t len)
{
    /* One write for the record and its newline: appends stay whole. */
    char *line = xmalloc(len + 1);
    memcpy(line, json, len);
    line[len] = '\n';
    size_t off = 0;
    int rc = 0;
    while (off < len + 1) {
        ssize_t n = write(fd, line + off, len + 1 - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            rc = -1;
            break;
        }
        off += (size_t)n;
    }
    free(line);
    return rc;
}

int journal_open(const char *path, const struct result *r)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return -1;
    char *json = result_to_json_line(r);
    int rc = write_line(fd, json);
    free(json);
    if (rc < 0) {
        int saved = errno;
        close(fd);
        unlink(path);
        errno = saved;
        return -1;
    }
    return fd;
}

int journal_append(int fd, const struct stats *s, int64_t from_ms, int64_t to_ms)
{
    /* A delta is a result with no metadata and no shard of its own: merged
     * into the header it adds counts only. */
    struct result d = {0};
    d.stats = (struct stats *)s;
    d.started_unix_ms = from_ms;
    d.finished_unix_ms = to_ms;
    cJSON *empty = cJSON_CreateArray();
    d.shard_failures = d.setup_errors = d.thresholds = empty;
    char *json = result_to_json_line(&d);
    cJSON_Delete(empty);
    int rc = write_line(fd, json);
    free(json);
    return rc;
}

struct result *journal_recover(const char *path, int *records, int *torn,
                               char *err, size_t errlen)
{
    *records = *torn = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot read: %s", strerror(errno));
        return NULL;
    }
    struct result *all = NULL;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int lineno = 0;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (n > 0 && line[n - 1] == '\n') line[n - 1] = '\0';
        else if (all) { (*torn)++; continue; }   /* cut off by the kill */
        char why[256];
        struct result *r = result_from_json(line, why, sizeof why);
        if (!all) {
            if (!r || !r->run_id) {
                snprintf(err, errlen, "line 1: not a herd journal header%s%s",
                         r ? "" : ": ", r ? "" : why);
                result_free(r);
                break;
            }
            all = r;
            continue;
        }
        if (!r) { (*torn)++; continue; }
        if (result_merge(all, r) < 0) {
            snprintf(err, errlen, "line %d: histogram layouts differ", lineno);
            result_free(r);
            result_free(all);
            all = NULL;
            break;
        }
        result_free(r);
        (*records)++;
    }
    if (!all && lineno == 0) snprintf(err, errlen, "empty: not a herd journal");
    if (!all && ferror(f)) snprintf(err, errlen, "cannot read: I/O error");
    free(line);
    fclose(f);
    if (all) {
        /* Iterations in flight at the kill never finished: interrupted. */
        struct stats *s = all->stats;
        int64_t open = s->iter_started - s->iter_succeeded - s->iter_failed -
                       s->iter_interrupted;
        if (open > 0) s->iter_interrupted += open;
        all->interrupted = 1;
    }
    return all;
}
