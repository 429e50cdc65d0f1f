/* fast.c — the HTTP/1.1 fast path (see fast.h).
 *
 * One connection per user, one request at a time:
 *
 *   fast_send --(no connection or another host)--> connect (libcurl)
 *       |                                             | fast_connected
 *       +--(kept-alive connection)--> write --------<-+
 *                                       | curl_easy_send until all written
 *                                     read: curl_easy_recv -> h1_feed
 *                                       | framed, failed or timed out
 *                                     finish -> done(arg, rc, status)
 *
 * What libcurl 7.88 taught (the README has the whole list): removing a
 * CONNECT_ONLY handle from its multi handle closes the connection, so the
 * handle stays added while the connection lives; libcurl keeps such a
 * connection in its cache as idle and prunes idle connections older than
 * CURLOPT_MAXAGE_CONN when another connect runs on that multi handle, so
 * the connect handles get an age limit of a year and a multi handle of
 * their own; and if libcurl closes the socket anyway (its dead-connection
 * check saw the server's FIN), our close callback hears it before the fd
 * number can be reused. A send after the peer closed still succeeds: a
 * close is only seen on the read side, and a request that got no byte on
 * a reused connection is sent once more on a new one, as libcurl does. */
#include "fast.h"
#include "h1.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Bytes per curl_easy_recv. A shorter read means the socket is drained
 * (plain TCP): the call that would return CURLE_AGAIN is saved. */
#define FAST_RECV        16384
#define FAST_MAX_HEADERS 64
/* libcurl's idle-age limit for the connect handles, seconds: herd uses
 * the connection however long libcurl thinks it idles. */
#define FAST_MAXAGE_S    (365L * 24 * 3600)

enum fstate { F_IDLE, F_CONNECTING, F_SENDING, F_READING };

struct fast {
    struct loop *l;
    CURLM *multi;
    CURL *easy;
    fast_done_fn done;
    void *arg;
    int in_multi;                 /* the connect handle is added */
    int fd;                       /* -1: no connection */
    struct buf authority;         /* scheme://host[:port] of the connection */
    int tls;                      /* ... and it is https */
    struct buf tmp;
    enum fstate st;
    struct buf out;               /* the request bytes */
    const void *key;              /* out is the request of this key */
    struct buf req_auth;          /* scheme://host[:port] it goes to */
    size_t off;                   /* ... written so far */
    struct h1 h;
    int reused;                   /* the connection served a request before */
    int retried;
    int lost;                     /* libcurl closed the socket under us */
    int pending;                  /* pend waits for the timer (due now) */
    CURLcode pend;
    int watch_write;
    int *resp_cut;
    struct loop_timer timer;      /* the timeout; also the async results */
    int64_t deadline_us;          /* the request's timeout; 0: none */
    int64_t t_start, t_ready, t_first;
    struct fast_times times;
};

static void on_io(void *arg, int fd, int events);

/* Length of "http://" or "https://" at the start of url, else 0. */
static size_t scheme_len(const char *url)
{
    return strncasecmp(url, "http://", 7) == 0 ? 7 :
           strncasecmp(url, "https://", 8) == 0 ? 8 : 0;
}

int fast_url_ok(const char *url)
{
    size_t sl = scheme_len(url);
    if (!sl) return 0;
    const char *a = url + sl, *e = a + strcspn(a, "/?#");
    if (e == a || memchr(a, '@', (size_t)(e - a))) return 0;
    for (const unsigned char *s = (const unsigned char *)url; *s; s++)
        if (*s <= 0x20 || *s >= 0x7f) return 0;
    return 1;
}

/* libcurl closes the connection's socket (removal, or its dead-connection
 * check): the loop forgets it, and a request using it is told. */
static int close_sock(void *arg, curl_socket_t s)
{
    struct fast *f = arg;
    int r = loop_close(f->l, s);
    if (s == f->fd) {
        f->fd = -1;
        if (f->st == F_SENDING || f->st == F_READING) {
            f->lost = 1;
            loop_timer_arm(f->l, &f->timer, loop_now_us());
        }
    }
    return r;
}

static void close_conn(struct fast *f)
{
    if (f->fd >= 0) loop_watch(f->l, f->fd, 0, on_io, f);
    f->fd = -1;
    f->watch_write = 0;
    if (f->in_multi) curl_multi_remove_handle(f->multi, f->easy);
    f->in_multi = 0;
}

