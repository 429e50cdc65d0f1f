/* hist.c — log-linear histogram; see hist.h.
 *
 * Buckets: values are split into power-of-two "buckets", each divided into
 * sub_bucket_half_count linear sub-buckets (the first bucket has twice as
 * many, covering 0 .. sub_bucket_count-1 at unit resolution). A value's
 * slot is computed with one count-leading-zeros and two shifts, so
 * recording is O(1). With sub_bucket_count = 2^ceil(log2(2 * 10^sigfigs))
 * the width of the slot holding v is at most v / 10^sigfigs.
 *
 * Serialization ("v1:<highest>:<sigfigs>:<min>:<max>:<base64>") keeps the
 * exact extremes, so percentiles read back equal those of the run, and
 * walks the counts array writing, for every non-empty slot, two unsigned
 * LEB128 varints: the number of empty slots skipped
 * since the previous non-empty one, and the count. The bytes are base64'd
 * so the histogram travels inside JSON. */
#include "hist.h"
#include "buf.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bucket_index(const struct hist *h, int64_t v)
{
    int pow2ceiling = 64 - __builtin_clzll((uint64_t)(v | h->sub_bucket_mask));
    return pow2ceiling - h->unit_magnitude -
           (h->sub_bucket_half_count_magnitude + 1);
}

static int32_t counts_index(const struct hist *h, int64_t v)
{
    int b = bucket_index(h, v);
    int32_t sub = (int32_t)(v >> (b + h->unit_magnitude));
    return ((b + 1) << h->sub_bucket_half_count_magnitude) +
           (sub - h->sub_bucket_half_count);
}

static int64_t value_at_index(const struct hist *h, int32_t i)
{
    int b = (i >> h->sub_bucket_half_count_magnitude) - 1;
    int32_t sub = (i & (h->sub_bucket_half_count - 1)) +
                  h->sub_bucket_half_count;
    if (b < 0) {
        sub -= h->sub_bucket_half_count;
        b = 0;
    }
    return (int64_t)sub << (b + h->unit_magnitude);
}

static int64_t highest_equivalent(const struct hist *h, int64_t v)
{
    int b = bucket_index(h, v);
    int32_t sub = (int32_t)(v >> (b + h->unit_magnitude));
    int adj = sub >= h->sub_bucket_count ? b + 1 : b;
    int64_t size = (int64_t)1 << (h->unit_magnitude + adj);
    int64_t lowest = (int64_t)sub << (b + h->unit_magnitude);
    return lowest + size - 1;
}

int hist_init(int64_t highest, int sigfigs, struct hist **out)
{
    if (highest < 2 || sigfigs < 1 || sigfigs > 5) return -1;
    struct hist *h = xcalloc(1, sizeof *h);
    int64_t largest_single = 2 * (int64_t)pow(10, sigfigs);
    int mag = (int)ceil(log2((double)largest_single));
    h->highest = highest;
    h->sigfigs = sigfigs;
    h->unit_magnitude = 0;
    h->sub_bucket_half_count_magnitude = (mag > 1 ? mag : 1) - 1;
    h->sub_bucket_count = (int32_t)1 << (h->sub_bucket_half_count_magnitude + 1);
    h->sub_bucket_half_count = h->sub_bucket_count / 2;
    h->sub_bucket_mask = (int64_t)h->sub_bucket_count - 1;
    int64_t smallest_untrackable = (int64_t)h->sub_bucket_count;
    int buckets = 1;
    while (smallest_untrackable <= highest) {
        if (smallest_untrackable > INT64_MAX / 2) { buckets++; break; }
        smallest_untrackable <<= 1;
        buckets++;
    }
    h->bucket_count = buckets;
    h->counts_len = (buckets + 1) * h->sub_bucket_half_count;
    h->counts = xcalloc((size_t)h->counts_len, sizeof *h->counts);
    *out = h;
    return 0;
}

struct hist *hist_new(int sigfigs)
{
    struct hist *h;
    if (hist_init(HIST_HIGHEST_US, sigfigs, &h) < 0) abort();
    return h;
}

