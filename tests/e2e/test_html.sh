#!/usr/bin/env bash
# The HTML reports: written beside every result, self-contained (no
# network references, no scripts), rendered by headless Chromium without
# console errors, and the numbers on the page equal those in the JSON.
# The history page draws several runs of one plan.
. "$(dirname "$0")/lib.sh"
start_misc

cat > "$TMP/plan.json" <<JSON
{"name": "html", "base_url": "$base",
 "load": {"users": 4, "duration": "3s", "graceful_stop": "1s"},
 "scenarios": [
  {"name": "a", "weight": 3, "steps": [{"name": "fast", "path": "/ok"}, {"think": "20ms"}]},
  {"name": "b", "weight": 1, "steps": [{"name": "slow", "path": "/sleep?ms=30"},
                                       {"name": "boom", "path": "/status500"}]}],
 "thresholds": ["http p99 < 5s", "http error_rate < 1%"]}
JSON
"$HERD" run "$TMP/plan.json" -o "$TMP/r.json" -q > "$TMP/run.out" 2>&1
expect_eq "failing threshold run" 1 "$?"
[ -s "$TMP/r.html" ] && ok "HTML report written beside the result" || fail "no r.html"
grep -q "xdg-open $TMP/r.html" "$TMP/run.out" && ok "says how to open it" || fail "no open hint"
if grep -Eiq '(src|href)=|<script|@import|url\(' "$TMP/r.html"; then fail "the page references something outside itself"
else ok "self-contained: no src, href, script or url()"; fi

chrome() {
    timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic \
        --no-first-run --disable-background-networking --disable-component-update \
        --disable-sync --user-data-dir="$TMP/chrome" --enable-logging=stderr --v=0 "$@"
}
chrome --window-size=1200,2600 --screenshot="$TMP/shot.png" "file://$TMP/r.html" > "$TMP/shot.log" 2>&1
[ -s "$TMP/shot.png" ] && ok "screenshot taken ($(stat -c %s "$TMP/shot.png") bytes)" || fail "no screenshot: $(tail -3 "$TMP/shot.log")"
chrome --dump-dom "file://$TMP/r.html" > "$TMP/dom.html" 2> "$TMP/dom.log"
grep -Eq 'CONSOLE|Uncaught' "$TMP/dom.log" "$TMP/shot.log" && fail "console errors: $(grep -E 'CONSOLE|Uncaught' "$TMP"/*.log | head -3)" || ok "no console errors"

# Numbers on the page (as Chromium parsed it) against the JSON.
/usr/bin/python3 - "$TMP/dom.html" "$TMP/r.json" > "$TMP/cmp.out" <<'PY'
import json, sys
from html.parser import HTMLParser
res = json.load(open(sys.argv[2]))
rows, ids = {}, {}
class P(HTMLParser):
    row = None; cur_id = None
    def handle_starttag(self, tag, a):
        a = dict(a)
        if tag == "tr" and "data-name" in a:
            self.row = rows.setdefault((a["data-name"], a["data-kind"]), {})
        if tag == "td" and self.row is not None:
            for k in ("data-count", "data-errors"):
                if k in a: self.row[k[5:]] = int(a[k])
            if "data-p" in a: self.row["p" + a["data-p"]] = int(a["data-us"])
        if tag == "b" and "id" in a: self.cur_id = a["id"]
    def handle_data(self, d):
        if self.cur_id: ids[self.cur_id] = d.strip(); self.cur_id = None
P().feed(open(sys.argv[1]).read())
bad = 0
for t in res["transactions"]:
    r = rows.get((t["name"], t["kind"]))
    want = {"count": t["count"], "errors": t["errors"], "p50": t["p50_us"],
            "p95": t["p95_us"], "p99": t["p99_us"], "p99.9": t["p999_us"]}
    if r is None or any(r.get(k) != v for k, v in want.items()):
        bad += 1; print("mismatch", t["name"], r, want)
total = res["summary"]["requests"]["count"]
if ids.get("requests") != str(total): bad += 1; print("requests tile", ids.get("requests"), total)
if ids.get("iterations") != str(res["iterations"]["started"]): bad += 1; print("iterations tile")
print("checked", len(res["transactions"]), "transactions; bad", bad)
PY
grep -q "bad 0$" "$TMP/cmp.out" && ok "page numbers equal the JSON ($(tail -1 "$TMP/cmp.out"))" || fail "$(cat "$TMP/cmp.out")"
grep -q 'class="verdict fail">FAIL' "$TMP/dom.html" && ok "summary shows the failed threshold" || fail "verdict not FAIL"
expect_eq "four charts" 4 "$(grep -c '<svg' "$TMP/dom.html")"
"$HERD" report "$TMP/r.json" --html "$TMP/again.html"
expect_eq "herd report --html re-renders the same page" "" "$(diff "$TMP/r.html" "$TMP/again.html")"

# History: three runs of the plan, oldest first.
for i in 2 3; do "$HERD" run "$TMP/plan.json" --duration 1s -o "$TMP/r$i.json" -q > /dev/null 2>&1; done
"$HERD" report --history html "$TMP/r3.json" "$TMP/r.json" "$TMP/r2.json" --html "$TMP/history.html" 2> "$TMP/hist.out"
expect_eq "history page" 0 "$?"
expect_eq "history lists 3 runs" 3 "$(grep -c '<tr><td>html-' "$TMP/history.html")"
first=$(grep -o '<tr><td>html-[^<]*' "$TMP/history.html" | head -1 | sed 's/<tr><td>//')
expect_eq "oldest run first" "$(jq -r .run_id "$TMP/r.json")" "$first"
chrome --dump-dom "file://$TMP/history.html" > "$TMP/hdom.html" 2> "$TMP/hdom.log"
grep -q 'all requests (http)' "$TMP/hdom.html" && ok "history renders in Chromium" || fail "history did not render"
finish
