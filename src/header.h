/* header — the one scanner of raw HTTP response header blocks, as
 * libcurl's header callback hands them over: "HTTP/1.1 200 OK\r\n" then
 * "Name: value\r\n" lines, and again from "HTTP/" for each further
 * response of the same transfer (a redirect, a 100 Continue). Used by the
 * engine (extract/expect a header) and the Lambda client (request ids,
 * Retry-After, function errors).
 *
 * Names match case-insensitively; the value is trimmed of spaces and tabs
 * on both sides; within the last response the last occurrence wins. Pure
 * functions, thread-safe. */
#ifndef HERD_HEADER_H
#define HERD_HEADER_H
#include "buf.h"

/* 1 if block's last response has header name (its value replaces out's
 * contents, when out is not NULL), else 0. */
int header_find(const char *block, const char *name, struct buf *out);
/* The value of header name as a new string (caller frees), or NULL. */
char *header_get(const char *block, const char *name);
#endif
