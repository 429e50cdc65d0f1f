/* plan.c — reading, validating and compiling plans; see plan.h.
 *
 * The parser walks the cJSON tree once, carrying the field path of the node
 * it is looking at ("scenarios[1].steps[0].poll.every"), so every error can
 * name it. Each object is first checked against the keys it may have, then
 * its fields are read with small typed getters. ${ENV} substitution happens
 * on the whole tree before validation, remembering the substituted values
 * as secrets for masking. Templates are compiled and their references
 * checked against what exists (built-ins, pools, variables extracted by
 * setup or by any step), so a misspelt {{name}} fails `herd check`. */
#include "plan.h"
#include "buf.h"
#include "jpath.h"
#include "mask.h"
#include "units.h"
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PLAN_DEFAULT_TIMEOUT_US  (30LL * 1000000)
#define PLAN_DEFAULT_MAX_BODY    (1LL << 20)      /* 1 MiB kept for checks */
#define PLAN_DEFAULT_GRACE_US    (30LL * 1000000) /* like k6 gracefulStop */
#define PLAN_MAX_FILE            (16 << 20)

struct pending { struct tmpl *t; char *path; };

struct ctx {
    const char *file;
    char *dir;                   /* directory of the plan, for data files */
    char *err;
    size_t errlen;
    struct plan *p;
    /* Reference checks run after every step is parsed, so a variable
     * extracted by a later step still counts: templates to check wait
     * here. */
    struct pending *pend;
    int npend;
    const cJSON *secret_names;   /* the plan's "secrets": ${ENV} names */
};

static int fail(struct ctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct ctx *c, const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(c->err, c->errlen, "%s: %s: %s", c->file,
             *path ? path : "(top level)", msg);
    return -1;
}

static const char *type_name(const cJSON *n)
{
    if (!n) return "nothing";
    if (cJSON_IsString(n)) return "a string";
    if (cJSON_IsNumber(n)) return "a number";
    if (cJSON_IsBool(n)) return "a boolean";
    if (cJSON_IsNull(n)) return "null";
    if (cJSON_IsArray(n)) return "an array";
    return "an object";
}

static void child(char *out, size_t n, const char *path, const char *key)
{
    snprintf(out, n, "%s%s%s", path, *path ? "." : "", key);
}

static void elem(char *out, size_t n, const char *path, int i)
{
    snprintf(out, n, "%s[%d]", path, i);
}

/* Rejects keys of obj not in the NULL-terminated list allowed. */
static int check_keys(struct ctx *c, const cJSON *obj, const char *path,
                      const char *const *allowed)
{
    if (!cJSON_IsObject(obj))
        return fail(c, path, "expected an object, got %s", type_name(obj));
    const cJSON *k;
    cJSON_ArrayForEach(k, obj) {
        /* "//" keys are comments (JSON has none): allowed anywhere. */
        int ok = strncmp(k->string, "//", 2) == 0;
        for (const char *const *a = allowed; !ok && *a; a++)
            if (strcmp(*a, k->string) == 0) { ok = 1; break; }
        if (ok) continue;
        struct buf b = {0};
        for (const char *const *a = allowed; *a; a++)
            buf_printf(&b, "%s%s", a == allowed ? "" : ", ", *a);
        char p[512];
        child(p, sizeof p, path, k->string);
        fail(c, p, "unknown key (expected one of: %s)", buf_str(&b));
        buf_free(&b);
        return -1;
    }
    return 0;
}

static int get_str(struct ctx *c, const cJSON *obj, const char *key,
                   const char *path, int required, const char **out)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(obj, key);
    char p[512];
    child(p, sizeof p, path, key);
    if (!n) {
        if (required) return fail(c, p, "required, expected a string");
        return 0;
    }
    if (!cJSON_IsString(n))
        return fail(c, p, "expected a string, got %s", type_name(n));
    *out = n->valuestring;
    return 0;
}

static int get_duration(struct ctx *c, const cJSON *obj, const char *key,
                        const char *path, int required, int64_t *out)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(obj, key);
    char p[512];
    child(p, sizeof p, path, key);
    if (!n) {
        if (required)
            return fail(c, p, "required, expected a duration like \"500ms\"");
        return 0;
    }
    if (!cJSON_IsString(n) || units_parse_duration(n->valuestring, out) < 0)
        return fail(c, p, "expected a duration like \"500ms\", \"20s\", "
                    "\"1h20m\"");
    return 0;
}

/* A duration or a ["min", "max"] range. */
static int get_range(struct ctx *c, const cJSON *n, const char *p,
                     int64_t *min_us, int64_t *max_us)
{
    if (cJSON_IsString(n) && units_parse_duration(n->valuestring, min_us) == 0) {
        *max_us = *min_us;
        return 0;
    }
    if (cJSON_IsArray(n) && cJSON_GetArraySize(n) == 2) {
        const cJSON *a = cJSON_GetArrayItem(n, 0), *b = cJSON_GetArrayItem(n, 1);
        if (cJSON_IsString(a) && cJSON_IsString(b) &&
            units_parse_duration(a->valuestring, min_us) == 0 &&
            units_parse_duration(b->valuestring, max_us) == 0 &&
            *min_us <= *max_us)
            return 0;
    }
    return fail(c, p, "expected a duration like \"1s\" or a range "
                "[\"100ms\", \"200ms\"] with min <= max");
}

static int get_num(struct ctx *c, const cJSON *obj, const char *key,
                   const char *path, double min, double max, int integer,
                   int required, double *out)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(obj, key);
    char p[512];
    child(p, sizeof p, path, key);
    if (!n) {
        if (required) return fail(c, p, "required, expected a number");
        return 0;
    }
    if (!cJSON_IsNumber(n) || isnan(n->valuedouble) ||
        n->valuedouble < min || n->valuedouble > max ||
        (integer && n->valuedouble != floor(n->valuedouble)))
        return fail(c, p, "expected %s from %g to %g",
                    integer ? "a whole number" : "a number", min, max);
    *out = n->valuedouble;
    return 0;
}

static int get_bool(struct ctx *c, const cJSON *obj, const char *key,
                    const char *path, int *out)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!n) return 0;
    if (!cJSON_IsBool(n)) {
        char p[512];
        child(p, sizeof p, path, key);
        return fail(c, p, "expected true or false, got %s", type_name(n));
    }
    *out = cJSON_IsTrue(n);
    return 0;
}

/* A status code or a list of them. */
static int get_statuses(struct ctx *c, const cJSON *n, const char *p,
                        int **out, int *nout)
{
    if (!n) return 0;
    const cJSON *one = n;
    int count = cJSON_IsArray(n) ? cJSON_GetArraySize(n) : 1;
    if (cJSON_IsArray(n) && count == 0)
        return fail(c, p, "expected a status code or a non-empty list");
    int *v = xcalloc((size_t)count, sizeof *v);
    for (int i = 0; i < count; i++) {
        if (cJSON_IsArray(n)) one = cJSON_GetArrayItem(n, i);
        if (!cJSON_IsNumber(one) || one->valuedouble < 100 ||
            one->valuedouble > 599 ||
            one->valuedouble != floor(one->valuedouble)) {
            free(v);
            return fail(c, p, "expected an HTTP status code (100-599) or a "
                        "list of them");
        }
        v[i] = (int)one->valuedouble;
    }
    *out = v;
    *nout = count;
    return 0;
}

static void scalar_text(const cJSON *n, struct buf *out)
{
    jpath_to_text(n, out);
}

/* {"$.path": value | [values], ...} into matches; skip_key is excluded
 * (fail_on's "status"). */
static int get_matches(struct ctx *c, const cJSON *obj, const char *p,
                       const char *skip_key, struct plan_match **out,
                       int *nout)
{
    if (!cJSON_IsObject(obj))
        return fail(c, p, "expected an object like {\"$.state\": "
                    "[\"SUCCESS\"]}");
    int n = 0;
    const cJSON *k;
    cJSON_ArrayForEach(k, obj) n++;
    struct plan_match *m = xcalloc((size_t)n, sizeof *m);
    int used = 0;
    cJSON_ArrayForEach(k, obj) {
        if (skip_key && strcmp(k->string, skip_key) == 0) continue;
        char kp[512], jerr[128];
        child(kp, sizeof kp, p, k->string);
        struct plan_match *one = &m[used++];
        one->path = xstrdup(k->string);
        if (jpath_check(k->string, jerr, sizeof jerr) < 0) {
            *out = m; *nout = used;
            return fail(c, kp, "expected a JSON path like \"$.state\" (%s)",
                        jerr);
        }
        int cnt = cJSON_IsArray(k) ? cJSON_GetArraySize(k) : 1;
        if (cnt == 0 || cJSON_IsObject(k)) {
            *out = m; *nout = used;
            return fail(c, kp, "expected a value or a non-empty list of "
                        "values");
        }
        one->values = xcalloc((size_t)cnt, sizeof *one->values);
        for (int i = 0; i < cnt; i++) {
            const cJSON *v = cJSON_IsArray(k) ? cJSON_GetArrayItem(k, i) : k;
            struct buf b = {0};
            scalar_text(v, &b);
            one->values[one->nvalues++] = buf_steal(&b);
        }
    }
    *out = m;
    *nout = used;
    return 0;
}

/* ---- ${ENV} substitution ---------------------------------------------- */

/* The value of ${name} is masked if the name says it is a secret
 * (mask_secret_name) or the plan lists it under "secrets"; as typed,
 * percent-encoded and JSON-escaped. */
