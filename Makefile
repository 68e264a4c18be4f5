# Nightly reconciliation pipeline.
#   make            build bin/pipeline and bin/stage-*
#   make check      build and run the whole test suite
#   make check SAN=1  the same under AddressSanitizer and UBSan
#   make check VALGRIND=1  the same with every program under valgrind
#   make deps       install the Debian packages the build and tests need
#   make demo       run the guide's worked example night into var/demo
#   make bench      time each stage on a generated night of 10^6 rows
#   make crashtest  kill -9 every stage at random moments (tests/crash/run.sh)

CC      ?= cc
PKGS    := lmdb libarchive libssh2 libxml-2.0 zlib libcrypto
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# libcsv ships no pkg-config file.
LIBS    := $(PKG_LIBS) -lcsv

CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
	   -Wstrict-prototypes -Wmissing-prototypes -Wvla -Ipipeline $(PKG_CFLAGS)
ifeq ($(SAN),1)
BUILD   := build/san
CFLAGS  += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
else
BUILD   := build/opt
endif

LIB_SRC := $(wildcard pipeline/*.c)
LIB_SRC := $(filter-out pipeline/pipeline.c,$(LIB_SRC))
LIB_OBJ := $(LIB_SRC:pipeline/%.c=$(BUILD)/lib/%.o)
LIB     := $(BUILD)/libpipeline.a

STAGE_SRC := $(wildcard stages/*.c)
STAGES    := $(STAGE_SRC:stages/%.c=bin/stage-%)
UNIT_SRC  := $(wildcard tests/unit/test-*.c)
UNITS     := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# Test tools (not run as tests): storepoke damages copies of a store.
TOOLS     := $(BUILD)/tests/storepoke

# An LD_PRELOAD shim for crash tests that kill at an exact point (never
# instrumented: it is preloaded into the plain and the sanitizer build).
KILLPOINT := $(BUILD)/tests/killpoint.so

all: bin/pipeline $(STAGES) $(UNITS) $(TOOLS) $(KILLPOINT)

$(BUILD)/lib/%.o: pipeline/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

# bin/ holds the build of the last make: a SAN build replaces it.
bin/pipeline: $(BUILD)/lib/pipeline.o $(LIB) $(BUILD)/.flavour
	@mkdir -p bin
	$(CC) $(LDFLAGS) -o $@ $(BUILD)/lib/pipeline.o $(LIB) $(LIBS)

bin/stage-%: $(BUILD)/stages/%.o $(LIB) $(BUILD)/.flavour
	@mkdir -p bin
	$(CC) $(LDFLAGS) -o $@ $< $(LIB) $(LIBS)

$(BUILD)/stages/%.o: stages/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -Itests/unit $(LDFLAGS) -o $@ $< $(LIB) $(LIBS)

$(BUILD)/tests/storepoke: tests/storepoke.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP $(LDFLAGS) -o $@ $< $(LIBS)

$(KILLPOINT): tests/crash/killpoint.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Wextra -Werror -fPIC -shared -o $@ $< -ldl

# Relink bin/ when switching between the plain and the sanitizer build.
$(BUILD)/.flavour:
	@mkdir -p $(@D)
	@rm -f build/*/.flavour
	@touch $@

check: all
	BUILD=$(BUILD) VALGRIND=$(VALGRIND) tests/run.sh

deps:
	ops/install-deps.sh

# The crash harness: 390 kills, 30 per stage (CRASH_ARGS=...
# to change the seed or the number, e.g. CRASH_ARGS="--seed 7 --kills 520").
CRASH_ARGS ?= --seed 1 --kills 390
crashtest: all
	tests/crash/run.sh $(CRASH_ARGS)

# PERSONS=N sets the size (about 3 input rows per person).
bench: all
	tests/bench/run.sh

demo: all
	rm -rf var/demo
	bin/pipeline run --date 2021-02-05 --drops fixtures/guide-eindkomst/drops \
		--state var/demo/state --out var/demo/out
	@echo; cat var/demo/out/2021-02-05/summary/ky-eindkomst.csv

clean:
	rm -rf bin build

.PHONY: all check deps demo bench clean crashtest
# Keep the stage objects: no "rm" after the test summary line.
.SECONDARY: $(STAGE_SRC:stages/%.c=$(BUILD)/stages/%.o)
-include $(LIB_OBJ:.o=.d) $(BUILD)/lib/pipeline.d $(wildcard $(BUILD)/stages/*.d) $(wildcard $(BUILD)/tests/*.d)
