#!/usr/bin/env bash
# End-to-end: the weekly plan's whole life (tests/plans/weekly.json) against
# the demo target (Flask + Celery + Redis), checked in the target's own
# Redis records, not in herd's output alone: setup creates the cluster and
# waits for it, every user registers exactly once (on_start) before its
# first assign, the warm-up is kept out of the load's numbers, the assign
# bodies are the old system's, teardown deletes the cluster after a
# success, a failure in the middle of the load, a Ctrl-C, a crashed shard
# and a failing teardown; a second run meets "user exists" (409) and still succeeds; a
# distributed run registers each user on its own shard only; the Slack
# notification reaches a local capture server, on failure too, without a
# secret in it.
. "$(dirname "$0")/lib.sh"

port=$(free_port)
export TARGET_JOB_SECONDS=0.3 TARGET_CLUSTER_SECONDS=0.3 TARGET_MAX_QUEUE=500
export TARGET_REQUIRE_USERS=1      # an assign for an unregistered user: 403
"$REPO/scripts/target" start "$TMP/target" "$port" > "$TMP/target.out" 2>&1 || {
    cat "$TMP/target.out"; fail "target did not start"; finish; }
dpids=""
trap 'for p in $dpids; do kill $p 2>/dev/null; done; "$REPO/scripts/target" stop "$TMP/target" >/dev/null 2>&1; cleanup' EXIT
export TARGET_URL="http://127.0.0.1:$port" ADMIN_USER=admin ADMIN_PASSWORD=admin-secret
export WARMUP_DURATION=1s
unset TASK_DEFINITION_ARN
plan="$REPO/tests/plans/weekly.json"
R() { /usr/bin/redis-cli -p "$(cat "$TMP/target/redis.port")" "$@"; }
hnum() { local v; v=$(R hget "$1" "$2"); echo "${v:-0}"; }
# The target's account of the cluster: "create load_test_cluster" and
# "delete load_test_cluster" requests in order, and its state now.
cluster_life() { echo "$(R lrange target:cluster_log 0 -1 | tr '\n' ' ')$(R hget target:clusters load_test_cluster)"; }
STAGING_BODY='{"cluster_name": "load_test_cluster", "region_name": "us-east-1", "task_definition_arn": "fractal-staging-browsers-chrome", "username": "*"}'

"$HERD" check "$plan" > "$TMP/check.out" 2>&1
expect_eq "herd check passes the weekly plan" 0 "$?"

# 1. The whole life: 5 users for 4 s after a 1-user, 1 s warm-up.
"$HERD" run "$plan" --users 5 --duration 4s -o "$TMP/r1.json" -q > "$TMP/r1.out" 2>&1
expect_eq "run 1: exit 0" 0 "$?"
r="$TMP/r1.json"
expect_eq "run 1: the target created the cluster, then deleted it" \
    "create load_test_cluster delete load_test_cluster DELETED" "$(cluster_life)"
expect_eq "run 1: users 1..5 exist in the target, each registered once" \
    "load_test_user_1 load_test_user_2 load_test_user_3 load_test_user_4 load_test_user_5" \
    "$(R hkeys target:users | sort -V | tr '\n' ' ' | sed 's/ $//')"
expect_eq "run 1: 5 registrations created (200), the warm-up's user 1 met 409 once in the load" \
    "5 1" "$(hnum target:register 200) $(hnum target:register 409)"
expect_eq "run 1: the registration body is the old one (all four fields the name)" \
    '{"feedback":"load_test_user_3","name":"load_test_user_3","password":"load_test_user_3","username":"load_test_user_3"}' \
    "$(R hget target:users load_test_user_3 | jq -c .)"
expect_eq "run 1: no assign for a user not yet registered (target 403s)" 0 "$(hnum target:assign 403)"
expect_eq "run 1: every assign body is the old system's (staging task definition for 127.0.0.1)" \
    "$STAGING_BODY" "$(R smembers target:assign_bodies)"
expect_eq "run 1: user_setup in the result" '{"users":5,"ok":5,"failed":0,"interrupted":0}' \
    "$(jq -c .user_setup "$r")"
