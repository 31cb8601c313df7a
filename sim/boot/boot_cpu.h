/* The part of the entry state both boot protocols share. */
#ifndef VMXSIM_BOOT_BOOT_CPU_H
#define VMXSIM_BOOT_BOOT_CPU_H

#include "sim/cpu/cpu.h"

/* Zero GPRs, RFLAGS = 0x2 (interrupts off), no lazy flags, CR2 = CR8 = 0,
 * IDTR base 0 limit 0, LDTR unusable, active with no blocking or pending
 * fault.  Does not touch bookkeeping (memory, TLB, caches, cycle count). */
void boot_cpu_clear(CpuState *cpu);
/* After the protocol set its registers: flush the TLB, recompute mode and CPL. */
void boot_cpu_commit(CpuState *cpu);

#endif
