/*
 * The vmxsim direct-boot protocol: an ELF64 image entered in 64-bit mode with
 * an identity map, a flat GDT, a TSS, a stack and a VmxsimBootInfo, all in a
 * boot area after the image and its modules (include/vmxsim/boot_info.h).
 */
#include "sim/boot/direct_boot.h"

#include <elf.h>
#include <string.h>

#include "sim/boot/boot_cpu.h"
#include "sim/boot/boot_error.h"
#include "sim/boot/boot_layout.h"
#include "sim/boot/descriptors.h"
#include "sim/boot/elf_image.h"
#include "sim/boot/guest_ram.h"
#include "sim/boot/modules.h"
#include "sim/boot/page_tables.h"

_Static_assert(sizeof(VmxsimBootInfo) == 64 + 24 * VMXSIM_BOOT_MAX_MODULES,
               "VmxsimBootInfo layout is the protocol");

/* Addresses in the boot area, in the order the protocol lists them. */
typedef struct DirectPlan {
    IdentityMap map;
    uint64_t pml4, gdt, tss, info, cmdline, mod_args[VMXSIM_BOOT_MAX_MODULES];
    uint64_t stack, end; /* the stack is [stack, end); RSP = end */
} DirectPlan;

static const char *text_or_empty(const char *s) {
    return s ? s : "";
}

static void plan_area(DirectPlan *p, uint64_t base, const BootConfig *cfg) {
    uint64_t c = base;
    p->pml4 = boot_carve(&c, boot_identity_map_table_bytes(&p->map), PAGE_SIZE);
    p->gdt = boot_carve(&c, DIRECT_GDT_BYTES, 16);
    p->tss = boot_carve(&c, BOOT_TSS_SIZE, 16);
    p->info = boot_carve(&c, sizeof(VmxsimBootInfo), 16);
    p->cmdline = boot_carve(&c, strlen(text_or_empty(cfg->append)) + 1, 1);
    for (unsigned i = 0; i < cfg->module_count; i++)
        p->mod_args[i] = boot_carve(&c, strlen(text_or_empty(cfg->modules[i].args)) + 1, 1);
    p->stack = boot_carve(&c, DIRECT_STACK_SIZE, PAGE_SIZE);
    p->end = c;
}

/* Sizes the boot area, reserves it page-aligned in l, and plans it there. */
static bool place_area(DirectPlan *p, BootLayout *l, const BootConfig *cfg, const char *path,
                       char *err, size_t errlen) {
    char why[128];
    uint64_t min_map =
        l->mem->ram_size > (UINT64_C(1) << 32) ? l->mem->ram_size : UINT64_C(1) << 32;
    if (!boot_identity_map_shape(min_map, &p->map))
        return boot_fail(err, errlen,
                         "%s: boot area: RAM size " BOOT_X " is too large to identity-map", path,
                         l->mem->ram_size);
    plan_area(p, 0, cfg);
    uint64_t base = 0;
    if (!boot_layout_take(l, p->end, PAGE_SIZE, &base, why, sizeof(why)))
        return boot_fail(err, errlen,
                         "%s: boot area (page tables, GDT, TSS, boot info, stack: " BOOT_X
                         " bytes, after " BOOT_X ") %s",
                         path, p->end, l->next, why);
    plan_area(p, base, cfg);
    return true;
}

/* GDT: null, 0x08 64-bit code, 0x10 data, 0x18 busy 64-bit TSS; and the TSS
 * with its I/O map base past the limit: no I/O permission bitmap (SDM 7.7 "Task Management in
 * 64-bit Mode"). */
static void write_gdt_tss(Memory *mem, const DirectPlan *p) {
    uint64_t gdt[5] = {0};
    gdt[1] = boot_descriptor(0, BOOT_FLAT_LIMIT, BOOT_AR_CODE64);
    gdt[2] = boot_descriptor(0, BOOT_FLAT_LIMIT, BOOT_AR_DATA);
    boot_descriptor_system64(p->tss, BOOT_TSS_SIZE - 1, BOOT_AR_TSS_BUSY, &gdt[3]);
    boot_ram_copy(mem, p->gdt, gdt, sizeof(gdt));
    uint8_t tss[BOOT_TSS_SIZE] = {0};
    tss[102] = (uint8_t)BOOT_TSS_SIZE;
    boot_ram_copy(mem, p->tss, tss, sizeof(tss));
}

