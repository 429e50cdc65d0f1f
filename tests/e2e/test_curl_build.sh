#!/usr/bin/env bash
# herd's libcurl (scripts/curl-build): Debian's curl source, linked
# statically; the build follows apt's libcurl4 version (security updates)
# and returns at once when nothing changed; herd's two patches
# (scripts/curl-patches) apply, and status lines read as libcurl reads them.
. "$(dirname "$0")/lib.sh"

# Status lines: herd's libcurl reads "HTTP/1.D NNN" directly
# (scripts/curl-patches/http-status-line.patch) and everything else with
# libcurl's sscanf; either way the result is libcurl's own. These run with
# any libcurl (with CURL=system they check the expectations against
# Debian's unpatched one).
port=$(free_port)
/usr/bin/python3 "$REPO/tests/servers/hostile.py" "$port" "$(free_port)" & hpid=$!
_pids="$_pids $hpid"
wait_http "http://127.0.0.1:$port/ok" || { fail "hostile server did not start"; finish; }
cases=(
    "HTTP/1.1 200 OK|200" "HTTP/1.0 204 No Content|204" "HTTP/1.1 404|404"
    "HTTP/1.1 599 Whatever|599" "HTTP/1.0 301 Moved|301" "HTTP/1.1 200OK|200"
    "HTTP/1.1  201 Two spaces|201" "HTTP/1.1 2000 OK|transport"
    "HTTP/1.1 099 Low|transport" "HTTP/1.2 200 OK|transport"
    "HTTP/1.1 20 Short|transport" "HTTP/1.x 200 OK|transport"
    "HTTP/1.1 +200 Plus|transport" "HTTP/1.1 -200 Minus|transport"
    $'HTTP/1.1\t200 Tab|transport' $'HTTP/1.1 200\tTab|200' $'HTTP/1.1 200 \tTab|200'
    $'HTTP/1.1 2\t00 Tab|transport'
)
scen=""
for i in "${!cases[@]}"; do
    hex=$(printf '%s' "${cases[$i]%|*}" | od -An -tx1 | tr -d ' \n')
    scen="$scen${scen:+,}{\"name\": \"s$i\", \"steps\": [{\"name\": \"s$i\", \"url\": \"http://127.0.0.1:$port/status/$hex\"}]}"