expect_eq "run 1: registration is not a load transaction" 0 \
    "$(jq '[.transactions[] | select(.name == "register user")] | length' "$r")"
# The target answered 202 to every assign, warm-up and load: the load's
# count is the target's minus the warm-up's.
wu=$(jq '[.warmup.transactions[] | select(.name == "assign container") | .count] | add' "$r")
ld=$(jq '[.transactions[] | select(.name == "assign container") | .status["202"] // 0] | add' "$r")
[ "$wu" -gt 0 ] && ok "run 1: the warm-up ran ($wu assigns)" || fail "run 1: no warm-up assign ($wu)"
expect_eq "run 1: load assigns + warm-up assigns = the target's 202s" "$(hnum target:assign 202)" $((wu + ld))
expect_eq "run 1: the warm-up's 1 user" 1 "$(jq .warmup.users "$r")"
grep -q '^per-user setup (on_start, not in the statistics): 5 users, 5 ok' "$TMP/r1.txt" &&
    ok "run 1: report has the per-user setup line" || fail "run 1: report: $(grep -i setup "$TMP/r1.txt")"
grep -q '^warm-up (not in the statistics or thresholds): 1 user for 1s' "$TMP/r1.txt" &&
    ok "run 1: report has the warm-up section" || fail "run 1: report: $(grep -i warm "$TMP/r1.txt")"
grep -q '<h2>Measured apart: per-user setup and warm-up</h2><pre>per-user setup (on_start, not in the statistics): 5 users' "$TMP/r1.html" &&
    ok "run 1: the HTML report has them too" || fail "run 1: HTML report lacks the per-user setup / warm-up section"
if grep -q admin-secret "$r" "$TMP/r1.txt" "$TMP/r1.out"; then fail "run 1: password leaked"; else ok "run 1: password not in the result or report"; fi

# 2. Next week: every user exists (409) and the run still succeeds.
R del target:cluster_log > /dev/null
c409=$(hnum target:register 409)
"$HERD" run "$plan" --users 5 --duration 3s -o "$TMP/r2.json" -q > "$TMP/r2.out" 2>&1
expect_eq "run 2: exit 0 with every user existing" 0 "$?"
expect_eq "run 2: 409 for the warm-up's user and the 5 load users, no new user" \
    "6 5" "$(( $(hnum target:register 409) - c409 )) $(hnum target:register 200)"
expect_eq "run 2: user_setup ok" '{"users":5,"ok":5,"failed":0,"interrupted":0}' "$(jq -c .user_setup "$TMP/r2.json")"
expect_eq "run 2: cluster created and deleted again" \
    "create load_test_cluster delete load_test_cluster DELETED" "$(cluster_life)"

# 3. A failure in the middle of the load: once the load's assigns reach
#    the target, every new container job fails (target:fail_jobs) until 3
#    have failed. The run fails, the teardown still runs, and the result
#    counts exactly the flows the target failed.
R del target:cluster_log > /dev/null
jobs_failed() { R hvals target:jobs | grep -c FAILURE; }
f0=$(jobs_failed)
a0=$(hnum target:assign 202)
"$HERD" run "$plan" --users 4 --duration 8s -o "$TMP/r3.json" -q > "$TMP/r3.out" 2>&1 &
pid=$!
wait_for '[ "$(hnum target:assign 202)" -ge $((a0 + 12)) ]' 90 || fail "run 3: no load reached the target"
R set target:fail_jobs 1 > /dev/null
wait_for '[ "$(jobs_failed)" -ge $((f0 + 3)) ]' 60 || fail "run 3: no job failed"
R del target:fail_jobs > /dev/null
wait "$pid"
rc=$?
[ "$rc" -ne 0 ] && ok "run 3: a failure mid-load fails the run (exit $rc)" || fail "run 3: exit 0 despite failed flows"
expect_eq "run 3: failed flows in the result = jobs the target failed" \
    $(( $(jobs_failed) - f0 )) "$(jq '[.transactions[] | select(.name == "container ready") | .errors] | add' "$TMP/r3.json")"
