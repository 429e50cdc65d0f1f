/* test_evstream.c — the event stream decoder: messages in any cut, both
 * CRCs, torn, corrupted and oversized frames refused with one line. */
#include "t.h"
#include "evstream.h"
#include <string.h>

static const char *const chunk_names[] = {":event-type", ":content-type",
                                          ":message-type"};
static const char *const chunk_values[] = {"PayloadChunk",
                                           "application/octet-stream", "event"};

static void two_messages(struct buf *b)
{
    evs_encode(b, chunk_names, chunk_values, 3, "{\"a\":1}\n", 8);
    const char *n[] = {":event-type", ":message-type"};
    const char *v[] = {"InvokeComplete", "event"};
    evs_encode(b, n, v, 2, "{}", 2);
}

/* A known frame from AWS's event stream test suite (an empty message with
 * no headers): total 16, headers 0, prelude CRC 0x05c248eb, message CRC
 * 0x7d98c8ff. The encoder and decoder agree with it byte for byte. */
static void test_known_frame(void)
{
    static const unsigned char empty[] = {0, 0, 0, 0x10, 0, 0, 0, 0, 0x05,
                                          0xc2, 0x48, 0xeb, 0x7d, 0x98, 0xc8,
                                          0xff};
    struct buf b = {0};
    evs_encode(&b, NULL, NULL, 0, "", 0);
    CHECK_INT(b.len, 16);
    CHECK(!memcmp(b.p, empty, 16));
    CHECK_INT(evs_crc32(0, "123456789", 9), 0xCBF43926u);
    struct evs d = {0};
    struct evs_msg m;
    evs_feed(&d, empty, sizeof empty);
    CHECK_INT(evs_next(&d, &m), 1);
    CHECK_INT(m.payload_len, 0);
    CHECK(!m.event_type);
    CHECK_INT(evs_next(&d, &m), 0);
    CHECK(!evs_pending(&d));
    evs_free(&d);
    buf_free(&b);
}

/* Every cut of two messages, byte by byte: the same two messages. */
static void test_any_cut(void)
{
    struct buf b = {0};
    two_messages(&b);
    for (size_t step = 1; step <= b.len; step++) {
        struct evs d = {0};
        struct evs_msg m;
        int got = 0, rc;
        for (size_t at = 0; at < b.len; at += step) {
            size_t n = at + step > b.len ? b.len - at : step;
            evs_feed(&d, b.p + at, n);
            while ((rc = evs_next(&d, &m)) == 1) {
                if (got == 0) {
                    CHECK_STR(m.event_type, "PayloadChunk");
                    CHECK_STR(m.message_type, "event");
                    CHECK_INT(m.payload_len, 8);
                    CHECK(!memcmp(m.payload, "{\"a\":1}\n", 8));
                } else {
                    CHECK_STR(m.event_type, "InvokeComplete");
                    CHECK_INT(m.payload_len, 2);
                }
                got++;
            }
            CHECK_INT(rc, 0);
        }
        CHECK_INT(got, 2);
        CHECK(!evs_pending(&d));
        evs_free(&d);
    }
    buf_free(&b);
}

/* A stream cut off mid-message: no message, and pending says so. */
static void test_torn(void)
{
    struct buf b = {0};
    two_messages(&b);
    struct evs d = {0};
    struct evs_msg m;
    evs_feed(&d, b.p, b.len - 3);
    CHECK_INT(evs_next(&d, &m), 1);
    CHECK_INT(evs_next(&d, &m), 0);
    CHECK(evs_pending(&d));
    evs_free(&d);
    buf_free(&b);
}

static int decode_all(const struct buf *b, char *err, size_t errlen)
{
    struct evs d = {0};
    struct evs_msg m;
    evs_feed(&d, b->p, b->len);
    int rc;
    while ((rc = evs_next(&d, &m)) == 1) {}
    snprintf(err, errlen, "%s", d.err);
    /* Failed stays failed, whatever comes next. */
    evs_feed(&d, b->p, b->len);
    if (rc < 0) CHECK_INT(evs_next(&d, &m), -1);
    evs_free(&d);
    return rc;
}

