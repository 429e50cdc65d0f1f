#!/usr/bin/env bash
# End-to-end: what a request step can say — query, form and raw bodies,
# methods, headers, extraction by JSON path, header and regex, checks that
# fail by name, TLS verification (on by default, off with "insecure"), and
# teardown that still runs after a failed load and after Ctrl-C.
. "$(dirname "$0")/lib.sh"

nport=$(free_port); tport=$(free_port)
"$REPO/scripts/nginx-test" start "$TMP/nginx" "$nport" "$tport" > /dev/null || fail "nginx with TLS did not start"
trap '"$REPO/scripts/nginx-test" stop "$TMP/nginx"; cleanup' EXIT
start_misc

cat > "$TMP/req.json" <<JSON
{"name": "requests", "base_url": "$base",
 "headers": {"X-Default": "d", "X-Over": "default"},
 "load": {"users": 1, "iterations": 1},
 "scenarios": [{"steps": [
   {"name": "form", "method": "POST", "path": "/echo", "query": {"q": "a b&c"},
    "headers": {"X-Over": "step"}, "form": {"name": "x y", "n": "{{user}}"},
    "expect": {"json": {"\$.method": "POST", "\$.headers.X-Over": "step"},
               "header": "X-Echo"},
    "extract": {"path": "\$.path", "echo": {"header": "x-echo"},
                "name": {"regex": "name=([a-z+]+)"}}},
   {"name": "raw", "method": "PUT", "path": "/echo",
    "body": "p={{path}} e={{echo}} n={{name}}",
    "expect": {"json": {"\$.method": ["PUT"], "\$.headers.X-Default": "d"}},
    "extract": {"raw": "\$.body"}},
   {"name": "redirect", "path": "/redirect", "expect": {"status": 302},
    "extract": {"loc": {"header": "Location"}}},
   {"name": "follow", "path": "{{loc}}", "expect": {"contains": "OK"}}]}]}
JSON
"$HERD" run "$TMP/req.json" --debug -o "$TMP/r1.json" > "$TMP/r1.out" 2>&1
expect_eq "request features run clean" 0 "$?"
expect_eq "all four steps succeeded" 1 "$(jq .iterations.succeeded "$TMP/r1.json")"
grep -q 'POST http://127.0.0.1:[0-9]*/echo?q=a%20b%26c' "$TMP/r1.out" && ok "query escaped" || fail "query not in the URL"
grep -q '^> name=x%20y&n=1$' "$TMP/r1.out" && ok "form body encoded" || fail "form body not shown encoded"
grep -q '^> p=/echo?q=a%20b%26c e=yes n=x$' "$TMP/r1.out" && ok "extracted JSON path, header and regex values used" || fail "extracted values not used"
grep -q 'GET http://127.0.0.1:[0-9]*/ok?id=42' "$TMP/r1.out" && ok "Location header extracted" || fail "Location not followed"

# Without --debug a step keeps only what it looks at (one that checks the
# status alone copies neither headers nor body): the same steps between
# status-only ones still see their headers and bodies.
jq '.load.iterations = 2 | .scenarios[0].steps |= [{"name": "plain", "path": "/ok"}] + .[:2] +
    [{"name": "plain2", "path": "/ok"}, {"name": "hdr-only", "method": "POST", "path": "/echo",
      "expect": {"header": "X-Echo"}}] + .[2:]' "$TMP/req.json" > "$TMP/req2.json"
"$HERD" run "$TMP/req2.json" -q -o "$TMP/r1b.json" > /dev/null 2>&1
expect_eq "without --debug: checks and extractions between status-only steps" 2 "$(jq .iterations.succeeded "$TMP/r1b.json")"

# The User-Agent: herd's own by default, exactly one; a plan's own wins.
ver=$("$HERD" version | awk '{print $2; exit}')
cat > "$TMP/ua.json" <<JSON
{"name": "ua", "base_url": "$base", "load": {"users": 1, "iterations": 1},
 "scenarios": [{"steps": [
   {"name": "default", "method": "POST", "path": "/echo", "expect": {"json": {"\$.headers.User-Agent": "herd/$ver"}}},
   {"name": "own", "method": "POST", "path": "/echo", "headers": {"User-Agent": "mine/1"},
    "expect": {"json": {"\$.headers.User-Agent": "mine/1"}}}]}]}
JSON
"$HERD" run "$TMP/ua.json" --debug -o "$TMP/ua-r.json" > "$TMP/ua.out" 2>&1
expect_eq "User-Agent herd/$ver by default, the plan's own when it sets one" 1 "$(jq .iterations.succeeded "$TMP/ua-r.json")"
expect_eq "one User-Agent per request" 2 "$(grep -ci '^> user-agent:' "$TMP/ua.out")"

# Checks that fail say which one.
cat > "$TMP/checks.json" <<JSON
{"name": "checks", "base_url": "$base",
 "load": {"users": 1, "iterations": 1},
 "scenarios": [
  {"name": "a", "steps": [{"name": "json", "method": "POST", "path": "/echo",
     "expect": {"json": {"\$.method": "GET"}}}]},
  {"name": "b", "steps": [{"name": "hdr", "path": "/ok", "expect": {"header": "X-Missing"}}]},
  {"name": "c", "steps": [{"name": "contains", "path": "/ok", "expect": {"contains": "nope"}}]},
  {"name": "d", "steps": [{"name": "extract", "path": "/ok", "extract": {"v": {"regex": "(z+)"}}}]}]}