expect_eq "run 3: teardown deleted the cluster after the failure" \
    "create load_test_cluster delete load_test_cluster DELETED" "$(cluster_life)"

# 4. Ctrl-C in the middle of a 60 s load: exit 5, the result on disk
#    (interrupted), and the cluster deleted.
R del target:cluster_log > /dev/null
a0=$(hnum target:assign 202)
"$HERD" run "$plan" --users 4 --duration 60s -o "$TMP/r4.json" -q > "$TMP/r4.out" 2>&1 &
pid=$!
wait_for '[ "$(hnum target:assign 202)" -ge $((a0 + 12)) ]' 90 || fail "run 4: no load reached the target"
kill -INT "$pid"
wait "$pid"
expect_eq "run 4: Ctrl-C exits 5" 5 "$?"
expect_eq "run 4: the result says interrupted" true "$(jq .interrupted "$TMP/r4.json")"
[ "$(jq .iterations.succeeded "$TMP/r4.json")" -gt 0 ] && ok "run 4: the load's measurements are kept" ||
    fail "run 4: nothing measured: $(jq -c .iterations "$TMP/r4.json")"
expect_eq "run 4: teardown deleted the cluster after Ctrl-C" \
    "create load_test_cluster delete load_test_cluster DELETED" "$(cluster_life)"

# 5. A failing teardown (the target refuses the deletion): exit 4, named
#    in the result and the report, and the load's own result is intact.
R del target:cluster_log > /dev/null
R set target:fail_delete 1 > /dev/null
"$HERD" run "$plan" --users 3 --duration 3s -o "$TMP/r5.json" -q > "$TMP/r5.out" 2>&1
expect_eq "run 5: a failed teardown exits 4" 4 "$?"
R del target:fail_delete > /dev/null
jq -r '.setup_errors[]' "$TMP/r5.json" | grep -q '^teardown\[1\] cluster deleted' &&
    ok "run 5: the teardown failure is in the result" || fail "run 5: setup_errors $(jq -c .setup_errors "$TMP/r5.json")"
grep -q 'cluster deleted' "$TMP/r5.txt" && ok "run 5: and in the report" || fail "run 5: report lacks the teardown failure"
[ "$(jq .iterations.succeeded "$TMP/r5.json")" -gt 0 ] && [ "$(jq '[.thresholds[] | .ok] | all' "$TMP/r5.json")" = true ] &&
    ok "run 5: the load's result is intact (iterations, thresholds pass)" || fail "run 5: load result $(jq -c .iterations "$TMP/r5.json")"
expect_eq "run 5: the target still has the cluster (deletion refused)" \
    "create load_test_cluster delete load_test_cluster ACTIVE" "$(cluster_life)"

# 5b. A registration that fails (the target answers 500): every user's
#     on_start is reported, the run exits 4, and the users' assigns show
#     what an unregistered user gets (403), in the load's own numbers.
R set target:fail_register 1 > /dev/null
R del target:users > /dev/null
"$HERD" run "$plan" --users 3 --duration 2s -o "$TMP/r5b.json" -q > "$TMP/r5b.out" 2>&1
expect_eq "on_start failing: exit 4" 4 "$?"
R del target:fail_register > /dev/null
expect_eq "on_start failing: user_setup counts the failures" '{"users":3,"ok":0,"failed":3,"interrupted":0}' \
    "$(jq -c .user_setup "$TMP/r5b.json")"
jq -r '.setup_errors[]' "$TMP/r5b.json" | grep -q '^on_start user [123]: register user: status: 500 (expected 200,409)' &&
    ok "on_start failing: the failure line names user, step and status" || fail "on_start failing: $(jq -c .setup_errors "$TMP/r5b.json")"
expect_eq "on_start failing: no registration is a load transaction" 0 \
    "$(jq '[.transactions[] | select(.name == "register user")] | length' "$TMP/r5b.json")"

