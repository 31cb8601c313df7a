/*
 * Placement of what the loader puts after the image: modules and the boot
 * area, in increasing address order.  Nothing is placed in the legacy PC
 * hole [BOOT_HOLE_START, BOOT_HOLE_END) (EBDA, VGA, option and BIOS ROMs),
 * which the multiboot memory map reports as not available.
 */
#ifndef VMXSIM_BOOT_BOOT_LAYOUT_H
#define VMXSIM_BOOT_BOOT_LAYOUT_H

#include "sim/mem/memory.h"
#include "sim/sim.h"

#define BOOT_HOLE_START UINT64_C(0x9f000)
#define BOOT_HOLE_END UINT64_C(0x100000)

typedef struct BootLayout {
    Memory *mem;
    uint64_t next;  /* first free address */
    uint64_t limit; /* everything placed stays below this (and in RAM) */
} BootLayout;

/* Reserves size bytes at the next address aligned to align (a power of two,
 * at most PAGE_SIZE), skipping the legacy hole.  On failure writes the
 * reason to why (see boot_ram_check) and returns false. */
bool boot_layout_take(BootLayout *l, uint64_t size, uint64_t align, uint64_t *addr, char *why,
                      size_t whylen) SIM_MUST_CHECK;

/* Aligns *cursor up to align and advances it by size; returns the old aligned
 * value.  For carving a block already reserved with boot_layout_take. */
static inline uint64_t boot_carve(uint64_t *cursor, uint64_t size, uint64_t align) {
    uint64_t at = (*cursor + align - 1) & ~(align - 1);
    *cursor = at + size;
    return at;
}

#endif
