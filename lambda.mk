# lambda.mk — herd as the AWS Lambda `bootstrap`: a fully static x86_64
# executable (musl, libcurl over mbedTLS, cJSON; no libpq) zipped for a
# provided.al2023 function. Included by the Makefile; also usable alone:
#
#   make lambda            build/lambda/bootstrap and build/lambda/herd-lambda.zip
#   make lambda-check      static? mbedTLS? size? (fails past 1 MiB)
#   make -f lambda.mk deploy FUNCTION=herd ROLE=arn:aws:iam::...:role/...
#                          create or update the function and wait for Active
#
# Dependencies come from Debian's source packages (scripts/lambda-deps) and
# are cached under build/lambda/deps: only the first build takes minutes.
# mbedTLS 2.28 does not match certificates issued for IP addresses: targets
# must be addressed by name (tests use "localhost").

LAMBDA_DIR    := build/lambda
LAMBDA_DEPS   := $(LAMBDA_DIR)/deps
LAMBDA_SRCS   := $(filter-out src/store.c,$(wildcard src/*.c))
LAMBDA_CFLAGS := -std=c11 -D_GNU_SOURCE -DHERD_NO_DB -Os -ffunction-sections \
                 -fdata-sections -Wall -Wextra -Wno-unused-parameter \
                 -Wno-format-truncation -Isrc -I$(LAMBDA_DEPS)/include
LAMBDA_LIBS   := $(LAMBDA_DEPS)/lib/libcurl.a $(LAMBDA_DEPS)/lib/libmbedtls.a \
                 $(LAMBDA_DEPS)/lib/libmbedx509.a \
                 $(LAMBDA_DEPS)/lib/libmbedcrypto.a $(LAMBDA_DEPS)/lib/cJSON.o
# The zip must stay small: the build fails past this size (bytes).
LAMBDA_MAX_ZIP := 1048576
FUNCTION ?= herd
MEMORY   ?= 1769
TIMEOUT  ?= 900

.PHONY: lambda lambda-check deploy

lambda: $(LAMBDA_DIR)/herd-lambda.zip

# Checked on every build (fast): a Debian security update to mbedTLS,
# curl or cJSON, or a change to scripts/lambda-deps, rebuilds what it
# touches and touches the stamp.
$(LAMBDA_DEPS)/.stamp: FORCE
	@scripts/lambda-deps $(LAMBDA_DEPS)

$(LAMBDA_DIR)/bootstrap: $(LAMBDA_SRCS) $(wildcard src/*.h) $(LAMBDA_DEPS)/.stamp
	musl-gcc $(LAMBDA_CFLAGS) -static -s -Wl,--gc-sections -o $@ \
	    $(LAMBDA_SRCS) $(LAMBDA_LIBS) -lpthread -lm

$(LAMBDA_DIR)/herd-lambda.zip: $(LAMBDA_DIR)/bootstrap
	rm -f $@
	cd $(LAMBDA_DIR) && zip -q -9 -X herd-lambda.zip bootstrap
	@size=$$(stat -c %s $@); echo "lambda: $@ is $$size bytes"; \
	if [ $$size -gt $(LAMBDA_MAX_ZIP) ]; then \
	    echo "lambda: the zip grew past $(LAMBDA_MAX_ZIP) bytes" >&2; rm -f $@; exit 1; fi

lambda-check: lambda
	@file $(LAMBDA_DIR)/bootstrap | grep -q "statically linked" || \
	    { echo "lambda-check: bootstrap is not statically linked" >&2; exit 1; }
	@ln -sf bootstrap $(LAMBDA_DIR)/herd && $(LAMBDA_DIR)/herd version | tee $(LAMBDA_DIR)/version.txt | \
	    grep -q mbedTLS || { echo "lambda-check: not built with mbedTLS" >&2; exit 1; }
	@echo "lambda-check: static, $$(cat $(LAMBDA_DIR)/version.txt), zip $$(stat -c %s $(LAMBDA_DIR)/herd-lambda.zip) bytes"

# Deploying needs the aws CLI and credentials in the environment; ROLE is
# the execution role (see the README for the policy it needs).
deploy: lambda
	scripts/lambda-deploy $(FUNCTION) $(LAMBDA_DIR)/herd-lambda.zip "$(ROLE)" $(MEMORY) $(TIMEOUT)

FORCE:
