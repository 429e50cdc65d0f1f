/* test_tmpl.c — compiling and rendering {{templates}}. */
#include "t.h"
#include "tmpl.h"

static int lookup(void *ctx, const char *name, struct buf *out)
{
    (void)ctx;
    if (!strcmp(name, "user")) { buf_puts(out, "42"); return 0; }
    if (!strcmp(name, "creds.username")) { buf_puts(out, "alice"); return 0; }
    if (!strcmp(name, "random(1,6)")) { buf_puts(out, "4"); return 0; }
    return -1;
}

static void test_render(void)
{
    char err[128];
    struct tmpl *t = tmpl_compile("/u/{{user}}/{{ creds.username }}?d={{random(1, 6)}}",
                                  err, sizeof err);
    CHECK(t != NULL);
    CHECK_INT(tmpl_nrefs(t), 3);
    CHECK_STR(tmpl_ref(t, 1), "creds.username");
    CHECK_STR(tmpl_ref(t, 2), "random(1,6)");
    CHECK(!tmpl_is_static(t));
    struct buf b = {0};
    const char *bad = NULL;
    CHECK(tmpl_render(t, lookup, NULL, &b, &bad) == 0);
    CHECK_STR(buf_str(&b), "/u/42/alice?d=4");
    tmpl_free(t);

    t = tmpl_compile("/static", err, sizeof err);
    CHECK(tmpl_is_static(t));
    buf_reset(&b);
    CHECK(tmpl_render(t, lookup, NULL, &b, &bad) == 0);
    CHECK_STR(buf_str(&b), "/static");
    CHECK_STR(tmpl_source(t), "/static");
    tmpl_free(t);

    t = tmpl_compile("x{{nope}}y", err, sizeof err);
    buf_reset(&b);
    CHECK(tmpl_render(t, lookup, NULL, &b, &bad) == -1);
    CHECK_STR(bad, "nope");
    tmpl_free(t);
    buf_free(&b);
}

static void test_errors(void)
{
    char err[128];
    CHECK(tmpl_compile("/a/{{user", err, sizeof err) == NULL);
    CHECK_STR(err, "unclosed '{{' at offset 3");
    CHECK(tmpl_compile("{{ }}", err, sizeof err) == NULL);
    CHECK(tmpl_compile("{{a$b}}", err, sizeof err) == NULL);
}

int main(void)
{
    T_RUN(test_render);
    T_RUN(test_errors);
    return T_DONE();
}
