/* test_units.c — durations and sizes as people type them. */
#include "t.h"
#include "units.h"

static int64_t dur(const char *s)
{
    int64_t v = -7;
    return units_parse_duration(s, &v) == 0 ? v : -1;
}

static void test_durations(void)
{
    CHECK_INT(dur("500ms"), 500000);
    CHECK_INT(dur("20s"), 20000000);
    CHECK_INT(dur("3m"), 180000000);
    CHECK_INT(dur("1h20m"), 4800000000LL);
    CHECK_INT(dur("2m30s"), 150000000);
    CHECK_INT(dur("1.5s"), 1500000);
    CHECK_INT(dur("100us"), 100);
    CHECK_INT(dur("0"), 0);
    const char *bad[] = {"", "5", "5x", "-1s", "1h20", "s", "1e3s", " 1s",
                         "1s ", "9999999h", "1..5s", NULL};
    for (const char **b = bad; *b; b++) {
        if (dur(*b) != -1) fprintf(stderr, "accepted \"%s\"\n", *b);
        CHECK_INT(dur(*b), -1);
    }
}

static void test_format(void)
{
    char b[32];
    CHECK_STR(units_format_duration(b, sizeof b, 850), "850us");
    CHECK_STR(units_format_duration(b, sizeof b, 1234), "1.23ms");
    CHECK_STR(units_format_duration(b, sizeof b, 12345), "12.3ms");
    CHECK_STR(units_format_duration(b, sizeof b, 1234567), "1.23s");
    CHECK_STR(units_format_duration(b, sizeof b, 245e6), "4m05s");
    CHECK_STR(units_format_duration(b, sizeof b, 4800e6), "1h20m");
}

static void test_sizes(void)
{
    int64_t v;
    CHECK(units_parse_size("64k", &v) == 0 && v == 65536);
    CHECK(units_parse_size("1MiB", &v) == 0 && v == 1048576);
    CHECK(units_parse_size("1048576", &v) == 0 && v == 1048576);
    CHECK(units_parse_size("2g", &v) == 0 && v == 2147483648LL);
    CHECK(units_parse_size("x", &v) == -1);
    CHECK(units_parse_size("1q", &v) == -1);
    CHECK(units_parse_size("-1k", &v) == -1);
}

static void test_counts(void)
{
    long long v = -7;
    CHECK_INT(units_parse_count("42", 1, 100, &v), 0);
    CHECK_INT(v, 42);
    CHECK_INT(units_parse_count("0", 0, 0, &v), 0);
    CHECK_INT(v, 0);
    CHECK_INT(units_parse_count("1000000000000", 1, 1000000000000LL, &v), 0);
    CHECK_INT(v, 1000000000000LL);
    /* Not a whole number: -1, and *out untouched. */
    v = -7;
    const char *bad[] = {"", "x", "1.5", "1e3", "12abc", "1 ", NULL};
    for (const char **b = bad; *b; b++)
        CHECK_INT(units_parse_count(*b, 0, 100, &v), -1);
    CHECK_INT(v, -7);
    /* Out of range, overflow included: -2. */
    CHECK_INT(units_parse_count("0", 1, 100, &v), -2);
    CHECK_INT(units_parse_count("101", 1, 100, &v), -2);
    CHECK_INT(units_parse_count("-1", 0, 100, &v), -2);
    CHECK_INT(units_parse_count("99999999999999999999", 0, 100, &v), -2);
    CHECK_INT(v, -7);
}

int main(void)
{
    T_RUN(test_durations);
    T_RUN(test_format);
    T_RUN(test_sizes);
    T_RUN(test_counts);
    return T_DONE();
}
