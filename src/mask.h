/* mask — hides secrets in anything herd shows or stores: header values of
 * Authorization, Cookie, Set-Cookie, Proxy-Authorization and *-Api-Key /
 * *token* headers; JSON fields whose name contains "password", "token",
 * "secret", "passwd" or "api_key"; and any occurrence of a known secret
 * value. A secret value is that of an ${ENV} variable whose name contains
 * PASS (PASSWORD, PASSWD), TOKEN, SECRET, KEY, CREDENTIAL or AUTH (any
 * case), or that the plan lists under "secrets"; it is masked as typed,
 * percent-encoded and JSON-escaped (once, and twice for JSON inside a
 * JSON string). Other ${ENV} values (a TARGET_URL) are shown. Masked
 * text reads "***".
 *
 * Who calls it: engine (debug output, setup failure lines), stats (error
 * details as they are counted: stats_set_secrets), the run (the target
 * URL), lambda (shard failure reasons), and anything else that prints
 * request material. Pure functions; thread-safe. */
#ifndef HERD_MASK_H
#define HERD_MASK_H
#include <stddef.h>
#include "buf.h"

/* 1 if a header of this name carries credentials. */
int mask_header_name(const char *name, size_t len);
/* 1 if a JSON field of this name carries credentials. */
int mask_field_name(const char *name);

/* 1 if the value of an environment variable of this name is a secret. */
int mask_secret_name(const char *name);
/* Adds v and its percent-encoded and JSON-escaped forms (each once) to the
 * malloc'd list *list of *n strings. */
void mask_secret_forms(const char *v, char ***list, int *n);

/* Appends text to out with every secret value replaced by "***"; and,
 * when text is a JSON document, sensitive fields' values masked too. */
void mask_text(const char *text, size_t len, char *const *secrets,
               int nsecrets, struct buf *out);

/* Appends one "Name: value" header line, value masked if the name is
 * sensitive, secrets replaced otherwise. */
void mask_header_line(const char *line, size_t len, char *const *secrets,
                      int nsecrets, struct buf *out);
#endif
