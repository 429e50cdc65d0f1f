#!/usr/bin/env bash
# End-to-end: distributed runs over InvokeWithResponseStream through the
# local Lambda double (tests/lambda/double.py frames the bootstrap's
# streamed answer as AWS does). The double's framing is read back by
# botocore's own event stream parser; the live line shows every shard's
# load while it runs; a shard killed mid-run keeps the seconds it
# streamed; a coordinator killed with SIGKILL is recovered from its
# journal; torn, corrupted and oversized frames fail their shard with a
# clear reason. Counts are checked against the target's own hit counter.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lambda_double.sh"
trap 'for p in $dpids; do kill $p 2>/dev/null; done; cleanup' EXIT
start_misc
hits() { curl -s "$base/hits?k=$1"; }
plan() {            # plan NAME DURATION USERS: a plan counting its hits under NAME
    cat > "$TMP/$1.json" <<JSON
{"name": "$1", "base_url": "$base",
 "load": {"users": $3, "spawn_rate": 50, "duration": "$2", "graceful_stop": "1s"},
 "scenarios": [{"steps": [{"name": "hit", "path": "/hit?k=$1"}, {"think": "50ms"}]}]}
JSON
}
count() { jq '[.transactions[] | select(.name=="hit") | .count] | add // 0' "$1"; }

# 1. Three shards stream: the result equals the target's count, the
#    shards' raw results add up, and the live line showed all three. Off a
#    terminal the line is printed every 5 s (the first before the start):
#    9 s of load leave one print while every shard runs, however busy the
#    box.
plan s1 9s 6
double s1
"$HERD" run "$TMP/s1.json" --lambda herd --endpoint "$ep" --invocations 3 \
    --start-delay 1s -o "$TMP/s1-r.json" > "$TMP/s1.out" 2> "$TMP/s1.err"
expect_eq "streamed run: exit" 0 "$?"
r="$TMP/s1-r.json"
expect_eq "three shards ok" "3 3 0" "$(jq -r '"\(.shards.total) \(.shards.ok) \(.shards.failed)"' "$r")"
expect_eq "count = the target's hits" "$(hits s1)" "$(count "$r")"
expect_eq "count = sum of the raw shard results" \
    "$(jq -s '[.[] | .transactions[] | select(.name=="hit") | .count] | add' "$TMP"/s1-r.shards/*.json)" "$(count "$r")"
expect_eq "every call streamed (the double's log)" 3 "$(jq -s '[.[] | select(.stream and .events > 2)] | length' "$TMP/s1.log")"
grep -Eq "users [1-9][0-9]*/6 active .*shards 3 running, 0 done, 0 failed" "$TMP/s1.err" &&
    ok "live line: users of all shards, shards running" || fail "no live line: $(head -c 600 "$TMP/s1.err")"
grep -Eq "[1-9][0-9]* req/s .*p99 [0-9]" "$TMP/s1.err" && ok "live line: req/s and p99" ||
    fail "live line without req/s or p99: $(grep users "$TMP/s1.err" | head -3)"
[ ! -e "$TMP/s1-r.json.journal" ] && ok "journal removed after a clean run" || fail "journal left behind"

# 2. botocore's own parser reads the double's framing (an independent
#    implementation): the payload it reassembles is JSON Lines whose last
#    line is the result, and the stream ends with InvokeComplete.
/usr/bin/python3 - "$ep" "$TMP/s1.json" > "$TMP/boto.out" 2>&1 <<'PY'
import json, sys, urllib.request
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.eventstream import EventStreamBuffer
ep, plan = sys.argv[1], json.load(open(sys.argv[2]))
plan["load"]["duration"] = "2s"
import time
now = int(time.time() * 1000)
event = {"herd_event": 1, "run_id": "boto", "stream": True, "plan": plan, "vars": {},
         "shard": {"index": 0, "part": 0, "first": 0, "stride": 1, "user_offset": 0,
                   "start_unix_ms": now, "elapsed_us": 0, "end_unix_ms": 0}}
