/* mask — hides secrets in anything herd shows or stores: header values of
 * Authorization, Cookie, Set-Cookie, Proxy-Authorization and *-Api-Key /
 * *token* headers; JSON fields whose name contains "password", "token",
 * "secret", "passwd" or "api_key"; and any occurrence of a known secret
 * value (the plan's ${ENV} values). Masked text reads "***".
 *
 * Who calls it: engine (debug output), and anything that prints request
 * material. Pure functions; thread-safe. */
#ifndef HERD_MASK_H
#define HERD_MASK_H
#include <stddef.h>
#include "buf.h"

/* 1 if a header of this name carries credentials. */
int mask_header_name(const char *name, size_t len);
/* 1 if a JSON field of this name carries credentials. */
int mask_field_name(const char *name);

/* Appends text to out with every secret value replaced by "***"; and,
 * when text is a JSON document, sensitive fields' values masked too. */
void mask_text(const char *text, size_t len, char *const *secrets,
               int nsecrets, struct buf *out);

/* Appends one "Name: value" header line, value masked if the name is
 * sensitive, secrets replaced otherwise. */
void mask_header_line(const char *line, size_t len, char *const *secrets,
                      int nsecrets, struct buf *out);
#endif
