lib-src += $(wildcard hw/char/*.c)
