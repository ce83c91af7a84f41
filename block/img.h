/* img.h: what the vireo-img sub-command files share. */
#ifndef BLOCK_IMG_H
#define BLOCK_IMG_H

#include "block/block.h"

/* "1 GiB", "196 KiB": qemu-img's human size spelling. */
char *img_size_str(uint64_t v);
/* Print s as a JSON string literal. */
void img_json_str(FILE *f, const char *s);
/* Open an image or print `vireo-img: file: reason` and return NULL. */
BlockDriverState *img_open(const char *file, const char *fmt, int flags);
/* Progress bar for -p, on stdout as qemu-img draws it. */
void img_progress(bool on, uint64_t done, uint64_t total);

int img_convert(int argc, char **argv);
int img_compare(int argc, char **argv);
int img_resize(int argc, char **argv);
int img_rebase(int argc, char **argv);
int img_commit(int argc, char **argv);
int img_dd(int argc, char **argv);
int img_bench(int argc, char **argv);
int img_amend(int argc, char **argv);
int img_measure(int argc, char **argv);

#endif
