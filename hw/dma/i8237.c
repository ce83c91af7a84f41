/* i8237.c: the two cascaded Intel 8237A DMA controllers of the PC/AT ("isa-dma"): byte
 * channels 0-3 at 0x00-0x0f, word channels 4-7 at 0xc0-0xdf, and the page registers at
 * 0x80-0x8f (Intel 8237A datasheet; IBM PC/AT technical reference, "DMA controller"). */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/core/board.h"
#include "hw/core/device.h"
#include "hw/dma/isa-dma.h"

/* Mode register (8237A "Mode Register") */
#define MODE_TYPE(m)     (((m) >> 2) & 3)
#define MODE_AUTOINIT    0x10
#define MODE_DECREMENT   0x20
#define MODE_MODE(m)     ((m) >> 6)      /* 0 demand, 1 single, 2 block, 3 cascade */

/* Command register */
#define CMD_DISABLE      0x04

typedef struct DmaChannel {
    uint16_t base_addr, base_count;
    uint16_t cur_addr, cur_count;
    uint8_t mode;
    uint8_t page;
    bool dreq;
    IsaDmaTransferHandler *handler;
    void *opaque;
} DmaChannel;

typedef struct DmaController {
    DmaChannel ch[4];
    int dshift;                  /* 0: byte channels, 1: word channels */
    bool flip_flop;
    uint8_t command, status, mask, temp;
    MemoryRegion io;
} DmaController;

typedef struct IsaDmaState {
    Device dev;
    DmaController c[2];
    MemoryRegion page_io;
    bool running;
} IsaDmaState;

static IsaDmaState *isa_dma;

/* Page register ports 0x80-0x8f: channel for each (IBM PC/AT). 0x80 is the POST port,
 * 0x84-0x86/0x88/0x8c-0x8e are unused bytes of the 74LS612. */
static const int8_t page_port_chan[16] = {
    -1, 2, 3, 1, -1, -1, -1, 0, -1, 6, 7, 5, -1, -1, -1, 4,
};

static DmaChannel *chan_of(int chan)
{
    if (!isa_dma || chan < 0 || chan > 7)
        return NULL;
    return &isa_dma->c[chan >> 2].ch[chan & 3];
}

static void isa_dma_run(void);

/* ---- registers ---- */

static void dma_reset_controller(DmaController *c)
{
    c->flip_flop = false;
    c->command = 0;
    c->status = 0;
    c->mask = 0x0f;
    c->temp = 0;
    for (int i = 0; i < 4; i++) {
        c->ch[i].mode = 0;
        c->ch[i].dreq = false;
    }
}

static uint64_t i8237_read(void *opaque, uint64_t off, unsigned size)
{
    DmaController *c = opaque;
    unsigned reg = off >> c->dshift;
    if (reg < 8) {
        DmaChannel *ch = &c->ch[reg >> 1];
        uint16_t v = (reg & 1) ? ch->cur_count : ch->cur_addr;
        bool hi = c->flip_flop;
        c->flip_flop = !c->flip_flop;
        return hi ? v >> 8 : v & 0xff;
    }
    switch (reg) {
    case 8: {                                   /* status: TC bits clear on read */
        uint8_t v = c->status;
        for (int i = 0; i < 4; i++)
            if (c->ch[i].dreq)
                v |= 0x10 << i;
        c->status &= 0xf0;
        return v;
    }
    case 13:
        return c->temp;
    case 15:                                    /* mask register (read on most clones) */
        return c->mask | 0xf0;
    default:
        return 0xff;
    }
}

