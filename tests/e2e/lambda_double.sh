# lambda_double.sh — sourced (after lib.sh) by the e2e files that run
# distributed tests through the local Lambda double (tests/lambda/double.py).
#
# The shards run the Lambda zip's bootstrap (musl, libcurl over mbedTLS),
# what AWS runs. test_lambda_build builds it before these files; run alone
# under CI=true it is built here. Without it (outside CI) the shards run
# $HERD (glibc, OpenSSL): a counted skip says the real bootstrap was not
# tested. Sets the test credentials and defines
#   double NAME [options]   starts a double (logs in $TMP/NAME.log and
#                           $TMP/NAME.err), sets $ep; its PID joins $dpids
zip="$REPO/build/lambda/herd-lambda.zip"
if [ ! -f "$zip" ] && [ "${CI:-}" = true ]; then
    make -C "$REPO" lambda > "$TMP/lambda-build.out" 2>&1 ||
        { fail "CI: no Lambda zip and make lambda failed: $(tail -5 "$TMP/lambda-build.out")"; finish; }
fi
if [ -n "${LAMBDA_BOOTSTRAP_HERD:-}" ]; then
    # make tsan: the shards run $HERD itself, so that ThreadSanitizer sees
    # the bootstrap's streaming thread (src/rtstream.c).
    pkg=(--bootstrap "$HERD"); echo "  (bootstrap: $HERD, as LAMBDA_BOOTSTRAP_HERD asks)"
elif [ -f "$zip" ]; then
    pkg=(--zip "$zip"); echo "  (bootstrap from the Lambda zip)"
else
    pkg=(--bootstrap "$HERD")
    skip "no Lambda zip built (make lambda): the shards run $HERD, not the mbedTLS bootstrap"
fi
export AWS_ACCESS_KEY_ID=AKIDHERDTEST AWS_SECRET_ACCESS_KEY=herd-test-secret AWS_REGION=us-east-1
unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL_LAMBDA
dpids=""
double() {
    local port; port=$(free_port)
    /usr/bin/python3 "$REPO/tests/lambda/double.py" "$port" "${pkg[@]}" \
        --log "$TMP/$1.log" --stderr "$TMP/$1.err" "${@:2}" &
    dpids="$dpids $!"
    ep="http://127.0.0.1:$port"
    wait_for 'curl -s --max-time 5 -o /dev/null "$ep/"' 60 || fail "double $1 did not start in 60 s"
}
