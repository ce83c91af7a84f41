# The ACPI tables as real firmware sees them: SeaBIOS runs the table-loader, a check ROM walks
# the result (SKIPPED until vireo has -fw_cfg).
check-targets += check-acpi-firmware
.PHONY: check-acpi-firmware
check-acpi-firmware: $(BUILD)/vireo
	@BUILD=$(BUILD) tests/acpi/seabios-acpi.sh
