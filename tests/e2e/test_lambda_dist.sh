#!/usr/bin/env bash
# End-to-end: distributed runs through the local Lambda double
# (tests/lambda/double.py: the Invoke API backed by real bootstrap
# processes, SigV4 checked by botocore). Merged totals equal the shards',
# user numbers are unique across shards, percentiles equal a merge by hand;
# a crashing, a hanging and a throttled shard are each handled; the
# deadline truncates instead of losing the result; long tests run as
# consecutive parts; bad credentials are refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lambda_double.sh"
tport=$(free_port)
trap 'for p in $dpids; do kill $p 2>/dev/null; done; "$REPO/scripts/target" stop "$TMP/target" >/dev/null 2>&1; cleanup' EXIT
start_misc
dist() {            # dist ENDPOINT PLAN OUT [herd options]
    "$HERD" run "$2" --lambda herd --endpoint "$1" --start-delay 1s -o "$3" -q "${@:4}" \
        > "$3.out" 2>&1
}
sum() { jq -s "[.[] | $1] | add" "$2".shards/*.json; }

# 1. Three shards, 9 users: every user number 1..9 exactly once overall.
cat > "$TMP/who.json" <<JSON
{"name": "who", "base_url": "$base",
 "load": {"users": 9, "spawn_rate": 30, "duration": "3s", "graceful_stop": "1s"},
 "scenarios": [{"steps": [{"name": "who", "path": "/who?u={{user}}"}, {"think": "20ms"}]}]}
JSON
double plain
dist "$ep" "$TMP/who.json" "$TMP/who-r.json" --invocations 3
expect_eq "three shards: exit" 0 "$?"
r="$TMP/who-r.json"
expect_eq "three shards ok" "3 3 0" "$(jq -r '"\(.shards.total) \(.shards.ok) \(.shards.failed)"' "$r")"
expect_eq "mode lambda" lambda "$(jq -r .mode "$r")"
expect_eq "user numbers 1..9, each used" '["1","2","3","4","5","6","7","8","9"]' \
    "$(curl -s "$base/whos" | jq -c 'keys | sort_by(tonumber)')"
expect_eq "a raw result per shard on disk" 3 "$(ls "$TMP"/who-r.shards/*.json | wc -l)"
expect_eq "merged count = sum of the shards" "$(sum '.transactions[0].count' "$TMP/who-r")" "$(jq '.transactions[0].count' "$r")"
expect_eq "merged iterations = sum of the shards" "$(sum '.iterations.started' "$TMP/who-r")" "$(jq '.iterations.started' "$r")"
"$HERD" merge "$TMP"/who-r.shards/*.json -o "$TMP/byhand.json" 2>/dev/null
for f in p50_us p95_us p99_us p999_us max_us min_us; do
    expect_eq "$f equals a merge by hand" "$(jq ".transactions[0].$f" "$TMP/byhand.json")" "$(jq ".transactions[0].$f" "$r")"
done
expect_eq "shards started together (within 1 s)" true \
    "$(jq -s '[.[] | .started_unix_ms] | (max - min) < 1000' "$TMP"/who-r.shards/*.json)"
big=$(jq -s 'map(.result_bytes // 0) | max' "$TMP/plain.log")
[ "$big" -lt 1048576 ] && ok "shard responses far below 6 MB ($big bytes)" || fail "shard response $big bytes"

# 1b. A CSV pool reaches the shards (they have the plan, not its files):
#     user n uses row n on whichever shard runs it.
mkdir -p "$TMP/csvplan"
{ echo name; for i in 1 2 3 4 5 6; do echo "row$i"; done; } > "$TMP/csvplan/names.csv"
cat > "$TMP/csvplan/plan.json" <<JSON
{"name": "csv", "base_url": "$base",
 "load": {"users": 6, "spawn_rate": 30, "iterations": 2},
 "data": {"n": {"csv": "names.csv"}},
 "scenarios": [{"steps": [{"name": "hit", "path": "/hit?k=csv-{{n.name}}"}]}]}
JSON
dist "$ep" "$TMP/csvplan/plan.json" "$TMP/csv-r.json" --invocations 3
expect_eq "CSV pool over 3 shards: exit" 0 "$?"
hits=""
for i in 1 2 3 4 5 6; do hits="$hits $(curl -s "$base/hits?k=csv-row$i")"; done
expect_eq "every CSV row used by its user, twice" " 2 2 2 2 2 2" "$hits"

# 2. The Celery flow, distributed: setup runs here, its token reaches the
#    shards; the setup's credentials do not. The double logs every event
#    it received: the admin password (used only in setup's login body,
#    from the environment) is in none, the token setup extracted is in
#    every one, and the load still works.
export TARGET_JOB_SECONDS=0.5 TARGET_MAX_QUEUE=500
"$REPO/scripts/target" start "$TMP/target" "$tport" > "$TMP/target.out" 2>&1 || fail "target did not start"
export TARGET_URL="http://127.0.0.1:$tport" ADMIN_USER=admin ADMIN_PASSWORD=admin-secret
double events --log-events "$TMP/events.jsonl"
dist "$ep" "$REPO/tests/plans/demo.json" "$TMP/demo-r.json" --invocations 3 --users 6 --duration 4s
expect_eq "celery flow over 3 shards: exit" 0 "$?"
expect_eq "the double received 3 events" 3 "$(wc -l < "$TMP/events.jsonl")"
grep -q "admin-secret" "$TMP/events.jsonl" && fail "setup's password sent to the shards" ||
    ok "setup's password in no event"
grep -q '"password"\|/admin/login' "$TMP/events.jsonl" && fail "setup's login step sent to the shards" ||
    ok "setup's login step in no event"
expect_eq "the extracted token in every event" 3 \
    "$(jq -c 'select(.vars.token | type == "string" and length > 0)' "$TMP/events.jsonl" | wc -l)"
r="$TMP/demo-r.json"
expect_eq "no failed iteration" 0 "$(jq .iterations.failed "$r")"
expect_eq "--users 6 over 3 shards: at most 2 users active on each" "2 2 2" \
    "$(jq -r '[.timeline[].active_users] | max' "$TMP"/demo-r.shards/*.json | tr '\n' ' ' | sed 's/ $//')"
expect_eq "--duration reached the shards" "4 4 4" \
    "$(jq -r '.settings.duration_s' "$TMP"/demo-r.shards/*.json | tr '\n' ' ' | sed 's/ $//')"
flows=$(jq '[.transactions[] | select(.kind=="flow") | .count] | add' "$r")
[ "$flows" -gt 6 ] && ok "container flows measured on the shards ($flows)" || fail "only $flows flows"
grep -q admin-secret "$TMP"/plain.log "$TMP"/plain.err "$TMP"/events.err "$r" "$TMP/demo-r.txt" && fail "password in an artifact" || ok "password not in any artifact"

# 3. A crashing shard and a hanging one: reported with their reasons; the
#    others' results are kept; exit 9.
double faults --crash-shard 1 --hang-shard 2 --timeout 6
dist "$ep" "$TMP/who.json" "$TMP/faults-r.json" --invocations 4
expect_eq "failed shards exit 9" 9 "$?"
r="$TMP/faults-r.json"
expect_eq "2 ok, 2 failed" "2 2" "$(jq -r '"\(.shards.ok) \(.shards.failed)"' "$r")"
jq -r '.shards.failures[] | select(.shard==1) | .reason' "$r" | grep -q "Runtime.ExitError" && ok "crash reported" || fail "crash: $(jq -c .shards.failures "$r")"
jq -r '.shards.failures[] | select(.shard==2) | .reason' "$r" | grep -q "Sandbox.Timedout" && ok "timeout reported" || fail "timeout: $(jq -c .shards.failures "$r")"
[ "$(jq .iterations.started "$r")" -gt 0 ] && ok "surviving shards' results kept" || fail "results lost"
grep -q "shard 1 failed" "$TMP/faults-r.txt" && ok "report lists the failed shard" || fail "report silent about shard 1"

# 4. Throttling: 429 with Retry-After, retried with back-off; all succeed.
#    The start delay leaves room for three retries: nobody starts late.
double throttled --throttle 3
dist "$ep" "$TMP/who.json" "$TMP/thr-r.json" --invocations 2 --duration 1s --start-delay 6s
expect_eq "throttled shards retried: exit" 0 "$?"
expect_eq "all shards ok after throttling" 2 "$(jq .shards.ok "$TMP/thr-r.json")"
expect_eq "three 429s were answered" 3 "$(grep -c '"status": 429' "$TMP/throttled.log")"

# The concurrency limit: 3 shards on a function allowed 2 at a time. The
# third is told 429 until a slot frees, and still runs — late, so the
# planned load did not all run: exit 11, the late shard named.
double limited --concurrency 2
dist "$ep" "$TMP/who.json" "$TMP/lim-r.json" --invocations 3 --duration 1s
expect_eq "over the concurrency limit: a shard ran late, exit 11" 11 "$?"
expect_eq "all three shards ok" 3 "$(jq .shards.ok "$TMP/lim-r.json")"
expect_eq "the late shard named, throttled" true \
    "$(jq '[.shards.late_shards[].reason | startswith("throttled 429")] | length >= 1 and all' "$TMP/lim-r.json")"
[ "$(grep -c '"status": 429' "$TMP/limited.log")" -ge 1 ] && ok "the limit answered 429" || fail "no 429 from the concurrency limit"

# 5. The deadline: a 4 s function timeout for an 8 s test. herd stops in
#    time and returns a truncated result instead of being killed.
double short --timeout 4
dist "$ep" "$TMP/who.json" "$TMP/trunc-r.json" --invocations 2 --duration 8s
expect_eq "truncated shards: exit 11 (the load ran short)" 11 "$?"
r="$TMP/trunc-r.json"
expect_eq "truncated shards are not failures" 0 "$(jq .shards.failed "$r")"
expect_eq "both shards truncated" 2 "$(jq .shards.truncated "$r")"
[ "$(jq .iterations.started "$r")" -gt 0 ] && ok "truncated results kept" || fail "nothing measured"
grep -q "TRUNCATED: 2 of 2 shards stopped before the planned end" "$TMP/trunc-r.txt" \
    && ok "report says truncated" || fail "report silent about truncation"
# One shard alone, truncated: not reported like a full run.
dist "$ep" "$TMP/who.json" "$TMP/trunc1-r.json" --invocations 1 --duration 8s
expect_eq "single truncated shard: exit 11" 11 "$?"
grep -q "shards 1 ok / 0 failed / 1 truncated of 1" "$TMP/trunc1-r.txt" && \
    grep -q "TRUNCATED: 1 of 1 shard stopped" "$TMP/trunc1-r.txt" && \
    grep -q "^  truncated: 1 of 1 shard stopped before the planned end" "$TMP/trunc1-r.txt" \
    && ok "single truncated shard: header, line and verdict" || fail "single truncated shard: $(head -8 "$TMP/trunc1-r.txt")"
grep -q "^herd: truncated: 1 of 1 shard" "$TMP/trunc1-r.json.out" && ok "stderr verdict names the truncation" \
    || fail "stderr: $(tail -3 "$TMP/trunc1-r.json.out")"

# 6. A long test as consecutive parts: 5 s in parts of 2 s = 3 parts each.
double parts
dist "$ep" "$TMP/who.json" "$TMP/parts-r.json" --invocations 2 --duration 5s --part 2s
expect_eq "parts: exit" 0 "$?"
expect_eq "3 parts per shard" '[[0,1,2],[0,1,2]]' "$(jq -sc 'map(select(.status==200)) | group_by(.shard) | map(map(.part) | sort)' "$TMP/parts.log")"
r="$TMP/parts-r.json"
expect_eq "parts merged: count = sum of the parts" "$(sum '.transactions[0].count' "$TMP/parts-r")" "$(jq '.transactions[0].count' "$r")"
span=$(jq '(.timeline | last.t) - (.timeline | first.t)' "$r")
if [ "$span" -ge 4 ] && [ "$span" -le 8 ]; then ok "one timeline across parts (${span}s)"; else fail "timeline spans ${span}s"; fi
for f in "$TMP"/parts-r.shards/*part-02.json; do
    [ "$(jq .iterations.started "$f")" -gt 0 ] && ok "last part ran ($(basename "$f"))" || fail "last part idle: $f"
done
# A part that began late is recorded as a late shard and exits 11 (the
# exit 0 above): that is the exact check. The timeline adds the picture:
# at most one empty second per part boundary (2 here) — a bootstrap that
# starts slowly on a busy 2-core box can empty the second it lands in; a
# part invoked at its start instead of ahead would empty more.
gaps=$(jq '[.timeline[] | select(.requests == 0)] | length' "$r")
[ "$gaps" -le 2 ] && ok "no gap between parts ($gaps empty seconds)" || fail "$gaps empty seconds in the timeline"

# Ctrl-C on the coordinator: it stops waiting, writes what it has and
# names the shards whose results are missing.
"$HERD" run "$TMP/who.json" --lambda herd --endpoint "$ep" --start-delay 1s --invocations 2 \
    --duration 20s -o "$TMP/int-r.json" -q > "$TMP/int.out" 2>&1 & cpid=$!
# Ctrl-C once both shards are sending load (the server's /who hits grow by
# 50 past what the earlier runs left), not after a guessed delay.
whos() { curl -s "$base/whos" | jq '[.[]] | add // 0'; }
before=$(whos)
wait_for '[ "$(whos)" -ge $((before + 50)) ]' 60 || fail "interrupted run: no load in 60 s"
# ... and the coordinator's journal holds streamed seconds (header + 2).
wait_for '[ "$(wc -l < "$TMP/int-r.json.journal" 2>/dev/null || echo 0)" -ge 3 ]' 60 ||
    fail "interrupted run: nothing streamed in 60 s"
kill -INT $cpid; wait $cpid
expect_eq "coordinator Ctrl-C exits 5" 5 "$?"
expect_eq "interrupted result written" true "$(jq .interrupted "$TMP/int-r.json")"
# Both shards are named; what they streamed before the Ctrl-C is kept
# (marked partial), what they had not is missing.
expect_eq "interrupted shards named" 2 "$(jq '[.shards.failures[] | select(.reason | test("^interrupted: the coordinator stopped waiting"))] | length' "$TMP/int-r.json")"
expect_eq "each says whether its seconds were kept" 2 "$(jq '[.shards.failures[] | select((.partial == true and (.reason | test("partial: kept the [0-9]+ seconds? it streamed"))) or (.reason | test("missing")))] | length' "$TMP/int-r.json")"
# On screen (also with -q): what happens to the invocations still running,
# and the seconds kept, which are those the result holds.
line=$(grep "^herd: interrupted: " "$TMP/int.out")
echo "$line" | grep -Eq "^herd: interrupted: [12] invocations? still running in AWS run to their end and are billed \(Lambda cannot cancel them\); stopped reading them, kept the [0-9]+ seconds? they streamed; writing the result, marked interrupted$" &&
    ok "Ctrl-C on screen: $line" || fail "Ctrl-C line: [$line] in $(head -c 600 "$TMP/int.out")"
expect_eq "the seconds on screen = the result's seconds_streamed" \
    "$(jq '[.shards.failures[].seconds_streamed // 0] | add' "$TMP/int-r.json")" \
    "$(echo "$line" | sed -n 's/.*kept the \([0-9]*\) second.*/\1/p')"
reqs=$(jq '[.transactions[] | select(.kind != "flow") | .count] | add // 0' "$TMP/int-r.json")
[ "$reqs" -gt 0 ] && ok "interrupted result holds the requests received ($reqs)" || fail "interrupted result empty"

# 6b. Late shards (an open model: 20 arrivals/s for 6 s over 2 shards, in
#     parts of 3 s). Shard 1's first invoke is throttled (429, Retry-After
#     3 s, past the 1 s start delay): it starts late; the schedule still
#     runs from the planned start and what it missed is dropped, so
#     started + dropped is exactly 120. The part boundary loses nothing:
#     the second parts are invoked ahead of their start.
cat > "$TMP/open.json" <<JSON
{"name": "open", "base_url": "$base",
 "load": {"rate": 20, "max_users": 20, "duration": "6s", "graceful_stop": "1s"},
 "scenarios": [{"steps": [{"name": "ok", "path": "/ok"}]}]}
JSON
double late --throttle-shard 1 --retry-after 3
dist "$ep" "$TMP/open.json" "$TMP/late-r.json" --invocations 2 --part 3s
expect_eq "late shard: exit 11" 11 "$?"
r="$TMP/late-r.json"
expect_eq "2 parts per shard" '[[0,1],[0,1]]' "$(jq -sc 'map(select(.status==200)) | group_by(.shard) | map(map(.part) | sort)' "$TMP/late.log")"
expect_eq "the late shard: shard 1 part 0, throttled" '[{"shard":1,"part":0,"reason":"throttled 429"}]' \
    "$(jq -c '[.shards.late_shards[] | {shard, part, reason}]' "$r")"
[ "$(jq '.shards.late_shards[0].late_ms' "$r")" -ge 500 ] && ok "lateness measured ($(jq '.shards.late_shards[0].late_ms' "$r") ms)" \
    || fail "late_ms $(jq -c .shards.late_shards "$r")"
# The lateness is a duration in herd's units: "+1.9s", or "+815ms" (the
# retry after 3 s lands 0.8-2 s after the planned start, by timing).
grep -q "^  1 shard started late (throttled 429: +[0-9.]*[mu]*s); [0-9]* arrivals\? dropped" "$TMP/late-r.txt" \
    && ok "report: the late shard with its reason" || fail "report: $(grep -i late "$TMP/late-r.txt")"
grep -q "^herd: 1 shard started late (throttled 429" "$TMP/late-r.json.out" && ok "stderr verdict names it" \
    || fail "stderr: $(tail -3 "$TMP/late-r.json.out")"
# The schedule stays anchored at the planned start; missed arrivals are
# counted as dropped:
expect_eq "started + dropped = 20/s x 6 s exactly" 120 "$(jq '.iterations.started + .iterations.dropped' "$r")"
# The late shard owns every other arrival (10/s): what it missed is its
# lateness x 10/s, +-1 at each edge -- at most its whole 3 s part (30): a
# slow machine can make it later than that.
late_ms=$(jq '.shards.late_shards[0].late_ms' "$r")
dropped=$(jq .iterations.dropped "$r")
missed=$(( (late_ms < 3000 ? late_ms : 3000) / 100 ))
if [ "$dropped" -ge 1 ] && [ $((dropped - missed)) -ge -1 ] && [ $((dropped - missed)) -le 1 ]; then
    ok "the late start dropped its missed arrivals: $dropped for $late_ms ms at 10/s (part of 3 s)"
else fail "dropped $dropped for a start $late_ms ms late at 10/s (expected $missed +-1)"; fi
expect_eq "merged: started + dropped of the raw shard files = 120" 120 \
    "$(jq -s 'map(.iterations.started + .iterations.dropped) | add' "$TMP"/late-r.shards/*.json)"

# 6c. A shard whose start lies after its deadline (a 2 s function timeout,
#     a 4 s start delay): the bootstrap answers at once with an empty
#     truncated result — its arrivals dropped, duration >= 0 — instead of
#     being killed and losing it.
double deadline --timeout 2
dist "$ep" "$TMP/open.json" "$TMP/dl-r.json" --invocations 1 --duration 2s --start-delay 4s
rc=$?
r="$TMP/dl-r.json"
grep -q "unreadable result\|Sandbox.Timedout" "$r.out" && fail "result lost: $(grep -m1 'failed' "$r.out")" || ok "no lost result"
expect_eq "start after the deadline: exit 11" 11 "$rc"
expect_eq "not failed, truncated" "0 1" "$(jq -r '"\(.shards.failed) \(.shards.truncated)"' "$r")"
expect_eq "duration >= 0" true "$(jq '.duration_s >= 0 and .finished_unix_ms >= .started_unix_ms' "$r")"
expect_eq "its arrivals dropped: started 0 + dropped 40" "0 40" "$(jq -r '"\(.iterations.started) \(.iterations.dropped)"' "$r")"

# The remaining checks talk to a double with the default settings.
double plain2

# 7. Credentials: a wrong secret is refused by the signature check; none at
#    all is a usage error before anything runs.
AWS_SECRET_ACCESS_KEY=not-the-secret dist "$ep" "$TMP/who.json" "$TMP/badsig-r.json" --invocations 1 --duration 1s
expect_eq "bad signature: exit 9" 9 "$?"
jq -r '.shards.failures[0].reason' "$TMP/badsig-r.json" | grep -q InvalidSignatureException && ok "signature mismatch reported" || fail "no signature error"
grep -q not-the-secret "$TMP/badsig-r.json" "$TMP/badsig-r.json.out" && fail "secret printed" || ok "secret not printed"
env -u AWS_SECRET_ACCESS_KEY "$HERD" run "$TMP/who.json" --lambda herd --endpoint "$ep" -o "$TMP/nocreds.json" > "$TMP/nocreds.out" 2>&1
expect_eq "missing credentials: exit 2" 2 "$?"
[ ! -e "$TMP/nocreds.json" ] && ok "nothing ran without credentials" || fail "ran without credentials"
"$HERD" run "$TMP/who.json" --lambda "herd:live" --endpoint "$ep" -o "$TMP/colon.json" > /dev/null 2>&1
expect_eq "function name with ':' refused (use --qualifier)" 2 "$?"

# 8. The runtime answers a bad event with a proper error (signed by botocore).
/usr/bin/python3 - "$ep" > "$TMP/badevent.out" <<'PY'
import sys, urllib.request
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
url = sys.argv[1] + "/2015-03-31/functions/herd/invocations"
req = AWSRequest(method="POST", url=url, data=b'{"plan": {"name": 3}, "shard": {}}')
SigV4Auth(Credentials("AKIDHERDTEST", "herd-test-secret"), "lambda", "us-east-1").add_auth(req)
r = urllib.request.urlopen(urllib.request.Request(url, data=req.body, headers=dict(req.headers), method="POST"))
print(r.headers.get("X-Amz-Function-Error"), r.read().decode())
PY
grep -q '^Unhandled .*"errorType": *"Herd.InvalidEvent"' "$TMP/badevent.out" && ok "bad event: Herd.InvalidEvent via /error" || fail "bad event: $(cat "$TMP/badevent.out")"
# 8. The cost estimate, checked by hand: 2 invocations x (2 s load + 1 s
#    start delay + 1 s graceful stop) x 2 GB = 16 GB-s at $0.0000166667,
#    plus 2 requests at $0.0000002. Off a terminal nobody is asked, even
#    above the threshold (HERD_LAMBDA_ASK_USD=0 puts every run above it).
cat > "$TMP/cost.json" <<JSON
{"name": "cost", "base_url": "$base",
 "load": {"users": 2, "spawn_rate": 10, "duration": "2s", "graceful_stop": "1s"},
 "scenarios": [{"steps": [{"name": "hit", "path": "/hit?k=cost"}, {"think": "100ms"}]}]}
JSON
double cost
HERD_LAMBDA_ASK_USD=0 dist "$ep" "$TMP/cost.json" "$TMP/cost-r.json" --invocations 2 --memory 2048 < /dev/null
expect_eq "above the threshold, no terminal: ran (exit 0)" 0 "$?"
want=$(awk 'BEGIN { gbs = 2 * (2 + 1 + 1) * 2048 / 1024;
    printf "cost: 2 invocations x 4.0 s x 2.00 GB (2048 MB) = %.1f GB-s = $%.4f at $0.0000166667 per GB-s, plus $%.4f for 2 requests", gbs, gbs * 0.0000166667, 2 * 0.0000002 }')
grep -qF "$want" "$TMP/cost-r.json.out" && ok "estimate = the hand computation ($want)" ||
    fail "estimate: want [$want], got [$(grep '^cost:' "$TMP/cost-r.json.out")]"
grep -q "above \$0.00: no terminal, not asked" "$TMP/cost-r.json.out" && ok "no terminal: not asked" ||
    fail "no terminal: $(grep '^cost:' "$TMP/cost-r.json.out")"
expect_eq "no terminal: both shards invoked" 2 "$(jq -s '[.[] | select(.status == 200)] | length' "$TMP/cost.log")"
# On a terminal (script(1) gives herd a pty): 1,000 invocations for an
# hour is above $1 and asks; "n" aborts with exit 5 before anything is
# invoked (the double saw no call, no result file).
double costask
echo n | script -qec "'$HERD' run '$TMP/cost.json' --lambda herd --endpoint '$ep' --invocations 1000 --duration 1h -o '$TMP/ask-r.json'" /dev/null > "$TMP/ask.out" 2>&1
expect_eq "terminal, answered n: exit 5" 5 "$?"
grep -q 'Start the run? \[y/N\]' "$TMP/ask.out" && ok "terminal: asked" || fail "terminal: not asked: $(head -c 400 "$TMP/ask.out")"
grep -q "not started (the answer was not yes): nothing was invoked" "$TMP/ask.out" && ok "answered n: says nothing was invoked" ||
    fail "answered n: $(head -c 400 "$TMP/ask.out")"
expect_eq "answered n: the double saw no call" 0 "$(cat "$TMP/costask.log" 2>/dev/null | wc -l)"
[ ! -e "$TMP/ask-r.json" ] && ok "answered n: no result file" || fail "answered n: a result was written"
# --yes on a terminal: not asked, runs.
HERD_LAMBDA_ASK_USD=0 script -qec "'$HERD' run '$TMP/cost.json' --lambda herd --endpoint '$ep' --invocations 1 --start-delay 1s --yes -q -o '$TMP/yes-r.json'" /dev/null < /dev/null > "$TMP/yes.out" 2>&1
expect_eq "--yes on a terminal: ran (exit 0)" "0 1" "$? $(jq .shards.ok "$TMP/yes-r.json")"
grep -q -- "--yes, not asked" "$TMP/yes.out" && ok "--yes: not asked" || fail "--yes: $(head -c 400 "$TMP/yes.out")"

# An old deployment (another herd version, another result format) is
# named as such, with the fix.
cat > "$TMP/old-bootstrap" <<'SH'
#!/bin/bash
api=$AWS_LAMBDA_RUNTIME_API
id=$(curl -s -D - -o /dev/null "http://$api/2018-06-01/runtime/invocation/next" |
     sed -n 's/^Lambda-Runtime-Aws-Request-Id: *\([^\r]*\).*/\1/ip')
curl -s -o /dev/null -X POST "http://$api/2018-06-01/runtime/invocation/$id/response" \
     -d '{"herd_result": 1, "herd_version": "0.0.1", "transactions": [{"hist": "v0"}]}'
SH
chmod +x "$TMP/old-bootstrap"
pkg=(--bootstrap "$TMP/old-bootstrap")
double old
dist "$ep" "$TMP/who.json" "$TMP/old-r.json" --invocations 1 --duration 1s
expect_eq "old deployment: exit 9" 9 "$?"
jq -r '.shards.failures[0].reason' "$TMP/old-r.json" | grep -q "the function runs herd 0.0.1, this is herd .*: redeploy it" \
    && ok "old deployment named, with the fix" || fail "old deployment: $(jq -c .shards.failures "$TMP/old-r.json")"

finish
