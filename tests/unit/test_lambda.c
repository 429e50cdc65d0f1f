/* test_lambda.c — the coordinator's reading of Retry-After: seconds or an
 * HTTP-date (IMF-fixdate), capped at LAMBDA_RETRY_AFTER_MAX_MS. */
#include "t.h"
#include "lambda.h"

static void test_retry_after(void)
{
    /* 784111777 s is Sun, 06 Nov 1994 08:49:37 GMT (RFC 7231's example). */
    const int64_t now = 784111777LL * 1000;
    CHECK_INT(lambda_retry_after_ms("5", now), 5000);
    CHECK_INT(lambda_retry_after_ms("0", now), 0);
    CHECK_INT(lambda_retry_after_ms(" 12 ", now), 12000);
    /* Capped, however large (no overflow either). */
    CHECK_INT(lambda_retry_after_ms("3600", now), LAMBDA_RETRY_AFTER_MAX_MS);
    CHECK_INT(lambda_retry_after_ms("99999999999999999999999", now),
              LAMBDA_RETRY_AFTER_MAX_MS);
    /* An HTTP-date: the wait until then, from now. */
    CHECK_INT(lambda_retry_after_ms("Sun, 06 Nov 1994 08:49:47 GMT", now), 10000);
    CHECK_INT(lambda_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", now + 250), 0);
    CHECK_INT(lambda_retry_after_ms("Sun, 06 Nov 1994 08:50:07 GMT", now - 500),
              30500);
    CHECK_INT(lambda_retry_after_ms("Mon, 07 Nov 1994 08:49:37 GMT", now),
              LAMBDA_RETRY_AFTER_MAX_MS);
    CHECK_INT(lambda_retry_after_ms("Sat, 31 Dec 2044 23:59:59 GMT", now),
              LAMBDA_RETRY_AFTER_MAX_MS);
    /* Past: retry now (the caller then backs off as without the header). */
    CHECK_INT(lambda_retry_after_ms("Sat, 05 Nov 1994 08:49:37 GMT", now), 0);
    /* Neither: -1, and the caller backs off. */
    CHECK_INT(lambda_retry_after_ms(NULL, now), -1);
    CHECK_INT(lambda_retry_after_ms("", now), -1);
    CHECK_INT(lambda_retry_after_ms("soon", now), -1);
    CHECK_INT(lambda_retry_after_ms("5s", now), -1);
    CHECK_INT(lambda_retry_after_ms("-5", now), -1);
    CHECK_INT(lambda_retry_after_ms("Sun, 06 Nov 1994 08:49:47 PST", now), -1);
    CHECK_INT(lambda_retry_after_ms("Sun, 06 Foo 1994 08:49:47 GMT", now), -1);
    CHECK_INT(lambda_retry_after_ms("Xyz, 06 Nov 1994 08:49:47 GMT", now), -1);
    CHECK_INT(lambda_retry_after_ms("Sun, 06 Nov 1994 25:49:47 GMT", now), -1);
    CHECK_INT(lambda_retry_after_ms("Sun, 06 Nov 1994 08:49:47 GMT junk", now), -1);
}

int main(void)
{
    T_RUN(test_retry_after);
    return T_DONE();
}
