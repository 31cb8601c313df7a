/*
 * x87 arithmetic: FADD FADDP FIADD FSUB FSUBP FISUB FSUBR FSUBRP FISUBR FMUL
 * FMULP FIMUL FDIV FDIVP FIDIV FDIVR FDIVRP FIDIVR, FCHS FABS, FSQRT FRNDINT
 * FPREM FPREM1 FSCALE FXTRACT, and the transcendental F2XM1 FYL2X FYL2XP1
 * FPTAN FPATAN FSIN FCOS FSINCOS.  SDM Vol. 2 (each instruction's
 * "Operation" and "FPU Flags Affected"), SDM Vol. 1 8.3.5-8.3.10.
 *
 * Results, exception flags and C0-C3 come from the same operation on the host
 * x87 (x87.h); the stack rules and the commit rules of SDM 8.5 are here and in
 * x87.c.
 */
#include "sim/cpu/handlers.h"
#include "sim/cpu/x87.h"

typedef enum ArithKind { AR_ADD, AR_MUL, AR_SUB, AR_SUBR, AR_DIV, AR_DIVR, AR_COUNT } ArithKind;

/* Operand forms (SDM Vol. 2 FADD "Opcode" column): D8 /r ST(0) := ST(0) op
 * ST(i); DC /r and DE /r ST(i) := ST(i) op ST(0); memory m32fp, m64fp,
 * m16int, m32int. */
enum { FORM_ST0, FORM_STI, FORM_M32, FORM_M64, FORM_I16, FORM_I32, FORM_COUNT };

static const X87HostOp arith_ops[AR_COUNT][FORM_COUNT] = {
    [AR_ADD] = {X87H_FADD_ST0, X87H_FADD_STI, X87H_FADD_M32, X87H_FADD_M64, X87H_FIADD_M16,
                X87H_FIADD_M32},
    [AR_MUL] = {X87H_FMUL_ST0, X87H_FMUL_STI, X87H_FMUL_M32, X87H_FMUL_M64, X87H_FIMUL_M16,
                X87H_FIMUL_M32},
    [AR_SUB] = {X87H_FSUB_ST0, X87H_FSUB_STI, X87H_FSUB_M32, X87H_FSUB_M64, X87H_FISUB_M16,
                X87H_FISUB_M32},
    [AR_SUBR] = {X87H_FSUBR_ST0, X87H_FSUBR_STI, X87H_FSUBR_M32, X87H_FSUBR_M64, X87H_FISUBR_M16,
                 X87H_FISUBR_M32},
    [AR_DIV] = {X87H_FDIV_ST0, X87H_FDIV_STI, X87H_FDIV_M32, X87H_FDIV_M64, X87H_FIDIV_M16,
                X87H_FIDIV_M32},
    [AR_DIVR] = {X87H_FDIVR_ST0, X87H_FDIVR_STI, X87H_FDIVR_M32, X87H_FDIVR_M64, X87H_FIDIVR_M16,
                 X87H_FIDIVR_M32},
};

static unsigned memory_form(unsigned size, bool integer) {
    if (integer) return size == 2 ? FORM_I16 : FORM_I32;
    return size == 4 ? FORM_M32 : FORM_M64;
}

/* One arithmetic instruction in any of its forms.  Register forms come from
 * the decoder as (destination, source) with one of them ST(0). */
static SimStatus arith(CpuState *cpu, const DecodedInsn *d, ArithKind k, bool integer, bool pop) {
    X87Host h = {0};
    X87Step s = {.pops = pop};
    if (x87_begin(cpu) != SIM_OK) return SIM_FAULT;
    if (d->op[0].kind == OPK_MEM) {
        if (x87_read_mem(cpu, d, 0, h.mem) != SIM_OK) return SIM_FAULT;
        s.op = arith_ops[k][memory_form(d->op[0].size, integer)];
    } else if (d->op[0].reg == 0) {
        s.op = arith_ops[k][FORM_ST0];
        s.j = d->op[1].reg;
    } else {
        s.op = arith_ops[k][FORM_STI];
        s.j = s.dest = d->op[0].reg;
        s.slot = 1; /* the host computes ST(1) := ST(1) op ST(0) */
    }
    x87_step(cpu, &h, &s);
    x87_note_insn(cpu, d);
    return SIM_OK;
}

