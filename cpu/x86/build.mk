lib-src += $(wildcard cpu/x86/*.c)
