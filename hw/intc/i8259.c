/* i8259.c: dual 8259A PIC (ports 0x20/0xa0) and the PIIX edge/level control registers (0x4d0). */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/core/board.h"
#include "hw/intc/i8259.h"

/* Priority level (0 highest) of the best request in `mask`, given rotation; 8 if none. */
static int pic_get_priority(PIC8259 *p, uint8_t mask)
{
    if (!mask)
        return 8;
    int prio = 0;
    while (!(mask & (1 << ((prio + p->priority_add) & 7))))
        prio++;
    return prio;
}

/* The IR this chip would present now, or -1 (datasheet: "Priority Resolver"). */
static int pic_get_irq(PIC8259 *p, bool is_master)
{
    int prio = pic_get_priority(p, p->irr & ~p->imr);
    if (prio == 8)
        return -1;
    uint8_t in_service = p->isr;
    /* Special mask mode: masked levels do not inhibit lower priorities (OCW3 SMM). */
    if (p->special_mask)
        in_service &= ~p->imr;
    /* Special fully nested mode: the cascade input may interrupt its own service (ICW4 SFNM). */
    if (p->special_fully_nested && is_master)
        in_service &= ~(1 << 2);
    int cur = pic_get_priority(p, in_service);
    if (prio < cur)
        return (prio + p->priority_add) & 7;
    return -1;
}

static void pic_set_input(PIC8259 *p, int irq, int level)
{
    uint8_t mask = 1 << irq;
    if ((p->elcr & mask) || p->ltim) {
        if (level) {
            p->irr |= mask;
            p->last_irr |= mask;
        } else {
            p->irr &= ~mask;
            p->last_irr &= ~mask;
        }
    } else {
        if (level) {
            if (!(p->last_irr & mask))
                p->irr |= mask;
            p->last_irr |= mask;
        } else {
            p->last_irr &= ~mask;
        }
    }
}

static void pic_update(I8259State *s)
{
    /* The slave's INT follows its request; the master sees it as a level on IR2, so a request
     * withdrawn on the slave is withdrawn on the master too (no spurious IRQ15 cascade). */
    if (pic_get_irq(&s->chip[1], false) >= 0)
        s->chip[0].irr |= 1 << 2;
    else
        s->chip[0].irr &= ~(1 << 2);
    irq_set(s->intr, pic_get_irq(&s->chip[0], true) >= 0);
}

bool i8259_intr_level(I8259State *s)
{
    return pic_get_irq(&s->chip[0], true) >= 0;
}

static void pic_irq_handler(void *opaque, int n, int level)
{
    I8259State *s = opaque;
    pic_set_input(&s->chip[n >> 3], n & 7, level);
    pic_update(s);
}

/* The INTA cycle for `irq` on one chip. */
static void pic_intack(PIC8259 *p, int irq)
{
    if (p->auto_eoi) {
        if (p->rotate_on_auto_eoi)
            p->priority_add = (irq + 1) & 7;
    } else {
        p->isr |= 1 << irq;
    }
    /* An edge request is consumed; a level request stays while the line is high. */
    if (!(p->elcr & (1 << irq)) && !p->ltim)
        p->irr &= ~(1 << irq);
}

int i8259_get_vector(void *opaque)
{
    I8259State *s = opaque;
    PIC8259 *m = &s->chip[0], *sl = &s->chip[1];
    int vector;
    int irq = pic_get_irq(m, true);
    if (irq >= 0) {
        if (irq == 2) {
            int irq2 = pic_get_irq(sl, false);
            if (irq2 >= 0) {
                pic_intack(sl, irq2);
            } else {
                irq2 = 7;        /* spurious IRQ15: nothing set in the slave's ISR */
            }
            vector = sl->irq_base + irq2;
        } else {
            vector = m->irq_base + irq;
        }
        pic_intack(m, irq);
    } else {
        /* Spurious IRQ7: the request went away before INTA (datasheet, "Interrupt Sequence"). */
        vector = m->irq_base + 7;
    }
    pic_update(s);
    qlog(LOG_INT, "pic: acknowledge -> vector 0x%02x\n", vector);
    return vector;
}

