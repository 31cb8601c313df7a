/* MMX state aliased onto the x87 registers, and EMMS (SDM Vol. 3A 12.2 "The
 * MMX State and MMX Register Aliasing", Table 12-1 "Effects of MMX
 * Instructions on x87 FPU State"; SDM Vol. 1 9.5 "Compatibility with x87
 * FPU Architecture"). */
#include "sim/cpu/handlers.h"
#include "sim/cpu/sse.h"

/* SDM Vol. 3A Table 12-1: writing MMi writes the significand of Ri and sets
 * its bits 79:64 (sign and exponent) to all ones. */
void mmx_set(CpuState *cpu, unsigned reg, uint64_t v)
{
    cpu->fpu.r[reg & 7].significand = v;
    cpu->fpu.r[reg & 7].sign_exponent = 0xffff;
}

/* SDM Vol. 3A Table 12-1: every MMX instruction but EMMS sets TOP to 0 and
 * every tag to valid (00). */
void mmx_enter(CpuState *cpu)
{
    cpu->fpu.fsw &= (uint16_t)~FSW_TOP;
    cpu->fpu.ftw = 0;
}

/* SDM Vol. 2 EMMS: every tag empty (11); SDM Vol. 3A 12.2 "The MMX State
 * and MMX Register Aliasing": "Each time an MMX instruction is executed,
 * the TOS value is set to 000B", EMMS included (Table 12-2).  #UD with
 * CR0.EM, #NM with CR0.TS, #MF with a pending x87 exception (SDM Vol. 3A
 * 12.5.1). */
SimStatus exec_emms(CpuState *cpu, const DecodedInsn *d)
{
    if (cpu_mmx_available(cpu) != SIM_OK)
        return SIM_FAULT;
    if (cpu->fpu.fsw & FSW_ES)
        return cpu_raise(cpu, EXC_MF, 0);
    cpu->fpu.fsw &= (uint16_t)~FSW_TOP;
    cpu->fpu.ftw = 0xffff;
    return SIM_OK;
}
