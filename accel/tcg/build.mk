# accel/tcg: the TCG accelerator (execution loop, soft TLB, code invalidation).
lib-src += $(wildcard accel/tcg/*.c)
