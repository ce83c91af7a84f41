bench-targets += bench-kvm-foundation
.PHONY: bench-kvm-foundation
bench-kvm-foundation: $(BUILD)/vireo
	@BUILD=$(BUILD) tests/bench/kvm-foundation.sh

bench-targets += bench-ide-dma
.PHONY: bench-ide-dma
bench-ide-dma: $(BUILD)/vireo $(BUILD)/tests/guest/bench-ide-dma.elf
	@BUILD=$(BUILD) tests/bench/ide-dma.sh
