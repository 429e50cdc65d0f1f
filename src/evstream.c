/* evstream.c — event stream decoder and encoder; see evstream.h. */
#include "evstream.h"
#include <stdio.h>
#include <string.h>

/* prelude (12) + message CRC (4) */
#define EVS_OVERHEAD 16

uint32_t evs_crc32(uint32_t crc, const void *data, size_t len)
{
    /* Bitwise, no table: a few MB per run at most, and nothing to
     * initialise or share between threads. */
    const unsigned char *p = data;
    crc = ~crc;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           (uint32_t)p[3];
}

static void put_be32(struct buf *b, uint32_t v)
{
    unsigned char q[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    buf_append(b, q, 4);
}

void evs_feed(struct evs *d, const void *data, size_t len)
{
    if (d->failed || !len) return;
    if (d->off) {
        /* Drop what was handed back before growing the buffer. */
        memmove(d->in.p, d->in.p + d->off, d->in.len - d->off);
        d->in.len -= d->off;
        d->off = 0;
    }
    buf_append(&d->in, data, len);
}

int evs_pending(const struct evs *d)
{
    return d->in.len > d->off;
}

static int fail(struct evs *d, const char *why, unsigned long a,
                unsigned long b)
{
    snprintf(d->err, sizeof d->err, why, a, b);
    d->failed = 1;
    return -1;
}

/* The value of a kept header, or NULL; types other than string have
 * fixed or u16-prefixed lengths and are skipped. Returns the bytes the
 * value takes, or -1 when it runs past end. */
static long header_value_len(unsigned char type, const unsigned char *v,
                             const unsigned char *end)
{
    static const signed char fixed[] = {0, 0, 1, 2, 4, 8, -1, -1, 8, 16};
    if (type > 9) return -1;
    if (fixed[type] >= 0)
        return v + fixed[type] <= end ? fixed[type] : -1;
    if (end - v < 2) return -1;
    long n = (long)v[0] << 8 | v[1];
    return v + 2 + n <= end ? 2 + n : -1;
}

static int parse_headers(struct evs *d, const unsigned char *h, size_t hlen,
                         struct evs_msg *m)
{
    static const char *const names[] = {":event-type", ":message-type",
        ":exception-type", ":content-type", ":error-code", ":error-message"};
    size_t at[6];
    int have[6] = {0};
    const unsigned char *end = h + hlen;
    buf_reset(&d->hv);
    while (h < end) {
        size_t nl = h[0];
        if (nl == 0 || h + 1 + nl + 1 > end)
            return fail(d, "event stream: header name runs past the headers "
                        "(%lu of %lu bytes)", (unsigned long)nl,
                        (unsigned long)hlen);
        const unsigned char *name = h + 1;
        unsigned char type = h[1 + nl];
        const unsigned char *v = h + 2 + nl;
        long vl = header_value_len(type, v, end);
        if (vl < 0)
            return fail(d, "event stream: header value of type %lu runs past "
                        "the headers (%lu bytes)", type, (unsigned long)hlen);
        for (int i = 0; type == 7 && i < 6; i++)
            if (strlen(names[i]) == nl && !memcmp(names[i], name, nl)) {
                at[i] = d->hv.len;
                have[i] = 1;
                buf_append(&d->hv, v + 2, (size_t)vl - 2);
                buf_putc(&d->hv, '\0');
            }
        h = v + vl;
    }
    const char *base = buf_str(&d->hv);
    const char **out[6] = {&m->event_type, &m->message_type,
                           &m->exception_type, &m->content_type,
                           &m->error_code, &m->error_message};
    for (int i = 0; i < 6; i++) *out[i] = have[i] ? base + at[i] : NULL;
    return 0;
}

int evs_next(struct evs *d, struct evs_msg *m)
{
    if (d->failed) return -1;
    memset(m, 0, sizeof *m);
    size_t avail = d->in.len - d->off;
    if (avail < 12) return 0;
    const unsigned char *p = (const unsigned char *)d->in.p + d->off;
    uint32_t total = be32(p), hlen = be32(p + 4);
    if (evs_crc32(0, p, 8) != be32(p + 8))
        return fail(d, "event stream: prelude CRC mismatch (total length %lu, "
                    "headers %lu): corrupted or not an event stream",
                    total, hlen);
    if (total < EVS_OVERHEAD || total > EVS_MAX_MESSAGE)
        return fail(d, "event stream: message of %lu bytes (expected 16 to "
                    "%lu)", total, EVS_MAX_MESSAGE);
    if (hlen > EVS_MAX_HEADERS || hlen > total - EVS_OVERHEAD)
        return fail(d, "event stream: headers of %lu bytes in a message of "
                    "%lu", hlen, total);
    if (avail < total) return 0;
    if (evs_crc32(0, p, total - 4) != be32(p + total - 4))
        return fail(d, "event stream: message CRC mismatch (%lu bytes, "
                    "headers %lu): corrupted in transit", total, hlen);
    if (parse_headers(d, p + 12, hlen, m) < 0) return -1;
    m->payload = (const char *)p + 12 + hlen;
    m->payload_len = total - EVS_OVERHEAD - hlen;
    d->off += total;
    return 1;
}

void evs_free(struct evs *d)
{
    buf_free(&d->in);
    buf_free(&d->hv);
    memset(d, 0, sizeof *d);
}

void evs_encode(struct buf *out, const char *const *names,
                const char *const *values, int n, const void *payload,
                size_t len)
{
    struct buf h = {0};
    for (int i = 0; i < n; i++) {
        size_t nl = strlen(names[i]), vl = strlen(values[i]);
        buf_putc(&h, (char)nl);
        buf_append(&h, names[i], nl);
        buf_putc(&h, 7);
        buf_putc(&h, (char)(vl >> 8));
        buf_putc(&h, (char)vl);
        buf_append(&h, values[i], vl);
    }
    size_t start = out->len;
    put_be32(out, (uint32_t)(h.len + len + EVS_OVERHEAD));
    put_be32(out, (uint32_t)h.len);
    put_be32(out, evs_crc32(0, out->p + start, 8));
    buf_append(out, h.p, h.len);
    buf_append(out, payload, len);
    put_be32(out, evs_crc32(0, out->p + start, out->len - start));
    buf_free(&h);
}
