/*
 * The Multiboot v1 information structure (Multiboot Specification 0.6.96,
 * 3.3 "Boot information format") and what it points at: the module list,
 * the memory map and the strings.  Written as one block, in that order.
 */
#ifndef VMXSIM_BOOT_MULTIBOOT_INFO_H
#define VMXSIM_BOOT_MULTIBOOT_INFO_H

#include "sim/boot/boot.h"
#include "sim/boot/modules.h"

/* Information flags (spec 3.3). */
enum {
    MBI_FLAG_MEMORY = 1u << 0,
    MBI_FLAG_CMDLINE = 1u << 2,
    MBI_FLAG_MODS = 1u << 3,
    MBI_FLAG_MMAP = 1u << 6,
    MBI_FLAG_LOADER_NAME = 1u << 9,
};

/* Field offsets of the structure (spec 3.3), up to the framebuffer fields. */
enum {
    MBI_FLAGS = 0,
    MBI_MEM_LOWER = 4,
    MBI_MEM_UPPER = 8,
    MBI_BOOT_DEVICE = 12,
    MBI_CMDLINE = 16,
    MBI_MODS_COUNT = 20,
    MBI_MODS_ADDR = 24,
    MBI_SYMS = 28,
    MBI_MMAP_LENGTH = 44,
    MBI_MMAP_ADDR = 48,
    MBI_DRIVES_LENGTH = 52,
    MBI_DRIVES_ADDR = 56,
    MBI_CONFIG_TABLE = 60,
    MBI_BOOT_LOADER_NAME = 64,
    MBI_APM_TABLE = 68,
    MBI_SIZE = 116 /* VBE (72-87) and framebuffer (88-115) fields, left zero */
};

#define MB_MODULE_ENTRY_BYTES 16u /* mod_start, mod_end, string, reserved */
#define MB_MMAP_ENTRY_BYTES 24u   /* size (20, not counting itself), base_addr, length, type */
#define MB_MMAP_MAX_ENTRIES 4u
#define MB_LOADER_NAME "vmxsim"

/* Bytes of the block for cfg (structure, lists, strings). */
uint64_t boot_mb_info_size(const BootConfig *cfg);
/* Writes the block at base (8-aligned, checked RAM below 4 GiB); the
 * information structure is at base. */
void boot_mb_info_write(Memory *mem, uint64_t base, const BootConfig *cfg,
                        const LoadedModule *mods);

#endif
