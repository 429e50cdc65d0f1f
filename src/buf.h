/* buf — a growable byte string (in the spirit of Redis' sds, but a struct).
 *
 * Owns its bytes; always NUL-terminated after any append so p can be used as
 * a C string. Functions that may reallocate take the buf by pointer and
 * abort on out-of-memory (a load generator that cannot allocate a few bytes
 * has nothing sensible left to measure). Not thread-safe; each owner has its
 * own. A zeroed struct buf is a valid empty buffer. */
#ifndef HERD_BUF_H
#define HERD_BUF_H
#include <stddef.h>
#include <stdarg.h>

struct buf {
    char *p;      /* NULL until the first append */
    size_t len;
    size_t cap;
};

void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *data, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Empties the buffer but keeps its memory for reuse. */
void buf_reset(struct buf *b);
/* Frees the bytes; the buf is empty and reusable afterwards. */
void buf_free(struct buf *b);
/* Returns the string (never NULL: "" when empty); the buf keeps ownership. */
const char *buf_str(const struct buf *b);
/* Hands the bytes to the caller (free() them); the buf is left empty.
 * Never returns NULL. */
char *buf_steal(struct buf *b);

/* Appends path without suffix when path ends in it and has more before
 * it, else the whole path. Returns 1 if the suffix was there. */
int buf_put_stem(struct buf *b, const char *path, const char *suffix);

/* Allocation helpers that abort with a message instead of returning NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* cJSON_Print (pretty) or cJSON_PrintUnformatted, aborting like xmalloc
 * instead of returning NULL (out of memory is their only failure). The
 * caller frees the string with cJSON_free. */
struct cJSON;
char *xjson_print(const struct cJSON *o, int pretty);

/* Test-only fault injection. herd leaves xfault NULL. A unit test sets it,
 * before any thread starts, to a function that returns nonzero for each
 * library call it wants to fail, named by site ("curl_multi_add_handle");
 * every call site that handles such a failure asks xfail(site) first, so
 * tests/unit/test_fault.c can walk each failure path. */
extern int (*xfault)(const char *site);
int xfail(const char *site);
#endif
