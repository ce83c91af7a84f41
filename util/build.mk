lib-src += $(wildcard util/*.c)
