/* chardev.c: the registry of character back ends, and the front-end side of the plumbing. */
#include "util/osdep.h"
#include "hw/core/chardev.h"

static Chardev *chardevs;

void chardev_add(Chardev *chr, const char *id, const ChardevOps *ops)
{
    chr->id = xstrdup(id);
    chr->ops = ops;
    chr->next = chardevs;
    chardevs = chr;
}

Chardev *chardev_find(const char *id)
{
    for (Chardev *c = chardevs; c; c = c->next)
        if (!strcmp(c->id, id))
            return c;
    return NULL;
}

void chardev_set_handlers(Chardev *chr, int (*can_read)(void *), void (*read)(void *, const uint8_t *, size_t),
                          void *opaque)
{
    chr->fe_can_read = can_read;
    chr->fe_read = read;
    chr->fe_opaque = opaque;
}

void chardev_write(Chardev *chr, const uint8_t *buf, size_t len)
{
    if (chr && chr->ops->write && len)
        chr->ops->write(chr, buf, len);
}

void chardev_accept_input(Chardev *chr)
{
    if (chr && chr->ops->accept_input)
        chr->ops->accept_input(chr);
}

size_t chardev_deliver(Chardev *chr, const uint8_t *buf, size_t len)
{
    if (!chr->fe_read)
        return len;                 /* nobody listens: input is discarded, as on a bare wire */
    int room = chr->fe_can_read ? chr->fe_can_read(chr->fe_opaque) : (int)len;
    size_t n = MIN(len, room > 0 ? (size_t)room : 0);
    if (n)
        chr->fe_read(chr->fe_opaque, buf, n);
    return n;
}

void chardev_close_all(void)
{
    for (Chardev *c = chardevs; c; c = c->next)
        if (c->ops->close)
            c->ops->close(c);
}
