# Nightly reconciliation pipeline.
#   make            build bin/pipeline and bin/stage-*
#   make check      install what is missing, build and run the whole test suite
#   make check SAN=1  the same under AddressSanitizer and UBSan
#   make check VALGRIND=1  the same with every program under valgrind
#   make deps       install the Debian packages the build and tests need
#   make demo       install what is missing, build, run the demo night into var/demo
#   make demo-sftp  the same night fetched over SFTP from a loopback sshd
#   make screenshot the demo night's report as fixtures/demo/report.png
#   make bench      each stage and the whole night on generated nights of 10^5 and 10^6
#                   rows against the issue 17 targets, beside the libcsv
#                   floor and sqlite3 (ROWS=N one size; BENCH_BIG=1 adds 10^7)
#   make bench-refusion  the refund for evening schools on 50.000 list lines
#   make crashtest  kill -9 every stage at random moments (tests/crash/run.sh)
#   make fuzz       run each libFuzzer target FUZZ_TIME seconds (clang)

CC      ?= cc
PKGS    := lmdb libarchive libssh2 libxml-2.0 zlib libcrypto
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# libcsv ships no pkg-config file.
LIBS    := $(PKG_LIBS) -lcsv
# A stage folder's own libraries (LIBS_NAME): only stage-workbook writes xlsx.
LIBS_workbook := $(shell pkg-config --libs xlsxwriter 2>/dev/null)
PKG_CFLAGS += $(shell pkg-config --cflags xlsxwriter 2>/dev/null)

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
# make fuzz builds the libFuzzer targets with clang in build/fuzz (FUZZ=1).
ifeq ($(FUZZ),1)
CC      := clang
BUILD   := build/fuzz
CFLAGS  += -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=fuzzer,address,undefined
endif