static void add_secret(struct ctx *c, const char *name, const char *v)
{
    int listed = mask_secret_name(name);
    const cJSON *n;
    cJSON_ArrayForEach(n, c->secret_names)
        if (!listed && cJSON_IsString(n) && !strcmp(n->valuestring, name))
            listed = 1;
    if (listed) mask_secret_forms(v, &c->p->secrets, &c->p->nsecrets);
}

/* "secrets": ["DB_URL", ...], names of environment variables. */
static int read_secret_names(struct ctx *c, const cJSON *root)
{
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(root, "secrets");
    if (!l) return 0;
    if (!cJSON_IsArray(l))
        return fail(c, "secrets", "expected a list of environment variable "
                    "names like [\"TARGET_URL\"]");
    int i = 0;
    const cJSON *n;
    cJSON_ArrayForEach(n, l) {
        char p[64];
        elem(p, sizeof p, "secrets", i++);
        const char *v = cJSON_IsString(n) ? n->valuestring : "";
        int valid = *v && !isdigit((unsigned char)*v);
        for (const char *x = v; valid && *x; x++)
            valid = isalnum((unsigned char)*x) || *x == '_';
        if (!valid)
            return fail(c, p, "expected an environment variable name like "
                        "\"TARGET_URL\" (no ${})");
    }
    c->secret_names = l;
    return 0;
}

static int subst_string(struct ctx *c, cJSON *n, const char *path)
{
    const char *s = n->valuestring;
    if (!strstr(s, "${")) return 0;
    struct buf out = {0};
    while (*s) {
        const char *d = strstr(s, "${");
        if (!d) { buf_puts(&out, s); break; }
        buf_append(&out, s, (size_t)(d - s));
        const char *e = strchr(d, '}');
        if (!e) {
            buf_free(&out);
            return fail(c, path, "unclosed \"${\" (expected ${NAME})");
        }
        char name[256];
        size_t len = (size_t)(e - d - 2);
        /* ${NAME:-default}: the default when NAME is unset or empty. */
        const char *dflt = NULL;
        const char *colon = memchr(d + 2, ':', len);
        if (colon && colon[1] == '-') {
            dflt = colon + 2;
            len = (size_t)(colon - d - 2);
        }
        int valid = len > 0 && len < sizeof name &&
                    !isdigit((unsigned char)d[2]);
        for (size_t i = 0; valid && i < len; i++)
            valid = isalnum((unsigned char)d[2 + i]) || d[2 + i] == '_';
        if (!valid) {
            buf_free(&out);
            return fail(c, path, "expected ${NAME} or ${NAME:-default} with "
                        "letters, digits and '_' in NAME");
        }
        memcpy(name, d + 2, len);
        name[len] = '\0';
        const char *v = getenv(name);
        if (dflt && (!v || !*v)) {
            buf_append(&out, dflt, (size_t)(e - dflt));
            s = e + 1;
            continue;
        }
        if (!v) {
            buf_free(&out);
            return fail(c, path, "environment variable %s is not set", name);
        }
        add_secret(c, name, v);
        buf_puts(&out, v);
        s = e + 1;
    }
    cJSON_SetValuestring(n, buf_str(&out));
    buf_free(&out);
    return 0;
}

static int subst_env(struct ctx *c, cJSON *n, const char *path)
{
    if (cJSON_IsString(n)) return subst_string(c, n, path);
    if (!cJSON_IsArray(n) && !cJSON_IsObject(n)) return 0;
    int i = 0;
    cJSON *k;
    cJSON_ArrayForEach(k, n) {
        char p[512];
        if (cJSON_IsArray(n)) elem(p, sizeof p, path, i++);
        else if (!strncmp(k->string, "//", 2)) continue;   /* a comment */
        else child(p, sizeof p, path, k->string);
        if (subst_env(c, k, p) < 0) return -1;
    }
    return 0;
}

/* ---- names: variables and transactions --------------------------------- */

static int add_var(struct plan *p, const char *name)
{
    int i = plan_var_index(p, name);
    if (i >= 0) return i;
    p->vars = xrealloc(p->vars, (size_t)(p->nvars + 1) * sizeof *p->vars);
    p->vars[p->nvars] = xstrdup(name);
    return p->nvars++;
}

static int add_tx(struct plan *p, const char *name, enum stats_kind kind)
{
    for (int i = 0; i < p->ntx; i++)
        if (strcmp(p->tx_names[i], name) == 0 && p->tx_kinds[i] == kind)
            return i;
    p->tx_names = xrealloc(p->tx_names, (size_t)(p->ntx + 1) *
                           sizeof *p->tx_names);
    p->tx_kinds = xrealloc(p->tx_kinds, (size_t)(p->ntx + 1) *
                           sizeof *p->tx_kinds);
    p->tx_names[p->ntx] = xstrdup(name);
    p->tx_kinds[p->ntx] = kind;
    return p->ntx++;
}

/* ---- templates --------------------------------------------------------- */

static struct tmpl *compile(struct ctx *c, const char *src, const char *path)
{
    char terr[256];
    struct tmpl *t = tmpl_compile(src, terr, sizeof terr);
    if (!t) fail(c, path, "%s", terr);
    return t;
}

static int is_builtin(const char *name)
{
    static const char *const fixed[] = {"user", "iteration", "uuid",
        "random", "timestamp_ms", "scenario", NULL};
    for (const char *const *f = fixed; *f; f++)
        if (strcmp(name, *f) == 0) return 1;
    long a, b;
    char tail;
    return sscanf(name, "random(%ld,%ld)%c", &a, &b, &tail) == 2 && a <= b;
}

static void remember(struct ctx *c, struct tmpl *t, const char *path)
{
    if (!t || tmpl_is_static(t)) return;
    c->pend = xrealloc(c->pend, (size_t)(c->npend + 1) * sizeof *c->pend);
    c->pend[c->npend].t = t;
    c->pend[c->npend].path = xstrdup(path);
    c->npend++;
}

static void forget_all(struct ctx *c)
{
    for (int i = 0; i < c->npend; i++) free(c->pend[i].path);
    free(c->pend);
    c->pend = NULL;
    c->npend = 0;
}

static int check_refs(struct ctx *c)
{
    int rc = 0;
    for (int i = 0; rc == 0 && i < c->npend; i++) {
        for (int r = 0; rc == 0 && r < tmpl_nrefs(c->pend[i].t); r++) {
            const char *name = tmpl_ref(c->pend[i].t, r);
            int col;
            if (is_builtin(name) || plan_var_index(c->p, name) >= 0 ||
                plan_pool_ref(c->p, name, &col) >= 0)
                continue;
            rc = fail(c, c->pend[i].path, "unknown {{%s}} (expected a "
                      "built-in like {{user}}, a data pool or an extracted "
                      "variable)", name);
        }
    }
    forget_all(c);
    return rc;
}

static struct tmpl *compile_ref(struct ctx *c, const char *src,
                                const char *path)
{
    struct tmpl *t = compile(c, src, path);
    remember(c, t, path);
    return t;
}

/* ---- requests ---------------------------------------------------------- */

static int get_kvs(struct ctx *c, const cJSON *obj, const char *key,
                   const char *path, struct plan_kv **out, int *nout)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(obj, key);
    char p[512];
    child(p, sizeof p, path, key);
    if (!n) return 0;
    if (!cJSON_IsObject(n))
        return fail(c, p, "expected an object of name: string value");
    const cJSON *k;
    cJSON_ArrayForEach(k, n) {
        char kp[512];
        child(kp, sizeof kp, p, k->string);
        struct buf v = {0};
        if (cJSON_IsString(k)) buf_puts(&v, k->valuestring);
        else if (cJSON_IsNumber(k) || cJSON_IsBool(k)) scalar_text(k, &v);
        else return fail(c, kp, "expected a string, got %s", type_name(k));
        /* A step's header replaces a default of the same name. */
        int i;
        for (i = 0; i < *nout; i++)
            if (strcasecmp((*out)[i].name, k->string) == 0) break;
        if (i == *nout) {
            *out = xrealloc(*out, (size_t)(*nout + 1) * sizeof **out);
            (*nout)++;
            (*out)[i].name = xstrdup(k->string);
        } else {
            tmpl_free((*out)[i].value);
        }
        (*out)[i].value = compile_ref(c, buf_str(&v), kp);
        buf_free(&v);
        if (!(*out)[i].value) return -1;
    }
    return 0;
}

static const char *const request_keys[] = {"name", "method", "path", "url",
    "headers", "query", "json", "form", "body", "timeout", "expect",
    "extract", "retry", NULL};
static const char *const poll_keys[] = {"name", "method", "path", "url",
    "headers", "query", "json", "form", "body", "timeout", "extract",
    "every", "retry_on_status", "until", "fail_on", NULL};

