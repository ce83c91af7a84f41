/* boot.c: the boot device order (fw_cfg "bootorder", then the CMOS order QEMU and vireo
 * write) and INT 19h, which loads the first bootable sector to 0000:7C00 and jumps there. */
#include "bios.h"
#include "disk.h"
#include "farptr.h"
#include "fwcfg.h"
#include "output.h"
#include "pci.h"
#include "string.h"
#include "x86.h"

/* Boot entries are BIOS drive classes: floppy, hard disk, CD-ROM, network. */
#define BOOT_FLOPPY 1
#define BOOT_HD 2
#define BOOT_CD 3
#define BOOT_NET 4
#define MAX_BOOT 8

struct bootlist {
    u8 count;
    u8 check_floppy_sig;
    u8 menu;                    /* -boot menu=on */
    u16 menu_wait_ms;
    u8 kind[MAX_BOOT];
    u8 drive[MAX_BOOT];         /* BIOS drive number for floppy and hard disk entries */
};
VARFSEG_DEF(struct bootlist, bootlist);
VARFSEG_DECL(struct bootlist, bootlist);

#if !MODE16
static void boot_add(u8 kind, u8 drive)
{
    for (int i = 0; i < bootlist.count; i++)
        if (bootlist.kind[i] == kind && bootlist.drive[i] == drive)
            return;
    if (bootlist.count < MAX_BOOT) {
        bootlist.kind[bootlist.count] = kind;
        bootlist.drive[bootlist.count++] = drive;
    }
}

static const char *strstr_(const char *h, const char *n)
{
    for (; *h; h++)
        if (!strncmp(h, n, strlen(n)))
            return h;
    return NULL;
}

/* One line of fw_cfg "bootorder" (OpenFirmware device paths, QEMU's docs/bootindex.txt):
 *   /pci@i0cf8/isa@1/fdc@03f0/floppy@N        floppy N
 *   /pci@i0cf8/ide@1,1/drive@C/disk@U         ATA channel C unit U (disk or CD)   */
static void boot_add_path(const char *p)
{
    const char *f = strstr_(p, "/floppy@");
    if (f) {
        u8 unit = f[8] - '0';
        for (int i = 0; i < disks.nfloppy; i++)
            if (disks.fd[i].unit == unit)
                boot_add(BOOT_FLOPPY, i);
        return;
    }
    if (strstr_(p, "ethernet")) {
        boot_add(BOOT_NET, 0);
        return;
    }
    const char *dr = strstr_(p, "/drive@");
    const char *dk = strstr_(p, "/disk@");
    if (dr && dk) {
        u8 unit = (dr[7] - '0') * 2 + (dk[6] - '0');
        for (int i = 0; i < disks.nhd; i++)
            if (disks.hd[i].unit == unit)
                boot_add(BOOT_HD, 0x80 + i);
        for (int i = 0; i < disks.ncd; i++)
            if (disks.cd[i].unit == unit)
                boot_add(BOOT_CD, 0xe0 + i);
        return;
    }
    dprintf(1, "boot: ignoring bootorder entry %s\n", p);
}

static void boot_add_kind(u8 kind)
{
    switch (kind) {
    case BOOT_FLOPPY:
        if (disks.nfloppy)
            boot_add(BOOT_FLOPPY, 0);
        break;
    case BOOT_HD:
        if (disks.nhd)
            boot_add(BOOT_HD, 0x80);
        break;
    case BOOT_CD:
        if (disks.ncd)
            boot_add(BOOT_CD, 0xe0);
        break;
    case BOOT_NET:
        boot_add(BOOT_NET, 0);
        break;
    }
}

