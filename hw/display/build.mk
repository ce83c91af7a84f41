lib-src += $(wildcard hw/display/*.c)
