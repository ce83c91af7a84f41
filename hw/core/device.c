/* device.c: the device type registry, properties and the list of realized devices. */
#include "util/osdep.h"
#include "util/option.h"
#include "hw/core/device.h"

static const DeviceClass **classes;
static int nr_classes;
static Device *devices, **devices_tail = &devices;

void device_class_register(const DeviceClass *cls)
{
    classes = xrealloc(classes, (nr_classes + 1) * sizeof(*classes));
    classes[nr_classes++] = cls;
}

const DeviceClass *device_class_find(const char *name)
{
    for (int i = 0; i < nr_classes; i++)
        if (!strcmp(classes[i]->name, name))
            return classes[i];
    return NULL;
}

static const DeviceProp *find_prop(const DeviceClass *cls, const char *name)
{
    for (const DeviceProp *p = cls->props; p && p->name; p++)
        if (!strcmp(p->name, name))
            return p;
    return NULL;
}

static void store_uint(Device *dev, const DeviceProp *p, uint64_t v)
{
    void *f = (char *)dev + p->offset;
    switch (p->kind) {
    case PROP_KIND_U8: *(uint8_t *)f = v; break;
    case PROP_KIND_U16: *(uint16_t *)f = v; break;
    case PROP_KIND_U32: *(uint32_t *)f = v; break;
    case PROP_KIND_BOOL: *(bool *)f = v; break;
    default: *(uint64_t *)f = v; break;
    }
}

Device *device_new(const char *type, Error **errp)
{
    const DeviceClass *cls = device_class_find(type);
    if (!cls) {
        error_setg(errp, "'%s' is not a valid device model name (try -device help)", type);
        return NULL;
    }
    assert(cls->size >= sizeof(Device));
    Device *dev = xzalloc(cls->size);
    dev->cls = cls;
    for (const DeviceProp *p = cls->props; p && p->name; p++) {
        if (p->kind == PROP_KIND_STR)
            *(char **)((char *)dev + p->offset) = p->defstr ? xstrdup(p->defstr) : NULL;
        else
            store_uint(dev, p, p->defval);
    }
    return dev;
}

/* Free a device that was never realized (creation failed part-way). */
static void device_free(Device *dev)
{
    for (const DeviceProp *p = dev->cls->props; p && p->name; p++)
        if (p->kind == PROP_KIND_STR)
            free(*(char **)((char *)dev + p->offset));
    free(dev->id);
    free(dev);
}

bool device_set_prop(Device *dev, const char *key, const char *value, Error **errp)
{
    const DeviceClass *cls = dev->cls;
    if (!strcmp(key, "id")) {
        free(dev->id);
        dev->id = xstrdup(value ? value : "");
        return true;
    }
    const DeviceProp *p = find_prop(cls, key);
    if (!p) {
        error_setg(errp, "device '%s' has no property '%s' (try -device %s,help)", cls->name, key,
                   cls->name);
        return false;
    }
    if (!value) {
        if (p->kind != PROP_KIND_BOOL) {
            error_setg(errp, "device '%s': property '%s' needs a value", cls->name, key);
            return false;
        }
        value = "on";
    }
    static const uint64_t max[] = { [PROP_KIND_U8] = UINT8_MAX, [PROP_KIND_U16] = UINT16_MAX,
                                    [PROP_KIND_U32] = UINT32_MAX, [PROP_KIND_U64] = UINT64_MAX };
    uint64_t v;
    bool b;
    switch (p->kind) {
    case PROP_KIND_STR: {
        char **f = (char **)((char *)dev + p->offset);
        free(*f);
        *f = xstrdup(value);
        return true;
    }
    case PROP_KIND_BOOL:
        if (!parse_bool(value, &b)) {
            error_setg(errp, "device '%s': property '%s' takes on or off, not '%s'", cls->name, key,
                       value);
            return false;
        }
        store_uint(dev, p, b);
        return true;
    case PROP_KIND_SIZE:
        if (!parse_size(value, &v)) {
            error_setg(errp, "device '%s': property '%s' takes a size, not '%s'", cls->name, key,
                       value);
            return false;
        }
        store_uint(dev, p, v);
        return true;
    default:
        if (!parse_uint(value, max[p->kind], &v)) {
            error_setg(errp, "device '%s': property '%s' takes a number up to %" PRIu64 ", not '%s'",
                       cls->name, key, max[p->kind], value);
            return false;
        }
        store_uint(dev, p, v);
        return true;
    }
}

