#!/usr/bin/env bash
# The demo target is a faithful double of the brief's webserver: login,
# bearer auth, 202 + Celery task id, PENDING/STARTED -> SUCCESS, FAILURE on
# request, 400 for a bad id, 503 when the queue is full.
. "$(dirname "$0")/lib.sh"

port=$(free_port)
export TARGET_JOB_SECONDS=1 TARGET_MAX_QUEUE=2
"$REPO/scripts/target" start "$TMP/target" "$port" > "$TMP/target.out" 2>&1 || {
    cat "$TMP/target.out"; fail "target did not start"; finish; }
trap '"$REPO/scripts/target" stop "$TMP/target" >/dev/null 2>&1; cleanup' EXIT
base="http://127.0.0.1:$port"
post() { curl -s -o "$TMP/body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' "$@"; }

expect_eq "health" "OK" "$(curl -s "$base/")"
expect_eq "wrong password" 401 "$(post -d '{"username":"admin","password":"x"}' "$base/admin/login")"
expect_eq "login" 200 "$(post -d '{"username":"admin","password":"admin-secret"}' "$base/admin/login")"
tok=$(jq -r .access_token "$TMP/body")
expect_eq "refresh token issued" true "$(jq 'has("refresh_token")' "$TMP/body")"
auth="Authorization: Bearer $tok"
expect_eq "assign without a token" 401 "$(post -d '{"username":"u1"}' "$base/aws_container/assign_container")"
expect_eq "assign" 202 "$(post -H "$auth" -d '{"username":"u1","seconds":1}' "$base/aws_container/assign_container")"
id=$(jq -r .ID "$TMP/body")
[[ "$id" =~ ^[0-9a-f-]{36}$ ]] && ok "assign returns a task uuid" || fail "bad ID '$id'"
# It runs 3 s so that the queue is still full a moment later however busy
# this machine is (a 0.2 s job could finish before the next assign).
expect_eq "assign that will fail" 202 "$(post -H "$auth" -d '{"username":"u2","seconds":3,"fail":true}' "$base/aws_container/assign_container")"
fid=$(jq -r .ID "$TMP/body")
# Queue of 2 is now full: the next one is told to retry.
expect_eq "queue full answers 503" 503 "$(post -H "$auth" -d '{"username":"u3"}' "$base/aws_container/assign_container")"
states=""
for _ in $(seq 600); do     # up to 60 s: a busy machine runs the job late
    s=$(curl -s -H "$auth" "$base/status/$id" | jq -r .state)
    case " $states " in *" $s "*) ;; *) states="$states $s" ;; esac
    [ "$s" = SUCCESS ] && break
    sleep 0.1
done
case "$states" in *STARTED*SUCCESS*) ok "states went through STARTED to SUCCESS ($states)";;
    *) fail "states seen: $states";; esac
wait_for '[ "$(curl -s -H "$auth" "$base/status/$fid" | jq -r .state)" = FAILURE ]' 60
expect_eq "failed job reports FAILURE" FAILURE "$(curl -s -H "$auth" "$base/status/$fid" | jq -r .state)"
expect_eq "bad id is 400" 400 "$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$base/status/not-a-uuid")"
expect_eq "queue drains: assign accepted again" 202 "$(post -H "$auth" -d '{"username":"u4","seconds":0.1}' "$base/aws_container/assign_container")"
finish