static void finish(struct fast *f, CURLcode rc, long status)
{
    /* The timer is left armed: the next request on this connection most
     * likely has the same timeout, due later, and on_timer moves it on
     * then (two heap operations a request saved). */
    f->deadline_us = 0;
    f->pending = f->lost = 0;
    int64_t now = loop_now_us();
    if (f->t_first) {
        f->times.wait_us = f->t_first - (f->t_ready ? f->t_ready : f->t_first);
        f->times.transfer_us = now - f->t_first;
    }
    if (f->resp_cut && f->h.body_cut) *f->resp_cut = 1;
    if (rc != CURLE_OK || f->h.close) close_conn(f);
    f->st = F_IDLE;
    f->done(f->arg, rc, status);
}

/* A result known before anything was asked of the loop is reported from
 * the timer, never from inside fast_send. */
static void finish_later(struct fast *f, CURLcode rc)
{
    f->pending = 1;
    f->pend = rc;
    loop_timer_arm(f->l, &f->timer, loop_now_us());
}

static CURLcode h1_curlcode(enum h1_error e)
{
    switch (e) {
    case H1_NOTHING:   return CURLE_GOT_NOTHING;
    case H1_TRUNCATED: return CURLE_PARTIAL_FILE;
    case H1_BAD_CHUNK: return CURLE_RECV_ERROR;   /* libcurl's chunk parser */
    default:           return CURLE_WEIRD_SERVER_REPLY;
    }
}

static void start_connect(struct fast *f)
{
    buf_reset(&f->tmp);
    buf_printf(&f->tmp, "%s/", buf_str(&f->authority));
    f->tls = scheme_len(f->authority.p) == 8;
    f->reused = 0;
    f->st = F_CONNECTING;
    curl_easy_setopt(f->easy, CURLOPT_URL, buf_str(&f->tmp));
    if (xfail("curl_multi_add_handle") ||
        curl_multi_add_handle(f->multi, f->easy) != CURLM_OK) {
        finish_later(f, CURLE_OUT_OF_MEMORY);
        return;
    }
    f->in_multi = 1;
}

/* Once per request at most: the connection died before a byte came back. */
static int retry(struct fast *f)
{
    if (!f->reused || f->retried || f->times.recv_bytes) return 0;
    f->retried = 1;
    close_conn(f);
    struct h1 *h = &f->h;
    h1_init(h, h->head, h->max_body, h->body, h->hdrs);
    start_connect(f);
    return 1;
}

static void write_some(struct fast *f)
{
    while (f->off < f->out.len) {
        size_t n = 0;
        CURLcode rc = curl_easy_send(f->easy, f->out.p + f->off,
                                     f->out.len - f->off, &n);
        if (rc == CURLE_AGAIN) {
            if (!f->watch_write)
                loop_watch(f->l, f->fd, LOOP_READ | LOOP_WRITE, on_io, f);
            f->watch_write = 1;
            return;
        }
        if (rc != CURLE_OK) {
            if (!retry(f)) finish(f, CURLE_SEND_ERROR, 0);
            return;
        }
        f->off += n;
        f->times.sent_bytes += (int64_t)n;
    }
    if (f->watch_write) loop_watch(f->l, f->fd, LOOP_READ, on_io, f);
    f->watch_write = 0;
    f->st = F_READING;
}

static void start_write(struct fast *f)
{
    f->st = F_SENDING;
    f->off = 0;
    f->times.sent_bytes = 0;
    f->t_ready = loop_now_us();
    write_some(f);
}

static void on_eof(struct fast *f)
{
    if (f->st == F_IDLE || f->st == F_CONNECTING) {
        if (f->st == F_IDLE) close_conn(f);
        return;
    }
    if (h1_eof(&f->h) == H1_DONE) {
        f->h.close = 1;
        finish(f, CURLE_OK, f->h.status);
    } else if (!retry(f)) {
        finish(f, h1_curlcode(f->h.err), f->h.status);
    }
}

