#!/usr/bin/env bash
# herd's libcurl (scripts/curl-build): Debian's curl source, linked
# statically; the build follows apt's libcurl4 version (security updates)
# and returns at once when nothing changed; herd's two patches
# (scripts/curl-patches) apply, and status lines read as libcurl reads them.
. "$(dirname "$0")/lib.sh"
# The scripts under test read CI (with CI=true a patch that does not apply
# is an error). The checks below say CI=true where they mean it and test
# the default everywhere else, whatever environment runs this file.
unset CI

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
expect_eq "patch-source: the stale one listed as not applied" "stale.patch" "$(cat "$ps/out/.herd-patches-failed")"
CI=true "$REPO/scripts/patch-source" "$ps/src" "$ps/ci" "$ps/stale.patch" "$ps/good.patch" 2> "$ps/err"
[ $? -ne 0 ] && ok "patch-source: CI=true, a patch that does not apply is an error" || fail "patch-source: CI=true exited 0"
grep -q "error: stale.patch does not apply" "$ps/err" && ok "patch-source: CI=true says so" || fail "CI=true: $(cat "$ps/err")"

# A hunk that lands only with fuzz (its context moved on: a Debian update
# around the lines) is refused: no --fuzz, the patch applies exactly or not.
printf 'l1\nl2\nl3\nX\nl5\nl6\nl7\n' > "$ps/src/lib/g.c"
printf -- '--- a/lib/g.c\n+++ b/lib/g.c\n@@ -1,7 +1,7 @@\n L1\n l2\n l3\n-X\n+Y\n l5\n l6\n L7\n' > "$ps/fuzzy.patch"
patch -d "$ps/src" -p1 --dry-run --batch < "$ps/fuzzy.patch" > /dev/null 2>&1 &&
    ok "the fuzzy patch applies with patch's default fuzz" || fail "test setup: fuzzy.patch does not apply even with fuzz"
"$REPO/scripts/patch-source" "$ps/src" "$ps/fz" "$ps/fuzzy.patch" 2> "$ps/err"
expect_eq "patch-source: a fuzz-only hunk is not applied" "X" "$(sed -n 4p "$ps/fz/lib/g.c")"
expect_eq "patch-source: nor listed" "" "$(cat "$ps/fz/.herd-patches")"
grep -q "warning: fuzzy.patch does not apply" "$ps/err" && ok "patch-source: warns about the fuzzy one" || fail "no warning: $(cat "$ps/err")"

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
# ... and asks nothing of apt (apt-get, apt-cache, sudo stand-ins that
# record being called and fail).
mkdir -p "$TMP/bin"
for c in apt-get apt-cache sudo; do
    printf '#!/bin/sh\necho "%s $*" >> "%s"\nexit 1\n' "$c" "$TMP/apt-calls" > "$TMP/bin/$c"
    chmod +x "$TMP/bin/$c"
done
PATH="$TMP/bin:$PATH" "$REPO/scripts/curl-build" "$curl" > "$TMP/noapt.out" 2>&1
expect_eq "up to date: exit 0 without apt" 0 "$?"
expect_eq "up to date: apt not called" "" "$(cat "$TMP/apt-calls" 2>/dev/null)"
# CURL_SRC: the source already fetched, named (offline); the same version
# and patches, so up to date, and no apt.
PATH="$TMP/bin:$PATH" CURL_SRC="$REPO/build/src/curl-$upstream" "$REPO/scripts/curl-build" "$curl" > "$TMP/src.out" 2>&1
expect_eq "CURL_SRC: exit 0" 0 "$?"
expect_eq "CURL_SRC: its Debian version read from debian/changelog (up to date, silent)" "" "$(cat "$TMP/src.out")"
expect_eq "CURL_SRC: apt not called" "" "$(cat "$TMP/apt-calls" 2>/dev/null)"
CURL_SRC="$TMP/nowhere" "$REPO/scripts/curl-build" "$curl" > "$TMP/src.out" 2>&1
[ $? -ne 0 ] && grep -q "CURL_SRC=.*not an unpacked curl source" "$TMP/src.out" &&
    ok "CURL_SRC: a directory that is not a source is refused" || fail "CURL_SRC nowhere: $(cat "$TMP/src.out")"
# Not Debian: refused, with CURL=system suggested; nothing built or fetched.
printf 'ID=fedora\nPRETTY_NAME="Fedora Linux 40"\n' > "$TMP/os-release"
PATH="$TMP/bin:$PATH" HERD_OS_RELEASE="$TMP/os-release" "$REPO/scripts/curl-build" "$TMP/other" > "$TMP/other.out" 2>&1
[ $? -ne 0 ] && ok "not Debian: an error" || fail "not Debian: exit 0"
grep -q "Fedora Linux 40, not Debian.*CURL=system" "$TMP/other.out" && ok "not Debian: says so and suggests CURL=system" || fail "not Debian: $(cat "$TMP/other.out")"
[ ! -e "$TMP/other/lib/libcurl.a" ] && [ ! -s "$TMP/apt-calls" ] && ok "not Debian: nothing built, apt not called" || fail "not Debian: built or called apt"

