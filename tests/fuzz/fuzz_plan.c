/* fuzz_plan — the plan parser and validator on arbitrary input. */
#include "fuzz.h"
#include "plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_str(data, size), err[1024];
    struct plan *p = plan_parse(s, "fuzz.json", err, sizeof err);
    if (p) {
        cJSON *l = plan_load_json(p), *set = plan_settings_json(p);
        cJSON_Delete(l);
        cJSON_Delete(set);
        plan_free(p);
    }
    free(s);
    return 0;
}
