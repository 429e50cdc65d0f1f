/* fuzz.h — shared by the libFuzzer harnesses: the input as a C string. */
#ifndef HERD_FUZZ_H
#define HERD_FUZZ_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}
#endif
