#!/usr/bin/env bash
# The HTTP/1.1 fast path (src/fast.c, src/h1.c) against the world: nginx's
# own access log counts every request herd says it sent, on each path, and
# shows the fast path's connections kept alive; the misc server sees the
# cookie a fast-path response set come back through libcurl's cookie
# engine; the hostile server's failures get the same error classes on both
# paths. Which path ran is read from the result's request_paths.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
nd="$TMP/nginx"; port=$(free_port)
trap '"$REPO/scripts/nginx-echo" stop "$nd"; cleanup' EXIT
if ! base=$("$REPO/scripts/nginx-echo" start "$nd" "$port" 2>"$TMP/nginx-echo.err"); then
    skip "nginx with the echo module did not start: $(cat "$TMP/nginx-echo.err")"
    finish
fi

# $1 tag, $2 extra top-level JSON (e.g. '"fast_path": false,'): 6 users,
# 300 iterations each of one GET tagged ?r=tag, so the access log's lines
# of this run are exactly those with that URI.
plan() {
    cat > "$TMP/$1.json" <<JSON
{"name": "fp-$1", $2 "load": {"users": 6, "iterations": 300},
 "scenarios": [{"name": "s", "steps": [
   {"name": "get", "url": "$base/sleep/0?r=$1"}]}]}
JSON
}
# $1 tag: requests nginx logged for it, and the connections they came on.
logged() { grep -c " /sleep/0?r=$1 200 " "$nd/access.log"; }
conns() { grep " /sleep/0?r=$1 200 " "$nd/access.log" | awk '{print $5}' | sort -u | wc -l; }
paths() { jq -c '[.request_paths.fast, .request_paths.libcurl]' "$TMP/$1.out.json"; }
run() { # $1 tag; the rest: env assignments
    local tag=$1; shift
    env "$@" "$HERD" run "$TMP/$tag.json" -o "$TMP/$tag.out.json" > "$TMP/$tag.log" 2>&1
    expect_eq "$tag: exit 0" 0 "$?"
}

plan fast ''
run fast
expect_eq "fast: every request on the fast path" '[1800,0]' "$(paths fast)"
expect_eq "fast: nginx logged each of herd's 1800 requests" 1800 "$(logged fast)"
expect_eq "fast: on 6 kept-alive connections (one per user)" 6 "$(conns fast)"
expect_eq "fast: all 200" 1800 "$(jq '.transactions[0].status["200"]' "$TMP/fast.out.json")"

plan env ''
run env HERD_FAST_PATH=off
expect_eq "HERD_FAST_PATH=off: every request through libcurl" '[0,1800]' "$(paths env)"
expect_eq "HERD_FAST_PATH=off: nginx logged 1800" 1800 "$(logged env)"

plan key '"fast_path": false,'
run key
expect_eq "plan fast_path false: every request through libcurl" '[0,1800]' "$(paths key)"
expect_eq "plan fast_path false: nginx logged 1800" 1800 "$(logged key)"

# A proxy in the environment is libcurl's business (no_proxy lets these
# requests reach nginx directly).
plan proxy ''
run proxy http_proxy=http://127.0.0.1:9 no_proxy=127.0.0.1
expect_eq "a *_proxy variable: every request through libcurl" '[0,1800]' "$(paths proxy)"
expect_eq "proxy run: nginx logged 1800" 1800 "$(logged proxy)"

# Cookies: the first /setcookie goes the fast path; its Set-Cookie goes to
# libcurl's cookie engine and every later request of that user takes
# libcurl's path, which sends the cookie (the server answers 401 without).
start_misc
cat > "$TMP/cookie.json" <<JSON
{"name": "fp-cookie", "load": {"users": 3, "iterations": 4},
 "scenarios": [{"name": "s", "steps": [
   {"name": "set", "url": "$base/setcookie"},
   {"name": "need", "url": "$base/needcookie", "expect": {"status": 200}}]}]}
