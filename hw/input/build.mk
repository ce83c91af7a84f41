lib-src += $(wildcard hw/input/*.c)
