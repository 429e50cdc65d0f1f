#!/usr/bin/env bash
# End-to-end: the bundled demo plan against the Flask + Celery + Redis
# target. Setup logs in, every flow is accounted for, and the poll wait
# ("container time") agrees with the configured job duration.
. "$(dirname "$0")/lib.sh"

port=$(free_port)
export TARGET_JOB_SECONDS=1 TARGET_MAX_QUEUE=500
"$REPO/scripts/target" start "$TMP/target" "$port" > "$TMP/target.out" 2>&1 || {
    cat "$TMP/target.out"; fail "target did not start"; finish; }
trap '"$REPO/scripts/target" stop "$TMP/target" >/dev/null 2>&1; cleanup' EXIT
export TARGET_URL="http://127.0.0.1:$port" ADMIN_USER=admin ADMIN_PASSWORD=admin-secret

# 10 users x 3 iterations of the demo plan's scenarios.
"$HERD" run "$REPO/tests/plans/demo.json" --iterations 3 --users 10 \
    -o "$TMP/demo.json" -q > "$TMP/demo.out" 2>&1
rc=$?
expect_eq "demo plan exit" 0 "$rc"
r="$TMP/demo.json"
expect_eq "iterations started" 30 "$(jq .iterations.started "$r")"
expect_eq "all iterations succeeded" 30 "$(jq .iterations.succeeded "$r")"
assign=$(jq '[.transactions[] | select(.name=="assign container") | .status["202"] // 0] | add // 0' "$r")
flows=$(jq '[.transactions[] | select(.kind=="flow") | .count] | add // 0' "$r")
health=$(jq '[.transactions[] | select(.name=="health") | .count] | add // 0' "$r")
expect_eq "one container flow per accepted assign" "$assign" "$flows"
expect_eq "every iteration is an assign flow or a health check" 30 $((flows + health))
expect_eq "no flow failed" 0 "$(jq '[.transactions[] | select(.kind=="flow") | .errors] | add // 0' "$r")"
if [ "$flows" -gt 0 ]; then
  # The job takes 1 s and starts at the assign; the first poll goes out
  # after the plan's think time (100-300 ms) and polls come every 250 ms:
  # the wait is 1 s - think .. 1 s + one poll interval (+ slack).
  mn=$(jq '.transactions[] | select(.kind=="flow") | .min_us' "$r")
  mx=$(jq '.transactions[] | select(.kind=="flow") | .max_us' "$r")
  if [ "$mn" -ge 600000 ] && [ "$mx" -le 2000000 ]; then ok "container time ${mn}..${mx}us fits a 1 s job"
  else fail "container time ${mn}..${mx}us does not fit a 1 s job"; fi
fi
expect_eq "setup is not a load transaction" 0 "$(jq '[.transactions[] | select(.name=="login")] | length' "$r")"
expect_eq "setup errors" 0 "$(jq '.setup_errors | length' "$r")"
if grep -q admin-secret "$r" "$TMP/demo.out" "$TMP/demo.txt" "$TMP/demo.html"; then fail "password leaked into an artifact"
else ok "password not in the result or report"; fi

# A wrong password fails setup: exit 4, reported, and no load is sent.
ADMIN_PASSWORD=wrong "$HERD" run "$REPO/tests/plans/demo.json" --iterations 1 \
    -o "$TMP/bad.json" -q > "$TMP/bad.out" 2>&1
expect_eq "failed setup exits 4" 4 "$?"
expect_eq "setup failure reported" 1 "$(jq '.setup_errors | length' "$TMP/bad.json")"
expect_eq "no load after a failed setup" 0 "$(jq .iterations.started "$TMP/bad.json")"
finish
