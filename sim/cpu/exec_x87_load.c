/*
 * x87 data transfer: FLD FST FSTP (m32/m64/m80 and ST(i)), FILD FIST FISTP
 * FISTTP (m16/m32/m64), FBLD FBSTP, the constants FLD1 FLDZ FLDPI FLDL2E
 * FLDL2T FLDLG2 FLDLN2, FXCH and FCMOVcc.  SDM Vol. 2 (each instruction) and
 * SDM Vol. 1 8.3.3 "Data Transfer Instructions".
 *
 * Conversions (m32/m64 floating point, integers, BCD, and the constants,
 * which are rounded per FCW.RC) run on the host x87; the 80-bit and
 * register-to-register moves are non-arithmetic bit copies (SDM 8.5 Table 8-9).
 */
#include <string.h>

#include "sim/cpu/flags.h"
#include "sim/cpu/fpu.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/x87.h"

/* ---- loads ---- */

/* A load through the host conversion `op`; the memory operand, if any, is read first. */
static SimStatus load(CpuState *cpu, const DecodedInsn *d, X87HostOp op, bool mem) {
    X87Host h = {0};
    if (x87_begin(cpu) != SIM_OK) return SIM_FAULT;
    if (mem && x87_read_mem(cpu, d, 0, h.mem) != SIM_OK) return SIM_FAULT;
    x87_load(cpu, &h, op);
    x87_note_insn(cpu, d);
    return SIM_OK;
}

/* A non-arithmetic push of v (FLD m80, FLD ST(i)): C1 := 0, or stack fault. */
static void push_copy(FpuState *f, X87Reg v, bool source_empty) {
    if (source_empty || !x87_empty(f, 7)) {
        /* the host reports an empty source as underflow even when ST(7) is full */
        if (x87_stack_fault(f, !source_empty)) x87_push(f, x87_indefinite());
        return;
    }
    x87_push(f, v);
    f->fsw &= (uint16_t)~FSW_C1;
}

static SimStatus fld_m80(CpuState *cpu, const DecodedInsn *d) {
    uint8_t buf[10];
    X87Reg v;
    if (x87_read_mem(cpu, d, 0, buf) != SIM_OK) return SIM_FAULT;
    memcpy(&v.significand, buf, 8);
    memcpy(&v.sign_exponent, buf + 8, 2);
    push_copy(&cpu->fpu, v, false);
    x87_note_insn(cpu, d);
    return SIM_OK;
}

/* SDM Vol. 2 FLD: push m32fp/m64fp (converted), m80fp or ST(i) (copied). */
SimStatus exec_fld(CpuState *cpu, const DecodedInsn *d) {
    const DecodedOperand *o = &d->op[0];
    if (o->kind == OPK_MEM && o->size != 10)
        return load(cpu, d, o->size == 4 ? X87H_FLD_M32 : X87H_FLD_M64, true);
    if (x87_begin(cpu) != SIM_OK) return SIM_FAULT;
    if (o->kind == OPK_MEM) return fld_m80(cpu, d);
    push_copy(&cpu->fpu, x87_st(&cpu->fpu, o->reg), x87_empty(&cpu->fpu, o->reg));
    x87_note_insn(cpu, d);
    return SIM_OK;
}

/* SDM Vol. 2 FILD: push the signed integer m16/m32/m64 (exact). */
SimStatus exec_fild(CpuState *cpu, const DecodedInsn *d) {
    unsigned size = d->op[0].size;
    X87HostOp op = size == 2 ? X87H_FILD_M16 : size == 4 ? X87H_FILD_M32 : X87H_FILD_M64;
    return load(cpu, d, op, true);
}

/* SDM Vol. 2 FBLD: push the packed BCD m80. */
SimStatus exec_fbld(CpuState *cpu, const DecodedInsn *d) {
    return load(cpu, d, X87H_FBLD, true);
}

/* SDM Vol. 2 FLD1/FLDL2T/FLDL2E/FLDPI/FLDLG2/FLDLN2/FLDZ: push a constant,
 * rounded per FCW.RC ("IA-32 Architecture Compatibility"). */
SimStatus exec_fld1(CpuState *cpu, const DecodedInsn *d) {
    return load(cpu, d, X87H_FLD1, false);
}
SimStatus exec_fldl2t(CpuState *cpu, const DecodedInsn *d) {
    return load(cpu, d, X87H_FLDL2T, false);
}
SimStatus exec_fldl2e(CpuState *cpu, const DecodedInsn *d) {
    return load(cpu, d, X87H_FLDL2E, false);
}
SimStatus exec_fldpi(CpuState *cpu, const DecodedInsn *d) {
    return load(cpu, d, X87H_FLDPI, false);
}
SimStatus exec_fldlg2(CpuState *cpu, const DecodedInsn *d) {
    return load(cpu, d, X87H_FLDLG2, false);
}
SimStatus exec_fldln2(CpuState *cpu, const DecodedInsn *d) {
    return load(cpu, d, X87H_FLDLN2, false);
}
SimStatus exec_fldz(CpuState *cpu, const DecodedInsn *d) {
    return load(cpu, d, X87H_FLDZ, false);
}