# Built for another Debian version (as after a security update): rebuilt,
# in a copy, and stamped with the installed one. HERD_CURL_PATCHES gives
# it herd's patches plus one that does not apply (one libcurl build covers
# both): the library is built without that one, the warning comes last and
# stays in a marker file that `make` repeats, and the stamp does not claim
# the patch.
cp -a "$curl" "$TMP/curl"
rm -f "$TMP/curl/.patch-warning"
echo "7.88.1-0+old $(cut -d' ' -f2 "$curl/.stamp")" > "$TMP/curl/.stamp"
pdir="$TMP/patches"; mkdir -p "$pdir"; cp "$REPO"/scripts/curl-patches/*.patch "$pdir/"
printf -- '--- a/lib/version.c\n+++ b/lib/version.c\n@@ -1 +1 @@\n-no such line\n+x\n' > "$pdir/zz-stale.patch"
HERD_CURL_PATCHES="$pdir" "$REPO/scripts/curl-build" "$TMP/curl" > "$TMP/rebuild.out" 2>&1
expect_eq "another version: rebuilt (exit 0)" 0 "$?"
grep -q "building libcurl" "$TMP/rebuild.out" && ok "another version: it says it rebuilds" || fail "no rebuild: $(cat "$TMP/rebuild.out")"
expect_eq "another version: stamped with the installed one" "$want" "$(cut -d' ' -f1 "$TMP/curl/.stamp")"
nm "$TMP/curl/lib/libcurl.a" 2>/dev/null | grep -q " T curl_multi_socket_action$" &&
    ok "another version: a complete libcurl.a" || fail "libcurl.a incomplete"
grep "warning" "$TMP/rebuild.out" | grep -qv "zz-stale.patch" && fail "rebuild warned: $(cat "$TMP/rebuild.out")" || ok "another version: no other warning"
expect_eq "every patch in scripts/curl-patches applied" \
    "$(cd "$REPO/scripts/curl-patches" && ls -- *.patch | sort)" "$(sort "$TMP/curl/src/.herd-patches")"
tail -n 1 "$TMP/rebuild.out" | grep -q "warning: zz-stale.patch" &&
    ok "stale patch: the warning is the last line" || fail "stale patch: last line: $(tail -n 1 "$TMP/rebuild.out")"
grep -q "zz-stale.patch" "$TMP/curl/.patch-warning" 2>/dev/null &&
    ok "stale patch: the marker file names it" || fail "stale patch: no marker file"
grep -q "not-applied=zz-stale.patch" "$TMP/curl/.stamp" &&
    ok "stale patch: the stamp does not claim it" || fail "stale patch: stamp $(cat "$TMP/curl/.stamp")"
# The next build tries the patch again (it still does not apply: no
# rebuild, the same warning); CI=true makes it an error.
before2=$(stat -c %Y.%y "$TMP/curl/lib/libcurl.a")
HERD_CURL_PATCHES="$pdir" "$REPO/scripts/curl-build" "$TMP/curl" > "$TMP/again.out" 2>&1
expect_eq "stale patch, next build: exit 0" 0 "$?"
grep -q "warning: zz-stale.patch" "$TMP/again.out" && ok "stale patch, next build: tried again, warns again" || fail "next build: $(cat "$TMP/again.out")"
expect_eq "stale patch, next build: nothing rebuilt" "$before2" "$(stat -c %Y.%y "$TMP/curl/lib/libcurl.a")"
CI=true HERD_CURL_PATCHES="$pdir" "$REPO/scripts/curl-build" "$TMP/curl" > "$TMP/ci.out" 2>&1
[ $? -ne 0 ] && ok "stale patch, CI=true: an error" || fail "stale patch, CI=true: exit 0"
grep -q "error: zz-stale.patch" "$TMP/ci.out" && ok "stale patch, CI=true: says which" || fail "CI=true: $(cat "$TMP/ci.out")"
nm "$TMP/curl/lib/libcurl.a" 2>/dev/null | grep -q " t outbytes$" &&
    ok "libcurl's printf copies in runs (mprintf-bulk-output.patch)" || fail "mprintf patch not in libcurl.a"
nm "$TMP/curl/lib/libcurl.a" 2>/dev/null | grep -q " Curl_headers_push$" &&
    fail "the header API is built in" || ok "built without the header API (herd never calls it)"
nm "$TMP/curl/lib/libcurl.a" 2>/dev/null | grep -q " Curl_http2_" &&
    fail "HTTP/2 is built in" || ok "built without HTTP/2 (HTTP/1.1, as the Lambda build)"

finish
