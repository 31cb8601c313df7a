/*
 * Checks that raise an exception from the program: SDM Vol. 2 BOUND (#BR, a
 * fault) and INTO (#OF, a trap).  Both are invalid in 64-bit mode (Zydis
 * does not decode them there; 62 is EVEX in 64-bit mode), and BOUND with a
 * register second operand is #UD (62 /r with ModRM.mod = 11 is EVEX).
 */
#include "sim/cpu/exceptions.h"
#include "sim/cpu/flags.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/operands.h"

/* SDM Vol. 2 BOUND: the signed index in op[0] must lie within the signed
 * bounds at m (lower) and m + size (upper), inclusive, else #BR.  Flags are
 * unaffected. */
SimStatus exec_bound(CpuState *cpu, const DecodedInsn *d) {
    unsigned size = d->op[0].size;
    uint64_t ea = insn_ea(cpu, d), lower, upper;
    if (cpu_mem_read(cpu, d->seg, ea, size, &lower) != SIM_OK ||
        cpu_mem_read(cpu, d->seg, (ea + size) & size_mask(d->addrsize), size, &upper) != SIM_OK)
        return SIM_FAULT;
    int64_t index = (int64_t)sign_extend(reg_read(cpu, d->op[0].reg, size), size);
    if (index < (int64_t)sign_extend(lower, size) || index > (int64_t)sign_extend(upper, size))
        return cpu_raise(cpu, EXC_BR, 0);
    return SIM_OK;
}

/* SDM Vol. 2 INTO: when OF = 1, interrupt 4 as a software interrupt:
 * delivered with the address of the next instruction, the gate's DPL
 * checked against CPL; not IOPL-sensitive in virtual-8086 mode. */
SimStatus exec_into(CpuState *cpu, const DecodedInsn *d) {
    if (!flags_cond(cpu, 0)) /* condition code 0: O */
        return SIM_OK;
    return cpu_deliver_event(cpu, EXC_OF, EVENT_SOFT_INT);
}
