# herd — plain Makefile. `make` builds build/herd; `make test` installs the
# Debian packages it needs, builds and runs every test; `make demo` runs the
# bundled plan against the bundled Flask + Celery target.
#
#   make SANITIZE=address,undefined test   sanitizer build of everything
#   make tsan                              ThreadSanitizer: unit tests and
#                                          the threaded e2e files
#   make WERROR=1                          warnings are errors (CI)

CC       ?= cc
BUILD    ?= build
comma    := ,
# herd is Linux-only: its event loop is epoll (src/loop.c).
ifneq ($(shell uname -s),Linux)
$(error herd builds on Linux only (its event loop is epoll); this is $(shell uname -s): use a Linux machine or container)
endif
PKGS      = libcjson libpq
CFLAGS   ?= -O2 -g
# libcurl: by default Debian's curl source package built static with only
# what herd uses (scripts/curl-build; the README's "Which libcurl" says
# why). CURL=system links the system's libcurl package instead (the
# fallback off Debian, where scripts/curl-build refuses to build).
CURL     ?= source
ifeq ($(CURL),system)
PKGS     += libcurl
else
CURLDIR  := build/curl
CURLDEP  := $(CURLDIR)/.stamp
CURLINC  := -I$(CURLDIR)/include
CURLLIBS := $(CURLDIR)/lib/libcurl.a $(shell pkg-config --libs openssl libidn2)
endif
# -Wno-unused-parameter: libcurl and loop callbacks have fixed signatures.
# -Wno-format-truncation: field paths in messages are cut at 512 bytes on
# purpose.
CFLAGS   += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow \
            -Wmissing-prototypes -Wno-unused-parameter \
            -Wno-format-truncation -MMD -MP \
            $(CURLINC) $(shell pkg-config --cflags $(PKGS))
LDLIBS   += $(CURLLIBS) $(shell pkg-config --libs $(PKGS)) -lpthread -lm

ifdef WERROR
CFLAGS   += -Werror
endif
ifdef SANITIZE
CFLAGS   += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=$(SANITIZE)
# ThreadSanitizer cannot share objects with ASan/UBSan: its own directory.
ifneq ($(filter thread,$(subst $(comma), ,$(SANITIZE))),)
BUILD    := build/tsan
else
BUILD    := build/san
endif
endif

