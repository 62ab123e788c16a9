# tyndau - build, test, check, lint, bench, demo.
# Sources are found by wildcard: a new src/<layer>/<file>.c or
# tests/unit/<layer>/test_<file>.c joins the build without editing this file.

BUILD ?= build
CC ?= cc
PKGS = libmicrohttpd jansson libsodium libutf8proc sqlite3 libcurl libpq
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -I/usr/include/postgresql
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
WARN = -Wall -Wextra -Wshadow -Wvla -Wstrict-prototypes -Wmissing-prototypes \
       -Wimplicit-fallthrough -Wformat=2 -Wswitch-enum
ifeq ($(CI),true)
WARN += -Werror
endif
OPT ?= -O2
SAN ?=
CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g $(OPT) $(SAN) $(WARN) \
         -Isrc -I$(BUILD)/gen $(PKG_CFLAGS) -MMD -MP
LDLIBS = $(PKG_LIBS) -lstemmer -llinear -lpthread -lm

SRC := $(sort $(wildcard src/*/*.c))
MAIN := src/cli/main.c
LIBSRC := $(filter-out $(MAIN),$(SRC))
MIGRATIONS := $(sort $(wildcard src/store/migrations/*.sql))
OBJ := $(LIBSRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/migrations.o $(BUILD)/gen/webfiles.o
# Pages: the catalogs, our static files and govuk-frontend's compiled CSS/JS
# (from npm: scripts/deps.sh) go into the binary (src/http/webfiles.h).
WEBFILES := $(sort $(wildcard web/i18n/*.po web/static/*))
GOVUK := node_modules/govuk-frontend/dist/govuk
LIB := $(BUILD)/libtyndau.a

UNIT_SRC := $(sort $(wildcard tests/unit/*/test_*.c))
UNIT_BIN := $(UNIT_SRC:%.c=$(BUILD)/%)
ITEST_SRC := $(sort $(wildcard tests/integration/test_*.c))
ITEST_BIN := $(ITEST_SRC:%.c=$(BUILD)/%)
ITEST_LIB := $(filter-out $(ITEST_SRC),$(wildcard tests/integration/*.c))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_REPLAY := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/tests/fuzz/replay_%)

.PHONY: all test unit integration check lint bench demo deps fuzz fuzz-replay clean e2e

# BIN: where the binary goes; a second tree (make BUILD=build/x BIN=build/x/tyndau)
# builds and tests beside the first without touching it.
BIN ?= tyndau
all: $(BIN)

$(BIN): $(BUILD)/src/cli/main.o $(LIB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(LIB): $(OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/gen/migrations.c: $(MIGRATIONS) scripts/embed.sh
	@mkdir -p $(dir $@)
	scripts/embed.sh $@ $(MIGRATIONS)

$(BUILD)/gen/migrations.o: $(BUILD)/gen/migrations.c
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/gen/webfiles.c: $(WEBFILES) scripts/embed-web.sh $(wildcard $(GOVUK)/govuk-frontend.min.*) \
                         $(wildcard node_modules/uplot/dist/uPlot*.min.*)
	@mkdir -p $(dir $@)
	scripts/embed-web.sh $@ $(GOVUK) $(WEBFILES)

$(BUILD)/gen/webfiles.o: $(BUILD)/gen/webfiles.c
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/oracle/calendar_dump: tests/oracle/calendar_dump.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -o $@ $< $(LIB) -lcmocka $(LDLIBS)

$(BUILD)/tests/integration/%: tests/integration/%.c $(ITEST_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -o $@ $< $(ITEST_LIB) $(LIB) -lcmocka $(LDLIBS)

# $(filter): the -MMD files add headers to $^, and clang will not link a .h.
$(BUILD)/tests/fuzz/replay_%: tests/fuzz/%.c tests/fuzz/replay_main.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -o $@ $(filter %.c %.a,$^) $(LDLIBS)

# make fuzz: each tests/fuzz/fuzz_T.c under libFuzzer with ASan and UBSan for
# FUZZ_SECONDS, against the library built with clang in build/fuzz. The seeds
# are tests/fuzz/corpus/fuzz_T/; what libFuzzer adds goes to build/fuzz/corpus/
# fuzz_T/, and a crash is written into tests/fuzz/corpus/fuzz_T/ (crash-<sha1>),
# where make test replays it until it is fixed. Runs every target, then fails
# if any crashed. FUZZ_TARGETS picks some (fuzz_utf8 ...); FUZZ_FLAGS adds
# libFuzzer flags (-jobs=2, -max_len=8192, ...).
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS ?=
FUZZ_TARGETS ?= $(FUZZ_SRC:tests/fuzz/%.c=%)
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
fuzz:
	$(MAKE) BUILD=build/fuzz CC=$(FUZZ_CC) OPT=-O1 SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" \
	    $(FUZZ_TARGETS:%=build/fuzz/tests/fuzz/%)
	@rc=0; for t in $(FUZZ_TARGETS); do \
	    mkdir -p build/fuzz/corpus/$$t tests/fuzz/corpus/$$t; \
	    dict=; [ -f tests/fuzz/$$t.dict ] && dict=-dict=tests/fuzz/$$t.dict; \
	    echo "fuzz: $$t for $(FUZZ_SECONDS)s"; \
	    build/fuzz/tests/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	        -print_final_stats=1 -artifact_prefix=tests/fuzz/corpus/$$t/ $$dict $(FUZZ_FLAGS) \
	        build/fuzz/corpus/$$t tests/fuzz/corpus/$$t || { rc=1; echo "fuzz: $$t FAILED"; }; \
	done; exit $$rc

build/fuzz/tests/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer -Itests -o $@ $(filter %.c %.a,$^) $(LDLIBS)

deps:
	scripts/deps.sh

# make test: install what is missing, build, then every suite. Where PostgreSQL 15
# is installed, a throwaway server (scripts/pg-test.sh) backs the pg pass and is
# stopped however the tests end; a TEST_PG_DSN already exported is used as it is.
PG_BIN ?= /usr/lib/postgresql/15/bin
test: deps
	$(MAKE) all build-tests
	@pgdir=; trap 'exit 130' HUP INT TERM; \
	if [ -z "$$TEST_PG_DSN" ] && [ -x $(PG_BIN)/initdb ]; then \
	    pgenv=$$(PG_BIN=$(PG_BIN) scripts/pg-test.sh start) || exit 1; \
	    eval "$$pgenv"; \
	    pgdir=$$TEST_PG_DIR; \
	fi; \
	scripts/run-tests.sh $(BUILD) $(BIN); rc=$$?; \
	if [ -n "$$pgdir" ]; then scripts/pg-test.sh stop "$$pgdir"; fi; \
	exit $$rc

.PHONY: build-tests
build-tests: $(UNIT_BIN) $(ITEST_BIN) $(FUZZ_REPLAY) $(BUILD)/tests/oracle/calendar_dump

unit: $(UNIT_BIN)
	scripts/run-tests.sh --only unit $(BUILD) $(BIN)

integration: $(BIN) $(ITEST_BIN)
	scripts/run-tests.sh --only integration $(BUILD) $(BIN)

fuzz-replay: $(FUZZ_REPLAY)
	scripts/run-tests.sh --only fuzz $(BUILD) $(BIN)

e2e: $(BIN)
	scripts/run-tests.sh --only e2e $(BUILD) $(BIN)

# The whole suite again under AddressSanitizer and UBSan, in its own build tree.
check:
	$(MAKE) BUILD=build/asan OPT=-O1 \
	    SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	    BIN=build/asan/tyndau build/asan/tyndau build-tests
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    scripts/run-tests.sh build/asan build/asan/tyndau

lint:
	scripts/lint.sh

# Intake and queue against nginx and raw SQLite, then the opinion and text
# benchmarks, and the live stream against nginx with nchan; results in
# bench/out/ and build/bench/ (see BENCHMARKS.md).
bench: tyndau
	bench/run.sh
	bench/opinion/run.sh
	bench/text/run.sh
	bench/realtime/run.sh
	bench/dedupe/run.sh
	bench/pipeline/run.sh

demo: deps
	$(MAKE) all
	./tyndau demo

clean:
	rm -rf build tyndau

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