/* ---- stores ---- */

/* What a masked stack underflow stores (SDM Vol. 1 chapter 4 "Data Types":
 * 4.8.3.7 and Table 4-3 for the QNaN floating-point indefinite of each
 * format, and the integer and packed BCD integer indefinites; checked
 * against the host by tests/unit/test_x87.c). */
static const uint8_t fp32_indefinite[] = {0x00, 0x00, 0xc0, 0xff};
static const uint8_t fp64_indefinite[] = {0, 0, 0, 0, 0, 0, 0xf8, 0xff};
static const uint8_t fp80_indefinite[] = {0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff};
static const uint8_t int_indefinite[] = {0, 0, 0, 0, 0, 0, 0, 0x80};
static const uint8_t bcd_indefinite[] = {0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff};

/* The integer indefinite of a 2-, 4- or 8-byte integer: its last bytes. */
static const uint8_t *int_indefinite_of(unsigned size) {
    return int_indefinite + 8 - size;
}

/* A store of ST(0) to memory, through the host conversion `op` or, when op
 * is X87H_COUNT, as a bit copy (m80).  The FPU state is committed only after
 * the memory write succeeded (style.md rule 4). */
static SimStatus store(CpuState *cpu, const DecodedInsn *d, X87HostOp op, const uint8_t *indef,
                       bool pop) {
    FpuState next = cpu->fpu;
    X87Host h = {0};
    bool write = true;
    unsigned size = d->op[0].size;
    if (x87_begin(cpu) != SIM_OK) return SIM_FAULT;
    if (x87_empty(&next, 0)) {
        write = x87_stack_fault(&next, false);
        memcpy(h.mem, indef, size);
    } else if (op == X87H_COUNT) {
        X87Reg v = x87_st(&next, 0);
        memcpy(h.mem, &v.significand, 8);
        memcpy(h.mem + 8, &v.sign_exponent, 2);
        next.fsw &= (uint16_t)~FSW_C1;
    } else {
        h.in[0] = h.in[1] = x87_st(&next, 0);
        x87_host_run(op, &next, &h);
        x87_merge_status(&next, h.fsw);
        write = !x87_store_blocked(&next, h.fsw);
    }
    if (write && x87_write_mem(cpu, d, 0, h.mem) != SIM_OK) return SIM_FAULT;
    if (write && pop) x87_pop(&next);
    cpu->fpu = next;
    x87_note_insn(cpu, d);
    return SIM_OK;
}

/* FST/FSTP ST(i): a bit copy; C1 := 0.  Underflow: the indefinite. */
static SimStatus store_st(CpuState *cpu, const DecodedInsn *d, bool pop) {
    FpuState *f = &cpu->fpu;
    if (x87_begin(cpu) != SIM_OK) return SIM_FAULT;
    if (x87_empty(f, 0)) {
        if (x87_stack_fault(f, false)) {
            x87_write(f, d->op[0].reg, x87_indefinite());
            if (pop) x87_pop(f);
        }
    } else {
        x87_write(f, d->op[0].reg, x87_st(f, 0));
        f->fsw &= (uint16_t)~FSW_C1;
        if (pop) x87_pop(f);
    }
    x87_note_insn(cpu, d);
    return SIM_OK;
}

static SimStatus fst_any(CpuState *cpu, const DecodedInsn *d, bool pop) {
    const DecodedOperand *o = &d->op[0];
    if (o->kind != OPK_MEM) return store_st(cpu, d, pop);
    if (o->size == 10) return store(cpu, d, X87H_COUNT, fp80_indefinite, pop);
    if (o->size == 4) return store(cpu, d, X87H_FST_M32, fp32_indefinite, pop);
    return store(cpu, d, X87H_FST_M64, fp64_indefinite, pop);
}

/* SDM Vol. 2 FST/FSTP: m32fp, m64fp (rounded per FCW), m80fp (FSTP only), ST(i). */
SimStatus exec_fst(CpuState *cpu, const DecodedInsn *d) {
    return fst_any(cpu, d, false);
}
SimStatus exec_fstp(CpuState *cpu, const DecodedInsn *d) {
    return fst_any(cpu, d, true);
}

/* D9 D8+i ("FSTPNCE" in Zydis; not in the SDM's instruction reference): FSTP
 * ST(i), except that an empty ST(0) is no stack fault; nothing is stored,
 * C1 := 0 and the pop happens, whatever IM says (measured on the host). */
SimStatus exec_fstpnce(CpuState *cpu, const DecodedInsn *d) {
    FpuState *f = &cpu->fpu;
    if (x87_begin(cpu) != SIM_OK) return SIM_FAULT;
    if (!x87_empty(f, 0)) return store_st(cpu, d, true);
    f->fsw &= (uint16_t)~FSW_C1;
    x87_pop(f);
    x87_note_insn(cpu, d);
    return SIM_OK;
}

/* SDM Vol. 2 FIST/FISTP: round per FCW.RC to m16/m32/m64 (m64 FISTP only);
 * out of range or NaN is #IA with the integer indefinite when masked. */
