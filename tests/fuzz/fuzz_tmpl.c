/* fuzz_tmpl — templates: compile and render anything. */
#include "fuzz.h"
#include "tmpl.h"

static int lookup(void *ctx, const char *name, struct buf *out)
{
    (void)ctx;
    if (name[0] == 'x') return -1;
    buf_puts(out, name);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_str(data, size), err[256];
    struct tmpl *t = tmpl_compile(s, err, sizeof err);
    if (t) {
        struct buf b = {0};
        const char *bad;
        tmpl_render(t, lookup, NULL, &b, &bad);
        for (int i = 0; i < tmpl_nrefs(t); i++) (void)tmpl_ref(t, i);
        buf_free(&b);
        tmpl_free(t);
    }
    free(s);
    return 0;
}
