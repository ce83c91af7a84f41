/* test-block.c: block layer units: size and option parsing, qcow2 write/read/check round trips. */
#include <criterion/criterion.h>
#include "util/osdep.h"
#include "block/block.h"
#include <unistd.h>

Test(block, parse_size_units)
{
    uint64_t v;
    cr_assert(parse_size("10G", &v));
    cr_assert_eq(v, 10 * GiB);
    cr_assert(parse_size("1.5M", &v));
    cr_assert_eq(v, 3 * MiB / 2);
    cr_assert(parse_size("512", &v));
    cr_assert_eq(v, 512);
    cr_assert_not(parse_size("-1", &v));
    cr_assert_not(parse_size("12X", &v));
    cr_assert_not(parse_size("", &v));
    cr_assert_not(parse_size("1.5", &v));
    cr_assert_not(parse_size("99999999E", &v));
}

Test(block, opts_parse_and_unused)
{
    ImgOpts o = { 0 };
    Error *err = NULL;
    cr_assert(img_opts_parse(&o, "cluster_size=4k,backing_file=a,,b,compat=1.1", &err));
    cr_assert_str_eq(img_opts_get(&o, "backing_file"), "a,b");
    uint64_t cs;
    cr_assert(img_opts_get_size(&o, "cluster_size", 0, &cs, &err));
    cr_assert_eq(cs, 4096);
    cr_assert_str_eq(img_opts_unused(&o), "compat");
    cr_assert_not(img_opts_parse(&o, "novalue", &err));
    error_free(err);
    img_opts_free(&o);
}

Test(block, zero_detection)
{
    uint8_t buf[4096] = { 0 };
    cr_assert(buffer_is_zero(buf, sizeof buf));
    buf[4095] = 1;
    cr_assert_not(buffer_is_zero(buf, sizeof buf));
    buf[4095] = 0;
    buf[3] = 1;
    cr_assert_not(buffer_is_zero(buf, sizeof buf));
}

/* Create, write a pattern with partial-cluster and zero writes, reopen, read back, check. */
static void round_trip(const BlockDriver *drv, const char *opts)
{
    char path[] = "/tmp/vireo-test-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    close(fd);
    ImgOpts o = { 0 };
    Error *err = NULL;
    cr_assert(img_opts_parse(&o, opts, &err));
    BlockCreateArgs a = { .filename = path, .size = 8 * MiB, .opts = &o };
    cr_assert_eq(bdrv_create(drv, &a, &err), 0, "%s", err ? err->msg : "");
    BlockDriverState *bs = bdrv_open(path, NULL, BDRV_O_RDWR, &err);
    cr_assert(bs, "%s", err ? err->msg : "");
    cr_assert_str_eq(bs->drv->format_name, drv->format_name, "probed as %s", bs->drv->format_name);
    uint8_t *shadow = xzalloc(8 * MiB), *buf = xmalloc(8 * MiB);
    uint64_t st = 12345;
    for (int i = 0; i < 200; i++) {
        st = st * 6364136223846793005ULL + 1442695040888963407ULL;
        uint64_t off = (st >> 20) % (8 * MiB), len = 1 + (st >> 7) % 70000;
        len = MIN(len, 8 * MiB - off);
        if (i % 9 == 0) {
            memset(shadow + off, 0, len);
            cr_assert_eq(bdrv_pwrite_zeroes(bs, off, len), 0, "%s", bdrv_last_error(bs));
        } else {
            for (uint64_t j = 0; j < len; j++)
                shadow[off + j] = (uint8_t)(i * 31 + j);
            cr_assert_eq(bdrv_pwrite(bs, off, shadow + off, len, 0), 0, "%s", bdrv_last_error(bs));
        }
    }
    bdrv_close(bs);
    bs = bdrv_open(path, NULL, 0, &err);
    cr_assert(bs, "%s", err ? err->msg : "");
    cr_assert_eq(bdrv_pread(bs, 0, buf, 8 * MiB), 0);
    cr_assert(!memcmp(buf, shadow, 8 * MiB), "content differs after reopen");
    if (bs->drv->check) {
        ImageCheck res = { 0 };
        cr_assert_eq(bs->drv->check(bs, &res, 0), 0);
        cr_assert_eq(res.corruptions, 0);
        cr_assert_eq(res.leaks, 0);
    }
    bdrv_close(bs);
    free(shadow);
    free(buf);
    img_opts_free(&o);
    /* Split and flat vmdk subformats leave extent files next to the descriptor. */
    char *ext = xasprintf("rm -f %s %s-*.vmdk", path, path);
    cr_assert_eq(system(ext), 0);
    free(ext);
}

Test(block, qcow2_round_trip_default) { round_trip(&bdrv_qcow2, "cluster_size=65536"); }
Test(block, qcow2_round_trip_v2) { round_trip(&bdrv_qcow2, "compat=0.10,cluster_size=4096"); }
Test(block, qcow2_round_trip_1bit_512) { round_trip(&bdrv_qcow2, "refcount_bits=1,cluster_size=512"); }
Test(block, qcow2_round_trip_64bit) { round_trip(&bdrv_qcow2, "refcount_bits=64,cluster_size=2048"); }
Test(block, qcow_round_trip) { round_trip(&bdrv_qcow, ""); }
Test(block, vdi_round_trip) { round_trip(&bdrv_vdi, ""); }
Test(block, vdi_static_round_trip) { round_trip(&bdrv_vdi, "static=on"); }
Test(block, vmdk_sparse_round_trip) { round_trip(&bdrv_vmdk, ""); }
Test(block, vmdk_split_round_trip) { round_trip(&bdrv_vmdk, "subformat=twoGbMaxExtentSparse"); }
Test(block, vmdk_flat_round_trip) { round_trip(&bdrv_vmdk, "subformat=monolithicFlat"); }

Test(block, probe_rejects_garbage_qcow2)
{
    char path[] = "/tmp/vireo-test-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    uint8_t hdr[512] = { 'Q', 'F', 'I', 0xfb, 0, 0, 0, 3 };
    hdr[23] = 99;   /* cluster_bits */
    cr_assert_eq(write(fd, hdr, sizeof hdr), (ssize_t)sizeof hdr);
    close(fd);
    Error *err = NULL;
    BlockDriverState *bs = bdrv_open(path, NULL, 0, &err);
    cr_assert_null(bs);
    cr_assert(strstr(err->msg, "cluster_bits"), "%s", err->msg);
    error_free(err);
    unlink(path);
}