static int parse_expect(struct ctx *c, const cJSON *e, const char *path,
                        struct plan_request *r)
{
    static const char *const keys[] = {"status", "contains", "json",
                                       "header", NULL};
    if (check_keys(c, e, path, keys) < 0) return -1;
    char p[512];
    child(p, sizeof p, path, "status");
    if (get_statuses(c, cJSON_GetObjectItemCaseSensitive(e, "status"), p,
                     &r->expect_status, &r->nexpect_status) < 0)
        return -1;
    const char *s = NULL;
    if (get_str(c, e, "contains", path, 0, &s) < 0) return -1;
    if (s) r->expect_contains = xstrdup(s);
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(e, "json");
    child(p, sizeof p, path, "json");
    if (j && get_matches(c, j, p, NULL, &r->expect_json,
                         &r->nexpect_json) < 0)
        return -1;
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(e, "header");
    child(p, sizeof p, path, "header");
    if (h) {
        int cnt = cJSON_IsArray(h) ? cJSON_GetArraySize(h) : 1;
        r->expect_headers = xcalloc((size_t)cnt, sizeof(char *));
        for (int i = 0; i < cnt; i++) {
            const cJSON *one = cJSON_IsArray(h) ? cJSON_GetArrayItem(h, i) : h;
            if (!cJSON_IsString(one) || !*one->valuestring)
                return fail(c, p, "expected a header name or a list of them");
            r->expect_headers[r->nexpect_headers++] = xstrdup(one->valuestring);
        }
    }
    return 0;
}

static int parse_extract(struct ctx *c, const cJSON *e, const char *path,
                         struct plan_request *r)
{
    if (!cJSON_IsObject(e))
        return fail(c, path, "expected an object like {\"task\": \"$.ID\"}");
    int n = cJSON_GetArraySize(e);
    r->extract = xcalloc((size_t)n, sizeof *r->extract);
    const cJSON *k;
    cJSON_ArrayForEach(k, e) {
        char p[512], jerr[128];
        child(p, sizeof p, path, k->string);
        struct plan_extract *x = &r->extract[r->nextract];
        if (!*k->string || strspn(k->string, "abcdefghijklmnopqrstuvwxyz"
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen(k->string))
            return fail(c, p, "expected a variable name of letters, digits "
                        "and '_'");
        if (cJSON_IsString(k)) {
            x->kind = EXTRACT_JSON;
            x->expr = xstrdup(k->valuestring);
            r->nextract++;
            if (jpath_check(k->valuestring, jerr, sizeof jerr) < 0)
                return fail(c, p, "expected a JSON path like \"$.ID\" (%s)",
                            jerr);
        } else if (cJSON_IsObject(k) && cJSON_GetArraySize(k) == 1 &&
                   cJSON_IsString(k->child) &&
                   (strcmp(k->child->string, "header") == 0 ||
                    strcmp(k->child->string, "regex") == 0)) {
            x->kind = strcmp(k->child->string, "header") == 0 ?
                      EXTRACT_HEADER : EXTRACT_REGEX;
            x->expr = xstrdup(k->child->valuestring);
            if (x->kind == EXTRACT_REGEX) {
                if (regcomp(&x->re, x->expr, REG_EXTENDED) != 0)
                    return fail(c, p, "expected a valid extended regular "
                                "expression");
                if (x->re.re_nsub < 1) {
                    regfree(&x->re);
                    return fail(c, p, "expected a regex with one capture "
                                "group, like \"id=([0-9]+)\"");
                }
            }
            r->nextract++;
        } else {
            return fail(c, p, "expected \"$.json.path\", {\"header\": "
                        "\"Name\"} or {\"regex\": \"id=([0-9]+)\"}");
        }
        x->var = add_var(c->p, k->string);
    }
    return 0;
}

/* Fields shared by request steps and poll requests. */
static int parse_request(struct ctx *c, const cJSON *o, const char *path,
                         struct plan_request *r)
{
    const char *method = NULL, *spath = NULL, *url = NULL;
    char p[512];
    if (get_str(c, o, "method", path, 0, &method) < 0 ||
        get_str(c, o, "path", path, 0, &spath) < 0 ||
        get_str(c, o, "url", path, 0, &url) < 0)
        return -1;
    r->method = xstrdup(method ? method : "GET");
    for (char *m = r->method; *m; m++) *m = (char)toupper((unsigned char)*m);
    /* Only the methods an API answers: a typo ("PSOT") fails herd check,
     * not the run. */
    static const char *const methods[] = {"GET", "POST", "PUT", "PATCH",
        "DELETE", "HEAD", "OPTIONS", NULL};
    const char *const *known = methods;
    while (*known && strcmp(*known, r->method)) known++;
    if (!*known) {
        child(p, sizeof p, path, "method");
        return fail(c, p, "expected GET, POST, PUT, PATCH, DELETE, HEAD or "
                    "OPTIONS");
    }
    if (!!spath == !!url)
        return fail(c, path, "expected exactly one of \"path\" or \"url\"");
    struct buf u = {0};
    if (spath) {
        child(p, sizeof p, path, "path");
        if (spath[0] != '/' && strncmp(spath, "{{", 2) != 0)
            return fail(c, p, "expected a path starting with '/' (or with a "
                        "{{variable}} holding one)");
        if (!c->p->base_url)
            return fail(c, p, "a path needs \"base_url\" at the top of the "
                        "plan (or use \"url\")");
        size_t bl = strlen(c->p->base_url);
        buf_append(&u, c->p->base_url,
                   bl && c->p->base_url[bl - 1] == '/' ? bl - 1 : bl);
        buf_puts(&u, spath);
    } else {
        child(p, sizeof p, path, "url");
        if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8) &&
            strncmp(url, "{{", 2))
            return fail(c, p, "expected an http:// or https:// URL");
        buf_puts(&u, url);
    }
    r->url = compile_ref(c, buf_str(&u), p);
    buf_free(&u);
    if (!r->url) return -1;

    if (get_kvs(c, o, "headers", path, &r->headers, &r->nheaders) < 0 ||
        get_kvs(c, o, "query", path, &r->query, &r->nquery) < 0)
        return -1;

    const cJSON *json = cJSON_GetObjectItemCaseSensitive(o, "json");
    const cJSON *form = cJSON_GetObjectItemCaseSensitive(o, "form");
    const cJSON *body = cJSON_GetObjectItemCaseSensitive(o, "body");
    if ((json != NULL) + (form != NULL) + (body != NULL) > 1)
        return fail(c, path, "expected at most one of \"json\", \"form\", "
                    "\"body\"");
    if (json) {
        child(p, sizeof p, path, "json");
        char *text = xjson_print(json, 0);
        r->body_kind = BODY_JSON;
        r->body = compile_ref(c, text, p);
        free(text);
        if (!r->body) return -1;
    } else if (form) {
        r->body_kind = BODY_FORM;
        if (get_kvs(c, o, "form", path, &r->form, &r->nform) < 0) return -1;
    } else if (body) {
        child(p, sizeof p, path, "body");
        if (!cJSON_IsString(body))
            return fail(c, p, "expected a string (use \"json\" for JSON)");
        r->body_kind = BODY_RAW;
        if (!(r->body = compile_ref(c, body->valuestring, p))) return -1;
    }
    r->timeout_us = c->p->timeout_us;
    if (get_duration(c, o, "timeout", path, 0, &r->timeout_us) < 0) return -1;
    if (r->timeout_us <= 0) {
        child(p, sizeof p, path, "timeout");
        return fail(c, p, "expected a positive duration (requests are never "
                    "unlimited)");
    }
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(o, "extract");
    child(p, sizeof p, path, "extract");
    if (ex && parse_extract(c, ex, p, r) < 0) return -1;
    return 0;
}

static void default_name(const struct plan_request *r, const char *spath,
                         struct buf *out)
{
    buf_printf(out, "%s %s", r->method, spath ? spath :
               tmpl_source(r->url));
}

/* {"name", "poll": {request..., "every", "timeout", "until", ...}}: a
 * wait, measured as a flow, made of repeated requests. */
static int parse_poll(struct ctx *c, const cJSON *o, const char *path,
                      struct plan_step *s)
{
    static const char *const keys[] = {"name", "poll", NULL};
    const cJSON *poll = cJSON_GetObjectItemCaseSensitive(o, "poll");
    const char *name = NULL;
    char p[512], q[512];
    if (check_keys(c, o, path, keys) < 0 ||
        get_str(c, o, "name", path, 1, &name) < 0)
        return -1;
    s->kind = STEP_POLL;
    s->name = xstrdup(name);
    child(p, sizeof p, path, "poll");
    if (check_keys(c, poll, p, poll_keys) < 0 ||
        parse_request(c, poll, p, &s->req) < 0)
        return -1;
    s->req.nexpect_status = 0;
    if (get_duration(c, poll, "every", p, 1, &s->every_us) < 0 ||
        get_duration(c, poll, "timeout", p, 1, &s->poll_timeout_us) < 0)
        return -1;
    /* poll.timeout is the overall wait; each request keeps the plan's
     * request timeout, bounded by the wait. */
    s->req.timeout_us = c->p->timeout_us < s->poll_timeout_us ?
                        c->p->timeout_us : s->poll_timeout_us;
    if (s->every_us <= 0) {
        child(q, sizeof q, p, "every");
        return fail(c, q, "expected a positive duration like \"500ms\"");
    }
    child(q, sizeof q, p, "retry_on_status");
    if (get_statuses(c, cJSON_GetObjectItemCaseSensitive(poll,
                     "retry_on_status"), q, &s->poll_retry_status,
                     &s->npoll_retry_status) < 0)
        return -1;
    const cJSON *until = cJSON_GetObjectItemCaseSensitive(poll, "until");
    child(q, sizeof q, p, "until");
    if (!until)
        return fail(c, q, "required, expected {\"$.path\": [values]}");
    if (get_matches(c, until, q, NULL, &s->until, &s->nuntil) < 0)
        return -1;
    if (s->nuntil == 0)
        return fail(c, q, "expected at least one condition");
    const cJSON *fo = cJSON_GetObjectItemCaseSensitive(poll, "fail_on");
    child(q, sizeof q, p, "fail_on");
    if (fo) {
        if (get_matches(c, fo, q, "status", &s->fail_on, &s->nfail_on) < 0)
            return -1;
        char r2[512];
        child(r2, sizeof r2, q, "status");
        if (get_statuses(c, cJSON_GetObjectItemCaseSensitive(fo, "status"),
                         r2, &s->fail_status, &s->nfail_status) < 0)
            return -1;
    }
    const char *pname = NULL;
    if (get_str(c, poll, "name", p, 0, &pname) < 0) return -1;
    struct buf b = {0};
    if (pname) buf_puts(&b, pname);
    else buf_printf(&b, "%s poll", name);
    s->req.tx = add_tx(c->p, buf_str(&b), STATS_REQUEST);
    s->flow_tx = add_tx(c->p, name, STATS_FLOW);
    buf_free(&b);
    return 0;
}

