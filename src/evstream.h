/* evstream — the AWS event stream framing (application/vnd.amazon.eventstream)
 * that Lambda's InvokeWithResponseStream answers with: a decoder that takes
 * the bytes as they arrive in any cut and hands back whole messages, and a
 * small encoder for tests and fuzz seeds.
 *
 * A message: prelude (total length, headers length: big-endian u32; CRC32
 * of those 8 bytes), headers (name length u8, name, type u8, value), the
 * payload, and the CRC32 of everything before it. Both CRCs are checked;
 * a message longer than EVS_MAX_MESSAGE or with headers longer than
 * EVS_MAX_HEADERS is refused before it is buffered, so a hostile or
 * broken peer costs at most that much memory. After an error the decoder
 * stays failed (the stream cannot be resynchronised) and says why in one
 * line.
 *
 * Header values the decoder keeps are the ones Lambda sends: strings
 * (type 7) named :event-type, :message-type, :exception-type,
 * :content-type, :error-code and :error-message; every other header type
 * is skipped over with its length checked.
 *
 * Used by the Lambda coordinator (one decoder per Invoke call). Not
 * thread-safe; a decoder belongs to one caller. */
#ifndef HERD_EVSTREAM_H
#define HERD_EVSTREAM_H
#include <stddef.h>
#include <stdint.h>
#include "buf.h"

/* Larger than any Lambda payload chunk; the AWS SDKs allow 16 MB. */
#define EVS_MAX_MESSAGE (16 * 1024 * 1024)
#define EVS_MAX_HEADERS (128 * 1024)

struct evs_msg {
    /* Point into the decoder's buffer: valid until the next evs_feed or
     * evs_next. NULL when the header was not there. */
    const char *event_type;      /* PayloadChunk, InvokeComplete, ... */
    const char *message_type;    /* event, exception, error */
    const char *exception_type;
    const char *content_type;
    const char *error_code;      /* :error-code (message-type error) */
    const char *error_message;
    const char *payload;
    size_t payload_len;
};

struct evs {
    struct buf in;               /* bytes not yet handed back */
    size_t off;                  /* start of the next message in in */
    struct buf hv;               /* copies of the header values, NUL-ended */
    int failed;
    char err[160];
};

/* Appends bytes as they came off the wire. */
void evs_feed(struct evs *d, const void *data, size_t len);

/* Returns 1 with the next whole message in m, 0 when more bytes are
 * needed, or -1 with a one-line reason in d->err (then always -1). */
int evs_next(struct evs *d, struct evs_msg *m);

/* 1 when bytes of an unfinished message are buffered (a stream that ends
 * now was cut off mid-message). */
int evs_pending(const struct evs *d);

void evs_free(struct evs *d);

/* Appends one message to out: string headers names[i] = values[i]
 * (n of them), then payload. */
void evs_encode(struct buf *out, const char *const *names,
                const char *const *values, int n, const void *payload,
                size_t len);

/* CRC-32 (IEEE 802.3, as zlib's crc32) of data, continuing from crc (0 to
 * start). */
uint32_t evs_crc32(uint32_t crc, const void *data, size_t len);
#endif
