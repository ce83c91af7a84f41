/* fw_cfg.c: firmware configuration device — items by key, a file directory, port and DMA access. */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/core/board.h"
#include "hw/misc/fw_cfg.h"

static FWCfgEntry *fw_cfg_entry(FWCfgState *s, uint16_t key)
{
    int arch = !!(key & FW_CFG_ARCH_LOCAL);
    unsigned idx = key & ~(FW_CFG_ARCH_LOCAL | FW_CFG_WRITE_CHANNEL);
    if (idx >= FW_CFG_KEY_SPACE)
        return NULL;
    return &s->entries[arch][idx];
}

void fw_cfg_add_bytes(FWCfgState *s, uint16_t key, const void *data, uint32_t len)
{
    FWCfgEntry *e = fw_cfg_entry(s, key);
    assert(e);
    free(e->data);
    e->data = xmalloc(len ? len : 1);
    if (len)
        memcpy(e->data, data, len);
    e->len = len;
}

void fw_cfg_add_string(FWCfgState *s, uint16_t key, const char *str)
{
    fw_cfg_add_bytes(s, key, str, strlen(str) + 1);
}

void fw_cfg_add_i16(FWCfgState *s, uint16_t key, uint16_t v)
{
    uint8_t b[2] = { v, v >> 8 };
    fw_cfg_add_bytes(s, key, b, 2);
}

void fw_cfg_add_i32(FWCfgState *s, uint16_t key, uint32_t v)
{
    uint8_t b[4];
    for (int i = 0; i < 4; i++)
        b[i] = v >> (8 * i);
    fw_cfg_add_bytes(s, key, b, 4);
}

void fw_cfg_add_i64(FWCfgState *s, uint16_t key, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = v >> (8 * i);
    fw_cfg_add_bytes(s, key, b, 8);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static uint32_t get_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

static int cmp_file_key(const void *a, const void *b, void *opaque)
{
    FWCfgState *s = opaque;
    return strcmp(s->entries[0][*(const int *)a].name, s->entries[0][*(const int *)b].name);
}

/* FW_CFG_FILE_DIR: be32 count, then { be32 size; be16 select; be16 reserved; char name[56] }. */
static void fw_cfg_rebuild_dir(FWCfgState *s)
{
    int order[FW_CFG_MAX_FILES];
    for (int i = 0; i < s->nfiles; i++)
        order[i] = FW_CFG_FILE_FIRST + i;
    qsort_r(order, s->nfiles, sizeof(int), cmp_file_key, s);
    uint32_t len = 4 + 64 * s->nfiles;
    uint8_t *dir = xzalloc(len);
    put_be32(dir, s->nfiles);
    for (int i = 0; i < s->nfiles; i++) {
        const FWCfgEntry *e = &s->entries[0][order[i]];
        uint8_t *f = dir + 4 + 64 * i;
        put_be32(f, e->len);
        f[4] = order[i] >> 8;
        f[5] = order[i];
        memcpy(f + 8, e->name, FW_CFG_MAX_FILE_PATH);
    }
    FWCfgEntry *d = &s->entries[0][FW_CFG_FILE_DIR];
    free(d->data);
    d->data = dir;
    d->len = len;
}

static int fw_cfg_add_file_common(FWCfgState *s, const char *name, const void *data,
                                  uint32_t len, bool writable)
{
    if (strlen(name) >= FW_CFG_MAX_FILE_PATH) {
        error_report("fw_cfg: file name '%s' is longer than %d bytes", name, FW_CFG_MAX_FILE_PATH - 1);
        return -1;
    }
    int key = -1;
    for (int i = 0; i < s->nfiles; i++) {
        if (!strcmp(s->entries[0][FW_CFG_FILE_FIRST + i].name, name))
            key = FW_CFG_FILE_FIRST + i;
    }
    if (key < 0) {
        if (s->nfiles == FW_CFG_MAX_FILES) {
            error_report("fw_cfg: no room for file '%s': the directory holds %d files", name,
                         FW_CFG_MAX_FILES);
            return -1;
        }
        key = FW_CFG_FILE_FIRST + s->nfiles++;
    }
    FWCfgEntry *e = &s->entries[0][key];
    fw_cfg_add_bytes(s, key, data, len);
    memset(e->name, 0, sizeof(e->name));
    strcpy(e->name, name);
    e->writable = writable;
    fw_cfg_rebuild_dir(s);
    return key;
}

int fw_cfg_add_file(FWCfgState *s, const char *name, const void *data, uint32_t len)
{
    return fw_cfg_add_file_common(s, name, data, len, false);
}

int fw_cfg_add_file_writable(FWCfgState *s, const char *name, const void *data, uint32_t len)
{
    return fw_cfg_add_file_common(s, name, data, len, true);
}

const FWCfgEntry *fw_cfg_find_file(FWCfgState *s, const char *name)
{
    for (int i = 0; i < s->nfiles; i++) {
        if (!strcmp(s->entries[0][FW_CFG_FILE_FIRST + i].name, name))
            return &s->entries[0][FW_CFG_FILE_FIRST + i];
    }
    return NULL;
}

static void fw_cfg_select(FWCfgState *s, uint16_t key)
{
    s->cur_key = key;
    s->cur_offset = 0;
    FWCfgEntry *e = fw_cfg_entry(s, key);
    s->cur_valid = e && e->data;
    if (!s->cur_valid)
        qlog(LOG_GUEST_ERRORS, "fw_cfg: select of unknown key 0x%04x\n", key);
}

/* The data port: one byte of the selected item, 0 past its end or for unknown keys. */
static uint8_t fw_cfg_read_byte(FWCfgState *s)
{
    if (!s->cur_valid)
        return 0;
    FWCfgEntry *e = fw_cfg_entry(s, s->cur_key);
    if (s->cur_offset >= e->len)
        return 0;
    return e->data[s->cur_offset++];
}

static uint64_t fw_cfg_io_read(void *opaque, uint64_t off, unsigned size)
{
    FWCfgState *s = opaque;
    if (off == 1)
        return fw_cfg_read_byte(s);
    return 0;                    /* the selector is write-only */
}

static void fw_cfg_io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    FWCfgState *s = opaque;
    if (off == 0 && size == 2)
        fw_cfg_select(s, val);
    else if (off == 0 && size == 1)
        fw_cfg_select(s, val & 0xff);
    else
        qlog(LOG_GUEST_ERRORS, "fw_cfg: write to the data port ignored (writes need DMA)\n");
}

