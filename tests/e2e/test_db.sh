#!/usr/bin/env bash
# End-to-end against a real PostgreSQL started here: migrations (from
# empty, re-run, concurrent, over an old-system table), saving (idempotent,
# conflicting, corrupt input, database down and retried), the old columns
# against an independent calculation, the bundled queries, and compare as
# a regression gate. The password must never show in any output.
. "$(dirname "$0")/lib.sh"
: "${TOOLS:?TOOLS must point at build/tools}"

pgport=$(free_port)
PW="pw-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
# A German locale for the server (when localedef and PostgreSQL's German
# messages are there): one database answers in German, so nothing herd
# decides may depend on the English text of an error.
loc=$(mktemp -d /tmp/herd-loc.XXXXXX); chmod 755 "$loc"
german=""
if ls /usr/share/locale/de/LC_MESSAGES/postgres-*.mo > /dev/null 2>&1 &&
   localedef -i de_DE -f UTF-8 "$loc/de_DE.UTF-8" > /dev/null 2>&1; then
    chmod -R a+rX "$loc"; german=1
fi
PG_TEST_LOCPATH=$loc "$REPO/scripts/pg-test" start "$TMP/pg" "$pgport" "$PW" > "$TMP/pg.out" 2>&1 || {
    cat "$TMP/pg.out"; fail "PostgreSQL did not start"; rm -rf "$loc"; finish; }
trap '"$REPO/scripts/pg-test" stop "$TMP/pg"; rm -rf "$loc"; cleanup' EXIT
export DATABASE_URL="postgresql://postgres:$PW@127.0.0.1:$pgport/postgres"
export PGPASSWORD="$PW"
sql() { psql -h 127.0.0.1 -p "$pgport" -U postgres -d "${DB:-postgres}" -tA -v ON_ERROR_STOP=1 "$@"; }
out="$TMP/out"; : > "$out"            # everything herd says, checked for the password
h() { "$HERD" "$@" >> "$out" 2>&1; }

# Migrations: from empty, then again (nothing to do).
h db migrate; expect_eq "migrate from empty" 0 "$?"
expect_eq "six migrations recorded" 6 "$(sql -c 'select count(*) from analytics.herd_migrations')"
"$HERD" db migrate > "$TMP/m2" 2>&1; expect_eq "migrate again" 0 "$?"
cat "$TMP/m2" >> "$out"
grep -q "0 applied, 6 already there" "$TMP/m2" && ok "re-run applies nothing" || fail "re-run: $(cat "$TMP/m2")"

# Two migrating at once on a fresh database: both succeed, applied once.
sql -c 'create database fresh' > /dev/null
fresh="postgresql://postgres:$PW@127.0.0.1:$pgport/fresh"
DATABASE_URL=$fresh "$HERD" db migrate >> "$out" 2>&1 & a=$!
DATABASE_URL=$fresh "$HERD" db migrate >> "$out" 2>&1 & b=$!
wait $a; ra=$?; wait $b; rb=$?
expect_eq "concurrent migrations both succeed" "0 0" "$ra $rb"
expect_eq "applied once" 6 "$(DB=fresh sql -c 'select count(*) from analytics.herd_migrations')"

# An old-system table is upgraded in place; its rows and columns survive.
sql -c 'create database legacy' > /dev/null
DB=legacy sql -c "create schema analytics; create table analytics.load_testing (run_id text primary key, num_users integer not null, avg_container_time numeric not null, max_container_time numeric not null, std_container_time numeric not null, avg_web_time numeric not null, max_web_time numeric not null, std_web_time numeric not null); insert into analytics.load_testing values ('old-1', 100, 12.5, 30, 4.2, 0.8, 5, 0.3)" > /dev/null
DATABASE_URL="postgresql://postgres:$PW@127.0.0.1:$pgport/legacy" "$HERD" db migrate >> "$out" 2>&1
expect_eq "legacy table migrates" 0 "$?"
expect_eq "legacy row intact" "100|12.5|0.3" "$(DB=legacy sql -c "select num_users, avg_container_time, std_web_time from analytics.load_testing where run_id='old-1'")"