static void read_some(struct fast *f)
{
    char b[FAST_RECV];
    for (;;) {
        size_t n = 0;
        CURLcode rc = curl_easy_recv(f->easy, b, sizeof b, &n);
        if (rc == CURLE_AGAIN) return;
        if (f->st == F_IDLE || f->st == F_CONNECTING) {
            /* The server closed a kept-alive connection, or sent bytes
             * nobody asked for: either way it is done. */
            if (f->st == F_IDLE) close_conn(f);
            return;
        }
        if (rc != CURLE_OK) {
            if (!retry(f)) finish(f, rc, f->h.status);
            return;
        }
        if (n == 0) { on_eof(f); return; }
        if (!f->t_first) f->t_first = loop_now_us();
        f->times.recv_bytes += (int64_t)n;
        size_t used = 0;
        enum h1_result r = h1_feed(&f->h, b, n, &used);
        if (r == H1_DONE) {
            /* Bytes past the response, or a response before the request
             * was written: the connection cannot serve another one. */
            if (used < n || f->st == F_SENDING) f->h.close = 1;
            finish(f, CURLE_OK, f->h.status);
            return;
        }
        if (r == H1_ERROR) {
            finish(f, h1_curlcode(f->h.err), f->h.status);
            return;
        }
        /* Under TLS one readiness event may hold more than one record,
         * and the TLS library may have read them all from the socket:
         * read until CURLE_AGAIN. */
        if (n < sizeof b && !f->tls) return;
    }
}

static void on_io(void *arg, int fd, int events)
{
    struct fast *f = arg;
    if (fd != f->fd) return;
    if (f->st == F_SENDING && (events & LOOP_WRITE)) {
        write_some(f);
        return;
    }
    read_some(f);
}

static void on_timer(void *arg)
{
    struct fast *f = arg;
    if (f->pending) {
        f->pending = 0;
        finish(f, f->pend, 0);
    } else if (f->lost) {
        f->lost = 0;
        on_eof(f);
    } else if (f->st == F_IDLE || !f->deadline_us) {
        /* left armed by an earlier request: nothing to time */
    } else if (loop_now_us() < f->deadline_us) {
        loop_timer_arm(f->l, &f->timer, f->deadline_us);
    } else {
        finish(f, CURLE_OPERATION_TIMEDOUT, f->h.status);
    }
}

void fast_connected(struct fast *f, CURLcode rc)
{
    if (f->st != F_CONNECTING) return;
    curl_socket_t s = CURL_SOCKET_BAD;
    if (rc == CURLE_OK &&
        curl_easy_getinfo(f->easy, CURLINFO_ACTIVESOCKET, &s) != CURLE_OK)
        s = CURL_SOCKET_BAD;
    if (rc != CURLE_OK || s == CURL_SOCKET_BAD) {
        close_conn(f);
        finish(f, rc != CURLE_OK ? rc : CURLE_COULDNT_CONNECT, 0);
        return;
    }
    f->fd = (int)s;
    /* libcurl's times of the connect, each from its start. */
    curl_off_t dns = 0, tcp = 0, tls = 0;
    curl_easy_getinfo(f->easy, CURLINFO_NAMELOOKUP_TIME_T, &dns);
    curl_easy_getinfo(f->easy, CURLINFO_CONNECT_TIME_T, &tcp);
    curl_easy_getinfo(f->easy, CURLINFO_APPCONNECT_TIME_T, &tls);
    f->times.dns_us = (int64_t)dns;
    f->times.connect_us = tcp >= dns ? (int64_t)(tcp - dns) : 0;
    f->times.tls_us = tls > tcp ? (int64_t)(tls - tcp) : -1;
    loop_watch(f->l, f->fd, LOOP_READ, on_io, f);
    start_write(f);
}

struct fast *fast_new(struct loop *l, CURLM *multi, CURL *e,
                      fast_done_fn done, void *arg)
{
    struct fast *f = xcalloc(1, sizeof *f);
    f->l = l;
    f->multi = multi;
    f->easy = e;
    f->done = done;
    f->arg = arg;
    f->fd = -1;
    loop_timer_init(&f->timer, on_timer, f);
    curl_easy_setopt(e, CURLOPT_CONNECT_ONLY, 1L);
    curl_easy_setopt(e, CURLOPT_MAXAGE_CONN, FAST_MAXAGE_S);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, close_sock);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, f);
    curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)arg);
    return f;
}

void fast_abort(struct fast *f)
{
    loop_timer_cancel(f->l, &f->timer);
    if (f->st == F_IDLE) return;
    f->pending = f->lost = 0;
    f->st = F_IDLE;
    close_conn(f);
}

void fast_free(struct fast *f)
{
    if (!f) return;
    fast_abort(f);
    close_conn(f);
    curl_easy_cleanup(f->easy);
    h1_free(&f->h);
    buf_free(&f->authority);
    buf_free(&f->req_auth);
    buf_free(&f->tmp);
    buf_free(&f->out);
    free(f);
}