body = json.dumps(event).encode()
url = ep + "/2021-11-15/functions/herd/response-streaming-invocations"
req = AWSRequest(method="POST", url=url, data=body)
SigV4Auth(Credentials("AKIDHERDTEST", "herd-test-secret"), "lambda", "us-east-1").add_auth(req)
r = urllib.request.urlopen(urllib.request.Request(url, data=body, headers=dict(req.headers)))
assert r.headers["Content-Type"] == "application/vnd.amazon.eventstream"
buf, payload, kinds = EventStreamBuffer(), b"", []
while True:
    data = r.read1(65536) if hasattr(r, "read1") else r.read(65536)
    if not data:
        break
    buf.add_data(data)
    for m in buf:
        h = m.headers
        kinds.append(h[":event-type"])
        if h[":event-type"] == "PayloadChunk":
            payload += m.payload
        else:
            done = json.loads(m.payload)
lines = payload.decode().splitlines()
final = json.loads(lines[-1])
assert kinds[-1] == "InvokeComplete" and done["ErrorCode"] is None, (kinds, done)
assert all("run_id" not in json.loads(l) or not json.loads(l)["run_id"] for l in lines[:-1])
print("chunks", kinds.count("PayloadChunk"), "lines", len(lines), "run_id", final["run_id"])
PY
grep -Eq "^chunks [2-9][0-9]* lines [2-9][0-9]* run_id boto$" "$TMP/boto.out" &&
    ok "botocore's EventStreamBuffer reads the double's frames ($(cat "$TMP/boto.out"))" ||
    fail "botocore: $(tail -5 "$TMP/boto.out")"

# 3. A shard killed 2.5 s into a 5 s run keeps what it streamed: failed,
#    marked partial, its seconds in the result; nothing is counted twice.
plan s3 5s 4
double s3 --crash-shard 1 --crash-after 2.5
"$HERD" run "$TMP/s3.json" --lambda herd --endpoint "$ep" --invocations 2 \
    --start-delay 1s --shard-retries 1 -o "$TMP/s3-r.json" -q > "$TMP/s3.out" 2>&1
r="$TMP/s3-r.json"
expect_eq "killed shard: 1 ok, 1 failed" "1 1" "$(jq -r '"\(.shards.ok) \(.shards.failed)"' "$r")"
expect_eq "killed shard: marked partial" true "$(jq '.shards.failures[0].partial' "$r")"
jq -r '.shards.failures[0].reason' "$r" | grep -q "partial: kept the [1-9][0-9]* seconds\? it streamed" &&
    ok "killed shard: reason says its seconds are kept ($(jq -r '.shards.failures[0].reason' "$r"))" ||
    fail "killed shard reason: $(jq -c .shards.failures "$r")"
got=$(count "$r"); all=$(hits s3)
ok_part=$(jq '[.transactions[] | select(.name=="hit") | .count] | add' "$TMP"/s3-r.shards/shard-0000-part-00.json)
[ "$got" -gt "$ok_part" ] && [ "$got" -le "$all" ] &&
    ok "killed shard's seconds counted: $ok_part (shard 0) < $got <= $all (target)" ||
    fail "killed shard: result $got, shard 0 $ok_part, target $all"
# The double's own record of what shard 1 sent before it died: exactly
# what the result holds beyond shard 0's.
sent1=$(jq -s '[.[] | select(.shard == 1) | .sent[]? | .[1] | fromjson | .transactions[]? | select(.name == "hit") | .count] | add // 0' "$TMP/s3.log")
expect_eq "killed shard: its seconds = what the double saw it send" "$sent1" "$((got - ok_part))"
expect_eq "killed shard's part not retried (the double saw 2 invokes)" 2 "$(jq -s '[.[] | select(.status==200)] | length' "$TMP/s3.log")"
"$HERD" report "$r" > "$TMP/s3.txt" 2>&1
grep -q "partial" "$TMP/s3.txt" && ok "report shows the partial shard" || fail "report: $(grep -i shard "$TMP/s3.txt" | head -3)"