/* "retry": {"on_status": [503], "every": "500ms", "max": 100} */
static int parse_retry(struct ctx *c, const cJSON *retry, const char *p,
                       struct plan_request *r)
{
    static const char *const keys[] = {"on_status", "every", "max", NULL};
    double max = 0;
    char q[512];
    child(q, sizeof q, p, "on_status");
    if (check_keys(c, retry, p, keys) < 0 ||
        get_statuses(c, cJSON_GetObjectItemCaseSensitive(retry, "on_status"),
                     q, &r->retry_status, &r->nretry_status) < 0 ||
        get_duration(c, retry, "every", p, 1, &r->retry_every_us) < 0 ||
        get_num(c, retry, "max", p, 1, 100000, 1, 1, &max) < 0)
        return -1;
    if (!r->nretry_status)
        return fail(c, q, "required, expected a list of status codes");
    r->retry_max = (int)max;
    return 0;
}

static int parse_step(struct ctx *c, const cJSON *o, const char *path,
                      struct plan_step *s)
{
    if (!cJSON_IsObject(o))
        return fail(c, path, "expected a step object (a request, "
                    "{\"poll\": ...} or {\"think\": ...})");
    const cJSON *think = cJSON_GetObjectItemCaseSensitive(o, "think");
    char p[512];
    if (think) {
        static const char *const keys[] = {"think", NULL};
        if (check_keys(c, o, path, keys) < 0) return -1;
        s->kind = STEP_THINK;
        child(p, sizeof p, path, "think");
        return get_range(c, think, p, &s->think_min_us, &s->think_max_us);
    }
    if (cJSON_GetObjectItemCaseSensitive(o, "poll"))
        return parse_poll(c, o, path, s);
    if (!cJSON_GetObjectItemCaseSensitive(o, "method") &&
        !cJSON_GetObjectItemCaseSensitive(o, "path") &&
        !cJSON_GetObjectItemCaseSensitive(o, "url"))
        return fail(c, path, "expected a request (\"method\" and \"path\"), "
                    "{\"poll\": ...} or {\"think\": ...}");
    const char *name = NULL;
    s->kind = STEP_REQUEST;
    if (check_keys(c, o, path, request_keys) < 0 ||
        parse_request(c, o, path, &s->req) < 0 ||
        get_str(c, o, "name", path, 0, &name) < 0)
        return -1;
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "expect");
    child(p, sizeof p, path, "expect");
    if (e && parse_expect(c, e, p, &s->req) < 0) return -1;
    const cJSON *retry = cJSON_GetObjectItemCaseSensitive(o, "retry");
    child(p, sizeof p, path, "retry");
    if (retry && parse_retry(c, retry, p, &s->req) < 0) return -1;
    struct buf b = {0};
    if (name) buf_puts(&b, name);
    else {
        const char *sp = NULL;
        get_str(c, o, "path", path, 0, &sp);
        default_name(&s->req, sp, &b);
    }
    s->name = buf_steal(&b);
    s->req.tx = add_tx(c->p, s->name, STATS_REQUEST);
    return 0;
}

static int parse_steps(struct ctx *c, const cJSON *arr, const char *path,
                       struct plan_step **out, int *nout, int allow_think)
{
    if (!arr) return 0;
    if (!cJSON_IsArray(arr))
        return fail(c, path, "expected a list of steps");
    int n = cJSON_GetArraySize(arr);
    *out = xcalloc((size_t)n, sizeof **out);
    for (int i = 0; i < n; i++) {
        char p[512];
        elem(p, sizeof p, path, i);
        (*nout)++;
        if (parse_step(c, cJSON_GetArrayItem(arr, i), p, &(*out)[i]) < 0)
            return -1;
        if (!allow_think && (*out)[i].kind == STEP_THINK)
            return fail(c, p, "think steps belong in scenarios");
    }
    return 0;
}

/* ---- data pools -------------------------------------------------------- */

/* Columns a data file may have: more is a file that is not what the plan
 * means (a pool is read by column name). */
#define CSV_MAX_COLS 64

/* Reads one CSV record (RFC 4180) from *s into cells and moves *s past it
 * and its line break (CRLF or LF). A quoted field may hold commas, line
 * breaks (kept as written) and "" for a quote; *line counts the line
 * breaks read. Returns the number of cells, 0 for a blank line or the end
 * of the text, or -1 with *why set. */
static int csv_record(const char **s, int *line, struct buf *cells, int max,
                      const char **why)
{
    const char *p = *s;
    int n = 0;
    if (!*p) return 0;
    if (*p == '\n' || (p[0] == '\r' && (p[1] == '\n' || !p[1]))) {
        *s = p + (*p == '\r' && p[1] ? 2 : 1);
        ++*line;
        return 0;
    }
    for (;;) {
        if (n == max) { *why = "more fields than a pool takes (64)"; return -1; }
        buf_reset(&cells[n]);
        if (*p == '"') {
            p++;
            for (;;) {
                if (!*p) { *why = "a quoted field is not closed"; return -1; }
                if (*p == '"' && p[1] == '"') { buf_putc(&cells[n], '"'); p += 2; }
                else if (*p == '"') { p++; break; }
                else {
                    if (*p == '\n') ++*line;
                    buf_putc(&cells[n], *p++);
                }
            }
        } else {
            /* A \r is the line's end only before \n (or the text's end). */
            while (*p && *p != ',' && *p != '\n' &&
                   !(p[0] == '\r' && (p[1] == '\n' || !p[1])))
                buf_putc(&cells[n], *p++);
        }
        n++;
        if (*p == ',') { p++; continue; }
        if (*p == '\r') p++;
        if (*p == '\n') { p++; ++*line; }
        else if (*p) {
            *why = "expected a comma or the end of the line after a quoted "
                   "field";
            return -1;
        }
        *s = p;
        return n;
    }
}

static char *read_file(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    struct buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        buf_append(&b, chunk, n);
        if (b.len > max) { fclose(f); buf_free(&b); errno = EFBIG; return NULL; }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) { buf_free(&b); errno = EIO; return NULL; }
    if (len) *len = b.len;
    return buf_steal(&b);
}

static const char *data_root;   /* plan_set_data_root; NULL: the plan's dir */

void plan_set_data_root(const char *dir)
{
    data_root = dir;
}

/* 1 when real (a resolved path) is root or lies under it. */
static int inside(const char *real, const char *root)
{
    size_t n = strlen(root);
    if (n == 1 && root[0] == '/') return 1;
    return strncmp(real, root, n) == 0 && (real[n] == '/' || real[n] == '\0');
}

static int load_csv(struct ctx *c, struct plan_pool *pool, const char *file,
                    const char *path)
{
    /* Data files live under the plan's directory (or --data-root): a plan
     * from someone else cannot make herd read /etc/shadow or ~/.aws, not
     * with "..", an absolute path or a symbolic link. */
    if (!data_root && (file[0] == '/' || strstr(file, "..")))
        return fail(c, path, "expected a file name relative to the plan's "
                    "directory, without \"..\" (--data-root DIR allows "
                    "files elsewhere under DIR)");
    char full[4096], real[PATH_MAX], root[PATH_MAX];
    if (file[0] == '/') snprintf(full, sizeof full, "%s", file);
    else snprintf(full, sizeof full, "%s/%s", c->dir, file);
    if (!realpath(full, real))
        return fail(c, path, "cannot read %s: %s", full, strerror(errno));
    if (!realpath(data_root ? data_root : c->dir, root))
        return fail(c, path, "cannot resolve %s: %s", data_root ? data_root :
                    c->dir, strerror(errno));
    if (!inside(real, root))
        return fail(c, path, "%s leads outside %s: expected a data file under "
                    "%s", file, data_root ? "--data-root" : "the plan's "
                    "directory", root);
    char *text = read_file(real, PLAN_MAX_FILE, NULL);
    if (!text)
        return fail(c, path, "cannot read %s: %s", full, strerror(errno));
    struct buf cells[CSV_MAX_COLS] = {{0}};
    int rc = 0, line = 1, cap = 0;
    const char *at = text;
    while (*at) {
        int first = line;              /* a record may span lines */
        const char *why = NULL;
        int n = csv_record(&at, &line, cells, CSV_MAX_COLS, &why);
        if (n == 0) continue;
        if (n < 0) {
            rc = fail(c, path, "%s line %d: %s", file, first, why);
            break;
        }
        if (pool->ncols && n != pool->ncols) {
            rc = fail(c, path, "%s line %d: expected %d comma-separated "
                      "fields", file, first, pool->ncols);
            break;
        }
        if (!pool->ncols) {
            pool->ncols = n;
            pool->cols = xcalloc((size_t)n, sizeof *pool->cols);
            for (int i = 0; i < n; i++) pool->cols[i] = xstrdup(buf_str(&cells[i]));
            continue;
        }
        if ((pool->nrows + 1) * n > cap) {
            cap = cap ? cap * 2 : 64 * n;
            pool->cells = xrealloc(pool->cells, (size_t)cap * sizeof(char *));
        }
        for (int i = 0; i < n; i++)
            pool->cells[pool->nrows * n + i] = xstrdup(buf_str(&cells[i]));
        pool->nrows++;
    }
    for (int i = 0; i < CSV_MAX_COLS; i++) buf_free(&cells[i]);
    free(text);
    if (rc == 0 && pool->nrows == 0)
        rc = fail(c, path, "%s: expected a header line and at least one row",
                  file);
    return rc;
}

