# block/: the block layer (into libvireo.a) and the vireo-img tool (block/img-*.c are its parts).
img-main := block/vireo-img.c $(wildcard block/img-*.c)
lib-src += $(filter-out block/vireo-img.c block/img-%.c,$(wildcard block/*.c))
