# tcg/: the translator engine. The native back end is compiled only when configured.
lib-src += $(wildcard tcg/*.c) $(wildcard tcg/interp/*.c)
ifeq ($(TCG_BACKEND),native)
lib-src += $(wildcard tcg/x86_64/*.c)
endif