/* Headers libcurl writes itself or treats specially: such a request stays
 * on libcurl's path. */
static int special_header(const char *line, size_t n)
{
    static const char *const names[] = {"Host", "Content-Length",
        "Transfer-Encoding", "Connection", "TE", "Upgrade", "Expect"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strlen(names[i]) == n && strncasecmp(line, names[i], n) == 0)
            return 1;
    return 0;
}

int fast_has(const struct fast *f, const void *key)
{
    return key && f->key == key;
}

/* Formats r into f->out and f->req_auth; -1 when the fast path cannot
 * take it. */
static int format(struct fast *f, const struct fast_req *r)
{
    if (!fast_url_ok(r->url)) return -1;
    size_t sl = scheme_len(r->url);
    const char *a = r->url + sl;
    size_t alen = strcspn(a, "/?#");
    const char *t = a + alen;
    size_t tlen = strcspn(t, "#");
    const char *hv[FAST_MAX_HEADERS + 1];
    int nh = 0, accept = 0;
    for (const struct curl_slist *h = r->headers; h; h = h->next) {
        const char *c = strchr(h->data, ':');
        if (!c) return -1;                      /* "Name;": libcurl's syntax */
        const char *v = c + 1;
        while (*v == ' ') v++;
        size_t nlen = (size_t)(c - h->data);
        if (!*v) {
            /* "Name:" removes one of libcurl's own headers: only the
             * Expect it would add is known to be harmless to drop. */
            if (nlen == 6 && strncasecmp(h->data, "Expect", 6) == 0) continue;
            return -1;
        }
        if (special_header(h->data, nlen) || nh == FAST_MAX_HEADERS) return -1;
        if (nlen == 6 && strncasecmp(h->data, "Accept", 6) == 0) accept = 1;
        hv[nh++] = h->data;
    }
    /* libcurl sends this when the plan sets no Accept. */
    if (!accept) hv[nh++] = "Accept: */*";
    buf_reset(&f->tmp);
    buf_append(&f->tmp, a, alen);
    buf_putc(&f->tmp, '\0');
    if (!tlen || *t == '?') buf_putc(&f->tmp, '/');
    buf_append(&f->tmp, t, tlen);
    buf_reset(&f->out);
    h1_request(&f->out, r->method, f->tmp.p, f->tmp.p + alen + 1, hv, nh,
               r->body, r->body_len);
    buf_reset(&f->req_auth);
    buf_append(&f->req_auth, r->url, sl + alen);   /* scheme and authority */
    return 0;
}

int fast_send(struct fast *f, const struct fast_req *r)
{
    if (f->st != F_IDLE) return -1;
    if (!fast_has(f, r->key)) {
        f->key = NULL;
        if (format(f, r) < 0) return -1;
        f->key = r->key;
    }
    const char *a = f->req_auth.p;
    size_t alen = f->req_auth.len;
    h1_init(&f->h, strcmp(r->method, "HEAD") == 0, r->max_body, r->resp,
            r->hdrs);
    f->resp_cut = r->resp_cut;
    f->retried = f->lost = f->pending = 0;
    struct fast_times none = {-1, -1, -1, -1, -1, 0, 0};
    f->times = none;
    f->t_start = loop_now_us();
    f->t_ready = f->t_first = 0;
    f->deadline_us = r->timeout_us > 0 ? f->t_start + r->timeout_us : 0;
    /* Armed only when it would fire late for this request (see finish). */
    if (f->deadline_us && (!loop_timer_armed(&f->timer) ||
                           f->timer.due_us > f->deadline_us))
        loop_timer_arm(f->l, &f->timer, f->deadline_us);
    if (f->fd >= 0 && f->authority.len == alen &&
        memcmp(f->authority.p, a, alen) == 0) {
        f->reused = 1;
        start_write(f);
        return 0;
    }
    close_conn(f);
    buf_reset(&f->authority);
    buf_append(&f->authority, a, alen);
    start_connect(f);
    return 0;
}

CURL *fast_easy(const struct fast *f) { return f->easy; }
int fast_busy(const struct fast *f) { return f->st != F_IDLE; }
const char *fast_cookies(const struct fast *f) { return buf_str(&f->h.cookies); }
const struct fast_times *fast_times(const struct fast *f) { return &f->times; }