# 4. The coordinator killed with SIGKILL mid-run: report --recover gives
#    back every second it had received. Checked against the double's own
#    record of the lines it sent: every journaled second is one the double
#    sent (nothing invented), every line it sent more than a second before
#    the kill is journaled (nothing received lost), and the recovered
#    count is what those lines hold.
plan s4 8s 4
double s4
HERD_KEEP_JOURNAL=1 "$HERD" run "$TMP/s4.json" --lambda herd --endpoint "$ep" --invocations 2 \
    --start-delay 1s -o "$TMP/s4-r.json" -q > "$TMP/s4.out" 2>&1 &
cpid=$!
jl() { cat "$TMP/s4-r.json.journal" 2>/dev/null | wc -l; }
wait_for '[ "$(jl)" -ge 6 ]' 60 || fail "coordinator: no streamed seconds journaled in 60 s"
kill_t=$(date +%s.%N); kill -9 "$cpid"; wait "$cpid" 2>/dev/null
"$HERD" report --recover "$TMP/s4-r.json.journal" -o "$TMP/s4-rec.json" > "$TMP/s4-rec.out" 2>&1
expect_eq "recover after kill -9: exit" 0 "$?"
# The double logs a stream when it ends: cut by the kill, or finished.
wait_for '[ "$(cat "$TMP/s4.log" 2>/dev/null | wc -l)" -ge 2 ]' 60 || fail "the double did not log both streams"
/usr/bin/python3 - "$TMP/s4-r.json.journal" "$TMP/s4.log" "$kill_t" "$TMP/s4-rec.json" > "$TMP/s4.cmp" 2>&1 <<'PY'
import json, sys
journal = open(sys.argv[1]).read().splitlines()[1:]
kill_t = float(sys.argv[3])
sent = [s for e in map(json.loads, open(sys.argv[2])) for s in e.get("sent", [])]
# The seconds (deltas carry no run id; a shard's final result does).
sent = [(t, l) for t, l in sent if not json.loads(l).get("run_id")]
sent_lines = [l for t, l in sent]
early = [l for t, l in sent if t < kill_t - 1.0]
invented = [l for l in journal if l not in sent_lines]
lost = [l for l in early if l not in journal]
hits = lambda ls: sum(tx["count"] for l in ls for tx in json.loads(l).get("transactions", []) if tx["name"] == "hit")
rec = sum(tx["count"] for tx in json.load(open(sys.argv[4]))["transactions"] if tx["name"] == "hit")
print("journaled %d sent %d early %d invented %d lost %d hits %d recovered %d"
      % (len(journal), len(sent_lines), len(early), len(invented), len(lost), hits(journal), rec))
PY
read -r _ nj _ ns _ ne _ ninv _ nlost _ jh _ rec < "$TMP/s4.cmp"
[ "${nj:-0}" -ge 5 ] && [ "${ne:-0}" -ge 3 ] && [ "$ninv" = 0 ] && [ "$nlost" = 0 ] &&
    ok "coordinator kill -9: every second sent before the kill journaled, none invented ($(cat "$TMP/s4.cmp"))" ||
    fail "coordinator kill -9: $(cat "$TMP/s4.cmp")"
expect_eq "recovered count = the journaled seconds' requests" "$jh" "$rec"
[ "${rec:-0}" -gt 0 ] && [ "$rec" -lt "$(hits s4)" ] &&
    ok "recovered $rec of the $(hits s4) requests the target saw (the shards ran on)" ||
    fail "recovered $rec, target $(hits s4)"
expect_eq "recovered result marked interrupted" true "$(jq .interrupted "$TMP/s4-rec.json")"

