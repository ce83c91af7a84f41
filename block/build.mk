# block/: the block layer (into libvireo.a) and the vireo-img tool (block/img-*.c are its parts).
img-main := block/vireo-img.c $(wildcard block/img-*.c)
lib-src += $(filter-out block/vireo-img.c block/img-%.c,$(wildcard block/*.c))

# Rules below must not become the default goal (this file is included before `all:`).
.DEFAULT_GOAL := all

# Test helper for the interop tests (random writes mirrored into a raw shadow).
all-targets += $(BUILD)/tests/integration/block/img-randwrite
$(BUILD)/tests/integration/block/img-randwrite: $(BUILD)/tests/integration/block/img-randwrite.o $(BUILD)/libvireo.a
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/libvireo.a $(DEP_LIBS)

# Interop tests with qemu-img as the oracle; prints "N passed, N failed".
check-targets += check-block-img
.PHONY: check-block-img
check-block-img: all
	BUILD=$(BUILD) sh tests/integration/block/img-interop.sh

# libFuzzer harnesses, one per format, built with clang (ASan+UBSan); a short run in make check,
# long runs by hand: build/fuzz/block-fuzz-FORMAT -max_total_time=3600 DIR
FUZZ_CC ?= clang
fuzz-formats := qcow2 qcow vmdk vdi raw
fuzz-lib-src := $(filter-out block/vireo-img.c block/img-%.c,$(wildcard block/*.c)) util/alloc.c util/error.c util/log.c util/option.c
fuzz-lib-obj := $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(fuzz-lib-src))
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
               -I. -I$(BUILD) -include config-host.h -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64
fuzz-bins := $(patsubst %,$(BUILD)/fuzz/block-fuzz-%,$(fuzz-formats))

$(BUILD)/fuzz/obj/%.o: %.c config.mk
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@
-include $(fuzz-lib-obj:.o=.d)

$(BUILD)/fuzz/block-fuzz-%: tests/fuzz/block-fuzz.c $(fuzz-lib-obj)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -DFUZZ_FORMAT='"$*"' -o $@ $< $(fuzz-lib-obj) -lz -lpthread -lm

.PHONY: fuzz-block check-block-fuzz
fuzz-block: $(fuzz-bins)

check-targets += check-block-fuzz
check-block-fuzz: all
	@if command -v $(FUZZ_CC) >/dev/null 2>&1; then \
	    $(MAKE) --no-print-directory fuzz-block >/dev/null && \
	    BUILD=$(BUILD) sh tests/fuzz/block-fuzz.sh $(fuzz-formats); \
	else echo "SKIPPED: $(FUZZ_CC) not found (Debian package clang)"; echo "0 passed, 0 failed"; fi

# make bench: vireo-img convert against qemu-img convert (BENCH_MIB=256 by default).
bench-targets += bench-img
.PHONY: bench-img
bench-img: all
	-BUILD=$(BUILD) python3 tests/bench/img-convert.py