/* "values": [{"username": "a", "password": "b"}, ...]: rows of named
 * columns, inline — what a CSV file holds, without the file. Every row
 * has the first row's keys. */
static int pool_rows(struct ctx *c, struct plan_pool *pool, const cJSON *vals,
                     const char *q)
{
    const cJSON *first = vals->child, *v;
    int ncols = cJSON_GetArraySize(first), n = cJSON_GetArraySize(vals);
    if (ncols < 1 || ncols > CSV_MAX_COLS)
        return fail(c, q, "expected rows with 1 to %d keys", CSV_MAX_COLS);
    pool->ncols = ncols;
    pool->cols = xcalloc((size_t)ncols, sizeof(char *));
    int col = 0;
    cJSON_ArrayForEach(v, first) pool->cols[col++] = xstrdup(v->string);
    pool->cells = xcalloc((size_t)n * (size_t)ncols, sizeof(char *));
    int row = 0;
    cJSON_ArrayForEach(v, vals) {
        char r[600];
        snprintf(r, sizeof r, "%s[%d]", q, row);
        pool->nrows = row + 1;          /* plan_free frees what is filled */
        if (!cJSON_IsObject(v) || cJSON_GetArraySize(v) != ncols)
            return fail(c, r, "expected an object with the keys of %s[0]", q);
        for (col = 0; col < ncols; col++) {
            const cJSON *cell = cJSON_GetObjectItemCaseSensitive(v, pool->cols[col]);
            if (!cell || cJSON_IsObject(cell) || cJSON_IsArray(cell) ||
                cJSON_IsNull(cell))
                return fail(c, r, "expected \"%s\": a string or number",
                            pool->cols[col]);
            struct buf b = {0};
            scalar_text(cell, &b);
            pool->cells[row * ncols + col] = buf_steal(&b);
        }
        row++;
    }
    return 0;
}

static int parse_pools(struct ctx *c, const cJSON *data)
{
    if (!data) return 0;
    if (!cJSON_IsObject(data))
        return fail(c, "data", "expected an object of named pools");
    c->p->pools = xcalloc((size_t)cJSON_GetArraySize(data),
                          sizeof *c->p->pools);
    const cJSON *k;
    cJSON_ArrayForEach(k, data) {
        static const char *const keys[] = {"values", "csv", "pick", NULL};
        char p[512];
        child(p, sizeof p, "data", k->string);
        struct plan_pool *pool = &c->p->pools[c->p->npools++];
        pool->name = xstrdup(k->string);
        if (check_keys(c, k, p, keys) < 0) return -1;
        const char *pick = "user", *csv = NULL;
        if (get_str(c, k, "pick", p, 0, &pick) < 0 ||
            get_str(c, k, "csv", p, 0, &csv) < 0)
            return -1;
        char q[512];
        child(q, sizeof q, p, "pick");
        if (strcmp(pick, "user") && strcmp(pick, "random"))
            return fail(c, q, "expected \"user\" or \"random\"");
        pool->pick_random = strcmp(pick, "random") == 0;
        const cJSON *vals = cJSON_GetObjectItemCaseSensitive(k, "values");
        if (!!vals == !!csv)
            return fail(c, p, "expected exactly one of \"values\" or \"csv\"");
        if (csv) {
            child(q, sizeof q, p, "csv");
            if (load_csv(c, pool, csv, q) < 0) return -1;
            continue;
        }
        child(q, sizeof q, p, "values");
        if (!cJSON_IsArray(vals) || cJSON_GetArraySize(vals) == 0)
            return fail(c, q, "expected a non-empty list");
        if (cJSON_IsObject(vals->child)) {
            if (pool_rows(c, pool, vals, q) < 0) return -1;
            continue;
        }
        int n = cJSON_GetArraySize(vals);
        pool->cells = xcalloc((size_t)n, sizeof(char *));
        const cJSON *v;
        cJSON_ArrayForEach(v, vals) {
            struct buf b = {0};
            if (cJSON_IsObject(v) || cJSON_IsArray(v))
                return fail(c, q, "expected strings or numbers (or a list of "
                            "objects with the same keys)");
            scalar_text(v, &b);
            pool->cells[pool->nrows++] = buf_steal(&b);
        }
    }
    return 0;
}

/* The plan as a Lambda shard receives it: CSV pools inlined as "values"
 * rows, since the shard has the plan but not its data files. */
static void inline_csv_pools(struct plan *p)
{
    int any = 0;
    for (int i = 0; i < p->npools; i++) any |= p->pools[i].cols != NULL;
    if (!any) return;
    cJSON *root = cJSON_Parse(p->json);
    cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
    for (int i = 0; data && i < p->npools; i++) {
        const struct plan_pool *pool = &p->pools[i];
        cJSON *k = cJSON_GetObjectItemCaseSensitive(data, pool->name);
        if (!pool->cols || !k || !cJSON_HasObjectItem(k, "csv")) continue;
        cJSON_DeleteItemFromObjectCaseSensitive(k, "csv");
        cJSON *rows = cJSON_AddArrayToObject(k, "values");
        for (int r = 0; r < pool->nrows; r++) {
            cJSON *row = cJSON_CreateObject();
            for (int col = 0; col < pool->ncols; col++)
                cJSON_AddStringToObject(row, pool->cols[col],
                                        pool->cells[r * pool->ncols + col]);
            cJSON_AddItemToArray(rows, row);
        }
    }
    char *doc = xjson_print(root, 0);
    cJSON_Delete(root);
    free(p->json);
    p->json = xstrdup(doc);
    cJSON_free(doc);
}

/* ---- load -------------------------------------------------------------- */

static int parse_load(struct ctx *c, const cJSON *l)
{
    static const char *const keys[] = {"users", "spawn_rate", "duration",
        "iterations", "think", "stages", "rate", "max_users",
        "graceful_stop", NULL};
    struct plan_load *L = &c->p->load;
    if (!l) return fail(c, "load", "required, expected an object like "
                        "{\"users\": 10, \"duration\": \"30s\"}");
    if (check_keys(c, l, "load", keys) < 0) return -1;
    double users = 0, spawn = 0, iters = 0, rate = 0, maxu = 0;
    if (get_num(c, l, "users", "load", 1, PLAN_MAX_USERS, 1, 0, &users) < 0 ||
        get_num(c, l, "spawn_rate", "load", 0, 1e6, 0, 0, &spawn) < 0 ||
        get_num(c, l, "iterations", "load", 1, (double)PLAN_MAX_ITERATIONS, 1, 0,
                &iters) < 0 ||
        get_num(c, l, "rate", "load", PLAN_MIN_RATE, PLAN_MAX_RATE, 0, 0,
                &rate) < 0 ||
        get_num(c, l, "max_users", "load", 1, PLAN_MAX_USERS, 1, 0,
                &maxu) < 0 ||
        get_duration(c, l, "duration", "load", 0, &L->duration_us) < 0)
        return -1;
    L->graceful_stop_us = PLAN_DEFAULT_GRACE_US;
    if (get_duration(c, l, "graceful_stop", "load", 0,
                     &L->graceful_stop_us) < 0)
        return -1;
    const cJSON *think = cJSON_GetObjectItemCaseSensitive(l, "think");
    if (think && get_range(c, think, "load.think", &L->think_min_us,
                           &L->think_max_us) < 0)
        return -1;
    L->open = cJSON_GetObjectItemCaseSensitive(l, "rate") != NULL;
    L->users = (int)users;
    L->spawn_rate = spawn;
    L->iterations = (int64_t)iters;
    L->rate = rate;
    L->max_users = (int)maxu;
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(l, "stages");
    if (st) {
        if (!cJSON_IsArray(st) || cJSON_GetArraySize(st) == 0)
            return fail(c, "load.stages", "expected a non-empty list of "
                        "{\"%s\": N, \"duration\": \"2m\"}",
                        L->open ? "rate" : "users");
        int n = cJSON_GetArraySize(st);
        L->stages = xcalloc((size_t)n, sizeof *L->stages);
        for (int i = 0; i < n; i++) {
            char p[512];
            elem(p, sizeof p, "load.stages", i);
            const cJSON *s = cJSON_GetArrayItem(st, i);
            const char *const skeys[] = {"duration",
                                         L->open ? "rate" : "users", NULL};
            double target = 0;
            struct plan_stage *ps = &L->stages[L->nstages++];
            if (check_keys(c, s, p, skeys) < 0 ||
                get_duration(c, s, "duration", p, 1, &ps->duration_us) < 0 ||
                get_num(c, s, skeys[1], p, 0, L->open ? PLAN_MAX_RATE : PLAN_MAX_USERS,
                        !L->open, 1, &target) < 0)
                return -1;
            ps->target = target;
        }
        if (L->duration_us)
            return fail(c, "load.duration", "expected either \"duration\" or "
                        "\"stages\", not both");
    }
    if (L->open) {
        if (L->users)
            return fail(c, "load.users", "the open model (\"rate\") takes "
                        "\"max_users\", not \"users\"");
        if (L->iterations)
            return fail(c, "load.iterations", "the open model (\"rate\") runs "
                        "for a \"duration\"");
        if (!L->duration_us && !L->nstages)
            return fail(c, "load.duration", "required with \"rate\", expected "
                        "a duration like \"1m\"");
        if (!L->max_users) L->max_users = 1000;
    } else {
        if (L->max_users)
            return fail(c, "load.max_users", "only for the open model "
                        "(\"rate\")");
        if (!L->users && !L->nstages)
            return fail(c, "load.users", "required, expected the number of "
                        "virtual users");
        for (int i = 0; i < L->nstages; i++)
            if (L->stages[i].target > L->users) L->users = (int)L->stages[i].target;
        if (!L->duration_us && !L->iterations && !L->nstages)
            return fail(c, "load", "expected \"duration\" (like \"30s\") or "
                        "\"iterations\" (per user)");
    }
    return 0;
}

