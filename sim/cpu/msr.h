/* Model-specific registers: the table in msr.def and RDMSR/WRMSR semantics. */
#ifndef VMXSIM_CPU_MSR_H
#define VMXSIM_CPU_MSR_H

#include "sim/cpu/cpu.h"
#include "sim/mem/paging.h"

#define MSR_IA32_EFER 0xc0000080u
/* Bits 63:MAXPHYADDR of a physical-address MSR (msr.def rows). */
#define MSR_PHYS_RSVD (~((UINT64_C(1) << PAGING_MAXPHYADDR) - 1))

/* IA32_MISC_ENABLE bits (SDM Vol. 4 Table 2-2, 1A0H). */
#define MISC_ENABLE_FAST_STRINGS (UINT64_C(1) << 0)
#define MISC_ENABLE_TCC (UINT64_C(1) << 3)
#define MISC_ENABLE_PERFMON_AVAILABLE (UINT64_C(1) << 7)
#define MISC_ENABLE_BTS_UNAVAILABLE (UINT64_C(1) << 11)
#define MISC_ENABLE_PEBS_UNAVAILABLE (UINT64_C(1) << 12)
#define MISC_ENABLE_LIMIT_CPUID_MAXVAL (UINT64_C(1) << 22)
#define MISC_ENABLE_XD_DISABLE (UINT64_C(1) << 34)

/* The TSC as RDTSC, RDTSCP and RDMSR of IA32_TSC read it: the cycle counter
 * plus the IA32_TSC adjustment plus, in VMX non-root operation with "use TSC
 * offsetting", the TSC offset (SDM 25.3; cpu.h tsc_offset). */
static inline uint64_t cpu_tsc_read(const CpuState *cpu)
{
    return cpu->cycles + cpu->tsc_adjust + cpu->tsc_offset;
}

/* Read MSR `index`; SIM_FAULT (#GP(0) raised) when it does not exist in the
 * CPU's model or cannot be read. */
SimStatus cpu_msr_read(CpuState *cpu, uint32_t index, uint64_t *value) SIM_MUST_CHECK;
/* Write with the reserved-bit, canonical and per-MSR rules; #GP(0) on violation. */
SimStatus cpu_msr_write(CpuState *cpu, uint32_t index, uint64_t value) SIM_MUST_CHECK;
/* Power-on values of the stored MSRs. */
void cpu_msr_reset(CpuState *cpu);
/* SDM 9.11.7.1 "Determining the Signature": CPUID.01H writes the microcode
 * update signature (0: no update loaded) to IA32_BIOS_SIGN_ID[63:32]. */
void cpu_msr_cpuid_signature(CpuState *cpu);

#endif
