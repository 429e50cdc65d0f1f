/* h1.c — the HTTP/1.1 response framer (see h1.h).
 *
 * A response is read in two parts. The header block is collected in
 * head_buf until its empty line (every header block is small; copying it
 * once costs less than parsing it in pieces), then parsed line by line.
 * The body is then framed without copying anything but what the caller
 * keeps: counting down Content-Length, walking the chunks (their size
 * lines and trailers collected in head_buf again), or reading to the end
 * of the stream. Interim 1xx blocks are parsed, kept as header text and
 * skipped. */
#include "h1.h"
#include <string.h>
#include <strings.h>

enum { S_HEAD, S_LEN, S_EOF, S_CHUNK_SIZE, S_CHUNK_DATA, S_CHUNK_END,
       S_TRAILER, S_DONE, S_ERROR };

void h1_init(struct h1 *p, int head, size_t max_body, struct buf *body,
             struct buf *hdrs)
{
    struct buf hb = p->head_buf, ck = p->cookies;
    memset(p, 0, sizeof *p);
    buf_reset(&hb);
    buf_reset(&ck);
    p->head_buf = hb;
    p->cookies = ck;
    p->head = head;
    p->max_body = max_body;
    p->body = body;
    p->hdrs = hdrs;
    p->content_length = -1;
    p->state = S_HEAD;
}

void h1_free(struct h1 *p)
{
    buf_free(&p->head_buf);
    buf_free(&p->cookies);
}

const char *h1_error_name(enum h1_error e)
{
    static const char *const names[H1__COUNT] = {
        "ok", "bad status line", "bad header", "header block too large",
        "bad Content-Length", "bad chunk", "unsupported response",
        "empty reply", "truncated response"};
    return e >= 0 && e < H1__COUNT ? names[e] : "?";
}

static enum h1_result fail(struct h1 *p, enum h1_error e)
{
    p->err = e;
    p->state = S_ERROR;
    return H1_ERROR;
}

static void keep(struct h1 *p, const char *d, size_t n)
{
    p->body_bytes += (int64_t)n;
    if (!p->body || !n) return;
    size_t kept = (size_t)p->body_bytes - n;
    size_t room = p->max_body > kept ? p->max_body - kept : 0;
    if (n > room) p->body_cut = 1;
    buf_append(p->body, d, n < room ? n : room);
}

static int is_ows(char c) { return c == ' ' || c == '\t'; }

/* Does the comma-separated list [v, e) hold token tok? */
static int has_token(const char *v, const char *e, const char *tok)
{
    size_t tl = strlen(tok);
    while (v < e) {
        while (v < e && (is_ows(*v) || *v == ',')) v++;
        const char *s = v;
        while (v < e && *v != ',') v++;
        const char *t = v;
        while (t > s && is_ows(t[-1])) t--;
        if ((size_t)(t - s) == tl && strncasecmp(s, tok, tl) == 0) return 1;
    }
    return 0;
}

/* "HTTP/1.x NNN[ reason]" */
static int parse_status(struct h1 *p, const char *s, const char *e)
{
    if (e - s < 12 || memcmp(s, "HTTP/1.", 7) != 0 ||
        (s[7] != '0' && s[7] != '1') || s[8] != ' ')
        return -1;
    int st = 0;
    for (int i = 9; i < 12; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        st = st * 10 + (s[i] - '0');
    }
    if (st < 100 || (e - s > 12 && s[12] != ' ')) return -1;
    p->minor = s[7] - '0';
    p->status = st;
    return 0;
}

static int parse_length(struct h1 *p, const char *v, const char *e)
{
    if (v == e) return -1;
    int64_t n = 0;
    for (; v < e; v++) {
        if (*v < '0' || *v > '9' || n > (INT64_MAX - 9) / 10) return -1;
        n = n * 10 + (*v - '0');
    }
    if (p->content_length >= 0 && p->content_length != n) return -1;
    p->content_length = n;
    return 0;
}

