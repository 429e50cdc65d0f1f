/* fuzz_result — the result reader; what it accepts must write back, read
 * again and merge. */
#include "fuzz.h"
#include "result.h"
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_str(data, size), err[256];
    struct result *r = result_from_json(s, err, sizeof err);
    if (r) {
        char *again = result_to_json(r);
        struct result *r2 = result_from_json(again, err, sizeof err);
        if (!r2) {
            fprintf(stderr, "accepted, written, then refused: %s\n", err);
            abort();
        }
        result_merge(r2, r);
        result_free(r2);
        free(again);
        result_free(r);
    }
    free(s);
    return 0;
}
