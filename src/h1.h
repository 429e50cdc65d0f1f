/* h1 — an HTTP/1.1 response framer and request formatter for the fast
 * path (fast.h).
 *
 * Who calls it: fast.c, once per response, feeding whatever curl_easy_recv
 * returned, in pieces of any size (one byte at a time is fine). It finds
 * where a response ends: the status line, the headers herd needs
 * (Content-Length, Transfer-Encoding: chunked, Connection, Set-Cookie),
 * a body framed by Content-Length, by chunks or by the end of the stream,
 * interim 1xx responses (skipped), and responses that have no body (to a
 * HEAD request, 204, 304). It keeps the header text (every response's,
 * interim ones included, as libcurl hands them to its header callback) and
 * the body up to max_body when asked to, and the Set-Cookie lines always
 * (fast.c hands them to libcurl's cookie engine).
 *
 * What it refuses is an error with a class (enum h1_error), never a guess:
 * a malformed status line or header, a header block over H1_MAX_HEADER
 * bytes, a bad chunk size, a transfer coding other than chunked, a
 * Content-Length that is not one number. The caller maps those to the
 * error class libcurl would have given.
 *
 * Units: bytes. Not thread-safe: a struct h1 belongs to one connection.
 * Why not Debian's libhttp-parser: see the README, "The HTTP/1.1 fast
 * path". */
#ifndef HERD_H1_H
#define HERD_H1_H
#include <stddef.h>
#include <stdint.h>
#include "buf.h"

/* A header block larger than this is refused (libcurl's limit is 100 KiB
 * per header; herd's request path kept 64 KiB of header text). */
#define H1_MAX_HEADER 65536

enum h1_result { H1_MORE, H1_DONE, H1_ERROR };

enum h1_error {
    H1_OK = 0,
    H1_BAD_STATUS,      /* the first line is not "HTTP/1.x NNN ..." */
    H1_BAD_HEADER,      /* a header line without a colon, or obs-fold */
    H1_TOO_BIG,         /* header block over H1_MAX_HEADER */
    H1_BAD_LENGTH,      /* Content-Length not one non-negative number */
    H1_BAD_CHUNK,       /* a chunk size line or chunk end is malformed */
    H1_UNSUPPORTED,     /* a transfer coding other than chunked, 101 */
    H1_NOTHING,         /* the stream ended before any byte */
    H1_TRUNCATED,       /* the stream ended inside a response */
    H1__COUNT
};

struct h1 {
    /* in: set by h1_init */
    int head;                    /* the request was HEAD: no body */
    size_t max_body;             /* body bytes kept in *body */
    struct buf *body;            /* NULL: the body is not kept */
    struct buf *hdrs;            /* NULL: the header text is not kept */
    /* out: valid once the headers of the final response are read */
    int status;                  /* final status, 0 until known */
    int minor;                   /* HTTP/1.<minor> */
    int64_t content_length;      /* -1: none */
    int chunked;
    int close;                   /* the server will close the connection */
    int body_cut;                /* body exceeded max_body */
    int64_t body_bytes;          /* body bytes received (decoded) */
    struct buf cookies;          /* "Set-Cookie: ..." lines, '\n' ended */
    enum h1_error err;
    /* private */
    int state;
    struct buf head_buf;         /* the header block being collected */
    int64_t left;                /* bytes left in the body or chunk */
    int got;                     /* any byte at all was fed */
    int final_;                  /* the current block is the final one */
};

/* Prepares p for one response. body/hdrs may be NULL; they are appended
 * to, not reset. p must later be released with h1_free (h1_init may be
 * called again on a used parser: it keeps the memory). */
void h1_init(struct h1 *p, int head, size_t max_body, struct buf *body,
             struct buf *hdrs);
/* Feeds n bytes. *used (may be NULL) is set to the bytes consumed: on
 * H1_DONE the rest belongs to no response (the caller closes the
 * connection). Returns H1_MORE (needs more), H1_DONE or H1_ERROR (p->err
 * says why; feeding again returns H1_ERROR). */
enum h1_result h1_feed(struct h1 *p, const char *d, size_t n, size_t *used);
/* The stream ended: H1_DONE when that ends the response (a body read to
 * the end of the stream), H1_ERROR otherwise (H1_NOTHING, H1_TRUNCATED). */
enum h1_result h1_eof(struct h1 *p);
void h1_free(struct h1 *p);
/* "bad status line", "bad header", ...; "ok" for H1_OK. */
const char *h1_error_name(enum h1_error e);

/* Appends an HTTP/1.1 request: "METHOD target HTTP/1.1", Host, the
 * caller's header lines (each "Name: value", no CRLF), Content-Length when
 * there is a body or the method is POST/PUT/PATCH, and the body. */
void h1_request(struct buf *out, const char *method, const char *host,
                const char *target, const char *const *hdr, int nhdr,
                const char *body, size_t body_len);
#endif
