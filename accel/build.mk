lib-src += accel/accel.c
