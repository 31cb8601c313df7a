/* Near branch targets: canonical check in 64-bit mode, operand-size wrap and
 * CS limit check elsewhere (SDM Vol. 2 JMP/Jcc/CALL "Operation"). */
#ifndef VMXSIM_CPU_BRANCH_H
#define VMXSIM_CPU_BRANCH_H

#include "sim/cpu/exceptions.h"
#include "sim/cpu/operands.h"

/* SDM Vol. 1 3.3.7.1: canonical when bits 63:47 are all equal (4-level paging;
 * bits 63:56 with 5-level paging). */
static inline bool cpu_is_canonical(const CpuState *cpu, uint64_t lin)
{
    unsigned bits = (cpu->cr4 & CR4_LA57) ? 57 : 48;
    return (uint64_t)((int64_t)(lin << (64 - bits)) >> (64 - bits)) == lin;
}

static inline SimStatus SIM_MUST_CHECK cpu_jump_near(CpuState *cpu, const DecodedInsn *d,
                                                     uint64_t target)
{
    if (cpu->mode == MODE_LONG64) {
        if (d->opsize != 8)
            target &= size_mask(d->opsize);
        if (SIM_UNLIKELY(!cpu_is_canonical(cpu, target)))
            return cpu_raise_gp0(cpu);
    } else {
        target &= size_mask(d->opsize);
        if (SIM_UNLIKELY(target > cpu->seg[SEG_CS].limit))
            return cpu_raise_gp0(cpu);
    }
    cpu->RIP = target;
    return SIM_OK;
}

#endif
