/* t.h — the tiny assert helper every tests/unit/test_<module>.c uses.
 *
 * A test file defines test functions and calls them through T_RUN from main;
 * T_DONE() prints "N passed, N failed" and returns the exit code. CHECK keeps
 * going after a failure so one run shows every broken expectation. */
#ifndef T_H
#define T_H
#include <stdio.h>
#include <string.h>

static int t_pass, t_fail;

#define CHECK(cond) do { if (cond) t_pass++; else { t_fail++; \
    fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); } \
    } while (0)
#define CHECK_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
    if (a_ && b_ && strcmp(a_, b_) == 0) t_pass++; else { t_fail++; \
    fprintf(stderr, "%s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__, \
            a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } } while (0)
#define CHECK_INT(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
    if (a_ == b_) t_pass++; else { t_fail++; \
    fprintf(stderr, "%s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, \
            #a, a_, b_); } } while (0)
#define T_RUN(fn) do { fn(); } while (0)
#define T_DONE() (printf("%s: %d passed, %d failed\n", __FILE__, t_pass, \
    t_fail), t_fail ? 1 : 0)
#endif
