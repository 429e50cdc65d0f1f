/* fuzz_hist — histogram decoding, re-encoding and merging. */
#include "fuzz.h"
#include "hist.h"
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_str(data, size);
    struct hist *h = NULL;
    if (hist_decode(s, &h) == 0) {
        char *e = hist_encode(h);
        struct hist *h2 = NULL;
        if (hist_decode(e, &h2) < 0 || h2->total != h->total ||
            h2->min != h->min || h2->max != h->max) {
            fprintf(stderr, "round trip differs\n");
            abort();
        }
        struct hist *sum = hist_new(h->sigfigs);
        if (hist_add(sum, h) == 0) (void)hist_percentile(sum, 99.9);
        (void)hist_percentile(h, 50);
        hist_free(sum);
        hist_free(h2);
        free(e);
        hist_free(h);
    }
    free(s);
    return 0;
}
