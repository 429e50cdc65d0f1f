/* jpath.c — the JSON-path subset; see jpath.h.
 *
 * One small scanner serves both checking and walking: step() reads the
 * next ".name", "['name']" or "[index]" and reports it; jpath_get applies
 * each step to the current node. */
#include "jpath.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum step_kind { ST_END, ST_KEY, ST_INDEX, ST_ERROR };

struct step {
    enum step_kind kind;
    const char *key;       /* not NUL-terminated */
    size_t keylen;
    long index;
    size_t at;             /* offset of an error */
    const char *why;
};

static struct step next_step(const char *path, size_t *pos)
{
    struct step s = {0};
    const char *p = path + *pos;
    s.at = *pos;
    if (!*p) { s.kind = ST_END; return s; }
    if (*p == '.') {
        p++;
        const char *start = p;
        while (*p && *p != '.' && *p != '[') p++;
        if (p == start) { s.kind = ST_ERROR; s.why = "expected a name after '.'"; return s; }
        s.kind = ST_KEY;
        s.key = start;
        s.keylen = (size_t)(p - start);
    } else if (*p == '[') {
        p++;
        if (*p == '\'' || *p == '"') {
            char q = *p++;
            const char *start = p;
            while (*p && *p != q) p++;
            if (*p != q || p[1] != ']') {
                s.kind = ST_ERROR;
                s.why = "expected a quoted name and ']'";
                return s;
            }
            s.kind = ST_KEY;
            s.key = start;
            s.keylen = (size_t)(p - start);
            p += 2;
        } else {
            char *end;
            if (!(isdigit((unsigned char)*p) || *p == '-')) {
                s.kind = ST_ERROR;
                s.why = "expected an index or a quoted name after '['";
                return s;
            }
            s.index = strtol(p, &end, 10);
            if (end == p || *end != ']') {
                s.kind = ST_ERROR;
                s.why = "expected ']'";
                return s;
            }
            s.kind = ST_INDEX;
            p = end + 1;
        }
    } else {
        s.kind = ST_ERROR;
        s.why = "expected '.' or '['";
        return s;
    }
    *pos = (size_t)(p - path);
    return s;
}

int jpath_check(const char *path, char *err, size_t errlen)
{
    if (!path || path[0] != '$') {
        snprintf(err, errlen, "expected a path starting with '$'");
        return -1;
    }
    size_t pos = 1;
    for (;;) {
        struct step s = next_step(path, &pos);
        if (s.kind == ST_END) return 0;
        if (s.kind == ST_ERROR) {
            snprintf(err, errlen, "%s at offset %zu", s.why, s.at);
            return -1;
        }
    }
}

const cJSON *jpath_get(const cJSON *root, const char *path)
{
    if (!root || !path || path[0] != '$') return NULL;
    const cJSON *n = root;
    size_t pos = 1;
    for (;;) {
        struct step s = next_step(path, &pos);
        if (s.kind == ST_END) return n;
        if (s.kind == ST_ERROR) return NULL;
        if (s.kind == ST_KEY) {
            if (!cJSON_IsObject(n)) return NULL;
            const cJSON *c, *found = NULL;
            cJSON_ArrayForEach(c, n) {
                if (c->string && strlen(c->string) == s.keylen &&
                    memcmp(c->string, s.key, s.keylen) == 0) {
                    found = c;
                    break;
                }
            }
            if (!found) return NULL;
            n = found;
        } else {
            if (!cJSON_IsArray(n)) return NULL;
            int size = cJSON_GetArraySize(n);
            long i = s.index < 0 ? size + s.index : s.index;
            if (i < 0 || i >= size) return NULL;
            n = cJSON_GetArrayItem(n, (int)i);
        }
    }
}

void jpath_to_text(const cJSON *n, struct buf *out)
{
    if (!n) return;
    if (cJSON_IsString(n)) {
        buf_puts(out, n->valuestring);
    } else if (cJSON_IsNumber(n)) {
        double d = n->valuedouble;
        /* Range first: casting a double beyond long long is undefined
         * (found by fuzz_jpath: a 104-digit number). */
        if (d > -9e15 && d < 9e15 && d == (double)(long long)d)
            buf_printf(out, "%lld", (long long)d);
        else
            buf_printf(out, "%.17g", d);
    } else if (cJSON_IsTrue(n)) {
        buf_puts(out, "true");
    } else if (cJSON_IsFalse(n)) {
        buf_puts(out, "false");
    } else if (cJSON_IsNull(n)) {
        buf_puts(out, "null");
    } else {
        char *s = xjson_print(n, 0);
        buf_puts(out, s);
        cJSON_free(s);
    }
}