void hist_free(struct hist *h)
{
    if (!h) return;
    free(h->counts);
    free(h);
}

void hist_reset(struct hist *h)
{
    memset(h->counts, 0, (size_t)h->counts_len * sizeof *h->counts);
    h->total = h->min = h->max = 0;
}

void hist_record_n(struct hist *h, int64_t v, int64_t count)
{
    if (count <= 0) return;
    if (v < 1) v = 1;
    if (v > h->highest) v = h->highest;
    int32_t i = counts_index(h, v);
    if (i < 0 || i >= h->counts_len) return;      /* cannot happen: clamped */
    h->counts[i] += count;
    if (h->total == 0 || v < h->min) h->min = v;
    if (v > h->max) h->max = v;
    h->total += count;
}

void hist_record(struct hist *h, int64_t v)
{
    hist_record_n(h, v, 1);
}

int hist_add(struct hist *dst, const struct hist *src)
{
    if (dst->highest != src->highest || dst->sigfigs != src->sigfigs ||
        dst->counts_len != src->counts_len)
        return -1;
    if (src->total == 0) return 0;
    for (int32_t i = 0; i < src->counts_len; i++)
        dst->counts[i] += src->counts[i];
    if (dst->total == 0 || src->min < dst->min) dst->min = src->min;
    if (src->max > dst->max) dst->max = src->max;
    dst->total += src->total;
    return 0;
}

int64_t hist_percentile(const struct hist *h, double p)
{
    if (h->total == 0) return 0;
    if (p <= 0) return h->min;
    if (p >= 100) return h->max;
    int64_t want = (int64_t)ceil(p / 100.0 * (double)h->total);
    if (want < 1) want = 1;
    int64_t seen = 0;
    for (int32_t i = 0; i < h->counts_len; i++) {
        seen += h->counts[i];
        if (seen >= want) {
            int64_t v = highest_equivalent(h, value_at_index(h, i));
            if (v > h->max) v = h->max;
            if (v < h->min) v = h->min;
            return v;
        }
    }
    return h->max;
}

double hist_mean(const struct hist *h)
{
    if (h->total == 0) return 0;
    double sum = 0;
    for (int32_t i = 0; i < h->counts_len; i++) {
        if (!h->counts[i]) continue;
        int64_t lo = value_at_index(h, i);
        double mid = ((double)lo + (double)highest_equivalent(h, lo)) / 2.0;
        sum += mid * (double)h->counts[i];
    }
    return sum / (double)h->total;
}

int hist_next(const struct hist *h, int32_t *iter, int64_t *value_us,
              int64_t *count)
{
    for (int32_t i = *iter; i < h->counts_len; i++) {
        if (!h->counts[i]) continue;
        *value_us = highest_equivalent(h, value_at_index(h, i));
        *count = h->counts[i];
        *iter = i + 1;
        return 1;
    }
    *iter = h->counts_len;
    return 0;
}

/* ---- serialization ----------------------------------------------------- */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void put_varint(struct buf *b, uint64_t v)
{
    while (v >= 0x80) {
        buf_putc(b, (char)(0x80 | (v & 0x7F)));
        v >>= 7;
    }
    buf_putc(b, (char)v);
}

static int get_varint(const unsigned char **p, const unsigned char *end,
                      uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*p >= end) return -1;
        unsigned char c = *(*p)++;
        v |= (uint64_t)(c & 0x7F) << shift;
        if (!(c & 0x80)) { *out = v; return 0; }
    }
    return -1;
}

char *hist_encode(const struct hist *h)
{
    struct buf raw = {0}, out = {0};
    int64_t gap = 0;
    for (int32_t i = 0; i < h->counts_len; i++) {
        if (!h->counts[i]) { gap++; continue; }
        put_varint(&raw, (uint64_t)gap);
        put_varint(&raw, (uint64_t)h->counts[i]);
        gap = 0;
    }
    buf_printf(&out, "v1:%lld:%d:%lld:%lld:", (long long)h->highest,
               h->sigfigs, (long long)h->min, (long long)h->max);
    const unsigned char *s = (const unsigned char *)buf_str(&raw);
    for (size_t i = 0; i < raw.len; i += 3) {
        uint32_t n = (uint32_t)s[i] << 16;
        if (i + 1 < raw.len) n |= (uint32_t)s[i + 1] << 8;
        if (i + 2 < raw.len) n |= s[i + 2];
        buf_putc(&out, b64[(n >> 18) & 63]);
        buf_putc(&out, b64[(n >> 12) & 63]);
        buf_putc(&out, i + 1 < raw.len ? b64[(n >> 6) & 63] : '=');
        buf_putc(&out, i + 2 < raw.len ? b64[n & 63] : '=');
    }
    buf_free(&raw);
    return buf_steal(&out);
}

