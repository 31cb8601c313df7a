/*
 * SDM Vol. 2 RDTSCP "Operation": EDX:EAX := the time-stamp counter, ECX :=
 * IA32_TSC_AUX[31:0] (the upper halves of RAX, RDX, RCX cleared in 64-bit
 * mode).  #UD when CPUID.80000001H:EDX.RDTSCP[bit 27] = 0; #GP(0) when
 * CR4.TSD = 1 and CPL > 0 (the same rule as RDTSC, exec_system.c).  The TSC
 * is the simulated cycle counter plus the IA32_TSC offset, as for RDTSC.
 */
#include "sim/cpu/cpu_model.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/handlers.h"

/* SDM Vol. 2 RDTSCP: read the time-stamp counter and processor ID. */
SimStatus exec_rdtscp(CpuState *cpu, const DecodedInsn *d) {
    if (!cpu_model_has(cpu->model, FEAT_RDTSCP)) return cpu_raise_ud(cpu);
    if ((cpu->cr4 & CR4_TSD) && cpu->cpl != 0 && cpu->mode != MODE_REAL) return cpu_raise_gp0(cpu);
    uint64_t tsc = cpu->cycles + cpu->tsc_adjust;
    cpu->gpr[GPR_RAX] = (uint32_t)tsc;
    cpu->gpr[GPR_RDX] = tsc >> 32;
    cpu->gpr[GPR_RCX] = (uint32_t)cpu->msr[MSR_SLOT_IA32_TSC_AUX];
    return SIM_OK;
}
