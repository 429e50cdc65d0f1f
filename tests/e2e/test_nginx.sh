#!/usr/bin/env bash
# End-to-end: herd against a real nginx on 127.0.0.1 — many users over
# keep-alive, counts exact, error classes for 500s and refused connections,
# the open model's arrival rate, result merge and CSV.
. "$(dirname "$0")/lib.sh"

port=$(free_port)
"$REPO/scripts/nginx-test" start "$TMP/nginx" "$port" >/dev/null || { fail "nginx did not start"; finish; }
trap '"$REPO/scripts/nginx-test" stop "$TMP/nginx"; cleanup' EXIT
base="http://127.0.0.1:$port"

# 50 users x 40 iterations of one GET: exactly 2000 requests, all 200.
cat > "$TMP/hello.json" <<JSON
{"name": "hello", "base_url": "$base",
 "load": {"users": 50, "iterations": 40},
 "scenarios": [{"name": "hello", "steps": [
   {"name": "hello", "method": "GET", "path": "/hello",
    "expect": {"status": 200}}]}],
 "thresholds": ["hello count >= 2000", "http error_rate < 1%"]}
JSON
"$HERD" run "$TMP/hello.json" -o "$TMP/hello-result.json" --threads 2 -q > "$TMP/hello.out" 2>&1
rc=$?
expect_eq "exit code of a clean run" 0 "$rc"
r="$TMP/hello-result.json"
expect_eq "requests counted" 2000 "$(jq '.transactions[] | select(.name=="hello") | .count' "$r")"
expect_eq "status 200 counted" 2000 "$(jq '.transactions[] | select(.name=="hello") | .status["200"]' "$r")"
expect_eq "no errors" 0 "$(jq '.transactions[] | select(.name=="hello") | .errors' "$r")"
expect_eq "iterations started" 2000 "$(jq '.iterations.started' "$r")"
expect_eq "iterations succeeded" 2000 "$(jq '.iterations.succeeded' "$r")"
expect_eq "thresholds passed" true "$(jq '[.thresholds[].ok] | all' "$r")"
expect_eq "timeline adds up to the requests" 2000 "$(jq '[.timeline[].requests] | add' "$r")"
# keep-alive: nginx accepted about one connection per user, not per request
accepts=$(curl -s "$base/nginx_status" | awk 'NR==3 {print $1}')
if [ -n "$accepts" ] && [ "$accepts" -le 120 ]; then ok "keep-alive: $accepts connections for 2000 requests"
else fail "keep-alive: nginx accepted '$accepts' connections for 2000 requests"; fi
grep -q "hello" "$TMP/hello.out" && ok "report printed" || fail "report not printed"
[ -s "$TMP/hello-result.txt" ] && ok "text report written beside the result" || fail "no text report"

# A step's latency is its own: not the think time before it, not the step
# before it (a regression: the first request's start once carried over).
cat > "$TMP/steps.json" <<JSON
{"name": "steps", "base_url": "$base",
 "load": {"users": 4, "iterations": 3, "think": "1s"},
 "scenarios": [{"steps": [{"name": "a", "method": "POST", "path": "/job", "expect": {"status": 202}},
                          {"name": "b", "path": "/hello"},
                          {"name": "c", "poll": {"path": "/json", "every": "1s", "timeout": "10s", "until": {"\$.state": "SUCCESS"}}}]}]}
JSON
"$HERD" run "$TMP/steps.json" -o "$TMP/steps-r.json" -q > /dev/null 2>&1
expect_eq "multi-step run" 0 "$?"
for t in b "c poll"; do
    # Loopback nginx answers in well under a millisecond; a think time of
    # 1 s leaking into the latency would put p50 near 1 s.
    p50=$(jq --arg t "$t" '.transactions[] | select(.name==$t and .kind=="request") | .p50_us' "$TMP/steps-r.json")
    svc=$(jq --arg t "$t" '.transactions[] | select(.name==$t and .kind=="request") | .service_p50_us' "$TMP/steps-r.json")
    if [ "$p50" -lt 500000 ]; then ok "step '$t' latency excludes the think time (p50 ${p50}us)"
    else fail "step '$t' p50 ${p50}us includes the think time"; fi
    expect_eq "closed model: step '$t' corrected p50 = uncorrected" "$svc" "$p50"
done

# 500s are counted as status errors with the code; a refused port as connect.
dead=$(free_port)
cat > "$TMP/errors.json" <<JSON
{"name": "errors", "base_url": "$base",
 "load": {"users": 4, "iterations": 5},
 "scenarios": [
   {"name": "s500", "weight": 1, "steps": [{"name": "boom", "path": "/status500"}]},
   {"name": "dead", "weight": 1, "steps": [{"name": "refused", "url": "http://127.0.0.1:$dead/"}]}],
 "thresholds": ["http error_rate < 1%"]}
JSON
"$HERD" run "$TMP/errors.json" -o "$TMP/errors-result.json" -q > /dev/null 2>&1
# No iteration succeeded: exit 10, which outranks the failed threshold's 1
# (README, Exit codes).
expect_eq "every iteration failed: exit 10 before the threshold's 1" 10 "$?"
r="$TMP/errors-result.json"
expect_eq "every iteration failed" 20 "$(jq '.iterations.failed' "$r")"
expect_eq "accounting adds up" 20 "$(jq '.iterations.succeeded + .iterations.failed + .iterations.interrupted' "$r")"
expect_eq "500s classified" "$(jq '.transactions[] | select(.name=="boom") | .count' "$r")" \
    "$(jq '.transactions[] | select(.name=="boom") | .errors_by["status: 500"]' "$r")"
expect_eq "refused classified as connect" "$(jq '.transactions[] | select(.name=="refused") | .count' "$r")" \
    "$(jq '.transactions[] | select(.name=="refused") | .errors_by["connect"]' "$r")"

# Open model: 100 arrivals/s for 3 s is 300 iterations (+-1 at the edges).
cat > "$TMP/open.json" <<JSON
{"name": "open", "base_url": "$base",
 "load": {"rate": 100, "max_users": 50, "duration": "3s"},
 "scenarios": [{"steps": [{"name": "hello", "path": "/hello"}]}]}
JSON
"$HERD" run "$TMP/open.json" -o "$TMP/open-result.json" -q > /dev/null 2>&1
expect_eq "open model exit" 0 "$?"
n=$(jq '.iterations.started' "$TMP/open-result.json")
if [ "$n" -ge 299 ] && [ "$n" -le 301 ]; then ok "open model started $n of 300 arrivals"
else fail "open model started $n iterations, expected 300"; fi
expect_eq "open model dropped none" 0 "$(jq '.iterations.dropped' "$TMP/open-result.json")"

# merge: two results add up exactly; CSV has one row per transaction.
"$HERD" merge "$TMP/hello-result.json" "$TMP/open-result.json" -o "$TMP/merged.json" 2>/dev/null
expect_eq "merge exit" 0 "$?"
a=$(jq '.transactions[] | select(.name=="hello") | .count' "$TMP/hello-result.json")
b=$(jq '.transactions[] | select(.name=="hello") | .count' "$TMP/open-result.json")
expect_eq "merged count is the sum" $((a + b)) "$(jq '.transactions[] | select(.name=="hello") | .count' "$TMP/merged.json")"
expect_eq "merged iterations" $(( $(jq .iterations.started "$TMP/hello-result.json") + n )) "$(jq .iterations.started "$TMP/merged.json")"
"$HERD" report "$TMP/merged.json" --csv > "$TMP/merged.csv"
expect_eq "CSV rows (header + 1 tx)" 2 "$(wc -l < "$TMP/merged.csv")"
finish
