#!/usr/bin/env bash
# End-to-end: the command line and the load models — the busybox-style
# run_local_load_test name, herd check, an unwritable result path found
# before any load, spawn rate, step-load stages, and the open model's
# latency measured from the intended start (coordinated omission).
. "$(dirname "$0")/lib.sh"

start_misc

# The symlink in the repo points at the build; argv[0] picks the command.
expect_eq "symlinks/run_local_load_test points at the binary" "../build/herd" "$(readlink "$REPO/symlinks/run_local_load_test")"
ln -s "$HERD" "$TMP/run_local_load_test"
"$TMP/run_local_load_test" > "$TMP/noargs.out" 2>&1
expect_eq "run_local_load_test without arguments is a usage error" 2 "$?"
grep -q "usage: run_local_load_test PLAN.json" "$TMP/noargs.out" && ok "it explains itself" || fail "no usage text"
cat > "$TMP/one.json" <<JSON
{"name": "one", "base_url": "$base", "load": {"users": 2, "iterations": 3},
 "scenarios": [{"steps": [{"name": "ok", "path": "/ok", "expect": {"contains": "OK"}}]}]}
JSON
(cd "$TMP" && ./run_local_load_test one.json -o one-result.json -q --csv one.csv > one.out 2>&1)
expect_eq "run_local_load_test PLAN runs the plan" 0 "$?"
expect_eq "6 requests" 6 "$(jq '.transactions[0].count' "$TMP/one-result.json")"
expect_eq "--csv written at run time" 2 "$(wc -l < "$TMP/one.csv")"
"$HERD" report "$TMP/one-result.json" > "$TMP/again.txt"
expect_eq "herd report re-renders the same report" "" "$(diff "$TMP/again.txt" "$TMP/one-result.txt")"

out=$("$HERD" check "$TMP/one.json"); rc=$?
expect_eq "herd check of a good plan" 0 "$rc"
case "$out" in *"ok: plan \"one\""*) ok "check says ok";; *) fail "check said: $out";; esac

# An unwritable result path is found before any load is sent. A path
# under a regular file fails with ENOTDIR for root too (CI runs as root,
# and root writes into a chmod 500 directory).
: > "$TMP/file"
"$HERD" run "$TMP/one.json" -o "$TMP/file/r.json" -q > "$TMP/ro.out" 2>&1
expect_eq "unwritable result path exits 6" 6 "$?"
grep -q "cannot write the result here" "$TMP/ro.out" && ok "unwritable: says why" || fail "unwritable: $(cat "$TMP/ro.out")"
"$HERD" run "$TMP/one.json" -o "/nonexistent-dir/r.json" -q > "$TMP/nodir.out" 2>&1
expect_eq "missing result directory exits 6" 6 "$?"
grep -q "cannot write the result here" "$TMP/nodir.out" && ok "says why" || fail "no reason given"

# A full disk (a 4 MB tmpfs in a private mount namespace) is found before
# any load is sent.
# GitHub's container (debian:bookworm, no CAP_SYS_ADMIN) cannot make the
# namespace: a skip expected there, a failure of CI anywhere else.
mkdir -p "$TMP/full"
if unshare -rm true 2>/dev/null; then
    unshare -rm sh -c "mount -t tmpfs -o size=4m none '$TMP/full' && \
        '$HERD' run '$TMP/one.json' -o '$TMP/full/r.json' -q" > "$TMP/full.out" 2>&1
    expect_eq "full disk exits 6" 6 "$?"
    grep -q "the disk is full" "$TMP/full.out" && ok "says the disk is full" || fail "full disk: $(cat "$TMP/full.out")"
elif [ "${GITHUB_ACTIONS:-}" = true ]; then
    skip --expected "GitHub's container has no namespaces" "full disk: unshare -rm not permitted"
    skip --expected "GitHub's container has no namespaces" "full disk: the reason"
else
    skip "full disk: unshare -rm not permitted here"
    skip "full disk: the reason"
fi

