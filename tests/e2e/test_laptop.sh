#!/usr/bin/env bash
# The laptop experience: run_local_load_test URL runs a smoke test and says
# where the reports went; herd init writes a commented starter plan (asking
# on a terminal, from flags otherwise) that passes herd check and runs;
# every command's --help works and the README names every command.
. "$(dirname "$0")/lib.sh"
start_misc
ln -s "$HERD" "$TMP/run_local_load_test"

(cd "$TMP" && ./run_local_load_test "$base/ok" --duration 2s --users 3 -o smoke.json > smoke.out 2>&1)
expect_eq "run_local_load_test URL: exit" 0 "$?"
expect_eq "smoke test sent GETs that succeeded" 0 "$(jq '.transactions[0].errors' "$TMP/smoke.json")"
[ "$(jq '.transactions[0].count' "$TMP/smoke.json")" -gt 3 ] && ok "smoke test ran" || fail "smoke test sent nothing"
grep -q "html:   smoke.html  (open it: xdg-open smoke.html)" "$TMP/smoke.out" && ok "says where the report is and how to open it" || fail "no open hint"

"$HERD" init -o "$TMP/plan.json" --name shop --url "$base" --users 4 --duration 2s < /dev/null 2> "$TMP/init.out"
expect_eq "init from flags" 0 "$?"
"$HERD" check "$TMP/plan.json" > /dev/null; expect_eq "the starter plan passes check" 0 "$?"
grep -q '"//' "$TMP/plan.json" && ok "the starter plan is commented" || fail "no comments"
sed -i 's|"path": "/"|"path": "/ok"|' "$TMP/plan.json"
"$HERD" run "$TMP/plan.json" -o "$TMP/r.json" -q > /dev/null 2>&1
expect_eq "the starter plan runs" 0 "$?"
"$HERD" init -o "$TMP/plan.json" < /dev/null 2> /dev/null
expect_eq "init does not overwrite" 2 "$?"
printf 'shop2\n%s\n7\n3s\n' "$base" | script -q -c "$HERD init -o $TMP/asked.json" /dev/null > "$TMP/asked.out" 2>&1
grep -q "Virtual users \[10\]:" "$TMP/asked.out" && ok "init asks on a terminal" || fail "no questions: $(cat "$TMP/asked.out")"
expect_eq "answers used" '["shop2",7,"3s"]' "$(jq -c '[.name, .load.users, .load.duration]' "$TMP/asked.json")"

# --help: every command listed answers --help; the README names each.
cmds=$("$HERD" --help | sed -n 's/^  \([a-z]*\) .*/\1/p' | sort -u)
[ -n "$cmds" ] && ok "commands listed: $(echo $cmds)" || fail "herd --help lists no commands"
for c in $cmds; do
    "$HERD" "$c" --help > /dev/null 2>&1 && ok "herd $c --help" || fail "herd $c --help"
    grep -q "herd $c" "$REPO/README.md" && ok "README documents herd $c" || fail "README lacks herd $c"
done
for opt in $("$HERD" --help | grep -o -- '--[a-z-]*' | sort -u); do
    grep -q -- "$opt" "$REPO/README.md" || fail "README lacks $opt"
done
ok "README mentions every option of herd --help"
finish
