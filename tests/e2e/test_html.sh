#!/usr/bin/env bash
# The HTML reports: written beside every result, self-contained (no
# network references, no scripts), rendered by headless Chromium without
# console errors (screenshots: real PNGs, not blank), and the numbers on
# the page equal those in the JSON. What a person sees, on the page as
# Chromium parsed it: each legend label in its series' colour (no CSS rule
# over it), round tick labels, status codes one per row, no shards on a
# local run, readable settings; a flow plan gets flow tiles first. The
# history page draws several runs of one plan (date and time labels,
# marked points, throughput, links to the reports, a phases and bytes view
# per request transaction) and a single run.
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
# A screenshot: a PNG of the window's size, and not blank (a white page
# compresses to a few kB; charts, tiles and tables to far more).
shot() {  # shot PAGE PNG NAME
    rm -f "$2"
    chrome --window-size=1400,2600 --hide-scrollbars --screenshot="$2" "file://$1" > "$2.log" 2>&1
    local size kind
    size=$(stat -c %s "$2" 2>/dev/null || echo 0)
    kind=$(file -b "$2" 2>/dev/null)
    case "$kind" in
    "PNG image data, 1400 x 2600"*)
        [ "$size" -gt 40000 ] && ok "$3: screenshot rendered ($size bytes, $kind)" ||
            fail "$3: screenshot looks blank ($size bytes)" ;;
    *) fail "$3: no screenshot ($kind): $(tail -3 "$2.log")" ;;
    esac
}
shot "$TMP/r.html" "$TMP/shot.png" "report"
[ -n "${SHOTS:-}" ] && cp "$TMP/shot.png" "$SHOTS/report.png"
chrome --dump-dom "file://$TMP/r.html" > "$TMP/dom.html" 2> "$TMP/dom.log"
grep -Eq 'CONSOLE|Uncaught' "$TMP/dom.log" "$TMP/shot.png.log" && fail "console errors: $(grep -E 'CONSOLE|Uncaught' "$TMP"/*.log | head -3)" || ok "no console errors"

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
# What a person sees (look.py: the checks, one "bad" line per problem).
cat > "$TMP/look.py" <<'PY'
import re, sys
from html.parser import HTMLParser
page, want = open(sys.argv[1]).read(), sys.argv[2:]
bad = []
class P(HTMLParser):
    def __init__(s):
        super().__init__(); s.stack = []; s.texts = []; s.series = {}
        s.cur = None; s.svg = -1; s.fig = None; s.ids = {}; s.idcur = None
    def handle_starttag(s, tag, a):
        a = dict(a)
        if tag == "figure": s.fig = a.get("id", "")
        if tag == "svg": s.svg += 1
        if tag == "g" and a.get("class") == "series": s.g = a.get("data-series")
        if tag in ("polyline", "circle") and getattr(s, "g", None):
            s.series.setdefault((s.svg, s.g), a.get("stroke") or a.get("fill"))
        if tag == "rect" and "bar" in (a.get("class") or ""):
            s.series.setdefault((s.svg, "bar %s" % a.get("fill")), a.get("fill"))
        if tag == "text": s.cur = [a, "", s.svg, s.fig]; s.texts.append(s.cur)
        if "id" in a: s.idcur = a["id"]; s.ids[a["id"]] = ""
    def handle_endtag(s, tag):
        if tag == "g": s.g = None
        if tag == "text": s.cur = None
    def handle_data(s, d):
        if s.cur is not None: s.cur[1] += d
        if s.idcur: s.ids[s.idcur] += d
p = P(); p.feed(page)
# Legends: the text's fill (attribute and inline style) is its series'
# colour; no stylesheet rule sets the fill of every text or of .lg.
css = "".join(re.findall(r"<style>(.*?)</style>", page, re.S))
for sel, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
    sel = sel.strip().split(",")
    if "fill" in body and any(x.strip().endswith("text") or "*" in x or ".lg" in x for x in sel):
        bad.append("CSS rule paints the legends: %s{%s}" % (",".join(sel), body))
legends = [t for t in p.texts if t[0].get("class") == "lg"]
for a, txt, svg, fig in legends:
    colour = a.get("fill")
    line = p.series.get((svg, txt.strip()))
    if line is None: line = p.series.get((svg, "bar " + colour))
    if line != colour or a.get("style") != "fill:" + colour:
        bad.append("legend %r: fill %s style %s, its series %s" % (txt, colour, a.get("style"), line))
if len(legends) < 3: bad.append("only %d legends" % len(legends))
# Ticks: each axis from 0 by one round step (1, 2 or 5 x 10^n); the
# distributions' log axis: round numbers.
def num(x):
    m = re.match(r"([0-9.]+)", x); return float(m.group(1)) if m else None
axes = {}
for a, txt, svg, fig in p.texts:
    if a.get("class") in ("yl", "xl") and num(txt) is not None:
        axes.setdefault((svg, a["class"], fig), []).append(num(txt))
