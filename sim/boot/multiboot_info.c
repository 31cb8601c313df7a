/* The Multiboot v1 information structure (Multiboot Specification 0.6.96, 3.3). */
#include "sim/boot/multiboot_info.h"

#include <string.h>

#include "sim/boot/guest_ram.h"

#define KIB 1024u
#define MIB (UINT64_C(1) << 20)
#define MB_MMAP_AVAILABLE 1u
#define MB_MMAP_RESERVED 2u
#define EBDA_START UINT64_C(0x9FC00) /* 639 KiB of conventional memory below it */
#define BIOS_ROM_START UINT64_C(0xF0000)

/* Addresses inside the block. */
typedef struct MbInfoPlan {
    uint64_t info, mods, mmap, cmdline, loader_name, mod_strings[VMXSIM_BOOT_MAX_MODULES], end;
} MbInfoPlan;

static bool has_append(const BootConfig *cfg) {
    return cfg->append && cfg->append[0];
}

/* The image path as given, then " " and the --append text (as GRUB and QEMU pass it). */
static uint64_t cmdline_bytes(const BootConfig *cfg) {
    return strlen(cfg->image_path) + (has_append(cfg) ? 1 + strlen(cfg->append) : 0) + 1;
}

/* A module's string: its ARGS, or its path when there are none (as QEMU). */
static const char *module_string(const BootModule *m) {
    return m->args ? m->args : m->path;
}

static void plan_block(MbInfoPlan *p, uint64_t base, const BootConfig *cfg) {
    uint64_t c = base;
    p->info = boot_carve(&c, MBI_SIZE, 8);
    p->mods = boot_carve(&c, (uint64_t)cfg->module_count * MB_MODULE_ENTRY_BYTES, 8);
    p->mmap = boot_carve(&c, MB_MMAP_MAX_ENTRIES * MB_MMAP_ENTRY_BYTES, 8);
    p->cmdline = boot_carve(&c, cmdline_bytes(cfg), 1);
    p->loader_name = boot_carve(&c, sizeof(MB_LOADER_NAME), 1);
    for (unsigned i = 0; i < cfg->module_count; i++)
        p->mod_strings[i] = boot_carve(&c, strlen(module_string(&cfg->modules[i])) + 1, 1);
    p->end = c;
}

uint64_t boot_mb_info_size(const BootConfig *cfg) {
    MbInfoPlan p;
    plan_block(&p, 0, cfg);
    return p.end;
}

static void put32(uint8_t *buf, unsigned offset, uint64_t value) {
    for (unsigned i = 0; i < 4; i++)
        buf[offset + i] = (uint8_t)(value >> (8 * i));
}

static void put64(uint8_t *buf, unsigned offset, uint64_t value) {
    put32(buf, offset, value);
    put32(buf, offset + 4, value >> 32);
}

/* Spec 3.3, "mmap_*": the PC map; returns the number of entries. */
static unsigned build_mmap(uint8_t *buf, uint64_t ram_size) {
    const struct {
        uint64_t start, end;
        uint32_t type;
    } ranges[MB_MMAP_MAX_ENTRIES] = {
        {0, ram_size < EBDA_START ? ram_size : EBDA_START, MB_MMAP_AVAILABLE},
        {EBDA_START, 0xA0000, MB_MMAP_RESERVED},
        {BIOS_ROM_START, MIB, MB_MMAP_RESERVED},
        {MIB, ram_size, MB_MMAP_AVAILABLE},
    };
    unsigned n = 0;
    for (unsigned i = 0; i < MB_MMAP_MAX_ENTRIES; i++) {
        if (ranges[i].end <= ranges[i].start) continue;
        uint8_t *e = buf + n++ * MB_MMAP_ENTRY_BYTES;
        put32(e, 0, MB_MMAP_ENTRY_BYTES - 4);
        put64(e, 4, ranges[i].start);
        put64(e, 12, ranges[i].end - ranges[i].start);
        put32(e, 20, ranges[i].type);
    }
    return n;
}

static void write_structure(Memory *mem, const MbInfoPlan *p, const BootConfig *cfg,
                            unsigned mmap_entries) {
    uint8_t s[MBI_SIZE] = {0};
    uint64_t ram = mem->ram_size;
    uint64_t upper = ram > MIB ? (ram - MIB) / KIB : 0;
    put32(s, MBI_FLAGS,
          MBI_FLAG_MEMORY | MBI_FLAG_CMDLINE | MBI_FLAG_MODS | MBI_FLAG_MMAP |
              MBI_FLAG_LOADER_NAME);
    put32(s, MBI_MEM_LOWER, (ram < EBDA_START ? ram : EBDA_START) / KIB);
    put32(s, MBI_MEM_UPPER, upper > UINT32_MAX ? UINT32_MAX : upper);
    put32(s, MBI_CMDLINE, p->cmdline);
    put32(s, MBI_MODS_COUNT, cfg->module_count);
    put32(s, MBI_MODS_ADDR, p->mods);
    put32(s, MBI_MMAP_LENGTH, (uint64_t)mmap_entries * MB_MMAP_ENTRY_BYTES);
    put32(s, MBI_MMAP_ADDR, p->mmap);
    put32(s, MBI_BOOT_LOADER_NAME, p->loader_name);
    boot_ram_copy(mem, p->info, s, sizeof(s));
}

static void write_string(Memory *mem, uint64_t pa, const char *s) {
    boot_ram_copy(mem, pa, s, strlen(s) + 1);
}

static void write_modules(Memory *mem, const MbInfoPlan *p, const BootConfig *cfg,
                          const LoadedModule *mods) {
    for (unsigned i = 0; i < cfg->module_count; i++) {
        uint8_t e[MB_MODULE_ENTRY_BYTES] = {0};
        put32(e, 0, mods[i].start);
        put32(e, 4, mods[i].end);
        put32(e, 8, p->mod_strings[i]);
        boot_ram_copy(mem, p->mods + (uint64_t)i * MB_MODULE_ENTRY_BYTES, e, sizeof(e));
        write_string(mem, p->mod_strings[i], module_string(&cfg->modules[i]));
    }
}

static void write_cmdline(Memory *mem, const MbInfoPlan *p, const BootConfig *cfg) {
    uint64_t at = p->cmdline;
    size_t n = strlen(cfg->image_path);
    boot_ram_copy(mem, at, cfg->image_path, n);
    at += n;
    if (has_append(cfg)) {
        boot_ram_copy(mem, at++, " ", 1);
        n = strlen(cfg->append);
        boot_ram_copy(mem, at, cfg->append, n);
        at += n;
    }
    boot_ram_copy(mem, at, "", 1);
}

void boot_mb_info_write(Memory *mem, uint64_t base, const BootConfig *cfg,
                        const LoadedModule *mods) {
    MbInfoPlan p;
    plan_block(&p, base, cfg);
    uint8_t mmap[MB_MMAP_MAX_ENTRIES * MB_MMAP_ENTRY_BYTES] = {0};
    unsigned entries = build_mmap(mmap, mem->ram_size);
    boot_ram_copy(mem, p.mmap, mmap, sizeof(mmap));
    write_structure(mem, &p, cfg, entries);
    write_modules(mem, &p, cfg, mods);
    write_cmdline(mem, &p, cfg);
    write_string(mem, p.loader_name, MB_LOADER_NAME);
}
