/* jpath — the small JSON-path subset plans use to point into a response:
 * "$" (the whole document), "$.a.b", "$.items[0].id", "$['odd key']",
 * "$.a[-1]" (last element). No wildcards or filters: a path names at most
 * one value.
 *
 * Who calls it: plan (validation at load time) and engine (extract, expect,
 * poll until/fail_on). Pure functions over cJSON trees; thread-safe. */
#ifndef HERD_JPATH_H
#define HERD_JPATH_H
#include <stddef.h>
#include <cjson/cJSON.h>
#include "buf.h"

/* Returns 0 if path is well formed, else -1 and a short reason in err
 * (e.g. "expected ']' at offset 9"). */
int jpath_check(const char *path, char *err, size_t errlen);

/* Returns the node path names in root (borrowed from root), or NULL when
 * any step is missing or of the wrong type, or path is malformed. */
const cJSON *jpath_get(const cJSON *root, const char *path);

/* Appends a scalar's text to out: strings as-is (no quotes), numbers as
 * integers when integral else %.17g, true/false, null; arrays and objects
 * as compact JSON. */
void jpath_to_text(const cJSON *node, struct buf *out);
#endif
