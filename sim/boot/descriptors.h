/*
 * Segment descriptors and segment-register caches the boot protocols set up
 * (SDM Vol. 3A, 3.4.5 "Segment Descriptors", 7.2.3 "TSS Descriptor in 64-bit
 * Mode").  Caches use the VMX access-rights format (SDM 24.4.1, Table 24-2),
 * whose bits 0-7 and 12-15 are descriptor bits 40-47 and 52-55.
 */
#ifndef VMXSIM_BOOT_DESCRIPTORS_H
#define VMXSIM_BOOT_DESCRIPTORS_H

#include "sim/cpu/cpu.h"
#include "sim/sim.h"

/* Selectors of the boot GDTs: 0x08 code, 0x10 data, 0x18 TSS (direct boot). */
enum { BOOT_SEL_CODE = 0x08, BOOT_SEL_DATA = 0x10, BOOT_SEL_TSS = 0x18 };

/* Access rights: type, S, DPL 0, P, and L / D/B / G. */
enum {
    BOOT_AR_CODE64 = 0xA09B,  /* execute/read, accessed; L, G */
    BOOT_AR_CODE32 = 0xC09B,  /* execute/read, accessed; D/B, G */
    BOOT_AR_DATA = 0xC093,    /* read/write, accessed; D/B, G */
    BOOT_AR_TSS_BUSY = 0x008B /* type 11: busy 32-bit TSS, or busy 64-bit TSS in IA-32e mode */
};

#define BOOT_FLAT_LIMIT 0xFFFFFFFFu
#define BOOT_TSS_SIZE 104u /* the 32-bit and the 64-bit TSS (SDM 7.2.1, 7.7) */

/* An 8-byte code/data descriptor; limit is byte granular (scaled down when AR.G). */
uint64_t boot_descriptor(uint32_t base, uint32_t limit, uint32_t ar);
/* The 16-byte system descriptor of IA-32e mode (TSS, LDT): low and high quadwords. */
void boot_descriptor_system64(uint64_t base, uint32_t limit, uint32_t ar, uint64_t out[2]);
/* A loaded segment-register cache. */
Segment boot_segment(uint16_t selector, uint64_t base, uint32_t limit, uint32_t ar);

#endif
