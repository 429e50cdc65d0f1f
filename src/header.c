/* header.c — response header lookup; see header.h. */
#include "header.h"
#include <string.h>
#include <strings.h>

int header_find(const char *block, const char *name, struct buf *out)
{
    const char *s = block;
    size_t nl = strlen(name);
    int found = 0;
    while (*s) {
        const char *e = strpbrk(s, "\r\n");
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (strncmp(s, "HTTP/", 5) == 0) found = 0;      /* next response */
        else if (len > nl && s[nl] == ':' && strncasecmp(s, name, nl) == 0) {
            const char *v = s + nl + 1;
            while (*v == ' ' || *v == '\t') v++;
            const char *end = s + len;
            while (end > v && (end[-1] == ' ' || end[-1] == '\t')) end--;
            if (out) { buf_reset(out); buf_append(out, v, (size_t)(end - v)); }
            found = 1;
        }
        s += len;
        while (*s == '\r' || *s == '\n') s++;
    }
    return found;
}

char *header_get(const char *block, const char *name)
{
    struct buf b = {0};
    if (!header_find(block, name, &b)) {
        buf_free(&b);
        return NULL;
    }
    return buf_steal(&b);
}
