/* journal — what a local run has measured so far, on disk as it goes, so
 * that a run killed with SIGKILL (or by the OOM killer, or a lost laptop
 * lid) still leaves its numbers behind.
 *
 * Format (JSON Lines, one record per line, each a complete herd result
 * document on one line): the first record is the header — the run's
 * metadata and its transactions, no counts; every later record is a delta,
 * what one worker recorded since its previous record (transactions,
 * iterations, errors and the timeline seconds), written once a second.
 * Deltas are exact and mergeable like shard results, so the recovered
 * result is the header plus every delta, merged with result_merge: the
 * same percentiles the run would have reported for the time it ran.
 *
 * Durability: each record is one write(2) to an O_APPEND descriptor, so it
 * survives the process being killed (it is in the page cache); it is not
 * fsync'd, so a machine crash may lose the last seconds. A record cut off
 * by the kill is ignored on recovery and counted.
 *
 * Threads: journal_append may be called by several workers at once on one
 * descriptor (one write per record; appends do not interleave). */
#ifndef HERD_JOURNAL_H
#define HERD_JOURNAL_H
#include <stddef.h>
#include <stdint.h>
#include "result.h"

/* Creates (truncating) path and writes the header record from r (its
 * metadata and transaction names; r's counts should be empty). Returns the
 * descriptor, or -1 with errno set. */
int journal_open(const char *path, const struct result *r);

/* Appends one delta record holding s, measured from from_ms to to_ms
 * (Unix ms). Returns 0, or -1 with errno set. */
int journal_append(int fd, const struct stats *s, int64_t from_ms,
                   int64_t to_ms);

/* Appends one record that is already a delta line (JSON, no newline):
 * a Lambda shard's streamed second, journaled by the coordinator as it
 * arrives. Returns 0, or -1 with errno set. */
int journal_append_line(int fd, const char *json, size_t len);

/* Rebuilds a result from a journal: the header merged with every complete
 * delta, marked interrupted; iterations still in flight count as
 * interrupted. *records gets the number of deltas merged and
 * *torn the number of lines that could not be read (a record cut off by
 * the kill). Returns NULL with a one-line reason in err when the file
 * cannot be read or its header is not a herd journal header. */
struct result *journal_recover(const char *path, int *records, int *torn,
                               char *err, size_t errlen);
#endif
