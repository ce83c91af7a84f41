/* irq.c: interrupt lines. */
#include "util/osdep.h"
#include "hw/core/irq.h"

IrqLine *irq_alloc_lines(IrqHandler *handler, void *opaque, int count)
{
    IrqLine *lines = xzalloc(count * sizeof(*lines));
    for (int i = 0; i < count; i++)
        lines[i] = (IrqLine){ handler, opaque, i };
    return lines;
}

typedef struct IrqSplit {
    IrqLine line;
    IrqLine *a, *b;
} IrqSplit;

static void split_handler(void *opaque, int n, int level)
{
    IrqSplit *s = opaque;
    irq_set(s->a, level);
    irq_set(s->b, level);
}

IrqLine *irq_split(IrqLine *a, IrqLine *b)
{
    IrqSplit *s = xzalloc(sizeof(*s));
    s->a = a;
    s->b = b;
    s->line = (IrqLine){ split_handler, s, 0 };
    return &s->line;
}
