lib-src += $(wildcard hw/pci/*.c)