SRCS     := $(wildcard src/*.c)
LIBSRCS  := $(filter-out src/main.c,$(SRCS))
MIGRATIONS := $(sort $(wildcard sql/[0-9]*.sql))
# The migrations are compiled into the binary (scripts/embed-sql).
GENOBJS  := $(BUILD)/obj/migrations.o
OBJS     := $(SRCS:src/%.c=$(BUILD)/obj/%.o) $(GENOBJS)
LIBOBJS  := $(LIBSRCS:src/%.c=$(BUILD)/obj/%.o) $(GENOBJS)
TESTSRCS := $(wildcard tests/unit/test_*.c)
TESTBINS := $(TESTSRCS:tests/unit/%.c=$(BUILD)/tests/%)
TOOLS    := $(BUILD)/tools/mkresult

.PHONY: all deps test unit e2e demo clean bench fuzz fuzz-regressions tsan FORCE

all: $(BUILD)/herd
ifneq ($(CURL),system)
	@# A herd patch that did not apply to Debian's curl (scripts/curl-build):
	@# said again as make's last line, on every build until it is fixed.
	@if [ -s $(CURLDIR)/.patch-warning ]; then cat $(CURLDIR)/.patch-warning >&2; fi
endif

$(BUILD)/herd: $(OBJS) $(CURLDEP)
	$(CC) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

$(BUILD)/obj/%.o: src/%.c | $(BUILD)/obj $(CURLDEP)
	$(CC) $(CFLAGS) -Isrc -c -o $@ $<

# Checked on every build (fast, no apt, no network): rebuilt when Debian's
# curl version or scripts/curl-build or scripts/curl-patches change; the
# stamp keeps its time otherwise. The first build fetches Debian's curl
# source with apt (README, "Building": what `make` does to the system);
# CURL_SRC=/path/to/curl-7.88.1 builds from a source already fetched.
$(CURLDEP): FORCE
	@CURL_SRC='$(CURL_SRC)' scripts/curl-build $(CURLDIR)

FORCE:

$(BUILD)/gen/migrations.c: $(MIGRATIONS) scripts/embed-sql | $(BUILD)/gen
	scripts/embed-sql $(MIGRATIONS) > $@

$(BUILD)/obj/migrations.o: $(BUILD)/gen/migrations.c | $(BUILD)/obj
	$(CC) $(CFLAGS) -Isrc -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIBOBJS) | $(BUILD)/tests $(CURLDEP)
	$(CC) $(CFLAGS) -Isrc -Itests/unit $(LDFLAGS) -o $@ $< $(LIBOBJS) $(LDLIBS)

$(BUILD)/tools/%: tests/tools/%.c $(LIBOBJS) | $(BUILD)/tools $(CURLDEP)
	$(CC) $(CFLAGS) -Isrc $(LDFLAGS) -o $@ $< $(LIBOBJS) $(LDLIBS)

$(BUILD)/obj $(BUILD)/tests $(BUILD)/gen $(BUILD)/tools:
	mkdir -p $@

deps:
	scripts/install-deps

unit: $(TESTBINS)
	@scripts/run-unit $(TESTBINS)

e2e: $(BUILD)/herd $(TOOLS)
	@HERD=$(abspath $(BUILD)/herd) TOOLS=$(abspath $(BUILD)/tools) \
	    HERD_SANITIZE=$(SANITIZE) scripts/run-e2e

test: deps
	$(MAKE) all unit
	$(MAKE) e2e

# ThreadSanitizer over what runs threads: every unit test, and e2e files
# whose runs use several workers, signals, the journal and the workflows
# (about a minute). Left out: test_accuracy* (tolerances of a few ms, not
# met under TSan's slowdown), test_hostile (RSS limits, valgrind),
# test_lambda_dist (shards turn late). A report anywhere fails the target,
# even in a run whose exit code no test looks at: they are collected from
# TSAN_LOG.
TSAN_E2E ?= nginx requests laptop journal workflows target
# ... and test_lambda_stream with the shards running build/tsan/herd as
# their bootstrap (its streaming thread, src/rtstream.c).
TSAN_LOG  = $(abspath build/tsan/report)
tsan:
	$(MAKE) SANITIZE=thread all unit build/tsan/tools/mkresult
	@rm -f $(TSAN_LOG).*
	@for f in $(TSAN_E2E); do \
	    TSAN_OPTIONS="log_path=$(TSAN_LOG) second_deadlock_stack=1 $$TSAN_OPTIONS" \
	    E2E_ONLY=$$f HERD=$(abspath build/tsan/herd) \
	    TOOLS=$(abspath build/tsan/tools) scripts/run-e2e || exit 1; \
	done
	@TSAN_OPTIONS="log_path=$(TSAN_LOG) second_deadlock_stack=1 $$TSAN_OPTIONS" \
	    LAMBDA_BOOTSTRAP_HERD=1 E2E_ONLY=lambda_stream \
	    HERD=$(abspath build/tsan/herd) TOOLS=$(abspath build/tsan/tools) \
	    scripts/run-e2e
	@if ls $(TSAN_LOG).* >/dev/null 2>&1; then cat $(TSAN_LOG).*; \
	    echo "tsan: ThreadSanitizer reports above" >&2; exit 1; fi
	@echo "tsan: no reports"

demo: deps
	$(MAKE) all
	scripts/demo

# Fuzzing: libFuzzer harnesses (clang, ASan + UBSan) over every parser.
# Each runs FUZZ_SECONDS from tests/fuzz/seeds/; crashes found become files
# in tests/fuzz/regressions/<harness>/, replayed first on every run.
# FUZZ_RUNS=N instead runs N inputs from a fixed seed: reproducible, for CI.
FUZZ_SECONDS ?= 60
FUZZ_LIMIT    = $(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS) -seed=1,-max_total_time=$(FUZZ_SECONDS))
FUZZ_NAMES   := plan tmpl jpath units result hist event h1 evstream
FUZZ_DIR     := build/fuzz
FUZZ_CFLAGS  := -g -O1 -std=c11 -D_GNU_SOURCE -fno-omit-frame-pointer \
                -fsanitize=fuzzer-no-link,address,undefined \
                $(CURLINC) $(shell pkg-config --cflags $(PKGS)) -Isrc -I$(BUILD)/gen
FUZZ_OBJS    := $(LIBSRCS:src/%.c=$(FUZZ_DIR)/obj/%.o) $(FUZZ_DIR)/obj/migrations.o
FUZZ_BINS    := $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz_%)

$(FUZZ_DIR)/obj/%.o: src/%.c | $(FUZZ_DIR)/obj $(CURLDEP)
	clang $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_DIR)/obj/migrations.o: $(BUILD)/gen/migrations.c | $(FUZZ_DIR)/obj
	clang $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_OBJS)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< \
	    $(FUZZ_OBJS) $(LDLIBS)

$(FUZZ_DIR)/obj:
	mkdir -p $@

.SECONDARY: $(FUZZ_OBJS)

fuzz-regressions: $(FUZZ_BINS)
	@for n in $(FUZZ_NAMES); do \
	    d=tests/fuzz/regressions/$$n; [ -d $$d ] && [ -n "$$(ls $$d)" ] || continue; \
	    echo "fuzz: replaying $$d"; $(FUZZ_DIR)/fuzz_$$n $$d/* >/dev/null 2>&1 || \
	        { echo "fuzz: regression in $$n" >&2; exit 1; }; \
	done

fuzz: fuzz-regressions
	@for n in $(FUZZ_NAMES); do \
	    mkdir -p $(FUZZ_DIR)/corpus/$$n $(FUZZ_DIR)/crash/$$n; \
	    cp -n tests/fuzz/seeds/$$n/* $(FUZZ_DIR)/corpus/$$n/ 2>/dev/null; \
	    echo "fuzz: $$n ($(FUZZ_LIMIT))"; \
	    $(FUZZ_DIR)/fuzz_$$n $(FUZZ_LIMIT) -max_len=65536 \
	        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	        -artifact_prefix=$(FUZZ_DIR)/crash/$$n/ $(FUZZ_DIR)/corpus/$$n \
	        > $(FUZZ_DIR)/$$n.log 2>&1 || { tail -30 $(FUZZ_DIR)/$$n.log; \
	        echo "fuzz: $$n crashed; input in $(FUZZ_DIR)/crash/$$n/ (copy it to tests/fuzz/regressions/$$n/)" >&2; exit 1; }; \
	    grep -E "stat::number_of_executed_units|cov:" $(FUZZ_DIR)/$$n.log | tail -2; \
	done

# A measurement, never a test: herd beside wrk (and hey, ab) on pinned
# cores. BENCH_ARGS="--duration 5s --reps 1" for a quick look.
bench: deps $(BUILD)/herd
	@command -v wrk >/dev/null && command -v locust >/dev/null || scripts/install-bench-deps
	HERD=$(abspath $(BUILD)/herd) scripts/bench $(BENCH_ARGS)

clean:
	rm -rf build

-include $(OBJS:.o=.d) $(TESTBINS:=.d)
include lambda.mk
