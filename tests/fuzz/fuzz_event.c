/* fuzz_event — the Lambda event reader (plan, variables, shard). */
#include "fuzz.h"
#include "lambda.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_str(data, size), err[1200];
    (void)lambda_event_read(s, err, sizeof err);
    free(s);
    return 0;
}
