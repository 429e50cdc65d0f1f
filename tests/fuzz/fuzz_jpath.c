/* fuzz_jpath — a JSON path (first line) applied to a document (the rest). */
#include "fuzz.h"
#include "jpath.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_str(data, size), err[128];
    char *nl = strchr(s, '\n');
    const char *doc = "";
    if (nl) { *nl = '\0'; doc = nl + 1; }
    if (jpath_check(s, err, sizeof err) == 0) {
        cJSON *d = cJSON_Parse(doc);
        const cJSON *n = jpath_get(d, s);
        struct buf b = {0};
        jpath_to_text(n, &b);
        buf_free(&b);
        cJSON_Delete(d);
    } else {
        (void)jpath_get(NULL, s);
    }
    free(s);
    return 0;
}