static void i8237_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    DmaController *c = opaque;
    unsigned reg = off >> c->dshift;
    val &= 0xff;
    if (reg < 8) {
        DmaChannel *ch = &c->ch[reg >> 1];
        uint16_t *base = (reg & 1) ? &ch->base_count : &ch->base_addr;
        uint16_t *cur = (reg & 1) ? &ch->cur_count : &ch->cur_addr;
        /* Writing the base also writes the current register (8237A "Base and Current"). */
        if (c->flip_flop)
            *base = (*base & 0x00ff) | val << 8;
        else
            *base = (*base & 0xff00) | val;
        *cur = *base;
        c->flip_flop = !c->flip_flop;
        return;
    }
    switch (reg) {
    case 8:                                     /* command */
        c->command = val;
        if (val & ~CMD_DISABLE & 0xff)
            qlog(LOG_UNIMP, "i8237: command bits 0x%02x (memory-to-memory, timing) ignored\n",
                 (unsigned)val);
        break;
    case 9:                                     /* request register: software DREQ */
        c->ch[val & 3].dreq = val & 4;
        break;
    case 10:                                    /* single mask bit */
        if (val & 4)
            c->mask |= 1 << (val & 3);
        else
            c->mask &= ~(1 << (val & 3));
        break;
    case 11:                                    /* mode */
        c->ch[val & 3].mode = val & 0xfc;
        break;
    case 12:                                    /* clear byte pointer flip-flop */
        c->flip_flop = false;
        break;
    case 13:                                    /* master clear */
        dma_reset_controller(c);
        break;
    case 14:                                    /* clear mask register */
        c->mask = 0;
        break;
    case 15:                                    /* write all mask bits */
        c->mask = val & 0x0f;
        break;
    }
    isa_dma_run();
}

static const MemoryRegionOps dma_ops = {
    .read = i8237_read, .write = i8237_write, .min_size = 1, .max_size = 1,
};

static uint64_t page_read(void *opaque, uint64_t off, unsigned size)
{
    IsaDmaState *s = opaque;
    int chan = page_port_chan[off & 15];
    return chan < 0 ? 0xff : s->c[chan >> 2].ch[chan & 3].page;
}

static void page_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    IsaDmaState *s = opaque;
    int chan = page_port_chan[off & 15];
    if (chan >= 0)
        s->c[chan >> 2].ch[chan & 3].page = val;
}

static const MemoryRegionOps page_ops = {
    .read = page_read, .write = page_write, .min_size = 1, .max_size = 1,
};

/* ---- transfers ---- */

static bool chan_enabled(int chan)
{
    DmaController *c = &isa_dma->c[chan >> 2];
    /* Channel 4 is the cascade of the first controller. */
    if (chan < 4 && ((isa_dma->c[1].mask & 1) || (isa_dma->c[1].command & CMD_DISABLE)))
        return false;
    return !(c->command & CMD_DISABLE) && !(c->mask & (1 << (chan & 3)));
}

static void isa_dma_run(void)
{
    if (!isa_dma || isa_dma->running)
        return;
    isa_dma->running = true;
    for (int chan = 0; chan < 8; chan++) {
        if (chan == 4)
            continue;
        DmaController *c = &isa_dma->c[chan >> 2];
        DmaChannel *ch = &c->ch[chan & 3];
        if (!ch->dreq || !ch->handler || !chan_enabled(chan))
            continue;
        int size = (ch->base_count + 1) << c->dshift;
        int pos = (ch->base_count - ch->cur_count) << c->dshift;
        int npos = ch->handler(ch->opaque, chan, pos, size);
        if (npos < pos || npos > size)
            npos = size;
        int units = (npos - pos) >> c->dshift;
        ch->cur_count -= units;
        ch->cur_addr += (ch->mode & MODE_DECREMENT) ? -units : units;
        if (npos >= size) {
            c->status |= 1 << (chan & 3);       /* terminal count */
            if (ch->mode & MODE_AUTOINIT) {
                ch->cur_addr = ch->base_addr;
                ch->cur_count = ch->base_count;
            } else {
                c->mask |= 1 << (chan & 3);     /* TC without autoinit masks the channel */
                ch->cur_count = 0xffff;
            }
        }
    }
    isa_dma->running = false;
}

bool isa_dma_present(void) { return isa_dma != NULL; }

bool isa_dma_register_channel(int chan, IsaDmaTransferHandler *fn, void *opaque)
{
    DmaChannel *ch = chan_of(chan);
    if (!ch)
        return false;
    ch->handler = fn;
    ch->opaque = opaque;
    return true;
}

void isa_dma_hold_DREQ(int chan)
{
    DmaChannel *ch = chan_of(chan);
    if (!ch)
        return;
    ch->dreq = true;
    isa_dma_run();
}

void isa_dma_release_DREQ(int chan)
{
    DmaChannel *ch = chan_of(chan);
    if (ch)
        ch->dreq = false;
}

