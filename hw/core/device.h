/* device.h: device types registered by name, with typed properties, reset and realize.
 *
 * A device is a struct whose first member is `Device dev`. Its type registers itself:
 *
 *     static const DeviceProp debugexit_props[] = {
 *         PROP_U32("iobase", DebugExitState, iobase, 0x501, "I/O port"),
 *         PROP_U32("iosize", DebugExitState, iosize, 2, "width of the port window"),
 *         PROP_END,
 *     };
 *     static const DeviceClass debugexit_class = {
 *         .name = "isa-debug-exit", .bus = "isa", .desc = "exit the emulator from the guest",
 *         .size = sizeof(DebugExitState), .props = debugexit_props,
 *         .realize = debugexit_realize, .user_creatable = true,
 *     };
 *     DEVICE_CLASS_REGISTER(debugexit_class);
 *
 * and `-device isa-debug-exit,iobase=0xf4,iosize=4` creates one.
 */
#ifndef HW_CORE_DEVICE_H
#define HW_CORE_DEVICE_H

#include "util/osdep.h"
#include "util/error.h"

typedef enum PropKind { PROP_KIND_U8, PROP_KIND_U16, PROP_KIND_U32, PROP_KIND_U64,
                        PROP_KIND_BOOL, PROP_KIND_STR, PROP_KIND_SIZE } PropKind;

typedef struct DeviceProp {
    const char *name;
    PropKind kind;
    size_t offset;
    uint64_t defval;           /* numbers and bools */
    const char *defstr;        /* strings */
    const char *help;
} DeviceProp;

#define PROP_U8(n, T, f, d, h)  { n, PROP_KIND_U8, offsetof(T, f), d, NULL, h }
#define PROP_U16(n, T, f, d, h) { n, PROP_KIND_U16, offsetof(T, f), d, NULL, h }
#define PROP_U32(n, T, f, d, h) { n, PROP_KIND_U32, offsetof(T, f), d, NULL, h }
#define PROP_U64(n, T, f, d, h) { n, PROP_KIND_U64, offsetof(T, f), d, NULL, h }
#define PROP_SIZE(n, T, f, d, h) { n, PROP_KIND_SIZE, offsetof(T, f), d, NULL, h }
#define PROP_BOOL(n, T, f, d, h) { n, PROP_KIND_BOOL, offsetof(T, f), d, NULL, h }
#define PROP_STR(n, T, f, d, h) { n, PROP_KIND_STR, offsetof(T, f), 0, d, h }
#define PROP_END { NULL, 0, 0, 0, NULL, NULL }

typedef struct Device Device;

typedef struct DeviceClass {
    const char *name;
    const char *desc;
    const char *bus;             /* "isa", "pci", "sys" */
    size_t size;
    const DeviceProp *props;     /* terminated by PROP_END */
    bool user_creatable;         /* may be created with -device */
    bool (*realize)(Device *dev, Error **errp);
    void (*reset)(Device *dev);
} DeviceClass;

struct Device {
    const DeviceClass *cls;
    char *id;
    bool realized;
    Device *next;
};

void device_class_register(const DeviceClass *cls);
#define DEVICE_CLASS_REGISTER(cls) \
    static void __attribute__((constructor)) register_##cls(void) { device_class_register(&cls); }
const DeviceClass *device_class_find(const char *name);

/* Allocate a device of the named type with its property defaults; NULL + error if unknown. */
Device *device_new(const char *type, Error **errp);
bool device_set_prop(Device *dev, const char *key, const char *value, Error **errp);
/* Realize (wire up) and add to the list of devices that get reset. */
bool device_realize(Device *dev, Error **errp);
/* device_new + props + realize, for boards: props is "key=value,..." or NULL. */
Device *device_create(const char *type, const char *props, Error **errp);
/* -device OPTSTR. Handles "help" and "TYPE,help" by printing and returning NULL with
 * *handled_help set (the caller exits 0). */
Device *device_create_from_cmdline(const char *optstr, bool *handled_help, Error **errp);
void device_list_types(FILE *f);
void device_print_props(const DeviceClass *cls, FILE *f);
void devices_reset_all(void);
Device *device_find_by_id(const char *id);
Device *device_find_by_type(const char *type, Device *after);
/* The realized devices in creation order: device_first(), then dev->next. */
Device *device_first(void);

#endif
