#!/usr/bin/env bash
# The run journal: a run killed with SIGKILL leaves what it measured on
# disk, and `herd report --recover` rebuilds its result; the journal of a
# finished run holds exactly the run's result.
. "$(dirname "$0")/lib.sh"

start_misc

cat > "$TMP/plan.json" <<JSON
{"name": "journal", "base_url": "$base",
 "load": {"users": 4, "spawn_rate": 100, "duration": "30s", "think": "20ms"},
 "scenarios": [{"steps": [{"name": "hit", "path": "/hit?k=kill"},
                          {"name": "ok", "path": "/ok"}]}]}
JSON

# 1. kill -9 in the middle of the load.
"$HERD" run "$TMP/plan.json" -o "$TMP/killed.json" -q --threads 2 >/dev/null 2>"$TMP/killed.err" &
pid=$!
# Killed once the journal holds the header and three once-a-second deltas
# from each of the 2 workers (at least 2 s of timeline), however slowly
# this machine got there. The server counts a hit before it answers, so
# whatever herd recorded is already in $served: no wait after the kill.
wait_for '[ "$(wc -l < "$TMP/killed.json.journal" 2>/dev/null || echo 0)" -ge 7 ]' 60 ||
    fail "the journal did not grow to 7 records in 60 s"
kill -KILL $pid; wait $pid 2>/dev/null
served=$(curl -s "$base/hits?k=kill")
if [ ! -e "$TMP/killed.json" ]; then ok "no result after kill -9"; else fail "a result appeared after kill -9"; fi
if [ -s "$TMP/killed.json.journal" ]; then ok "the journal is on disk"; else fail "no journal after kill -9"; finish; fi
"$HERD" report --recover "$TMP/killed.json.journal" >"$TMP/rec.txt" 2>"$TMP/rec.err"
expect_eq "recover exits 0" 0 "$?"
r="$TMP/killed.json"
if [ -s "$r" ]; then ok "recovered result written next to the journal"; else fail "no recovered result"; finish; fi
grep -q "recovered [0-9]* records into $r" "$TMP/rec.err" && ok "recover says what it did" || fail "recover message: $(cat "$TMP/rec.err")"
grep -q "hit" "$TMP/rec.txt" && ok "recover prints the report" || fail "no report printed"
expect_eq "recovered run is marked interrupted" true "$(jq .interrupted "$r")"
expect_eq "recovered run keeps its plan name" journal "$(jq -r .plan "$r")"
got=$(jq '.transactions[] | select(.name=="hit") | .count' "$r")
ok200=$(jq '.transactions[] | select(.name=="hit") | .status["200"]' "$r")
# Requests finished in the last second before the kill are not yet in the
# journal; everything older is. 4 users at <= 50 requests/s each.
if [ "$got" -gt 0 ] && [ "$got" -le "$served" ] && [ $((served - got)) -le 300 ]; then
    ok "recovered hit count $got of $served served (the last second may be missing)"
else
    fail "recovered $got hits, server served $served"
fi
expect_eq "recovered statuses add up" "$got" "$ok200"
expect_eq "iterations add up" "$(jq .iterations.started "$r")" \
    "$(jq '.iterations.succeeded + .iterations.failed + .iterations.interrupted' "$r")"
secs=$(jq '.timeline | length' "$r")
if [ "$secs" -ge 2 ]; then ok "timeline recovered ($secs s)"; else fail "timeline has $secs s"; fi
p99=$(jq '.transactions[] | select(.name=="hit") | .p99_us' "$r")
if [ "$p99" -gt 0 ]; then ok "percentiles recovered (p99 ${p99}us)"; else fail "p99 $p99"; fi
"$HERD" report "$r" >/dev/null 2>&1
expect_eq "the recovered result reads back" 0 "$?"

