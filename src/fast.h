/* fast — herd's HTTP/1.1 fast path: libcurl opens the connection, herd
 * writes the request and frames the response itself.
 *
 * Who calls it: engine.c, for the requests that need nothing else from
 * libcurl's HTTP layer (the README's "The HTTP/1.1 fast path" lists which).
 * One struct fast per virtual user, created on its first fast request.
 *
 * How: a CONNECT_ONLY easy handle (set up like the user's own, so DNS,
 * TCP, timeouts and the loop's socket callbacks are libcurl's and the
 * same) is added to a multi handle of its own group; when the engine's drain
 * sees it finish, it calls fast_connected. The handle then stays in that
 * multi handle for the life of the connection (removing it closes the
 * connection). herd takes the socket (CURLINFO_ACTIVESOCKET), watches it
 * on the worker's loop, writes the request bytes with curl_easy_send and
 * reads with curl_easy_recv into the h1 framer (h1.h). The connection is
 * kept alive between requests and reconnected when the server closes it
 * or the URL's host changes.
 *
 * Outcome: exactly one call of the done function per fast_send that
 * returned 0, never from inside fast_send, with the CURLcode libcurl
 * would have given for the same failure (so the engine classifies both
 * paths alike) and the status, 0 if none was read.
 *
 * Units: microseconds (CLOCK_MONOTONIC, loop_now_us). Not thread-safe: a
 * struct fast belongs to its worker's thread. */
#ifndef HERD_FAST_H
#define HERD_FAST_H
#include <curl/curl.h>
#include <stdint.h>
#include "buf.h"
#include "loop.h"

struct fast;
typedef void (*fast_done_fn)(void *arg, CURLcode rc, long status);

struct fast_req {
    /* Non-NULL: the request is the same every time key is given (a step
     * without templates); fast_send formats it once and, while key is the
     * last one sent, url, headers and body may be NULL (fast_has). */
    const void *key;
    const char *method;
    const char *url;                     /* absolute, http(s):// */
    const struct curl_slist *headers;    /* "Name: value" lines */
    const char *body;
    size_t body_len;
    int64_t timeout_us;                  /* the whole request, connect too */
    size_t max_body;
    struct buf *resp;                    /* NULL: the body is not kept */
    struct buf *hdrs;                    /* NULL: header text not kept */
    int *resp_cut;                       /* set when the body passed max_body */
};

/* Phases of the last request, microseconds, as stats.h defines them; -1
 * for a phase that did not happen (dns/connect/tls on a reused
 * connection, tls without TLS, wait/transfer when no byte came back).
 * dns, connect and tls are libcurl's own times for the connect; wait and
 * transfer herd's clock. Bytes as on the wire (TLS: as decrypted). */
struct fast_times {
    int64_t dns_us, connect_us, tls_us;
    int64_t wait_us;                     /* ready to send -> first byte */
    int64_t transfer_us;                 /* first byte -> response framed */
    int64_t sent_bytes, recv_bytes;
};

/* A fast path for one user. easy becomes f's (freed by fast_free): a new
 * handle the caller has set up for connecting (sockets through the loop,
 * connect timeout, proxy settings); fast_new makes it CONNECT_ONLY. multi
 * is the multi handle the connects run on, which must hold only fast
 * connect handles (libcurl's idle-age pruning would close them
 * otherwise). done(arg, ...) reports each request. Never returns NULL. */
struct fast *fast_new(struct loop *l, CURLM *multi, CURL *easy,
                      fast_done_fn done, void *arg);
/* Closes the connection (without a done call) and frees f. NULL is fine. */
void fast_free(struct fast *f);

/* 1 when the URL can take the fast path: http:// or https:// (libcurl
 * does the TLS handshake and herd sends through it), no user:password, no
 * byte that libcurl would escape or refuse. */
int fast_url_ok(const char *url);

/* Sends r (its strings are copied). Returns 0, or -1 when the fast path
 * cannot take this request (the URL; more than 64 headers; a header libcurl
 * treats specially): nothing was done and the caller uses libcurl. */
int fast_send(struct fast *f, const struct fast_req *r);
/* 1 when the bytes of the request last sent with key are still there:
 * fast_send(key, and NULL url, headers, body) sends them again. */
int fast_has(const struct fast *f, const void *key);
/* The connect handle finished: called by the engine's drain. */
void fast_connected(struct fast *f, CURLcode rc);
/* The connect handle, to tell it from the user's own in the drain. */
CURL *fast_easy(const struct fast *f);
/* A request is in flight. */
int fast_busy(const struct fast *f);
/* Abandons the request in flight and closes its connection; no done call. */
void fast_abort(struct fast *f);
/* The Set-Cookie lines of the last response, each "Set-Cookie: ...\n";
 * "" when it set none. */
const char *fast_cookies(const struct fast *f);
const struct fast_times *fast_times(const struct fast *f);
#endif
