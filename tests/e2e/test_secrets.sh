#!/usr/bin/env bash
# A secret put into every place a request or its failure can carry it — the
# base URL (user info), the URL (query), a header, a request body, a response body that a poll's
# fail_on reports, a check's expected text, a setup step's failure line —
# and every output grepped for it, in each form it can take (as typed,
# percent-encoded, JSON-escaped): stdout and stderr with --debug, the result
# file, its text and HTML reports, CSV and Markdown, the journal and, with
# PostgreSQL, the saved rows (pg_dump). The secrets are an ${ENV} variable
# named like a secret (API_TOKEN) and one the plan lists under "secrets".
. "$(dirname "$0")/lib.sh"
start_misc

# Characters that change under percent-encoding and JSON escaping.
export API_TOKEN='tok/en+"quoted"-7c1e9a'
export PLAIN_NAME='listed-secret-55d0b2'
# A setup that fails stops the run before the load: its own plan.
cat > "$TMP/setup.json" <<JSON
{"name": "secrets-setup", "base_url": "$base", "secrets": ["PLAIN_NAME"],
 "load": {"users": 1, "iterations": 1},
 "setup": [{"name": "setup poll", "poll": {"method": "POST", "path": "/echo",
     "body": "\${PLAIN_NAME}", "every": "10ms", "timeout": "2s",
     "until": {"\$.method": ["GET"]}, "fail_on": {"\$.body": ["$PLAIN_NAME"]}}}],
 "scenarios": [{"name": "a", "steps": [{"path": "/ok"}]}]}
JSON
# The base URL carries one too (user info: the server ignores it).
cat > "$TMP/plan.json" <<JSON
{"name": "secrets", "base_url": "http://u:\${PLAIN_NAME}@${base#http://}", "secrets": ["PLAIN_NAME"],
 "load": {"users": 1, "iterations": 2},
 "scenarios": [{"name": "a", "steps": [
   {"name": "get", "path": "/ok?key=\${API_TOKEN}",
    "headers": {"X-Custom": "\${API_TOKEN}"},
    "expect": {"contains": "$(printf '%s' "$API_TOKEN" | sed 's/"/\\"/g')"}}]}]}
JSON
# A failed check ends the iteration: the poll has its own plan too.
cat > "$TMP/poll.json" <<JSON
{"name": "secrets-poll", "base_url": "$base",
 "load": {"users": 1, "iterations": 2},
 "scenarios": [{"name": "a", "steps": [
   {"name": "job", "poll": {"method": "POST", "path": "/echo",
     "body": "\${API_TOKEN}", "every": "10ms", "timeout": "2s",
     "until": {"\$.method": ["GET"]},
     "fail_on": {"\$.body": ["$(printf '%s' "$API_TOKEN" | sed 's/"/\\"/g')"]}}}]}]}
JSON
files=""
for n in plan poll setup; do
    "$HERD" check "$TMP/$n.json" > "$TMP/check.out" 2>&1 ||
        fail "$n.json is refused: $(cat "$TMP/check.out")"
    "$HERD" run "$TMP/$n.json" -o "$TMP/$n-r.json" --debug > "$TMP/$n-run.out" 2> "$TMP/$n-run.err"
    rc=$?
    [ "$rc" -ne 0 ] && ok "$n: the run fails as planned (exit $rc)" || fail "$n: the run passed: the failures did not happen"
    "$HERD" report "$TMP/$n-r.json" --csv > "$TMP/$n-r.csv" 2>&1
    "$HERD" report "$TMP/$n-r.json" --markdown > "$TMP/$n-r.md" 2>&1
    for x in run.out run.err r.json r.txt r.html r.csv r.md r.json.journal; do
        [ -e "$TMP/$n-$x" ] && files="$files $TMP/$n-$x"
    done
done
cp "$TMP/plan-r.json" "$TMP/r.json"
# The failures happened, so their details were there to leak.
grep -q '"check: contains' "$TMP/r.json" && ok "the check failure is in the result" || fail "no check failure in the result"
grep -q 'poll_failed: \$.body=' "$TMP/poll-r.json" && ok "the poll failure is in the result" || fail "no poll failure in the result"
grep -q 'setup.*poll_failed' "$TMP/setup-r.json" && ok "the setup failure is in the result" || fail "no setup failure in the result"
grep -iq 'X-Custom: \*\*\*' "$TMP/plan-run.out" "$TMP/plan-run.err" && ok "the header was printed, masked" || fail "the debug output has no masked header"

forms=$(/usr/bin/python3 - "$API_TOKEN" "$PLAIN_NAME" <<'PY'
import json, sys, urllib.parse
for v in sys.argv[1:]:
    for f in {v, urllib.parse.quote(v, safe=""), json.dumps(v)[1:-1],
              json.dumps(json.dumps(v)[1:-1])[1:-1]}:
        print(f)
PY
)
leaks=0
while IFS= read -r f; do
    for file in $files; do
        if grep -qF -- "$f" "$file"; then
            fail "secret form '$f' in $(basename "$file"): $(grep -F -- "$f" "$file" | head -1 | cut -c1-160)"
            leaks=$((leaks + 1))
        fi
    done
done <<< "$forms"
[ "$leaks" -eq 0 ] && ok "no form of either secret in $(echo $files | wc -w) outputs"

# The database: what save stores, dumped by PostgreSQL itself.
if command -v psql > /dev/null && [ -x "$REPO/scripts/pg-test" ]; then
    pgport=$(free_port)
    PW="pw-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
    if "$REPO/scripts/pg-test" start "$TMP/pg" "$pgport" "$PW" > "$TMP/pg.out" 2>&1; then
        trap '"$REPO/scripts/pg-test" stop "$TMP/pg"; cleanup' EXIT
        export DATABASE_URL="postgresql://postgres:$PW@127.0.0.1:$pgport/postgres"
        "$HERD" db migrate > "$TMP/db.out" 2>&1 && "$HERD" save "$TMP/plan-r.json" >> "$TMP/db.out" 2>&1 &&
            "$HERD" save "$TMP/setup-r.json" >> "$TMP/db.out" 2>&1
        expect_eq "save both runs" 0 "$?"
        PGPASSWORD=$PW pg_dump -h 127.0.0.1 -p "$pgport" -U postgres -n analytics postgres > "$TMP/dump.sql" 2>&1
        grep -q 'poll_failed' "$TMP/dump.sql" && ok "the failures are in the database" || fail "no failures in the dump"
        dleaks=0
        while IFS= read -r f; do
            grep -qF -- "$f" "$TMP/dump.sql" && { fail "secret form '$f' in the database"; dleaks=1; }
        done <<< "$forms"
        [ "$dleaks" -eq 0 ] && ok "no form of either secret in the database"
    else
        fail "PostgreSQL did not start: $(tail -3 "$TMP/pg.out")"
    fi
else
    skip "no PostgreSQL client or scripts/pg-test"
fi
finish
