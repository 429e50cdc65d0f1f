/* rtstream.c — the runtime's streaming POST; see rtstream.h. */
#include "rtstream.h"
#include "buf.h"
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* How often the read callback looks for new journal lines: the records
 * come once a second, so 50 ms adds at most that to what the coordinator
 * sees. */
#define RTS_POLL_NS 50000000L

struct rts {
    pthread_t tid;
    CURL *c;
    struct curl_slist *hl;
    int fd;                      /* the journal, read side */
    struct buf pend;             /* read from the journal, not yet sent */
    size_t sent;                 /* of pend */
    int header_skipped;
    atomic_int done;             /* the load ended: final/etype are set */
    char *final;                 /* the last line, with its newline */
    size_t final_sent;
    char *etype, *ebody;         /* trailers, or NULL */
    long status;
};

static size_t discard(char *d, size_t s, size_t n, void *arg)
{
    (void)d; (void)arg;
    return s * n;
}

/* Moves what the journal has gained into pend, dropping its header line.
 * Returns the bytes read. */
static ssize_t pull(struct rts *s)
{
    char tmp[65536];
    ssize_t n = read(s->fd, tmp, sizeof tmp);
    if (n <= 0) return 0;
    buf_append(&s->pend, tmp, (size_t)n);
    if (!s->header_skipped) {
        char *nl = memchr(s->pend.p, '\n', s->pend.len);
        if (nl) {
            size_t cut = (size_t)(nl + 1 - s->pend.p);
            memmove(s->pend.p, nl + 1, s->pend.len - cut);
            s->pend.len -= cut;
            s->pend.p[s->pend.len] = '\0';
            s->header_skipped = 1;
        }
    }
    return n;
}

/* libcurl's read callback: whole journal lines as they come, then the
 * final result, then the end of the body. */
static size_t on_read(char *dst, size_t size, size_t nitems, void *arg)
{
    struct rts *s = arg;
    size_t cap = size * nitems;
    for (;;) {
        if (s->header_skipped && s->sent < s->pend.len) {
            /* Only whole lines: a record being written is left for later. */
            const char *base = s->pend.p + s->sent;
            const char *last = memrchr(base, '\n', s->pend.len - s->sent);
            if (last) {
                size_t n = (size_t)(last + 1 - base);
                if (n > cap) n = cap;
                memcpy(dst, base, n);
                s->sent += n;
                if (s->sent == s->pend.len) {
                    buf_reset(&s->pend);
                    s->sent = 0;
                }
                return n;
            }
        }
        int done = atomic_load(&s->done);
        if (pull(s) > 0) continue;
        if (done) break;
        struct timespec ts = {0, RTS_POLL_NS};
        nanosleep(&ts, NULL);
    }
    size_t left = s->final ? strlen(s->final) - s->final_sent : 0;
    if (left > cap) left = cap;
    if (left) memcpy(dst, s->final + s->final_sent, left);
    s->final_sent += left;
    return left;
}

static int on_trailers(struct curl_slist **list, void *arg)
{
    struct rts *s = arg;
    if (!s->etype) return CURL_TRAILERFUNC_OK;
    struct buf t = {0};
    buf_printf(&t, "Lambda-Runtime-Function-Error-Type: %s", s->etype);
    struct curl_slist *l = curl_slist_append(*list, buf_str(&t));
    buf_reset(&t);
    buf_printf(&t, "Lambda-Runtime-Function-Error-Body: %s", s->ebody);
    if (l) l = curl_slist_append(l, buf_str(&t));
    buf_free(&t);
    if (!l) return CURL_TRAILERFUNC_ABORT;
    *list = l;
    return CURL_TRAILERFUNC_OK;
}

static void *post_main(void *arg)
{
    struct rts *s = arg;
    long status = -1;
    if (curl_easy_perform(s->c) == CURLE_OK)
        curl_easy_getinfo(s->c, CURLINFO_RESPONSE_CODE, &status);
    s->status = status;
    return NULL;
}

static void rts_free(struct rts *s)
{
    if (s->c) curl_easy_cleanup(s->c);
    curl_slist_free_all(s->hl);
    if (s->fd >= 0) close(s->fd);
    buf_free(&s->pend);
    free(s->final);
    free(s->etype);
    free(s->ebody);
    free(s);
}

struct rts *rts_start(const char *url, const char *journal_path)
{
    struct rts *s = xcalloc(1, sizeof *s);
    s->fd = open(journal_path, O_RDONLY | O_CLOEXEC);
    s->c = xfail("curl_easy_init") ? NULL : curl_easy_init();
    static const char *const hdrs[] = {
        "Lambda-Runtime-Function-Response-Mode: streaming",
        "Transfer-Encoding: chunked",
        "Content-Type: application/x-ndjson",
        "Trailer: Lambda-Runtime-Function-Error-Type, "
        "Lambda-Runtime-Function-Error-Body",
        "Expect:"};
    size_t nh = 0;
    for (; nh < sizeof hdrs / sizeof *hdrs && s->c; nh++) {
        struct curl_slist *l = xfail("curl_slist_append") ? NULL :
                               curl_slist_append(s->hl, hdrs[nh]);
        if (!l) break;
        s->hl = l;
    }
    if (s->fd < 0 || !s->c || nh < sizeof hdrs / sizeof *hdrs) {
        rts_free(s);
        return NULL;
    }
    curl_easy_setopt(s->c, CURLOPT_URL, url);
    curl_easy_setopt(s->c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(s->c, CURLOPT_POST, 1L);
    curl_easy_setopt(s->c, CURLOPT_HTTPHEADER, s->hl);
    curl_easy_setopt(s->c, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(s->c, CURLOPT_READDATA, s);
    curl_easy_setopt(s->c, CURLOPT_TRAILERFUNCTION, on_trailers);
    curl_easy_setopt(s->c, CURLOPT_TRAILERDATA, s);
    curl_easy_setopt(s->c, CURLOPT_WRITEFUNCTION, discard);
    if (pthread_create(&s->tid, NULL, post_main, s) != 0) {
        rts_free(s);
        return NULL;
    }
    return s;
}

static char *base64(const char *in)
{
    static const char a[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(in);
    const unsigned char *p = (const unsigned char *)in;
    struct buf b = {0};
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        buf_putc(&b, a[v >> 18 & 63]);
        buf_putc(&b, a[v >> 12 & 63]);
        buf_putc(&b, i + 1 < n ? a[v >> 6 & 63] : '=');
        buf_putc(&b, i + 2 < n ? a[v & 63] : '=');
    }
    return buf_steal(&b);
}

long rts_finish(struct rts *s, const char *json, const char *etype,
                const char *message)
{
    if (json) {
        struct buf f = {0};
        buf_printf(&f, "%s\n", json);
        s->final = buf_steal(&f);
    }
    if (etype) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "errorType", etype);
        cJSON_AddStringToObject(e, "errorMessage", message ? message : "");
        char *text = xjson_print(e, 0);
        cJSON_Delete(e);
        s->ebody = base64(text);
        cJSON_free(text);
        s->etype = xstrdup(etype);
    }
    atomic_store(&s->done, 1);
    pthread_join(s->tid, NULL);
    long status = s->status;
    rts_free(s);
    return status;
}
