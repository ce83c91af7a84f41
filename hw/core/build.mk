lib-src += $(wildcard hw/core/*.c)