# 6. The task definition: "localhost" in the URL picks dev, and
#    TASK_DEFINITION_ARN overrides the rule.
R del target:assign_bodies > /dev/null
TARGET_URL="http://localhost:$port" "$HERD" run "$plan" --users 1 --iterations 1 \
    -o "$TMP/r6.json" -q > "$TMP/r6.out" 2>&1
R smembers target:assign_bodies | grep -q '"task_definition_arn": "fractal-dev-browsers-chrome"' &&
    ok "localhost target: fractal-dev-browsers-chrome" || fail "localhost target: $(R smembers target:assign_bodies)"
R del target:assign_bodies > /dev/null
TASK_DEFINITION_ARN=my-task-def "$HERD" run "$plan" --users 1 --iterations 1 \
    -o "$TMP/r7.json" -q > "$TMP/r7.out" 2>&1
expect_eq "TASK_DEFINITION_ARN overrides the rule" \
    '["my-task-def"]' "$(R smembers target:assign_bodies | jq -sc 'map(.task_definition_arn)')"

# 7. Distributed (the local Lambda double, 2 shards, 6 users): each shard
#    registers only its own users: every user exactly once more.
zip="$REPO/build/lambda/herd-lambda.zip"
# The bootstrap itself is test_lambda_dist's subject; here the shards'
# user numbering is: without the zip they run $HERD.
if [ -f "$zip" ]; then pkg=(--zip "$zip"); else pkg=(--bootstrap "$HERD"); fi
export AWS_ACCESS_KEY_ID=AKIDHERDTEST AWS_SECRET_ACCESS_KEY=herd-test-secret AWS_REGION=us-east-1
unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL_LAMBDA
dport=$(free_port)
/usr/bin/python3 "$REPO/tests/lambda/double.py" "$dport" "${pkg[@]}" \
    --log "$TMP/double.log" --stderr "$TMP/double.err" &
dpids="$dpids $!"
wait_for 'curl -s --max-time 5 -o /dev/null "http://127.0.0.1:$dport/"' 60 || fail "lambda double did not start"
before=$(R hgetall target:register_by_user | paste - - | sort)
"$HERD" run "$plan" --lambda herd --endpoint "http://127.0.0.1:$dport" --invocations 2 \
    --start-delay 1s --users 6 --duration 3s -o "$TMP/r8.json" -q > "$TMP/r8.out" 2>&1
expect_eq "distributed: exit 0" 0 "$?"
after=$(R hgetall target:register_by_user | paste - - | sort)
deltas=$(join -a 2 -e 0 -o 0,1.2,2.2 <(echo "$before" | tr '\t' ' ') <(echo "$after" | tr '\t' ' ') |
         awk '{print $1 "=" $3 - $2}' | sort -V | tr '\n' ' ')
expect_eq "distributed: users 1..6 each registered once (user 1 also in the warm-up)" \
    "load_test_user_1=2 load_test_user_2=1 load_test_user_3=1 load_test_user_4=1 load_test_user_5=1 load_test_user_6=1 " "$deltas"
expect_eq "distributed: each shard set up its own 3 users" "3 3" \
    "$(jq -s -r 'map(.user_setup.users) | sort | map(tostring) | join(" ")' "$TMP"/r8.shards/*.json)"
expect_eq "distributed: merged user_setup" '{"users":6,"ok":6,"failed":0,"interrupted":0}' "$(jq -c .user_setup "$TMP/r8.json")"

# 7b. A shard that crashes: exit 9, the other shard's load kept, and the
#     teardown still deletes the cluster.
R del target:cluster_log > /dev/null
cport2=$(free_port)
/usr/bin/python3 "$REPO/tests/lambda/double.py" "$cport2" "${pkg[@]}" --crash-shard 1 \
    --log "$TMP/crash.log" --stderr "$TMP/crash.err" &
dpids="$dpids $!"
wait_for 'curl -s --max-time 5 -o /dev/null "http://127.0.0.1:$cport2/"' 60 || fail "crashing lambda double did not start"
"$HERD" run "$plan" --lambda herd --endpoint "http://127.0.0.1:$cport2" --invocations 2 \
    --start-delay 1s --users 4 --duration 3s -o "$TMP/r9.json" -q > "$TMP/r9.out" 2>&1
