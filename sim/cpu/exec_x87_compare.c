/*
 * x87 comparison and classification: FCOM FCOMP FCOMPP FUCOM FUCOMP FUCOMPP
 * FICOM FICOMP (C3 C2 C0), FCOMI FCOMIP FUCOMI FUCOMIP (ZF PF CF), FTST and
 * FXAM.  SDM Vol. 2 (each instruction) and SDM Vol. 1 8.3.6 "Comparison and
 * Classification Instructions", 8.1.4 "Branching and Conditional Moves on
 * Condition Codes".
 *
 * The comparison itself (including which NaNs raise #IA: any NaN for the
 * ordered forms, only SNaNs for the unordered ones) runs on the host.
 */
#include "sim/cpu/flags.h"
#include "sim/cpu/fpu.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/x87.h"

enum { UNORDERED_CC = FSW_C3 | FSW_C2 | FSW_C0 };

static void pop_n(FpuState *f, unsigned n) {
    for (unsigned k = 0; k < n; k++)
        x87_pop(f);
}

/* Compare ST(0) with ST(j) (j = 0: with the memory operand in h->mem or with
 * 0.0), then pop `pops` times.  Underflow: "unordered" and C1 := 0 whether
 * IE is masked or not, the pops only when it is (measured on the host).  An
 * unmasked #IA/#D leaves TOP unchanged (SDM 8.5.1.2, 8.5.2). */
static void compare(CpuState *cpu, X87Host *h, X87HostOp op, unsigned j, unsigned pops) {
    FpuState *f = &cpu->fpu;
    if (x87_empty(f, 0) || x87_empty(f, j)) {
        f->fsw |= UNORDERED_CC;
        if (x87_stack_fault(f, false)) pop_n(f, pops);
        return;
    }
    h->in[0] = x87_st(f, 0);
    h->in[1] = x87_st(f, j);
    x87_host_run(op, f, h);
    x87_merge_status(f, h->fsw);
    if (!x87_blocked(f, h->fsw)) pop_n(f, pops);
}

/* The ST(i) a compare names: its last explicit operand (ST(1) when none). */
static unsigned compared_reg(const DecodedInsn *d) {
    return d->op_count ? d->op[d->op_count - 1].reg : 1;
}

static SimStatus fcom_any(CpuState *cpu, const DecodedInsn *d, X87HostOp reg_op, bool integer,
                          unsigned pops) {
    X87Host h = {0};
    unsigned j = 0;
    X87HostOp op = reg_op;
    if (x87_begin(cpu) != SIM_OK) return SIM_FAULT;
    if (d->op_count && d->op[0].kind == OPK_MEM) {
        if (x87_read_mem(cpu, d, 0, h.mem) != SIM_OK) return SIM_FAULT;
        if (integer)
            op = d->op[0].size == 2 ? X87H_FICOM_M16 : X87H_FICOM_M32;
        else
            op = d->op[0].size == 4 ? X87H_FCOM_M32 : X87H_FCOM_M64;
    } else {
        j = compared_reg(d);
    }
    compare(cpu, &h, op, j, pops);
    x87_note_insn(cpu, d);
    return SIM_OK;
}

/* SDM Vol. 2 FCOM/FCOMP/FCOMPP: ordered compare with ST(i), m32fp or m64fp. */
SimStatus exec_fcom(CpuState *cpu, const DecodedInsn *d) {
    return fcom_any(cpu, d, X87H_FCOM_ST, false, 0);
}
SimStatus exec_fcomp(CpuState *cpu, const DecodedInsn *d) {
    return fcom_any(cpu, d, X87H_FCOM_ST, false, 1);
}
SimStatus exec_fcompp(CpuState *cpu, const DecodedInsn *d) {
    return fcom_any(cpu, d, X87H_FCOM_ST, false, 2);
}
/* SDM Vol. 2 FUCOM/FUCOMP/FUCOMPP: unordered compare with ST(i). */
SimStatus exec_fucom(CpuState *cpu, const DecodedInsn *d) {
    return fcom_any(cpu, d, X87H_FUCOM_ST, false, 0);
}
SimStatus exec_fucomp(CpuState *cpu, const DecodedInsn *d) {
    return fcom_any(cpu, d, X87H_FUCOM_ST, false, 1);
}
SimStatus exec_fucompp(CpuState *cpu, const DecodedInsn *d) {
    return fcom_any(cpu, d, X87H_FUCOM_ST, false, 2);
}
/* SDM Vol. 2 FICOM/FICOMP: compare with m16int or m32int. */
SimStatus exec_ficom(CpuState *cpu, const DecodedInsn *d) {
    return fcom_any(cpu, d, X87H_FCOM_ST, true, 0);
}
SimStatus exec_ficomp(CpuState *cpu, const DecodedInsn *d) {
    return fcom_any(cpu, d, X87H_FCOM_ST, true, 1);
}

