/* test_mask.c — secrets never survive masking. */
#include "t.h"
#include "mask.h"

static void test_headers(void)
{
    char *secrets[] = {"hunter22-secret"};
    struct buf b = {0};
    mask_header_line("Authorization: Bearer abc.def.ghi", 33, secrets, 1, &b);
    CHECK_STR(buf_str(&b), "Authorization: Bearer ***");
    buf_reset(&b);
    mask_header_line("Cookie: session=xyz", 19, secrets, 1, &b);
    CHECK_STR(buf_str(&b), "Cookie: ***");
    buf_reset(&b);
    mask_header_line("X-Other: hunter22-secret!", 25, secrets, 1, &b);
    CHECK_STR(buf_str(&b), "X-Other: ***!");
    buf_reset(&b);
    mask_header_line("Accept: */*", 11, secrets, 1, &b);
    CHECK_STR(buf_str(&b), "Accept: */*");
    buf_free(&b);
    CHECK(mask_header_name("x-api-key", 9));
    CHECK(!mask_header_name("content-type", 12));
    CHECK(mask_field_name("Authorization"));
    CHECK(mask_field_name("refresh_token"));
    CHECK(!mask_field_name("username"));
}

static void test_bodies(void)
{
    char *secrets[] = {"hunter22-secret"};
    struct buf b = {0};
    const char *j = "{\"username\":\"admin\",\"password\":\"pw\","
                    "\"nested\":{\"access_token\":\"t0k\"},\"note\":"
                    "\"hunter22-secret\"}";
    mask_text(j, strlen(j), secrets, 1, &b);
    CHECK_STR(buf_str(&b), "{\"username\":\"admin\",\"password\":\"***\","
              "\"nested\":{\"access_token\":\"***\"},\"note\":\"***\"}");
    buf_reset(&b);
    const char *t = "user=admin&pass=hunter22-secret";
    mask_text(t, strlen(t), secrets, 1, &b);
    CHECK_STR(buf_str(&b), "user=admin&pass=***");
    buf_free(&b);
}

int main(void)
{
    T_RUN(test_headers);
    T_RUN(test_bodies);
    return T_DONE();
}