/* Every single-bit flip in a message is caught by one of the CRCs. */
static void test_corrupted(void)
{
    struct buf b = {0};
    evs_encode(&b, chunk_names, chunk_values, 3, "{\"a\":1}\n", 8);
    char err[200];
    int caught = 0;
    for (size_t i = 0; i < b.len * 8; i++) {
        b.p[i / 8] ^= (char)(1 << (i % 8));
        if (decode_all(&b, err, sizeof err) != 1 && strstr(err, "CRC"))
            caught++;
        b.p[i / 8] ^= (char)(1 << (i % 8));
    }
    CHECK_INT(caught, b.len * 8);
    b.p[b.len - 1] ^= 1;
    CHECK_INT(decode_all(&b, err, sizeof err), -1);
    CHECK(strstr(err, "message CRC mismatch") != NULL);
    buf_free(&b);
}

static void put_prelude(struct buf *b, uint32_t total, uint32_t hlen)
{
    unsigned char q[8] = {(unsigned char)(total >> 24), (unsigned char)(total >> 16),
                          (unsigned char)(total >> 8), (unsigned char)total,
                          (unsigned char)(hlen >> 24), (unsigned char)(hlen >> 16),
                          (unsigned char)(hlen >> 8), (unsigned char)hlen};
    buf_append(b, q, 8);
    uint32_t c = evs_crc32(0, q, 8);
    unsigned char cq[4] = {(unsigned char)(c >> 24), (unsigned char)(c >> 16),
                           (unsigned char)(c >> 8), (unsigned char)c};
    buf_append(b, cq, 4);
}

/* A prelude announcing 4 GB (or headers longer than the message) is
 * refused at once, before anything is buffered or awaited. */
static void test_oversized(void)
{
    char err[200];
    struct buf b = {0};
    put_prelude(&b, 0xFFFFFFF0u, 0);
    CHECK_INT(decode_all(&b, err, sizeof err), -1);
    CHECK(strstr(err, "message of 4294967280 bytes") != NULL);
    buf_reset(&b);
    put_prelude(&b, EVS_MAX_MESSAGE + 1, 0);
    CHECK_INT(decode_all(&b, err, sizeof err), -1);
    buf_reset(&b);
    put_prelude(&b, 100, 90);
    CHECK_INT(decode_all(&b, err, sizeof err), -1);
    CHECK(strstr(err, "headers of 90 bytes") != NULL);
    buf_reset(&b);
    put_prelude(&b, 8, 0);
    CHECK_INT(decode_all(&b, err, sizeof err), -1);
    buf_free(&b);
}

/* A header whose value runs past the headers: refused, with valid CRCs. */
static void test_bad_header(void)
{
    struct buf b = {0};
    static const unsigned char h[] = {2, 'a', 'b', 7, 0, 50, 'x'};
    put_prelude(&b, 16 + sizeof h, sizeof h);
    buf_append(&b, h, sizeof h);
    uint32_t c = evs_crc32(0, b.p, b.len);
    unsigned char cq[4] = {(unsigned char)(c >> 24), (unsigned char)(c >> 16),
                           (unsigned char)(c >> 8), (unsigned char)c};
    buf_append(&b, cq, 4);
    char err[200];
    CHECK_INT(decode_all(&b, err, sizeof err), -1);
    CHECK(strstr(err, "runs past the headers") != NULL);
    buf_free(&b);
}

int main(void)
{
    T_RUN(test_known_frame);
    T_RUN(test_any_cut);
    T_RUN(test_torn);
    T_RUN(test_corrupted);
    T_RUN(test_oversized);
    T_RUN(test_bad_header);
    return T_DONE();
}