/* SDM Vol. 2 FTST: compare ST(0) with 0.0. */
SimStatus exec_ftst(CpuState *cpu, const DecodedInsn *d) {
    X87Host h = {0};
    if (x87_begin(cpu) != SIM_OK) return SIM_FAULT;
    compare(cpu, &h, X87H_FTST, 0, 0);
    x87_note_insn(cpu, d);
    return SIM_OK;
}

/* SDM Vol. 2 FCOMI/FCOMIP/FUCOMI/FUCOMIP (P6 and later, with CMOV): ZF PF CF
 * := the comparison of ST(0) with ST(i) (Table "FCOMI/FCOMIP/ FUCOMI/FUCOMIP
 * Results"), OF SF AF := 0; C0-C3 unchanged (measured: C1 is not cleared).
 * Underflow: unordered (ZF PF CF = 111) whether IE is masked or not, the pop
 * only when it is (measured).  Unlike what SDM Vol. 2 FCOMI says, an unmasked
 * #IA or #D does not leave RFLAGS alone: the host sets them (unordered for a
 * NaN or unsupported operand) and only the pop is suppressed. */
static SimStatus fcomi_any(CpuState *cpu, const DecodedInsn *d, X87HostOp op, unsigned pops) {
    FpuState *f = &cpu->fpu;
    X87Host h = {.flags = (uint8_t)cpu_get_rflags(cpu)};
    unsigned j = compared_reg(d);
    if (!cpu_model_has(cpu->model, FEAT_CMOV)) return cpu_raise_ud(cpu);
    if (x87_begin(cpu) != SIM_OK) return SIM_FAULT;
    if (x87_empty(f, 0) || x87_empty(f, j)) {
        flags_set_arith(cpu, RFLAGS_ARITH, RFLAGS_ZF | RFLAGS_PF | RFLAGS_CF);
        if (x87_stack_fault(f, false)) pop_n(f, pops);
    } else {
        h.in[0] = x87_st(f, 0);
        h.in[1] = x87_st(f, j);
        x87_host_run(op, f, &h);
        x87_merge_status(f, h.fsw);
        flags_set_arith(cpu, RFLAGS_ARITH, h.flags & (RFLAGS_ARITH & ~RFLAGS_OF));
        if (!x87_blocked(f, h.fsw)) pop_n(f, pops);
    }
    x87_note_insn(cpu, d);
    return SIM_OK;
}

SimStatus exec_fcomi(CpuState *cpu, const DecodedInsn *d) {
    return fcomi_any(cpu, d, X87H_FCOMI, 0);
}
SimStatus exec_fcomip(CpuState *cpu, const DecodedInsn *d) {
    return fcomi_any(cpu, d, X87H_FCOMI, 1);
}
SimStatus exec_fucomi(CpuState *cpu, const DecodedInsn *d) {
    return fcomi_any(cpu, d, X87H_FUCOMI, 0);
}
SimStatus exec_fucomip(CpuState *cpu, const DecodedInsn *d) {
    return fcomi_any(cpu, d, X87H_FUCOMI, 1);
}

/* SDM Vol. 2 FXAM: classify ST(0) into C3 C2 C0, C1 := its sign; no
 * exception, not even for an empty register, which reads as "empty"
 * (C3 C2 C0 = 101) with C1 the sign bit of the register's contents. */
SimStatus exec_fxam(CpuState *cpu, const DecodedInsn *d) {
    FpuState *f = &cpu->fpu;
    X87Host h = {0};
    if (x87_begin(cpu) != SIM_OK) return SIM_FAULT;
    h.in[0] = h.in[1] = x87_st(f, 0);
    x87_host_run(X87H_FXAM, f, &h);
    if (x87_empty(f, 0))
        h.fsw = (uint16_t)((h.fsw & ~(FSW_C3 | FSW_C2 | FSW_C0)) | FSW_C3 | FSW_C0);
    x87_merge_status(f, h.fsw);
    x87_note_insn(cpu, d);
    return SIM_OK;
}