# Spawn rate: 10 users at 5 users/s take about 2 s to all be running.
cat > "$TMP/spawn.json" <<JSON
{"name": "spawn", "base_url": "$base",
 "load": {"users": 10, "spawn_rate": 5, "duration": "3s", "graceful_stop": "1s"},
 "scenarios": [{"steps": [{"name": "s", "path": "/sleep?ms=50"}]}]}
JSON
"$HERD" run "$TMP/spawn.json" -o "$TMP/spawn-r.json" -q --threads 1 > /dev/null 2>&1
first=$(jq '.timeline[0].active_users' "$TMP/spawn-r.json")
peak=$(jq '[.timeline[].active_users] | max' "$TMP/spawn-r.json")
if [ "$first" -le 7 ]; then ok "spawn rate: $first users in the first second"; else fail "spawn rate: $first users in the first second"; fi
expect_eq "spawn rate: all 10 users running later" 10 "$peak"

# Step load: 2 users for 1.5 s, then 6 users.
cat > "$TMP/stages.json" <<JSON
{"name": "stages", "base_url": "$base",
 "load": {"stages": [{"users": 2, "duration": "1500ms"}, {"users": 6, "duration": "1500ms"}],
          "graceful_stop": "1s"},
 "scenarios": [{"steps": [{"name": "s", "path": "/sleep?ms=20"}]}]}
JSON
"$HERD" run "$TMP/stages.json" -o "$TMP/stages-r.json" -q --threads 1 > /dev/null 2>&1
expect_eq "stages: exit" 0 "$?"
expect_eq "stages: 2 users in the first second" 2 "$(jq '.timeline[0].active_users' "$TMP/stages-r.json")"
expect_eq "stages: 6 users at the end" 6 "$(jq '[.timeline[].active_users] | max' "$TMP/stages-r.json")"
expect_eq "stages: settings record both stages" 2 "$(jq '.settings.stages | length' "$TMP/stages-r.json")"

# Open model against a server slower than the arrival rate: 10 arrivals/s,
# 4 users, 1 s per request. Waiting arrivals count their wait (corrected
# latency above service time); the rest are dropped, and every arrival is
# either started or dropped.
cat > "$TMP/open.json" <<JSON
{"name": "co", "base_url": "$base",
 "load": {"rate": 10, "max_users": 4, "duration": "3s", "graceful_stop": "5s"},
 "scenarios": [{"steps": [{"name": "slow", "path": "/sleep?ms=1000"}]}]}
JSON
"$HERD" run "$TMP/open.json" -o "$TMP/open-r.json" -q --threads 1 > /dev/null 2>&1
r="$TMP/open-r.json"
total=$(jq '.iterations.started + .iterations.dropped' "$r")
expect_eq "every arrival started or dropped" 30 "$total"
[ "$(jq .iterations.dropped "$r")" -gt 0 ] && ok "arrivals beyond users and backlog dropped" || fail "nothing dropped"
corr=$(jq '.transactions[0].p99_us' "$r")
svc=$(jq '.transactions[0].service_p99_us' "$r")
# The server's 1 s sleep is served in about 1 s, but on a busy 2-core box
# Python's answer can come 0.2-0.5 s late: the uncorrected bound is loose
# (1.6 s); what the check is for is the gap, the wait a corrected latency
# adds on top of the service time.
if [ "$corr" -ge 1500000 ] && [ "$svc" -lt 1600000 ] && [ $((corr - svc)) -ge 300000 ]; then
    ok "corrected p99 ${corr}us includes the wait; uncorrected ${svc}us does not"
else fail "corrected p99 ${corr}us, uncorrected ${svc}us"; fi
mx=$(jq '.transactions[0].max_us' "$r")
mn=$(jq '.transactions[0].min_us' "$r")
if [ "$mn" -ge 950000 ] && [ "$mx" -le 3500000 ]; then ok "latencies ${mn}..${mx}us"; else fail "latencies ${mn}..${mx}us"; fi