done
echo "{\"name\": \"status-lines\", \"timeout\": \"2s\", \"load\": {\"users\": 1, \"iterations\": 1}, \"scenarios\": [$scen]}" > "$TMP/status.json"
"$HERD" run "$TMP/status.json" --debug -o "$TMP/status.out.json" > "$TMP/status.log" 2>&1
expect_eq "status lines: the run completes" 0 "$?"
for i in "${!cases[@]}"; do
    line=${cases[$i]%|*}; want=${cases[$i]#*|}
    # the status answered, or else the error class (status 0 = no answer)
    got=$(jq -r --arg n "s$i" '.transactions[] | select(.name==$n) |
        (.status | del(.["0"]) | keys) as $s |
        if ($s | length) > 0 then $s else (.errors_by | keys) end | join(",")' "$TMP/status.out.json")
    expect_eq "status line \"$line\"" "$want" "$got"
done

# A patch that no longer applies (a Debian update changed its lines) is
# left out with a warning; the others still apply; the source is a copy.
ps="$TMP/ps"; mkdir -p "$ps/src/lib"; echo one > "$ps/src/lib/f.c"
printf -- '--- a/lib/f.c\n+++ b/lib/f.c\n@@ -1 +1 @@\n-two\n+three\n' > "$ps/stale.patch"
printf -- '--- a/lib/f.c\n+++ b/lib/f.c\n@@ -1 +1 @@\n-one\n+uno\n' > "$ps/good.patch"
"$REPO/scripts/patch-source" "$ps/src" "$ps/out" "$ps/stale.patch" "$ps/good.patch" 2> "$ps/err"
expect_eq "patch-source: exit 0 with a stale patch" 0 "$?"
expect_eq "patch-source: the good patch applied" "uno" "$(cat "$ps/out/lib/f.c")"
expect_eq "patch-source: only it listed" "good.patch" "$(cat "$ps/out/.herd-patches")"
grep -q "warning: stale.patch does not apply" "$ps/err" && ok "patch-source: warns about the stale one" || fail "no warning: $(cat "$ps/err")"
expect_eq "patch-source: the original left alone" "one" "$(cat "$ps/src/lib/f.c")"

# The version scripts/curl-build builds: apt's candidate for libcurl4.
want=$(LC_ALL=C apt-cache policy libcurl4 | awk '/Candidate:/ {print $2}')
want=${want#*:}; want=${want%+b[0-9]*}      # as scripts/debian-source reads it
if ldd "$HERD" | grep -q "libcurl"; then
    # A CURL=system build: herd's own libcurl was not built, so none of the
    # checks below can run. Skips (CI builds CURL=source: a failure there).
    for c in "linked statically" "version of Debian's libcurl4" "stamp" \
             "up to date: exit 0" "up to date: untouched" "up to date: silent" \
             "another version: rebuilt" "another version: says so" \
             "another version: stamped" "another version: complete libcurl.a" \
             "another version: no warning" "every patch applied" \
             "mprintf patch in libcurl.a" "no header API" "no HTTP/2"; do
        skip "CURL=system build (shared libcurl): $c"
    done
    finish
fi
ok "libcurl is linked statically"
upstream=${want%%-*}
"$HERD" version | grep -q "libcurl $upstream," && ok "libcurl $upstream, the version of Debian's libcurl4 ($want)" ||
    fail "version: $("$HERD" version), libcurl4 $want"
curl="$REPO/build/curl"
expect_eq "the stamp names the Debian version built" "$want" "$(cut -d' ' -f1 "$curl/.stamp")"

# Nothing changed: nothing is rebuilt (the stamp keeps its time).
before=$(stat -c %Y.%y "$curl/.stamp" "$curl/lib/libcurl.a")
"$REPO/scripts/curl-build" "$curl" > "$TMP/same.out" 2>&1
expect_eq "up to date: exit 0" 0 "$?"
expect_eq "up to date: libcurl.a and the stamp untouched" "$before" "$(stat -c %Y.%y "$curl/.stamp" "$curl/lib/libcurl.a")"
expect_eq "up to date: silent" "" "$(cat "$TMP/same.out")"

# Built for another Debian version (as after a security update): rebuilt,
# in a copy, and stamped with the installed one.
cp -a "$curl" "$TMP/curl"
echo "7.88.1-0+old $(cut -d' ' -f2 "$curl/.stamp")" > "$TMP/curl/.stamp"
"$REPO/scripts/curl-build" "$TMP/curl" > "$TMP/rebuild.out" 2>&1
expect_eq "another version: rebuilt (exit 0)" 0 "$?"
grep -q "building libcurl" "$TMP/rebuild.out" && ok "another version: it says it rebuilds" || fail "no rebuild: $(cat "$TMP/rebuild.out")"
expect_eq "another version: stamped with the installed one" "$want" "$(cut -d' ' -f1 "$TMP/curl/.stamp")"
nm "$TMP/curl/lib/libcurl.a" 2>/dev/null | grep -q " T curl_multi_socket_action$" &&
    ok "another version: a complete libcurl.a" || fail "libcurl.a incomplete"
grep -q "warning" "$TMP/rebuild.out" && fail "rebuild warned: $(cat "$TMP/rebuild.out")" || ok "another version: no warning"
expect_eq "every patch in scripts/curl-patches applied" \
    "$(cd "$REPO/scripts/curl-patches" && ls -- *.patch | sort)" "$(sort "$TMP/curl/src/.herd-patches")"
nm "$TMP/curl/lib/libcurl.a" 2>/dev/null | grep -q " t outbytes$" &&
    ok "libcurl's printf copies in runs (mprintf-bulk-output.patch)" || fail "mprintf patch not in libcurl.a"
nm "$TMP/curl/lib/libcurl.a" 2>/dev/null | grep -q " Curl_headers_push$" &&
    fail "the header API is built in" || ok "built without the header API (herd never calls it)"
nm "$TMP/curl/lib/libcurl.a" 2>/dev/null | grep -q " Curl_http2_" &&
    fail "HTTP/2 is built in" || ok "built without HTTP/2 (HTTP/1.1, as the Lambda build)"

finish