void boot_setup(void)
{
    memset(&bootlist, 0, sizeof(bootlist));
    u16 key;
    u32 size = fwcfg_present() ? fwcfg_find("bootorder", &key) : 0;
    if (size) {
        static char buf[1024];
        if (size >= sizeof(buf))
            size = sizeof(buf) - 1;
        fwcfg_select(key);
        fwcfg_read(buf, size);
        buf[size] = 0;
        char *line = buf;
        for (char *c = buf; ; c++) {
            if (*c == '\n' || !*c) {
                char end = *c;
                *c = 0;
                if (*line)
                    boot_add_path(line);
                if (!end)
                    break;
                line = c + 1;
            }
        }
    }
    /* CMOS 3Dh: first (low nibble) and second device, 38h high nibble: third;
     * 1 floppy, 2 hard disk, 3 CD-ROM, 4 network. 38h bit 0 set: skip the floppy 55AAh check. */
    u8 b1 = cmos_read(0x3d), b2 = cmos_read(0x38);
    u8 order[3] = { b1 & 15, b1 >> 4, b2 >> 4 };
    for (int i = 0; i < 3; i++)
        boot_add_kind(order[i]);
    /* Everything else afterwards, so a failed boot falls through to the next device and the
     * menu can offer all of them. */
    for (int i = 0; i < disks.nfloppy; i++)
        boot_add(BOOT_FLOPPY, i);
    for (int i = 0; i < disks.nhd; i++)
        boot_add(BOOT_HD, 0x80 + i);
    for (int i = 0; i < disks.ncd; i++)
        boot_add(BOOT_CD, 0xe0 + i);
    if (bev_list.count)
        boot_add(BOOT_NET, 0);
    bootlist.check_floppy_sig = !(b2 & 1);
    /* -boot menu=on sets FW_CFG_BOOT_MENU; splash-time=N gives "etc/boot-menu-wait" (ms). */
    if (fwcfg_present()) {
        u16 menu = 0, wait = 0;
        fwcfg_select(FW_CFG_BOOT_MENU);
        fwcfg_read(&menu, 2);
        bootlist.menu = menu & 1;
        if (fwcfg_find("etc/boot-menu-wait", &key) >= 2) {
            fwcfg_select(key);
            fwcfg_read(&wait, 2);
        }
        bootlist.menu_wait_ms = wait ? wait : 2500;
    }
    for (int i = 0; i < bootlist.count; i++)
        dprintf(3, "boot: #%d kind %u drive %02x\n", i, bootlist.kind[i], bootlist.drive[i]);
}
#endif

#if MODE16
static const char *boot_name(u8 kind)
{
    switch (kind) {
    case BOOT_FLOPPY: return "Floppy";
    case BOOT_HD: return "Hard Disk";
    case BOOT_CD: return "CD-ROM";
    default: return "Network";
    }
}

/* Load the boot sector of drive dl to 0000:7C00. */
static int boot_load_sector(u8 dl, int check_sig)
{
    struct drive *d = drive_lookup(dl);
    if (!d)
        return -1;
    struct disk_op op = { .drive = d, .lba = 0, .count = 1, .seg = 0, .off = 0x7c00 };
    int st = disk_rw(&op);
    if (st) {
        printf("Boot failed: could not read the boot sector (status %02x)\n", st);
        return -1;
    }
    if (check_sig && rd16(0, 0x7dfe) != 0xaa55) {
        printf("Boot failed: not a bootable disk\n");
        return -1;
    }
    return 0;
}

static u32 bev_target;

/* BIOS Boot Specification 1.01 6.3.2: far-call the BEV; it returns if it could not boot. */
static void boot_bevs(void)
{
    for (int i = 0; i < bev_list.count; i++) {
        printf("Booting from %s...\n", bev_list.e[i].name[0] ? bev_list.e[i].name : "ROM");
        bev_target = (u32)bev_list.e[i].seg << 16 | bev_list.e[i].off;
        __asm__ volatile("pushal\n\tpushw %%ds\n\tpushw %%es\n\tsti\n\t"
                         "lcallw *%0\n\tcli\n\tpopw %%es\n\tpopw %%ds\n\tpopal"
                         :: "m"(bev_target) : "memory");
    }
}

/* El Torito 1.0: boot record volume descriptor at sector 17 -> boot catalog -> validation
 * entry + initial/default entry -> load the no-emulation image and run it with DL = CD. */
static u8 cdbuf[2048];

/* El Torito 1.0 section 3.2: the image becomes drive 00h (floppy media 1-3) or 80h (hard
 * disk, media 4: geometry from its partition table), the real drives move up one; its first
 * sector is the boot sector. */
