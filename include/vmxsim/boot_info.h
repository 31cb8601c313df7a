/*
 * The vmxsim direct-boot protocol, shared by the simulator and by guests.
 *
 * An ELF64 image without a multiboot header starts in 64-bit mode, CPL 0,
 * paging on with RAM (at least the first 4 GiB) identity-mapped by 2 MiB
 * pages, a flat GDT (selector 0x08 code, 0x10 data, 0x18 TSS), interrupts
 * off, RSP at the top of a 64 KiB stack, and RDI holding the physical address
 * of a VmxsimBootInfo.  Everything the boot info points at lies in the boot
 * area [boot_area_start, boot_area_end), after the image and its modules.
 */
#ifndef VMXSIM_BOOT_INFO_H
#define VMXSIM_BOOT_INFO_H

#include <stdint.h>

#define VMXSIM_BOOT_MAGIC 0x53584d56u /* "VMXS" */
#define VMXSIM_BOOT_VERSION 1u
#define VMXSIM_BOOT_MAX_MODULES 16u

/* Debug-exit port: writing V (4 bytes) ends the run with status (V << 1) | 1. */
#define VMXSIM_DEBUG_EXIT_PORT 0xf4u

typedef struct VmxsimBootModule {
    uint64_t start;   /* physical address, page-aligned */
    uint64_t end;     /* one past the last byte */
    uint64_t cmdline; /* physical address of the NUL-terminated ARGS text */
} VmxsimBootModule;

typedef struct VmxsimBootInfo {
    uint32_t magic;   /* VMXSIM_BOOT_MAGIC */
    uint32_t version; /* VMXSIM_BOOT_VERSION */
    uint64_t mem_size;        /* bytes of RAM, from physical address 0 */
    uint64_t cmdline;         /* physical address of the command line (NUL-terminated) */
    uint64_t image_start;     /* lowest physical address the image occupies */
    uint64_t image_end;       /* one past the highest */
    uint64_t boot_area_start; /* vmxsim's page tables, GDT, TSS, this struct, stack */
    uint64_t boot_area_end;
    uint32_t module_count;
    uint32_t reserved;
    VmxsimBootModule modules[VMXSIM_BOOT_MAX_MODULES];
} VmxsimBootInfo;

#endif