# Data files: a plan cannot read outside its directory (not via "..", nor a
# symbolic link) unless --data-root allows it; the error names the field.
mkdir -p "$TMP/dr/plans" "$TMP/dr/fixtures"
printf 'name\nalice\n' > "$TMP/dr/fixtures/users.csv"
ln -s ../fixtures/users.csv "$TMP/dr/plans/link.csv"
for f in ../fixtures/users.csv link.csv; do
    cat > "$TMP/dr/plans/p.json" <<JSON
{"name": "dr", "base_url": "http://127.0.0.1:9", "load": {"users": 1, "iterations": 1},
 "data": {"u": {"csv": "$f"}},
 "scenarios": [{"steps": [{"path": "/{{u.name}}"}]}]}
JSON
    "$HERD" check "$TMP/dr/plans/p.json" > "$TMP/dr/out" 2>&1
    expect_eq "data file $f outside the plan's directory refused (exit 3)" 3 "$?"
    expect_eq "one line naming data.u.csv" 1 "$(grep -c "p.json: data.u.csv: " "$TMP/dr/out")"
    "$HERD" check "$TMP/dr/plans/p.json" --data-root "$TMP/dr" > "$TMP/dr/out" 2>&1
    expect_eq "data file $f allowed under --data-root" 0 "$?"
done
"$HERD" run "$TMP/dr/plans/p.json" -o "$TMP/dr/r.json" -q > /dev/null 2>&1
expect_eq "herd run refuses it too (exit 3)" 3 "$?"

# ---- first-use papercuts (issue "read right the first time") -------------
# Kept together at the end: a URL without its scheme, units in thresholds,
# methods checked at load, a closed stdout, --debug's files, the live line,
# what a secret is, the smoke row's name and herd init's Celery template.
pc="$TMP/pc"; mkdir -p "$pc"
hostport=${base#http://}
(cd "$pc" && "$HERD" run "$hostport/ok" --users 1 --duration 1s -o sm.json -q > sm.out 2> sm.err)
expect_eq "a host:port/path without http:// runs the smoke test" 0 "$?"
grep -q "is not a file: running a smoke test of http://$hostport/ok" "$pc/sm.err" \
    && ok "one line says http:// was assumed" || fail "no note: $(head -2 "$pc/sm.err")"
expect_eq "the smoke row is named after the URL path" "GET /ok" "$(jq -r '.transactions[0].name' "$pc/sm.json")"
"$HERD" run "$pc/nosuch-plan.json" > /dev/null 2> "$pc/nf.err"
expect_eq "a missing plan file exits 3" 3 "$?"
grep -q "nosuch-plan.json: no such file (expected a plan file" "$pc/nf.err" \
    && ok "it says a plan file or a URL was expected" || fail "missing file: $(cat "$pc/nf.err")"

cat > "$pc/units.json" <<JSON
{"name": "u", "base_url": "$base", "load": {"users": 1, "iterations": 1},
 "scenarios": [{"steps": [{"name": "ok", "path": "/ok"}]}],
 "thresholds": ["http p95 < 1 second", "ok p99 < 500 ms", "http error_rate < 1 %"]}
JSON
"$HERD" check "$pc/units.json" > "$pc/units.out" 2>&1
expect_eq "thresholds with a space and unit words pass herd check" 0 "$?"
sed -i 's/1 second/1 fortnight/' "$pc/units.json"
msg=$("$HERD" check "$pc/units.json" 2>&1)
case "$msg" in *"units.json: thresholds[0]: \"1 fortnight\": expected a duration like"*) ok "an unknown unit names the threshold";;
  *) fail "unknown unit: $msg";; esac

cat > "$pc/psot.json" <<JSON
{"name": "m", "base_url": "$base", "load": {"users": 1, "iterations": 1},
 "scenarios": [{"steps": [{"path": "/ok"}, {"method": "PSOT", "path": "/echo"}]}]}
JSON
msg=$("$HERD" check "$pc/psot.json" 2>&1); rc=$?
expect_eq "a misspelt method fails herd check (exit 3)" 3 "$rc"
expect_eq "the message names the field and the methods" \
    "$pc/psot.json: scenarios[0].steps[1].method: expected GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS" "$msg"

