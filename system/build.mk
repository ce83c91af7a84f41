vireo-main := system/main.c
lib-src += $(filter-out system/main.c,$(wildcard system/*.c))
