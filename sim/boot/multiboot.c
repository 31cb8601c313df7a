/*
 * Multiboot v1 boot: the image loaded by its ELF program headers or by the
 * header's address fields, modules after it, then a boot area with a GDT and
 * the information structure; the CPU in 32-bit protected mode without
 * paging (Multiboot Specification 0.6.96, 3.2 "Machine state").
 */
#include "sim/boot/multiboot.h"

#include <elf.h>
#include <string.h>

#include "sim/boot/boot_cpu.h"
#include "sim/boot/boot_error.h"
#include "sim/boot/boot_layout.h"
#include "sim/boot/descriptors.h"
#include "sim/boot/elf_image.h"
#include "sim/boot/guest_ram.h"
#include "sim/boot/modules.h"
#include "sim/boot/multiboot_info.h"

/* The information structure follows the GDT at the 8-byte alignment that
 * boot_mb_info_size assumed. */
_Static_assert(MB_GDT_BYTES % 8 == 0, "multiboot info must stay 8-aligned");

/* The loaded image: where it ends and where it is entered. */
typedef struct MbImage {
    uint64_t end, entry;
} MbImage;

static bool load_aout(const ImageFile *f, const MultibootHeader *h, Memory *mem, MbImage *img,
                      char *err, size_t errlen) {
    MultibootAout a;
    char why[128];
    if (!boot_mb_aout_layout(f, h, &a, err, errlen)) return false;
    if (!boot_ram_check(mem, a.load_addr, a.end - a.load_addr, BOOT_LIMIT_4G, why, sizeof(why)))
        return boot_fail(err, errlen,
                         "%s: multiboot header at offset " BOOT_X ": image [load_addr " BOOT_X
                         ", " BOOT_X ") %s",
                         f->path, h->offset, a.load_addr, a.end, why);
    boot_ram_copy(mem, a.load_addr, f->data + a.file_offset, a.load_size);
    boot_ram_zero(mem, a.load_addr + a.load_size, a.end - a.load_addr - a.load_size);
    *img = (MbImage){.end = a.end, .entry = a.entry};
    return true;
}

static bool load_elf(const ImageFile *f, const MultibootHeader *h, Memory *mem, MbImage *img,
                     char *err, size_t errlen) {
    ElfImage e;
    if (!boot_elf_load(f, mem, BOOT_LIMIT_4G, &e, err, errlen)) {
        if (f->size < SELFMAG || memcmp(f->data, ELFMAG, SELFMAG) != 0)
            return boot_fail(err, errlen,
                             "%s: multiboot header at offset " BOOT_X
                             ": flag 16 (address fields) is clear, so the image must be ELF, and "
                             "it is not (no \\177ELF magic)",
                             f->path, h->offset);
        return false;
    }
    /* Spec 3.2: EIP is a 32-bit physical address. */
    if (e.entry_phys >= BOOT_LIMIT_4G)
        return boot_fail(err, errlen,
                         "%s: e_entry " BOOT_X " (physical " BOOT_X
                         ") is not a 32-bit address: multiboot enters in 32-bit mode",
                         f->path, e.entry, e.entry_phys);
    *img = (MbImage){.end = e.end, .entry = e.entry_phys};
    return true;
}

/* GDT with the flat descriptors behind CS and the data segment registers. */
static void write_gdt(Memory *mem, uint64_t gdt) {
    uint64_t d[3] = {0};
    d[1] = boot_descriptor(0, BOOT_FLAT_LIMIT, BOOT_AR_CODE32);
    d[2] = boot_descriptor(0, BOOT_FLAT_LIMIT, BOOT_AR_DATA);
    boot_ram_copy(mem, gdt, d, sizeof(d));
}

/* Spec 3.2 "Machine state". */
static void enter_protected_mode(CpuState *cpu, uint64_t gdt, uint64_t info, uint64_t entry) {
    boot_cpu_clear(cpu);
    cpu->cr0 = CR0_PE | CR0_ET;
    cpu->cr3 = cpu->cr4 = cpu->efer = 0;
    cpu->gdtr = (DescTable){.base = gdt, .limit = MB_GDT_BYTES - 1};
    cpu->seg[SEG_CS] = boot_segment(BOOT_SEL_CODE, 0, BOOT_FLAT_LIMIT, BOOT_AR_CODE32);
    static const unsigned data_segs[] = {SEG_ES, SEG_SS, SEG_DS, SEG_FS, SEG_GS};
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(data_segs); i++)
        cpu->seg[data_segs[i]] = boot_segment(BOOT_SEL_DATA, 0, BOOT_FLAT_LIMIT, BOOT_AR_DATA);
    /* The spec leaves TR undefined and the OS must load its own before use.
     * We give it what firmware leaves on real hardware and what VM entry
     * requires of a usable TR (SDM 26.3.1.2): a busy 32-bit TSS, here
     * selector 0, base 0, limit 0x67, with no descriptor in the GDT. */
    cpu->seg[SEG_TR] = boot_segment(0, 0, BOOT_TSS_SIZE - 1, BOOT_AR_TSS_BUSY);
    cpu->gpr[GPR_RAX] = MB_BOOTLOADER_MAGIC;
    cpu->gpr[GPR_RBX] = info;
    cpu->RIP = entry;
    boot_cpu_commit(cpu);
}

bool boot_multiboot(const BootConfig *cfg, const ImageFile *f, const MultibootHeader *h,
                    Memory *mem, CpuState *cpu, char *err, size_t errlen) {
    MbImage img = {0};
    LoadedModule mods[VMXSIM_BOOT_MAX_MODULES] = {{0}};
    char why[128];
    if (!boot_mb_check_flags(f, h, err, errlen)) return false;
    bool loaded = (h->flags & MB_FLAG_ADDRESSES) ? load_aout(f, h, mem, &img, err, errlen)
                                                 : load_elf(f, h, mem, &img, err, errlen);
    if (!loaded) return false;
    BootLayout l = {.mem = mem, .next = img.end, .limit = BOOT_LIMIT_4G};
    if (!boot_modules_load(cfg, &l, mods, err, errlen)) return false;
    uint64_t area = 0, size = MB_GDT_BYTES + boot_mb_info_size(cfg);
    if (!boot_layout_take(&l, size, PAGE_SIZE, &area, why, sizeof(why)))
        return boot_fail(err, errlen,
                         "%s: boot area (GDT, multiboot information: " BOOT_X
                         " bytes, after " BOOT_X ") %s",
                         f->path, size, l.next, why);
    write_gdt(mem, area);
    boot_mb_info_write(mem, area + MB_GDT_BYTES, cfg, mods);
    enter_protected_mode(cpu, area, area + MB_GDT_BYTES, img.entry);
    return true;
}
