/* mask.c — secret masking; see mask.h. */
#include "mask.h"
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int contains_ci(const char *s, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (strncasecmp(s + i, needle, n) == 0) return 1;
    return 0;
}

int mask_header_name(const char *name, size_t len)
{
    static const char *const exact[] = {"authorization", "cookie",
        "set-cookie", "proxy-authorization", NULL};
    for (const char *const *e = exact; *e; e++)
        if (strlen(*e) == len && strncasecmp(name, *e, len) == 0) return 1;
    return contains_ci(name, len, "token") || contains_ci(name, len, "api-key")
        || contains_ci(name, len, "secret");
}

int mask_field_name(const char *name)
{
    static const char *const parts[] = {"password", "passwd", "token",
        "secret", "api_key", "apikey", NULL};
    size_t len = strlen(name);
    for (const char *const *p = parts; *p; p++)
        if (contains_ci(name, len, *p)) return 1;
    /* Echoed headers come back as JSON fields ("Authorization": ...). */
    return mask_header_name(name, len);
}

int mask_secret_name(const char *name)
{
    static const char *const parts[] = {"pass", "token", "secret", "key",
        "credential", "auth", NULL};
    size_t len = strlen(name);
    for (const char *const *p = parts; *p; p++)
        if (contains_ci(name, len, *p)) return 1;
    return 0;
}

/* v percent-encoded (RFC 3986 unreserved kept; space as "%20", or as "+"
 * when form is set). */
static char *url_form(const char *v, int form)
{
    struct buf b = {0};
    for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
        if (isalnum(*c) || strchr("-._~", *c)) buf_putc(&b, (char)*c);
        else if (form && *c == ' ') buf_putc(&b, '+');
        else buf_printf(&b, "%%%02X", *c);
    }
    return buf_steal(&b);
}

static void add_form(char ***list, int *n, char *f)
{
    for (int i = 0; i < *n; i++)
        if (!strcmp((*list)[i], f)) { free(f); return; }
    *list = xrealloc(*list, (size_t)(*n + 1) * sizeof **list);
    (*list)[(*n)++] = f;
}

/* v as cJSON escapes it inside a string, quotes cut; NULL if none. */
static char *json_form(const char *v)
{
    cJSON *s = cJSON_CreateString(v);
    char *j = s ? cJSON_PrintUnformatted(s) : NULL;
    cJSON_Delete(s);
    char *r = NULL;
    if (j && strlen(j) >= 2) {
        j[strlen(j) - 1] = '\0';
        r = xstrdup(j + 1);
    }
    cJSON_free(j);
    return r;
}

void mask_secret_forms(const char *v, char ***list, int *n)
{
    if (!v || !*v) return;
    add_form(list, n, xstrdup(v));
    add_form(list, n, url_form(v, 0));
    add_form(list, n, url_form(v, 1));
    /* As it appears inside a JSON string, and inside JSON carried in a
     * JSON string (an echoed body, a task's result): escaped twice. */
    char *once = json_form(v);
    if (once) {
        char *twice = json_form(once);
        add_form(list, n, once);
        if (twice) add_form(list, n, twice);
    }
}

static void replace_secrets(const char *text, size_t len, char *const *secrets,
                            int nsecrets, struct buf *out)
{
    size_t i = 0;
    while (i < len) {
        int hit = -1;
        size_t best = 0;
        for (int s = 0; s < nsecrets; s++) {
            size_t sl = strlen(secrets[s]);
            /* Very short values would mask ordinary text ("1", "a"); the
             * longest form wins ("a%20b" over "a"). */
            if (sl >= 4 && sl <= len - i && sl > best &&
                memcmp(text + i, secrets[s], sl) == 0) { hit = s; best = sl; }
        }
        if (hit >= 0) {
            buf_puts(out, "***");
            i += strlen(secrets[hit]);
        } else {
            buf_putc(out, text[i++]);
        }
    }
}

static void mask_json(cJSON *n)
{
    cJSON *k;
    cJSON_ArrayForEach(k, n) {
        if (k->string && mask_field_name(k->string) &&
            !cJSON_IsObject(k) && !cJSON_IsArray(k)) {
            cJSON *r = cJSON_CreateString("***");
            /* The key moves to the replacement (both allocated by cJSON). */
            r->string = k->string;
            k->string = NULL;
            cJSON_ReplaceItemViaPointer(n, k, r);
            k = r;
        } else {
            mask_json(k);
        }
    }
}

void mask_text(const char *text, size_t len, char *const *secrets,
               int nsecrets, struct buf *out)
{
    size_t i = 0;
    while (i < len && isspace((unsigned char)text[i])) i++;
    if (i < len && (text[i] == '{' || text[i] == '[')) {
        cJSON *doc = cJSON_ParseWithLength(text, len);
        if (doc) {
            mask_json(doc);
            char *s = cJSON_PrintUnformatted(doc);
            cJSON_Delete(doc);
            if (s) {
                replace_secrets(s, strlen(s), secrets, nsecrets, out);
                cJSON_free(s);
                return;
            }
        }
    }
    replace_secrets(text, len, secrets, nsecrets, out);
}

void mask_header_line(const char *line, size_t len, char *const *secrets,
                      int nsecrets, struct buf *out)
{
    const char *colon = memchr(line, ':', len);
    if (colon && mask_header_name(line, (size_t)(colon - line))) {
        buf_append(out, line, (size_t)(colon - line));
        const char *v = colon + 1;
        while (v < line + len && *v == ' ') v++;
        /* Keep the scheme word ("Bearer") so the reader sees the kind. */
        const char *sp = memchr(v, ' ', (size_t)(line + len - v));
        buf_puts(out, ": ");
        if (sp && sp - v < 16) {
            buf_append(out, v, (size_t)(sp - v));
            buf_putc(out, ' ');
        }
        buf_puts(out, "***");
        return;
    }
    replace_secrets(line, len, secrets, nsecrets, out);
}