cat > "$pc/dbg.json" <<JSON
{"name": "dbg", "base_url": "$base", "load": {"users": 1, "iterations": 1},
 "scenarios": [{"steps": [{"name": "a", "path": "/ok"}, {"name": "b", "path": "/ok"},
   {"name": "c", "path": "/ok"}]}],
 "thresholds": ["http p95 < 5s"]}
JSON
(cd "$pc" && "$HERD" run dbg.json --debug 2> dbg.err | head -2 > /dev/null; echo "${PIPESTATUS[0]}" > dbg.rc)
expect_eq "--debug | head -2: a closed stdout is not a failed result" 0 "$(cat "$pc/dbg.rc")"
expect_eq "--debug without -o writes no result files" "" "$(cd "$pc" && ls herd-result-* 2>/dev/null)"
grep -q "no result files written" "$pc/dbg.err" && ok "--debug says so" || fail "--debug: no note"
(cd "$pc" && "$HERD" run dbg.json --debug -o kept.json > /dev/null 2>&1)
[ -f "$pc/kept.json" ] && [ -f "$pc/kept.txt" ] && ok "--debug -o keeps them" || fail "--debug -o wrote nothing"

cat > "$pc/live.json" <<JSON
{"name": "live", "base_url": "$base", "load": {"users": 3, "duration": "2s"},
 "scenarios": [{"steps": [{"name": "s", "path": "/sleep?ms=50"}]}]}
JSON
"$HERD" run "$pc/live.json" -o "$pc/live-r.json" > /dev/null 2> "$pc/live.err"
grep -Eq 'users [0-3]/3 active' "$pc/live.err" && ok "the live line says users N/3 active" \
    || fail "live line: $(grep -m1 req/s "$pc/live.err")"

# What a secret is: TARGET_URL is shown; *TOKEN* and "secrets" names are
# masked in every form (as typed, percent-encoded in a query, JSON-escaped).
export HERD_PC_TARGET_URL="$base" HERD_PC_API_TOKEN='tok"en/42 xyz' HERD_PC_TENANT="tenant-acme-9"
cat > "$pc/sec.json" <<'JSON'
{"name": "sec", "base_url": "${HERD_PC_TARGET_URL}", "secrets": ["HERD_PC_TENANT"],
 "load": {"users": 1, "iterations": 1},
 "scenarios": [{"steps": [{"name": "echo", "method": "POST", "path": "/echo",
   "query": {"t": "${HERD_PC_API_TOKEN}"},
   "json": {"t": "${HERD_PC_API_TOKEN}", "tenant": "${HERD_PC_TENANT}"}}]}]}
JSON
"$HERD" run "$pc/sec.json" --debug > "$pc/sec.out" 2>&1
expect_eq "secrets run exit" 0 "$?"
grep -q "POST $base/echo" "$pc/sec.out" && ok "--debug shows the target URL in clear" \
    || fail "target URL masked: $(grep -m1 '^>' "$pc/sec.out")"
if grep -q -e 'tok"en' -e 'tok%22en' -e 'tok\\"en' -e 'en/42' -e 'en%2F42' -e tenant-acme "$pc/sec.out"; then
    fail "a secret leaks in some form: $(grep -m1 -e en/42 -e en%2F42 -e tenant-acme "$pc/sec.out")"
else ok "*TOKEN* and listed secrets masked as typed, percent-encoded and JSON-escaped"; fi

"$HERD" init -o "$pc/celery.json" --url "$base" --template celery < /dev/null 2> /dev/null
expect_eq "herd init --template celery" 0 "$?"
"$HERD" check "$pc/celery.json" > /dev/null 2>&1
expect_eq "the Celery template passes herd check" 0 "$?"
expect_eq "it POSTs, then polls until SUCCESS" "POST SUCCESS" \
    "$(jq -r '[.scenarios[0].steps[0].method, .scenarios[0].steps[1].poll.until["$.state"]] | join(" ")' "$pc/celery.json")"
finish
