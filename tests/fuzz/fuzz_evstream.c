/* fuzz_evstream — the event stream decoder, fed the input in two cuts
 * (the first byte chooses where), as a socket would deliver it. */
#include "fuzz.h"
#include "evstream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t cut = data[0] % size;
    struct evs d = {0};
    struct evs_msg m;
    evs_feed(&d, data + 1, cut);
    while (evs_next(&d, &m) == 1)
        if (m.payload_len && m.payload[m.payload_len - 1] == 0x7f) break;
    evs_feed(&d, data + 1 + cut, size - 1 - cut);
    while (evs_next(&d, &m) == 1) {}
    (void)evs_pending(&d);
    evs_free(&d);
    return 0;
}
