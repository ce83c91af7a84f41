# vireo: one non-recursive Makefile. Each subsystem directory adds its sources in a build.mk.
#
#   make            build build/vireo, build/vireo-img, firmware and guest tests
#   make check      unit tests (criterion), guest tests, integration tests
#   make bench      benchmarks, side by side with the reference, as ratios
#   make run        boot the built-in demo guest
#   make deps       install missing Debian packages
#   SANITIZE=1      ASan+UBSan build in build-san/
#   V=1             show full compiler command lines

ifeq ($(wildcard config.mk),)
$(info vireo: no config.mk; running ./configure)
$(shell ./configure >&2)
endif
include config.mk
SHELL := /bin/bash

.DEFAULT_GOAL := all

ifeq ($(SANITIZE),1)
BUILD ?= build-san
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD ?= build
SAN_FLAGS :=
endif

OPT ?= -O2
WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
DEP_CFLAGS := $(ZLIB_CFLAGS) $(CAPSTONE_CFLAGS) $(SDL2_CFLAGS) $(PNG_CFLAGS) $(PIXMAN_CFLAGS) $(SLIRP_CFLAGS)
DEP_LIBS := $(CAPSTONE_LIBS) $(SDL2_LIBS) $(PNG_LIBS) $(PIXMAN_LIBS) $(SLIRP_LIBS) $(ZLIB_LIBS) -lpthread -lm
CFLAGS := -std=gnu11 $(OPT) -g $(WARN) $(SAN_FLAGS) -I. -I$(BUILD) -include config-host.h \
          -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 $(DEP_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS := $(SAN_FLAGS) $(EXTRA_LDFLAGS)

# Filled in by the build.mk fragments.
lib-src :=          # objects of libvireo.a (everything but the two mains)
vireo-main :=       # the vireo main()
img-main :=         # the vireo-img main()
unit-test-src :=    # criterion tests, all in one binary
all-targets :=      # extra things `make` builds (firmware, guest tests)
check-targets :=    # extra steps of `make check`
bench-targets :=    # steps of `make bench`

include $(sort $(wildcard */build.mk */*/build.mk */*/*/build.mk))

lib-obj := $(patsubst %.c,$(BUILD)/%.o,$(lib-src))
vireo-obj := $(patsubst %.c,$(BUILD)/%.o,$(vireo-main))
img-obj := $(patsubst %.c,$(BUILD)/%.o,$(img-main))
unit-obj := $(patsubst %.c,$(BUILD)/%.o,$(unit-test-src))

.PHONY: all check check-unit bench run deps clean distclean
all: $(BUILD)/vireo $(BUILD)/vireo-img $(all-targets)

ifeq ($(V),1)
Q :=
quiet = @:
else
Q := @
quiet = @printf '  %-7s %s\n' $(1) $(2);
endif

$(BUILD)/%.o: %.c config.mk
	@mkdir -p $(@D)
	$(call quiet,CC,$@) $(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libvireo.a: $(lib-obj)
	@rm -f $@
	$(call quiet,AR,$@) ar rcs $@ $^

$(BUILD)/vireo: $(vireo-obj) $(BUILD)/libvireo.a
	$(call quiet,LINK,$@) $(CC) $(LDFLAGS) -o $@ $(vireo-obj) -Wl,--whole-archive $(BUILD)/libvireo.a -Wl,--no-whole-archive $(DEP_LIBS)

$(BUILD)/vireo-img: $(img-obj) $(BUILD)/libvireo.a
	$(call quiet,LINK,$@) $(CC) $(LDFLAGS) -o $@ $(img-obj) $(BUILD)/libvireo.a $(DEP_LIBS)

$(BUILD)/unit-tests: $(unit-obj) $(BUILD)/libvireo.a
	$(call quiet,LINK,$@) $(CC) $(LDFLAGS) -o $@ $(unit-obj) -Wl,--whole-archive $(BUILD)/libvireo.a -Wl,--no-whole-archive \
	    $(CRITERION_LIBS) $(DEP_LIBS)

# Leak checking stays on for the programs (integration tests run them under ASan); test
# fixtures live as long as their forked test process, so it is off for the unit tests.
check-unit: $(BUILD)/unit-tests
	ASAN_OPTIONS=detect_leaks=0 $(BUILD)/unit-tests --jobs 2

# Build in parallel, then run the steps one after another so their reports do not interleave:
# unit tests first; each further step prints its own summary line.
# Every step runs even when an earlier one fails; `make check` fails if any did.
check: all
	@rc=0; for t in check-unit $(check-targets); do $(MAKE) --no-print-directory $$t || rc=1; done; exit $$rc

bench: all $(bench-targets)

# The demo guest ends by writing 0 to isa-debug-exit, so it exits with (0 << 1) | 1 = 1, the
# same status as a vireo error: success is that status *and* the demo's last line.
run: all
	@$(BUILD)/vireo -nographic -kernel $(BUILD)/tests/guest/demo.elf \
	    -device isa-debug-exit,iobase=0xf4,iosize=4 | tee $(BUILD)/run.log; \
	rc=$${PIPESTATUS[0]}; \
	if [ $$rc -eq 1 ] && grep -q "^demo: all done" $(BUILD)/run.log; then \
	    echo "make run: the demo guest finished cleanly"; \
	else echo "make run: the demo guest failed (exit status $$rc)"; exit 1; fi

deps:
	./configure --install-deps

clean:
	rm -rf build build-san

distclean: clean
	rm -f config.mk config-host.h

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
