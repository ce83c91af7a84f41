lib-src += $(wildcard hw/pc/*.c)
