# herd — plain Makefile. `make` builds build/herd; `make test` installs the
# Debian packages it needs, builds and runs every test; `make demo` runs the
# bundled plan against the bundled Flask + Celery target.
#
#   make SANITIZE=address,undefined test   sanitizer build of everything
#   make WERROR=1                          warnings are errors (CI)

CC       ?= cc
BUILD    ?= build
PKGS      = libcurl libcjson libpq
CFLAGS   ?= -O2 -g
# -Wno-unused-parameter: libcurl and loop callbacks have fixed signatures.
# -Wno-format-truncation: field paths in messages are cut at 512 bytes on
# purpose.
CFLAGS   += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow \
            -Wmissing-prototypes -Wno-unused-parameter \
            -Wno-format-truncation -MMD -MP \
            $(shell pkg-config --cflags $(PKGS))
LDLIBS   += $(shell pkg-config --libs $(PKGS)) -lpthread -lm

ifdef WERROR
CFLAGS   += -Werror
endif
ifdef SANITIZE
CFLAGS   += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=$(SANITIZE)
BUILD    := build/san
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

.PHONY: all deps test unit e2e demo clean bench

all: $(BUILD)/herd

$(BUILD)/herd: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj/%.o: src/%.c | $(BUILD)/obj
	$(CC) $(CFLAGS) -Isrc -c -o $@ $<

$(BUILD)/gen/migrations.c: $(MIGRATIONS) scripts/embed-sql | $(BUILD)/gen
	scripts/embed-sql $(MIGRATIONS) > $@

$(BUILD)/obj/migrations.o: $(BUILD)/gen/migrations.c | $(BUILD)/obj
	$(CC) $(CFLAGS) -Isrc -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIBOBJS) | $(BUILD)/tests
	$(CC) $(CFLAGS) -Isrc -Itests/unit $(LDFLAGS) -o $@ $< $(LIBOBJS) $(LDLIBS)

$(BUILD)/tools/%: tests/tools/%.c $(LIBOBJS) | $(BUILD)/tools
	$(CC) $(CFLAGS) -Isrc $(LDFLAGS) -o $@ $< $(LIBOBJS) $(LDLIBS)

$(BUILD)/obj $(BUILD)/tests $(BUILD)/gen $(BUILD)/tools:
	mkdir -p $@

deps:
	scripts/install-deps

unit: $(TESTBINS)
	@scripts/run-unit $(TESTBINS)

e2e: $(BUILD)/herd $(TOOLS)
	@HERD=$(abspath $(BUILD)/herd) TOOLS=$(abspath $(BUILD)/tools) scripts/run-e2e

test: deps
	$(MAKE) all unit
	$(MAKE) e2e

demo: deps
	$(MAKE) all
	scripts/demo

# A measurement, never a test: herd beside wrk (and hey, ab) on pinned
# cores. BENCH_ARGS="--duration 5s --reps 1" for a quick look.
bench: deps $(BUILD)/herd
	@command -v wrk >/dev/null || scripts/install-bench-deps
	HERD=$(abspath $(BUILD)/herd) scripts/bench $(BENCH_ARGS)

clean:
	rm -rf build

-include $(OBJS:.o=.d) $(TESTBINS:=.d)
include lambda.mk
