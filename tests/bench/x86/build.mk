# tests/bench/x86: guest MIPS of the x86 translator against QEMU's TCG (make bench; never fails).
bench-targets += bench-x86-tcg
.PHONY: bench-x86-tcg
bench-x86-tcg: $(BUILD)/vireo
	@BUILD=$(BUILD) tests/bench/x86/tcg-guest-mips.sh
