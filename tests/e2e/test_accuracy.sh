#!/usr/bin/env bash
# End-to-end accuracy: herd's numbers against independent truth — what the
# server logged (nginx's access log: $request_time and one line per
# request) and what the plan scheduled (rates, think times, durations).
#
# The target is a private nginx with the echo module (Debian's
# libnginx-mod-http-echo): /sleep/0, /sleep/5 and /sleep/20 answer "ok"
# after 0, 5 and 20 ms (echo_sleep, a timer — the worker is idle meanwhile,
# so one worker serves thousands of them at once). Each run tags its
# requests with "?r=NAME", so one access log holds every run and
# tests/tools/accuracy.py picks a run's lines by their exact $request_uri.
#
# Latency tolerance (the "latency" checks): herd minus server must lie in
#   [-1 ms, max(A, F x server) + 1 ms]
# herd's latency is the server's time plus loopback and client overhead, so
# the difference is >= 0 and small; the 1 ms on both sides is nginx's
# resolution ($request_time is the difference of two ms-truncated clock
# readings, off by up to 1 ms either way). p50: A = 1 ms, F = 5 %.
# p99: A = 10 ms, F = 25 % (why: see "tolerances" below).
# None of the slack comes near the defects this file is for: a leaked
# 100 ms think, a 5-6 ms arrival-tick offset, a run 100 ms too long.
# These tolerances hold when herd gets its CPUs; each run measures how
# long herd's threads waited for one, and a latency check that fails on a
# machine that kept herd waiting is a counted, expected skip (judge_lat).
#
# A check that cannot run is a counted skip (lib.sh's skip): never a pass,
# and a failure of the suite under CI=true (scripts/run-e2e).
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
ACC="$REPO/tests/tools/accuracy.py"

# judge ARGS...: runs accuracy.py ARGS and counts each "ok"/"fail" line.
judge() {
    local out line
    out=$("$PY" "$ACC" "$@" 2>&1)
    [ -n "$out" ] || { fail "accuracy.py $1 printed nothing"; return; }
    while IFS= read -r line; do
        case "$line" in
            "ok "*) ok "${line#ok }" ;;
            "fail "*) fail "${line#fail }" ;;
            *) fail "accuracy.py $1: $line" ;;
        esac
    done <<< "$out"
}

# --- tolerances ----------------------------------------------------------
# P50/P99: herd minus server within [-1 ms, max(A, F x server) + 1 ms], see
# the top of this file. TL: a whole timeline second against the planned
# rate. DUR: duration_s in seconds. STALL_US: the stall run against its
# analytic values.
# p99 is wider than p50 on purpose: on a busy 2-core machine (CI, a
# parallel build, a CPU hog) the scheduler parks herd or nginx for a few
# ms now and then, and nginx's $request_time does not see a request that
# waits in the kernel for it -- measured up to +8 ms at p99 with the server
# itself logging 20 ms for a 5 ms sleep. The defects this file is for are
# offsets every sample has (a leaked think, a tick), which p50 catches
# within 1 ms; p99 still catches a tail that is off by more than 10 ms.
P50="--abs-ms 1 --rel 0.05"; P99="--abs-ms 10 --rel 0.25"
TL=0.02; DUR=0.02; STALL_US=50000
# Under ASan + UBSan (make SANITIZE=... sets HERD_SANITIZE) herd runs 2-3x
# slower and checks every allocation: that pass is for memory safety, and
# the timing bounds above are the normal build's to prove. There every
# count, schedule and accounting check stays exact; only the latency,
# per-second and duration bounds widen, and the run says so.
if [ -n "${HERD_SANITIZE:-}" ]; then
    P50="--abs-ms 25 --rel 0.50"; P99="--abs-ms 250 --rel 2.0"
    TL=0.20; DUR=0.25; STALL_US=250000
    echo "  (sanitizer build ($HERD_SANITIZE): latency, per-second and duration bounds relaxed; counts exact)"
fi