static int boot_cdrom_emulated(struct bregs *r, struct drive *cd, u8 media, u16 seg, u32 rba)
{
    static const u8 spt[4] = { 0, 15, 18, 36 }, type[4] = { 0, 2, 4, 5 };
    struct drive emu;
    memset(&emu, 0, sizeof(emu));
    emu.type = DRIVE_CDEMU;
    emu.blksize = 512;
    emu.emu_rba = rba;
    emu.emu_cd = cd - disks.cd;
    if (media < 4) {
        emu.floppy_type = type[media];
        emu.cyls = 80;
        emu.heads = 2;
        emu.spt = spt[media];
        emu.sectors = 80 * 2 * emu.spt;
    } else {
        /* the first partition's end gives heads and sectors per track, its end the size */
        emu.sectors = 1;
        struct disk_op op = { .drive = &emu, .lba = 0, .count = 1, .seg = seg, .off = 0 };
        u16 off = 0;
        if (!disk_rw(&op) && rd16(seg, 510) == 0xaa55)
            for (u16 o = 446; o < 510 && !off; o += 16)
                if (rd8(seg, o + 4))
                    off = o;
        if (!off) {
            printf("Boot failed: the El Torito hard disk image has no partition\n");
            return -1;
        }
        emu.heads = rd8(seg, off + 5) + 1;
        emu.spt = rd8(seg, off + 6) & 0x3f;
        emu.sectors = rd32(seg, off + 8) + rd32(seg, off + 12);
        if (!emu.spt || emu.sectors > cd->sectors * 4) {
            printf("Boot failed: bad partition table in the El Torito hard disk image\n");
            return -1;
        }
        u32 cyls = emu.sectors / (emu.heads * emu.spt);
        emu.cyls = cyls > 1024 ? 1024 : cyls;
    }
    int hd = media == 4;
    struct drive *list = hd ? disks.hd : disks.fd;
    u8 *n = hd ? &disks.nhd : &disks.nfloppy;
    int max = hd ? MAX_HD : MAX_FLOPPY;
    if (*n >= max)
        *n = max - 1;
    for (int i = *n; i > 0; i--)
        list[i] = list[i - 1];
    list[0] = emu;
    (*n)++;
    if (hd)
        wr8(BDA_SEG, BDA_HD_COUNT, disks.nhd);
    else
        wr16(BDA_SEG, BDA_EQUIPMENT, (rd16(BDA_SEG, BDA_EQUIPMENT) & ~0x00c1) | 1 | (disks.nfloppy - 1) << 6);
    struct disk_op op = { .drive = &list[0], .lba = 0, .count = 1, .seg = seg, .off = 0 };
    if (disk_rw(&op)) {
        printf("Boot failed: could not read the emulated drive\n");
        return -1;
    }
    cdboot.active = 1;
    cdboot.media = media;
    cdboot.drive = hd ? 0x80 : 0x00;
    cdboot.rba = rba;
    cdboot.load_seg = seg;
    cdboot.count = 1;
    if (hd)
        printf("El Torito hard disk emulation: %u MiB image as drive 80h, CHS %u/%u/%u\n",
               emu.sectors >> 11, emu.cyls, emu.heads, emu.spt);
    else
        printf("El Torito floppy emulation: %u KiB image as drive A:\n", emu.sectors / 2);
    r->cs = 0;
    r->ip = seg << 4;
    r->dl = cdboot.drive;
    r->flags |= F_IF;
    return 0;
}

static int boot_cdrom(struct bregs *r, u8 dl)
{
    struct drive *d = drive_lookup(dl);
    if (!d || !d->sectors) {
        printf("Boot failed: no CD in the drive\n");
        return -1;
    }
    if (atapi_read(d, 17, 1, BIOS_SEG, (u16)(u32)cdbuf) || cdbuf[0] != 0 ||
        memcmp(cdbuf + 1, "CD001", 5) || memcmp(cdbuf + 7, "EL TORITO SPECIFICATION", 23)) {
        printf("Boot failed: not a bootable CD (no El Torito boot record)\n");
        return -1;
    }
    u32 catalog = *(u32 *)(cdbuf + 0x47);
    if (atapi_read(d, catalog, 1, BIOS_SEG, (u16)(u32)cdbuf)) {
        printf("Boot failed: could not read the El Torito boot catalog\n");
        return -1;
    }
    u16 sum = 0;
    for (int i = 0; i < 16; i++)
        sum += ((u16 *)cdbuf)[i];
    u8 *entry = cdbuf + 32;
    if (cdbuf[0] != 1 || cdbuf[30] != 0x55 || cdbuf[31] != 0xaa || sum || entry[0] != 0x88) {
        printf("Boot failed: bad El Torito boot catalog\n");
        return -1;
    }
    u8 media = entry[1] & 0x0f;
    u16 seg = *(u16 *)(entry + 2), count = *(u16 *)(entry + 6);
    u32 rba = *(u32 *)(entry + 8);
    if (!seg)
        seg = 0x07c0;
    if (media >= 1 && media <= 4)
        return boot_cdrom_emulated(r, d, media, seg, rba);
    if (media != 0) {
        printf("Boot failed: unknown El Torito media type %u\n", media);
        return -1;
    }
    if (!seg)
        seg = 0x07c0;
    if (!count || count > 1024 || (u32)seg * 16 + count * 512u > 0x9fc00) {
        printf("Boot failed: bad El Torito image size\n");
        return -1;
    }
    /* Whole 2048-byte blocks straight to memory, the tail through cdbuf. */
    u16 blocks = count / 4;
    u32 lin = (u32)seg << 4;
    for (u16 i = 0; i < blocks; i += 16) {
        u16 n = blocks - i > 16 ? 16 : blocks - i;
        u32 a = lin + (u32)i * 2048;
        if (atapi_read(d, rba + i, n, a >> 4, a & 15))
            return -1;
    }
    if (count % 4) {
        if (atapi_read(d, rba + blocks, 1, BIOS_SEG, (u16)(u32)cdbuf))
            return -1;
        u32 a = lin + (u32)blocks * 2048;
        far_write(a >> 4, a & 15, cdbuf, (count % 4) * 512);
    }
    cdboot.active = 1;
    cdboot.media = media;
    cdboot.drive = dl;
    cdboot.rba = rba;
    cdboot.load_seg = seg;
    cdboot.count = count;
    r->cs = seg;
    r->ip = 0;
    r->dl = dl;
    r->flags |= F_IF;
    return 0;
}