/* ---- top level --------------------------------------------------------- */

/* name, base_url, timeout, insecure, max_body: the plan's own settings. */
static int parse_settings(struct ctx *c, const cJSON *root)
{
    struct plan *p = c->p;
    const char *name = NULL, *base = NULL, *maxb = NULL;
    if (get_str(c, root, "name", "", 1, &name) < 0 ||
        get_str(c, root, "base_url", "", 0, &base) < 0 ||
        get_str(c, root, "max_body", "", 0, &maxb) < 0 ||
        get_bool(c, root, "insecure", "", &p->insecure) < 0)
        return -1;
    p->fast_path = 1;
    if (get_bool(c, root, "fast_path", "", &p->fast_path) < 0) return -1;
    p->name = xstrdup(name);
    if (base) {
        if (strncmp(base, "http://", 7) && strncmp(base, "https://", 8))
            return fail(c, "base_url", "expected an http:// or https:// URL, "
                        "got \"%s\"", base);
        p->base_url = xstrdup(base);
    }
    p->timeout_us = PLAN_DEFAULT_TIMEOUT_US;
    if (get_duration(c, root, "timeout", "", 0, &p->timeout_us) < 0) return -1;
    if (p->timeout_us <= 0)
        return fail(c, "timeout", "expected a positive duration (requests "
                    "are never unlimited)");
    p->max_body = PLAN_DEFAULT_MAX_BODY;
    if (maxb && (units_parse_size(maxb, &p->max_body) < 0 || p->max_body < 1))
        return fail(c, "max_body", "expected a size like \"64k\" or \"1MiB\"");
    return 0;
}

/* "choose": {"NAME": {"from": text, "contains": [[needle, value], ...],
 * "default": value, "value": override}}: a value picked once, when the
 * plan is read, from the first needle found in "from" (default: base_url);
 * a non-empty "value" (e.g. "${TASK_DEF:-}") wins over the rules. The
 * result is a one-row data pool, so {{NAME}} reads it everywhere, and
 * Lambda shards, which read the plan again, pick the same. */
static int parse_choose(struct ctx *c, const cJSON *ch)
{
    if (!ch) return 0;
    if (!cJSON_IsObject(ch))
        return fail(c, "choose", "expected an object of named choices like "
                    "{\"env\": {\"contains\": [[\"staging\", \"stg\"]], "
                    "\"default\": \"stg\"}}");
    struct plan *p = c->p;
    const cJSON *k;
    cJSON_ArrayForEach(k, ch) {
        static const char *const keys[] = {"from", "contains", "default",
                                           "value", NULL};
        char path[512], q[512];
        if (!strncmp(k->string, "//", 2)) continue;      /* a comment */
        child(path, sizeof path, "choose", k->string);
        int col;
        if (plan_pool_ref(p, k->string, &col) >= 0 || is_builtin(k->string))
            return fail(c, path, "the name is taken (a data pool or a "
                        "built-in); expected a new name");
        const char *from = p->base_url ? p->base_url : "", *dflt = NULL,
                   *value = NULL;
        if (!cJSON_IsObject(k) || check_keys(c, k, path, keys) < 0 ||
            get_str(c, k, "from", path, 0, &from) < 0 ||
            get_str(c, k, "default", path, 1, &dflt) < 0 ||
            get_str(c, k, "value", path, 0, &value) < 0)
            return cJSON_IsObject(k) ? -1 : fail(c, path, "expected an object");
        const char *pick = value && *value ? value : NULL;
        const cJSON *rules = cJSON_GetObjectItemCaseSensitive(k, "contains");
        child(q, sizeof q, path, "contains");
        if (rules && !cJSON_IsArray(rules))
            return fail(c, q, "expected a list of [\"needle\", \"value\"]");
        int i = 0;
        const cJSON *r;
        cJSON_ArrayForEach(r, rules) {
            char e[560];
            elem(e, sizeof e, q, i++);
            const cJSON *n = cJSON_GetArrayItem(r, 0), *v = cJSON_GetArrayItem(r, 1);
            if (!cJSON_IsArray(r) || cJSON_GetArraySize(r) != 2 ||
                !cJSON_IsString(n) || !cJSON_IsString(v) || !*n->valuestring)
                return fail(c, e, "expected [\"needle\", \"value\"] (two "
                            "strings)");
            if (!pick && strstr(from, n->valuestring)) pick = v->valuestring;
        }
        p->pools = xrealloc(p->pools, (size_t)(p->npools + 1) * sizeof *p->pools);
        struct plan_pool *pool = &p->pools[p->npools++];
        memset(pool, 0, sizeof *pool);
        pool->name = xstrdup(k->string);
        pool->cells = xcalloc(1, sizeof(char *));
        pool->cells[0] = xstrdup(pick ? pick : dflt);
        pool->nrows = 1;
    }
    return 0;
}

/* "warmup": {"users": 1, "duration": "30s"} */
static int parse_warmup(struct ctx *c, const cJSON *w)
{
    static const char *const keys[] = {"users", "duration", NULL};
    if (!w) return 0;
    if (!cJSON_IsObject(w))
        return fail(c, "warmup", "expected an object like {\"users\": 1, "
                    "\"duration\": \"30s\"}");
    double users = 0;
    if (check_keys(c, w, "warmup", keys) < 0 ||
        get_num(c, w, "users", "warmup", 1, PLAN_MAX_USERS, 1, 1, &users) < 0 ||
        get_duration(c, w, "duration", "warmup", 1,
                     &c->p->warmup_duration_us) < 0)
        return -1;
    if (c->p->warmup_duration_us <= 0)
        return fail(c, "warmup.duration", "expected a positive duration like "
                    "\"30s\"");
    c->p->warmup_users = (int)users;
    return 0;
}

static int parse_scenarios(struct ctx *c, const cJSON *sc)
{
    struct plan *p = c->p;
    if (!cJSON_IsArray(sc) || cJSON_GetArraySize(sc) == 0)
        return fail(c, "scenarios", "required, expected a non-empty list of "
                    "{\"name\", \"weight\", \"steps\"}");
    int n = cJSON_GetArraySize(sc);
    p->scenarios = xcalloc((size_t)n, sizeof *p->scenarios);
    for (int i = 0; i < n; i++) {
        static const char *const skeys[] = {"name", "weight", "steps", NULL};
        char path[512];
        elem(path, sizeof path, "scenarios", i);
        const cJSON *s = cJSON_GetArrayItem(sc, i);
        struct plan_scenario *ps = &p->scenarios[p->nscenarios++];
        double weight = 1;
        const char *sname = NULL;
        if (check_keys(c, s, path, skeys) < 0 ||
            get_str(c, s, "name", path, 0, &sname) < 0 ||
            get_num(c, s, "weight", path, 0, 1e6, 1, 0, &weight) < 0)
            return -1;
        char buf[32];
        snprintf(buf, sizeof buf, "scenario %d", i + 1);
        ps->name = xstrdup(sname ? sname : buf);
        ps->weight = (int)weight;
        p->total_weight += ps->weight;
        char sp[512];
        child(sp, sizeof sp, path, "steps");
        const cJSON *steps = cJSON_GetObjectItemCaseSensitive(s, "steps");
        if (!cJSON_IsArray(steps) || cJSON_GetArraySize(steps) == 0)
            return fail(c, sp, "required, expected a non-empty list of steps");
        if (parse_steps(c, steps, sp, &ps->steps, &ps->nsteps, 1) < 0)
            return -1;
    }
    if (p->total_weight == 0)
        return fail(c, "scenarios", "expected at least one scenario with a "
                    "weight above 0");
    return 0;
}

/* Prepends the plan's default headers to every request of steps that does
 * not set them (optional: left out while their variables are unset). */
