/*
 * MXCSR access, memory ordering and cache control (SDM Vol. 2 LDMXCSR,
 * STMXCSR, LFENCE, MFENCE, SFENCE, CLFLUSH).  vmxsim executes one
 * instruction at a time in program order and has no cache model, so the
 * fences and CLFLUSH do nothing beyond their own faults.  PREFETCHh never
 * faults and is exec_nop (insn_sse.def).
 */
#include <Zydis/Zydis.h>

#include "sim/cpu/handlers.h"
#include "sim/cpu/operands.h"
#include "sim/cpu/sse.h"

/* SDM Vol. 2 LDMXCSR: #GP(0) for a 1 in a reserved bit (SDM Vol. 1 11.6.6:
 * those clear in MXCSR_MASK).  A set flag whose exception is unmasked
 * raises nothing until an instruction detects that exception again. */
SimStatus exec_ldmxcsr(CpuState *cpu, const DecodedInsn *d)
{
    Xmm v;
    if (sse_check(cpu, d, FEAT_SSE, FEAT_SSE) != SIM_OK || sse_read(cpu, d, 0, &v) != SIM_OK)
        return SIM_FAULT;
    if (v.d[0] & ~MXCSR_MASK_SUPPORTED)
        return cpu_raise_gp0(cpu);
    cpu->fpu.mxcsr = v.d[0];
    return SIM_OK;
}

/* SDM Vol. 2 STMXCSR. */
SimStatus exec_stmxcsr(CpuState *cpu, const DecodedInsn *d)
{
    Xmm v = {{0}};
    v.d[0] = cpu->fpu.mxcsr;
    if (sse_check(cpu, d, FEAT_SSE, FEAT_SSE) != SIM_OK)
        return SIM_FAULT;
    return sse_commit(cpu, d, 0, &v);
}

/* SDM Vol. 2 LFENCE/MFENCE (SSE2) and SFENCE (SSE): #UD only without the
 * CPUID flag (SDM Vol. 3A 13.1.4: CR0.EM, CR0.TS and CR4.OSFXSR do not
 * affect them). */
SimStatus exec_sse_fence(CpuState *cpu, const DecodedInsn *d)
{
    CpuFeature f = d->mnemonic == ZYDIS_MNEMONIC_SFENCE ? FEAT_SSE : FEAT_SSE2;
    return cpu_model_has(cpu->model, f) ? SIM_OK : cpu_raise_ud(cpu);
}

/* SDM Vol. 2 CLFLUSH: #UD without CPUID.01H:EDX.CLFSH; otherwise the
 * permission checks and faults of a byte load (segment, then paging).  Not
 * modelled: the SDM also allows it through an execute-only code segment,
 * which vmxsim faults like a load. */
SimStatus exec_clflush(CpuState *cpu, const DecodedInsn *d)
{
    uint64_t lin, phys;
    if (!cpu_model_has(cpu->model, FEAT_CLFSH))
        return cpu_raise_ud(cpu);
    if (cpu_seg_linear(cpu, d->seg, insn_ea(cpu, d), 1, ACC_READ, &lin) != SIM_OK)
        return SIM_FAULT;
    return cpu_translate(cpu, lin, ACC_READ, false, &phys);
}
