lib-src += $(wildcard hw/misc/*.c)