/* ICW1 resets the chip's state (datasheet, "Initialization Command Words"). */
static void pic_init_reset(PIC8259 *p)
{
    p->last_irr = 0;
    p->irr &= p->elcr;
    p->imr = 0;
    p->isr = 0;
    p->priority_add = 0;
    p->irq_base = 0;
    p->read_reg_select = 0;
    p->poll = false;
    p->special_mask = false;
    p->init_state = 0;
    p->auto_eoi = false;
    p->rotate_on_auto_eoi = false;
    p->special_fully_nested = false;
    p->init4 = false;
    p->single_mode = false;
    p->ltim = false;
}

/* Poll command: the read returns 1000 0WWW and acknowledges like INTA (OCW3 P). */
static uint8_t pic_poll_read(I8259State *s, int chip)
{
    PIC8259 *p = &s->chip[chip];
    int irq = pic_get_irq(p, chip == 0);
    if (irq < 0)
        return 0;
    pic_intack(p, irq);
    pic_update(s);
    return 0x80 | irq;
}

static void pic_write(I8259State *s, int chip, uint64_t addr, uint8_t val)
{
    PIC8259 *p = &s->chip[chip];
    if (addr == 0) {
        if (val & 0x10) {
            /* ICW1: A7-A5 (MCS-80 only), LTIM, ADI, SNGL, IC4 */
            pic_init_reset(p);
            p->init_state = 1;
            p->init4 = val & 1;
            p->single_mode = val & 2;
            p->ltim = val & 8;
            if (val & 0xe4)
                qlog(LOG_UNIMP, "pic: ICW1 0x%02x: MCS-80/85 mode bits ignored\n", val);
        } else if (val & 0x08) {
            /* OCW3: ESMM SMM, P, RR RIS */
            if (val & 0x04)
                p->poll = true;
            if (val & 0x02)
                p->read_reg_select = val & 1;
            if (val & 0x40)
                p->special_mask = (val >> 5) & 1;
        } else {
            /* OCW2: R SL EOI, L2-L0 */
            int cmd = val >> 5, irq, prio;
            switch (cmd) {
            case 0:              /* rotate in automatic EOI mode (clear) */
            case 4:              /* rotate in automatic EOI mode (set) */
                p->rotate_on_auto_eoi = cmd >> 2;
                break;
            case 1:              /* non-specific EOI */
            case 5:              /* rotate on non-specific EOI */
                prio = pic_get_priority(p, p->isr);
                if (prio != 8) {
                    irq = (prio + p->priority_add) & 7;
                    p->isr &= ~(1 << irq);
                    if (cmd == 5)
                        p->priority_add = (irq + 1) & 7;
                }
                break;
            case 3:              /* specific EOI */
                p->isr &= ~(1 << (val & 7));
                break;
            case 6:              /* set priority: L2-L0 becomes the lowest */
                p->priority_add = (val + 1) & 7;
                break;
            case 7:              /* rotate on specific EOI */
                irq = val & 7;
                p->isr &= ~(1 << irq);
                p->priority_add = (irq + 1) & 7;
                break;
            default:             /* 2: no operation */
                break;
            }
        }
    } else {
        switch (p->init_state) {
        case 0:                  /* OCW1: interrupt mask */
            p->imr = val;
            break;
        case 1:                  /* ICW2: vector base */
            p->irq_base = val & 0xf8;
            p->init_state = p->single_mode ? (p->init4 ? 3 : 0) : 2;
            break;
        case 2:                  /* ICW3: cascade wiring (fixed on the PC) */
            p->init_state = p->init4 ? 3 : 0;
            break;
        case 3:                  /* ICW4: SFNM, BUF, M/S, AEOI, uPM */
            p->special_fully_nested = (val >> 4) & 1;
            p->auto_eoi = (val >> 1) & 1;
            if (!(val & 1))
                qlog(LOG_UNIMP, "pic: ICW4 0x%02x: MCS-80/85 mode not supported\n", val);
            p->init_state = 0;
            break;
        }
    }
    pic_update(s);
}

