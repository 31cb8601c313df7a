/*
 * SDM Vol. 2 PUSHA/PUSHAD and POPA/POPAD (invalid in 64-bit mode: Zydis does
 * not decode them there).  The eight registers are moved at the operand size
 * (16: PUSHA/POPA, 32: PUSHAD/POPAD) through SS with the stack address size;
 * ESP/SP is written only after every access succeeded.
 */
#include "sim/cpu/handlers.h"
#include "sim/cpu/stack.h"

/* Stack order, from the lowest address: EDI ESI EBP ESP EBX EDX ECX EAX. */
static const uint8_t pusha_order[8] = {GPR_RDI, GPR_RSI, GPR_RBP, GPR_RSP,
                                       GPR_RBX, GPR_RDX, GPR_RCX, GPR_RAX};

/* SDM Vol. 2 PUSHA/PUSHAD: Temp := (E)SP; Push (E)AX, (E)CX, (E)DX, (E)BX,
 * Temp, (E)BP, (E)SI, (E)DI. */
SimStatus exec_pusha(CpuState *cpu, const DecodedInsn *d) {
    unsigned size = d->opsize;
    uint64_t mask = size_mask(stack_addr_size(cpu));
    uint64_t sp = cpu->gpr[GPR_RSP] & mask;
    for (int i = 7; i >= 0; i--) {
        sp = (sp - size) & mask;
        uint64_t v = cpu->gpr[pusha_order[i]] & size_mask(size);
        if (cpu_mem_write(cpu, SEG_SS, sp, size, v) != SIM_OK) return SIM_FAULT;
    }
    cpu->gpr[GPR_RSP] = (cpu->gpr[GPR_RSP] & ~mask) | sp;
    return SIM_OK;
}

/* SDM Vol. 2 POPA/POPAD: Pop (E)DI, (E)SI, (E)BP, skip the (E)SP image,
 * Pop (E)BX, (E)DX, (E)CX, (E)AX.  Each register is written as it is
 * popped, so when a later slot faults the earlier registers hold their new
 * values (ESP/SP does not move): the SDM is silent; the Intel core does so
 * (docs/differential-testing.md). */
SimStatus exec_popa(CpuState *cpu, const DecodedInsn *d) {
    unsigned size = d->opsize;
    uint64_t v;
    for (unsigned i = 0; i < 8; i++) {
        if (cpu_stack_peek(cpu, i * size, size, &v) != SIM_OK) return SIM_FAULT;
        if (pusha_order[i] != GPR_RSP) reg_write(cpu, reg_off(pusha_order[i]), size, v);
    }
    cpu_stack_adjust(cpu, 8 * size);
    return SIM_OK;
}