int isa_dma_transfer_type(int chan)
{
    DmaChannel *ch = chan_of(chan);
    return ch ? MODE_TYPE(ch->mode) : 3;
}

/* Physical address of byte `pos` of the transfer; the address wraps inside the 64 KiB
 * (128 KiB for word channels) page, as the 8237's 16-bit address counter does. */
static uint64_t chan_phys(int chan, int pos)
{
    DmaChannel *ch = chan_of(chan);
    int shift = chan >> 2;
    uint16_t units = pos >> shift;
    uint16_t a = (ch->mode & MODE_DECREMENT) ? ch->base_addr - units : ch->base_addr + units;
    if (shift)
        return ((uint64_t)(ch->page & 0xfe) << 16) | ((uint32_t)a << 1) | (pos & 1);
    return ((uint64_t)ch->page << 16) | a;
}

static int chan_copy(int chan, void *buf, int pos, int len, bool to_memory)
{
    DmaChannel *ch = chan_of(chan);
    if (!ch || len < 0)
        return 0;
    AddressSpace *as = board.memory_as;
    uint8_t *b = buf;
    for (int i = 0; i < len;) {
        uint64_t pa = chan_phys(chan, pos + i);
        int n = 1;
        if (!(ch->mode & MODE_DECREMENT)) {
            /* contiguous up to the end of the page */
            uint64_t page_end = (pa | ((chan >> 2) ? 0x1ffff : 0xffff)) + 1;
            n = MIN((uint64_t)(len - i), page_end - pa);
        }
        MemTxResult r;
        if (to_memory) {
            r = dma_write(as, pa, b + i, n);
        } else {
            r = dma_read(as, pa, b + i, n);
            if (r != MEMTX_OK)
                memset(b + i, 0xff, n);
        }
        if (r != MEMTX_OK)
            qlog(LOG_GUEST_ERRORS, "i8237: channel %d DMA to 0x%" PRIx64 "+%d is not RAM\n",
                 chan, pa, n);
        i += n;
    }
    return len;
}

int isa_dma_read_memory(int chan, void *buf, int pos, int len)
{
    return chan_copy(chan, buf, pos, len, false);
}

int isa_dma_write_memory(int chan, const void *buf, int pos, int len)
{
    return chan_copy(chan, (void *)buf, pos, len, true);
}

/* ---- device ---- */

static void isa_dma_reset(Device *dev)
{
    IsaDmaState *s = (IsaDmaState *)dev;
    dma_reset_controller(&s->c[0]);
    dma_reset_controller(&s->c[1]);
}

static bool isa_dma_realize(Device *dev, Error **errp)
{
    IsaDmaState *s = (IsaDmaState *)dev;
    if (isa_dma) {
        error_setg(errp, "a PC has only one pair of DMA controllers");
        return false;
    }
    if (!board.system_io) {
        error_setg(errp, "no I/O space to attach to");
        return false;
    }
    s->c[0].dshift = 0;
    s->c[1].dshift = 1;
    memory_region_init_io(&s->c[0].io, "dma1", &dma_ops, &s->c[0], 16);
    memory_region_init_io(&s->c[1].io, "dma2", &dma_ops, &s->c[1], 32);
    memory_region_init_io(&s->page_io, "dma-page", &page_ops, s, 16);
    memory_region_add_subregion(board.system_io, 0x00, &s->c[0].io);
    memory_region_add_subregion(board.system_io, 0xc0, &s->c[1].io);
    /* 0x80 stays with the POST-code port: map 0x81-0x8f only. */
    MemoryRegion *pages = xzalloc(sizeof(*pages));
    memory_region_init_alias(pages, "dma-page", &s->page_io, 1, 15);
    memory_region_add_subregion(board.system_io, 0x81, pages);
    isa_dma_reset(dev);
    isa_dma = s;
    return true;
}

static const DeviceClass isa_dma_class = {
    .name = "isa-dma", .bus = "isa", .desc = "two cascaded 8237A DMA controllers with page registers",
    .size = sizeof(IsaDmaState), .realize = isa_dma_realize, .reset = isa_dma_reset,
};
DEVICE_CLASS_REGISTER(isa_dma_class);
