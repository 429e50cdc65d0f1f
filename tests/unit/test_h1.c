/* test_h1.c — the HTTP/1.1 response framer: every response is fed whole,
 * one byte at a time and split at every offset, and must frame the same. */
#include "t.h"
#include "h1.h"

struct outcome {
    enum h1_result r;
    enum h1_error err;
    int status, close, cut, chunked;
    size_t used;
    char body[256], hdrs[512], cookies[256];
};

/* Feeds s in pieces of at most step bytes (0: split once at split); eof
 * ends the stream after the bytes when the response is not done. */
static void frame(const char *s, size_t n, int head, size_t max_body,
                  size_t step, size_t split, int eof, struct outcome *o)
{
    struct h1 p = {0};
    struct buf body = {0}, hdrs = {0};
    h1_init(&p, head, max_body, &body, &hdrs);
    enum h1_result r = H1_MORE;
    size_t at = 0, used = 0;
    while (at < n && r == H1_MORE) {
        size_t take = step ? (n - at < step ? n - at : step) :
                      (at < split ? split - at : n - at);
        r = h1_feed(&p, s + at, take, &used);
        at += used;
    }
    if (r == H1_MORE && eof) r = h1_eof(&p);
    memset(o, 0, sizeof *o);
    o->r = r;
    o->err = p.err;
    o->status = p.status;
    o->close = p.close;
    o->cut = p.body_cut;
    o->chunked = p.chunked;
    o->used = at;
    snprintf(o->body, sizeof o->body, "%s", buf_str(&body));
    snprintf(o->hdrs, sizeof o->hdrs, "%s", buf_str(&hdrs));
    snprintf(o->cookies, sizeof o->cookies, "%s", buf_str(&p.cookies));
    h1_free(&p);
    buf_free(&body);
    buf_free(&hdrs);
}

/* Frames s whole, then every other way, and checks they all agree. */
static struct outcome run(const char *s, int head, size_t max_body, int eof)
{
    struct outcome whole, o;
    size_t n = strlen(s);
    frame(s, n, head, max_body, n ? n : 1, 0, eof, &whole);
    int same = 1;
    for (size_t step = 1; step < 4; step++) {
        frame(s, n, head, max_body, step, 0, eof, &o);
        same &= memcmp(&o, &whole, sizeof o) == 0;
    }
    for (size_t split = 1; split < n; split++) {
        frame(s, n, head, max_body, 0, split, eof, &o);
        same &= memcmp(&o, &whole, sizeof o) == 0;
    }
    if (!same) fprintf(stderr, "pieces differ for: %s\n", s);
    CHECK(same);
    return whole;
}

