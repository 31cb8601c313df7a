/*
 * VMX operation (SDM Vol. 3C chapters 23-30): the layer the machine attaches
 * to a CPU whose model has VMX.  Everything else in sim/vmx is internal.
 */
#ifndef VMXSIM_VMX_VMX_H
#define VMXSIM_VMX_VMX_H

#include "sim/cpu/cpu.h"

/* Attach VMX to the CPU if its model has CPUID.1:ECX.VMX (installs the
 * hooks of sim/cpu/vmx_hooks.h).  false: out of memory. */
bool vmx_attach(CpuState *cpu) SIM_MUST_CHECK;
void vmx_detach(CpuState *cpu);

#endif
