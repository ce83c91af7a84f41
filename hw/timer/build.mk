lib-src += $(wildcard hw/timer/*.c)
