img-main := block/vireo-img.c
lib-src += $(filter-out block/vireo-img.c,$(wildcard block/*.c))