for (svg, cls, fig), v in axes.items():
    if cls == "xl" and fig.startswith("dist-"):
        for x in v:
            if not re.fullmatch(r"[1-9](\.[0-9])?0*|[1-9]", ("%g" % x).replace("0.", "").lstrip("0") or "0"):
                bad.append("distribution tick %g in %s is not round" % (x, fig))
        continue
    if len(v) < 2 or (cls == "xl" and fig.startswith("h")): continue  # runs
    st = v[1] - v[0]
    if st <= 0: bad.append("ticks of %s %s: %s" % (fig, cls, v)); continue
    m = st / 10 ** __import__("math").floor(__import__("math").log10(st) + 1e-9)
    if v[0] != 0 or min(abs(m - k) for k in (1, 2, 5)) > 1e-6 or \
       any(abs(v[i] - v[i-1] - st) > 1e-6 * st for i in range(2, len(v))):
        bad.append("ticks of %s %s not round: %s" % (fig, cls, v))
if "status" in want:
    rows = re.findall(r'<tr data-status="(\d+)"><td>([^<]*)</td><td>([^<]*)</td><td[^>]*>(\d+)<', page)
    if len(rows) < 2: bad.append("status codes not one per row: %s" % rows)
    if "none:" in page: bad.append("status 'none:' printed")
if "local" in want:
    if "shards" in page: bad.append("shards shown on a local run")
    if "think_min_s" in page or '"iterations":' in page: bad.append("raw settings")
if "flow" in want:
    for i in ("flows", "flow-p50", "flow-p95", "flow-errors"):
        if not p.ids.get(i, "").strip(): bad.append("no %s tile" % i)
    if page.find('id="flow-tiles"') > page.find('id="request-tiles"'): bad.append("flow tiles not first")
    if 'id="dist-flows"' not in page: bad.append("no flow distribution")
if "history" in want:
    if "<circle" not in page: bad.append("no point markers")
    if not re.search(r"<tspan[^>]*>\d\d:\d\d(:\d\d)?</tspan>", page): bad.append("no time in run labels")
    if "Throughput by run" not in page: bad.append("no throughput")
for b in bad: print("bad:", b)
print("looked: %d legends, %d axes, %d problems" % (len(legends), len(axes), len(bad)))
PY
look() {  # look DOM NAME WANT...
    local dom=$1 name=$2; shift 2
    /usr/bin/python3 "$TMP/look.py" "$dom" "$@" > "$TMP/look.out" 2>&1
    grep -q ", 0 problems$" "$TMP/look.out" && ok "$name: $(tail -1 "$TMP/look.out")" ||
        fail "$name: $(head -5 "$TMP/look.out")"
}
look "$TMP/dom.html" "report as seen" status local
grep -q 'class="verdict fail">FAIL' "$TMP/dom.html" && ok "summary shows the failed threshold" || fail "verdict not FAIL"
# Throughput, latency, users, p95 by transaction (fast and slow; boom never
# succeeded: no line) and the distribution; a phase bar per transaction
# and for all requests.
expect_eq "five charts and four phase bars" "5 4" \
    "$(grep -o '<svg viewBox' "$TMP/dom.html" | wc -l) $(grep -o '<svg width="240"' "$TMP/dom.html" | wc -l)"
"$HERD" report "$TMP/r.json" --html "$TMP/again.html"
expect_eq "herd report --html re-renders the same page" "" "$(diff "$TMP/r.html" "$TMP/again.html")"