# Known samples -> a result; the old columns must equal an independent
# calculation (mean, max, sample standard deviation) on the same samples.
/usr/bin/python3 - "$TMP" <<'PY'
import random, statistics, sys
d = sys.argv[1]
def run(name, seed, scale, n=400):
    rnd = random.Random(seed)
    web, cont, lines = [], [], []
    for i in range(n):
        a = int(rnd.lognormvariate(9, 0.6) * scale); web.append(a)
        lines.append("request assign %d %d" % (a, 202))
        for _ in range(3):
            p = int(rnd.lognormvariate(8, 0.5) * scale); web.append(p)
            lines.append("request poll %d 200" % p)
        c = int(rnd.uniform(1.5e6, 2.5e6) * scale); cont.append(c)
        lines.append("flow wait %d" % c)
    open("%s/%s.samples" % (d, name), "w").write("\n".join(lines) + "\n")
    s = lambda v: v / 1e6
    ref = "%.6f %.6f %.6f %.6f %.6f %.6f" % (
        s(statistics.mean(web)), s(max(web)), s(statistics.stdev(web)),
        s(statistics.mean(cont)), s(max(cont)), s(statistics.stdev(cont)))
    open("%s/%s.ref" % (d, name), "w").write(ref + "\n")
for i in range(1, 5):
    run("week%d" % i, i, 1.0)
run("week5", 5, 1.6)       # 60 % slower: a regression
PY
t0=1790000000000
for i in 1 2 3 4 5; do
    "$TOOLS/mkresult" weekly "week$i" $((t0 + i * 604800000)) 60000 25 < "$TMP/week$i.samples" > "$TMP/week$i.json"
done
h save "$TMP/week1.json"; expect_eq "save" 0 "$?"
got=$(sql -c "select round(avg_web_time,6), round(max_web_time,6), round(std_web_time,6), round(avg_container_time,6), round(max_container_time,6), round(std_container_time,6) from analytics.load_testing where run_id='week1'" | tr '|' ' ')
want=$(cat "$TMP/week1.ref")
/usr/bin/python3 - "$got" "$want" <<'PY' && ok "old columns equal the reference calculation ($got)" || fail "old columns $got, reference $want"
import sys
g = [float(x) for x in sys.argv[1].split()]; w = [float(x) for x in sys.argv[2].split()]
sys.exit(0 if len(g) == 6 and all(abs(a - b) <= 2e-6 for a, b in zip(g, w)) else 1)
PY
expect_eq "num_users" 25 "$(sql -c "select num_users from analytics.load_testing where run_id='week1'")"
expect_eq "transactions stored" "assign|request|400 poll|request|1200 wait|flow|400" \
    "$(sql -c "select name, kind, count from analytics.load_testing_transactions where run_id='week1' order by name" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "status codes stored" 1200 "$(sql -c "select count from analytics.load_testing_errors where run_id='week1' and name='poll' and what='status' and key='200'")"
expect_eq "whole result stored as jsonb" 1200 "$(sql -c "select result->'transactions'->1->>'count' from analytics.load_testing where run_id='week1'")"

# Success and failure apart (migration 004): 4 slow successes and 4 fast
# failures. The transaction's latency columns hold the successes only, the
# failed_ columns the failures; the old avg/max_web_time keep every sample.
printf 'request mixed 300000 200\nrequest mixed 1000 500\n%.0s' 1 2 3 4 |
    "$TOOLS/mkresult" okko okko1 1790000000000 10000 2 > "$TMP/okko1.json"
h save "$TMP/okko1.json"; expect_eq "save a result with failures" 0 "$?"
expect_eq "ok and failed apart" "8|4|4|4|0.30|0.30|0.001|0.001" \
    "$(sql -c "select count, ok, failed, errors, round(min_time,2), round(p50_time,2), round(failed_p50_time,3), round(failed_max_time,3) from analytics.load_testing_transactions where run_id='okko1'")"
