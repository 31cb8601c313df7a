/* Model-specific registers: the table in msr.def and RDMSR/WRMSR semantics. */
#ifndef VMXSIM_CPU_MSR_H
#define VMXSIM_CPU_MSR_H

#include "sim/cpu/cpu.h"

#define MSR_IA32_EFER 0xc0000080u

/* Read MSR `index`; SIM_FAULT (#GP(0) raised) when it does not exist. */
SimStatus cpu_msr_read(CpuState *cpu, uint32_t index, uint64_t *value) SIM_MUST_CHECK;
/* Write with the reserved-bit, canonical and per-MSR rules; #GP(0) on violation. */
SimStatus cpu_msr_write(CpuState *cpu, uint32_t index, uint64_t value) SIM_MUST_CHECK;
/* Power-on values of the stored MSRs. */
void cpu_msr_reset(CpuState *cpu);

#endif
