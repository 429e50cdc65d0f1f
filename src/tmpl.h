/* tmpl — "{{name}}" templates in paths, headers, query values and bodies.
 *
 * A template is compiled once when the plan loads into literal runs and
 * variable references; rendering appends to a buf and asks a lookup
 * callback for each name, so the hot path does no parsing. Names are the
 * trimmed text between "{{" and "}}": letters, digits, '_', '.', and for
 * built-ins a call form like "random(1,100)". What a name means (an
 * extracted variable, a data-pool column, the user number) is the caller's
 * business; tmpl only splits and joins. There is no escape:
 * "{{" always opens a reference.
 *
 * Thread-safety: a compiled template is read-only and may be rendered from
 * many threads at once. Ownership: tmpl_compile returns a template freed
 * with tmpl_free. */
#ifndef HERD_TMPL_H
#define HERD_TMPL_H
#include <stddef.h>
#include "buf.h"

struct tmpl;

/* Called for each reference; appends the value to out and returns 0, or
 * returns -1 when name is unknown (rendering then fails). */
typedef int (*tmpl_lookup_fn)(void *ctx, const char *name, struct buf *out);

/* Compiles src. Returns the template, or NULL with a reason in err for an
 * unclosed "{{", an empty name or a name with characters outside
 * [A-Za-z0-9_.(),- ] (e.g. "unclosed '{{' at offset 4"). */
struct tmpl *tmpl_compile(const char *src, char *err, size_t errlen);
void tmpl_free(struct tmpl *t);

/* 1 when the template has no references (its text is fixed). */
int tmpl_is_static(const struct tmpl *t);
/* The source text the template was compiled from. */
const char *tmpl_source(const struct tmpl *t);

/* Number of references and the name of the i-th (for validation). */
int tmpl_nrefs(const struct tmpl *t);
const char *tmpl_ref(const struct tmpl *t, int i);

/* Appends the rendered text to out. Returns 0, or -1 and sets *bad to the
 * first name the lookup refused (borrowed from t). */
int tmpl_render(const struct tmpl *t, tmpl_lookup_fn lookup, void *ctx,
                struct buf *out, const char **bad);
#endif
