/*
 * Segment descriptors (SDM Vol. 3A 3.4 "Segment Selectors and Segment
 * Descriptors", 5.x protection checks): reading descriptors from the GDT/LDT,
 * converting them to the VMX access-rights segment cache, loading segment
 * registers with their checks.
 */
#ifndef VMXSIM_CPU_SEGMENTATION_H
#define VMXSIM_CPU_SEGMENTATION_H

#include "sim/cpu/cpu.h"

typedef struct Descriptor {
    uint64_t lo, hi; /* hi is used by 16-byte system descriptors in IA-32e mode */
} Descriptor;

/* Descriptor type field values for system descriptors (S = 0), SDM 3.5 Table 3-2. */
enum {
    DESC_LDT = 0x2,
    DESC_TSS32_AVAIL = 0x9,
    DESC_TSS32_BUSY = 0xb,
    DESC_CALL_GATE32 = 0xc,
    DESC_INT_GATE32 = 0xe,
    DESC_TRAP_GATE32 = 0xf,
    DESC_TASK_GATE = 0x5,
    DESC_INT_GATE16 = 0x6,
    DESC_TRAP_GATE16 = 0x7,
};

/* Read the 8-byte (or 16-byte with `wide`) descriptor named by selector.
 * Raises #GP(selector & ~3) when it lies outside the table's limit. */
SimStatus cpu_read_descriptor(CpuState *cpu, uint16_t selector, bool wide, Descriptor *d)
    SIM_MUST_CHECK;
/* Descriptor -> segment cache in VMX access-rights format. */
Segment cpu_descriptor_to_segment(const Descriptor *d, uint16_t selector, bool wide);
/* Set the accessed bit of a code/data descriptor in memory (SDM 3.4.5.1). */
SimStatus cpu_set_descriptor_accessed(CpuState *cpu, uint16_t selector) SIM_MUST_CHECK;

/* MOV/POP to DS, ES, FS, GS, SS with every check (SDM Vol. 2 MOV "Operation"). */
SimStatus cpu_load_data_segment(CpuState *cpu, unsigned seg, uint16_t selector) SIM_MUST_CHECK;
/* Real-mode / virtual-8086 segment load: base = selector << 4. */
void cpu_load_real_segment(CpuState *cpu, unsigned seg, uint16_t selector);
/* Load CS for a far transfer to a code segment at privilege `cpl` (checks done by caller). */
void cpu_load_code_segment(CpuState *cpu, const Descriptor *d, uint16_t selector, unsigned cpl);

#endif
