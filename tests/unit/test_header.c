/* test_header.c — the response header scanner the engine and the Lambda
 * client share. Blocks are written as libcurl hands them over. */
#include "t.h"
#include "header.h"
#include <stdlib.h>

static void test_find(void)
{
    const char *b = "HTTP/1.1 200 OK\r\nContent-Type: text/html \t\r\n"
                    "X-Id:abc\r\nx-id:   def\r\nEmpty:\r\n\r\n";
    struct buf v = {0};
    CHECK_INT(header_find(b, "content-type", &v), 1);
    CHECK_STR(buf_str(&v), "text/html");         /* trimmed both sides */
    CHECK_INT(header_find(b, "X-Id", &v), 1);
    CHECK_STR(buf_str(&v), "def");               /* the last one wins */
    CHECK_INT(header_find(b, "Empty", &v), 1);
    CHECK_STR(buf_str(&v), "");
    CHECK_INT(header_find(b, "X-I", NULL), 0);   /* a prefix is not a name */
    CHECK_INT(header_find(b, "Missing", NULL), 0);
    CHECK_INT(header_find("", "X-Id", NULL), 0);
    buf_free(&v);
}

static void test_last_response(void)
{
    /* A redirect's headers do not answer for the final response. */
    const char *b = "HTTP/1.1 302 Found\r\nLocation: /b\r\nSet: 1\r\n\r\n"
                    "HTTP/1.1 200 OK\r\nSet: 2\r\n\r\n";
    CHECK_INT(header_find(b, "Location", NULL), 0);
    char *s = header_get(b, "set");
    CHECK_STR(s, "2");
    free(s);
    CHECK(header_get(b, "Location") == NULL);
    /* Without a status line (a bare block) lines still count. */
    s = header_get("Retry-After: 3\n", "retry-after");
    CHECK_STR(s, "3");
    free(s);
}

int main(void)
{
    T_RUN(test_find);
    T_RUN(test_last_response);
    return T_DONE();
}
