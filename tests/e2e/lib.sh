# lib.sh — shared helpers for tests/e2e/test_*.sh (sourced, bash).
#   free_port            prints a free TCP port on 127.0.0.1
#   ok MSG / fail MSG    count one passed / failed check
#   expect_eq MSG WANT GOT
#   wait_http URL        waits up to 15 s for a 2xx/3xx answer
#   finish               prints "NAME: N passed, N failed" and exits
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

expect_eq() {
    if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: expected '$2', got '$3'"; fi
}

wait_http() {
    for _ in $(seq 150); do
        curl -fs -o /dev/null "$1" 2>/dev/null && return 0
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
    echo "$_name: $_pass passed, $_fail failed"
    [ "$_fail" -eq 0 ] && exit 0
    exit 1
}
