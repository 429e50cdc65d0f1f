/* tmpl.c — compiled "{{name}}" templates; see tmpl.h.
 *
 * A template is a list of parts; even-numbered parts are literal text,
 * odd-numbered ones variable names, so rendering is a loop of appends. */
#include "tmpl.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct part {
    char *text;            /* literal text or a trimmed name */
    size_t len;
    int is_ref;
};

struct tmpl {
    char *src;
    struct part *parts;
    int nparts;
    int nrefs;
};

static void add_part(struct tmpl *t, const char *s, size_t len, int is_ref)
{
    if (!len && !is_ref) return;
    t->parts = xrealloc(t->parts, (size_t)(t->nparts + 1) * sizeof *t->parts);
    t->parts[t->nparts].text = xstrndup(s, len);
    t->parts[t->nparts].len = len;
    t->parts[t->nparts].is_ref = is_ref;
    t->nparts++;
    if (is_ref) t->nrefs++;
}

static int name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '(' ||
           c == ')' || c == ',' || c == '-' || c == ' ';
}

struct tmpl *tmpl_compile(const char *src, char *err, size_t errlen)
{
    struct tmpl *t = xcalloc(1, sizeof *t);
    t->src = xstrdup(src);
    const char *p = src;
    for (;;) {
        const char *open = strstr(p, "{{");
        if (!open) { add_part(t, p, strlen(p), 0); break; }
        add_part(t, p, (size_t)(open - p), 0);
        const char *close = strstr(open + 2, "}}");
        if (!close) {
            snprintf(err, errlen, "unclosed '{{' at offset %zu",
                     (size_t)(open - src));
            tmpl_free(t);
            return NULL;
        }
        const char *a = open + 2, *b = close;
        while (a < b && *a == ' ') a++;
        while (b > a && b[-1] == ' ') b--;
        if (a == b) {
            snprintf(err, errlen, "empty '{{}}' at offset %zu",
                     (size_t)(open - src));
            tmpl_free(t);
            return NULL;
        }
        for (const char *c = a; c < b; c++) {
            if (!name_char(*c)) {
                snprintf(err, errlen, "unexpected '%c' in '{{...}}' at "
                         "offset %zu (names use letters, digits, '_' and "
                         "'.')", *c, (size_t)(c - src));
                tmpl_free(t);
                return NULL;
            }
        }
        /* Spaces inside a name are only allowed around call arguments. */
        char *name = xstrndup(a, (size_t)(b - a));
        char *w = name;
        for (char *r = name; *r; r++) if (*r != ' ') *w++ = *r;
        *w = '\0';
        add_part(t, name, strlen(name), 1);
        free(name);
        p = close + 2;
    }
    return t;
}

void tmpl_free(struct tmpl *t)
{
    if (!t) return;
    for (int i = 0; i < t->nparts; i++) free(t->parts[i].text);
    free(t->parts);
    free(t->src);
    free(t);
}

int tmpl_is_static(const struct tmpl *t)
{
    return t->nrefs == 0;
}

const char *tmpl_source(const struct tmpl *t)
{
    return t->src;
}

int tmpl_nrefs(const struct tmpl *t)
{
    return t->nrefs;
}

const char *tmpl_ref(const struct tmpl *t, int i)
{
    for (int k = 0; k < t->nparts; k++)
        if (t->parts[k].is_ref && i-- == 0) return t->parts[k].text;
    return NULL;
}

int tmpl_render(const struct tmpl *t, tmpl_lookup_fn lookup, void *ctx,
                struct buf *out, const char **bad)
{
    for (int i = 0; i < t->nparts; i++) {
        const struct part *p = &t->parts[i];
        if (!p->is_ref) {
            buf_append(out, p->text, p->len);
        } else if (lookup(ctx, p->text, out) < 0) {
            if (bad) *bad = p->text;
            return -1;
        }
    }
    return 0;
}
