/* test_curlprintf.c — libcurl's printf, which builds every request herd
 * sends, against glibc's snprintf. herd's libcurl carries a patch to it
 * (scripts/curl-patches/mprintf-bulk-output.patch: strings and literal text
 * are copied in runs, not byte by byte); these are the three kinds of
 * output the patch touches — a growing buffer (curl_maprintf), a fixed
 * buffer cut short at every size (curl_msnprintf), and a FILE (the
 * byte-at-a-time path) — over formats like the request line and headers
 * and strings of every length. It passes with Debian's unpatched libcurl
 * too (make CURL=system). */
#include "t.h"
#include <curl/curl.h>
#include <curl/mprintf.h>
#include <stdlib.h>

/* One format over (string, int, string): glibc's output is the reference. */
static const char *const fmt3[] = {
    "%s", "", "plain text, no conversion", "%s%d%s", "[%s] (%d) <%s>",
    "%-20s|%5d|%20s", "%.5s%d%.0s", "%s\r\n%d%s", "%%%s%%%d%%%s%%",
    "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: %s\r\n\r\n",
    "%3s%-3d%.40s", "%s%i%s", "x%sy%dz%s",
};

static int checked;

static void check_one(const char *want, const char *f, const char *s1, int n,
                      const char *s2, int three)
{
    size_t len = strlen(want);
    char *a = three ? curl_maprintf(f, s1, n, s2) : curl_maprintf(f, n, s1);
    CHECK(a != NULL);
    if (a && strcmp(a, want)) {
        CHECK_STR(a, want);
        fprintf(stderr, "  format \"%s\"\n", f);
    }
    curl_free(a);

    /* Every size from 1 to past the end: the first size-1 bytes, always
     * NUL-terminated, and the count of what was written. */
    char *buf = malloc(len + 8);
    size_t sizes[] = {1, 2, 3, len / 2 + 1, len, len + 1, len + 5};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        size_t z = sizes[i];
        if (z == 0 || z > len + 5) continue;
        memset(buf, 'Q', len + 8);
        int r = three ? curl_msnprintf(buf, z, f, s1, n, s2)
                      : curl_msnprintf(buf, z, f, n, s1);
        size_t keep = len < z - 1 ? len : z - 1;
        if (strncmp(buf, want, keep) || buf[keep] != '\0' || r != (int)keep) {
            t_fail++;
            fprintf(stderr, "curl_msnprintf size %zu, format \"%s\": got "
                    "\"%.*s\" (%d), want %zu bytes\n", z, f, (int)keep, buf,
                    r, keep);
        } else t_pass++;
    }
    free(buf);

    FILE *fp = tmpfile();
    int r = three ? curl_mfprintf(fp, f, s1, n, s2) : curl_mfprintf(fp, f, n, s1);
    char *got = calloc(1, len + 2);
    rewind(fp);
    size_t rd = fread(got, 1, len + 1, fp);
    fclose(fp);
    CHECK_INT(r, (long long)len);
    CHECK_INT(rd, (long long)len);
    if (memcmp(got, want, len)) CHECK_STR(got, want);
    free(got);
    checked++;
}

static char *random_string(unsigned *seed)
{
    static const size_t lens[] = {0, 1, 2, 7, 31, 32, 33, 100, 255, 4000};
    size_t n = lens[rand_r(seed) % (sizeof lens / sizeof *lens)];
    char *s = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        s[i] = (char)(' ' + rand_r(seed) % 95);     /* '%' included */
    s[n] = '\0';
    return s;
}

static void test_against_glibc(void)
{
    unsigned seed = 7;
    for (int round = 0; round < 40; round++) {
        char *s1 = random_string(&seed), *s2 = random_string(&seed);
        int n = (int)(rand_r(&seed) % 200000) - 100000;
        for (size_t i = 0; i < sizeof fmt3 / sizeof *fmt3; i++) {
            int len = snprintf(NULL, 0, fmt3[i], s1, n, s2);
            char *want = malloc((size_t)len + 1);
            snprintf(want, (size_t)len + 1, fmt3[i], s1, n, s2);
            check_one(want, fmt3[i], s1, n, s2, 1);
            free(want);
        }
        /* Precision from an argument, shorter and longer than the string
         * (a string stops at its NUL whatever the precision says). */
        const char *fmtp[] = {"%.*s", "<%.*s>"};
        int precs[] = {0, 1, 5, 40, 5000};
        for (size_t i = 0; i < 2; i++)
            for (size_t k = 0; k < 5; k++) {
                char want[8192];
                snprintf(want, sizeof want, fmtp[i], precs[k], s1);
                check_one(want, fmtp[i], s1, precs[k], NULL, 0);
            }
        free(s1);
        free(s2);
    }
    CHECK(checked > 500);
}

/* A NULL string prints as libcurl's "(nil)" (glibc says "(null)"). */
static void test_null_string(void)
{
    char *a = curl_maprintf("a%sb", (char *)NULL);
    CHECK_STR(a, "a(nil)b");
    curl_free(a);
    char buf[8];
    CHECK_INT(curl_msnprintf(buf, sizeof buf, "%.2s|%s", (char *)NULL, "xyzw"), 5);
    CHECK_STR(buf, "|xyzw");
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    T_RUN(test_against_glibc);
    T_RUN(test_null_string);
    curl_global_cleanup();
    return T_DONE();
}
