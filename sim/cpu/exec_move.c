/* Data movement: SDM Vol. 2 MOV, MOVZX, MOVSX/MOVSXD, LEA, XCHG, NOP. */
#include "sim/cpu/exceptions.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/operands.h"

/* SDM Vol. 2 MOV (general-purpose forms) and MOVZX: reading the source at its
 * own size zero-extends it. */
SimStatus exec_mov(CpuState *cpu, const DecodedInsn *d)
{
    uint64_t v;
    if (opnd_read(cpu, d, 1, &v) != SIM_OK)
        return SIM_FAULT;
    return opnd_write(cpu, d, 0, v);
}

/* SDM Vol. 2 MOVSX/MOVSXD: sign-extend the source to the destination size.
 * The source is never wider than the destination: MOVSXD r16, r/m16
 * (66 63 /r, "Move word to word with sign-extension") reads a word, where
 * Zydis reports a doubleword operand. */
SimStatus exec_movsx(CpuState *cpu, const DecodedInsn *d)
{
    unsigned dst = d->op[0].size, src = d->op[1].size < dst ? d->op[1].size : dst;
    uint64_t v;
    if (d->op[1].kind == OPK_MEM) {
        if (cpu_mem_read(cpu, d->seg, insn_ea(cpu, d), src, &v) != SIM_OK)
            return SIM_FAULT;
    } else {
        v = reg_read(cpu, d->op[1].reg, src);
    }
    return opnd_write(cpu, d, 0, sign_extend(v, src) & size_mask(dst));
}

/* SDM Vol. 2 LEA: the effective address, computed at the address size and
 * truncated or zero-extended to the operand size. */
SimStatus exec_lea(CpuState *cpu, const DecodedInsn *d)
{
    reg_write(cpu, d->op[0].reg, d->op[0].size, insn_ea(cpu, d));
    return SIM_OK;
}

/* SDM Vol. 2 XCHG: the memory operand is written first (it may fault). */
SimStatus exec_xchg(CpuState *cpu, const DecodedInsn *d)
{
    uint64_t a, b;
    if (opnd_read_rmw(cpu, d, 0, &a) != SIM_OK || opnd_read_rmw(cpu, d, 1, &b) != SIM_OK)
        return SIM_FAULT;
    if (d->op[0].kind == OPK_MEM)
        return opnd_write(cpu, d, 0, b) == SIM_OK ? opnd_write(cpu, d, 1, a) : SIM_FAULT;
    if (opnd_write(cpu, d, 1, a) != SIM_OK)
        return SIM_FAULT;
    return opnd_write(cpu, d, 0, b);
}

SimStatus exec_nop(CpuState *cpu, const DecodedInsn *d) { return SIM_OK; }

/* SDM Vol. 2 UD0/UD1/UD2: always #UD. */
SimStatus exec_ud(CpuState *cpu, const DecodedInsn *d) { return cpu_raise_ud(cpu); }
