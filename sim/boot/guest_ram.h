/* Writing the boot image into guest RAM: range checks, copies, zero fill.
 * Every write goes through the memory layer (style.md rule 7). */
#ifndef VMXSIM_BOOT_GUEST_RAM_H
#define VMXSIM_BOOT_GUEST_RAM_H

#include "sim/mem/memory.h"
#include "sim/sim.h"

/* The 32-bit protocols (multiboot) must stay below this. */
#define BOOT_LIMIT_4G (UINT64_C(1) << 32)
/* No limit beyond RAM itself. */
#define BOOT_LIMIT_NONE UINT64_MAX

/* True when [pa, pa + len) is plain RAM (no MMIO) below limit.  Otherwise
 * writes the reason, e.g. "does not fit in --mem (RAM is 0x4000000 bytes)",
 * to why.  len 0 is an empty range: true when pa <= RAM size and limit. */
bool boot_ram_check(const Memory *mem, uint64_t pa, uint64_t len, uint64_t limit, char *why,
                    size_t whylen) SIM_MUST_CHECK;
/* Copies into RAM the caller has checked. */
void boot_ram_copy(Memory *mem, uint64_t pa, const void *src, uint64_t len);
void boot_ram_zero(Memory *mem, uint64_t pa, uint64_t len);
void boot_ram_write32(Memory *mem, uint64_t pa, uint32_t value);
void boot_ram_write64(Memory *mem, uint64_t pa, uint64_t value);

#endif