expect_eq "old columns over every sample, p50 over successes" "0.150500|0.300000|0.30" \
    "$(sql -c "select round(avg_web_time,6), round(max_web_time,6), round(p50_web_time,2) from analytics.load_testing where run_id='okko1'")"
expect_eq "no failures: failed columns 0 and NULL" "1200|0|t" \
    "$(sql -c "select ok, failed, failed_p50_time is null from analytics.load_testing_transactions where run_id='week1' and name='poll'")"
sql -c "delete from analytics.load_testing where run_id='okko1'" > /dev/null   # the counts below are of the weeks

# Phases and bytes (migration 006) from a real run: the columns hold what
# the result file says; a flow has NULL there.
start_misc
cat > "$TMP/ph.json" <<JSON
{"name": "phases", "base_url": "$base", "load": {"users": 2, "iterations": 3},
 "scenarios": [{"name": "a", "steps": [{"name": "get", "path": "/ok"},
   {"name": "post", "method": "POST", "path": "/echo", "body": "{\"a\": 1}"}]}]}
JSON
"$HERD" run "$TMP/ph.json" -o "$TMP/ph-r.json" -q --run-id phases1 --save >> "$out" 2>&1
expect_eq "run --save with phases" 0 "$?"
want=$(jq -r '.transactions[] | select(.name == "post") | [.sent_bytes, .received_bytes, .phases.connect.count, .phases.wait.count, .phases.wait.sum_us] | map(tostring) | join("|")' "$TMP/ph-r.json")
expect_eq "phase and byte columns hold the result's values" "$want" \
    "$(sql -c "select sent_bytes, received_bytes, connections, phases->'wait'->>'count', phases->'wait'->>'sum_us' from analytics.load_testing_transactions where run_id='phases1' and name='post'")"
expect_eq "wait_mean_time is the result's mean (to the us)" 1 \
    "$(sql -c "select (abs(wait_mean_time * 1e6 - (phases->'wait'->>'sum_us')::numeric / (phases->'wait'->>'count')::numeric) <= 1)::int from analytics.load_testing_transactions where run_id='phases1' and name='post'")"
sql -v run_id=phases1 -f "$REPO/sql/queries/transaction_p95_per_second.sql" > "$TMP/pps.out" 2>&1
expect_eq "p95 per second query: the run's samples" 12 \
    "$(awk -F'|' '{s += $4} END {print s}' "$TMP/pps.out")"
expect_eq "flows have no phases" "t|t" "$(sql -c "select bool_and(sent_bytes is null), bool_and(phases is null) from analytics.load_testing_transactions where run_id='week1' and kind='flow'")"
sql -c "delete from analytics.load_testing where run_id='phases1'" > /dev/null

# Idempotent re-save; a different result under the same id is refused.
"$HERD" save "$TMP/week1.json" > "$TMP/resave" 2>&1; expect_eq "re-save exits 0" 0 "$?"
cat "$TMP/resave" >> "$out"
grep -q "already saved with this result; nothing changed" "$TMP/resave" && ok "re-save says so" || fail "re-save: $(cat "$TMP/resave")"
"$HERD" save "$TMP/week2.json" --run-id week1 > "$TMP/conflict" 2>&1; expect_eq "conflicting re-save exits 7" 7 "$?"
cat "$TMP/conflict" >> "$out"
grep -q 'run id "week1" is already saved with a different result' "$TMP/conflict" && ok "conflict explained" || fail "conflict: $(cat "$TMP/conflict")"
expect_eq "one row for week1" 1 "$(sql -c "select count(*) from analytics.load_testing where run_id='week1'")"

# A corrupt or truncated result is refused before anything is written.
head -c 3000 "$TMP/week2.json" > "$TMP/trunc.json"
h save "$TMP/trunc.json"; expect_eq "truncated result refused (exit 6)" 6 "$?"
expect_eq "nothing written" 1 "$(sql -c 'select count(*) from analytics.load_testing')"

