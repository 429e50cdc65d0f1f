#!/usr/bin/env bash
# herd's libcurl (scripts/curl-build): Debian's curl source, linked
# statically; the build follows apt's libcurl4 version (security updates)
# and returns at once when nothing changed.
. "$(dirname "$0")/lib.sh"

# The version scripts/curl-build builds: apt's candidate for libcurl4.
want=$(LC_ALL=C apt-cache policy libcurl4 | awk '/Candidate:/ {print $2}')
want=${want#*:}; want=${want%+b[0-9]*}      # as scripts/debian-source reads it
if ldd "$HERD" | grep -q "libcurl"; then
    ok "linked against a shared libcurl: a CURL=system build, nothing more to check here"
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
nm "$TMP/curl/lib/libcurl.a" 2>/dev/null | grep -q " Curl_headers_push$" &&
    fail "the header API is built in" || ok "built without the header API (herd never calls it)"
nm "$TMP/curl/lib/libcurl.a" 2>/dev/null | grep -q " Curl_http2_" &&
    fail "HTTP/2 is built in" || ok "built without HTTP/2 (HTTP/1.1, as the Lambda build)"
finish
