#!/usr/bin/env bash
# Reliability: herd against a server that misbehaves on purpose
# (tests/servers/hostile.py) — every case classified, timeouts respected,
# bodies capped so memory stays bounded, the accounting adds up, and no
# crash. The same plan runs under valgrind here, and under ASan + UBSan in
# CI's sanitizer pass (which runs this suite with the sanitized binary).
. "$(dirname "$0")/lib.sh"
port=$(free_port); tport=$(free_port); dead=$(free_port)
/usr/bin/python3 "$REPO/tests/servers/hostile.py" "$port" "$tport" & hpid=$!
_pids="$_pids $hpid"
wait_http "http://127.0.0.1:$port/ok" || { fail "hostile server did not start"; finish; }
b="http://127.0.0.1:$port"

step() { printf '{"name": "%s", "steps": [%s]}' "$1" "$2"; }
req() { printf '{"name": "%s", "url": "%s"%s}' "$1" "$2" "${3:-}"; }
poll() { printf '{"name": "%s", "poll": {"url": "%s", "every": "100ms", "timeout": "%s", "until": {"$.state": "SUCCESS"}}}' "$1" "$2" "$3"; }
cat > "$TMP/plan.json" <<JSON
{"name": "hostile", "timeout": "2s", "max_body": "64k",
 "load": {"users": 16, "duration": "6s", "graceful_stop": "3s"},
 "scenarios": [
  $(step ok "$(req ok "$b/ok")"),
  $(step silent "$(req silent "$b/silent")"),
  $(step stall "$(req stall-body "$b/stall-body")"),
  $(step reset "$(req reset "$b/reset")"),
  $(step closestatus "$(req close-status "$b/close-status")"),
  $(step huge "$(req huge "$b/huge" ', "expect": {"contains": "never-there"}')"),
  $(step endless "$(req endless "$b/endless")"),
  $(step badstatus "$(req bad-status "$b/bad-status")"),
  $(step badchunk "$(req bad-chunk "$b/bad-chunk")"),
  $(step loop "$(req redirect-loop "$b/redirect-loop")"),
  $(step bomb "$(req gzip-bomb "$b/gzip-bomb" ', "expect": {"json": {"$.x": 1}}')"),
  $(step deep "$(poll deep-json "$b/deep-json" 2s)"),
  $(step pending "$(poll pending "$b/pending" 1s)"),
  $(step refused "$(req refused "http://127.0.0.1:$dead/")"),
  $(step tls "$(req tls-stall "https://localhost:$tport/")")]}
JSON
"$HERD" check "$TMP/plan.json" > /dev/null || fail "plan: $("$HERD" check "$TMP/plan.json" 2>&1)"

# Each case once, in order (--debug): the classes must be exactly these.
"$HERD" run "$TMP/plan.json" --debug -o "$TMP/one.json" > "$TMP/one.out" 2>&1
expect_eq "one of each: exit 0 (errors are data)" 0 "$?"
r="$TMP/one.json"
cls() { jq -c --arg n "$1" '[.transactions[] | select(.name==$n and .kind=="'"${2:-request}"'") | .errors_by | keys[]] | sort' "$r"; }
expect_eq "ok" 1 "$(jq '.transactions[] | select(.name=="ok") | .status["200"]' "$r")"
expect_eq "accept, never answer: timeout" '["timeout"]' "$(cls silent)"
expect_eq "stall mid-body: timeout" '["timeout"]' "$(cls stall-body)"
expect_eq "reset mid-response: transport" '["transport"]' "$(cls reset)"
expect_eq "close after the status line: accepted as libcurl does" '[]' "$(cls close-status)"
expect_eq "50 MB body: the check says the body was cut" '["check: contains \"never-there\" (body cut at max_body)"]' "$(cls huge)"
expect_eq "endless chunked body: timeout" '["timeout"]' "$(cls endless)"
expect_eq "malformed status line: transport" '["transport"]' "$(cls bad-status)"
expect_eq "invalid chunk size: transport" '["transport"]' "$(cls bad-chunk)"
expect_eq "redirect loop: not followed, 302 counted" 1 "$(jq '.transactions[] | select(.name=="redirect-loop") | .status["302"]' "$r")"
expect_eq "gzip bomb: not inflated; cut at max_body, not JSON" '["invalid_json: body cut at max_body"]' "$(cls gzip-bomb)"
expect_eq "JSON nested 100,000 deep in a poll: cut, invalid_json" '["invalid_json: body cut at max_body"]' "$(cls deep-json flow)"
expect_eq "a status that never finishes: poll_timeout" '["poll_timeout"]' "$(cls pending flow)"
expect_eq "nothing listening: connect" '["connect"]' "$(cls refused)"
expect_eq "TLS handshake stall: timeout" '["timeout"]' "$(cls tls-stall)"
mx=$(jq '[.transactions[] | select(.kind=="request") | .max_us] | max' "$r")
# A request that ignored its timeout would wait forever here (one user, one
# iteration, no duration to end it): the bound only has to tell 2 s from
# that. 2.6 s flaked under ASan on a busy 2-core box (the 50 MB bodies are
# read at ASan's speed); 5 s still says "ended at its timeout".
[ "$mx" -le 5000000 ] && ok "every request ended within its 2 s timeout (max ${mx}us)" || fail "a request took ${mx}us"

# The deep JSON again with room to parse all of it: refused by the parser's
# nesting limit, not by a stack overflow.
jq '.max_body = "1MiB" | .scenarios = [.scenarios[] | select(.name == "deep")]' "$TMP/plan.json" > "$TMP/deep.json"
"$HERD" run "$TMP/deep.json" --debug -o "$TMP/deep-r.json" > /dev/null 2>&1
expect_eq "100,000-deep JSON parsed in full: invalid_json, no crash" '["invalid_json"]' \
    "$(jq -c '[.transactions[] | select(.kind=="flow") | .errors_by | keys[]]' "$TMP/deep-r.json")"

# The server closes idle keep-alive connections while the users think:
# herd keeps a connection's socket in epoll between requests, so here the
# close arrives on a socket nobody watches. It must neither spin on it
# (CPU stays far below the 2.4 s the users spend thinking) nor lose the
# next request (a new connection, every request answered).
cat > "$TMP/idle.json" <<JSON
{"name": "idle", "timeout": "2s", "load": {"users": 2, "iterations": 2},
 "scenarios": [{"steps": [$(req first "$b/idle-close"), {"think": "600ms"},
                          $(req second "$b/idle-close"), {"think": "600ms"}]}]}
JSON
/usr/bin/time -f "%U %S" -o "$TMP/idle.cpu" "$HERD" run "$TMP/idle.json" -q -o "$TMP/idle-r.json" > /dev/null 2>&1
expect_eq "keep-alive closed while idle: exit 0" 0 "$?"
expect_eq "keep-alive closed while idle: 8 requests, all 200" "8 8 0" \
    "$(jq -r '[([.transactions[] | select(.kind=="request") | .count] | add),
               ([.transactions[] | select(.kind=="request") | .status["200"]] | add),
               ([.transactions[] | select(.kind=="request") | .errors] | add)] | join(" ")' "$TMP/idle-r.json")"
cpu=$(awk '{printf "%d", ($1 + $2) * 1000}' "$TMP/idle.cpu")
[ "$cpu" -lt 1200 ] && ok "no spinning on the closed idle sockets (${cpu} ms CPU)" || fail "${cpu} ms CPU for 2.4 s of thinking: spinning?"

# All at once, concurrently: accounting adds up, memory stays bounded.
# Unbounded would be 16 users x 50 MB bodies and more. ASan keeps freed
# memory in a quarantine and adds shadow memory: a smaller quarantine and a
# looser bound there.
limit=150000
if ldd "$HERD" 2>/dev/null | grep -q libasan; then
    sanitized=1; limit=400000
    export ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=32"
fi
/usr/bin/time -f "%M" -o "$TMP/rss" "$HERD" run "$TMP/plan.json" -o "$TMP/all.json" -q > /dev/null 2>&1
expect_eq "mixed load: exit 0" 0 "$?"
r="$TMP/all.json"
expect_eq "accounting adds up" "$(jq .iterations.started "$r")" \
    "$(jq '.iterations.succeeded + .iterations.failed + .iterations.interrupted' "$r")"
[ "$(jq .iterations.started "$r")" -ge 16 ] && ok "the load went on ($(jq .iterations.started "$r") iterations)" || fail "load stalled"
rss=$(cat "$TMP/rss")
[ "$rss" -lt "$limit" ] && ok "peak RSS ${rss} KiB (< $limit) with 50 MB and endless bodies in flight" || fail "peak RSS ${rss} KiB (limit $limit)"

# Under valgrind: no memory errors, no leaks.
if [ -z "${sanitized:-}" ]; then
    valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
        "$HERD" run "$TMP/plan.json" --users 8 --duration 3s -o "$TMP/vg.json" -q > "$TMP/vg.out" 2>&1
    rc=$?
    # valgrind's verdict is its exit 99. herd's own may be 10: at
    # valgrind's speed 8 users run a handful of iterations, and when none
    # drew one of the few scenarios that can succeed, no iteration
    # succeeded (exit 10) — the run's outcome, not a memory error.
    case $rc in
        0|10) ok "valgrind: no errors, no leaks (herd exit $rc)" ;;
        *) fail "valgrind: exit $rc: $(head -c 2000 "$TMP/vg.out")" ;;
    esac
    [ "$(jq .iterations.started "$TMP/vg.json")" -gt 0 ] && ok "valgrind run measured" || fail "valgrind run empty"
else
    # ASan + UBSan watch every run of this file instead (valgrind cannot
    # run a sanitized binary).
    skip --expected "sanitized build" "valgrind: no errors, no leaks"
    skip --expected "sanitized build" "valgrind run measured"
fi
finish
