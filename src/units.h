/* units — parsing and printing of durations, rates and sizes, as people type
 * them in plans and on the command line ("500ms", "20s", "1h20m", "1.5s").
 *
 * All durations are integer microseconds. Pure functions, thread-safe. */
#ifndef HERD_UNITS_H
#define HERD_UNITS_H
#include <stdint.h>
#include <stddef.h>

/* Parses a duration: one or more <number><unit> groups, unit one of
 * us, ms, s, m, h (e.g. "500ms", "1.5s", "3m", "1h20m", "2m30s"); a bare
 * "0" is 0. Numbers may have a fraction. Negative, empty, unit-less (other
 * than "0"), trailing garbage or overflow (> 100 days) are errors.
 * Returns 0 and sets *out_us, or -1. */
int units_parse_duration(const char *s, int64_t *out_us);

/* Formats a duration for people with 3 significant digits and a unit chosen
 * by size: "850us", "12.3ms", "1.23s", "4m05s", "1h20m". Writes at most n
 * bytes (NUL included) and returns buf. */
char *units_format_duration(char *buf, size_t n, double us);

/* Parses a size like "64k", "1m", "1048576", "1MiB" (k/m/g and KiB/MiB/GiB
 * are powers of 1024). Returns 0 and sets *out, or -1. */
int units_parse_size(const char *s, int64_t *out);

/* Parses a whole number (decimal, optional sign, nothing after it) in
 * min..max: the one range-checked integer reader of command-line values.
 * Returns 0 and sets *out, -1 if s is not a whole number, -2 if it is out
 * of range (overflow included). */
int units_parse_count(const char *s, long long min, long long max,
                      long long *out);
#endif