SimStatus exec_fadd(CpuState *cpu, const DecodedInsn *d) {
    return arith(cpu, d, AR_ADD, false, false);
}
SimStatus exec_faddp(CpuState *cpu, const DecodedInsn *d) {
    return arith(cpu, d, AR_ADD, false, true);
}
SimStatus exec_fiadd(CpuState *cpu, const DecodedInsn *d) {
    return arith(cpu, d, AR_ADD, true, false);
}
SimStatus exec_fmul(CpuState *cpu, const DecodedInsn *d) {
    return arith(cpu, d, AR_MUL, false, false);
}
SimStatus exec_fmulp(CpuState *cpu, const DecodedInsn *d) {
    return arith(cpu, d, AR_MUL, false, true);
}
SimStatus exec_fimul(CpuState *cpu, const DecodedInsn *d) {
    return arith(cpu, d, AR_MUL, true, false);
}
SimStatus exec_fsub(CpuState *cpu, const DecodedInsn *d) {
    return arith(cpu, d, AR_SUB, false, false);
}
SimStatus exec_fsubp(CpuState *cpu, const DecodedInsn *d) {
    return arith(cpu, d, AR_SUB, false, true);
}
SimStatus exec_fisub(CpuState *cpu, const DecodedInsn *d) {
    return arith(cpu, d, AR_SUB, true, false);
}
SimStatus exec_fsubr(CpuState *cpu, const DecodedInsn *d) {
    return arith(cpu, d, AR_SUBR, false, false);
}
SimStatus exec_fsubrp(CpuState *cpu, const DecodedInsn *d) {
    return arith(cpu, d, AR_SUBR, false, true);
}
SimStatus exec_fisubr(CpuState *cpu, const DecodedInsn *d) {
    return arith(cpu, d, AR_SUBR, true, false);
}
SimStatus exec_fdiv(CpuState *cpu, const DecodedInsn *d) {
    return arith(cpu, d, AR_DIV, false, false);
}
SimStatus exec_fdivp(CpuState *cpu, const DecodedInsn *d) {
    return arith(cpu, d, AR_DIV, false, true);
}
SimStatus exec_fidiv(CpuState *cpu, const DecodedInsn *d) {
    return arith(cpu, d, AR_DIV, true, false);
}
SimStatus exec_fdivr(CpuState *cpu, const DecodedInsn *d) {
    return arith(cpu, d, AR_DIVR, false, false);
}
SimStatus exec_fdivrp(CpuState *cpu, const DecodedInsn *d) {
    return arith(cpu, d, AR_DIVR, false, true);
}
SimStatus exec_fidivr(CpuState *cpu, const DecodedInsn *d) {
    return arith(cpu, d, AR_DIVR, true, false);
}

/* An instruction on ST(0) and ST(j) through x87_step. */
static SimStatus on_stack(CpuState *cpu, const DecodedInsn *d, X87Step s) {
    X87Host h = {0};
    if (x87_begin(cpu) != SIM_OK) return SIM_FAULT;
    x87_step(cpu, &h, &s);
    x87_note_insn(cpu, d);
    return SIM_OK;
}

/* ST(0) := f(ST(0)). */
static SimStatus unary(CpuState *cpu, const DecodedInsn *d, X87HostOp op) {
    return on_stack(cpu, d, (X87Step){.op = op});
}

SimStatus exec_fsqrt(CpuState *cpu, const DecodedInsn *d) {
    return unary(cpu, d, X87H_FSQRT);
}
SimStatus exec_frndint(CpuState *cpu, const DecodedInsn *d) {
    return unary(cpu, d, X87H_FRNDINT);
}
SimStatus exec_f2xm1(CpuState *cpu, const DecodedInsn *d) {
    return unary(cpu, d, X87H_F2XM1);
}
/* FSIN/FCOS: an operand out of range sets C2 and leaves ST(0) as it was,
 * which is what the host hands back; a stack fault clears C2 (measured). */
SimStatus exec_fsin(CpuState *cpu, const DecodedInsn *d) {
    return on_stack(cpu, d, (X87Step){.op = X87H_FSIN, .fault_clear = FSW_C2});
}

SimStatus exec_fcos(CpuState *cpu, const DecodedInsn *d) {
    return on_stack(cpu, d, (X87Step){.op = X87H_FCOS, .fault_clear = FSW_C2});
}

/* FPREM/FPREM1 (C0 C3 C1 = quotient bits, C2 = incomplete; a stack fault
 * clears C2, measured) and FSCALE: ST(0) := f(ST(0), ST(1)). */
SimStatus exec_fprem(CpuState *cpu, const DecodedInsn *d) {
    return on_stack(cpu, d, (X87Step){.op = X87H_FPREM, .j = 1, .fault_clear = FSW_C2});
}

SimStatus exec_fprem1(CpuState *cpu, const DecodedInsn *d) {
    return on_stack(cpu, d, (X87Step){.op = X87H_FPREM1, .j = 1, .fault_clear = FSW_C2});
}