bool device_realize(Device *dev, Error **errp)
{
    if (dev->cls->realize && !dev->cls->realize(dev, errp)) {
        error_prepend(errp, "device '%s': ", dev->cls->name);
        return false;
    }
    dev->realized = true;
    *devices_tail = dev;
    devices_tail = &dev->next;
    return true;
}

static bool apply_opts(Device *dev, const OptList *l, int first, Error **errp)
{
    for (int i = first; i < l->n; i++)
        if (!device_set_prop(dev, l->items[i].key, l->items[i].value, errp))
            return false;
    return true;
}

Device *device_create(const char *type, const char *props, Error **errp)
{
    Device *dev = device_new(type, errp);
    if (!dev)
        return NULL;
    OptList *l = props ? opts_parse(props, NULL) : NULL;
    bool ok = !l || apply_opts(dev, l, 0, errp);
    opts_free(l);
    if (!ok || !device_realize(dev, errp)) {
        device_free(dev);
        return NULL;
    }
    return dev;
}

Device *device_create_from_cmdline(const char *optstr, bool *handled_help, Error **errp)
{
    *handled_help = false;
    OptList *l = opts_parse(optstr, "driver");
    Device *dev = NULL;
    const char *type = l->n ? l->items[0].value : NULL;
    if (!type || !*type) {
        error_setg(errp, "-device: missing device type (try -device help)");
    } else if (!strcmp(type, "help") || !strcmp(type, "?")) {
        device_list_types(stdout);
        *handled_help = true;
    } else {
        const DeviceClass *cls = device_class_find(type);
        if (cls && opts_get(l, "help")) {
            device_print_props(cls, stdout);
            *handled_help = true;
        } else if (cls && !cls->user_creatable) {
            error_setg(errp, "-device %s: this device is part of the machine and cannot be added", type);
        } else if ((dev = device_new(type, errp))) {
            if (!apply_opts(dev, l, 1, errp) || !device_realize(dev, errp)) {
                device_free(dev);
                dev = NULL;
            }
        }
    }
    opts_free(l);
    return dev;
}

static int cmp_class(const void *a, const void *b)
{
    const DeviceClass *x = *(const DeviceClass *const *)a, *y = *(const DeviceClass *const *)b;
    int c = strcmp(x->bus ? x->bus : "", y->bus ? y->bus : "");
    return c ? c : strcmp(x->name, y->name);
}

void device_list_types(FILE *f)
{
    qsort(classes, nr_classes, sizeof(*classes), cmp_class);
    const char *bus = NULL;
    for (int i = 0; i < nr_classes; i++) {
        const DeviceClass *c = classes[i];
        if (!c->user_creatable)
            continue;
        if (!bus || strcmp(bus, c->bus ? c->bus : "")) {
            bus = c->bus ? c->bus : "";
            fprintf(f, "%s%s devices:\n", i ? "\n" : "", *bus ? bus : "other");
        }
        fprintf(f, "name \"%s\", desc \"%s\"\n", c->name, c->desc ? c->desc : "");
    }
}

void device_print_props(const DeviceClass *cls, FILE *f)
{
    static const char *const kinds[] = { "uint8", "uint16", "uint32", "uint64", "bool", "str", "size" };
    fprintf(f, "%s options:\n", cls->name);
    for (const DeviceProp *p = cls->props; p && p->name; p++) {
        fprintf(f, "  %s=<%s>", p->name, kinds[p->kind]);
        if (p->help)
            fprintf(f, " - %s", p->help);
        if (p->kind == PROP_KIND_STR) {
            if (p->defstr)
                fprintf(f, " (default: \"%s\")", p->defstr);
        } else if (p->kind == PROP_KIND_BOOL) {
            fprintf(f, " (default: %s)", p->defval ? "on" : "off");
        } else {
            fprintf(f, " (default: 0x%" PRIx64 ")", p->defval);
        }
        fputc('\n', f);
    }
}

void devices_reset_all(void)
{
    for (Device *d = devices; d; d = d->next)
        if (d->cls->reset)
            d->cls->reset(d);
}

Device *device_find_by_id(const char *id)
{
    for (Device *d = devices; d; d = d->next)
        if (d->id && !strcmp(d->id, id))
            return d;
    return NULL;
}

Device *device_find_by_type(const char *type, Device *after)
{
    for (Device *d = after ? after->next : devices; d; d = d->next)
        if (!strcmp(d->cls->name, type))
            return d;
    return NULL;
}

Device *device_first(void)
{
    return devices;
}
