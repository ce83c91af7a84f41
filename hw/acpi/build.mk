# hw/acpi, plus the chipset pieces that live in directories shared with others (hw/misc, hw/pc):
# listed by name so another fragment's wildcard there does not matter ($^ drops duplicates).
lib-src += $(wildcard hw/acpi/*.c) $(wildcard hw/misc/fw_cfg.c hw/misc/port80.c hw/pc/chipset.c)