/* Run one DMA access descriptor at `desc` (docs/specs/fw_cfg.rst, "DMA interface"). */
static void fw_cfg_dma_transfer(FWCfgState *s, uint64_t desc)
{
    uint8_t d[16];
    if (dma_read(s->dma_as, desc, d, sizeof(d)) != MEMTX_OK) {
        qlog(LOG_GUEST_ERRORS, "fw_cfg: DMA descriptor at 0x%" PRIx64 " is not in RAM\n", desc);
        return;
    }
    uint32_t control = get_be32(d), length = get_be32(d + 4);
    uint64_t addr = ((uint64_t)get_be32(d + 8) << 32) | get_be32(d + 12);
    bool error = false;

    if (control & FW_CFG_DMA_CTL_SELECT)
        fw_cfg_select(s, control >> 16);
    FWCfgEntry *e = s->cur_valid ? fw_cfg_entry(s, s->cur_key) : NULL;

    if (control & FW_CFG_DMA_CTL_READ) {
        /* Bytes past the end of the item read as zeros. */
        uint32_t avail = (e && s->cur_offset < e->len) ? e->len - s->cur_offset : 0;
        uint32_t n = MIN(avail, length);
        if (n && dma_write(s->dma_as, addr, e->data + s->cur_offset, n) != MEMTX_OK)
            error = true;
        if (!error && length > n) {
            static const uint8_t zero[64 * 1024];
            for (uint64_t done = n; done < length && !error;) {
                uint32_t chunk = MIN(sizeof(zero), length - done);
                if (dma_write(s->dma_as, addr + done, zero, chunk) != MEMTX_OK)
                    error = true;
                done += chunk;
            }
        }
        if (!error)
            s->cur_offset += n;
    } else if (control & FW_CFG_DMA_CTL_WRITE) {
        if (!e || !e->writable || s->cur_offset > e->len || length > e->len - s->cur_offset) {
            error = true;
        } else if (dma_read(s->dma_as, addr, e->data + s->cur_offset, length) != MEMTX_OK) {
            error = true;
        } else {
            s->cur_offset += length;
        }
    } else if (control & FW_CFG_DMA_CTL_SKIP) {
        uint64_t off = (uint64_t)s->cur_offset + length;
        s->cur_offset = (e && off > e->len) ? e->len : (uint32_t)MIN(off, UINT32_MAX);
    }
    if (error)
        qlog(LOG_GUEST_ERRORS, "fw_cfg: DMA of %u bytes at 0x%" PRIx64 " for key 0x%04x failed\n",
             length, addr, s->cur_key);
    /* Completion: control becomes 0, or just the error bit. */
    uint8_t done[4];
    put_be32(done, error ? FW_CFG_DMA_CTL_ERROR : 0);
    dma_write(s->dma_as, desc, done, 4);
}

