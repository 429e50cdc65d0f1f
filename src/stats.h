/* stats — what a run measured: per-transaction latency histograms and
 * counters, errors by class, status codes, iteration accounting and a
 * per-second timeline. The mergeable core of a result.
 *
 * Who calls it: each engine worker owns one struct stats and records into
 * it on its own thread (no locks, no atomics). After join, the workers'
 * stats are folded together with stats_merge — the same function that
 * merges results read back from other processes or Lambda shards — so a
 * local run and a distributed run are added up by one piece of code.
 *
 * Units: latencies in microseconds; timeline seconds are Unix wall-clock
 * seconds (so shards on different machines line up); everything else counts.
 *
 * A transaction ("tx") is a name under which samples are counted: a request
 * step, each poll request, or a whole poll wait (first poll to terminal
 * state: the "flow" kind, the old system's container time). Two latencies
 * are kept per sample: latency_us measured from the intended start (open
 * model: corrected for coordinated omission) and service_us measured from
 * the actual send; in a closed model they are equal. */
#ifndef HERD_STATS_H
#define HERD_STATS_H
#include <stdint.h>
#include "hist.h"

enum stats_kind { STATS_REQUEST = 0, STATS_FLOW = 1 };

/* Error classes. Keep in step with stats_err_name(). */
enum err_class {
    ERR_NONE = 0,
    ERR_CONNECT,          /* refused, unreachable, reset before response */
    ERR_DNS,              /* name did not resolve */
    ERR_TLS,              /* handshake or certificate */
    ERR_TIMEOUT,          /* request exceeded its timeout */
    ERR_TRANSPORT,        /* any other transfer failure (bad framing, ...) */
    ERR_STATUS,           /* status not in the expected set */
    ERR_CHECK,            /* body/JSON/header check failed (detail: which) */
    ERR_EXTRACT,          /* an extract found nothing */
    ERR_INVALID_JSON,     /* a poll or JSON check got a non-JSON body */
    ERR_RETRIES,          /* retry-on-status exhausted its tries */
    ERR_POLL_TIMEOUT,     /* poll never reached until/fail_on in time */
    ERR_POLL_FAILED,      /* poll reached a fail_on value or status */
    ERR_INTERRUPTED,      /* run stopped while the request was in flight */
    ERR__COUNT
};

/* "connect", "dns", "tls", "timeout", "transport", "status", "check",
 * "extract", "invalid_json", "retries_exhausted", "poll_timeout",
 * "poll_failed", "interrupted"; NULL for out-of-range values. */
const char *stats_err_name(enum err_class c);
/* Inverse of stats_err_name; returns ERR_NONE for unknown names. */
enum err_class stats_err_parse(const char *name);

/* One error key with its count, e.g. class "check", detail
 * "contains \"OK\"". The key string is "<class>" or "<class>: <detail>". */
struct stats_err {
    char *key;          /* owned */
    int64_t count;
};

#define STATS_MAX_STATUS 600    /* HTTP status codes 0..599; 0 = no response */

/* Success and failure are kept apart (Gatling's OK/KO): a refused
 * connection answers in microseconds and a poll that timed out took exactly
 * its timeout, so mixing them into one histogram makes the headline
 * percentiles say something about neither. The latency fields without a
 * prefix are of successful samples (err == ERR_NONE) only; the fail_ ones
 * of failed samples only. count and errors count both sides.
 *
 *   count  = successful samples + failed            (every sample)
 *   failed = samples recorded with an error         (have a latency)
 *   errors = failed + errors with no sample (stats_error: an extract
 *            failing after a good response, a request interrupted in
 *            flight), so errors >= failed
 * stats_tx_ok() is count - failed: the n of hist, min/max/mean/m2. */
struct stats_tx {
    char *name;                 /* owned */
    enum stats_kind kind;
    int64_t count;              /* samples recorded (ok + failed) */
    int64_t errors;             /* failures, with or without a sample */
    int64_t failed;             /* of count, samples that failed */
    /* Successful samples only: */
    int64_t min_us, max_us;     /* exact, of latency_us; 0 when none */
    double mean_us, m2;         /* Welford running mean / sum of squares of
                                   deviations, latency_us; merged with Chan */
    struct hist *hist;          /* latency_us (corrected) */
    struct hist *hist_service;  /* service_us (uncorrected) */
    /* Failed samples only (latency_us; their service time is not kept): */
    int64_t fail_min_us, fail_max_us;   /* 0 when failed == 0 */
    double fail_mean_us, fail_m2;
    struct hist *fail_hist;     /* same layout as hist */
    int64_t status[STATS_MAX_STATUS];
    struct stats_err *errs;     /* owned array, nerrs entries */
    int nerrs, errs_cap;
};

/* One second of the timeline (Unix second t). */
struct stats_sec {
    int64_t t;
    int64_t requests;           /* request samples finished in this second */
    int64_t errors;             /* of which failed */
    int64_t iterations;         /* iterations finished in this second */
    int64_t active_users;       /* max concurrent active users seen */
    struct hist *hist;          /* latencies of the successful requests
                                   (requests - errors of them),
                                   HIST_TL_SIGFIGS; NULL when no successful
                                   request finished this second */
};