# The layout (ARCHITECTURE.md): the library is pipeline/GROUP/*.c; a stage
# is stages/NAME.c, or a folder stages/NAME/ with main.c and the stage's own
# modules; the driver bin/pipeline is driver/*.c.
LIB_SRC := $(wildcard pipeline/*/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB     := $(BUILD)/libpipeline.a

STAGE_ONE  := $(wildcard stages/*.c)
STAGE_DIRS := $(patsubst stages/%/main.c,%,$(wildcard stages/*/main.c))
STAGES     := $(STAGE_ONE:stages/%.c=bin/stage-%) $(STAGE_DIRS:%=bin/stage-%)
# The objects of stage folder NAME: all, and its modules (all but main.o).
stage_obj  = $(patsubst %.c,$(BUILD)/%.o,$(wildcard stages/$(1)/*.c))
stage_mods = $(filter-out %/main.o,$(call stage_obj,$(1)))
STAGE_OBJ  := $(STAGE_ONE:%.c=$(BUILD)/%.o) $(foreach d,$(STAGE_DIRS),$(call stage_obj,$(d)))
DRIVER_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard driver/*.c))

UNIT_SRC  := $(wildcard tests/unit/test-*.c)
UNITS     := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# A unit test of a stage's own module links that stage folder's modules
# (UNIT_STAGES_test-NAME := STAGE...) and includes "stages/STAGE/x.h"; of
# the driver's own module (STAGE 'driver'), the driver's modules but its
# main, and includes "driver/x.h".
UNIT_STAGES_test-accounts := normalise
UNIT_STAGES_test-betalingsplaner := match-betalingsplaner
UNIT_STAGES_test-dialects := match-ky-finans match-ky-yr normalise
UNIT_STAGES_test-knownhosts := fetch
UNIT_STAGES_test-refusion := match-refusion
UNIT_STAGES_test-report := report
UNIT_STAGES_test-decide := driver
UNIT_STAGES_test-storecheck := driver
UNIT_STAGES_test-voucher := vouchers
UNIT_STAGES_test-workbook := workbook
UNIT_STAGES_test-xmlin := normalise

unit_mods  = $(if $(filter driver,$(1)),$(filter-out %/driver/pipeline.o,$(DRIVER_OBJ)),$(call stage_mods,$(1)))
# Test tools (not run as tests): storepoke damages copies of a store;
# storerows prints the rows a night reads of a store.
TOOLS     := $(BUILD)/tests/storepoke $(BUILD)/tests/storerows
# An LD_PRELOAD shim for crash tests that kill at an exact point (never
# instrumented: it is preloaded into the plain and the sanitizer build).
KILLPOINT := $(BUILD)/tests/killpoint.so
# An LD_PRELOAD shim that logs every connect() (tests/netwatch.c).
NETWATCH := $(BUILD)/tests/netwatch.so

all: $(BUILD)/.layers bin/pipeline $(STAGES) $(UNITS) $(TOOLS) $(KILLPOINT) $(NETWATCH)

# The include rule of ARCHITECTURE.md (groups in the order of
# pipeline/LAYERS), checked before anything compiles: an upward include
# fails make here, with FILE:LINE and the rule it breaks.
$(BUILD)/.layers: pipeline/LAYERS pipeline/layers.sh \
		$(wildcard pipeline/*/*.[ch] stages/*.c stages/*/*.[ch] driver/*.[ch])
	@mkdir -p $(@D)
	sh pipeline/layers.sh
	@touch $@

# Every object of the library, the stages and the driver.
$(BUILD)/%.o: %.c | $(BUILD)/.layers
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

# bin/ holds the build of the last make: a SAN build replaces it.
bin/pipeline: $(DRIVER_OBJ) $(LIB) $(BUILD)/.flavour
	@mkdir -p bin
	$(CC) $(LDFLAGS) -o $@ $(DRIVER_OBJ) $(LIB) $(LIBS)

bin/stage-%: $(BUILD)/stages/%.o $(LIB) $(BUILD)/.flavour
	@mkdir -p bin
	$(CC) $(LDFLAGS) -o $@ $< $(LIB) $(LIBS)

# A stage folder: main.o and the stage's modules.
define stage_dir
bin/stage-$(1): $(call stage_obj,$(1)) $$(LIB) $$(BUILD)/.flavour
	@mkdir -p bin
	$$(CC) $$(LDFLAGS) -o $$@ $(call stage_obj,$(1)) $$(LIB) $$(LIBS) $$(LIBS_$(1))
endef
$(foreach d,$(STAGE_DIRS),$(eval $(call stage_dir,$(d))))

# A unit test: the library and the modules of the stages it names.
define unit_test
$$(BUILD)/tests/$(1): tests/unit/$(1).c $(foreach s,$(UNIT_STAGES_$(1)),$(call unit_mods,$(s))) $$(LIB) | $$(BUILD)/.layers
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) -MMD -MP -I. -Itests/unit $$(LDFLAGS) -o $$@ $$< $(foreach s,$(UNIT_STAGES_$(1)),$(call unit_mods,$(s))) $$(LIB) $$(LIBS)
endef
$(foreach t,$(UNIT_SRC:tests/unit/%.c=%),$(eval $(call unit_test,$(t))))

$(BUILD)/tests/storepoke: tests/storepoke.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP $(LDFLAGS) -o $@ $< $(LIBS)

$(BUILD)/tests/storerows: tests/storerows.c $(LIB) | $(BUILD)/.layers
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP $(LDFLAGS) -o $@ $< $(LIB) $(LIBS)

$(KILLPOINT): tests/crash/killpoint.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Wextra -Werror -fPIC -shared -o $@ $< -ldl

$(NETWATCH): tests/netwatch.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Wextra -Werror -fPIC -shared -o $@ $< -ldl

# Relink bin/ when switching between the plain and the sanitizer build.
$(BUILD)/.flavour:
	@mkdir -p $(@D)
	@rm -f build/*/.flavour
	@touch $@

# What the build needs, checked before anything compiles (ops/check-deps.sh:
# a missing module or tool is named with its Debian package and the command
# that installs it, exit 72). No apt and no dpkg: fast when all is there.
depcheck:
	@CC="$(CC)" sh ops/check-deps.sh build $(PKGS) xlsxwriter
$(BUILD)/.layers: | depcheck

# make check and make demo install what is missing first (root or sudo:
# ops/install-deps.sh, as make deps), then build in a new make (pkg-config
# asked again), then run.
check:
	@CC="$(CC)" sh ops/check-deps.sh --install check $(PKGS) xlsxwriter
	$(MAKE) all
	BUILD=$(BUILD) VALGRIND=$(VALGRIND) tests/run.sh

deps:
	ops/install-deps.sh

# The crash harness: 390 kills, round-robin over the stages (22 or 23 each of 17) (CRASH_ARGS=...
# to change the seed or the number, e.g. CRASH_ARGS="--seed 7 --kills 520").
CRASH_ARGS ?= --seed 1 --kills 390
crashtest: all
	tests/crash/run.sh $(CRASH_ARGS)

# ROWS=N one size (default 10^5 and 10^6); BENCH_BIG=1 adds 10^7; BENCH_DIR (var/bench),
# BENCH_CPU (0), BENCH_DISK=0 (no loop-device count of the bytes to the disk).
bench: all
	tests/bench/run.sh

# LINES=N sets the size of the first night's lists.
bench-refusion: all
	tests/bench/refusion.sh

# The demo night (fixtures/demo/README.md) into var/demo: an overview per
# reconciliation and the report's path (ops/demo.sh).
demo:
	@CC="$(CC)" sh ops/check-deps.sh --install demo $(PKGS) xlsxwriter
	@echo "demo: building bin/pipeline and the stages"
	@$(MAKE) --no-print-directory bin/pipeline $(STAGES) >/dev/null
	ops/demo.sh var/demo

# The same night fetched over SFTP from an OpenSSH server on a loopback
# port that ops/demo.sh starts and stops (tests/sshd.sh).
demo-sftp:
	@CC="$(CC)" sh ops/check-deps.sh --install demo-sftp $(PKGS) xlsxwriter
	@echo "demo: building bin/pipeline and the stages"
	@$(MAKE) --no-print-directory bin/pipeline $(STAGES) >/dev/null
	ops/demo.sh --sftp var/demo-sftp

# The README's picture: the demo night's report as tests/t0050-demo.sh
# renders it (headless Chromium, build/demo-report.png).
screenshot:
	rm -f build/demo-report.png
	sh tests/t0050-demo.sh
	cp build/demo-report.png fixtures/demo/report.png

# libFuzzer targets (tests/fuzz/fuzz-*.c; clang, ASan, UBSan): money, dates,
# CPR/SE/EAN and CPR masking, the CSV-through-schema path, SKAT's VIRSUM and
# PERSUM files, archives. make fuzz runs each FUZZ_TIME seconds (default 60)
# on seeds made from fixtures/ (tests/fuzz/run.sh); CI runs FUZZ_TIME=10.
FUZZ_TIME ?= 60
FUZZERS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz-*.c))
$(BUILD)/fuzz/fuzz-%: tests/fuzz/fuzz-%.c $(call stage_mods,normalise) $(LIB) | $(BUILD)/.layers
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -I. -Itests/fuzz $(LDFLAGS) -o $@ $< $(call stage_mods,normalise) $(LIB) $(LIBS)
fuzzers: $(FUZZERS)
fuzz:
	$(MAKE) FUZZ=1 fuzzers
	FUZZ_TIME=$(FUZZ_TIME) tests/fuzz/run.sh build/fuzz/fuzz/fuzz

clean:
	rm -rf bin build

.PHONY: all check deps depcheck demo demo-sftp screenshot bench bench-refusion clean crashtest fuzz fuzzers
# Keep the stage objects: no "rm" after the test summary line.
.SECONDARY: $(STAGE_OBJ)
-include $(LIB_OBJ:.o=.d) $(STAGE_OBJ:.o=.d) $(DRIVER_OBJ:.o=.d) $(wildcard $(BUILD)/tests/*.d)
