/* rtstream — the Lambda runtime's streaming answer: while a shard's load
 * runs, what the engine journals once a second goes to the Runtime API as
 * it is written, in Lambda's streaming response mode, and the final result
 * follows last.
 *
 * The wire (AWS custom runtime response streaming): one
 *   POST /2018-06-01/runtime/invocation/{id}/response
 *   Lambda-Runtime-Function-Response-Mode: streaming
 *   Transfer-Encoding: chunked
 *   Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body
 * whose body is JSON Lines: every delta record of the journal (journal.h;
 * its header line is not sent), then the whole result on one line. A
 * failure after the stream began is reported in the trailers (the error
 * type, and the error JSON in base64), as the Runtime API asks.
 *
 * A thread of its own runs the POST (libcurl's read callback follows the
 * journal file, which the engine's workers append to); the caller runs
 * the load meanwhile and hands over the end with rts_finish. */
#ifndef HERD_RTSTREAM_H
#define HERD_RTSTREAM_H

struct rts;

/* Starts streaming the journal at journal_path (its first line, the
 * header, is skipped) to url. Returns NULL if the thread or handle cannot
 * be made (the caller then answers buffered). */
struct rts *rts_start(const char *url, const char *journal_path);

/* Ends the stream: after every journal line, json (the final result; may
 * be NULL), or, with etype set, the error trailers (type, and message in
 * the error JSON). Waits for the POST, frees s, and returns its HTTP
 * status, or -1 if it failed. json stays the caller's. */
long rts_finish(struct rts *s, const char *json, const char *etype,
                const char *message);
#endif