static int b64_val(char c)
{
    const char *p = c ? strchr(b64, c) : NULL;
    return p ? (int)(p - b64) : -1;
}

int hist_decode(const char *s, struct hist **out)
{
    long long highest, min, max;
    int sigfigs, off = 0;
    if (!s || sscanf(s, "v1:%lld:%d:%lld:%lld:%n", &highest, &sigfigs, &min,
                     &max, &off) != 4 || off == 0)
        return -1;
    /* Refuse layouts herd never writes, so hostile input cannot make us
     * allocate hundreds of megabytes. */
    if (highest > 1000 * HIST_HIGHEST_US || sigfigs > 4) return -1;
    struct hist *h;
    if (hist_init(highest, sigfigs, &h) < 0) return -1;
    const char *p = s + off;
    size_t len = strlen(p);
    if (len % 4) { hist_free(h); return -1; }
    struct buf raw = {0};
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        for (int k = 0; k < 4; k++) v[k] = b64_val(p[i + k]);
        int pad2 = p[i + 2] == '=', pad3 = p[i + 3] == '=';
        int last = i + 4 == len;
        if (v[0] < 0 || v[1] < 0 || (v[2] < 0 && !pad2) ||
            (v[3] < 0 && !pad3) || (pad2 && !pad3) ||
            ((pad2 || pad3) && !last)) {
            buf_free(&raw);
            hist_free(h);
            return -1;
        }
        uint32_t n = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
                     (uint32_t)(pad2 ? 0 : v[2]) << 6 | (uint32_t)(pad3 ? 0 : v[3]);
        buf_putc(&raw, (char)(n >> 16));
        if (!pad2) buf_putc(&raw, (char)(n >> 8));
        if (!pad3) buf_putc(&raw, (char)n);
    }
    const unsigned char *q = (const unsigned char *)buf_str(&raw);
    const unsigned char *end = q + raw.len;
    int64_t idx = -1;
    int rc = 0;
    while (q < end) {
        uint64_t gap, count;
        if (get_varint(&q, end, &gap) < 0 || get_varint(&q, end, &count) < 0 ||
            count == 0 || count > (uint64_t)INT64_MAX ||
            gap >= (uint64_t)h->counts_len) {
            rc = -1;
            break;
        }
        idx += (int64_t)gap + 1;
        if (idx >= h->counts_len ||
            h->total > INT64_MAX - (int64_t)count) { rc = -1; break; }
        h->counts[idx] = (int64_t)count;
        int64_t lo = value_at_index(h, (int32_t)idx);
        int64_t hi = highest_equivalent(h, lo);
        if (hi > h->highest) hi = h->highest;
        if (lo < 1) lo = 1;
        if (h->total == 0 || lo < h->min) h->min = lo;
        if (hi > h->max) h->max = hi;
        h->total += (int64_t)count;
    }
    buf_free(&raw);
    /* The exact extremes travel beside the buckets; they must lie within
     * the first and last non-empty bucket. */
    if (rc == 0 && h->total == 0 && (min || max)) rc = -1;
    if (rc == 0 && h->total > 0) {
        int64_t lo = value_at_index(h, counts_index(h, h->min < 1 ? 1 : h->min));
        if (min > max || min < lo || min > h->max || max > h->max ||
            max < value_at_index(h, counts_index(h, h->max)))
            rc = -1;
        h->min = min;
        h->max = max;
    }
    if (rc < 0) { hist_free(h); return -1; }
    *out = h;
    return 0;
}