# 5. Broken frames: each fails its shard with a clear reason; the run
#    ends (no hang), the coordinator does not crash.
for fault in torn crc oversized; do
    plan "f$fault" 2s 2
    double "f$fault" --stream-fault "$fault"
    timeout 120 "$HERD" run "$TMP/f$fault.json" --lambda herd --endpoint "$ep" \
        --invocations 1 --start-delay 1s -o "$TMP/f$fault-r.json" -q > "$TMP/f$fault.out" 2>&1
    rc=$?
    [ "$rc" -ne 124 ] && [ "$rc" -lt 128 ] && ok "$fault frame: the run ended (exit $rc)" || fail "$fault frame: exit $rc"
    reason=$(jq -r '.shards.failures[0].reason' "$TMP/f$fault-r.json")
    case $fault in
        torn) pat="stream cut off|middle of a frame" ;;
        crc) pat="message CRC mismatch" ;;
        oversized) pat="message of 20971520 bytes" ;;
    esac
    echo "$reason" | grep -Eq "$pat" && ok "$fault frame: shard failed: $reason" || fail "$fault frame: $reason"
done

# 6. --no-stream: the buffered Invoke, as before.
plan s6 2s 2
double s6
"$HERD" run "$TMP/s6.json" --lambda herd --endpoint "$ep" --invocations 2 --no-stream \
    --start-delay 1s -o "$TMP/s6-r.json" -q > "$TMP/s6.out" 2>&1
expect_eq "--no-stream: exit" 0 "$?"
expect_eq "--no-stream: count = target's hits" "$(hits s6)" "$(count "$TMP/s6-r.json")"
expect_eq "--no-stream: the double saw buffered invokes" 0 "$(jq -s '[.[] | select(.stream)] | length' "$TMP/s6.log")"
# 6b. Temporary credentials: AWS_SESSION_TOKEN travels as a signed
#     X-Amz-Security-Token (the double checks both with botocore); a wrong
#     token is refused, and the token is printed nowhere.
plan s6b 1s 1
double s6b --session-token "herd-session-token-123"
AWS_SESSION_TOKEN=herd-session-token-123 "$HERD" run "$TMP/s6b.json" --lambda herd --endpoint "$ep" \
    --invocations 1 --start-delay 1s -o "$TMP/s6b-r.json" -q > "$TMP/s6b.out" 2>&1
expect_eq "session token: streamed run accepted" "0 1" "$? $(jq .shards.ok "$TMP/s6b-r.json")"
AWS_SESSION_TOKEN=not-the-token "$HERD" run "$TMP/s6b.json" --lambda herd --endpoint "$ep" \
    --invocations 1 --start-delay 1s -o "$TMP/s6c-r.json" -q > "$TMP/s6c.out" 2>&1
expect_eq "wrong session token: shard failed (exit 9)" 9 "$?"
jq -r '.shards.failures[0].reason' "$TMP/s6c-r.json" | grep -q "UnrecognizedClientException" &&
    ok "wrong session token: refused by the double's check" || fail "wrong token: $(jq -c .shards.failures "$TMP/s6c-r.json")"
grep -rq "not-the-token\|herd-session-token-123" "$TMP"/s6b-r.json "$TMP"/s6c-r.json "$TMP"/s6b.out "$TMP"/s6c.out &&
    fail "session token printed" || ok "session token printed nowhere"

# 7. The coordinator's streaming path under valgrind (memcheck): a shard
#    killed mid-stream, the others complete; no error, no leak.
if [ -n "${HERD_SANITIZE:-}" ] || ldd "$HERD" 2>/dev/null | grep -Eq "lib(a|t)san"; then
    skip --expected "sanitizer build" "valgrind does not run an ASan binary (the plain build's pass runs it)"
elif command -v valgrind >/dev/null; then
    plan s7 3s 4
    double s7 --crash-shard 1 --crash-after 2
    valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
        --error-exitcode=99 --log-file="$TMP/s7.vg" \
        "$HERD" run "$TMP/s7.json" --lambda herd --endpoint "$ep" --invocations 3 \
        --start-delay 2s -o "$TMP/s7-r.json" -q > "$TMP/s7.out" 2>&1
    rc=$?
    [ "$rc" = 9 ] && [ ! -s "$TMP/s7.vg" ] && ok "valgrind: streamed run with a killed shard clean (exit $rc)" ||
        fail "valgrind: exit $rc: $(head -20 "$TMP/s7.vg")"
else
    skip "valgrind not installed: the coordinator's valgrind pass did not run"
fi
finish
