lib-src += $(wildcard hw/ide/*.c)