int kbd_getkey_nowait(void);

/* Wait up to ms for a key (keyboard or serial console); -1 on time-out. */
static int boot_wait_key(u32 ms)
{
    u32 start = ticks_now(), ticks = ms / 55 + 1;
    for (;;) {
        int k = kbd_getkey_nowait();
        if (k >= 0)
            return k;
        if (ticks_now() - start >= ticks)
            return -1;
        wait_irq();
    }
}

static const char *boot_entry_name(int i)
{
    if (bootlist.kind[i] == BOOT_NET && bev_list.count && bev_list.e[0].name[0])
        return bev_list.e[0].name;
    return boot_name(bootlist.kind[i]);
}

/* ESC or F12 during the wait opens the menu; a digit moves that entry to the front. */
static void boot_menu(void)
{
    printf("Press ESC or F12 for the boot menu.\n");
    int k = boot_wait_key(bootlist.menu_wait_ms);
    if (k < 0 || ((k & 0xff) != 0x1b && (k >> 8) != 0x86))
        return;
    printf("Select boot device:\n");
    for (int i = 0; i < bootlist.count; i++)
        printf("%d. %s (drive %02x)\n", i + 1, boot_entry_name(i), bootlist.drive[i]);
    for (;;) {
        k = boot_wait_key(60000);
        if (k < 0)
            return;
        int n = (k & 0xff) - '1';
        if (n >= 0 && n < bootlist.count) {
            u8 kind = bootlist.kind[n], drive = bootlist.drive[n];
            for (int i = n; i > 0; i--) {
                bootlist.kind[i] = bootlist.kind[i - 1];
                bootlist.drive[i] = bootlist.drive[i - 1];
            }
            bootlist.kind[0] = kind;
            bootlist.drive[0] = drive;
            return;
        }
        if ((k & 0xff) == 0x1b || (k & 0xff) == '\r')
            return;
    }
}

VISIBLE16 void handle_19(struct bregs *r)
{
    if (bootlist.menu) {
        bootlist.menu = 0;              /* once per boot, not on every INT 19h */
        boot_menu();
    }
    for (int i = 0; i < bootlist.count; i++) {
        u8 kind = bootlist.kind[i], dl = bootlist.drive[i];
        if (kind != BOOT_NET)
            printf("Booting from %s...\n", boot_name(kind));
        int ok = -1;
        if (kind == BOOT_NET) {
            if (!bev_list.count)
                printf("No network boot ROM\n");
            boot_bevs();
            continue;
        }
        if (kind == BOOT_CD) {
            if (!boot_cdrom(r, dl))
                return;
            continue;
        }
        if (kind == BOOT_FLOPPY)
            ok = boot_load_sector(dl, bootlist.check_floppy_sig);
        else if (kind == BOOT_HD)
            ok = boot_load_sector(dl, 1);
        else
            printf("vireo BIOS: not implemented: boot from %s\n", boot_name(kind));
        if (ok)
            continue;
        /* "Return" from INT 19h into the boot sector: DL = boot drive. */
        r->cs = 0;
        r->ip = 0x7c00;
        r->dl = dl;
        r->flags |= F_IF;
        return;
    }
    __asm__ volatile("int $0x18");
}
#endif
