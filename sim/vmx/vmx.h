/*
 * VMX operation (SDM Vol. 3C chapters 23-30): the layer the machine attaches
 * to a CPU whose model has VMX.  Everything else in sim/vmx is internal.
 */
#ifndef VMXSIM_VMX_VMX_H
#define VMXSIM_VMX_VMX_H

#include <stddef.h>

#include "sim/cpu/cpu.h"

/* Attach VMX to the CPU if its model has CPUID.1:ECX.VMX (installs the
 * hooks of sim/cpu/vmx_hooks.h).  false: out of memory. */
bool vmx_attach(CpuState *cpu) SIM_MUST_CHECK;
void vmx_detach(CpuState *cpu);

/* VM entries and exits so far; false when the CPU has no VMX. */
bool vmx_counts(const CpuState *cpu, uint64_t *entries, uint64_t *exits);
/* The VM-entry check that failed last (SDM section, title, rule and the
 * row's name), or NULL when no check failed since the last good entry. */
const char *vmx_describe_failed_check(const CpuState *cpu, char *buf, size_t len);

#endif
