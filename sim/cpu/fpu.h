/* Availability checks for x87, MMX and SSE instructions (SDM Vol. 3A 2.5
 * "Control Registers" Table 2-2, and 13.2 for CR4.OSFXSR). */
#ifndef VMXSIM_CPU_FPU_H
#define VMXSIM_CPU_FPU_H

#include "sim/cpu/cpu_model.h"
#include "sim/cpu/exceptions.h"

/* x87 instructions: #NM when CR0.EM = 1 or CR0.TS = 1 (Table 2-2). */
static inline SimStatus SIM_MUST_CHECK cpu_x87_available(CpuState *cpu)
{
    if (!cpu_model_has(cpu->model, FEAT_FPU))
        return cpu_raise_ud(cpu);
    if (cpu->cr0 & (CR0_EM | CR0_TS))
        return cpu_raise(cpu, EXC_NM, 0);
    return SIM_OK;
}

/* WAIT/FWAIT: #NM only when CR0.MP = 1 and CR0.TS = 1 (Table 2-2). */
static inline SimStatus SIM_MUST_CHECK cpu_wait_available(CpuState *cpu)
{
    if ((cpu->cr0 & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS))
        return cpu_raise(cpu, EXC_NM, 0);
    return SIM_OK;
}

/* MMX instructions: #UD when CR0.EM = 1, #NM when CR0.TS = 1. */
static inline SimStatus SIM_MUST_CHECK cpu_mmx_available(CpuState *cpu)
{
    if (!cpu_model_has(cpu->model, FEAT_MMX) || (cpu->cr0 & CR0_EM))
        return cpu_raise_ud(cpu);
    if (cpu->cr0 & CR0_TS)
        return cpu_raise(cpu, EXC_NM, 0);
    return SIM_OK;
}

/* SSE/SSE2 instructions: #UD when CR0.EM = 1 or CR4.OSFXSR = 0 or the model
 * lacks the feature; #NM when CR0.TS = 1 (SDM Vol. 3A 13.2, Table 2-2). */
static inline SimStatus SIM_MUST_CHECK cpu_sse_available(CpuState *cpu, CpuFeature feature)
{
    if (!cpu_model_has(cpu->model, feature) || (cpu->cr0 & CR0_EM) || !(cpu->cr4 & CR4_OSFXSR))
        return cpu_raise_ud(cpu);
    if (cpu->cr0 & CR0_TS)
        return cpu_raise(cpu, EXC_NM, 0);
    return SIM_OK;
}

#endif