# --db with a password is refused (secrets never on a command line).
"$HERD" db migrate --db "$DATABASE_URL" > "$TMP/pwflag" 2>&1; expect_eq "--db with a password refused" 2 "$?"
# A database that is down: a clear error, exit 7, the result kept; retry works.
start_misc
cat > "$TMP/plan.json" <<JSON
{"name": "down", "base_url": "$base", "load": {"users": 2, "iterations": 3},
 "scenarios": [{"steps": [{"name": "ok", "path": "/ok"}]}]}
JSON
"$REPO/scripts/pg-test" pause "$TMP/pg"
"$HERD" run "$TMP/plan.json" --save -o "$TMP/down.json" -q > "$TMP/down.out" 2>&1; rc=$?
cat "$TMP/down.out" >> "$out"
expect_eq "run --save with the database down exits 7" 7 "$rc"
[ -s "$TMP/down.json" ] && ok "result kept on disk" || fail "result lost"
grep -q "retry with: herd save $TMP/down.json" "$TMP/down.out" && ok "says how to retry" || fail "no retry hint"
[ "$(grep -c 'cannot connect to the database' "$TMP/down.out")" -eq 1 ] && ok "one-line database error" || fail "database error: $(cat "$TMP/down.out")"
"$REPO/scripts/pg-test" resume "$TMP/pg"
h save "$TMP/down.json"; expect_eq "retried save works" 0 "$?"
# PostgreSQL restarted (as by a crash) in the middle of a save: the save
# fails cleanly and leaves nothing behind, never half a run; a retry then
# stores the whole run. A lock on the transactions table holds the save
# after its first insert, so the restart lands mid-transaction every time.
sql -c "begin; lock table analytics.load_testing_transactions in access exclusive mode; select pg_sleep(60); commit" > /dev/null 2>&1 & locker=$!
wait_for '[ "$(sql -c "select count(*) from pg_locks where locktype='"'relation'"' and mode='"'AccessExclusiveLock'"' and granted and relation='"'analytics.load_testing_transactions'"'::regclass")" = 1 ]' 60 ||
    fail "the lock was not taken in 60 s"
"$HERD" save "$TMP/week2.json" > "$TMP/mid.out" 2>&1 & saver=$!
held=0
# The save has inserted its run row and waits on the lock.
wait_for '[ "$(sql -c "select count(*) from pg_locks l join pg_stat_activity a using (pid) where not l.granted and a.application_name <> '"'psql'"' and l.relation='"'analytics.load_testing_transactions'"'::regclass")" = 1 ]' 50 &&
    held=1
expect_eq "the save was held mid-transaction" 1 "$held"
"$REPO/scripts/pg-test" crash "$TMP/pg"
wait $saver; rc=$?
wait $locker 2>/dev/null
cat "$TMP/mid.out" >> "$out"
expect_eq "save cut by a restart exits 7" 7 "$rc"
expect_eq "save cut by a restart: one-line error" 1 "$(wc -l < "$TMP/mid.out")"
expect_eq "no half run after the restart" "0 0" "$(sql -c "select (select count(*) from analytics.load_testing where run_id='week2'), (select count(*) from analytics.load_testing_transactions where run_id='week2')" | tr '|' ' ')"
h save "$TMP/week2.json"; expect_eq "save after the restart works" 0 "$?"
expect_eq "the whole run is stored" "$(jq '.transactions | length' "$TMP/week2.json")" \
    "$(sql -c "select count(*) from analytics.load_testing_transactions where run_id='week2'")"
# A wrong port fails cleanly too, password still hidden.
DATABASE_URL="postgresql://postgres:$PW@127.0.0.1:$(free_port)/postgres" "$HERD" save "$TMP/week2.json" >> "$out" 2>&1
expect_eq "unreachable database exits 7" 7 "$?"

