/* test_mask.c — secrets never survive masking. */
#include "t.h"
#include "mask.h"
#include <stdlib.h>

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

/* Which ${ENV} values are secrets, and every form of one is masked. */
static void test_secret_forms(void)
{
    CHECK(mask_secret_name("HERD_PASSWORD"));
    CHECK(mask_secret_name("api_token"));
    CHECK(mask_secret_name("AWS_SECRET_ACCESS_KEY"));
    CHECK(mask_secret_name("STRIPE_KEY"));
    CHECK(mask_secret_name("DbCredentials"));
    CHECK(mask_secret_name("DB_PASS"));
    CHECK(mask_secret_name("OAUTH_HEADER"));
    CHECK(!mask_secret_name("TARGET_URL"));
    CHECK(!mask_secret_name("USERNAME"));
    char **forms = NULL;
    int n = 0;
    mask_secret_forms("p@ss w\"rd/1", &forms, &n);
    mask_secret_forms("p@ss w\"rd/1", &forms, &n);     /* once each */
    CHECK_INT(n, 5);
    struct buf b = {0};
    const char *t = "q=p%40ss%20w%22rd%2F1&f=p%40ss+w%22rd%2F1 "
                    "{\"pw\":\"p@ss w\\\"rd/1\"} raw p@ss w\"rd/1.";
    mask_text(t, strlen(t), forms, n, &b);
    CHECK_STR(buf_str(&b), "q=***&f=*** {\"pw\":\"***\"} raw ***.");
    buf_reset(&b);
    /* An echoed body: the JSON request inside a JSON string. */
    const char *e = "{\"body\":\"{\\\"pw\\\":\\\"p@ss w\\\\\\\"rd/1\\\"}\"}";
    mask_text(e, strlen(e), forms, n, &b);
    CHECK_STR(buf_str(&b), "{\"body\":\"{\\\"pw\\\":\\\"***\\\"}\"}");
    buf_free(&b);
    for (int i = 0; i < n; i++) free(forms[i]);
    free(forms);
}

int main(void)
{
    T_RUN(test_headers);
    T_RUN(test_bodies);
    T_RUN(test_secret_forms);
    return T_DONE();
}