JSON
"$HERD" run "$TMP/checks.json" --debug -o "$TMP/r2.json" > /dev/null 2>&1
r="$TMP/r2.json"
expect_eq "json check named" 1 "$(jq '.transactions[] | select(.name=="json") | .errors_by["check: json $.method"]' "$r")"
expect_eq "header check named" 1 "$(jq '.transactions[] | select(.name=="hdr") | .errors_by["check: header X-Missing"]' "$r")"
expect_eq "contains check named" 1 "$(jq '.transactions[] | select(.name=="contains") | .errors_by["check: contains \"nope\""]' "$r")"
expect_eq "extract failure named" 1 "$(jq '.transactions[] | select(.name=="extract") | .errors_by["extract: v"]' "$r")"
# (Without --debug a user picks its scenario at random: one plan each.)
for i in 0 1 2 3; do
    jq ".load = {\"users\": 1, \"iterations\": 3} | .scenarios = [.scenarios[$i]]" "$TMP/checks.json" > "$TMP/checks-$i.json"
    "$HERD" run "$TMP/checks-$i.json" -q -o "$TMP/r2b-$i.json" > /dev/null 2>&1
done
expect_eq "without --debug every one of those checks fails for its own reason" \
    '12 12 check: contains "nope"|check: header X-Missing|check: json $.method|extract: v' \
    "$(jq -rs '"\([.[].transactions[] | .count] | add) \([.[].transactions[] | .errors] | add) \([.[].transactions[] | .errors_by | keys[]] | unique | join("|"))"' "$TMP"/r2b-*.json)"

# TLS: verified by default (self-signed fails as tls), skipped with insecure.
cat > "$TMP/tls.json" <<JSON
{"name": "tls", "base_url": "https://localhost:$tport",
 "load": {"users": 1, "iterations": 2},
 "scenarios": [{"steps": [{"name": "hello", "path": "/hello"}]}]}
JSON
"$HERD" run "$TMP/tls.json" -o "$TMP/r3.json" -q > /dev/null 2>&1
expect_eq "self-signed certificate refused (tls)" 2 "$(jq '.transactions[0].errors_by.tls' "$TMP/r3.json")"
jq '.insecure = true' "$TMP/tls.json" > "$TMP/tls2.json"
"$HERD" run "$TMP/tls2.json" -o "$TMP/r4.json" -q > /dev/null 2>&1
expect_eq "insecure: true skips verification" 2 "$(jq '.transactions[0].status["200"]' "$TMP/r4.json")"
expect_eq "the result records insecure" true "$(jq '.settings.insecure' "$TMP/r4.json")"
grep -q "TLS verification was OFF" "$TMP/r4.txt" && ok "the text report says verification was off" || fail "report silent about insecure"
grep -q "TLS verification was off" "$TMP/r4.html" && ok "the HTML report says so too" || fail "HTML silent about insecure"

# herd speaks HTTP/1.1, one connection per user, also to a server that
# offers HTTP/2 over TLS (as the Lambda build does; scripts/curl-build).
jq '.scenarios[0].steps[0].path = "/proto" | .scenarios[0].steps[0].expect = {"contains": "HTTP/1.1"}' \
    "$TMP/tls2.json" > "$TMP/proto.json"
"$HERD" run "$TMP/proto.json" -o "$TMP/r4p.json" -q > /dev/null 2>&1
expect_eq "HTTP/1.1 to a server offering HTTP/2" 2 "$(jq '.transactions[0].status["200"]' "$TMP/r4p.json")"
expect_eq "... and no check failed" 0 "$(jq '.transactions[0].errors' "$TMP/r4p.json")"

# Teardown runs after a load full of failures and after Ctrl-C.
cat > "$TMP/td.json" <<JSON
{"name": "teardown", "base_url": "$base",
 "load": {"users": 2, "duration": "30s"},
 "scenarios": [{"steps": [{"name": "mark", "path": "/hit?k=load"},
                          {"name": "boom", "path": "/status500"}, {"think": "50ms"}]}],
 "teardown": [{"name": "cleanup", "path": "/hit?k=td"}]}
JSON
"$HERD" run "$TMP/td.json" -o "$TMP/r5.json" -q > /dev/null 2>&1 & pid=$!
# Ctrl-C once some 500s have been answered: each iteration marks its start
# (a failed step ends the iteration), so a 3rd mark from 2 users means an
# iteration, its 500 included, finished before it.
wait_for '[ "$(curl -s "$base/hits?k=load")" -ge 3 ]' 60 || fail "teardown plan: no load in 60 s"
kill -INT $pid; wait $pid
expect_eq "Ctrl-C exit" 5 "$?"
expect_eq "teardown ran after Ctrl-C" 1 "$(curl -s "$base/hits?k=td")"
expect_eq "failures were counted" true "$(jq '.transactions[] | select(.name=="boom") | .errors > 0' "$TMP/r5.json")"
finish