SimStatus exec_fscale(CpuState *cpu, const DecodedInsn *d) {
    return on_stack(cpu, d, (X87Step){.op = X87H_FSCALE, .j = 1});
}

/* FPATAN, FYL2X, FYL2XP1: ST(1) := f(ST(1), ST(0)), then pop.  The host pops
 * too, so its result is in its ST(0). */
SimStatus exec_fpatan(CpuState *cpu, const DecodedInsn *d) {
    return on_stack(cpu, d, (X87Step){.op = X87H_FPATAN, .j = 1, .dest = 1, .pops = 1});
}

SimStatus exec_fyl2x(CpuState *cpu, const DecodedInsn *d) {
    return on_stack(cpu, d, (X87Step){.op = X87H_FYL2X, .j = 1, .dest = 1, .pops = 1});
}

SimStatus exec_fyl2xp1(CpuState *cpu, const DecodedInsn *d) {
    return on_stack(cpu, d, (X87Step){.op = X87H_FYL2XP1, .j = 1, .dest = 1, .pops = 1});
}

/* FCHS and FABS are non-arithmetic (SDM 8.5 Table 8-9): only the sign bit
 * changes, no exception but stack underflow; C1 := 0, C0/C2/C3 unchanged. */
static SimStatus sign_op(CpuState *cpu, const DecodedInsn *d, uint16_t and_mask,
                         uint16_t xor_mask) {
    FpuState *f = &cpu->fpu;
    if (x87_begin(cpu) != SIM_OK) return SIM_FAULT;
    if (x87_empty(f, 0)) {
        if (x87_stack_fault(f, false)) x87_write(f, 0, x87_indefinite());
    } else {
        X87Reg v = x87_st(f, 0);
        v.sign_exponent = (uint16_t)((v.sign_exponent & and_mask) ^ xor_mask);
        x87_write(f, 0, v);
        f->fsw &= (uint16_t)~FSW_C1;
    }
    x87_note_insn(cpu, d);
    return SIM_OK;
}

/* SDM Vol. 2 FCHS: SignBit(ST(0)) := NOT SignBit(ST(0)). */
SimStatus exec_fchs(CpuState *cpu, const DecodedInsn *d) {
    return sign_op(cpu, d, 0xffff, 0x8000);
}
/* SDM Vol. 2 FABS: ST(0) := |ST(0)|. */
SimStatus exec_fabs(CpuState *cpu, const DecodedInsn *d) {
    return sign_op(cpu, d, 0x7fff, 0);
}

/* FXTRACT (ST(0) := exponent, push significand), FPTAN (ST(0) := tan,
 * push 1.0) and FSINCOS (ST(0) := sin, push cos): underflow when ST(0) is
 * empty, overflow when ST(7) is not; the masked response leaves the
 * indefinite in both (SDM 8.5.1.1).  FPTAN/FSINCOS with an operand out of
 * range set C2 and push nothing: the host reports that as no push; their
 * stack faults clear C2 (`fault_clear`, measured). */
static SimStatus split(CpuState *cpu, const DecodedInsn *d, X87HostOp op, uint16_t fault_clear) {
    FpuState *f = &cpu->fpu;
    X87Host h = {0};
    if (x87_begin(cpu) != SIM_OK) return SIM_FAULT;
    bool underflow = x87_empty(f, 0);
    if (underflow || !x87_empty(f, 7)) {
        f->fsw &= (uint16_t)~fault_clear;
        if (x87_stack_fault(f, !underflow)) {
            x87_write(f, 0, x87_indefinite());
            x87_push(f, x87_indefinite());
        }
    } else {
        h.in[0] = h.in[1] = x87_st(f, 0);
        x87_host_run(op, f, &h);
        x87_merge_status(f, h.fsw);
        if (!x87_blocked(f, h.fsw)) {
            x87_write(f, 0, h.out[h.pushed > 0 ? 1 : 0]);
            if (h.pushed > 0) x87_push(f, h.out[0]);
        }
    }
    x87_note_insn(cpu, d);
    return SIM_OK;
}

SimStatus exec_fxtract(CpuState *cpu, const DecodedInsn *d) {
    return split(cpu, d, X87H_FXTRACT, 0);
}
SimStatus exec_fptan(CpuState *cpu, const DecodedInsn *d) {
    return split(cpu, d, X87H_FPTAN, FSW_C2);
}
SimStatus exec_fsincos(CpuState *cpu, const DecodedInsn *d) {
    return split(cpu, d, X87H_FSINCOS, FSW_C2);
}
