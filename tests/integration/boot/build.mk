# Real-OS boots (tests/integration/boot/): `make check` runs the runs in passing.list,
# `make check-boot-all` every run (also the ones that fail today), `make bench` the Linux
# boot-time comparison with QEMU. Guests are built once into $(BUILD)/boot-cache/.
check-targets += check-boot
bench-targets += bench-boot
.PHONY: check-boot check-boot-all bench-boot
check-boot: $(BUILD)/vireo $(BUILD)/bios.bin
	@BUILD=$(BUILD) tests/integration/boot/boot.sh check
check-boot-all: $(BUILD)/vireo $(BUILD)/bios.bin
	@BUILD=$(BUILD) tests/integration/boot/boot.sh all
bench-boot: $(BUILD)/vireo $(BUILD)/bios.bin
	@BUILD=$(BUILD) tests/integration/boot/bench.sh