# More weeks, then the gate: week 4 is within tolerance of weeks 1-3, week 5
# (60 % slower) is a regression against the median of the last 3.
for i in 2 3 4 5; do h save "$TMP/week$i.json"; done
"$HERD" compare run:week4 --last 3 > "$TMP/cmp4" 2>&1; expect_eq "unchanged run passes the gate" 0 "$?"
"$HERD" compare run:week5 --last 3 > "$TMP/cmp5" 2>&1; expect_eq "regression fails the gate (exit 8)" 8 "$?"
cat "$TMP/cmp4" "$TMP/cmp5" >> "$out"
grep -q "the median of the last 3 runs" "$TMP/cmp5" && ok "baseline is the median of the last 3" || fail "baseline: $(head -3 "$TMP/cmp5")"
grep -E "^wait +p50" "$TMP/cmp5" | grep -q REGRESSION && fail "p50 gated by default" || ok "p50 shown, not gated by default"
grep -E "p95 .*REGRESSION" "$TMP/cmp5" > /dev/null && ok "p95 regression flagged" || fail "no p95 regression in: $(cat "$TMP/cmp5")"
"$HERD" compare "$TMP/week5.json" --baseline "$TMP/week4.json" --tolerance p95=100%,p99=100% > /dev/null 2>&1
expect_eq "file vs file within wide tolerances" 0 "$?"
"$HERD" compare "$TMP/week5.json" --baseline run:week1 > /dev/null 2>&1
expect_eq "file vs stored run" 8 "$?"
"$HERD" compare "$TMP/week1.json" --baseline x --tolerance p95=fast > /dev/null 2>&1
expect_eq "bad tolerance is a usage error" 2 "$?"

