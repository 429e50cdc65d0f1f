/* fuzz_units — durations, sizes and threshold sentences. */
#include "fuzz.h"
#include "thresh.h"
#include "units.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_str(data, size), err[256], out[64];
    int64_t v;
    if (units_parse_duration(s, &v) == 0)
        units_format_duration(out, sizeof out, (double)v);
    (void)units_parse_size(s, &v);
    struct thresh t;
    if (thresh_parse(s, &t, err, sizeof err) == 0) {
        thresh_format(&t, t.value, out, sizeof out);
        thresh_clear(&t);
    }
    free(s);
    return 0;
}
