/* Multiboot v1 information structure (Multiboot Specification 0.6.96, 3.3). */
#ifndef GUEST_MULTIBOOT_H
#define GUEST_MULTIBOOT_H

#include <stdint.h>

#define MULTIBOOT_HEADER_MAGIC 0x1BADB002u
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u

/* Multiboot information flags. */
#define MULTIBOOT_INFO_MEMORY (1u << 0) /* mem_lower, mem_upper */
#define MULTIBOOT_INFO_BOOTDEV (1u << 1)
#define MULTIBOOT_INFO_CMDLINE (1u << 2)
#define MULTIBOOT_INFO_MODS (1u << 3)
#define MULTIBOOT_INFO_MEM_MAP (1u << 6)

typedef struct MultibootInfo {
    uint32_t flags;
    uint32_t mem_lower; /* KiB below 1 MiB */
    uint32_t mem_upper; /* KiB from 1 MiB to the first hole */
    uint32_t boot_device;
    uint32_t cmdline; /* physical address, NUL-terminated */
    uint32_t mods_count;
    uint32_t mods_addr; /* physical address of MultibootModule[mods_count] */
    uint32_t syms[4];
    uint32_t mmap_length;
    uint32_t mmap_addr;
    uint32_t drives_length;
    uint32_t drives_addr;
    uint32_t config_table;
    uint32_t boot_loader_name;
    uint32_t apm_table;
} MultibootInfo;

typedef struct MultibootModule {
    uint32_t mod_start;
    uint32_t mod_end;
    uint32_t cmdline;
    uint32_t reserved;
} MultibootModule;

/* Memory map entry; size does not count itself (entries are size + 4 apart). */
typedef struct __attribute__((packed)) MultibootMmapEntry {
    uint32_t size;
    uint64_t addr;
    uint64_t len;
    uint32_t type; /* 1 = available RAM */
} MultibootMmapEntry;

/* Defined by a multiboot guest; multiboot.S calls it in 64-bit mode with the
 * physical address the loader passed in EBX, and exits with its result. */
int guest_mb_main(uint32_t mb_info);

/* The first 1 GiB is identity-mapped, so physical addresses below it are usable as pointers. */
static inline const void *mb_phys(uint32_t addr) {
    return (const void *)(uintptr_t)addr;
}

#endif
