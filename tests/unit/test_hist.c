/* test_hist.c — histogram accuracy against exact percentiles of random
 * samples, exact merge, serialization round trip, hostile input. */
#include "t.h"
#include "hist.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t next(void)
{
    rng ^= rng >> 12; rng ^= rng << 25; rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1DULL;
}

static double unit(void)
{
    return (double)(next() >> 11) / 9007199254740992.0;
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Exact percentile with the same rank rule as hist_percentile. */
static int64_t exact(const int64_t *sorted, int n, double p)
{
    int64_t rank = (int64_t)ceil(p / 100.0 * n);
    if (rank < 1) rank = 1;
    return sorted[rank - 1];
}

static void check_accuracy(const char *what, int64_t (*gen)(void))
{
    enum { N = 200000 };
    int64_t *v = malloc(N * sizeof *v);
    struct hist *h = hist_new(3);
    for (int i = 0; i < N; i++) {
        v[i] = gen();
        hist_record(h, v[i]);
    }
    qsort(v, N, sizeof *v, cmp64);
    const double ps[] = {1, 50, 90, 95, 99, 99.9, 99.99};
    int bad = 0;
    for (size_t i = 0; i < sizeof ps / sizeof *ps; i++) {
        int64_t want = exact(v, N, ps[i]), got = hist_percentile(h, ps[i]);
        double rel = fabs((double)got - (double)want) / (double)want;
        if (rel > 1e-3) {
            bad++;
            fprintf(stderr, "%s p%g: got %lld, exact %lld (%.5f)\n", what,
                    ps[i], (long long)got, (long long)want, rel);
        }
    }
    CHECK(bad == 0);
    CHECK_INT(hist_percentile(h, 0), v[0]);
    CHECK_INT(hist_percentile(h, 100), v[N - 1]);
    CHECK_INT(h->total, N);
    free(v);
    hist_free(h);
}

static int64_t gen_uniform(void) { return 1 + (int64_t)(unit() * 100000); }
static int64_t gen_lognormal(void)
{
    double u1 = unit() + 1e-12, u2 = unit();
    double z = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
    return (int64_t)exp(8.0 + 1.5 * z) + 1;       /* median ~3 ms, long tail */
}
static int64_t gen_wide(void)
{
    return (int64_t)exp(unit() * log(3.6e9)) + 1; /* 1 us .. 1 h */
}

static void test_accuracy(void)
{
    check_accuracy("uniform", gen_uniform);
    check_accuracy("lognormal", gen_lognormal);
    check_accuracy("wide", gen_wide);
}

static void test_merge_exact(void)
{
    struct hist *a = hist_new(3), *b = hist_new(3), *all = hist_new(3);
    for (int i = 0; i < 50000; i++) {
        int64_t x = gen_wide();
        hist_record(i % 3 ? a : b, x);
        hist_record(all, x);
    }
    CHECK(hist_add(a, b) == 0);
    CHECK_INT(a->total, all->total);
    CHECK_INT(a->min, all->min);
    CHECK_INT(a->max, all->max);
    int same = 1;
    for (int32_t i = 0; i < a->counts_len; i++)
        if (a->counts[i] != all->counts[i]) same = 0;
    CHECK(same);
    CHECK_INT(hist_percentile(a, 99.9), hist_percentile(all, 99.9));
    struct hist *other = hist_new(2);
    CHECK(hist_add(a, other) == -1);           /* layouts differ */
    CHECK_INT(a->total, all->total);           /* unchanged */
    hist_free(a); hist_free(b); hist_free(all); hist_free(other);
}

static void test_clamp_and_empty(void)
{
    struct hist *h = hist_new(3);
    CHECK_INT(hist_percentile(h, 50), 0);
    hist_record(h, 0);
    hist_record(h, HIST_HIGHEST_US * 10);
    CHECK_INT(h->min, 1);
    CHECK_INT(h->max, HIST_HIGHEST_US);
    CHECK_INT(h->total, 2);
    struct hist *bad;
    CHECK(hist_init(1, 3, &bad) == -1);
    CHECK(hist_init(1000, 6, &bad) == -1);
    hist_free(h);
}

static void test_encode(void)
{
    struct hist *h = hist_new(3);
    for (int i = 0; i < 20000; i++) hist_record(h, gen_lognormal());
    hist_record_n(h, 123456, 1LL << 40);
    char *s = hist_encode(h);
    struct hist *d = NULL;
    CHECK(hist_decode(s, &d) == 0);
    if (d) {
        CHECK_INT(d->total, h->total);
        int same = d->counts_len == h->counts_len;
        for (int32_t i = 0; same && i < h->counts_len; i++)
            if (d->counts[i] != h->counts[i]) same = 0;
        CHECK(same);
        CHECK_INT(hist_percentile(d, 50), hist_percentile(h, 50));
        /* exact extremes survive, so every percentile reads back equal */
        CHECK_INT(d->min, h->min);
        CHECK_INT(d->max, h->max);
        for (double q = 90; q <= 100; q += 0.5)
            CHECK_INT(hist_percentile(d, q), hist_percentile(h, q));
        hist_free(d);
    }
    CHECK(strlen(s) < 20000);                  /* sparse: small */
    /* Every truncation is refused or decodes to fewer samples, never a
     * crash; bytes flipped into invalid characters are refused. */
    size_t n = strlen(s);
    int refused = 0;
    for (size_t cut = 0; cut < n; cut += 7) {
        char *t = strndup(s, cut);
        struct hist *x = NULL;
        if (hist_decode(t, &x) < 0) refused++;
        else { CHECK(x->total < h->total); hist_free(x); }
        free(t);
    }
    CHECK(refused > 0);
    const char *garbage[] = {"", "v1", "v2:3600000000:3:0:0:",
        "v1:3600000000:3:", "v1:3600000000:3:0:0:@@@@",
        "v1:3600000000:3:0:0:A", "v1:1:3:0:0:", "v1:3600000000:9:0:0:",
        "v1:3600000000:3:0:0://///////////8=",  /* varint overflow */
        "v1:3600000000:3:0:0:/w==",              /* truncated varint */
        "v1:3600000000:3:0:0:AAA=AAAA",          /* padding in the middle */
        "v1:3600000000:3:5:0:",                  /* extremes, no samples */
        "v1:3600000000:3:1:1:AAE=",              /* bucket 0: never filled */
        "v1:3600000000:3:900:5:AAE=",            /* min > max */
        "v1:999999999999999999:4:0:0:"};         /* absurd layout */
    for (size_t i = 0; i < sizeof garbage / sizeof *garbage; i++) {
        struct hist *x = NULL;
        int rc = hist_decode(garbage[i], &x);
        if (rc == 0) fprintf(stderr, "accepted: %s\n", garbage[i]);
        CHECK(rc == -1);
        hist_free(x);
    }
    struct hist *e = hist_new(3), *ed = NULL;
    char *es = hist_encode(e);
    CHECK(hist_decode(es, &ed) == 0 && ed->total == 0);
    hist_free(e); hist_free(ed); free(es);
    free(s);
    hist_free(h);
}

static void test_iterate(void)
{
    struct hist *h = hist_new(3);
    hist_record(h, 10);
    hist_record(h, 10);
    hist_record(h, 5000);
    int32_t it = 0;
    int64_t v, c, total = 0, buckets = 0;
    while (hist_next(h, &it, &v, &c)) { total += c; buckets++; }
    CHECK_INT(total, 3);
    CHECK_INT(buckets, 2);
    hist_free(h);
}

int main(void)
{
    T_RUN(test_accuracy);
    T_RUN(test_merge_exact);
    T_RUN(test_clamp_and_empty);
    T_RUN(test_encode);
    T_RUN(test_iterate);
    return T_DONE();
}
