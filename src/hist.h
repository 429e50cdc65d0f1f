/* hist — an HDR-style log-linear latency histogram, written for herd.
 *
 * Values are integers in microseconds. A histogram covers [1, highest] with
 * a given number of significant decimal digits: every recorded value v is
 * counted in a bucket whose width is at most v / 10^sigfigs, so any
 * percentile read back is within that relative error of the exact sample
 * percentile. Values above highest are clamped to highest (and counted);
 * values below 1 are counted as 1.
 *
 * Layout (as HdrHistogram): sub_bucket_count = 2^ceil(log2(2 * 10^sigfigs))
 * linear sub-buckets per power-of-two bucket; index computed with one
 * count-leading-zeros, so hist_record is O(1) and allocation-free.
 *
 * Merging is exact: hist_add(dst, src) gives the same counts as recording
 * every value of both into one histogram, provided both were created with
 * the same (highest, sigfigs) — otherwise it returns -1 and changes nothing.
 *
 * Thread-safety: none; each worker owns its histograms and they are merged
 * after join (or after decoding results from other processes).
 * Ownership: hist_new returns a histogram the caller frees with hist_free. */
#ifndef HERD_HIST_H
#define HERD_HIST_H
#include <stdint.h>
#include <stddef.h>

struct hist {
    int64_t highest;          /* largest trackable value, us */
    int sigfigs;              /* 1..5 */
    int unit_magnitude;       /* always 0: lowest trackable value is 1 us */
    int sub_bucket_half_count_magnitude;
    int32_t sub_bucket_count;
    int32_t sub_bucket_half_count;
    int64_t sub_bucket_mask;
    int32_t bucket_count;
    int32_t counts_len;
    int64_t total;            /* number of recorded values */
    int64_t min, max;         /* exact extremes of recorded values (clamped) */
    int64_t *counts;          /* counts_len entries */
};

/* Default ranges used by herd: 1 us .. 1 hour, 3 significant digits for
 * transactions (~190 KB each); 1 digit (within ~6%, ~4 KB) for the
 * per-second timeline, which only feeds charts and the progress line and
 * must stay small over hours of run time. */
#define HIST_HIGHEST_US  3600000000LL
#define HIST_SIGFIGS     3
#define HIST_TL_SIGFIGS  1

/* Creates an empty histogram. Returns 0 and sets *out, or -1 when the
 * arguments are out of range (highest < 2, sigfigs not in 1..5). */
int hist_init(int64_t highest, int sigfigs, struct hist **out);
/* Shorthand for hist_init(HIST_HIGHEST_US, sigfigs, ...); aborts on OOM. */
struct hist *hist_new(int sigfigs);
void hist_free(struct hist *h);
void hist_reset(struct hist *h);

/* Records one value (us), count times. O(1), never allocates. */
void hist_record(struct hist *h, int64_t value_us);
void hist_record_n(struct hist *h, int64_t value_us, int64_t count);

/* dst += src. Returns 0, or -1 if the layouts differ (dst unchanged). */
int hist_add(struct hist *dst, const struct hist *src);

/* Value at percentile p (0..100): the highest value equivalent to the bucket
 * holding the ceil(p/100 * total)-th smallest sample; p = 100 returns max and
 * p = 0 returns min. Returns 0 for an empty histogram. */
int64_t hist_percentile(const struct hist *h, double p);
/* Mean of the bucket midpoints (for display only; herd keeps the exact mean
 * beside the histogram). */
double hist_mean(const struct hist *h);

/* Compact text serialization: "v1:<highest>:<sigfigs>:<min>:<max>:<base64>"
 * where min and max are the exact extremes and the base64 holds varints of
 * (run of empty buckets, count) pairs, so sparse histograms are small.
 * Returns a malloc'd string (caller frees). */
char *hist_encode(const struct hist *h);
/* Parses hist_encode output. Returns 0 and sets *out (caller frees with
 * hist_free), or -1 on any malformed, truncated or out-of-range input (never
 * crashes, never reads out of bounds), including extremes that do not fit
 * the buckets. The total is recomputed. Decoding what hist_encode wrote
 * gives the same counts, min, max and so the same percentiles. */
int hist_decode(const char *s, struct hist **out);

/* Iterates the non-empty buckets in ascending order. Start with *iter = 0;
 * returns 1 and sets the bucket's highest equivalent value and its count,
 * or 0 when done. */
int hist_next(const struct hist *h, int32_t *iter, int64_t *value_us,
              int64_t *count);
#endif
