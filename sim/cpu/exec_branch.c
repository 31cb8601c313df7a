/* Near control transfer: SDM Vol. 2 JMP, CALL, RET, JrCXZ, LOOPcc. */
#include <Zydis/Zydis.h>

#include "sim/cpu/branch.h"
#include "sim/cpu/flags.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/stack.h"

/* Target of a near JMP/CALL: relative immediate or r/m. */
static SimStatus near_target(CpuState *cpu, const DecodedInsn *d, uint64_t *target)
{
    if (d->op[0].kind == OPK_IMM) {
        *target = cpu->RIP + d->imm;
        return SIM_OK;
    }
    return opnd_read(cpu, d, 0, target);
}

SimStatus exec_jmp(CpuState *cpu, const DecodedInsn *d)
{
    uint64_t target;
    if (near_target(cpu, d, &target) != SIM_OK)
        return SIM_FAULT;
    return cpu_jump_near(cpu, d, target);
}

/* SDM Vol. 2 CALL (near).  The return address is pushed before the target
 * is checked, so a push that faults (#SS, #PF) wins over a non-canonical or
 * out-of-limit target (#GP(0)), and the #GP leaves the pushed slot written
 * (RSP unchanged): the SDM's "Operation" checks the target first; the Intel
 * core pushes first (docs/differential-testing.md; the limit check is
 * ordered like the canonical one by analogy). */
SimStatus exec_call(CpuState *cpu, const DecodedInsn *d)
{
    uint64_t target, rsp = cpu->gpr[GPR_RSP];
    if (near_target(cpu, d, &target) != SIM_OK || cpu_push(cpu, d->opsize, cpu->RIP) != SIM_OK)
        return SIM_FAULT;
    if (cpu_jump_near(cpu, d, target) != SIM_OK) {
        cpu->gpr[GPR_RSP] = rsp;
        return SIM_FAULT;
    }
    return SIM_OK;
}

/* SDM Vol. 2 RET (near), with the optional imm16 released after the pop. */
SimStatus exec_ret(CpuState *cpu, const DecodedInsn *d)
{
    uint64_t target;
    if (cpu_stack_peek(cpu, 0, d->opsize, &target) != SIM_OK ||
        cpu_jump_near(cpu, d, target) != SIM_OK)
        return SIM_FAULT;
    cpu_stack_adjust(cpu, d->opsize + (d->op_count ? (d->imm & 0xffff) : 0));
    return SIM_OK;
}

/* The count register of LOOP/JrCXZ is RCX, ECX or CX by address size. */
static uint64_t count_reg(const CpuState *cpu, const DecodedInsn *d)
{
    return cpu->gpr[GPR_RCX] & size_mask(d->addrsize);
}

/* SDM Vol. 2 JCXZ/JECXZ/JRCXZ. */
SimStatus exec_jrcxz(CpuState *cpu, const DecodedInsn *d)
{
    if (count_reg(cpu, d) != 0)
        return SIM_OK;
    return cpu_jump_near(cpu, d, cpu->RIP + d->imm);
}

/* SDM Vol. 2 LOOP/LOOPE/LOOPNE: decrement the count (flags unchanged), then
 * test.  The count is written as a register of the address size: ECX
 * zero-extends into RCX (SDM Vol. 1 3.4.1.1), CX leaves RCX[63:16]. */
SimStatus exec_loop(CpuState *cpu, const DecodedInsn *d)
{
    uint64_t count = (count_reg(cpu, d) - 1) & size_mask(d->addrsize);
    bool take = count != 0;
    if (d->mnemonic == ZYDIS_MNEMONIC_LOOPE)
        take = take && flags_zf(cpu);
    else if (d->mnemonic == ZYDIS_MNEMONIC_LOOPNE)
        take = take && !flags_zf(cpu);
    uint64_t old = cpu->gpr[GPR_RCX];
    reg_write(cpu, reg_off(GPR_RCX), d->addrsize, count);
    if (take && cpu_jump_near(cpu, d, cpu->RIP + d->imm) != SIM_OK) {
        cpu->gpr[GPR_RCX] = old;
        return SIM_FAULT;
    }
    return SIM_OK;
}
