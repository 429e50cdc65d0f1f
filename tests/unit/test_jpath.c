/* test_jpath.c — the JSON-path subset used by extract, expect and poll. */
#include "t.h"
#include "jpath.h"

static void test_get(void)
{
    cJSON *d = cJSON_Parse("{\"ID\":\"abc\",\"state\":\"SUCCESS\",\"n\":3,"
        "\"f\":1.5,\"ok\":true,\"nil\":null,\"items\":[{\"id\":7},{\"id\":8}],"
        "\"odd key\":{\"x\":[1,[2,3]]}}");
    struct buf b = {0};
    jpath_to_text(jpath_get(d, "$.ID"), &b);
    CHECK_STR(buf_str(&b), "abc");
    buf_reset(&b); jpath_to_text(jpath_get(d, "$.n"), &b);
    CHECK_STR(buf_str(&b), "3");
    buf_reset(&b); jpath_to_text(jpath_get(d, "$.f"), &b);
    CHECK_STR(buf_str(&b), "1.5");
    buf_reset(&b); jpath_to_text(jpath_get(d, "$.ok"), &b);
    CHECK_STR(buf_str(&b), "true");
    buf_reset(&b); jpath_to_text(jpath_get(d, "$.nil"), &b);
    CHECK_STR(buf_str(&b), "null");
    buf_reset(&b); jpath_to_text(jpath_get(d, "$.items[1].id"), &b);
    CHECK_STR(buf_str(&b), "8");
    buf_reset(&b); jpath_to_text(jpath_get(d, "$.items[-1].id"), &b);
    CHECK_STR(buf_str(&b), "8");
    buf_reset(&b); jpath_to_text(jpath_get(d, "$['odd key'].x[1][0]"), &b);
    CHECK_STR(buf_str(&b), "2");
    buf_reset(&b); jpath_to_text(jpath_get(d, "$.items[0]"), &b);
    CHECK_STR(buf_str(&b), "{\"id\":7}");
    CHECK(jpath_get(d, "$") == d);
    /* A number far beyond long long prints in %.17g form, no cast. */
    cJSON *big = cJSON_Parse("1e300");
    buf_reset(&b);
    jpath_to_text(big, &b);
    CHECK_STR(buf_str(&b), "1.0000000000000001e+300");
    cJSON_Delete(big);
    CHECK(jpath_get(d, "$.missing") == NULL);
    CHECK(jpath_get(d, "$.items[2]") == NULL);
    CHECK(jpath_get(d, "$.ID.x") == NULL);
    CHECK(jpath_get(d, "$.n[0]") == NULL);
    CHECK(jpath_get(NULL, "$.ID") == NULL);
    buf_free(&b);
    cJSON_Delete(d);
}

static void test_check(void)
{
    char err[128];
    CHECK(jpath_check("$.a.b[0]['c d']", err, sizeof err) == 0);
    CHECK(jpath_check("$", err, sizeof err) == 0);
    const char *bad[] = {"", "a.b", "$.", "$.a[", "$.a[x]", "$.a['b", "$a",
                         "$.a..b", NULL};
    for (const char **p = bad; *p; p++) {
        int rc = jpath_check(*p, err, sizeof err);
        if (rc == 0) fprintf(stderr, "accepted \"%s\"\n", *p);
        CHECK(rc == -1);
    }
}

int main(void)
{
    T_RUN(test_get);
    T_RUN(test_check);
    return T_DONE();
}
