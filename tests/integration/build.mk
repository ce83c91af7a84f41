check-targets += check-integration
.PHONY: check-integration
check-integration: $(BUILD)/vireo
	BUILD=$(BUILD) tests/integration/cmdline.sh
	BUILD=$(BUILD) tests/integration/gdbstub.sh