static void test_length(void)
{
    struct outcome o = run("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
                           "Content-Type: text/plain\r\n\r\nhello", 0, 100, 0);
    CHECK_INT(o.r, H1_DONE);
    CHECK_INT(o.status, 200);
    CHECK_INT(o.close, 0);
    CHECK_STR(o.body, "hello");
    CHECK_STR(o.hdrs, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
                      "Content-Type: text/plain\r\n\r\n");
    /* Bytes after the response are not consumed. */
    o = run("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiHTTP/1.1", 0, 100, 0);
    CHECK_INT(o.r, H1_DONE);
    CHECK_INT(o.used, strlen("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"));
    /* max_body: kept up to it, the rest framed and dropped. */
    o = run("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", 0, 4, 0);
    CHECK_INT(o.r, H1_DONE);
    CHECK_STR(o.body, "0123");
    CHECK_INT(o.cut, 1);
    /* Bare LF line ends; no reason phrase. */
    o = run("HTTP/1.1 404\nContent-Length: 0\n\n", 0, 100, 0);
    CHECK_INT(o.r, H1_DONE);
    CHECK_INT(o.status, 404);
    /* Same length twice is fine, two lengths are not. */
    o = run("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", 0, 9, 0);
    CHECK_INT(o.r, H1_DONE);
    o = run("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxy", 0, 9, 0);
    CHECK_INT(o.err, H1_BAD_LENGTH);
    o = run("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 0, 9, 0);
    CHECK_INT(o.err, H1_BAD_LENGTH);
    o = run("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", 0, 9, 0);
    CHECK_INT(o.err, H1_BAD_LENGTH);
    /* The stream ends early. */
    o = run("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 0, 100, 1);
    CHECK_INT(o.r, H1_ERROR);
    CHECK_INT(o.err, H1_TRUNCATED);
    o = run("HTTP/1.1 200 OK\r\nContent-Le", 0, 100, 1);
    CHECK_INT(o.err, H1_TRUNCATED);
    /* Whole lines of a header block, then the end: answered, no body
     * (libcurl accepts it too); a cut inside a line does not count. */
    o = run("HTTP/1.1 200 OK\r\n", 0, 100, 1);
    CHECK_INT(o.r, H1_DONE);
    CHECK_INT(o.status, 200);
    CHECK_INT(o.close, 1);
    o = run("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n", 0, 100, 1);
    CHECK_INT(o.err, H1_TRUNCATED);
    o = run("HTTP/1.1 200 OK", 0, 100, 1);
    CHECK_INT(o.err, H1_TRUNCATED);
    o = run("", 0, 100, 1);
    CHECK_INT(o.err, H1_NOTHING);
}

static void test_chunked(void)
{
    struct outcome o = run("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "5\r\nhello\r\n1;ext=1\r\n \r\n6\r\nworld!\r\n0\r\n\r\n",
                           0, 100, 0);
    CHECK_INT(o.r, H1_DONE);
    CHECK_INT(o.chunked, 1);
    CHECK_STR(o.body, "hello world!");
    /* Trailers, upper-case hex. */
    o = run("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n"
            "A\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n", 0, 100, 0);
    CHECK_INT(o.r, H1_DONE);
    CHECK_STR(o.body, "0123456789");
    o = run("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0, 100, 0);
    CHECK_INT(o.err, H1_BAD_CHUNK);
    o = run("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n", 0, 100, 0);
    CHECK_INT(o.err, H1_BAD_CHUNK);
    o = run("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", 0, 100, 1);
    CHECK_INT(o.err, H1_TRUNCATED);
    o = run("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 0, 100, 0);
    CHECK_INT(o.err, H1_UNSUPPORTED);
    o = run("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            "fffffffffffffffffffff\r\n", 0, 100, 0);
    CHECK_INT(o.err, H1_BAD_CHUNK);
}

static void test_no_body(void)
{
    /* HEAD: a Content-Length but no body follows. */
    struct outcome o = run("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n", 1, 100, 0);
    CHECK_INT(o.r, H1_DONE);
    CHECK_INT(o.close, 0);
    o = run("HTTP/1.1 204 No Content\r\n\r\n", 0, 100, 0);
    CHECK_INT(o.r, H1_DONE);
    o = run("HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n", 0, 100, 0);
    CHECK_INT(o.r, H1_DONE);
    /* 1xx are skipped; their header text is kept like libcurl's. */
    o = run("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\n"
            "HTTP/1.1 201 Created\r\nLocation: /a/1\r\nContent-Length: 2\r\n\r\nok",
            0, 100, 0);
    CHECK_INT(o.r, H1_DONE);
    CHECK_INT(o.status, 201);
    CHECK_STR(o.body, "ok");
    CHECK(strstr(o.hdrs, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103") == o.hdrs);
    CHECK(strstr(o.hdrs, "Location: /a/1\r\n") != NULL);
    o = run("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n", 0, 100, 0);
    CHECK_INT(o.err, H1_UNSUPPORTED);
}

static void test_connection(void)
{
    struct outcome o = run("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                           0, 100, 0);
    CHECK_INT(o.close, 1);
    o = run("HTTP/1.1 200 OK\r\nConnection: Keep-Alive, Close\r\nContent-Length: 0\r\n\r\n",
            0, 100, 0);
    CHECK_INT(o.close, 1);
    o = run("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 0, 100, 0);
    CHECK_INT(o.close, 1);
    o = run("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
            0, 100, 0);
    CHECK_INT(o.close, 0);
    /* No length, not chunked: the body runs to the end of the stream. */
    o = run("HTTP/1.1 200 OK\r\n\r\nuntil the end", 0, 100, 1);
    CHECK_INT(o.r, H1_DONE);
    CHECK_INT(o.close, 1);
    CHECK_STR(o.body, "until the end");
    o = run("HTTP/1.1 200 OK\r\nSet-Cookie: a=1; Path=/\r\nset-cookie: b=2\r\n"
            "Content-Length: 0\r\n\r\n", 0, 100, 0);
    CHECK_STR(o.cookies, "Set-Cookie: a=1; Path=/\nset-cookie: b=2\n");
}

static void test_bad(void)
{
    const char *bad_status[] = {"HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/1.1 2000 OK\r\n\r\n", "http/1.1 200 OK\r\n\r\n",
        "garbage\r\n\r\n", "HTTP/1.1 099 x\r\n\r\n", "\r\n\r\n",
        "HTTP/1.1  200 OK\r\n\r\n"};
    for (size_t i = 0; i < sizeof bad_status / sizeof *bad_status; i++) {
        struct outcome o = run(bad_status[i], 0, 100, 0);
        CHECK_INT(o.r, H1_ERROR);
        CHECK_INT(o.err, H1_BAD_STATUS);
    }
    struct outcome o = run("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", 0, 100, 0);
    CHECK_INT(o.err, H1_BAD_HEADER);
    o = run("HTTP/1.1 200 OK\r\nA: 1\r\n folded\r\n\r\n", 0, 100, 0);
    CHECK_INT(o.err, H1_BAD_HEADER);
    o = run("HTTP/1.1 200 OK\r\nA : 1\r\n\r\n", 0, 100, 0);
    CHECK_INT(o.err, H1_BAD_HEADER);
    /* A header block that never ends. */
    struct buf big = {0};
    buf_puts(&big, "HTTP/1.1 200 OK\r\n");
    while (big.len <= H1_MAX_HEADER) buf_puts(&big, "X-Pad: 0123456789abcdef\r\n");
    struct h1 p = {0};
    h1_init(&p, 0, 10, NULL, NULL);
    CHECK_INT(h1_feed(&p, big.p, big.len, NULL), H1_ERROR);
    CHECK_INT(p.err, H1_TOO_BIG);
    CHECK_STR(h1_error_name(p.err), "header block too large");
    CHECK_INT(h1_feed(&p, "x", 1, NULL), H1_ERROR);   /* stays failed */
    /* Re-initialised, the same parser frames again. */
    h1_init(&p, 0, 10, NULL, NULL);
    CHECK_INT(h1_feed(&p, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 38, NULL),
              H1_DONE);
    h1_free(&p);
    buf_free(&big);
}

static void test_request(void)
{
    struct buf b = {0};
    const char *h[] = {"User-Agent: herd/1", "X-A: b"};
    h1_request(&b, "GET", "127.0.0.1:8080", "/a?b=c", h, 2, NULL, 0);
    CHECK_STR(buf_str(&b), "GET /a?b=c HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
              "User-Agent: herd/1\r\nX-A: b\r\n\r\n");
    buf_reset(&b);
    h1_request(&b, "POST", "h", "/", NULL, 0, "{}", 2);
    CHECK_STR(buf_str(&b), "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}");
    buf_reset(&b);
    h1_request(&b, "POST", "h", "/", NULL, 0, "", 0);
    CHECK_STR(buf_str(&b), "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
    buf_free(&b);
}

int main(void)
{
    T_RUN(test_length);
    T_RUN(test_chunked);
    T_RUN(test_no_body);
    T_RUN(test_connection);
    T_RUN(test_bad);
    T_RUN(test_request);
    return T_DONE();
}