# judge_lat NAME ARGS...: a latency check (judge latency ARGS) of run
# NAME, judged against the CPU herd got in that run. A percentile measures
# the client's own overhead only when herd's threads were not kept waiting
# for a CPU: a thread that waits (a busy shared machine, another job, a
# CPU hog) adds a scheduler time slice to the samples it was about to
# complete. Once the waiting reaches the share of samples that can move
# the percentile — 1 % of the run's thread time for p99 (its top 1 %),
# 10 % for p50 (a fifth of the upper half) — a failed check says nothing
# about herd: it is a counted skip, declared expected, with the
# measurement. Below that it is a failure; a passing check always counts.
judge_lat() {
    local name=$1 out line budget share=10; shift
    case " $* " in *" --pct p99 "*) share=1 ;; esac
    budget=$(jq --argjson s "$share" '(.duration_s // 0) * 1000 * 2 * $s / 100 | floor' "$TMP/$name.json")
    out=$("$PY" "$ACC" latency "$@" 2>&1)
    [ -n "$out" ] || { fail "accuracy.py latency printed nothing"; return; }
    while IFS= read -r line; do
        case "$line" in
            "ok "*) ok "${line#ok }" ;;
            "fail "*)
                if [ "$waited" -ge "$budget" ]; then
                    skip --expected "CPU contended: herd's threads waited ${waited} ms for a CPU, >= $share % of the run's thread time (${budget} ms)" "${line#fail }"
                else fail "${line#fail } (herd's threads waited ${waited} ms for a CPU)"; fi ;;
            *) fail "accuracy.py latency: $line" ;;
        esac
    done <<< "$out"
}

# --- the ground-truth server -------------------------------------------
# One worker (so "the server" is one process we can freeze): see
# scripts/nginx-echo.
port=$(free_port)
nd="$TMP/nginx"
log="$nd/access.log"
worker=""
trap '"$REPO/scripts/nginx-echo" stop "$nd"; cleanup' EXIT
if ! base=$("$REPO/scripts/nginx-echo" start "$nd" "$port" 2>"$TMP/nginx-echo.err"); then
    skip "nginx with the echo module did not start: $(cat "$TMP/nginx-echo.err")"
    finish
fi
master=$(cat "$nd/nginx.pid")
worker=$(ps -o pid= --ppid "$master" | tr -d ' ' | head -n 1)
# The echo module really sleeps: /sleep/20 logs 20 ms (to 30 ms: one
# request on a busy machine), /sleep/0 under 10 ms.
curl -fs -o /dev/null "$base/sleep/0?r=probe"
rt=$(awk '$3 == "/sleep/0?r=probe" {print $2; exit}' "$log")
curl -fs -o /dev/null "$base/sleep/20?r=probe20"
rt20=$(awk '$3 == "/sleep/20?r=probe20" {print $2; exit}' "$log")
if awk -v a="${rt:-x}" -v b="${rt20:-x}" 'BEGIN {exit !(a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ &&
        a + 0 < 0.010 && b + 0 >= 0.019 && b + 0 <= 0.030)}'; then
    ok "ground truth: /sleep/0 logs $rt s, /sleep/20 logs $rt20 s"
else fail "ground truth: /sleep/0 logged '$rt', /sleep/20 logged '$rt20'"; fi

