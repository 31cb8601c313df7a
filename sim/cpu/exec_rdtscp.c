/*
 * SDM Vol. 2 RDTSCP "Operation": EDX:EAX := the time-stamp counter, ECX :=
 * IA32_TSC_AUX[31:0] (the upper halves of RAX, RDX, RCX cleared in 64-bit
 * mode).  #UD when CPUID.80000001H:EDX.RDTSCP[bit 27] = 0; #GP(0) when
 * CR4.TSD = 1 and CPL > 0 (the same rule as RDTSC, exec_system.c).  The TSC
 * is the simulated cycle counter plus the IA32_TSC offset, as for RDTSC.
 * In VMX non-root operation (SDM 25.3 RDTSCP): #UD without "enable RDTSCP",
 * taking priority over any other exception; then the #GP(0) of CR4.TSD (a
 * privilege fault, 25.1.1); then "RDTSC exiting" (25.1.3); the value read
 * includes the TSC offset.
 */
#include "sim/cpu/cpu_model.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/msr.h"
#include "sim/cpu/vmx_hooks.h"

/* SDM Vol. 2 RDTSCP: read the time-stamp counter and processor ID. */
SimStatus exec_rdtscp(CpuState *cpu, const DecodedInsn *d) {
    uint64_t unused = 0;
    if (!cpu_model_has(cpu->model, FEAT_RDTSCP)) return cpu_raise_ud(cpu);
    SimStatus st = cpu_vmx_intercept(cpu, d, VMX_ICPT_ENABLE, &unused);
    if (st != SIM_OK) return st;
    if ((cpu->cr4 & CR4_TSD) && cpu->cpl != 0 && cpu->mode != MODE_REAL) return cpu_raise_gp0(cpu);
    st = cpu_vmx_intercept(cpu, d, VMX_ICPT_RDTSC, &unused);
    if (st != SIM_OK) return st;
    uint64_t tsc = cpu_tsc_read(cpu);
    cpu->gpr[GPR_RAX] = (uint32_t)tsc;
    cpu->gpr[GPR_RDX] = tsc >> 32;
    cpu->gpr[GPR_RCX] = (uint32_t)cpu->msr[MSR_SLOT_IA32_TSC_AUX];
    return SIM_OK;
}