SimStatus exec_fist(CpuState *cpu, const DecodedInsn *d) {
    unsigned size = d->op[0].size;
    X87HostOp op = size == 2 ? X87H_FIST_M16 : X87H_FIST_M32;
    return store(cpu, d, op, int_indefinite_of(size), false);
}

SimStatus exec_fistp(CpuState *cpu, const DecodedInsn *d) {
    unsigned size = d->op[0].size;
    X87HostOp op = size == 2 ? X87H_FIST_M16 : size == 4 ? X87H_FIST_M32 : X87H_FISTP_M64;
    return store(cpu, d, op, int_indefinite_of(size), true);
}

/* SDM Vol. 2 FISTTP (SSE3): like FISTP, truncating whatever FCW.RC says;
 * #UD when CPUID.01H:ECX.SSE3 = 0. */
SimStatus exec_fisttp(CpuState *cpu, const DecodedInsn *d) {
    unsigned size = d->op[0].size;
    X87HostOp op = size == 2 ? X87H_FISTTP_M16 : size == 4 ? X87H_FISTTP_M32 : X87H_FISTTP_M64;
    if (!cpu_model_has(cpu->model, FEAT_SSE3)) return cpu_raise_ud(cpu);
    return store(cpu, d, op, int_indefinite_of(size), true);
}

/* SDM Vol. 2 FBSTP: round to an 18-digit packed BCD m80, then pop. */
SimStatus exec_fbstp(CpuState *cpu, const DecodedInsn *d) {
    return store(cpu, d, X87H_FBSTP, bcd_indefinite, true);
}

/* ---- register moves ---- */

/* SDM Vol. 2 FXCH: exchange ST(0) and ST(i); C1 := 0.  Underflow (either
 * empty), masked: each empty register first gets the indefinite (measured
 * on the host). */
SimStatus exec_fxch(CpuState *cpu, const DecodedInsn *d) {
    FpuState *f = &cpu->fpu;
    unsigned i = d->op[0].reg;
    if (x87_begin(cpu) != SIM_OK) return SIM_FAULT;
    bool e0 = x87_empty(f, 0), ei = x87_empty(f, i);
    if ((e0 || ei) && !x87_stack_fault(f, false)) {
        x87_note_insn(cpu, d);
        return SIM_OK;
    }
    X87Reg a = e0 ? x87_indefinite() : x87_st(f, 0);
    X87Reg b = ei ? x87_indefinite() : x87_st(f, i);
    x87_write(f, 0, b);
    x87_write(f, i, a);
    if (!e0 && !ei) f->fsw &= (uint16_t)~FSW_C1;
    x87_note_insn(cpu, d);
    return SIM_OK;
}

/* SDM Vol. 2 FCMOVcc: ST(0) := ST(i) when the condition holds; #UD without
 * CMOV (CPUID.01H:EDX.CMOV, "if FPU is also present").  Underflow (either
 * empty), masked: ST(0) := indefinite whatever the condition (measured). */
static SimStatus fcmov(CpuState *cpu, const DecodedInsn *d, unsigned cc) {
    FpuState *f = &cpu->fpu;
    unsigned i = d->op[1].reg;
    if (!cpu_model_has(cpu->model, FEAT_CMOV)) return cpu_raise_ud(cpu);
    if (x87_begin(cpu) != SIM_OK) return SIM_FAULT;
    if (x87_empty(f, 0) || x87_empty(f, i)) {
        if (x87_stack_fault(f, false)) x87_write(f, 0, x87_indefinite());
    } else if (flags_cond(cpu, cc)) {
        x87_write(f, 0, x87_st(f, i));
    }
    x87_note_insn(cpu, d);
    return SIM_OK;
}

/* Condition codes in Intel order (the low nibble of Jcc), as flags_cond takes them. */
enum { CC_B = 2, CC_NB = 3, CC_E = 4, CC_NE = 5, CC_BE = 6, CC_NBE = 7, CC_U = 10, CC_NU = 11 };

SimStatus exec_fcmovb(CpuState *cpu, const DecodedInsn *d) {
    return fcmov(cpu, d, CC_B);
}
SimStatus exec_fcmovnb(CpuState *cpu, const DecodedInsn *d) {
    return fcmov(cpu, d, CC_NB);
}
SimStatus exec_fcmove(CpuState *cpu, const DecodedInsn *d) {
    return fcmov(cpu, d, CC_E);
}
SimStatus exec_fcmovne(CpuState *cpu, const DecodedInsn *d) {
    return fcmov(cpu, d, CC_NE);
}
SimStatus exec_fcmovbe(CpuState *cpu, const DecodedInsn *d) {
    return fcmov(cpu, d, CC_BE);
}
SimStatus exec_fcmovnbe(CpuState *cpu, const DecodedInsn *d) {
    return fcmov(cpu, d, CC_NBE);
}
SimStatus exec_fcmovu(CpuState *cpu, const DecodedInsn *d) {
    return fcmov(cpu, d, CC_U);
}
SimStatus exec_fcmovnu(CpuState *cpu, const DecodedInsn *d) {
    return fcmov(cpu, d, CC_NU);
}