struct stats {
    struct stats_tx *tx;        /* owned array, ntx entries */
    int ntx, tx_cap;
    /* Iterations: started == succeeded + failed + interrupted. dropped
     * counts open-model arrivals that could not start (no free user). */
    int64_t iter_started, iter_succeeded, iter_failed, iter_interrupted;
    int64_t iter_dropped;
    /* Requests sent by herd's HTTP/1.1 fast path and by libcurl's HTTP
     * layer (engine.c decides which, per request). */
    int64_t path_fast, path_libcurl;
    /* Timeline: only the seconds that have data, in increasing order of
     * t, each once (sparse: a merge of two runs a week apart holds their
     * seconds, not the week). nsec entries used of sec_cap. A second that
     * is not there had nothing: no request, iteration or user. */
    struct stats_sec *sec;
    int nsec, sec_cap;
    /* How late herd's own timers fired (think time, poll interval, retry
     * back-off, iteration pacing): fired minus due, us. A busy generator
     * shows here first. NULL until the first sample. */
    struct hist *timer_late;
};

#define STATS_LATE_SIGFIGS 2

/* Returns a new empty stats (caller frees with stats_free). */
struct stats *stats_new(void);
void stats_free(struct stats *s);

/* Returns the index of the transaction called name, adding it (with kind)
 * if missing. Indexes stay valid for the life of s. The engine registers
 * every name up front, so recording never searches. */
int stats_tx_index(struct stats *s, const char *name, enum stats_kind kind);
/* Returns the index of name, or -1. */
int stats_tx_find(const struct stats *s, const char *name);

/* Records one sample of transaction tx finishing at Unix second wall_s.
 * status: HTTP status (0 = none); err: ERR_NONE for success; detail: which
 * check failed (may be NULL; copied). A success feeds hist, hist_service
 * and min/max/mean; a failure fail_hist and the fail_ moments. Request
 * samples (kind REQUEST) also feed the timeline (its hist: successes).
 * Hot path: no allocation unless a new error key or a new timeline second
 * appears; the current (last) second is found in O(1), a new later second
 * is appended, an earlier one is found by binary search and inserted. */
void stats_record(struct stats *s, int tx, int64_t latency_us,
                  int64_t service_us, int status, enum err_class err,
                  const char *detail, int64_t wall_s);

/* Counts an error that has no latency sample (e.g. an extract failing
 * after a successful response): adds to the tx's error keys and errors,
 * without touching count or histograms. */
void stats_error(struct stats *s, int tx, enum err_class err,
                 const char *detail);

/* The timeline entry of Unix second t, or NULL when t has none (binary
 * search; the last second first). */
const struct stats_sec *stats_sec_find(const struct stats *s, int64_t t);

/* Notes an iteration finishing at wall_s (for the timeline). */
void stats_iteration(struct stats *s, int64_t wall_s);
/* Notes the number of active users at wall_s (timeline keeps the max). */
void stats_active(struct stats *s, int64_t wall_s, int64_t users);
/* Notes that a timer fired late_us after it was due. */
void stats_timer_late(struct stats *s, int64_t late_us);

/* dst += src, exactly: transactions matched by name (added when missing
 * and not empty: a transaction dst does not list and src never recorded
 * adds nothing),
 * counters summed, histograms added, mean/stddev combined, timelines aligned
 * by Unix second (a merge of the two sorted lists: O(seconds of src +
 * seconds of dst from src's first on); the result holds the seconds of
 * either). Returns 0, or -1 if histogram layouts differ (the rest is
 * still merged). */
int stats_merge(struct stats *dst, const struct stats *src);

/* Empties s, keeping its transactions (names, kinds, indexes) and its
 * allocations: counters, histograms, error keys and timeline go to zero. */
void stats_reset(struct stats *s);

/* Successful samples of t: count - failed. */
int64_t stats_tx_ok(const struct stats_tx *t);
/* Sample standard deviation (n - 1) of a tx's successful latency_us; 0 if
 * fewer than 2 successful samples. */
double stats_tx_stddev(const struct stats_tx *t);
/* The same of its failed samples. */
double stats_tx_fail_stddev(const struct stats_tx *t);
/* Mean, max and sample standard deviation of every sample, successful and
 * failed together (Chan's combination of the two sides, exact): what the
 * old system's avg/max/std_web_time columns hold. Zeros when count == 0. */
void stats_tx_all_moments(const struct stats_tx *t, double *mean_us,
                          int64_t *max_us, double *stddev_us);

/* Folds every transaction of the given kind into out (an empty stats_tx
 * the caller owns and frees with stats_tx_clear): the "all requests" row
 * ("web time") or the "all flows" row ("container time"). */
void stats_tx_sum(const struct stats *s, enum stats_kind kind,
                  const char *name, struct stats_tx *out);
void stats_tx_clear(struct stats_tx *t);

/* The percentiles herd reports of each transaction, everywhere: the
 * result document (STATS_PCT_KEYS + "_us"), the text, CSV and HTML
 * reports, and the database's p*_time columns. One list, in order, as
 * initializers: `static const double ps[] = {STATS_PCTS};`. */
#define STATS_PCTS 50, 90, 95, 99, 99.9
#define STATS_PCT_KEYS "p50", "p90", "p95", "p99", "p999"
#endif
