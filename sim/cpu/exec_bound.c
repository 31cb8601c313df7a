/*
 * Checks that raise an exception from the program: SDM Vol. 2 BOUND (#BR, a
 * fault) and INTO (#OF, a trap).  Both are invalid in 64-bit mode (Zydis
 * does not decode them there; 62 is EVEX in 64-bit mode), and BOUND with a
 * register second operand is #UD (62 /r with ModRM.mod = 11 is EVEX).
 */
#include "sim/cpu/exceptions.h"
#include "sim/cpu/flags.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/vmx_hooks.h"
#include "sim/cpu/operands.h"

/* SDM Vol. 2 BOUND: the signed index in op[0] must lie within the signed
 * bounds at m (lower) and m + size (upper), inclusive, else #BR.  Flags are
 * unaffected.  An index below the lower bound is #BR before the upper bound
 * is read, so a fault on the upper bound's page does not hide it: the SDM
 * does not order the two reads and the check; this is the Intel core's
 * order (docs/differential-testing.md). */
SimStatus exec_bound(CpuState *cpu, const DecodedInsn *d) {
    unsigned size = d->op[0].size;
    uint64_t ea = insn_ea(cpu, d), lower, upper;
    int64_t index = (int64_t)sign_extend(reg_read(cpu, d->op[0].reg, size), size);
    if (cpu_mem_read(cpu, d->seg, ea, size, &lower) != SIM_OK) return SIM_FAULT;
    if (index < (int64_t)sign_extend(lower, size)) return cpu_raise(cpu, EXC_BR, 0);
    if (cpu_mem_read(cpu, d->seg, (ea + size) & size_mask(d->addrsize), size, &upper) != SIM_OK)
        return SIM_FAULT;
    if (index > (int64_t)sign_extend(upper, size)) return cpu_raise(cpu, EXC_BR, 0);
    return SIM_OK;
}

/* SDM Vol. 2 INTO: when OF = 1, interrupt 4 as a software interrupt:
 * delivered with the address of the next instruction, the gate's DPL
 * checked against CPL; not IOPL-sensitive in virtual-8086 mode. */
SimStatus exec_into(CpuState *cpu, const DecodedInsn *d) {
    if (!flags_cond(cpu, 0)) /* condition code 0: O */
        return SIM_OK;
    /* #OF is an exception (SDM 6.3.1 Table 6-1: vector 4, a trap): a
     * front-end that stops at vector 4 stops here, undelivered, with RIP
     * at the next instruction as the trap would push it. */
    if (cpu->exception_stop_mask & (UINT32_C(1) << EXC_OF)) {
        (void)cpu_raise(cpu, EXC_OF, 0);
        return SIM_EXCEPTION;
    }
    SimStatus st = cpu_vmx_soft_exception(cpu, d, EXC_OF);
    return st != SIM_OK ? st : cpu_deliver_event(cpu, EXC_OF, EVENT_SOFT_INT);
}