# The bundled queries run and answer as expected.
for q in "$REPO"/sql/queries/*.sql; do
    sql -v plan=weekly -v name=wait -v n=3 -v run_id=week1 -f "$q" > "$TMP/$(basename "$q").out" 2>&1
    expect_eq "query $(basename "$q") runs" 0 "$?"
done
expect_eq "latest runs lists the 5 weeks and the run" 6 "$(grep -c '|' "$TMP/latest_runs.sql.out")"
grep -q '^week5|weekly|wait|flow' "$TMP/regressions.sql.out" && ok "regressions query finds week 5" || fail "regressions: $(cat "$TMP/regressions.sql.out")"
grep -q '^week4|' "$TMP/regressions.sql.out" && fail "regressions query flags week 4" || ok "week 4 not flagged"
expect_eq "p95 week by week: 5 weeks" 5 "$(wc -l < "$TMP/transaction_p95_weekly.sql.out")"
jq '.shards.total = 3 | .shards.ok = 2 | .shards.failed = 1 | .shards.failures = [{"shard": 2, "reason": "timeout"}] | .run_id = "sharded"' "$TMP/week1.json" > "$TMP/sharded.json"
h save "$TMP/sharded.json"
sql -f "$REPO/sql/queries/failed_shards.sql" > "$TMP/fs.out"
grep -q '^sharded|weekly|.*|3|2|1|0|\[{"shard": 2, "reason": "timeout"}\]' "$TMP/fs.out" && ok "failed shards query" || fail "failed shards: $(cat "$TMP/fs.out")"

# The history page straight from the database: the plan's saved runs.
"$HERD" report --history weekly --last 10 --html "$TMP/history.html" >> "$out" 2>&1
expect_eq "history from the database" 0 "$?"
expect_eq "history lists the weekly runs" 6 "$(grep -c '<tr><td>' "$TMP/history.html")"

# Re-saving after a herd upgrade is the same result: herd's version is not
# in the hash. A row saved by an older herd (hash over its own version) is
# recognized too: simulated by storing the hash that version computed (of
# the document as herd re-writes it: herd merge of the one file).
fnv() { /usr/bin/python3 - "$1" "$2" <<'PY2'
import re, sys
j = open(sys.argv[1], "rb").read().rstrip(b"\n")   # the file ends in a newline, the document not
j = re.sub(rb'("herd_version":\s*")[^"]*"', lambda m: m.group(1) + sys.argv[2].encode() + b'"', j, count=1)
h = 1469598103934665603
for b in j:
    h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
print("%016x" % h)
PY2
}
"$HERD" merge "$TMP/week3.json" -o "$TMP/week3.rewritten.json" > /dev/null 2>&1
sql -c "update analytics.load_testing set herd_version = '0.0.9', result_hash = '$(fnv "$TMP/week3.rewritten.json" 0.0.9)' where run_id = 'week3'" > /dev/null
"$HERD" save "$TMP/week3.json" > "$TMP/upgrade" 2>&1; expect_eq "re-save of a run an older herd saved exits 0" 0 "$?"
cat "$TMP/upgrade" >> "$out"
grep -q "already saved with this result" "$TMP/upgrade" && ok "older herd's row: the same result" || fail "upgrade re-save: $(cat "$TMP/upgrade")"
"$HERD" merge "$TMP/week4.json" -o "$TMP/week4.rewritten.json" > /dev/null 2>&1
expect_eq "the stored hash leaves herd_version out" "$(fnv "$TMP/week4.rewritten.json" "")" \
    "$(sql -c "select result_hash from analytics.load_testing where run_id = 'week4'")"
sql -c "update analytics.load_testing set herd_version = '0.0.9' where run_id = 'week4'" > /dev/null
"$HERD" save "$TMP/week4.json" > "$TMP/upgrade2" 2>&1; expect_eq "re-save under another herd version exits 0" 0 "$?"
cat "$TMP/upgrade2" >> "$out"
expect_eq "herd_version stays stored" "0.0.9" "$(sql -c "select herd_version from analytics.load_testing where run_id = 'week4'")"

# Two saves of the same run at once: one saves, the other finds it there,
# whatever the language of the server's messages (ON CONFLICT, and the
# SQLSTATE, never the English "duplicate key"). The first save is held by
# a lock after its run row, so the second meets it uncommitted.
racedb=postgres
if [ -n "$german" ]; then
    sql -c "create database german" -c "alter database german set lc_messages = 'de_DE.UTF-8'" > /dev/null
    racedb=german
    DATABASE_URL="postgresql://postgres:$PW@127.0.0.1:$pgport/german" "$HERD" db migrate >> "$out" 2>&1
    [ "$(DB=german sql -c "select 1/0" 2>&1 | grep -c 'Division durch Null')" = 1 ] &&
        ok "the race database answers in German" || fail "lc_messages: $(DB=german sql -c 'select 1/0' 2>&1)"
else
    ok "no German locale here: the race runs in English"
fi
"$TOOLS/mkresult" race race1 1790000000000 60000 5 < "$TMP/week1.samples" > "$TMP/race1.json"
DB=$racedb sql -c "begin; lock table analytics.load_testing_transactions in access exclusive mode; select pg_sleep(3); commit" > /dev/null 2>&1 & locker=$!
sleep 0.5
DATABASE_URL="postgresql://postgres:$PW@127.0.0.1:$pgport/$racedb" "$HERD" save "$TMP/race1.json" > "$TMP/race.a" 2>&1 & a=$!
sleep 0.5
DATABASE_URL="postgresql://postgres:$PW@127.0.0.1:$pgport/$racedb" "$HERD" save "$TMP/race1.json" > "$TMP/race.b" 2>&1 & b=$!
wait $a; ra=$?; wait $b; rb=$?; wait $locker
cat "$TMP/race.a" "$TMP/race.b" >> "$out"
expect_eq "concurrent saves of one run both succeed" "0 0" "$ra $rb"
expect_eq "concurrent saves: one saved, one found it" "1 1" \
    "$(grep -c '^saved run race1' "$TMP/race.a" "$TMP/race.b" | awk -F: '{s += $2} END {printf "%d", s}') $(grep -c 'already saved with this result' "$TMP/race.a" "$TMP/race.b" | awk -F: '{s += $2} END {printf "%d", s}')"
expect_eq "concurrent saves: one row" 1 "$(DB=$racedb sql -c "select count(*) from analytics.load_testing where run_id = 'race1'")"

# Baselines (--last N) leave out interrupted, truncated and failed runs:
# two such runs, fast, between gate3 and gate4 would make an unchanged
# gate4 look like a regression. The history still shows them.
/usr/bin/python3 - "$TMP" <<'PY2'
import random, sys
for name, scale in [("gate", 1.0), ("fast", 0.3)]:
    rnd = random.Random(7); lines = []
    for i in range(300):
        lines.append("request step %d 200" % int(rnd.lognormvariate(9, 0.3) * scale))
    open("%s/%s.samples" % (sys.argv[1], name), "w").write("\n".join(lines) + "\n")
PY2
g0=1791000000000
iters='.iterations.started = 300 | .iterations.succeeded = 300'
for i in 1 2 3 4; do
    "$TOOLS/mkresult" gate "gate$i" $((g0 + i * 86400000)) 60000 5 < "$TMP/gate.samples" | jq "$iters" > "$TMP/gate$i.json"
done
"$TOOLS/mkresult" gate gate-int $((g0 + 3 * 86400000 + 3600000)) 60000 5 < "$TMP/fast.samples" | jq "$iters | .interrupted = true" > "$TMP/gate-int.json"
"$TOOLS/mkresult" gate gate-trunc $((g0 + 3 * 86400000 + 7200000)) 60000 5 < "$TMP/fast.samples" | jq "$iters | .shards.truncated = 1" > "$TMP/gate-trunc.json"
"$TOOLS/mkresult" gate gate-shard $((g0 + 3 * 86400000 + 9000000)) 60000 5 < "$TMP/fast.samples" | jq "$iters"' | .shards.total = 2 | .shards.failed = 1 | .shards.failures = [{"shard": 1, "reason": "timeout"}]' > "$TMP/gate-shard.json"
for f in gate1 gate2 gate3 gate-int gate-trunc gate-shard gate4; do h save "$TMP/$f.json"; done
expect_eq "verdicts stored" "gate-int|interrupted gate-shard|shards_failed gate-trunc|truncated gate1|passed" \
    "$(sql -c "select run_id, verdict from analytics.load_testing where run_id in ('gate1','gate-int','gate-trunc','gate-shard') order by run_id" | tr '\n' ' ' | sed 's/ $//')"
"$HERD" compare run:gate4 --last 3 > "$TMP/cmpg" 2>&1; expect_eq "baseline leaves out interrupted/truncated/failed runs" 0 "$?"
cat "$TMP/cmpg" >> "$out"
"$HERD" report --history gate --last 10 --html "$TMP/gate-history.html" >> "$out" 2>&1
expect_eq "history still shows every run" 7 "$(grep -c '<tr><td>' "$TMP/gate-history.html")"

# A role granted exactly what the README says (CONNECT; USAGE on analytics;
# SELECT, INSERT on the three tables) can save, re-save, compare and read
# the history.
RPW="rw-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
sql -c "create role herd_rw login password '$RPW'; revoke all on database postgres from public; grant connect on database postgres to herd_rw, postgres; grant usage on schema analytics to herd_rw; grant select, insert on analytics.load_testing, analytics.load_testing_transactions, analytics.load_testing_errors to herd_rw" > /dev/null
rw_url="postgresql://herd_rw:$RPW@127.0.0.1:$pgport/postgres"
for i in 1 2; do
    "$TOOLS/mkresult" rw "rw$i" $((g0 + i * 86400000)) 60000 5 < "$TMP/gate.samples" | jq "$iters" > "$TMP/rw$i.json"
done
DATABASE_URL=$rw_url "$HERD" save "$TMP/rw1.json" > "$TMP/rw.out" 2>&1; expect_eq "restricted role: save" 0 "$?"
DATABASE_URL=$rw_url "$HERD" save "$TMP/rw1.json" >> "$TMP/rw.out" 2>&1; expect_eq "restricted role: re-save" 0 "$?"
DATABASE_URL=$rw_url "$HERD" save "$TMP/rw2.json" --run-id rw1 >> "$TMP/rw.out" 2>&1; expect_eq "restricted role: conflict is exit 7" 7 "$?"
grep -q 'already saved with a different result' "$TMP/rw.out" && ok "restricted role: conflict explained" || fail "restricted conflict: $(cat "$TMP/rw.out")"
DATABASE_URL=$rw_url "$HERD" save "$TMP/rw2.json" >> "$TMP/rw.out" 2>&1; expect_eq "restricted role: save another" 0 "$?"
DATABASE_URL=$rw_url "$HERD" compare run:rw2 --last 1 >> "$TMP/rw.out" 2>&1; expect_eq "restricted role: compare --last" 0 "$?"
DATABASE_URL=$rw_url "$HERD" report --history rw --last 5 --html "$TMP/rw-history.html" >> "$TMP/rw.out" 2>&1
expect_eq "restricted role: history" 0 "$?"
grep -q "permission denied" "$TMP/rw.out" && fail "restricted role: $(grep 'permission denied' "$TMP/rw.out")" || ok "restricted role: no permission error"
grep -q -- "$RPW" "$TMP/rw.out" && fail "restricted role's password printed" || ok "restricted role's password never printed"
cat "$TMP/rw.out" >> "$out"

# db migrate by a role that does not own the schema: refused, and told who
# must run it.
sql -c "grant create on database postgres to herd_rw" > /dev/null
DB=legacy sql -c "grant connect on database legacy to herd_rw; grant usage on schema analytics to herd_rw" > /dev/null
sql -c "create database legacy2" > /dev/null
DB=legacy2 sql -c "create schema analytics; create table analytics.load_testing (run_id text primary key, num_users integer not null, avg_container_time numeric not null, max_container_time numeric not null, std_container_time numeric not null, avg_web_time numeric not null, max_web_time numeric not null, std_web_time numeric not null); grant create on database legacy2 to herd_rw; grant usage on schema analytics to herd_rw" > /dev/null
DATABASE_URL="postgresql://herd_rw:$RPW@127.0.0.1:$pgport/legacy2" "$HERD" db migrate > "$TMP/mig-rw" 2>&1
expect_eq "migrate by a non-owner exits 7" 7 "$?"
cat "$TMP/mig-rw" >> "$out"
grep -q "permission denied for schema analytics" "$TMP/mig-rw" && ok "non-owner migrate: permission denied" || fail "non-owner migrate: $(cat "$TMP/mig-rw")"
grep -q "^herd: hint: .*run it as their owner" "$TMP/mig-rw" && ok "non-owner migrate: says who must run it" || fail "no hint: $(cat "$TMP/mig-rw")"

# Malformed DATABASE_URLs: nothing of the password, nor the URL, printed.
for bad in "postgresql://postgres:$PW%zz@127.0.0.1:$pgport/postgres" \
           "postgresql://postgres:$PW@[::1:$pgport/postgres" \
           "postgresql://postgres:$PW@127.0.0.1:$pgport/postgres?sslmode=bogus" \
           "host=127.0.0.1 password=$PW port=$pgport 'dbname"; do
    DATABASE_URL=$bad timeout 20 "$HERD" save "$TMP/week1.json" > "$TMP/bad" 2>&1; rc=$?
    cat "$TMP/bad" >> "$out"
    expect_eq "malformed DATABASE_URL: exit 7" 7 "$rc"
    grep -qF -- "$bad" "$TMP/bad" && fail "malformed DATABASE_URL printed: $(cat "$TMP/bad")" || ok "malformed DATABASE_URL not printed"
done
# A password made only of '*' that shows in a message (here in the host
# name) once looped forever.
DATABASE_URL="postgresql://postgres:**@no-such-host-**.invalid/x" timeout 20 "$HERD" save "$TMP/week1.json" > "$TMP/stars" 2>&1
expect_eq "a password of '*' only: a clean error" 7 "$?"

# Nothing herd printed contains the password.
grep -q -- "$PW" "$out" && fail "the password appeared in herd's output" || ok "password never printed"
finish
