/* stats — what a run measured: per-transaction latency histograms and
 * counters, errors by class, status codes, request timing phases and
 * bytes, iteration accounting, a per-second timeline of the run and one
 * of each transaction. The mergeable core of a result.
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

/* Request timing phases, each a duration of its own (they add up to the
 * request's time, give or take libcurl's bookkeeping):
 *   dns       name lookup
 *   connect   TCP connect, after the lookup
 *   tls       TLS handshake, after the connect (https only)
 *   wait      request ready to go -> first response byte (sending the
 *             request and the server's think time: k6's http_req_sending
 *             + http_req_waiting; the server's part of time to first byte)
 *   transfer  first response byte -> last (k6's http_req_receiving)
 * dns, connect and tls happen only on a new connection: a reused one
 * skips them, and they are not counted for it (so their means are "per
 * new connection", and their count says how many connections were made). */
enum stats_phase_id {
    STATS_PH_DNS = 0, STATS_PH_CONNECT, STATS_PH_TLS, STATS_PH_WAIT,
    STATS_PH_TRANSFER, STATS_PH__COUNT
};
/* "dns", "connect", "tls", "wait", "transfer"; NULL when out of range. */
const char *stats_phase_name(int phase);

/* One finished request's phases and bytes: what a transport (the libcurl
 * path, or any other) hands to stats_request_phases. A phase that did not
 * happen is -1. Bytes as on the wire: sent = request line + headers +
 * body, received = status line + headers + body (nginx's $request_length
 * and $bytes_sent). */
struct stats_req_phases {
    int64_t us[STATS_PH__COUNT];
    int64_t sent_bytes, received_bytes;
};

/* Fills p from libcurl-style cumulative times, each from the transfer's
 * start (us; CURLINFO_NAMELOOKUP/CONNECT/APPCONNECT/PRETRANSFER/
 * STARTTRANSFER/TOTAL_TIME_T), where a phase that was skipped reads 0.
 * connect_us == 0 means a reused connection (no dns/connect/tls);
 * appconnect_us == 0 means no TLS; starttransfer_us == 0 means no
 * response byte arrived (no wait/transfer). Bytes are left alone. */
void stats_phases_from_cumulative(struct stats_req_phases *p,
                                  int64_t namelookup_us, int64_t connect_us,
                                  int64_t appconnect_us,
                                  int64_t pretransfer_us,
                                  int64_t starttransfer_us, int64_t total_us);

/* One phase of a transaction: exact count/sum/max (merged by adding) and a
 * histogram (STATS_PHASE_SIGFIGS) for percentiles. */
struct stats_phase {
    int64_t count, sum_us, max_us;
    struct hist *hist;
};
#define STATS_PHASE_SIGFIGS 2

/* A timeline: one entry per Unix second that has data, increasing t. */
struct stats_sec;

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
    /* Requests only (stats_request_phases): every finished request,
     * successful or not, counts its bytes and the phases it went through. */
    struct stats_phase phase[STATS_PH__COUNT];
    int64_t sent_bytes, received_bytes;
    /* This transaction's own per-second latency (requests and flows):
     * sparse and sorted like stats.sec; per entry requests = samples
     * finished that second, errors = of which failed, hist = successful
     * latency_us (HIST_TL_SIGFIGS; NULL when none succeeded);
     * iterations and active_users stay 0. */
    struct stats_sec *sec;
    int nsec, sec_cap;
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
    int hist_cut;               /* transaction timelines only: 1 when the
                                   memory bound (STATS_TX_TL_HISTS) left
                                   this second without its histogram
                                   (hist NULL); requests and errors stay
                                   exact */
};

/* The memory bound of the transactions' own timelines: at most this many
 * per-second latency histograms (~4 KiB each: ~28 MiB) across all the
 * transactions of one struct stats, first come first kept (a 1-hour run
 * with 20 transactions keeps about its first 6 minutes; 2 transactions the
 * whole hour). A second past the bound keeps its exact requests and
 * errors and is marked hist_cut; a second that has its histogram has all
 * of it, merged exactly (a merge that meets a cut second on either side
 * cuts it). */
#define STATS_TX_TL_HISTS 7200

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
    /* Histograms held by the transactions' own timelines (the memory
     * bound: STATS_TX_TL_HISTS). */
    int64_t tx_tl_hists;
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
    /* Secret values (mask.h) no error key may carry: a detail taken from
     * a response (a poll's fail_on value) or from the plan is masked as it
     * is counted. Borrowed (the plan's); NULL when none. */
    char *const *secrets;
    int nsecrets;
};

#define STATS_LATE_SIGFIGS 2

/* Returns a new empty stats (caller frees with stats_free). */
struct stats *stats_new(void);
void stats_free(struct stats *s);

/* Makes every error detail recorded into s from now on masked against
 * secrets (n values, as typed and encoded: mask_secret_forms); secrets
 * are borrowed and must outlive s. Merging does not mask: what is merged
 * was masked where it was recorded. */
void stats_set_secrets(struct stats *s, char *const *secrets, int n);

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

/* Adds one finished request's phases and bytes to transaction tx (a
 * request transaction). Never allocates. */
void stats_request_phases(struct stats *s, int tx,
                          const struct stats_req_phases *p);
/* Mean of a phase over the requests that went through it; 0 when none. */
double stats_phase_mean_us(const struct stats_phase *ph);

/* The entry of Unix second t in transaction t's own timeline, or NULL. */
const struct stats_sec *stats_tx_sec_find(const struct stats_tx *t,
                                          int64_t sec);

/* Adds one second x into transaction t's own timeline (a reader
 * rebuilding a result; x->hist_cut carries over; not counted against the
 * bound: the result was bounded when it was recorded). Returns 0, or -1 on
 * a histogram layout mismatch. */
int stats_tx_sec_add(struct stats_tx *t, const struct stats_sec *x);
/* Seconds of t's own timeline whose histogram the bound cut. */
int64_t stats_tx_tl_cut(const struct stats_tx *t);

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
