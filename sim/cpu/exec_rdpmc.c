/*
 * RDPMC (SDM Vol. 2 "RDPMC—Read Performance-Monitoring Counters").  No
 * model has performance-monitoring counters (CPUID.0AH reports version 0,
 * no general-purpose and no fixed-function counters), so no ECX value
 * selects a supported counter and RDPMC always ends in #GP(0) or, in VMX
 * non-root operation, in the "RDPMC exiting" VM exit.
 */
#include "sim/cpu/exceptions.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/vmx_hooks.h"

/* SDM Vol. 2 RDPMC "Operation": #GP(0) when CR4.PCE = 0 at CPL > 0 in
 * protected mode (virtual-8086 mode included), a privilege fault that comes
 * before the VM exit (SDM 25.1.1); the invalid-counter #GP(0) comes after
 * it ("fault-like VM exits have priority over exceptions other than those"). */
SimStatus exec_rdpmc(CpuState *cpu, const DecodedInsn *d) {
    uint64_t unused = 0;
    if (!(cpu->cr4 & CR4_PCE) && cpu->cpl != 0 && cpu->mode != MODE_REAL) return cpu_raise_gp0(cpu);
    SimStatus st = cpu_vmx_intercept(cpu, d, VMX_ICPT_RDPMC, &unused);
    if (st != SIM_OK) return st;
    return cpu_raise_gp0(cpu); /* ECX names no supported counter */
}