# History: three runs of the plan, oldest first.
for i in 2 3; do "$HERD" run "$TMP/plan.json" --duration 1s -o "$TMP/r$i.json" -q > /dev/null 2>&1; done
"$HERD" report --history html "$TMP/r3.json" "$TMP/r.json" "$TMP/r2.json" --html "$TMP/history.html" 2> "$TMP/hist.out"
expect_eq "history page" 0 "$?"
# A run's id may be a link to its report.
expect_eq "history lists 3 runs" 3 "$(grep -c '<tr><td>\(<a [^>]*>\)\?html-' "$TMP/history.html")"
first=$(grep -o '<tr><td>\(<a [^>]*>\)\?html-[^<]*' "$TMP/history.html" | head -1 | sed 's/<tr><td>//; s/<a [^>]*>//')
expect_eq "oldest run first" "$(jq -r .run_id "$TMP/r.json")" "$first"
# herd run wrote r.html beside r.json: the history links the run to it,
# relative to the page (both in $TMP).
grep -q 'href="r.html"' "$TMP/history.html" && ok "history links a run to its report" \
    || fail "history: no link to r.html ($(grep -o 'href="[^"]*"' "$TMP/history.html" | head -3 | tr '\n' ' '))"
chrome --dump-dom "file://$TMP/history.html" > "$TMP/hdom.html" 2> "$TMP/hdom.log"
grep -q 'all requests (http)' "$TMP/hdom.html" && ok "history renders in Chromium" || fail "history did not render"
look "$TMP/hdom.html" "history as seen" history
shot "$TMP/history.html" "$TMP/hshot.png" "history"
[ -n "${SHOTS:-}" ] && cp "$TMP/hshot.png" "$SHOTS/history.png"
# The phases view: each request transaction that measured phases has a
# p95 wait / connect / tls chart and a bytes-per-request chart by run; the
# points are each run's figures from its result (wait p95 to the
# histogram's 2 significant digits, bytes exactly), tls has none on http.
/usr/bin/python3 - "$TMP/hdom.html" "$TMP/r.json" "$TMP/r2.json" "$TMP/r3.json" > "$TMP/hph.out" 2>&1 <<'PY'
import json, re, sys
page = open(sys.argv[1]).read()
runs = sorted((json.load(open(a)) for a in sys.argv[2:]), key=lambda r: r["started_unix_ms"])
bad = []
def points(fig, series):
    g = re.search(r'<g class="series" data-series="%s">(.*?)</g>' % re.escape(series), fig, re.S)
    return [float(v) for v in re.findall(r"<title>([^<]*)</title>", g.group(1))] if g else None
def legend_ok(fig, series, colour):
    return re.search(r'<text[^>]*fill="%s"[^>]*data-series="%s"' % (colour, re.escape(series)), fig) is not None
nfig = 0
for sec in page.split("<h2>")[1:]:
    name = sec[:sec.index("</h2>")]
    m = re.search(r'<figure id="h\d+-phases">(.*?)</figure>', sec, re.S)
    b = re.search(r'<figure id="h\d+-bytes">(.*?)</figure>', sec, re.S)
    txs = [next((t for t in r["transactions"] if t["name"] == name and t["kind"] == "request"), None) for r in runs]
    if not any(t and t.get("phases") for t in txs):
        if m or b: bad.append("%s: a phases view without phases" % name)
        continue
    if not m or not b:
        bad.append("%s: no phases or bytes chart" % name); continue
    nfig += 2
    m, b = m.group(1), b.group(1)
    waits = points(m, "wait p95")
    want = [t["phases"]["wait"]["p95_us"] for t in txs if t and t["phases"]["wait"]["count"]]
    if waits is None or len(waits) != len(want) or any(abs(w - v) > 0.06 * v + 1 for w, v in zip(waits, want)):
        bad.append("%s: wait p95 points %s, results say %s" % (name, waits, want))
    if 'data-series="tls p95"' in m: bad.append("%s: a tls line on http" % name)
    if not legend_ok(m, "wait p95", "#9333ea"): bad.append("%s: wait legend colour" % name)
    rec = points(b, "received")
    want = [round(t["received_bytes"] / t["count"], 1) for t in txs if t and t["count"]]
    if rec is None or [round(v, 1) for v in rec] != want:
        bad.append("%s: received/request %s, results say %s" % (name, rec, want))
for x in bad: print("bad:", x)
print("%d phases and bytes charts, %d problems" % (nfig, len(bad)))
PY
grep -q "^6 phases and bytes charts, 0 problems" "$TMP/hph.out" && ok "history: $(tail -1 "$TMP/hph.out")" ||
    fail "history phases view: $(head -5 "$TMP/hph.out")"
# Two runs in one minute get different labels.
labels=$(sed '/<\/svg>/q' "$TMP/history.html" | grep -o '<tspan x="[0-9.]*" dy="13">[^<]*' | sed 's/.*>//' | sort | uniq -d)
nlab=$(sed '/<\/svg>/q' "$TMP/history.html" | grep -c '<tspan x="[0-9.]*" dy="13">')
[ "$nlab" -eq 3 ] && [ -z "$labels" ] && ok "3 runs, 3 different date+time labels" ||
    fail "run labels: $nlab, shared: $labels"
# One run: a marked point, not a dot on the axis.
"$HERD" report --history html "$TMP/r2.json" --html "$TMP/one.html" 2> /dev/null
chrome --dump-dom "file://$TMP/one.html" > "$TMP/odom.html" 2> /dev/null
look "$TMP/odom.html" "single-run history as seen" history

# A flow plan: the flow gets the headline tiles, first, and its own
# distribution.
{ for i in $(seq 1 40); do echo "request assign $((3000 + i * 50)) 202"
      echo "request poll $((2000 + i * 30)) 200"
      echo "flow container-ready $((1800000 + i * 9000))"; done
  echo "request poll 1000 0"; echo "request poll 1200 503"; } |
    "$TOOLS/mkresult" flowplan flowplan-1 1764530000000 20000 10 > "$TMP/flow.json"
"$HERD" report "$TMP/flow.json" --html "$TMP/flow.html"
chrome --dump-dom "file://$TMP/flow.html" > "$TMP/fdom.html" 2> /dev/null
look "$TMP/fdom.html" "flow report as seen" flow status local
shot "$TMP/flow.html" "$TMP/fshot.png" "flow report"
[ -n "${SHOTS:-}" ] && cp "$TMP/fshot.png" "$SHOTS/flow.png"
finish