static void write_string(Memory *mem, uint64_t pa, const char *s) {
    boot_ram_copy(mem, pa, s, strlen(s) + 1);
}

static void write_info(Memory *mem, const DirectPlan *p, const BootConfig *cfg, const ElfImage *img,
                       const LoadedModule *mods) {
    VmxsimBootInfo bi;
    memset(&bi, 0, sizeof(bi));
    bi.magic = VMXSIM_BOOT_MAGIC;
    bi.version = VMXSIM_BOOT_VERSION;
    bi.mem_size = mem->ram_size;
    bi.cmdline = p->cmdline;
    bi.image_start = img->start;
    bi.image_end = img->end;
    bi.boot_area_start = p->pml4;
    bi.boot_area_end = p->end;
    bi.module_count = cfg->module_count;
    for (unsigned i = 0; i < cfg->module_count; i++)
        bi.modules[i] = (VmxsimBootModule){mods[i].start, mods[i].end, p->mod_args[i]};
    boot_ram_copy(mem, p->info, &bi, sizeof(bi));
    write_string(mem, p->cmdline, text_or_empty(cfg->append));
    for (unsigned i = 0; i < cfg->module_count; i++)
        write_string(mem, p->mod_args[i], text_or_empty(cfg->modules[i].args));
}

/* 64-bit mode, CPL 0, paging with the identity map (SDM 9.8.5 "Initializing IA-32e Mode"). */
static void enter_long_mode(CpuState *cpu, const DirectPlan *p, uint64_t entry) {
    boot_cpu_clear(cpu);
    cpu->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
    cpu->cr3 = p->pml4;
    cpu->cr4 = CR4_PAE;
    cpu->efer = EFER_LME | EFER_LMA | EFER_NXE;
    cpu->gdtr = (DescTable){.base = p->gdt, .limit = DIRECT_GDT_BYTES - 1};
    cpu->seg[SEG_CS] = boot_segment(BOOT_SEL_CODE, 0, BOOT_FLAT_LIMIT, BOOT_AR_CODE64);
    static const unsigned data_segs[] = {SEG_ES, SEG_SS, SEG_DS, SEG_FS, SEG_GS};
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(data_segs); i++)
        cpu->seg[data_segs[i]] = boot_segment(BOOT_SEL_DATA, 0, BOOT_FLAT_LIMIT, BOOT_AR_DATA);
    cpu->seg[SEG_TR] = boot_segment(BOOT_SEL_TSS, p->tss, BOOT_TSS_SIZE - 1, BOOT_AR_TSS_BUSY);
    cpu->RIP = entry;
    cpu->gpr[GPR_RSP] = p->end;
    cpu->gpr[GPR_RDI] = p->info;
    boot_cpu_commit(cpu);
}

/* Only an ELF64 x86-64 executable boots directly. */
static bool identify_image(const ImageFile *f, char *err, size_t errlen) {
    ElfImage id;
    if (!boot_elf_identify(f, &id, err, errlen))
        return boot_fail_append(err, errlen,
                                "; no multiboot header in the first 8192 bytes either");
    if (id.elf_class != ELFCLASS64 || id.machine != EM_X86_64)
        return boot_fail(err, errlen,
                         "%s: ELF%u image with e_machine %u and no multiboot header in the first "
                         "8192 bytes: direct boot needs an ELF64 x86-64 (EM_X86_64) executable",
                         f->path, id.elf_class == ELFCLASS64 ? 64u : 32u, id.machine);
    return true;
}

bool boot_direct(const BootConfig *cfg, const ImageFile *f, Memory *mem, CpuState *cpu, char *err,
                 size_t errlen) {
    ElfImage img = {0};
    LoadedModule mods[VMXSIM_BOOT_MAX_MODULES] = {{0}};
    DirectPlan p;
    if (!identify_image(f, err, errlen) ||
        !boot_elf_load(f, mem, BOOT_LIMIT_NONE, &img, err, errlen))
        return false;
    BootLayout l = {.mem = mem, .next = img.end, .limit = BOOT_LIMIT_NONE};
    if (!boot_modules_load(cfg, &l, mods, err, errlen) ||
        !place_area(&p, &l, cfg, f->path, err, errlen))
        return false;
    boot_ram_zero(mem, p.pml4, p.end - p.pml4);
    boot_identity_map_write(mem, p.pml4, &p.map);
    write_gdt_tss(mem, &p);
    write_info(mem, &p, cfg, &img, mods);
    enter_long_mode(cpu, &p, img.entry);
    return true;
}
