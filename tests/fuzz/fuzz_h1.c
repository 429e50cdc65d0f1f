/* fuzz_h1 — the HTTP/1.1 response framer. The first byte picks HEAD or
 * not, max_body and a piece size; the rest is a response stream, framed
 * whole and in pieces: both must agree (status, end, error, body), and the
 * body kept never exceeds max_body. */
#include "fuzz.h"
#include "h1.h"

struct seen {
    enum h1_result r;
    enum h1_error err;
    int status, close, cut;
    size_t used;
    int64_t body_bytes;
};

static void frame(const uint8_t *d, size_t n, int head, size_t max_body,
                  size_t step, struct seen *s, struct buf *body)
{
    struct h1 p = {0};
    h1_init(&p, head, max_body, body, NULL);
    enum h1_result r = H1_MORE;
    size_t at = 0, used = 0;
    while (at < n && r == H1_MORE) {
        size_t take = n - at < step ? n - at : step;
        r = h1_feed(&p, (const char *)d + at, take, &used);
        if (used > take) abort();
        at += used;
    }
    if (r == H1_MORE) r = h1_eof(&p);
    if (r == H1_ERROR && p.err == H1_OK) abort();
    if (body->len > max_body) abort();
    s->r = r;
    s->err = p.err;
    s->status = p.status;
    s->close = p.close;
    s->cut = p.body_cut;
    s->used = at;
    s->body_bytes = p.body_bytes;
    h1_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int head = data[0] & 1;
    size_t max_body = (data[0] >> 1) & 7;
    size_t step = ((size_t)data[0] >> 4) + 1;
    struct seen a, b;
    memset(&a, 0, sizeof a);   /* the padding too: compared with memcmp */
    memset(&b, 0, sizeof b);
    struct buf ba = {0}, bb = {0};
    frame(data + 1, size - 1, head, max_body ? max_body * 16 : 1, size, &a, &ba);
    frame(data + 1, size - 1, head, max_body ? max_body * 16 : 1, step, &b, &bb);
    /* Where in the input an error is seen depends on the pieces (a line
     * over its limit is noticed when the limit is passed). */
    if (a.r == H1_ERROR) a.used = b.used = 0;
    if (memcmp(&a, &b, sizeof a) != 0 || ba.len != bb.len ||
        (ba.len && memcmp(ba.p, bb.p, ba.len) != 0))
        abort();
    buf_free(&ba);
    buf_free(&bb);
    return 0;
}