static uint64_t fw_cfg_dma_read(void *opaque, uint64_t off, unsigned size)
{
    /* Reads give the signature "QEMU CFG", first byte at the lowest port. */
    uint64_t v = 0;
    for (unsigned i = 0; i < size && off + i < 8; i++)
        v |= (uint64_t)((FW_CFG_DMA_SIGNATURE >> (8 * (7 - (off + i)))) & 0xff) << (8 * i);
    return v;
}

static void fw_cfg_dma_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    FWCfgState *s = opaque;
    /* The address is big-endian: high half at +0, low half at +4 (which starts the transfer). */
    uint32_t be = __builtin_bswap32((uint32_t)val);
    if (size != 4) {
        qlog(LOG_GUEST_ERRORS, "fw_cfg: %u-byte write to the DMA address ignored\n", size);
        return;
    }
    if (off == 0) {
        s->dma_addr_high = be;
    } else if (off == 4) {
        uint64_t desc = ((uint64_t)s->dma_addr_high << 32) | be;
        s->dma_addr_high = 0;
        fw_cfg_dma_transfer(s, desc);
    }
}

static const MemoryRegionOps fw_cfg_io_ops = {
    .read = fw_cfg_io_read, .write = fw_cfg_io_write, .min_size = 1, .max_size = 2,
};
static const MemoryRegionOps fw_cfg_dma_ops = {
    .read = fw_cfg_dma_read, .write = fw_cfg_dma_write, .min_size = 1, .max_size = 4,
};

static void fw_cfg_reset(Device *dev)
{
    FWCfgState *s = (FWCfgState *)dev;
    s->cur_key = 0;
    s->cur_offset = 0;
    s->cur_valid = true;
    s->dma_addr_high = 0;
}

static bool fw_cfg_realize(Device *dev, Error **errp)
{
    FWCfgState *s = (FWCfgState *)dev;
    if (!board.system_io || !board.memory_as) {
        error_setg(errp, "fw_cfg: the board has no I/O or memory space");
        return false;
    }
    s->dma_as = board.memory_as;
    fw_cfg_add_bytes(s, FW_CFG_SIGNATURE, "QEMU", 4);
    /* FW_CFG_ID: bit 0 traditional interface, bit 1 DMA. */
    fw_cfg_add_i32(s, FW_CFG_ID, 1 | (s->dma_enabled ? 2 : 0));
    fw_cfg_rebuild_dir(s);
    memory_region_init_io(&s->io, "fw_cfg", &fw_cfg_io_ops, s, 2);
    memory_region_add_subregion(board.system_io, s->iobase, &s->io);
    if (s->dma_enabled) {
        memory_region_init_io(&s->dma_io, "fw_cfg-dma", &fw_cfg_dma_ops, s, 8);
        memory_region_add_subregion(board.system_io, s->dma_iobase, &s->dma_io);
    }
    fw_cfg_reset(dev);
    return true;
}

static const DeviceProp fw_cfg_props[] = {
    PROP_U32("iobase", FWCfgState, iobase, 0x510, "selector port (data at +1)"),
    PROP_U32("dma_iobase", FWCfgState, dma_iobase, 0x514, "DMA address port"),
    PROP_BOOL("dma_enabled", FWCfgState, dma_enabled, true, "offer the DMA interface"),
    PROP_END,
};

static const DeviceClass fw_cfg_class = {
    .name = "fw_cfg_io", .desc = "firmware configuration interface (QEMU-compatible)",
    .bus = "isa", .size = sizeof(FWCfgState), .props = fw_cfg_props,
    .realize = fw_cfg_realize, .reset = fw_cfg_reset,
};
DEVICE_CLASS_REGISTER(fw_cfg_class);

FWCfgState *fw_cfg_create(Error **errp)
{
    FWCfgState *s = (FWCfgState *)device_new("fw_cfg_io", errp);
    if (!s || !device_realize(&s->dev, errp))
        return NULL;
    return s;
}