# 2. A record cut off by the kill is ignored, the rest recovered.
head -c -40 "$TMP/killed.json.journal" > "$TMP/torn.journal"
"$HERD" report --recover "$TMP/torn.journal" -o "$TMP/torn.json" >/dev/null 2>"$TMP/torn.err"
expect_eq "torn journal: recover exits 0" 0 "$?"
grep -q "ignored a record cut off" "$TMP/torn.err" && ok "the torn record is reported" || fail "torn: $(cat "$TMP/torn.err")"
t1=$(jq '.transactions[] | select(.name=="hit") | .count' "$TMP/torn.json")
if [ "$t1" -le "$got" ]; then ok "torn journal recovers the complete records ($t1)"; else fail "torn $t1 > $got"; fi

# 3. Refusals: an existing result, a file that is not a journal.
"$HERD" report --recover "$TMP/killed.json.journal" >/dev/null 2>"$TMP/e1"
expect_eq "recover will not overwrite a result (exit 2)" 2 "$?"
grep -q "exists" "$TMP/e1" && ok "says the result exists" || fail "exists: $(cat "$TMP/e1")"
echo '{"not": "a journal"}' > "$TMP/bad.journal"
"$HERD" report --recover "$TMP/bad.journal" -o "$TMP/bad.json" >/dev/null 2>"$TMP/e2"
expect_eq "not a journal: exit 6" 6 "$?"
expect_eq "one-line error naming the file" 1 "$(grep -c "bad.journal: line 1: not a herd journal header" "$TMP/e2")"
[ -e "$TMP/bad.json" ] && fail "a result was written from a bad journal" || ok "nothing written from a bad journal"

# 4. A finished run removes its journal; kept on request, it holds exactly
#    the run's result.
cat > "$TMP/short.json" <<JSON
{"name": "short", "base_url": "$base",
 "load": {"users": 3, "spawn_rate": 100, "duration": "3s", "think": "10ms"},
 "scenarios": [{"steps": [{"name": "ok", "path": "/ok"},
                          {"name": "bad", "path": "/status500", "expect": {"status": [200]}}]}]}
JSON
"$HERD" run "$TMP/short.json" -o "$TMP/s1.json" -q --threads 2 >/dev/null 2>&1
[ -e "$TMP/s1.json.journal" ] && fail "journal left after a finished run" || ok "a finished run removes its journal"
HERD_KEEP_JOURNAL=1 "$HERD" run "$TMP/short.json" -o "$TMP/s2.json" -q --threads 2 >/dev/null 2>&1
"$HERD" report --recover "$TMP/s2.json.journal" -o "$TMP/s2r.json" >/dev/null 2>&1
expect_eq "recover of a kept journal" 0 "$?"
for f in count errors min_us max_us p50_us p99_us hist hist_service status errors_by; do
    a=$(jq -c "[.transactions[] | .$f]" "$TMP/s2.json")
    b=$(jq -c "[.transactions[] | .$f]" "$TMP/s2r.json")
    expect_eq "journal == result: transactions.$f" "$a" "$b"
done
expect_eq "journal == result: timeline" "$(jq -c '[.timeline[] | [.t,.requests,.errors,.iterations,.active_users,.hist]]' "$TMP/s2.json")" \
    "$(jq -c '[.timeline[] | [.t,.requests,.errors,.iterations,.active_users,.hist]]' "$TMP/s2r.json")"
late=$(jq '.timer_lateness.count' "$TMP/s2.json")
if [ "$late" -ge "$(jq .iterations.succeeded "$TMP/s2.json")" ]; then ok "timer lateness recorded ($late timers)"; else fail "timer lateness count $late"; fi
expect_eq "journal == result: timer lateness" "$(jq -c .timer_lateness "$TMP/s2.json")" "$(jq -c .timer_lateness "$TMP/s2r.json")"
expect_eq "journal == result: iterations" "$(jq -c '.iterations | [.started,.succeeded,.failed]' "$TMP/s2.json")" \
    "$(jq -c '.iterations | [.started,.succeeded,.failed]' "$TMP/s2r.json")"
finish