static uint8_t pic_read(I8259State *s, int chip, uint64_t addr)
{
    PIC8259 *p = &s->chip[chip];
    if (p->poll) {
        p->poll = false;
        return pic_poll_read(s, chip);
    }
    if (addr == 0)
        return p->read_reg_select ? p->isr : p->irr;
    return p->imr;
}

static uint64_t pic_master_read(void *opaque, uint64_t addr, unsigned size)
{
    return pic_read(opaque, 0, addr);
}
static void pic_master_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    pic_write(opaque, 0, addr, val);
}
static uint64_t pic_slave_read(void *opaque, uint64_t addr, unsigned size)
{
    return pic_read(opaque, 1, addr);
}
static void pic_slave_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    pic_write(opaque, 1, addr, val);
}

static const MemoryRegionOps pic_master_ops = {
    .read = pic_master_read, .write = pic_master_write, .min_size = 1, .max_size = 1,
};
static const MemoryRegionOps pic_slave_ops = {
    .read = pic_slave_read, .write = pic_slave_write, .min_size = 1, .max_size = 1,
};

/* ELCR1 (0x4d0) and ELCR2 (0x4d1): PIIX3 datasheet 4.1.x; IRQ0-2, 8 and 13 are edge only. */
static uint64_t elcr_read(void *opaque, uint64_t addr, unsigned size)
{
    I8259State *s = opaque;
    return s->chip[addr & 1].elcr;
}

static void elcr_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    I8259State *s = opaque;
    PIC8259 *p = &s->chip[addr & 1];
    p->elcr = val & p->elcr_mask;
    pic_update(s);
}

static const MemoryRegionOps elcr_ops = {
    .read = elcr_read, .write = elcr_write, .min_size = 1, .max_size = 1,
};

static void i8259_reset(Device *dev)
{
    I8259State *s = (I8259State *)dev;
    for (int i = 0; i < 2; i++) {
        PIC8259 *p = &s->chip[i];
        pic_init_reset(p);
        p->irr = 0;
        p->elcr = 0;
    }
    pic_update(s);
}

static bool i8259_realize(Device *dev, Error **errp)
{
    I8259State *s = (I8259State *)dev;
    if (!board.system_io) {
        error_setg(errp, "i8259: the board has no I/O space");
        return false;
    }
    s->chip[0].elcr_mask = 0xf8;
    s->chip[1].elcr_mask = 0xde;
    s->inputs = irq_alloc_lines(pic_irq_handler, s, 16);
    memory_region_init_io(&s->io_master, "pic-master", &pic_master_ops, s, 2);
    memory_region_init_io(&s->io_slave, "pic-slave", &pic_slave_ops, s, 2);
    memory_region_init_io(&s->io_elcr, "elcr", &elcr_ops, s, 2);
    memory_region_add_subregion(board.system_io, s->master_base, &s->io_master);
    memory_region_add_subregion(board.system_io, s->slave_base, &s->io_slave);
    memory_region_add_subregion(board.system_io, s->elcr_base, &s->io_elcr);
    i8259_reset(dev);
    return true;
}

static const DeviceProp i8259_props[] = {
    PROP_U32("master", I8259State, master_base, 0x20, "I/O port of the master"),
    PROP_U32("slave", I8259State, slave_base, 0xa0, "I/O port of the slave"),
    PROP_U32("elcr", I8259State, elcr_base, 0x4d0, "I/O port of the edge/level control registers"),
    PROP_END,
};

static const DeviceClass i8259_class = {
    .name = "i8259", .desc = "dual 8259A interrupt controller with ELCR", .bus = "isa",
    .size = sizeof(I8259State), .props = i8259_props,
    .realize = i8259_realize, .reset = i8259_reset,
};
DEVICE_CLASS_REGISTER(i8259_class);

I8259State *i8259_create(IrqLine *intr, Error **errp)
{
    I8259State *s = (I8259State *)device_new("i8259", errp);
    if (!s)
        return NULL;
    s->intr = intr;
    if (!device_realize(&s->dev, errp))
        return NULL;
    return s;
}
