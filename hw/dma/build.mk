lib-src += hw/dma/i8237.c
