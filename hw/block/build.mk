lib-src += hw/block/fdc.c