JSON
run cookie
expect_eq "cookie: each user's first request fast, the other 7 libcurl" '[3,21]' "$(paths cookie)"
expect_eq "cookie: the server saw the cookie every time" 12 \
    "$(jq '.transactions[] | select(.name=="need") | .status["200"]' "$TMP/cookie.out.json")"

# TLS: libcurl does the handshake (and its verification), herd sends and
# reads through it. The TLS server's answer is checked in every response.
td="$TMP/nginx-tls"; tp=$(free_port); tlsp=$(free_port)
if "$REPO/scripts/nginx-test" start "$td" "$tp" "$tlsp" > /dev/null 2>"$TMP/nginx-tls.err"; then
    trap '"$REPO/scripts/nginx-echo" stop "$nd"; "$REPO/scripts/nginx-test" stop "$td"; cleanup' EXIT
    cat > "$TMP/tls.json" <<JSON
{"name": "fp-tls", "insecure": true, "load": {"users": 4, "iterations": 200},
 "scenarios": [{"name": "s", "steps": [
   {"name": "hello", "url": "https://localhost:$tlsp/hello", "expect": {"contains": "hello-tls"}}]}]}
JSON
    run tls
    expect_eq "https: every request on the fast path, every answer the TLS server's" \
        '[800,0] 800 0' "$(jq -r '"\([.request_paths.fast, .request_paths.libcurl] | tostring) \(.transactions[0].count) \(.transactions[0].errors)"' "$TMP/tls.out.json")"
    jq '.insecure = false | .load.iterations = 1' "$TMP/tls.json" > "$TMP/tlsv.json"
    "$HERD" run "$TMP/tlsv.json" -o "$TMP/tlsv.out.json" > "$TMP/tlsv.log" 2>&1
    expect_eq "https, verified: every request failed, exit 10" 10 "$?"
    expect_eq "https, verified: the self-signed certificate fails as tls" \
        '{"tls":4}' "$(jq -c '.transactions[0].errors_by' "$TMP/tlsv.out.json")"
else
    skip "nginx with TLS did not start: $(cat "$TMP/nginx-tls.err")"
fi

# Large answers over TLS: 100 KB and 1 MB span many TLS records, and one
# readiness event may bring several of them into the TLS library at once:
# the fast path must read until CURLE_AGAIN. The body's last bytes are
# checked (contains) and extracted, and the extracted value goes back to
# nginx in the next request's URL; received bytes are nginx's $bytes_sent.
# The sizes leave a last TLS record of about 12 KB: a read loop that took
# one read per event with a buffer under a record would leave it inside
# the TLS library with nothing left on the socket to wake it.
bd="$TMP/nginx-big"; bp=$(free_port); btp=$(free_port)
if NGINX_ECHO_TLS_PORT=$btp "$REPO/scripts/nginx-echo" start "$bd" "$bp" > /dev/null 2>"$TMP/nginx-big.err"; then
    trap '"$REPO/scripts/nginx-echo" stop "$nd"; "$REPO/scripts/nginx-echo" stop "$bd"; "$REPO/scripts/nginx-test" stop "$td"; cleanup' EXIT
    cat > "$TMP/big.json" <<JSON
{"name": "fp-big", "base_url": "https://127.0.0.1:$btp", "insecure": true, "timeout": "20s",
 "load": {"users": 3, "iterations": 10},
 "scenarios": [{"name": "s", "steps": [
   {"name": "100k", "path": "/bytes/100k?r=big-100k",
    "expect": {"status": 200, "contains": "xxxxEND-100K"},
    "extract": {"t1": {"regex": "(END-[0-9]+K)\$"}}},
   {"name": "1m", "path": "/bytes/1m?r=big-1m",
    "expect": {"status": 200, "contains": "xxxxEND-1M"},
    "extract": {"t2": {"regex": "(END-[0-9]+M)\$"}}},
   {"name": "tail", "path": "/sleep/0?r=big-tail-{{t1}}-{{t2}}"}]}]}
