/* bmdma.c: the PIIX bus-master IDE engine of one channel: command, status and PRD table
 * pointer registers, and the walk of the Physical Region Descriptor table (Intel 82371AB
 * PIIX4 datasheet 2.7.9 and 3.4). The PCI function maps `io` at BAR4 (+8 for the secondary). */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/ide/internal.h"

/* A PRD table lives in one 64 KiB page: at most 8192 descriptors before it wraps. */
#define PRD_MAX_WALK 8192

static void bmdma_begin(BMDMAState *bm)
{
    bm->cur_prd = bm->prd_addr;
    bm->cur_len = 0;
    bm->eot = false;
    bm->prds_walked = 0;
}

/* Load the next descriptor; false at the end of the table or on a bad table address. */
static bool bmdma_next_prd(BMDMAState *bm, bool *error)
{
    uint8_t prd[8];
    if (bm->eot || bm->prds_walked >= PRD_MAX_WALK)
        return false;
    if (dma_read(bm->as, bm->cur_prd, prd, 8) != MEMTX_OK) {
        *error = true;
        return false;
    }
    bm->prds_walked++;
    /* The table address increments within its 64 KiB page. */
    bm->cur_prd = (bm->cur_prd & 0xffff0000u) | ((bm->cur_prd + 8) & 0xffff);
    bm->cur_addr = (prd[0] | prd[1] << 8 | prd[2] << 16 | (uint32_t)prd[3] << 24) & ~1u;
    bm->cur_len = (prd[4] | prd[5] << 8) & ~1u;
    if (bm->cur_len == 0)
        bm->cur_len = 0x10000;                  /* a count of 0 means 64 KiB */
    bm->eot = prd[7] & 0x80;
    return true;
}

uint32_t bmdma_transfer(BMDMAState *bm, uint8_t *buf, uint32_t len, bool to_memory, bool *error)
{
    uint32_t done = 0;
    if (bm->can_master && !bm->can_master(bm->master_opaque)) {
        qlog(LOG_GUEST_ERRORS, "bmdma: bus mastering is disabled in the PCI command register\n");
        *error = true;
        return 0;
    }
    while (done < len) {
        if (bm->cur_len == 0 && !bmdma_next_prd(bm, error))
            break;
        uint32_t n = MIN(len - done, bm->cur_len);
        MemTxResult r = to_memory ? dma_write(bm->as, bm->cur_addr, buf + done, n)
                                  : dma_read(bm->as, bm->cur_addr, buf + done, n);
        if (r != MEMTX_OK) {
            qlog(LOG_GUEST_ERRORS, "bmdma: PRD target 0x%08x+%u is not RAM\n", bm->cur_addr, n);
            *error = true;
            break;
        }
        bm->cur_addr += n;
        bm->cur_len -= n;
        done += n;
    }
    return done;
}

void bmdma_command_done(BMDMAState *bm, bool error)
{
    bm->status |= BM_ST_INTR;
    if (error)
        bm->status |= BM_ST_ERROR;
    /* Active stays set when the PRD table was larger than the transfer (PIIX4 3.4.3). */
    if (error || (bm->eot && bm->cur_len == 0))
        bm->status &= ~BM_ST_ACTIVE;
}

static IDEState *bmdma_pending_drive(BMDMAState *bm)
{
    for (int i = 0; i < 2; i++)
        if (bm->bus->ifs[i].dma_start)
            return &bm->bus->ifs[i];
    return NULL;
}

static uint64_t bmdma_read(void *opaque, uint64_t off, unsigned size)
{
    BMDMAState *bm = opaque;
    uint32_t v;
    switch (off & ~3u) {
    case 0:
        v = bm->cmd | bm->status << 16;
        break;
    default:
        v = bm->prd_addr;
        break;
    }
    return (v >> (8 * (off & 3))) & (0xffffffffu >> (32 - 8 * size));
}

static void bmdma_write_byte(BMDMAState *bm, unsigned off, uint8_t val)
{
    switch (off) {
    case 0: {                                   /* Bus Master IDE Command */
        uint8_t old = bm->cmd;
        bm->cmd = val & (BM_CMD_START | BM_CMD_WRITE);
        if (!(val & BM_CMD_START)) {
            /* Stopping the engine aborts nothing on the drive: the driver does that. */
            bm->status &= ~BM_ST_ACTIVE;
            return;
        }
        if (old & BM_CMD_START)
            return;
        bm->status |= BM_ST_ACTIVE;
        bmdma_begin(bm);
        IDEState *s = bmdma_pending_drive(bm);
        if (s) {
            IDEDmaStart *start = s->dma_start;
            s->dma_start = NULL;
            start(s);
        }
        return;
    }
    case 2:                                     /* Bus Master IDE Status */
        bm->status = (bm->status & ~(BM_ST_DMA0_CAP | BM_ST_DMA1_CAP)) |
                     (val & (BM_ST_DMA0_CAP | BM_ST_DMA1_CAP));
        bm->status &= ~(val & (BM_ST_ERROR | BM_ST_INTR));   /* write 1 to clear */
        return;
    case 4: case 5: case 6: case 7: {           /* Descriptor Table Pointer, dword aligned */
        unsigned sh = 8 * (off - 4);
        bm->prd_addr = (bm->prd_addr & ~(0xffu << sh)) | (uint32_t)val << sh;
        bm->prd_addr &= ~3u;
        return;
    }
    }
}

static void bmdma_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        bmdma_write_byte(opaque, off + i, val >> (8 * i));
}

static const MemoryRegionOps bmdma_ops = {
    .read = bmdma_read, .write = bmdma_write, .min_size = 1, .max_size = 4,
};

void bmdma_reset(BMDMAState *bm)
{
    bm->cmd = 0;
    bm->status &= BM_ST_DMA0_CAP | BM_ST_DMA1_CAP;
    bm->prd_addr = 0;
    bmdma_begin(bm);
}

void bmdma_init(BMDMAState *bm, IDEBus *bus, AddressSpace *as)
{
    bm->bus = bus;
    bm->as = as;
    bus->bmdma = bm;
    memory_region_init_io(&bm->io, "ide-bmdma", &bmdma_ops, bm, 8);
    bmdma_reset(bm);
}

MemoryRegion *ide_bus_add_bmdma(IDEBus *bus, AddressSpace *as)
{
    BMDMAState *bm = xzalloc(sizeof(*bm));
    bmdma_init(bm, bus, as);
    return &bm->io;
}

void ide_bus_set_master_check(IDEBus *bus, bool (*can_master)(void *opaque), void *opaque)
{
    if (bus->bmdma) {
        bus->bmdma->can_master = can_master;
        bus->bmdma->master_opaque = opaque;
    }
}