static void add_default_headers(struct ctx *c, const struct plan_request *d,
                                struct plan_step *steps, int n)
{
    for (int i = 0; i < n; i++) {
        struct plan_request *r = &steps[i].req;
        if (steps[i].kind == STEP_THINK) continue;
        for (int h = 0; h < d->nheaders; h++) {
            int j;
            for (j = 0; j < r->nheaders; j++)
                if (strcasecmp(r->headers[j].name, d->headers[h].name) == 0)
                    break;
            if (j < r->nheaders) continue;
            r->headers = xrealloc(r->headers, (size_t)(r->nheaders + 1) *
                                  sizeof *r->headers);
            r->headers[r->nheaders].name = xstrdup(d->headers[h].name);
            r->headers[r->nheaders].value =
                compile(c, tmpl_source(d->headers[h].value), "headers");
            r->headers[r->nheaders].optional = 1;
            r->nheaders++;
        }
    }
}

/* A threshold names "http", "flows" or a transaction of the load: not a
 * setup, teardown or on_start step, which the load never measures. */
static int load_tx_named(const struct plan *p, const char *name)
{
    for (int i = 0; i < p->nscenarios; i++)
        for (int j = 0; j < p->scenarios[i].nsteps; j++) {
            const struct plan_step *st = &p->scenarios[i].steps[j];
            if (st->kind == STEP_THINK) continue;
            if (!strcmp(p->tx_names[st->req.tx], name) ||
                (st->kind == STEP_POLL && !strcmp(p->tx_names[st->flow_tx], name)))
                return 1;
        }
    return 0;
}

static int parse_thresholds(struct ctx *c, const cJSON *th)
{
    struct plan *p = c->p;
    if (!th) return 0;
    if (!cJSON_IsArray(th))
        return fail(c, "thresholds", "expected a list like [\"http p95 < "
                    "500ms\"]");
    p->thresholds = xcalloc((size_t)cJSON_GetArraySize(th) + 1,
                            sizeof *p->thresholds);
    for (int i = 0; i < cJSON_GetArraySize(th); i++) {
        char path[64], terr[256];
        elem(path, sizeof path, "thresholds", i);
        const cJSON *t = cJSON_GetArrayItem(th, i);
        if (!cJSON_IsString(t) ||
            thresh_parse(t->valuestring, &p->thresholds[p->nthresholds],
                         terr, sizeof terr) < 0)
            return fail(c, path, "%s", cJSON_IsString(t) ? terr :
                        "expected a string like \"http p95 < 500ms\"");
        p->nthresholds++;
        const char *tg = p->thresholds[i].target;
        if (strcmp(tg, "http") && strcmp(tg, "flows") && !load_tx_named(p, tg))
            return fail(c, path, "no transaction named \"%s\" in the "
                        "scenarios (expected \"http\", \"flows\" or a "
                        "scenario step's name)", tg);
    }
    return 0;
}

static int parse_plan(struct ctx *c, cJSON *root)
{
    static const char *const keys[] = {"name", "base_url", "headers",
        "timeout", "insecure", "max_body", "data", "setup", "teardown",
        "on_start", "warmup", "choose", "load", "scenarios", "thresholds",
        "description", "secrets",
        "fast_path", NULL};
    struct plan *p = c->p;
    if (check_keys(c, root, "", keys) < 0) return -1;
    if (read_secret_names(c, root) < 0) return -1;
    if (subst_env(c, root, "") < 0) return -1;
    char *doc = xjson_print(root, 0);
    p->json = xstrdup(doc);
    cJSON_free(doc);
    if (parse_settings(c, root) < 0 ||
        parse_pools(c, cJSON_GetObjectItemCaseSensitive(root, "data")) < 0)
        return -1;
    inline_csv_pools(p);
    if (parse_choose(c, cJSON_GetObjectItemCaseSensitive(root, "choose")) < 0)
        return -1;

    /* Default headers are parsed into a scratch request and copied into
     * each request before its own headers. */
    struct plan_request defaults = {0};
    int rc = get_kvs(c, root, "headers", "", &defaults.headers,
                     &defaults.nheaders);
    if (rc < 0) goto out;
    if ((rc = parse_load(c, cJSON_GetObjectItemCaseSensitive(root, "load"))) < 0 ||
        (rc = parse_warmup(c, cJSON_GetObjectItemCaseSensitive(root, "warmup"))) < 0)
        goto out;
    struct { const char *key; struct plan_step **steps; int *n; } lists[] = {
        {"setup", &p->setup, &p->nsetup},
        {"teardown", &p->teardown, &p->nteardown},
        {"on_start", &p->on_start, &p->non_start},
    };
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
        if ((rc = parse_steps(c, cJSON_GetObjectItemCaseSensitive(root,
             lists[i].key), lists[i].key, lists[i].steps, lists[i].n, 0)) < 0)
            goto out;
    if ((rc = parse_scenarios(c, cJSON_GetObjectItemCaseSensitive(root,
                              "scenarios"))) < 0)
        goto out;
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
        add_default_headers(c, &defaults, *lists[i].steps, *lists[i].n);
    for (int i = 0; i < p->nscenarios; i++)
        add_default_headers(c, &defaults, p->scenarios[i].steps,
                            p->scenarios[i].nsteps);
    if ((rc = parse_thresholds(c, cJSON_GetObjectItemCaseSensitive(root,
                               "thresholds"))) < 0)
        goto out;
    rc = check_refs(c);
out:
    for (int i = 0; i < defaults.nheaders; i++) {
        free(defaults.headers[i].name);
        tmpl_free(defaults.headers[i].value);
    }
    free(defaults.headers);
    forget_all(c);
    return rc;
}

struct plan *plan_parse(const char *json, const char *file, char *err,
                        size_t errlen)
{
    struct plan *p = xcalloc(1, sizeof *p);
    struct ctx c = {.file = file, .err = err, .errlen = errlen, .p = p};
    char *f = xstrdup(file);
    c.dir = xstrdup(dirname(f));
    free(f);
    p->file = xstrdup(file);
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(json, &end, 1);
    int rc;
    if (!root) {
        int line = 1, col = 1;
        for (const char *s = json; end && s < end; s++) {
            if (*s == '\n') { line++; col = 1; } else col++;
        }
        rc = fail(&c, "(JSON)", "not valid JSON near line %d column %d",
                  line, col);
    } else {
        rc = parse_plan(&c, root);
    }
    cJSON_Delete(root);
    free(c.dir);
    if (rc < 0) {
        plan_free(p);
        return NULL;
    }
    return p;
}

struct plan *plan_load(const char *path, char *err, size_t errlen)
{
    char *text = read_file(path, PLAN_MAX_FILE, NULL);
    if (!text) {
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        return NULL;
    }
    struct plan *p = plan_parse(text, path, err, errlen);
    free(text);
    return p;
}

static void free_kvs(struct plan_kv *kv, int n)
{
    for (int i = 0; i < n; i++) {
        free(kv[i].name);
        tmpl_free(kv[i].value);
    }
    free(kv);
}

static void free_matches(struct plan_match *m, int n)
{
    for (int i = 0; i < n; i++) {
        free(m[i].path);
        for (int j = 0; j < m[i].nvalues; j++) free(m[i].values[j]);
        free(m[i].values);
    }
    free(m);
}

static void free_steps(struct plan_step *s, int n)
{
    for (int i = 0; i < n; i++) {
        struct plan_request *r = &s[i].req;
        free(s[i].name);
        free(r->method);
        tmpl_free(r->url);
        free_kvs(r->headers, r->nheaders);
        free_kvs(r->query, r->nquery);
        free_kvs(r->form, r->nform);
        tmpl_free(r->body);
        free(r->expect_status);
        free(r->expect_contains);
        free_matches(r->expect_json, r->nexpect_json);
        for (int j = 0; j < r->nexpect_headers; j++) free(r->expect_headers[j]);
        free(r->expect_headers);
        for (int j = 0; j < r->nextract; j++) {
            free(r->extract[j].expr);
            if (r->extract[j].kind == EXTRACT_REGEX) regfree(&r->extract[j].re);
        }
        free(r->extract);
        free(r->retry_status);
        free(s[i].poll_retry_status);
        free_matches(s[i].until, s[i].nuntil);
        free_matches(s[i].fail_on, s[i].nfail_on);
        free(s[i].fail_status);
    }
    free(s);
}

void plan_free(struct plan *p)
{
    if (!p) return;
    free(p->file);
    free(p->name);
    free(p->base_url);
    for (int i = 0; i < p->npools; i++) {
        struct plan_pool *pool = &p->pools[i];
        free(pool->name);
        for (int j = 0; j < pool->ncols; j++) free(pool->cols[j]);
        free(pool->cols);
        int w = pool->ncols ? pool->ncols : 1;
        for (int j = 0; j < pool->nrows * w; j++) free(pool->cells[j]);
        free(pool->cells);
    }
    free(p->pools);
    free_steps(p->setup, p->nsetup);
    free_steps(p->teardown, p->nteardown);
    free_steps(p->on_start, p->non_start);
    for (int i = 0; i < p->nscenarios; i++) {
        free(p->scenarios[i].name);
        free_steps(p->scenarios[i].steps, p->scenarios[i].nsteps);
    }
    free(p->scenarios);
    free(p->load.stages);
    for (int i = 0; i < p->nthresholds; i++) thresh_clear(&p->thresholds[i]);
    free(p->thresholds);
    for (int i = 0; i < p->nvars; i++) free(p->vars[i]);
    free(p->vars);
    for (int i = 0; i < p->ntx; i++) free(p->tx_names[i]);
    free(p->tx_names);
    free(p->tx_kinds);
    for (int i = 0; i < p->nsecrets; i++) free(p->secrets[i]);
    free(p->secrets);
    free(p->json);
    free(p);
}

