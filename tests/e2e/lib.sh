# lib.sh — shared helpers for tests/e2e/test_*.sh (sourced, bash).
#   free_port            prints a free TCP port on 127.0.0.1
#   ok MSG / fail MSG    count one passed / failed check
#   skip [--expected WHY] MSG
#                        count one check that did not run (never a pass).
#                        --expected declares the skip normal in this
#                        environment (WHY says which: "sanitized build",
#                        "GitHub's container has no namespaces", ...).
#   expect_eq MSG WANT GOT
#   wait_http URL        waits up to 60 s for a 2xx/3xx answer
#   wait_for COND [SECS] polls the shell condition COND (eval'd) every
#                        0.1 s until it holds (0) or SECS (default 60) pass
#                        (1). Use it instead of a sleep that assumes
#                        something happened: wait on a server's hit count
#                        (misc.py /hits), a file appearing, a log line.
#   finish               prints "NAME: N passed, N failed, N skipped" (and
#                        " (N expected)" when some skips were declared
#                        expected) and exits 1 if anything failed
#
# Skips and CI: scripts/run-e2e sums the skips into its closing line. With
# CI=true (GitHub Actions sets it; .ci/run too) a skip that its file did
# not declare --expected fails the suite: everything CI must check has to
# run there. A file declares a skip expected only for an environment where
# the check cannot run by design (the valgrind checks under SANITIZE, the
# network-namespace checks in GitHub's unprivileged container).
#   start_misc           starts tests/servers/misc.py on a free port, sets
#                        $base to its URL; cleanup stops it
#   $TMP                 a private temporary directory, removed by cleanup
# Tests that start other servers set their own EXIT trap and call cleanup
# from it.
set -u
: "${HERD:?HERD must point at the herd binary}"
: "${REPO:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
TMP=$(mktemp -d /tmp/herd-e2e.XXXXXX)
_pass=0
_fail=0
_skip=0
_skip_expected=0
_name=$(basename "$0" .sh)

_pids=""
cleanup() {
    for p in $_pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    [ -n "${KEEP_TMP:-}" ] && { echo "kept $TMP"; return; }
    rm -rf "$TMP"
}
trap cleanup EXIT

free_port() {
    /usr/bin/python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

ok() { _pass=$((_pass + 1)); echo "  ok   $*"; }
fail() { _fail=$((_fail + 1)); echo "  FAIL $*"; }
skip() {
    _skip=$((_skip + 1))
    if [ "${1:-}" = --expected ]; then
        _skip_expected=$((_skip_expected + 1))
        echo "  SKIP ${*:3} (expected: $2)"
    else
        echo "  SKIP $*"
    fi
}

wait_for() {
    local i n
    n=$(awk -v s="${2:-60}" 'BEGIN { printf "%d", s * 10 }')
    for ((i = 0; i < n; i++)); do
        eval "$1" && return 0
        sleep 0.1
    done
    eval "$1"
}

expect_eq() {
    if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: expected '$2', got '$3'"; fi
}

wait_http() {
    for _ in $(seq 600); do
        curl -fs --max-time 5 -o /dev/null "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

start_misc() {
    local port
    port=$(free_port)
    /usr/bin/python3 "$REPO/tests/servers/misc.py" "$port" &
    _pids="$_pids $!"
    base="http://127.0.0.1:$port"
    wait_http "$base/ok" || { fail "misc server did not start"; finish; }
}

finish() {
    local exp=""
    [ "$_skip_expected" -gt 0 ] && exp=" ($_skip_expected expected)"
    echo "$_name: $_pass passed, $_fail failed, $_skip skipped$exp"
    [ "$_fail" -eq 0 ] && exit 0
    exit 1
}