JSON
    run big
    expect_eq "https 100 KB / 1 MB: every request on the fast path" '[90,0]' "$(paths big)"
    expect_eq "https 100 KB / 1 MB: no errors, every check passed" '0 0 0' \
        "$(jq -r '[.transactions[] | select(.kind=="request") | .errors] | map(tostring) | join(" ")' "$TMP/big.out.json")"
    for t in 100k 1m; do
        expect_eq "https $t: nginx logged herd's 30 requests" \
            "30 $(jq ".transactions[] | select(.name==\"$t\") | .count" "$TMP/big.out.json")" \
            "$(grep -c " /bytes/$t?r=big-$t 200 " "$bd/access.log") 30"
        expect_eq "https $t: received bytes = nginx's \$bytes_sent" \
            "$(grep " /bytes/$t?r=big-$t 200 " "$bd/access.log" | awk '{s += $6} END {print s}')" \
            "$(jq ".transactions[] | select(.name==\"$t\") | .received_bytes" "$TMP/big.out.json")"
    done
    expect_eq "https: both tails extracted, sent back to nginx 30 times" 30 \
        "$(grep -c " /sleep/0?r=big-tail-END-100K-END-1M 200 " "$bd/access.log")"
else
    skip "nginx-echo with TLS did not start: $(cat "$TMP/nginx-big.err")"
fi

# Failures: each hostile case once per path (--debug: one user, in order),
# classified alike.
hport=$(free_port); tport=$(free_port); dead=$(free_port)
$PY "$REPO/tests/servers/hostile.py" "$hport" "$tport" & _pids="$_pids $!"
wait_http "http://127.0.0.1:$hport/ok" || { fail "hostile server did not start"; finish; }
h="http://127.0.0.1:$hport"
cases="ok silent stall-body reset close-status bad-status bad-chunk redirect-loop idle-close"
{
    printf '{"name": "fp-hostile", "timeout": "1s", "load": {"users": 1, "iterations": 1},\n "scenarios": [{"name": "s", "steps": ['
    sep=""
    for c in $cases; do printf '%s{"name": "%s", "url": "%s/%s"}' "$sep" "$c" "$h" "$c"; sep=", "; done
    printf ', {"name": "refused", "url": "http://127.0.0.1:%s/"}]}]}\n' "$dead"
} > "$TMP/hostile.json"
# One step failing ends the iteration: each case its own one-step scenario.
jq '.scenarios = [.scenarios[0].steps[] | {name: .name, steps: [.]}] | .load.iterations = 1' \
    "$TMP/hostile.json" > "$TMP/hostile1.json"
classes() { # $1 result: {name: [error classes]} of every request tx
    jq -c '[.transactions[] | select(.kind=="request") | {(.name): (.errors_by | keys)}] | add' "$1"
}
for m in on off; do
    HERD_FAST_PATH=$m "$HERD" run "$TMP/hostile1.json" --debug -o "$TMP/h-$m.json" > "$TMP/h-$m.log" 2>&1
    expect_eq "hostile ($m): exit 0" 0 "$?"
done
expect_eq "hostile: the fast run used the fast path for all 10" '[10,0]' \
    "$(jq -c '[.request_paths.fast, .request_paths.libcurl]' "$TMP/h-on.json")"
expect_eq "hostile: same error classes on both paths" "$(classes "$TMP/h-off.json")" "$(classes "$TMP/h-on.json")"
expect_eq "hostile: the classes are the expected ones" \
    '{"ok":[],"silent":["timeout"],"stall-body":["timeout"],"reset":["transport"],"close-status":[],"bad-status":["transport"],"bad-chunk":["transport"],"redirect-loop":[],"idle-close":[],"refused":["connect"]}' \
    "$(classes "$TMP/h-on.json")"
finish