/* Parses the header block in head_buf (through its empty line). */
static enum h1_result parse_head(struct h1 *p)
{
    const char *s = p->head_buf.p, *end = s + p->head_buf.len;
    int keep_alive = 0, first = 1;
    p->content_length = -1;
    p->chunked = p->close = 0;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *e = nl ? nl : end;
        const char *le = e > s && e[-1] == '\r' ? e - 1 : e;
        if (first) {
            if (parse_status(p, s, le) < 0) return fail(p, H1_BAD_STATUS);
            first = 0;
        } else if (le == s) {
            break;                              /* the empty line */
        } else {
            if (is_ows(*s)) return fail(p, H1_BAD_HEADER);  /* obs-fold */
            const char *c = memchr(s, ':', (size_t)(le - s));
            if (!c || c == s || is_ows(c[-1])) return fail(p, H1_BAD_HEADER);
            size_t nlen = (size_t)(c - s);
            const char *v = c + 1, *ve = le;
            while (v < ve && is_ows(*v)) v++;
            while (ve > v && is_ows(ve[-1])) ve--;
#define IS(name) (nlen == sizeof name - 1 && strncasecmp(s, name, nlen) == 0)
            if (IS("Content-Length")) {
                if (parse_length(p, v, ve) < 0) return fail(p, H1_BAD_LENGTH);
            } else if (IS("Transfer-Encoding")) {
                if (p->chunked || ve - v != 7 || strncasecmp(v, "chunked", 7))
                    return fail(p, H1_UNSUPPORTED);
                p->chunked = 1;
            } else if (IS("Connection")) {
                if (has_token(v, ve, "close")) p->close = 1;
                if (has_token(v, ve, "keep-alive")) keep_alive = 1;
            } else if (IS("Set-Cookie")) {
                buf_append(&p->cookies, s, (size_t)(le - s));
                buf_putc(&p->cookies, '\n');
            }
#undef IS
        }
        s = e + 1;
    }
    if (p->minor == 0 && !keep_alive) p->close = 1;
    if (p->hdrs) buf_append(p->hdrs, p->head_buf.p, p->head_buf.len);
    buf_reset(&p->head_buf);
    if (p->status == 101) return fail(p, H1_UNSUPPORTED);
    if (p->status < 200) {                      /* interim: the next block */
        p->status = 0;
        p->state = S_HEAD;
        return H1_MORE;
    }
    if (p->head || p->status == 204 || p->status == 304) {
        p->state = S_DONE;
    } else if (p->chunked) {
        p->state = S_CHUNK_SIZE;
    } else if (p->content_length >= 0) {
        p->left = p->content_length;
        p->state = p->left ? S_LEN : S_DONE;
    } else {
        p->close = 1;                           /* the body ends with the stream */
        p->state = S_EOF;
    }
    return p->state == S_DONE ? H1_DONE : H1_MORE;
}

/* Collects a line (or, in S_HEAD, a block ending in an empty line) into
 * head_buf. Returns the bytes of d used; *complete says whether it ended. */
