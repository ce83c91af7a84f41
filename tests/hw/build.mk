# The ACPI tables as real firmware sees them: SeaBIOS runs the table-loader, a check ROM walks
# the result (SKIPPED until vireo has -fw_cfg).
check-targets += check-acpi-firmware
.PHONY: check-acpi-firmware
check-acpi-firmware: $(BUILD)/vireo
	@BUILD=$(BUILD) tests/hw/seabios-acpi.sh

# libFuzzer harness over the register interfaces of every pc device, built with clang
# (ASan+UBSan); a bounded run in make check, long runs by hand:
#   nice build/fuzz/chipset-fuzz -max_total_time=3600 -timeout=10 build/fuzz/corpus-chipset
HWFUZZ_CC ?= clang
hwfuzz-src := $(wildcard hw/intc/*.c hw/timer/*.c hw/pci/*.c hw/input/*.c hw/acpi/*.c hw/audio/*.c \
                         hw/char/*.c hw/dma/*.c hw/block/*.c hw/ide/*.c hw/display/*.c) \
              hw/misc/fw_cfg.c hw/misc/port80.c hw/misc/debugexit.c hw/pc/chipset.c \
              hw/core/board.c hw/core/chardev.c hw/core/clock.c hw/core/device.c hw/core/irq.c \
              hw/core/memory.c ui/console.c \
              util/alloc.c util/bql.c util/error.c util/log.c util/option.c
hwfuzz-obj := $(patsubst %.c,$(BUILD)/fuzz/hwobj/%.o,$(hwfuzz-src))
# Any sanitizer report aborts the run.
HWFUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
                 -fno-sanitize-recover=undefined \
                 -I. -I$(BUILD) -include config-host.h -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 \
                 $(PIXMAN_CFLAGS)

$(BUILD)/fuzz/hwobj/%.o: %.c config.mk
	@mkdir -p $(@D)
	$(HWFUZZ_CC) $(HWFUZZ_CFLAGS) -MMD -MP -c $< -o $@
-include $(hwfuzz-obj:.o=.d)

$(BUILD)/fuzz/chipset-fuzz: tests/hw/chipset-fuzz.c $(hwfuzz-obj)
	@mkdir -p $(@D)
	$(HWFUZZ_CC) $(HWFUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(hwfuzz-obj) $(PIXMAN_LIBS) -lpthread -lm

check-targets += check-chipset-fuzz
.PHONY: check-chipset-fuzz
check-chipset-fuzz: all
	@if command -v $(HWFUZZ_CC) >/dev/null 2>&1; then \
	    $(MAKE) --no-print-directory $(BUILD)/fuzz/chipset-fuzz >/dev/null && \
	    BUILD=$(BUILD) sh tests/hw/chipset-fuzz.sh; \
	else echo "SKIPPED  chipset-fuzz: $(HWFUZZ_CC) not found (Debian package clang)"; fi