int plan_var_index(const struct plan *p, const char *name)
{
    for (int i = 0; i < p->nvars; i++)
        if (strcmp(p->vars[i], name) == 0) return i;
    return -1;
}

int plan_pool_ref(const struct plan *p, const char *ref, int *col)
{
    const char *dot = strchr(ref, '.');
    size_t len = dot ? (size_t)(dot - ref) : strlen(ref);
    *col = -1;
    for (int i = 0; i < p->npools; i++) {
        const struct plan_pool *pool = &p->pools[i];
        if (strlen(pool->name) != len || strncmp(pool->name, ref, len))
            continue;
        if (!dot) return pool->ncols <= 1 ? i : -1;
        for (int j = 0; j < pool->ncols; j++)
            if (strcmp(pool->cols[j], dot + 1) == 0) { *col = j; return i; }
        return -1;
    }
    return -1;
}

int64_t plan_duration_us(const struct plan *p)
{
    if (!p->load.nstages) return p->load.duration_us;
    int64_t d = 0;
    for (int i = 0; i < p->load.nstages; i++) d += p->load.stages[i].duration_us;
    return d;
}

int plan_override(struct plan *p, int users, const char *duration,
                  int64_t iterations, double rate, char *err, size_t errlen)
{
    struct plan_load *L = &p->load;
    if (rate > 0 && !L->open) {
        snprintf(err, errlen, "--rate: the plan uses the closed model "
                 "(\"users\"); use --users");
        return -1;
    }
    if (users > 0 && L->open) L->max_users = users;
    else if (users > 0) {
        L->users = users;
        for (int i = 0; i < L->nstages; i++)
            if (L->stages[i].target > users) L->stages[i].target = users;
    }
    if (rate > 0) L->rate = rate;
    if (duration) {
        int64_t d;
        if (units_parse_duration(duration, &d) < 0 || d <= 0) {
            snprintf(err, errlen, "--duration: expected a duration like "
                     "\"30s\" or \"2m\", got \"%s\"", duration);
            return -1;
        }
        L->duration_us = d;
        L->nstages = 0;
        if (!L->open) L->iterations = iterations > 0 ? iterations : 0;
    }
    if (iterations > 0) {
        if (L->open) {
            snprintf(err, errlen, "--iterations: the open model runs for a "
                     "duration");
            return -1;
        }
        L->iterations = iterations;
        if (!duration) { L->duration_us = 0; L->nstages = 0; }
    }
    return 0;
}

cJSON *plan_settings_json(const struct plan *p)
{
    const struct plan_load *L = &p->load;
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "model", L->open ? "open" : "closed");
    if (L->open) {
        cJSON_AddNumberToObject(s, "rate_per_s", L->rate);
        cJSON_AddNumberToObject(s, "max_users", L->max_users);
    } else {
        cJSON_AddNumberToObject(s, "users", L->users);
        cJSON_AddNumberToObject(s, "spawn_rate", L->spawn_rate);
        cJSON_AddNumberToObject(s, "iterations", (double)L->iterations);
    }
    cJSON_AddNumberToObject(s, "duration_s", plan_duration_us(p) / 1e6);
    if (L->nstages) {
        cJSON *st = cJSON_AddArrayToObject(s, "stages");
        for (int i = 0; i < L->nstages; i++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "duration_s", L->stages[i].duration_us / 1e6);
            cJSON_AddNumberToObject(o, L->open ? "rate_per_s" : "users",
                                    L->stages[i].target);
            cJSON_AddItemToArray(st, o);
        }
    }
    cJSON_AddNumberToObject(s, "think_min_s", L->think_min_us / 1e6);
    cJSON_AddNumberToObject(s, "think_max_s", L->think_max_us / 1e6);
    cJSON_AddNumberToObject(s, "timeout_s", p->timeout_us / 1e6);
    cJSON_AddBoolToObject(s, "insecure", p->insecure);
    cJSON_AddBoolToObject(s, "fast_path", p->fast_path);
    cJSON_AddNumberToObject(s, "scenarios", p->nscenarios);
    return s;
}

static void add_us(cJSON *o, const char *k, int64_t us)
{
    char b[32];
    snprintf(b, sizeof b, "%lldus", (long long)us);
    cJSON_AddStringToObject(o, k, b);
}

cJSON *plan_load_json(const struct plan *p)
{
    const struct plan_load *L = &p->load;
    cJSON *o = cJSON_CreateObject();
    if (L->open) {
        cJSON_AddNumberToObject(o, "rate", L->rate);
        cJSON_AddNumberToObject(o, "max_users", L->max_users);
    } else {
        cJSON_AddNumberToObject(o, "users", L->users);
        if (L->spawn_rate > 0) cJSON_AddNumberToObject(o, "spawn_rate", L->spawn_rate);
        if (L->iterations) cJSON_AddNumberToObject(o, "iterations", (double)L->iterations);
    }
    if (L->nstages) {
        cJSON *st = cJSON_AddArrayToObject(o, "stages");
        for (int i = 0; i < L->nstages; i++) {
            cJSON *x = cJSON_CreateObject();
            cJSON_AddNumberToObject(x, L->open ? "rate" : "users", L->stages[i].target);
            add_us(x, "duration", L->stages[i].duration_us);
            cJSON_AddItemToArray(st, x);
        }
    } else if (L->duration_us) {
        add_us(o, "duration", L->duration_us);
    }
    if (L->think_max_us > 0) {
        cJSON *t = cJSON_AddArrayToObject(o, "think");
        char b[32];
        snprintf(b, sizeof b, "%lldus", (long long)L->think_min_us);
        cJSON_AddItemToArray(t, cJSON_CreateString(b));
        snprintf(b, sizeof b, "%lldus", (long long)L->think_max_us);
        cJSON_AddItemToArray(t, cJSON_CreateString(b));
    }
    add_us(o, "graceful_stop", L->graceful_stop_us);
    return o;
}

/* ---- plans the command line builds -------------------------------------- */

int plan_looks_like_host(const char *s)
{
    size_t hl = strcspn(s, "/?#");
    if (!hl || hl > 255 || strstr(s, "://")) return 0;
    char host[256];
    memcpy(host, s, hl);
    host[hl] = '\0';
    char *colon = strrchr(host, ':');
    int port = 0;
    if (colon) {
        if (!colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1))
            return 0;
        port = 1;
        *colon = '\0';
    }
    if (!*host || strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"
                         "RSTUVWXYZ0123456789.-") != strlen(host))
        return 0;
    if (port || !strcmp(host, "localhost")) return 1;
    const char *dot = strrchr(host, '.');
    if (!dot || !dot[1]) return 0;
    if (strspn(host, "0123456789.") == strlen(host)) return 1;    /* IPv4 */
    static const char *const files[] = {"json", "txt", "csv", "html",
        "yaml", "yml", "journal", NULL};
    for (const char *const *f = files; *f; f++)
        if (!strcasecmp(dot + 1, *f)) return 0;
    return 1;
}

/* The smoke test's row: "GET /healthz" (the URL's path, "/" if none). */
static char *smoke_row_name(const char *url)
{
    const char *h = strstr(url, "://");
    h = h ? h + 3 : url;
    const char *path = h + strcspn(h, "/?#");
    struct buf b = {0};
    buf_printf(&b, "GET %s%.*s", *path == '/' ? "" : "/",
               (int)strcspn(path, "?#"), path);
    return buf_steal(&b);
}

struct plan *plan_smoke(const char *url, char *err, size_t errlen)
{
    cJSON *sp = cJSON_CreateObject();
    cJSON_AddStringToObject(sp, "name", "smoke");
    cJSON *load = cJSON_AddObjectToObject(sp, "load");
    cJSON_AddNumberToObject(load, "users", 10);
    cJSON_AddNumberToObject(load, "spawn_rate", 10);
    cJSON_AddStringToObject(load, "duration", "30s");
    /* About 2 requests per second per user: a smoke test, not a soak. */
    cJSON_AddStringToObject(load, "think", "500ms");
    cJSON *scs = cJSON_AddArrayToObject(sp, "scenarios");
    cJSON *sc = cJSON_CreateObject();
    cJSON_AddStringToObject(sc, "name", "smoke");
    cJSON *steps = cJSON_AddArrayToObject(sc, "steps");
    cJSON *st = cJSON_CreateObject();
    char *row = smoke_row_name(url);
    cJSON_AddStringToObject(st, "name", row);
    free(row);
    cJSON_AddStringToObject(st, "url", url);
    cJSON_AddItemToArray(steps, st);
    cJSON_AddItemToArray(scs, sc);
    cJSON *th = cJSON_AddArrayToObject(sp, "thresholds");
    cJSON_AddItemToArray(th, cJSON_CreateString("http error_rate < 1%"));
    char *text = xjson_print(sp, 0);
    cJSON_Delete(sp);
    struct plan *p = plan_parse(text, "smoke plan", err, errlen);
    cJSON_free(text);
    if (p) {
        free(p->base_url);
        p->base_url = xstrdup(url);
    }
    return p;
}

void plan_for_debug(struct plan *p)
{
    if (p->load.open) { p->load.open = 0; p->load.max_users = 0; }
    p->load.users = 1;
    p->load.nstages = 0;
    p->load.duration_us = 0;
    p->load.spawn_rate = 0;
    p->load.iterations = p->nscenarios;
}
