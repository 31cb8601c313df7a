/*
 * Users of the condition codes: Jcc, SETcc, CMOVcc.  The condition (the low
 * nibble of the opcode, SDM Vol. 1 Appendix B Table B-1) is in d->aux.
 */
#include "sim/cpu/branch.h"
#include "sim/cpu/flags.h"
#include "sim/cpu/handlers.h"

/* SDM Vol. 2 Jcc: IF condition THEN tempEIP := EIP + SignExtend(DEST), then
 * the operand-size wrap and limit (or canonical) check of a near jump.
 * d->imm is the displacement from the next RIP, already in cpu->RIP. */
SimStatus exec_jcc(CpuState *cpu, const DecodedInsn *d) {
    if (!flags_cond(cpu, d->aux)) return SIM_OK;
    return cpu_jump_near(cpu, d, cpu->RIP + d->imm);
}

/* SDM Vol. 2 SETcc: DEST (r/m8) := 1 if the condition holds, else 0. */
SimStatus exec_setcc(CpuState *cpu, const DecodedInsn *d) {
    return opnd_write(cpu, d, 0, flags_cond(cpu, d->aux));
}

/* SDM Vol. 2 CMOVcc: temp := SRC (read, and able to fault, whatever the
 * condition); IF condition THEN DEST := temp; ELSE IF OperandSize = 32 and
 * IA-32e mode THEN DEST[63:32] := 0. */
SimStatus exec_cmovcc(CpuState *cpu, const DecodedInsn *d) {
    uint64_t v;
    if (SIM_UNLIKELY(opnd_read(cpu, d, 1, &v) != SIM_OK)) return SIM_FAULT;
    const DecodedOperand *dst = &d->op[0];
    if (flags_cond(cpu, d->aux))
        reg_write(cpu, dst->reg, dst->size, v);
    else if (dst->size == 4)
        reg_write(cpu, dst->reg, 4, reg_read(cpu, dst->reg, 4)); /* zero-extends */
    return SIM_OK;
}
