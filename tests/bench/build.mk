bench-targets += bench-kvm-foundation
.PHONY: bench-kvm-foundation
bench-kvm-foundation: $(BUILD)/vireo
	@BUILD=$(BUILD) tests/bench/kvm-foundation.sh