static size_t collect(struct h1 *p, const char *d, size_t n, int block,
                      int *complete)
{
    size_t old = p->head_buf.len;
    *complete = 0;
    for (size_t i = 0; i < n; i++) {
        if (d[i] != '\n') continue;
        /* Is this the end? A line ends here; a block when the line that
         * ends here is empty ("\n\n" or "\n\r\n"), looking back into what
         * was collected before. */
        if (!block) { *complete = 1; n = i + 1; break; }
        size_t at = old + i;                    /* index of '\n' overall */
        char c1 = i >= 1 ? d[i - 1] : (at >= 1 ? p->head_buf.p[at - 1] : 0);
        char c2 = i >= 2 ? d[i - 2] : (at >= 2 ? p->head_buf.p[at - 2] : 0);
        if (at >= 1 && (c1 == '\n' || (c1 == '\r' && at >= 2 && c2 == '\n'))) {
            *complete = 1;
            n = i + 1;
            break;
        }
    }
    buf_append(&p->head_buf, d, n);
    return n;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* "1a3f[;ext]\r\n" in head_buf. */
static int chunk_size(struct h1 *p)
{
    const char *s = p->head_buf.p, *e = s + p->head_buf.len;
    int64_t n = 0;
    int digits = 0, h;
    for (; s < e && (h = hexval(*s)) >= 0; s++, digits++) {
        if (n > (INT64_MAX >> 4)) return -1;
        n = n * 16 + h;
    }
    while (s < e && is_ows(*s)) s++;
    if (!digits || (*s != ';' && *s != '\r' && *s != '\n')) return -1;
    p->left = n;
    buf_reset(&p->head_buf);
    return 0;
}

enum h1_result h1_feed(struct h1 *p, const char *d, size_t n, size_t *used)
{
    size_t i = 0;
    int complete;
    enum h1_result r = H1_MORE;
    if (n) p->got = 1;
    while (i < n && r == H1_MORE) {
        switch (p->state) {
        case S_HEAD:
            i += collect(p, d + i, n - i, 1, &complete);
            if (p->head_buf.len > H1_MAX_HEADER) { r = fail(p, H1_TOO_BIG); break; }
            if (complete) r = parse_head(p);
            break;
        case S_LEN: case S_CHUNK_DATA: {
            size_t take = n - i < (uint64_t)p->left ? n - i : (size_t)p->left;
            keep(p, d + i, take);
            i += take;
            p->left -= (int64_t)take;
            if (!p->left) p->state = p->state == S_LEN ? S_DONE : S_CHUNK_END;
            if (p->state == S_DONE) r = H1_DONE;
            break;
        }
        case S_EOF:
            keep(p, d + i, n - i);
            i = n;
            break;
        case S_CHUNK_SIZE:
            i += collect(p, d + i, n - i, 0, &complete);
            if (p->head_buf.len > 1024) { r = fail(p, H1_BAD_CHUNK); break; }
            if (!complete) break;
            if (chunk_size(p) < 0) { r = fail(p, H1_BAD_CHUNK); break; }
            p->state = p->left ? S_CHUNK_DATA : S_TRAILER;
            break;
        case S_CHUNK_END:                       /* "\r\n" after the data */
            i += collect(p, d + i, n - i, 0, &complete);
            if (!complete) {
                if (p->head_buf.len > 2) r = fail(p, H1_BAD_CHUNK);
                break;
            }
            if (!(p->head_buf.len == 1 && p->head_buf.p[0] == '\n') &&
                !(p->head_buf.len == 2 && p->head_buf.p[0] == '\r'))
                { r = fail(p, H1_BAD_CHUNK); break; }
            buf_reset(&p->head_buf);
            p->state = S_CHUNK_SIZE;
            break;
        case S_TRAILER:                         /* lines until an empty one */
            i += collect(p, d + i, n - i, 0, &complete);
            if (p->head_buf.len > H1_MAX_HEADER) { r = fail(p, H1_TOO_BIG); break; }
            if (!complete) break;
            if (p->head_buf.len <= 2 && (p->head_buf.p[0] == '\n' ||
                                         p->head_buf.p[0] == '\r')) {
                p->state = S_DONE;
                r = H1_DONE;
            }
            buf_reset(&p->head_buf);
            break;
        case S_DONE:
            r = H1_DONE;
            break;
        default:
            r = H1_ERROR;
            break;
        }
    }
    if (p->state == S_DONE) r = H1_DONE;
    if (p->state == S_ERROR) r = H1_ERROR;
    if (used) *used = i;
    return r;
}

enum h1_result h1_eof(struct h1 *p)
{
    if (p->state == S_DONE) return H1_DONE;
    if (p->state == S_ERROR) return H1_ERROR;
    if (p->state == S_EOF) {
        p->state = S_DONE;
        return H1_DONE;
    }
    /* A header block cut off after whole lines ends the response, as it
     * does in libcurl: a server that sends its status line and closes has
     * answered, with no body. */
    if (p->state == S_HEAD && p->head_buf.len &&
        p->head_buf.p[p->head_buf.len - 1] == '\n') {
        buf_puts(&p->head_buf, "\r\n");
        if (parse_head(p) == H1_ERROR) return H1_ERROR;
        if (p->state == S_EOF) p->state = S_DONE;
        if (p->state == S_DONE) return H1_DONE;
    }
    return fail(p, p->got ? H1_TRUNCATED : H1_NOTHING);
}

void h1_request(struct buf *out, const char *method, const char *host,
                const char *target, const char *const *hdr, int nhdr,
                const char *body, size_t body_len)
{
    buf_puts(out, method);
    buf_putc(out, ' ');
    buf_puts(out, target);
    buf_puts(out, " HTTP/1.1\r\nHost: ");
    buf_puts(out, host);
    buf_puts(out, "\r\n");
    for (int i = 0; i < nhdr; i++) {
        buf_puts(out, hdr[i]);
        buf_puts(out, "\r\n");
    }
    if (body_len || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
        strcmp(method, "PATCH") == 0)
        buf_printf(out, "Content-Length: %zu\r\n", body_len);
    buf_puts(out, "\r\n");
    if (body_len) buf_append(out, body, body_len);
}