expect_eq "failed shard: exit 9" 9 "$?"
expect_eq "failed shard: 1 ok, 1 failed" "1 1" "$(jq -r '"\(.shards.ok) \(.shards.failed)"' "$TMP/r9.json")"
expect_eq "failed shard: teardown deleted the cluster" \
    "create load_test_cluster delete load_test_cluster DELETED" "$(cluster_life)"

# 8. The Slack notification (scripts/notify-slack) to a local capture
#    server: the verdict and numbers, sent on failure too, no secret.
cport=$(free_port)
/usr/bin/python3 - "$cport" "$TMP/slack" <<'PY' &
import http.server, sys, os
out = sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(n)
        i = len(os.listdir(out)) if os.path.isdir(out) else 0
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "%d.json" % i), "wb") as f:
            f.write(body)
        self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
dpids="$dpids $!"
wait_for "curl -s -o /dev/null http://127.0.0.1:$cport/" 30 || true
hook="http://127.0.0.1:$cport/services/T000/B000/hooksecret123"
# What `herd compare` prints (its layout; the numbers are made up).
cat > "$TMP/compare.txt" <<'TXT'
comparing run:this
     with the last 3 runs
transaction                  metric       baseline    current    change  verdict
assign container             p95            10.0ms     30.0ms   +200.0%  REGRESSION
container ready              p50             500ms      510ms     +2.0%  ok
                             p95             520ms    540.8ms     +4.0%  ok

1 regression beyond the tolerances
TXT
SLACK_WEBHOOK_URL="$hook" RUN_URL="https://github.example/run/1" \
    "$REPO/scripts/notify-slack" "$TMP/r1.json" --compare "$TMP/compare.txt" > "$TMP/n1.out" 2>&1
expect_eq "notify: success message sent" 0 "$?"
m1=$(jq -r .text "$TMP/slack/0.json" 2>/dev/null)
echo "$m1" | grep -q 'PASS' && echo "$m1" | grep -q 'weekly-staging' && echo "$m1" | grep -q 'https://github.example/run/1' &&
    ok "notify: verdict, plan and link in the message" || fail "notify: message was: $m1"
flows=$(jq '.summary.flows.count' "$TMP/r1.json")
echo "$m1" | grep -q "flows $flows" && ok "notify: flow count ($flows) in the message" || fail "notify: no 'flows $flows' in: $m1"
echo "$m1" | grep -q 'p95 container time' && echo "$m1" | grep -q 'error rate' && echo "$m1" | grep -q '+4.0%' &&
    echo "$m1" | grep -q 'assign container .*REGRESSION' && echo "$m1" | grep -q '1 regression beyond' &&
    ok "notify: p95 container time, error rate and the comparison" || fail "notify: numbers missing: $m1"
SLACK_WEBHOOK_URL="$hook" RUN_URL="https://github.example/run/2" \
    "$REPO/scripts/notify-slack" "$TMP/r5.json" > "$TMP/n2.out" 2>&1
expect_eq "notify: exits 0 after a failed run too" 0 "$?"
m2=$(jq -r .text "$TMP/slack/1.json" 2>/dev/null)
echo "$m2" | grep -q 'FAIL' && echo "$m2" | grep -q 'cluster deleted' &&
    ok "notify: failure message names the failure" || fail "notify: failure message: $m2"
if grep -rq -e hooksecret123 -e admin-secret "$TMP/slack" "$TMP/n1.out" "$TMP/n2.out"; then
    fail "notify: a secret reached the message or the output"
else ok "notify: no secret in the messages or output"; fi
env -u SLACK_WEBHOOK_URL "$REPO/scripts/notify-slack" "$TMP/r1.json" > "$TMP/n3.out" 2>&1
expect_eq "notify: no webhook: skipped with a notice, exit 0" "0 1" "$? $(grep -c '::notice' "$TMP/n3.out")"
expect_eq "notify: nothing sent without a webhook" 2 "$(ls "$TMP/slack" | wc -l)"
finish
