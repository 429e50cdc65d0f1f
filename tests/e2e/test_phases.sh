#!/usr/bin/env bash
# Request timing phases and bytes against what the server itself saw: a
# private nginx (scripts/nginx-echo, plain and TLS) logs per request
# $request_length (the whole request), $bytes_sent (the whole answer) and
# $connection (a serial number per connection). Checked:
#   - bytes sent per transaction = the sum of $request_length, bodies under
#     and over libcurl's 64 KiB first-send limit included;
#   - bytes received = the sum of $bytes_sent for answers with a
#     Content-Length; for chunked answers (the echo module's) the chunk
#     framing, a few dozen bytes per answer, is not counted;
#   - new connections (connect and dns counts) = the distinct $connection
#     numbers of the run; /close ends every connection, so the request after
#     it opens one;
#   - tls only on https, once per new connection, and never on http;
#   - wait (request sent -> first byte) of /sleep/20 holds the server's own
#     $request_time (>= it minus nginx's 1 ms resolution; the upper bound
#     is generous: a busy machine);
#   - each transaction's per-second timeline adds up to its count, inside
#     the run's seconds; the phases table is in the text and HTML reports.
. "$(dirname "$0")/lib.sh"

port=$(free_port)
tport=$(free_port)
nd="$TMP/nginx"
trap '"$REPO/scripts/nginx-echo" stop "$nd"; cleanup' EXIT
if ! base=$(NGINX_ECHO_TLS_PORT=$tport "$REPO/scripts/nginx-echo" start "$nd" "$port" 2>"$TMP/nginx-echo.err"); then
    skip "nginx with the echo module (and TLS) did not start: $(cat "$TMP/nginx-echo.err")"
    finish
fi
# 100 000 bytes: over libcurl's 64 KiB, sent after the headers.
big=$(head -c 100000 /dev/zero | tr '\0' y)
cat > "$TMP/a.json" <<JSON
{"name": "phases", "base_url": "$base",
 "load": {"users": 3, "iterations": 6},
 "scenarios": [{"name": "a", "steps": [
   {"name": "slow", "path": "/sleep/20?r=a-slow"},
   {"name": "close", "path": "/close?r=a-close"},
   {"name": "big", "path": "/bytes/4096?r=a-big"},
   {"name": "post", "method": "POST", "path": "/echo?r=a-post",
    "body": "a body of thirty bytes, exact"},
   {"name": "bigpost", "method": "POST", "path": "/echo?r=a-bigpost",
    "body": "$big"}]}]}
JSON
cat > "$TMP/b.json" <<JSON
{"name": "phases-tls", "base_url": "https://127.0.0.1:$tport", "insecure": true,
 "load": {"users": 2, "iterations": 5},
 "scenarios": [{"name": "b", "steps": [
   {"name": "tls-keep", "path": "/sleep/5?r=b-keep"},
   {"name": "tls-close", "path": "/close?r=b-close"}]}]}
JSON
"$HERD" run "$TMP/a.json" -o "$TMP/a-r.json" -q > "$TMP/a.out" 2>&1
expect_eq "plain run exits 0" 0 "$?"
"$HERD" run "$TMP/b.json" -o "$TMP/b-r.json" -q > "$TMP/b.out" 2>&1
expect_eq "TLS run exits 0" 0 "$?"

/usr/bin/python3 - "$nd/access.log" "$TMP/a-r.json" "$TMP/b-r.json" > "$TMP/cmp.out" 2>&1 <<'PY'
import json, sys
log = {}
for line in open(sys.argv[1]):
    p = line.split()
    if len(p) < 7 or "r=" not in p[2]:
        continue
    tag = p[2].split("r=")[1]
    log.setdefault(tag, []).append({"t": float(p[1]), "conn": p[4],
                                    "sent": int(p[5]), "len": int(p[6])})
def say(ok, msg):
    print(("ok " if ok else "fail ") + msg)
