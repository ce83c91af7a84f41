lib-src += $(wildcard hw/intc/*.c)
