#!/usr/bin/env bash
# The Lambda package: `make lambda` builds a static bootstrap (musl,
# libcurl over mbedTLS, from Debian's source packages) zipped well under
# 1 MiB; it speaks HTTPS with a CA bundle it finds itself (SSL_CERT_FILE
# here; Amazon Linux's path on Lambda).
. "$(dirname "$0")/lib.sh"

make -C "$REPO" lambda lambda-check > "$TMP/build.out" 2>&1
expect_eq "make lambda lambda-check" 0 "$?"
zip="$REPO/build/lambda/herd-lambda.zip"
size=$(stat -c %s "$zip" 2>/dev/null || echo 0)
if [ "$size" -gt 0 ] && [ "$size" -le 1048576 ]; then ok "zip is $size bytes (<= 1 MiB)"; else fail "zip size $size"; fi
expect_eq "the zip holds exactly bootstrap" "bootstrap" "$(/usr/bin/python3 -c 'import sys, zipfile; print(" ".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$zip")"
file "$REPO/build/lambda/bootstrap" | grep -q "statically linked" && ok "statically linked" || fail "not static: $(file "$REPO/build/lambda/bootstrap")"
ln -s "$REPO/build/lambda/bootstrap" "$TMP/herd"
"$TMP/herd" version | grep -q "mbedTLS" && ok "libcurl over mbedTLS: $("$TMP/herd" version)" || fail "version: $("$TMP/herd" version)"
expect_eq "herd's libcurl patches applied here too (scripts/curl-patches)" \
    "$(cd "$REPO/scripts/curl-patches" && ls -- *.patch | sort)" "$(sort "$REPO/build/lambda/deps/curl-src/.herd-patches")"
expect_eq "the symlinks name the binary" "../build/herd ../build/herd ../build/herd" \
    "$(readlink "$REPO/symlinks/bootstrap" "$REPO/symlinks/run_distributed_load_test" "$REPO/symlinks/run_local_load_test" | tr '\n' ' ' | sed 's/ $//')"

# HTTPS from the static binary: verified against the CA it was pointed at.
port=$(free_port); tport=$(free_port)
"$REPO/scripts/nginx-test" start "$TMP/nginx" "$port" "$tport" > /dev/null || fail "nginx did not start"
trap '"$REPO/scripts/nginx-test" stop "$TMP/nginx"; cleanup' EXIT
cat > "$TMP/tls.json" <<JSON
{"name": "tls", "base_url": "https://localhost:$tport",
 "load": {"users": 1, "iterations": 3},
 "scenarios": [{"steps": [{"name": "hello", "path": "/hello", "expect": {"contains": "hello-tls"}}]}]}
JSON
SSL_CERT_FILE="$TMP/nginx/cert.pem" "$TMP/herd" run "$TMP/tls.json" -o "$TMP/r.json" -q > /dev/null 2>&1
expect_eq "static binary: HTTPS verified with SSL_CERT_FILE" 3 "$(jq '.transactions[0].status["200"]' "$TMP/r.json")"
SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt "$TMP/herd" run "$TMP/tls.json" -o "$TMP/r2.json" -q > /dev/null 2>&1
expect_eq "static binary: an untrusted certificate fails as tls" 3 "$(jq '.transactions[0].errors_by.tls' "$TMP/r2.json")"
"$REPO/build/lambda/bootstrap" > "$TMP/boot.out" 2>&1
expect_eq "bootstrap outside Lambda explains itself" 2 "$?"
grep -q "AWS_LAMBDA_RUNTIME_API is not set" "$TMP/boot.out" && ok "says why" || fail "bootstrap said: $(cat "$TMP/boot.out")"
finish
