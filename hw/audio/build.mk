lib-src += $(wildcard hw/audio/*.c)
