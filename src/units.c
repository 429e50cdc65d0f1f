/* units.c — durations and sizes as people type them; see units.h. */
#include "units.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* 100 days: far beyond any load test, and far from int64 overflow. */
#define UNITS_MAX_US (100.0 * 86400 * 1e6)

int units_parse_duration(const char *s, int64_t *out_us)
{
    if (!s || !*s) return -1;
    if (strcmp(s, "0") == 0) { *out_us = 0; return 0; }
    double total = 0;
    const char *p = s;
    while (*p) {
        /* Digits with at most one '.', so "1e3s" or "0x10s" are refused. */
        size_t n = strspn(p, "0123456789."), dots = 0;
        for (size_t i = 0; i < n; i++) dots += p[i] == '.';
        if (n == 0 || n > 30 || dots > 1 || (n == 1 && dots)) return -1;
        char num[32];
        memcpy(num, p, n);
        num[n] = '\0';
        double v = strtod(num, NULL);
        p += n;
        double mul;
        if (strncmp(p, "us", 2) == 0) { mul = 1; p += 2; }
        else if (strncmp(p, "ms", 2) == 0) { mul = 1e3; p += 2; }
        else if (*p == 's') { mul = 1e6; p++; }
        else if (*p == 'm') { mul = 60e6; p++; }
        else if (*p == 'h') { mul = 3600e6; p++; }
        else return -1;
        total += v * mul;
        if (total > UNITS_MAX_US) return -1;
    }
    *out_us = (int64_t)llround(total);
    return 0;
}

char *units_format_duration(char *buf, size_t n, double us)
{
    if (us < 0) us = 0;
    if (us < 1000) snprintf(buf, n, "%.0fus", us);
    else if (us < 1e6) snprintf(buf, n, us < 1e4 ? "%.2fms" : us < 1e5 ?
                                "%.1fms" : "%.0fms", us / 1e3);
    else if (us < 60e6) snprintf(buf, n, us < 1e7 ? "%.2fs" : "%.1fs",
                                 us / 1e6);
    else if (us < 3600e6) {
        long s = lround(us / 1e6);
        snprintf(buf, n, "%ldm%02lds", s / 60, s % 60);
    } else {
        long m = lround(us / 60e6);
        snprintf(buf, n, "%ldh%02ldm", m / 60, m % 60);
    }
    return buf;
}

int units_parse_size(const char *s, int64_t *out)
{
    if (!s || !isdigit((unsigned char)*s)) return -1;
    char *end;
    double v = strtod(s, &end);
    if (end == s || v < 0) return -1;
    double mul = 1;
    if (!*end || !strcmp(end, "b") || !strcmp(end, "B")) mul = 1;
    else if (!strcasecmp(end, "k") || !strcmp(end, "KiB") || !strcasecmp(end, "kb"))
        mul = 1024.0;
    else if (!strcasecmp(end, "m") || !strcmp(end, "MiB") || !strcasecmp(end, "mb"))
        mul = 1024.0 * 1024;
    else if (!strcasecmp(end, "g") || !strcmp(end, "GiB") || !strcasecmp(end, "gb"))
        mul = 1024.0 * 1024 * 1024;
    else return -1;
    double r = v * mul;
    if (r > 9e18) return -1;
    *out = (int64_t)r;
    return 0;
}

int units_parse_count(const char *s, long long min, long long max,
                      long long *out)
{
    char *end;
    errno = 0;
    long long n = strtoll(s, &end, 10);
    if (*end || end == s || (errno && errno != ERANGE)) return -1;
    if (errno == ERANGE || n < min || n > max) return -2;
    *out = n;
    return 0;
}
