/* test_store.c — store's pure parts: masking a connection string's
 * password in messages (whether or not libpq can parse it), and the
 * result hash (herd's version left out). No database needed. */
#include "t.h"
#include "store.h"
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

static int masked(const char *ci, const char *text, const char *secret)
{
    char msg[512];
    snprintf(msg, sizeof msg, "%s", text);
    store_mask(ci, msg);
    return strstr(msg, secret) == NULL;
}

static void test_mask_parsable(void)
{
    const char *ci = "postgresql://u:s3cr%40t@db.example:5432/x";
    CHECK(masked(ci, "FATAL: password s3cr%40t for u", "s3cr%40t"));
    CHECK(masked(ci, "FATAL: password s3cr@t for u", "s3cr@t"));
    CHECK(masked("host=db user=u password='p w\\'x' dbname=x",
                 "oops p w'x here", "p w'x"));
    CHECK(masked("host=db password=kv-secret", "said kv-secret", "kv-secret"));
    CHECK(masked("postgresql://u@db/x?password=q%2Fsecret&sslmode=require",
                 "token q/secret and q%2Fsecret", "secret"));
    CHECK(store_has_password(ci));
    CHECK(!store_has_password("postgresql://u@db/x"));
    char msg[64] = "database \"postgres\" does not exist";
    store_mask("postgres", msg);                /* a bare name: kept */
    CHECK_STR(msg, "database \"postgres\" does not exist");
}

/* libpq cannot parse these: the password must still be hidden. */
static void test_mask_unparsable(void)
{
    const char *bad_pct = "postgresql://u:ab%zzcd@db/x";
    CHECK(masked(bad_pct, "invalid percent-encoded token: \"ab%zzcd\"", "ab%zzcd"));
    CHECK(masked(bad_pct, "in postgresql://u:ab%zzcd@db/x", "ab%zzcd"));
    CHECK(store_has_password(bad_pct));
    const char *bad_v6 = "postgresql://u:v6-secret@[::1/x";
    CHECK(masked(bad_v6, "end of string reached when looking for matching "
                 "\"]\" in IPv6 host address in URI: \"postgresql://u:v6-secret@[::1/x\"",
                 "v6-secret"));
    CHECK(store_has_password(bad_v6));
    const char *at_in_pw = "postgresql://u:p@ss@db/x";    /* '@' unencoded */
    CHECK(masked(at_in_pw, "x p@ss y", "p@ss"));
    const char *bad_kv = "host=db password=kv-bad 'unterminated";
    CHECK(masked(bad_kv, "missing \"=\" after \"'unterminated\"; kv-bad", "kv-bad"));
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char m[] = "test_store: store_mask looped forever\n";
    (void)!write(2, m, sizeof m - 1);
    _exit(1);
}

/* A password of '*' only: its own mask matches again (this looped). */
static void test_mask_stars(void)
{
    signal(SIGALRM, on_alarm);
    alarm(5);
    char msg[128] = "auth failed for ***** here";
    store_mask("postgresql://u:*****@db/x", msg);
    CHECK_STR(msg, "auth failed for ***** here");
    char msg2[128] = "p=** and **";
    store_mask("host=db password=**", msg2);
    CHECK_STR(msg2, "p=** and **");
    alarm(0);
}

static void test_hash_without_version(void)
{
    char a[32], b[32], c[32];
    store_result_hash("{\"herd_result\":\t1,\n\t\"herd_version\":\t\"0.1.0\",\n\t\"x\":\t1}", a);
    store_result_hash("{\"herd_result\":\t1,\n\t\"herd_version\":\t\"9.9.9\",\n\t\"x\":\t1}", b);
    store_result_hash("{\"herd_result\":\t1,\n\t\"herd_version\":\t\"0.1.0\",\n\t\"x\":\t2}", c);
    CHECK_STR(a, b);
    CHECK(strcmp(a, c) != 0);
    CHECK_INT(strlen(a), 16);
}

int main(void)
{
    T_RUN(test_mask_parsable);
    T_RUN(test_mask_unparsable);
    T_RUN(test_mask_stars);
    T_RUN(test_hash_without_version);
    return T_DONE();
}