# sample_cpu PID FILE: until PID ends, writes to FILE the ms its threads
# have spent runnable but without a CPU (run_delay, the sum over
# /proc/PID/task/*/schedstat; the most seen, sampled every 0.1 s: threads
# that ended take theirs with them).
sample_cpu() {
    local t m=0
    echo 0 > "$2"
    while [ -e "/proc/$1/task" ]; do
        t=$(cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $2} END {printf "%d", s / 1e6}')
        [ "${t:-0}" -gt "$m" ] && { m=$t; echo "$m" > "$2"; }
        sleep 0.1
    done
}
# run NAME ARGS...: herd run with the result in $TMP/NAME.json; sets $rc,
# and $waited (sample_cpu's figure for the run).
run() {
    local name=$1 pid sp; shift
    "$HERD" run "$@" -o "$TMP/$name.json" -q > "$TMP/$name.out" 2>&1 &
    pid=$!
    sample_cpu "$pid" "$TMP/$name.waited" & sp=$!
    wait "$pid"
    rc=$?
    wait "$sp"
    waited=$(cat "$TMP/$name.waited")
    echo "       herd's threads waited ${waited} ms for a CPU"
}
# plan NAME LOAD STEPS: writes $TMP/NAME-plan.json, one scenario.
plan() {
    cat > "$TMP/$1-plan.json" <<JSON
{"name": "$1", "base_url": "$base", "load": $2,
 "scenarios": [{"name": "$1", "steps": $3}]}
JSON
}
jr() { jq -r "$1" "$TMP/$2.json"; }
# server NAME URI: the server's figures for a run, for the log.
server() { echo "       server $2: $("$PY" "$ACC" server "$log" "$2")"; }
lateness() { echo "       herd timer_lateness $(jr '.timer_lateness | "count \(.count) p99 \(.p99_us // "-")us max \(.max_us // "-")us"' "$1")"; }

# --- a. closed model, no think -----------------------------------------
# 8 users back to back on a 5 ms endpoint for 3 s. This is the shape herd
# already gets right; it must pass today: a loopback round trip plus
# libcurl is well under 1 ms at this load (p50).
plan a '{"users": 8, "duration": "3s"}' \
    '[{"name": "a", "path": "/sleep/5?r=a"}]'
run a "$TMP/a-plan.json" --threads 2
expect_eq "a. closed model exits 0" 0 "$rc"
server a "/sleep/5?r=a"; lateness a
judge count "$log" "/sleep/5?r=a" "$TMP/a.json" a
judge_lat a "$log" "/sleep/5?r=a" "$TMP/a.json" a --pct p50 $P50 --res-ms 1
judge_lat a "$log" "/sleep/5?r=a" "$TMP/a.json" a --pct p99 $P99 --res-ms 1

# --- b. plan-level think -----------------------------------------------
# load.think 100 ms after every request, 30 users, 20 ms endpoint, 3 s.
# The think must not be in the latency; each user does one request per
# 120 ms, so the server sees 30 x 3 s / 0.12 s = 750 requests (+-10 %:
# timer lateness and the partial cycle at the end). 30 users so that p99
# is the 8th-highest of 750, not a single descheduled outlier.
plan b '{"users": 30, "duration": "3s", "think": "100ms"}' \
    '[{"name": "b", "path": "/sleep/20?r=b"}]'
run b "$TMP/b-plan.json" --threads 2
server b "/sleep/20?r=b"; lateness b
judge count "$log" "/sleep/20?r=b" "$TMP/b.json" b
judge_lat b "$log" "/sleep/20?r=b" "$TMP/b.json" b --pct p50 $P50 --res-ms 1
judge_lat b "$log" "/sleep/20?r=b" "$TMP/b.json" b --pct p99 $P99 --res-ms 1
judge near "b. requests the server saw vs users x duration / (think + service)" \
    "$(grep -c ' /sleep/20?r=b ' "$log")" 750 --rel 0.10

# --- c. leading think step (issue: defect 1) ---------------------------
# The scenario starts with {"think": "100ms"}: the first request's latency
# must start when it is sent, not when the iteration began (today p50 is
# ~120 ms against the server's 20 ms). Same rate arithmetic as b.
plan c '{"users": 30, "duration": "3s"}' \
    '[{"think": "100ms"}, {"name": "c", "path": "/sleep/20?r=c"}]'
run c "$TMP/c-plan.json" --threads 2
server c "/sleep/20?r=c"; lateness c
judge count "$log" "/sleep/20?r=c" "$TMP/c.json" c
judge_lat c "$log" "/sleep/20?r=c" "$TMP/c.json" c --pct p50 $P50 --res-ms 1
judge_lat c "$log" "/sleep/20?r=c" "$TMP/c.json" c --pct p99 $P99 --res-ms 1
judge near "c. requests the server saw vs users x duration / (think + service)" \
    "$(grep -c ' /sleep/20?r=c ' "$log")" 750 --rel 0.10

# --- d. think between steps --------------------------------------------
# GET 5 ms, think 100 ms, GET 20 ms: neither step carries the think nor
# the other step. 30 users x 3 s / 0.125 s = 720 iterations.
plan d '{"users": 30, "duration": "3s"}' \
    '[{"name": "d1", "path": "/sleep/5?r=d1"}, {"think": "100ms"}, {"name": "d2", "path": "/sleep/20?r=d2"}]'
run d "$TMP/d-plan.json" --threads 2
server d "/sleep/5?r=d1"; server d "/sleep/20?r=d2"; lateness d
for s in "d1 /sleep/5?r=d1" "d2 /sleep/20?r=d2"; do
    read -r name uri <<< "$s"
    judge count "$log" "$uri" "$TMP/d.json" "$name"
    judge_lat d "$log" "$uri" "$TMP/d.json" "$name" --pct p50 $P50 --res-ms 1
    judge_lat d "$log" "$uri" "$TMP/d.json" "$name" --pct p99 $P99 --res-ms 1
done
judge near "d. iterations started vs users x duration / (think + service)" \
    "$(jr .iterations.started d)" 720 --rel 0.10

# --- e. open model (issue: defect 2) -----------------------------------
# Arrivals on a schedule; latency counts from each arrival's intended
# start, so it equals the server's time only if each iteration starts on
# time. Today arrivals start on a 10 ms tick: p50 ~+5-6 ms. Latency
# tolerances as above; the p99 bound also allows herd's own timer lateness
# p99 as the result reports it (--own-late: a herd the machine kept from
# running is late in its corrected latencies and says so; the old tick
# reported nothing and gets nothing). The timeline's whole seconds must each hold the
# planned rate within 2 % (a second's arrivals are on the schedule).
# Arrivals started must be rate x duration (+-1 per worker thread at the
# edges), none dropped: max_users is far above rate x latency (x 10, so
# a busy sanitizer run does not fill it either).
for e in "e200 200 20 400" "e2000 2000 5 1000"; do
    read -r name rate ms users <<< "$e"
    uri="/sleep/$ms?r=$name"
    plan "$name" "{\"rate\": $rate, \"max_users\": $users, \"duration\": \"3s\"}" \
        "[{\"name\": \"$name\", \"path\": \"$uri\"}]"
    run "$name" "$TMP/$name-plan.json" --threads 2
    server "$name" "$uri"; lateness "$name"
    judge count "$log" "$uri" "$TMP/$name.json" "$name"
    judge_lat $name "$log" "$uri" "$TMP/$name.json" "$name" --pct p50 $P50 --res-ms 1
    judge_lat $name "$log" "$uri" "$TMP/$name.json" "$name" --pct p99 $P99 --res-ms 1 --own-late
    judge timeline "$TMP/$name.json" "$name" "$rate" --rel "$TL"
    judge near "$name. arrivals started vs rate x duration" "$(jr .iterations.started "$name")" $((rate * 3)) --abs 2
    expect_eq "$name. arrivals dropped" 0 "$(jr .iterations.dropped "$name")"
    # herd's own start delay is measured (its arrival timers) and shown.
    if [ "$(jr '.timer_lateness.count // 0' "$name")" -ge "$((rate * 3 / 2))" ] &&
       grep -q "herd's own timers (arrivals, think, polls, retries) fired late by p50" "$TMP/$name.txt"; then
        ok "$name. the arrivals' own lateness is measured and in the report"
    else fail "$name. timer_lateness $(jq -c .timer_lateness "$TMP/$name.json"); report: $(grep -c "herd's own timers" "$TMP/$name.txt")"; fi
done

# --- f. open model, server frozen for 1 s ------------------------------
# 100 arrivals/s for 4 s against 5 ms; once the server has answered 150
# of them (1.5 s in) its worker is stopped (SIGSTOP) for S ~ 1 s and
# continued. The kernel keeps accepting and queueing, so herd's users (200,
# never exhausted) send on time and wait. An arrival at t in the stall
# completes at its end: latency = (stall end - t) + 5 ms, uniform over
# (0, S]. Of N = R x D arrivals R x S are in the stall, so the corrected p99
# (the top 1 % = 0.01 R D arrivals) is
#     p99 = S - 0.01 x D + 5 ms    (S = 1 s, D = 4 s: ~965 ms)
# and the exact mean = (S / D) x (S / 2) + 5 ms (~130 ms). Tolerance
# max(50 ms, 5 %) for p99 (arrivals are 10 ms apart; signal delivery and
# scheduling of the frozen worker), max(50 ms, 10 %) for the mean.
# The server never sees the stall ($request_time starts when nginx reads
# the request): its p99 stays near 5 ms. herd's uncorrected service time
# includes it too here, as each request was sent on time and sat in the
# kernel's queue: service_p99 = corrected p99 within the same tolerance.
uri="/sleep/5?r=f"
plan f '{"rate": 100, "max_users": 200, "duration": "4s"}' \
    "[{\"name\": \"f\", \"path\": \"$uri\"}]"
"$HERD" run "$TMP/f-plan.json" --threads 2 -o "$TMP/f.json" -q > "$TMP/f.out" 2>&1 &
hp=$!
_pids="$_pids $hp"
sample_cpu "$hp" "$TMP/f.waited" & fsp=$!
seen=0
for _ in $(seq 300); do   # up to 15 s for the first 150 answers
    seen=$(grep -c " $uri " "$log")
    [ "$seen" -ge 150 ] && break
    kill -0 "$hp" 2>/dev/null || break
    sleep 0.05
done
if [ "$seen" -ge 150 ] && [ -n "$worker" ]; then
    t0=$(date +%s%N)
    kill -STOP "$worker"
    sleep 1   # the stall itself (the load shape), not synchronisation
    kill -CONT "$worker"
    t1=$(date +%s%N)
    wait "$hp"; rc=$?
    wait "$fsp"; waited=$(cat "$TMP/f.waited")
    echo "       herd's threads waited ${waited} ms for a CPU"
    expect_eq "f. stalled open run exits 0" 0 "$rc"
    S=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1e9}')
    want99=$(awk -v s="$S" 'BEGIN {printf "%d", (s - 0.04 + 0.005) * 1e6}')
    wantmean=$(awk -v s="$S" 'BEGIN {printf "%d", (s / 4 * s / 2 + 0.005) * 1e6}')
    echo "       stall ${S}s; expected corrected p99 ${want99}us, mean ${wantmean}us"
    server f "$uri"; lateness f
    judge count "$log" "$uri" "$TMP/f.json" f
    judge near "f. corrected p99 (us) vs S - 0.01 D + 5 ms" "$(jr '.transactions[] | select(.name=="f") | .p99_us' f)" "$want99" --abs "$STALL_US" --rel 0.05
    judge near "f. mean (us) vs S^2 / 2D + 5 ms" "$(jr '.transactions[] | select(.name=="f") | .mean_us' f)" "$wantmean" --abs "$STALL_US" --rel 0.10
    judge near "f. service p99 (us): requests were sent on time and waited in the kernel" \
        "$(jr '.transactions[] | select(.name=="f") | .service_p99_us' f)" "$want99" --abs "$STALL_US" --rel 0.05
    # Three quarters of the arrivals missed the stall: p50 is the server's
    # (today the 10 ms arrival tick of e shows here too).
    judge_lat f "$log" "$uri" "$TMP/f.json" f --pct p50 $P50 --res-ms 1
    # The server's own p99 must not show the stall (validates the set-up:
    # the wait was in the queue, not in nginx's $request_time).
    srv99=$("$PY" "$ACC" server "$log" "$uri" | sed -n 's/.* p99=\([0-9]*\).*/\1/p')
    judge atmost "f. server p99 (us) does not see the stall" "${srv99:-999999999}" 50000
    judge near "f. arrivals started vs rate x duration" "$(jr .iterations.started f)" 400 --abs 2
    expect_eq "f. arrivals dropped" 0 "$(jr .iterations.dropped f)"
else
    wait "$hp"
    skip "f. stall: the server answered only $seen of 150 requests before herd ended"
fi

# --- g. duration_s (issue: defect 3) -----------------------------------
# Closed model, no think, 0 ms endpoint, 2 s: the result's duration_s must
# be the planned 2 s within 20 ms (a timer and a final in-flight request
# of under a millisecond; today ~2.1 s). The server's first-to-last span
# must agree with it, and herd's rate with the server's requests / span.
plan g '{"users": 4, "duration": "2s"}' \
    '[{"name": "g", "path": "/sleep/0?r=g"}]'
run g "$TMP/g-plan.json" --threads 2
server g "/sleep/0?r=g"; lateness g
judge count "$log" "/sleep/0?r=g" "$TMP/g.json" g
judge near "g. duration_s vs the planned 2 s" "$(jr .duration_s g)" 2 --abs "$DUR"
read -r first last cnt < <("$PY" "$ACC" server "$log" "/sleep/0?r=g" |
    sed -n 's/.*count=\([0-9]*\).*first_msec=\([0-9.]*\) last_msec=\([0-9.]*\).*/\2 \3 \1/p')
if [ -n "${cnt:-}" ]; then
    span=$(awk -v a="$first" -v b="$last" 'BEGIN {printf "%.3f", b - a}')
    judge near "g. duration_s vs the server's first-to-last span ${span}s" "$(jr .duration_s g)" "$span" --abs "$DUR"
    judge near "g. herd's rate/s vs server requests / span" \
        "$(jr '.transactions[] | select(.name=="g") | .rate_per_s' g)" \
        "$(awk -v n="$cnt" -v s="$span" 'BEGIN {printf "%.1f", n / s}')" --rel "$TL"
else
    skip "g. no server lines for the duration run"
fi

# --- h. dead target (issue: defect 4) ----------------------------------
# Nothing listens on $dead. Smoke mode is 10 users thinking 500 ms: about
# 2 requests per user per second, so 2 s is at most 10 x 2 x 2 = 40
# requests; allowed x1.5 = 60 (today: tens of thousands, failed iterations
# restart at once without their think).
dead=$(free_port)
run h1 "http://127.0.0.1:$dead/" --duration 2s
judge atmost "h. smoke mode against a closed port, requests in 2 s" "$(jr .summary.requests.count h1)" 60
# A plan of 2 users thinking 200 ms: 2 x 2 s / 0.2 s = 20, x1.5 = 30.
cat > "$TMP/h2-plan.json" <<JSON
{"name": "h2", "base_url": "http://127.0.0.1:$dead",
 "load": {"users": 2, "duration": "2s", "think": "200ms"},
 "scenarios": [{"steps": [{"name": "h2", "path": "/"}]}]}
JSON
run h2 "$TMP/h2-plan.json"
judge atmost "h. 2 users, think 200 ms, closed port, requests in 2 s" "$(jr .summary.requests.count h2)" 30
expect_eq "h. every request failed as connect" "$(jr .summary.requests.count h2)" "$(jr '.summary.requests.errors_by.connect // 0' h2)"

# --- i. all failed, no thresholds --------------------------------------
# h2 has no thresholds and not one request succeeded: a run that measured
# nothing must not exit 0 (nor as a usage/plan/internal error).
case "$rc" in
    0) fail "i. every request failed, no thresholds: exit 0" ;;
    2|3|70) fail "i. every request failed, no thresholds: exit $rc (usage/plan/internal)" ;;
    *) ok "i. every request failed, no thresholds: exit $rc" ;;
esac
finish
