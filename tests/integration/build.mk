# Integration tests: each script drives build/vireo (and real tools: gdb, SeaBIOS) and ends
# with its own "N passed, N failed, N skipped" line.
integration-tests := cmdline gdbstub firmware storage monitor
check-targets += $(addprefix check-,$(integration-tests))
.PHONY: $(addprefix check-,$(integration-tests))
$(addprefix check-,$(integration-tests)): check-%: $(BUILD)/vireo
	@BUILD=$(BUILD) tests/integration/$*.sh