def check(path, tags, tls):
    r = json.load(open(path))
    conns = set()
    nconn = 0
    for t in r["transactions"]:
        lines = log.get(tags[t["name"]][0], [])
        chunked = tags[t["name"]][1]
        n, ph = t["count"], t["phases"]
        say(n == len(lines) and n > 0, "%s: %d requests, nginx logged %d" % (t["name"], n, len(lines)))
        want = sum(l["len"] for l in lines)
        say(t["sent_bytes"] == want, "%s: sent %d bytes, nginx's $request_length %d" % (t["name"], t["sent_bytes"], want))
        got, want = t["received_bytes"], sum(l["sent"] for l in lines)
        if chunked:
            # libcurl's path counts the body without the chunk framing;
            # the fast path (README "The HTTP/1.1 fast path") every byte
            # read, as nginx counts them.
            say(want - 64 * n <= got <= want, "%s: received %d bytes, nginx sent %d with chunk framing" % (t["name"], got, want))
        else:
            say(got == want, "%s: received %d bytes, nginx's $bytes_sent %d" % (t["name"], got, want))
        conns |= {l["conn"] for l in lines}
        nconn += ph["connect"]["count"]
        say(ph["dns"]["count"] == ph["connect"]["count"], "%s: a name lookup per new connection (%d, %d)" % (t["name"], ph["dns"]["count"], ph["connect"]["count"]))
        if tls:
            say(ph["tls"]["count"] == ph["connect"]["count"] and (ph["tls"]["count"] == 0 or ph["tls"]["mean_us"] > 0),
                "%s: a TLS handshake per new connection (%d, %d, mean %dus)" % (t["name"], ph["tls"]["count"], ph["connect"]["count"], ph["tls"]["mean_us"]))
        else:
            say(ph["tls"]["count"] == 0, "%s: no TLS phase on http (%d)" % (t["name"], ph["tls"]["count"]))
        say(ph["wait"]["count"] == n and ph["transfer"]["count"] == n, "%s: wait and transfer for every request" % t["name"])
        tl = t["timeline"]
        secs = [e["t"] for e in tl]
        inside = all(r["started_unix_ms"] // 1000 <= s <= r["finished_unix_ms"] // 1000 for s in secs)
        say(sum(e["requests"] for e in tl) == n and inside, "%s: per-second timeline adds up to %d inside the run" % (t["name"], n))
    say(nconn == len(conns), "%s: %d new connections, nginx saw %d" % (r["plan"], nconn, len(conns)))
    s = r["summary"]["requests"]
    say(s["sent_bytes"] == sum(t["sent_bytes"] for t in r["transactions"]), "%s: summary bytes are the sum" % r["plan"])
    return r
a = check(sys.argv[2], {"slow": ("a-slow", 1), "close": ("a-close", 0), "big": ("a-big", 0),
                        "post": ("a-post", 1), "bigpost": ("a-bigpost", 1)}, False)
tx = {t["name"]: t for t in a["transactions"]}
say(tx["big"]["phases"]["connect"]["count"] >= tx["close"]["count"] - 3,
    "the request after /close opens a new connection (%d of %d)" % (tx["big"]["phases"]["connect"]["count"], tx["close"]["count"]))
srv = sum(l["t"] for l in log["a-slow"]) / len(log["a-slow"]) * 1e6
w = tx["slow"]["phases"]["wait"]["mean_us"]
say(srv - 1000 <= w <= srv + 50000, "slow: wait mean %dus holds nginx's $request_time mean %dus" % (w, srv))
check(sys.argv[3], {"tls-keep": ("b-keep", 1), "tls-close": ("b-close", 0)}, True)
PY
while IFS= read -r line; do
    case "$line" in
        "ok "*) ok "${line#ok }" ;;
        "fail "*) fail "${line#fail }" ;;
        *) fail "checker: $line" ;;
    esac
done < "$TMP/cmp.out"

# A phases row: name, conns, five phases, wait p95, sent and received
# (number and unit each).
grep -q "^request phases" "$TMP/a-r.txt" &&
    sed -n '/^request phases/,$p' "$TMP/a-r.txt" | awk '$1 == "bigpost" && NF == 12 {f = 1} END {exit !f}' &&
    ok "text report: phases table" || fail "text report: no phases table: $(grep -A3 'request phases' "$TMP/a-r.txt")"
/usr/bin/python3 - "$TMP/a-r.html" "$TMP/a-r.json" <<'PY' && ok "HTML report: a phases row per transaction with its bytes, one p95 chart with a line per transaction" || fail "HTML report: phases rows or p95 chart wrong"
import json, re, sys
page, r = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
ph = page[page.index('<table id="phases">'):]
ph = ph[:ph.index("</table>")]
for t in r["transactions"]:
    row = re.search(r'<tr data-phases-of="%s">(.*?)</tr>' % re.escape(t["name"]), ph)
    assert row, t["name"]
    assert re.findall(r'data-bytes="(\d+)"', row.group(1)) == [str(t["sent_bytes"]), str(t["received_bytes"])], t["name"]
    assert 'data-phase="connect" data-ph-count="%d"' % t["phases"]["connect"]["count"] in row.group(1), t["name"]
fig = page[page.index('<figure id="chart-tx-p95-1">'):]
fig = fig[:fig.index("</figure>")]
names = re.findall(r'<g class="series" data-series="([^"]*)"', fig)
assert names == [t["name"] for t in r["transactions"]], names
assert 'id="chart-tx-p95-2"' not in page
PY
finish
