/*
 * Unit tests for the x87 FPU (sim/cpu/x87.c, exec_x87_*.c).
 *
 * Two kinds:
 *  - behaviour tests that run real machine code in 32-bit flat protected mode
 *    (or real mode) and check both sides of a rule: #NM with CR0.TS = 1 and
 *    none with TS = 0, stack underflow, unmasked exceptions and #MF at the
 *    next waiting instruction, FCOMI flags, FNSTSW AX, environment layouts,
 *    FSAVE/FRSTOR, FIST/FISTTP rounding ...
 *  - differential tests (design.md "Conformance evidence" 2): a table of
 *    encodings, each run from hundreds of pseudo-random x87 states (empty
 *    registers, NaNs, denormals, unsupported encodings, unmasked exceptions,
 *    every PC and RC) both natively on the host and in vmxsim; FCW, FSW, the
 *    tag word, the registers, the memory operand and the arithmetic flags
 *    must be identical.
 */
#include <stdio.h>

#include "sim/cpu/cpu_model.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/x87.h"
#include "test_support.h"

#define CODE 0x1000u
#define DATA 0x3000u
#define IMAGE 0x4000u
#define MEMOP 0x5000u

/* The default model plus the features the x87 code checks. */
static CpuModel fpu_model;

static Machine *fpu_machine(void) {
    Machine *m = test_machine();
    fpu_model = *cpu_model_default();
    fpu_model.features |=
        (UINT64_C(1) << FEAT_FPU) | (UINT64_C(1) << FEAT_CMOV) | (UINT64_C(1) << FEAT_SSE3);
    m->cpu.model = &fpu_model;
    test_enter_flat32(m, CODE);
    m->cpu.cr0 |= CR0_NE;
    /* RESET tags every register zero (5555H); the tests start from an empty
     * stack, as after FFREE of all eight, keeping the reset control word. */
    m->cpu.fpu.ftw = 0xffff;
    return m;
}

/* Run `code` at CODE; it must end with `out 0xf4, al`. */
static MachineStop run(Machine *m, const uint8_t *code, size_t n) {
    test_poke(m, CODE, code, n);
    m->cpu.RIP = CODE;
    return machine_run(m, 1000);
}

/* Run the bytes given, then `mov al, 0; out 0xf4, al`. */
#define RUN(m, ...)                                                                                \
    run((m), (const uint8_t[]){__VA_ARGS__, 0xb0, 0x00, 0xe6, 0xf4},                               \
        sizeof((const uint8_t[]){__VA_ARGS__, 0xb0, 0x00, 0xe6, 0xf4}))

/* Stop before delivering `vector` and report where it was raised. */
static void stop_on(Machine *m, unsigned vector) {
    m->cpu.exception_stop_mask = 1u << vector;
}

static void put_bytes(Machine *m, uint64_t pa, const void *p, size_t n) {
    test_poke(m, pa, p, n);
}

static uint64_t peek(Machine *m, uint64_t pa, unsigned size) {
    return mem_phys_read(&m->mem, pa, size);
}

static void poke_double(Machine *m, uint64_t pa, double v) {
    put_bytes(m, pa, &v, 8);
}

static X87Reg st(Machine *m, unsigned i) {
    return x87_st(&m->cpu.fpu, i);
}

static void assert_reg(X87Reg r, uint16_t se, uint64_t sig) {
    ck_assert_uint_eq(r.sign_exponent, se);
    ck_assert_uint_eq(r.significand, sig);
}

/* mov esi, DATA (BE imm32) */
#define MOV_ESI_DATA 0xbe, 0x00, 0x30, 0x00, 0x00

/* ---- availability: #UD, #NM ---- */

START_TEST(test_x87_ts_set_raises_nm) {
    Machine *m = fpu_machine();
    stop_on(m, EXC_NM);
    m->cpu.cr0 |= CR0_TS;
    ck_assert_int_eq(RUN(m, 0xd9, 0xe8), STOP_EXCEPTION); /* fld1 */
    ck_assert_uint_eq(m->cpu.fault.vector, EXC_NM);
    ck_assert_uint_eq(m->cpu.RIP, CODE);
    ck_assert_uint_eq(m->cpu.fpu.ftw, 0xffff); /* nothing pushed */
    machine_destroy(m);
}
END_TEST

START_TEST(test_x87_ts_clear_no_nm) {
    Machine *m = fpu_machine();
    stop_on(m, EXC_NM);
    ck_assert_int_eq(RUN(m, 0xdb, 0xe3, 0xd9, 0xe8), STOP_GUEST_EXIT); /* fninit; fld1 */
    assert_reg(st(m, 0), 0x3fff, UINT64_C(0x8000000000000000));
    ck_assert_uint_eq(x87_top(&m->cpu.fpu), 7);
    machine_destroy(m);
}
END_TEST

START_TEST(test_x87_em_set_raises_nm) {
    Machine *m = fpu_machine();
    stop_on(m, EXC_NM);
    m->cpu.cr0 |= CR0_EM;
    ck_assert_int_eq(RUN(m, 0xdb, 0xe3), STOP_EXCEPTION); /* fninit */
    ck_assert_uint_eq(m->cpu.fault.vector, EXC_NM);
    machine_destroy(m);
}
END_TEST

/* SDM Vol. 3A Table 2-2: WAIT faults only when MP and TS are both set. */
START_TEST(test_x87_fwait_mp_and_ts_raises_nm) {
    Machine *m = fpu_machine();
    stop_on(m, EXC_NM);
    m->cpu.cr0 |= CR0_TS | CR0_MP;
    ck_assert_int_eq(RUN(m, 0x9b), STOP_EXCEPTION);
    ck_assert_uint_eq(m->cpu.fault.vector, EXC_NM);
    machine_destroy(m);
}
END_TEST

START_TEST(test_x87_fwait_ts_without_mp_no_nm) {
    Machine *m = fpu_machine();
    stop_on(m, EXC_NM);
    m->cpu.cr0 |= CR0_TS;
    ck_assert_int_eq(RUN(m, 0x9b), STOP_GUEST_EXIT);
    machine_destroy(m);
}
END_TEST

START_TEST(test_x87_model_without_fpu_raises_ud) {
    Machine *m = fpu_machine();
    stop_on(m, EXC_UD);
    fpu_model.features &= ~(UINT64_C(1) << FEAT_FPU);
    ck_assert_int_eq(RUN(m, 0xd9, 0xe8), STOP_EXCEPTION);
    ck_assert_uint_eq(m->cpu.fault.vector, EXC_UD);
    machine_destroy(m);
}
END_TEST

START_TEST(test_x87_fisttp_without_sse3_raises_ud) {
    Machine *m = fpu_machine();
    stop_on(m, EXC_UD);
    fpu_model.features &= ~(UINT64_C(1) << FEAT_SSE3);
    ck_assert_int_eq(RUN(m, 0xd9, 0xe8, MOV_ESI_DATA, 0xdb, 0x0e), STOP_EXCEPTION);
    ck_assert_uint_eq(m->cpu.RIP, CODE + 7);
    machine_destroy(m);
}
END_TEST

/* ---- stack faults (SDM 8.5.1.1) ---- */

START_TEST(test_x87_underflow_masked_gives_indefinite) {
    Machine *m = fpu_machine();
    ck_assert_int_eq(RUN(m, 0xdb, 0xe3, 0xd8, 0xc1), STOP_GUEST_EXIT); /* fninit; fadd st0, st1 */
    FpuState *f = &m->cpu.fpu;
    ck_assert_uint_eq(f->fsw & (FSW_IE | FSW_SF | FSW_C1 | FSW_ES), FSW_IE | FSW_SF);
    assert_reg(st(m, 0), 0xffff, UINT64_C(0xc000000000000000));
    ck_assert_uint_eq(x87_tag(f, x87_phys(f, 0)), X87_TAG_SPECIAL);
    ck_assert_uint_eq(x87_top(f), 0); /* nothing pushed or popped */
    machine_destroy(m);
}
END_TEST

START_TEST(test_x87_underflow_unmasked_leaves_stack_and_mf_on_fwait) {
    Machine *m = fpu_machine();
    stop_on(m, EXC_MF);
    uint16_t cw = 0x037e; /* IM clear */
    put_bytes(m, DATA, &cw, 2);
    /* fninit; fldcw [DATA]; fld1; faddp st1 (ST(1) empty); fwait */
    ck_assert_int_eq(
        RUN(m, 0xdb, 0xe3, 0xd9, 0x2d, 0x00, 0x30, 0x00, 0x00, 0xd9, 0xe8, 0xde, 0xc1, 0x9b),
        STOP_EXCEPTION);
    FpuState *f = &m->cpu.fpu;
    ck_assert_uint_eq(m->cpu.fault.vector, EXC_MF);
    ck_assert_uint_eq(m->cpu.RIP, CODE + 12); /* the FWAIT */
    ck_assert_uint_eq(f->fsw & (FSW_IE | FSW_SF | FSW_C1 | FSW_ES | FSW_B),
                      FSW_IE | FSW_SF | FSW_ES | FSW_B);
    ck_assert_uint_eq(x87_top(f), 7); /* no pop */
    assert_reg(st(m, 0), 0x3fff, UINT64_C(0x8000000000000000));
    ck_assert_uint_eq(f->fip, CODE + 10); /* FIP: the FADDP */
    ck_assert_uint_eq(f->fop, 0x6c1);     /* DE C1 */
    machine_destroy(m);
}
END_TEST

START_TEST(test_x87_overflow_masked_sets_c1_and_pushes_indefinite) {
    Machine *m = fpu_machine();
    /* fninit; fld1 x 8; fldz (the ninth) */
    ck_assert_int_eq(RUN(m, 0xdb, 0xe3, 0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xe8,
                         0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xee),
                     STOP_GUEST_EXIT);
    FpuState *f = &m->cpu.fpu;
    ck_assert_uint_eq(f->fsw & (FSW_IE | FSW_SF | FSW_C1), FSW_IE | FSW_SF | FSW_C1);
    assert_reg(st(m, 0), 0xffff, UINT64_C(0xc000000000000000));
    ck_assert_uint_eq(x87_top(f), 7);
    machine_destroy(m);
}
END_TEST

/* ---- unmasked zero divide (SDM 8.5.3) and #MF delivery (SDM 8.7) ---- */

/* fninit; fldcw [DATA] (ZM clear); fld1; fldz; fdiv st1, st0; fwait */
#define ZERO_DIVIDE_CODE                                                                           \
    0xdb, 0xe3, 0xd9, 0x2d, 0x00, 0x30, 0x00, 0x00, 0xd9, 0xe8, 0xd9, 0xee, 0xdc, 0xf9, 0x9b

START_TEST(test_x87_zero_divide_unmasked_keeps_destination_and_mf_at_fwait) {
    Machine *m = fpu_machine();
    stop_on(m, EXC_MF);
    uint16_t cw = 0x037b;
    put_bytes(m, DATA, &cw, 2);
    ck_assert_int_eq(RUN(m, ZERO_DIVIDE_CODE), STOP_EXCEPTION);
    FpuState *f = &m->cpu.fpu;
    ck_assert_uint_eq(m->cpu.RIP, CODE + 14);
    ck_assert_uint_eq(f->fsw & (FSW_EXC | FSW_ES | FSW_B), FSW_ZE | FSW_ES | FSW_B);
    assert_reg(st(m, 1), 0x3fff, UINT64_C(0x8000000000000000)); /* 1.0, not infinity */
    assert_reg(st(m, 0), 0x0000, 0);
    ck_assert_uint_eq(f->fip, CODE + 12);
    ck_assert_uint_eq(f->fop, 0x4f9); /* DC F9 */
    machine_destroy(m);
}
END_TEST

START_TEST(test_x87_zero_divide_masked_gives_infinity_no_mf) {
    Machine *m = fpu_machine();
    stop_on(m, EXC_MF);
    uint16_t cw = 0x037f;
    put_bytes(m, DATA, &cw, 2);
    ck_assert_int_eq(RUN(m, ZERO_DIVIDE_CODE), STOP_GUEST_EXIT);
    FpuState *f = &m->cpu.fpu;
    ck_assert_uint_eq(f->fsw & (FSW_EXC | FSW_ES), FSW_ZE);
    assert_reg(st(m, 1), 0x7fff, UINT64_C(0x8000000000000000));
    machine_destroy(m);
}
END_TEST

/* vmxsim's choice for CR0.NE = 0 (docs/x87.md): as if IGNNE# were asserted. */
START_TEST(test_x87_ne_clear_pending_exception_not_delivered) {
    Machine *m = fpu_machine();
    stop_on(m, EXC_MF);
    m->cpu.cr0 &= ~CR0_NE;
    uint16_t cw = 0x037b;
    put_bytes(m, DATA, &cw, 2);
    ck_assert_int_eq(RUN(m, ZERO_DIVIDE_CODE), STOP_GUEST_EXIT);
    ck_assert_uint_eq(m->cpu.fpu.fsw & FSW_ES, FSW_ES); /* still pending */
    machine_destroy(m);
}
END_TEST

/* A pending exception is taken by the next waiting x87 instruction, here
 * FLD1, and not by the non-waiting FNSTSW before it. */
START_TEST(test_x87_pending_exception_taken_by_next_waiting_instruction) {
    Machine *m = fpu_machine();
    stop_on(m, EXC_MF);
    uint16_t cw = 0x037b;
    put_bytes(m, DATA, &cw, 2);
    /* ... fdiv st1, st0; fnstsw ax; fld1 */
    ck_assert_int_eq(RUN(m, 0xdb, 0xe3, 0xd9, 0x2d, 0x00, 0x30, 0x00, 0x00, 0xd9, 0xe8, 0xd9, 0xee,
                         0xdc, 0xf9, 0xdf, 0xe0, 0xd9, 0xe8),
                     STOP_EXCEPTION);
    ck_assert_uint_eq(m->cpu.RIP, CODE + 16);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX] & 0xffff, m->cpu.fpu.fsw);
    ck_assert_uint_eq(x87_top(&m->cpu.fpu), 6); /* FLD1 did not run */
    machine_destroy(m);
}
END_TEST

/* FINIT = FWAIT + FNINIT: the FWAIT takes the pending exception. */
START_TEST(test_x87_finit_with_pending_exception_faults_at_fwait_prefix) {
    Machine *m = fpu_machine();
    stop_on(m, EXC_MF);
    m->cpu.fpu.fcw = 0x037b;
    m->cpu.fpu.fsw = FSW_ZE | FSW_ES | FSW_B;
    ck_assert_int_eq(RUN(m, 0x90, 0x9b, 0xdb, 0xe3), STOP_EXCEPTION);
    ck_assert_uint_eq(m->cpu.RIP, CODE + 1);
    machine_destroy(m);
}
END_TEST

START_TEST(test_x87_fninit_with_pending_exception_no_mf) {
    Machine *m = fpu_machine();
    stop_on(m, EXC_MF);
    m->cpu.fpu.fcw = 0x037b;
    m->cpu.fpu.fsw = FSW_ZE | FSW_ES | FSW_B;
    ck_assert_int_eq(RUN(m, 0xdb, 0xe3), STOP_GUEST_EXIT);
    ck_assert_uint_eq(m->cpu.fpu.fcw, FCW_INIT);
    ck_assert_uint_eq(m->cpu.fpu.fsw, 0);
    ck_assert_uint_eq(m->cpu.fpu.ftw, 0xffff);
    machine_destroy(m);
}
END_TEST

/* FLDCW that unmasks a flagged exception makes it pending (ES/B at once). */
START_TEST(test_x87_fldcw_unmasking_flag_sets_es) {
    Machine *m = fpu_machine();
    stop_on(m, EXC_MF);
    uint16_t cw = 0x037b;
    put_bytes(m, DATA, &cw, 2);
    /* fninit; fld1; fldz; fdivp (masked); fldcw [DATA]; fwait */
    ck_assert_int_eq(RUN(m, 0xdb, 0xe3, 0xd9, 0xe8, 0xd9, 0xee, 0xde, 0xf9, 0xd9, 0x2d, 0x00, 0x30,
                         0x00, 0x00, 0x9b),
                     STOP_EXCEPTION);
    ck_assert_uint_eq(m->cpu.RIP, CODE + 14);
    ck_assert_uint_eq(m->cpu.fpu.fsw & (FSW_ES | FSW_B), FSW_ES | FSW_B);
    machine_destroy(m);
}
END_TEST

START_TEST(test_x87_fnclex_clears_flags_keeps_condition_codes) {
    Machine *m = fpu_machine();
    m->cpu.fpu.fsw = FSW_C3 | FSW_C2 | FSW_C0 | FSW_IE | FSW_SF | FSW_ES | FSW_B | (3u << 11);
    ck_assert_int_eq(RUN(m, 0xdb, 0xe2), STOP_GUEST_EXIT);
    ck_assert_uint_eq(m->cpu.fpu.fsw, FSW_C3 | FSW_C2 | FSW_C0 | (3u << 11));
    machine_destroy(m);
}
END_TEST

/* ---- compares ---- */

/* fninit; fld qword [esi+8]; fld qword [esi]; fcomi st0, st1 */
static uint64_t fcomi_flags(double st0, double st1, bool unordered_form) {
    Machine *m = fpu_machine();
    poke_double(m, DATA, st0);
    poke_double(m, DATA + 8, st1);
    cpu_set_rflags(&m->cpu, RFLAGS_FIXED1 | RFLAGS_OF | RFLAGS_SF | RFLAGS_AF);
    uint8_t op = unordered_form ? 0xe9 : 0xf1;
    uint8_t code[] = {MOV_ESI_DATA, 0xdb, 0xe3, 0xdd, 0x46, 0x08, 0xdd,
                      0x06,         0xdb, op,   0xb0, 0x00, 0xe6, 0xf4};
    ck_assert_int_eq(run(m, code, sizeof(code)), STOP_GUEST_EXIT);
    uint64_t f = cpu_get_rflags(&m->cpu) & RFLAGS_ARITH;
    ck_assert_uint_eq(x87_top(&m->cpu.fpu), 6); /* no pop */
    machine_destroy(m);
    return f;
}

START_TEST(test_x87_fcomi_sets_zf_pf_cf) {
    ck_assert_uint_eq(fcomi_flags(1.0, 2.0, false), RFLAGS_CF);
    ck_assert_uint_eq(fcomi_flags(2.0, 1.0, false), 0);
    ck_assert_uint_eq(fcomi_flags(2.0, 2.0, false), RFLAGS_ZF);
    ck_assert_uint_eq(fcomi_flags(__builtin_nan(""), 2.0, false),
                      RFLAGS_ZF | RFLAGS_PF | RFLAGS_CF);
    ck_assert_uint_eq(fcomi_flags(__builtin_nan(""), 2.0, true), RFLAGS_ZF | RFLAGS_PF | RFLAGS_CF);
}
END_TEST

/* FCOMI raises #IA for a QNaN, FUCOMI does not. */
START_TEST(test_x87_fcomi_qnan_invalid_fucomi_not) {
    Machine *m = fpu_machine();
    poke_double(m, DATA, __builtin_nan(""));
    poke_double(m, DATA + 8, 1.0);
    ck_assert_int_eq(RUN(m, MOV_ESI_DATA, 0xdd, 0x46, 0x08, 0xdd, 0x06, 0xdb, 0xe9),
                     STOP_GUEST_EXIT);
    ck_assert_uint_eq(m->cpu.fpu.fsw & FSW_IE, 0);
    ck_assert_int_eq(RUN(m, 0xdb, 0xf1), STOP_GUEST_EXIT);
    ck_assert_uint_eq(m->cpu.fpu.fsw & FSW_IE, FSW_IE);
    machine_destroy(m);
}
END_TEST

START_TEST(test_x87_fcomip_pops_and_fucomip_underflow_unordered) {
    Machine *m = fpu_machine();
    /* fninit; fld1; fldz; fcomip st0, st1 -> 0 < 1: CF; one pop */
    ck_assert_int_eq(RUN(m, 0xdb, 0xe3, 0xd9, 0xe8, 0xd9, 0xee, 0xdf, 0xf1), STOP_GUEST_EXIT);
    ck_assert_uint_eq(cpu_get_rflags(&m->cpu) & RFLAGS_ARITH, RFLAGS_CF);
    ck_assert_uint_eq(x87_top(&m->cpu.fpu), 7);
    /* fucomip st0, st1 with ST(1) empty: masked underflow, unordered, pop */
    ck_assert_int_eq(RUN(m, 0xdf, 0xe9), STOP_GUEST_EXIT);
    ck_assert_uint_eq(cpu_get_rflags(&m->cpu) & RFLAGS_ARITH, RFLAGS_ZF | RFLAGS_PF | RFLAGS_CF);
    ck_assert_uint_eq(m->cpu.fpu.fsw & (FSW_IE | FSW_SF | FSW_C1), FSW_IE | FSW_SF);
    ck_assert_uint_eq(x87_top(&m->cpu.fpu), 0);
    machine_destroy(m);
}
END_TEST

/* FCOM + FNSTSW AX + SAHF: the classic compiled-C compare. */
START_TEST(test_x87_fnstsw_ax_after_fcom) {
    Machine *m = fpu_machine();
    poke_double(m, DATA, 3.0);
    /* fninit; fld1; fcom qword [esi]; fnstsw ax */
    ck_assert_int_eq(RUN(m, MOV_ESI_DATA, 0xdb, 0xe3, 0xd9, 0xe8, 0xdc, 0x16, 0xdf, 0xe0),
                     STOP_GUEST_EXIT);
    uint16_t ax = (uint16_t)m->cpu.gpr[GPR_RAX];
    ck_assert_uint_eq(ax, m->cpu.fpu.fsw);
    ck_assert_uint_eq(ax & (FSW_C3 | FSW_C2 | FSW_C0), FSW_C0); /* 1 < 3 */
    ck_assert_uint_eq((ax >> 11) & 7, 7);
    ck_assert_uint_eq(m->cpu.fpu.fdp, DATA);  /* FDP: the operand of FCOM */
    ck_assert_uint_eq(m->cpu.fpu.fop, 0x416); /* DC 16 */
    machine_destroy(m);
}
END_TEST

START_TEST(test_x87_fnstsw_m16_and_fnstcw) {
    Machine *m = fpu_machine();
    /* fninit; fld1; fnstsw [esi]; fnstcw [esi+2] */
    ck_assert_int_eq(RUN(m, MOV_ESI_DATA, 0xdb, 0xe3, 0xd9, 0xe8, 0xdd, 0x3e, 0xd9, 0x7e, 0x02),
                     STOP_GUEST_EXIT);
    ck_assert_uint_eq(peek(m, DATA, 2), 7u << 11);
    ck_assert_uint_eq(peek(m, DATA + 2, 2), FCW_INIT);
    machine_destroy(m);
}
END_TEST

START_TEST(test_x87_fxam_empty_and_ftst) {
    Machine *m = fpu_machine();
    ck_assert_int_eq(RUN(m, 0xdb, 0xe3, 0xd9, 0xe5), STOP_GUEST_EXIT); /* fninit; fxam */
    ck_assert_uint_eq(m->cpu.fpu.fsw & (FSW_C3 | FSW_C2 | FSW_C0), FSW_C3 | FSW_C0);
    ck_assert_uint_eq(m->cpu.fpu.fsw & FSW_EXC, 0);
    ck_assert_int_eq(RUN(m, 0xd9, 0xe8, 0xd9, 0xe0, 0xd9, 0xe4), STOP_GUEST_EXIT); /* -1; ftst */
    ck_assert_uint_eq(m->cpu.fpu.fsw & (FSW_C3 | FSW_C2 | FSW_C0), FSW_C0);
    machine_destroy(m);
}
END_TEST

/* ---- loads and stores ---- */

/* FLD m80 is a bit copy: no #IA for an SNaN, no #D for a denormal (SDM
 * Vol. 2 FLD), and the tag says special. */
START_TEST(test_x87_fld_m80_specials_are_bit_exact) {
    static const uint8_t values[3][10] = {
        {0x01, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x80}, /* -denormal */
        {0x01, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x7f}, /* SNaN */
        {0x00, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0xff}, /* -infinity */
    };
    Machine *m = fpu_machine();
    put_bytes(m, DATA, values, sizeof(values));
    /* fninit; fld tbyte [esi]; fld tbyte [esi+10]; fld tbyte [esi+20] */
    ck_assert_int_eq(
        RUN(m, MOV_ESI_DATA, 0xdb, 0xe3, 0xdb, 0x2e, 0xdb, 0x6e, 0x0a, 0xdb, 0x6e, 0x14),
        STOP_GUEST_EXIT);
    FpuState *f = &m->cpu.fpu;
    ck_assert_uint_eq(f->fsw & FSW_EXC, 0);
    assert_reg(st(m, 2), 0x8000, 1);
    assert_reg(st(m, 1), 0x7fff, UINT64_C(0x8000000000000001));
    assert_reg(st(m, 0), 0xffff, UINT64_C(0x8000000000000000));
    for (unsigned i = 0; i < 3; i++)
        ck_assert_uint_eq(x87_tag(f, x87_phys(f, i)), X87_TAG_SPECIAL);
    ck_assert_uint_eq(f->ftw, 0xabff); /* R5..R7 special, R0..R4 empty */
    machine_destroy(m);
}
END_TEST

/* FLD m64 of an SNaN is #IA and loads the quieted NaN; of a denormal, #D. */
START_TEST(test_x87_fld_m64_snan_invalid_denormal_de) {
    Machine *m = fpu_machine();
    uint64_t snan = UINT64_C(0x7ff0000000000001), den = 1;
    put_bytes(m, DATA, &snan, 8);
    put_bytes(m, DATA + 8, &den, 8);
    ck_assert_int_eq(RUN(m, MOV_ESI_DATA, 0xdb, 0xe3, 0xdd, 0x06), STOP_GUEST_EXIT);
    ck_assert_uint_eq(m->cpu.fpu.fsw & FSW_EXC, FSW_IE);
    assert_reg(st(m, 0), 0x7fff, UINT64_C(0xc000000000000800));
    ck_assert_int_eq(RUN(m, 0xdb, 0xe3, 0xdd, 0x46, 0x08), STOP_GUEST_EXIT);
    ck_assert_uint_eq(m->cpu.fpu.fsw & FSW_EXC, FSW_DE);
    assert_reg(st(m, 0), 0x3bcd, UINT64_C(0x8000000000000000)); /* 2^-1074, normalized */
    machine_destroy(m);
}
END_TEST

/* FISTP m32 of +-2.5 and +-1.5 under each FCW.RC (SDM 4.8.4 Table 4-8). */
static int32_t fistp_rc(double v, unsigned rc) {
    Machine *m = fpu_machine();
    uint16_t cw = (uint16_t)(0x037f | rc << 10);
    poke_double(m, DATA, v);
    put_bytes(m, DATA + 8, &cw, 2);
    /* fninit; fldcw [esi+8]; fld qword [esi]; fistp dword [esi+16] */
    ck_assert_int_eq(
        RUN(m, MOV_ESI_DATA, 0xdb, 0xe3, 0xd9, 0x6e, 0x08, 0xdd, 0x06, 0xdb, 0x5e, 0x10),
        STOP_GUEST_EXIT);
    ck_assert_uint_eq(m->cpu.fpu.fsw & FSW_PE, FSW_PE);
    ck_assert_uint_eq(x87_top(&m->cpu.fpu), 0);
    int32_t r = (int32_t)peek(m, DATA + 16, 4);
    machine_destroy(m);
    return r;
}

START_TEST(test_x87_fist_rounds_per_rc) {
    static const struct {
        double v;
        int32_t rn, rd, ru, rz;
    } cases[] = {
        {2.5, 2, 2, 3, 2}, {-2.5, -2, -3, -2, -2}, {1.5, 2, 1, 2, 1}, {-1.5, -2, -2, -1, -1}};
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(cases); i++) {
        ck_assert_int_eq(fistp_rc(cases[i].v, 0), cases[i].rn);
        ck_assert_int_eq(fistp_rc(cases[i].v, 1), cases[i].rd);
        ck_assert_int_eq(fistp_rc(cases[i].v, 2), cases[i].ru);
        ck_assert_int_eq(fistp_rc(cases[i].v, 3), cases[i].rz);
    }
}
END_TEST

START_TEST(test_x87_fisttp_truncates_whatever_rc) {
    Machine *m = fpu_machine();
    uint16_t cw = 0x0b7f; /* round up */
    poke_double(m, DATA, -2.7);
    put_bytes(m, DATA + 8, &cw, 2);
    /* fninit; fldcw [esi+8]; fld qword [esi]; fisttp word [esi+16] */
    ck_assert_int_eq(
        RUN(m, MOV_ESI_DATA, 0xdb, 0xe3, 0xd9, 0x6e, 0x08, 0xdd, 0x06, 0xdf, 0x4e, 0x10),
        STOP_GUEST_EXIT);
    ck_assert_int_eq((int16_t)peek(m, DATA + 16, 2), -2);
    ck_assert_uint_eq(x87_top(&m->cpu.fpu), 0);
    machine_destroy(m);
}
END_TEST

/* FIST out of range: masked #IA stores the integer indefinite. */
START_TEST(test_x87_fist_out_of_range_stores_integer_indefinite) {
    Machine *m = fpu_machine();
    poke_double(m, DATA, 1e10);
    ck_assert_int_eq(RUN(m, MOV_ESI_DATA, 0xdb, 0xe3, 0xdd, 0x06, 0xdf, 0x56, 0x10),
                     STOP_GUEST_EXIT); /* fist word [esi+16] */
    ck_assert_uint_eq(peek(m, DATA + 16, 2), 0x8000);
    ck_assert_uint_eq(m->cpu.fpu.fsw & FSW_IE, FSW_IE);
    machine_destroy(m);
}
END_TEST

/* FSTP m32 overflow: masked gives infinity; unmasked (SDM 8.5.4, memory
 * destination) stores nothing and does not pop. */
START_TEST(test_x87_fst_m32_overflow_masked_and_unmasked) {
    Machine *m = fpu_machine();
    uint16_t cw = 0x0377;
    poke_double(m, DATA, 1e300);
    put_bytes(m, DATA + 8, &cw, 2);
    uint32_t marker = 0x12345678;
    put_bytes(m, DATA + 16, &marker, 4);
    /* fninit; fld qword [esi]; fst dword [esi+16] */
    ck_assert_int_eq(RUN(m, MOV_ESI_DATA, 0xdb, 0xe3, 0xdd, 0x06, 0xd9, 0x56, 0x10),
                     STOP_GUEST_EXIT);
    ck_assert_uint_eq(peek(m, DATA + 16, 4), 0x7f800000);
    put_bytes(m, DATA + 16, &marker, 4);
    /* fnclex; fldcw [esi+8] (OM clear); fstp dword [esi+16] */
    ck_assert_int_eq(RUN(m, 0xdb, 0xe2, 0xd9, 0x6e, 0x08, 0xd9, 0x5e, 0x10), STOP_GUEST_EXIT);
    ck_assert_uint_eq(peek(m, DATA + 16, 4), marker);
    ck_assert_uint_eq(x87_top(&m->cpu.fpu), 7);
    ck_assert_uint_eq(m->cpu.fpu.fsw & (FSW_OE | FSW_ES), FSW_OE | FSW_ES);
    machine_destroy(m);
}
END_TEST

/* Unmasked overflow to a register stores the result with the exponent
 * divided by 2^24576 (SDM 8.5.4 "Destination is the register stack"). */
START_TEST(test_x87_overflow_unmasked_register_gets_biased_result) {
    Machine *m = fpu_machine();
    static const uint8_t big[10] = {0, 0, 0, 0, 0, 0, 0, 0x80, 0xfe, 0x7f}; /* 2^16383 */
    uint16_t cw = 0x0377;
    put_bytes(m, DATA, big, 10);
    put_bytes(m, DATA + 16, &cw, 2);
    /* fninit; fldcw [esi+16]; fld tbyte [esi]; fadd st0, st0 */
    ck_assert_int_eq(RUN(m, MOV_ESI_DATA, 0xdb, 0xe3, 0xd9, 0x6e, 0x10, 0xdb, 0x2e, 0xd8, 0xc0),
                     STOP_GUEST_EXIT);
    ck_assert_uint_eq(m->cpu.fpu.fsw & FSW_OE, FSW_OE);
    assert_reg(st(m, 0), 0x1fff, UINT64_C(0x8000000000000000)); /* 2^(16384 - 24576) */
    machine_destroy(m);
}
END_TEST

START_TEST(test_x87_fst_memory_fault_changes_nothing) {
    Machine *m = fpu_machine();
    stop_on(m, EXC_GP);
    m->cpu.seg[SEG_DS].limit = 0x2fff; /* DATA is beyond the limit */
    /* fninit; fld1; fstp dword [esi] */
    ck_assert_int_eq(RUN(m, MOV_ESI_DATA, 0xdb, 0xe3, 0xd9, 0xe8, 0xd9, 0x1e), STOP_EXCEPTION);
    ck_assert_uint_eq(m->cpu.fault.vector, EXC_GP);
    ck_assert_uint_eq(x87_top(&m->cpu.fpu), 7); /* no pop */
    ck_assert_uint_eq(m->cpu.fpu.fop, 0x1e8);   /* FOP still that of FLD1 (D9 E8) */
    machine_destroy(m);
}
END_TEST

START_TEST(test_x87_fxch_and_fcmov) {
    Machine *m = fpu_machine();
    /* fninit; fld1; fldz; fxch st1 -> ST0 = 1, ST1 = 0 */
    ck_assert_int_eq(RUN(m, 0xdb, 0xe3, 0xd9, 0xe8, 0xd9, 0xee, 0xd9, 0xc9), STOP_GUEST_EXIT);
    assert_reg(st(m, 0), 0x3fff, UINT64_C(0x8000000000000000));
    assert_reg(st(m, 1), 0, 0);
    cpu_set_rflags(&m->cpu, RFLAGS_FIXED1);                /* CF = 0 */
    ck_assert_int_eq(RUN(m, 0xda, 0xc1), STOP_GUEST_EXIT); /* fcmovb: not taken */
    assert_reg(st(m, 0), 0x3fff, UINT64_C(0x8000000000000000));
    ck_assert_int_eq(RUN(m, 0xdb, 0xc1), STOP_GUEST_EXIT); /* fcmovnb: taken */
    assert_reg(st(m, 0), 0, 0);
    ck_assert_uint_eq(x87_tag(&m->cpu.fpu, x87_phys(&m->cpu.fpu, 0)), X87_TAG_ZERO);
    machine_destroy(m);
}
END_TEST

START_TEST(test_x87_ffree_fincstp_fdecstp) {
    Machine *m = fpu_machine();
    /* fninit; fld1; ffree st0; fincstp */
    ck_assert_int_eq(RUN(m, 0xdb, 0xe3, 0xd9, 0xe8, 0xdd, 0xc0, 0xd9, 0xf7), STOP_GUEST_EXIT);
    ck_assert_uint_eq(m->cpu.fpu.ftw, 0xffff);
    ck_assert_uint_eq(x87_top(&m->cpu.fpu), 0);
    ck_assert_int_eq(RUN(m, 0xd9, 0xf6, 0xd9, 0xf6), STOP_GUEST_EXIT); /* fdecstp x2 */
    ck_assert_uint_eq(x87_top(&m->cpu.fpu), 6);
    machine_destroy(m);
}
END_TEST

START_TEST(test_x87_constants_and_arithmetic) {
    Machine *m = fpu_machine();
    /* fninit; fldpi; fld1; faddp; fsqrt; fstp qword [esi] */
    ck_assert_int_eq(RUN(m, MOV_ESI_DATA, 0xdb, 0xe3, 0xd9, 0xeb, 0xd9, 0xe8, 0xde, 0xc1, 0xd9,
                         0xfa, 0xdd, 0x1e),
                     STOP_GUEST_EXIT);
    uint64_t bits = peek(m, DATA, 8);
    double v;
    memcpy(&v, &bits, 8);
    ck_assert(v > 2.035 && v < 2.036); /* sqrt(pi + 1) */
    ck_assert_uint_eq(m->cpu.fpu.ftw, 0xffff);
    machine_destroy(m);
}
END_TEST

/* ---- environment and state images (SDM 8.1.10) ---- */

/* A known state: FCW 0x0273, ST0 = 1.0 (TOP 7), FIP/FOP of the FADD at
 * CODE + 9, FDP = DATA + 32. */
#define KNOWN_STATE_CODE                                                                           \
    MOV_ESI_DATA, 0xdb, 0xe3, 0xd9, 0xe8, 0x66, 0xd8, 0x46, 0x20 /* o16 fadd dword [esi+32] */

START_TEST(test_x87_fnstenv_protected_32bit_layout) {
    Machine *m = fpu_machine();
    /* ...; fnstenv [esi+64] */
    ck_assert_int_eq(RUN(m, KNOWN_STATE_CODE, 0xd9, 0x76, 0x40), STOP_GUEST_EXIT);
    ck_assert_uint_eq(peek(m, DATA + 64, 4), 0xffff037f);
    ck_assert_uint_eq(peek(m, DATA + 68, 4), 0xffff0000u | 7u << 11);
    ck_assert_uint_eq(peek(m, DATA + 72, 4), 0xffff3fff); /* R7 valid */
    ck_assert_uint_eq(peek(m, DATA + 76, 4), CODE + 9);   /* FIP at the 66 prefix */
    ck_assert_uint_eq(peek(m, DATA + 80, 4), 0x08 | 0x046u << 16);
    ck_assert_uint_eq(peek(m, DATA + 84, 4), DATA + 32);
    ck_assert_uint_eq(peek(m, DATA + 88, 4), 0xffff0010);
    ck_assert_uint_eq(m->cpu.fpu.fcw, 0x037f); /* already all masked */
    machine_destroy(m);
}
END_TEST

START_TEST(test_x87_fnstenv_protected_16bit_layout_masks_exceptions) {
    Machine *m = fpu_machine();
    uint16_t cw = 0x0360;
    put_bytes(m, DATA + 48, &cw, 2);
    /* ...; fldcw [esi+48]; o16 fnstenv [esi+64] */
    ck_assert_int_eq(RUN(m, KNOWN_STATE_CODE, 0xd9, 0x6e, 0x30, 0x66, 0xd9, 0x76, 0x40),
                     STOP_GUEST_EXIT);
    ck_assert_uint_eq(peek(m, DATA + 64, 2), 0x0360);
    ck_assert_uint_eq(peek(m, DATA + 66, 2), 7u << 11);
    ck_assert_uint_eq(peek(m, DATA + 68, 2), 0x3fff);
    ck_assert_uint_eq(peek(m, DATA + 70, 2), CODE + 9);
    ck_assert_uint_eq(peek(m, DATA + 72, 2), 0x08);
    ck_assert_uint_eq(peek(m, DATA + 74, 2), DATA + 32);
    ck_assert_uint_eq(peek(m, DATA + 76, 2), 0x10);
    ck_assert_uint_eq(m->cpu.fpu.fcw, 0x037f); /* FNSTENV masks everything */
    machine_destroy(m);
}
END_TEST

/* Real-address mode at CS = 0x0100: the images hold linear pointers
 * (Figures 8-10 and 8-12). */
static Machine *real_mode_machine(void) {
    Machine *m = fpu_machine();
    CpuState *c = &m->cpu;
    c->cr0 = CR0_ET | CR0_NE;
    c->seg[SEG_CS] = (Segment){
        0x0100, 0xffff, AR_TYPE_CODE | AR_TYPE_WRITABLE | AR_TYPE_ACCESSED | AR_S | AR_P, 0x1000};
    for (unsigned s = 0; s < 6; s++) {
        if (s != SEG_CS)
            c->seg[s] = (Segment){0, 0xffff, AR_TYPE_WRITABLE | AR_TYPE_ACCESSED | AR_S | AR_P, 0};
    }
    cpu_update_mode(c);
    return m;
}

/* At CS:0 (linear CODE): mov si, DATA; fninit; fld1; fadd dword [si+32] */
#define REAL_STATE_CODE 0xbe, 0x00, 0x30, 0xdb, 0xe3, 0xd9, 0xe8, 0xd8, 0x44, 0x20

START_TEST(test_x87_fnstenv_real_mode_16bit_layout) {
    Machine *m = real_mode_machine();
    /* ...; fnstenv [si+64] */
    static const uint8_t code[] = {REAL_STATE_CODE, 0xd9, 0x74, 0x40, 0xb0, 0x00, 0xe6, 0xf4};
    test_poke(m, CODE, code, sizeof(code));
    m->cpu.RIP = 0;
    ck_assert_int_eq(machine_run(m, 100), STOP_GUEST_EXIT);
    ck_assert_uint_eq(peek(m, DATA + 70, 2), CODE + 7);  /* IP 15..0 */
    ck_assert_uint_eq(peek(m, DATA + 72, 2), 0x044);     /* IP 19..16 = 0, FOP */
    ck_assert_uint_eq(peek(m, DATA + 74, 2), DATA + 32); /* DP 15..0 */
    ck_assert_uint_eq(peek(m, DATA + 76, 2), 0);         /* DP 19..16 */
    machine_destroy(m);
}
END_TEST

START_TEST(test_x87_fnstenv_real_mode_32bit_layout) {
    Machine *m = real_mode_machine();
    m->cpu.seg[SEG_CS].selector = 0x1100; /* base 0x11000 as the selector says */
    m->cpu.seg[SEG_CS].base = 0x11000;
    static const uint8_t code[] = {REAL_STATE_CODE, 0x66, 0xd9, 0x74, 0x40, 0xb0, 0x00, 0xe6, 0xf4};
    test_poke(m, 0x11000, code, sizeof(code));
    m->cpu.RIP = 0;
    ck_assert_int_eq(machine_run(m, 100), STOP_GUEST_EXIT);
    ck_assert_uint_eq(peek(m, DATA + 76, 4), 0xffff0000u | 0x1007); /* IP 15..0 */
    ck_assert_uint_eq(peek(m, DATA + 80, 4), 0x1u << 12 | 0x044);   /* IP 31..16, FOP */
    ck_assert_uint_eq(peek(m, DATA + 84, 4), 0xffff0000u | (DATA + 32));
    ck_assert_uint_eq(peek(m, DATA + 88, 4), 0);
    machine_destroy(m);
}
END_TEST

/* FSAVE then FRSTOR gives back the same state; in between the FPU is as
 * after FNINIT. */
START_TEST(test_x87_fsave_frstor_round_trip) {
    Machine *m = fpu_machine();
    uint16_t cw = 0x0a7f;
    put_bytes(m, DATA + 48, &cw, 2);
    /* ...; fldcw [esi+48]; fldpi; fldz; fld1 (TOP 4); fsave [esi+128] */
    ck_assert_int_eq(RUN(m, KNOWN_STATE_CODE, 0xd9, 0x6e, 0x30, 0xd9, 0xeb, 0xd9, 0xee, 0xd9, 0xe8,
                         0x9b, 0xdd, 0xb6, 0x80, 0x00, 0x00, 0x00),
                     STOP_GUEST_EXIT);
    FpuState saved = m->cpu.fpu;
    ck_assert_uint_eq(m->cpu.fpu.fcw, FCW_INIT);
    ck_assert_uint_eq(m->cpu.fpu.ftw, 0xffff);
    ck_assert_uint_eq(m->cpu.fpu.fip, 0);
    ck_assert_uint_eq(peek(m, DATA + 128 + 28, 8), UINT64_C(0x8000000000000000)); /* ST0 = 1.0 */
    ck_assert_uint_eq(peek(m, DATA + 128 + 36, 2), 0x3fff);
    /* frstor [esi+128] */
    ck_assert_int_eq(RUN(m, 0xdd, 0xa6, 0x80, 0x00, 0x00, 0x00), STOP_GUEST_EXIT);
    FpuState *f = &m->cpu.fpu;
    ck_assert_uint_eq(f->fcw, 0x0a7f);
    ck_assert_uint_eq(x87_top(f), 4);
    ck_assert_uint_eq(f->ftw, 0x04ff);    /* R4 1.0, R5 zero, R6 pi, R7 1.0; R0..R3 empty */
    ck_assert_uint_eq(f->fip, CODE + 20); /* the FLD1, the last non-control instruction */
    ck_assert_uint_eq(f->fop, 0x1e8);
    ck_assert_uint_eq(f->fdp, DATA + 32);
    ck_assert_uint_eq(f->fcs, 0x08);
    ck_assert_uint_eq(f->fds, 0x10);
    for (unsigned i = 0; i < 4; i++)
        assert_reg(st(m, i), saved.r[(4 + i) & 7].sign_exponent, saved.r[(4 + i) & 7].significand);
    machine_destroy(m);
}
END_TEST

/* FLDENV takes "empty" from the image's tags and recomputes the others. */
START_TEST(test_x87_fldenv_recomputes_tags_and_es) {
    Machine *m = fpu_machine();
    uint8_t env[28];
    memset(env, 0, sizeof(env));
    env[0] = 0x7b, env[1] = 0x03;   /* FCW: ZM clear */
    env[4] = FSW_ZE, env[5] = 0x38; /* FSW: ZE, TOP 7, no ES */
    env[8] = 0x00, env[9] = 0x00;   /* all "valid" */
    put_bytes(m, DATA, env, sizeof(env));
    /* fninit; fldz (R7 = 0); fldenv [esi] */
    ck_assert_int_eq(RUN(m, MOV_ESI_DATA, 0xdb, 0xe3, 0xd9, 0xee, 0xd9, 0x26), STOP_GUEST_EXIT);
    FpuState *f = &m->cpu.fpu;
    ck_assert_uint_eq(x87_tag(f, 7), X87_TAG_ZERO);
    ck_assert_uint_eq(f->fsw & (FSW_ES | FSW_B), FSW_ES | FSW_B);
    machine_destroy(m);
}
END_TEST

/* ---- differential tests against the host x87 ---- */

/* One case: an FSAVE image (32-bit protected format), the 16-byte memory
 * operand, and SF ZF AF PF CF (LAHF layout). */
typedef struct DiffCase {
    uint8_t img[108];
    uint8_t mem[16];
    uint8_t flags;
} DiffCase;

/* On the host: load the state, run the instruction, save the state.  FNSAVE
 * is non-waiting, so an unmasked exception the instruction raised is never
 * delivered to the test process; FNSAVE also leaves the host x87 initialised. */
#define HOST_INSN(b0, b1)                                                                          \
    __asm__ volatile("movzbl %[fl], %%eax\n\t"                                                     \
                     "shll $8, %%eax\n\t"                                                          \
                     "sahf\n\t"                                                                    \
                     "frstor %[img]\n\t"                                                           \
                     ".byte " #b0 ", " #b1 "\n\t"                                                  \
                     "lahf\n\t"                                                                    \
                     "shrl $8, %%eax\n\t"                                                          \
                     "movb %%al, %[fl]\n\t"                                                        \
                     "fnsave %[img]"                                                               \
                     : [img] "+m"(c->img), [fl] "+m"(c->flags), [mem] "+m"(c->mem)                 \
                     : "S"(c->mem)                                                                 \
                     : "rax", "cc", "memory", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)",   \
                       "st(6)", "st(7)")

/* Encodings under test.  Memory forms use ModR/M 06/0E/... = [esi] in
 * 32-bit code and [rsi] on the 64-bit host. */
/* clang-format off */
#define DIFF_INSNS(X)                                                                              \
    X(fadd_st0_st0, 0xd8, 0xc0)                                                                    \
    X(fadd_st0_st1, 0xd8, 0xc1)                                                                    \
    X(fadd_st0_st3, 0xd8, 0xc3)                                                                    \
    X(fmul_st0_st1, 0xd8, 0xc9)                                                                    \
    X(fcom_st1, 0xd8, 0xd1)                                                                        \
    X(fcomp_st2, 0xd8, 0xda)                                                                       \
    X(fsub_st0_st1, 0xd8, 0xe1)                                                                    \
    X(fsubr_st0_st1, 0xd8, 0xe9)                                                                   \
    X(fdiv_st0_st1, 0xd8, 0xf1)                                                                    \
    X(fdivr_st0_st1, 0xd8, 0xf9)                                                                   \
    X(fadd_m32, 0xd8, 0x06)                                                                        \
    X(fmul_m32, 0xd8, 0x0e)                                                                        \
    X(fcom_m32, 0xd8, 0x16)                                                                        \
    X(fcomp_m32, 0xd8, 0x1e)                                                                       \
    X(fsub_m32, 0xd8, 0x26)                                                                        \
    X(fsubr_m32, 0xd8, 0x2e)                                                                       \
    X(fdiv_m32, 0xd8, 0x36)                                                                        \
    X(fdivr_m32, 0xd8, 0x3e)                                                                       \
    X(fld_m32, 0xd9, 0x06)                                                                         \
    X(fst_m32, 0xd9, 0x16)                                                                         \
    X(fstp_m32, 0xd9, 0x1e)                                                                        \
    X(fldcw_m16, 0xd9, 0x2e)                                                                       \
    X(fnstcw_m16, 0xd9, 0x3e)                                                                      \
    X(fld_st0, 0xd9, 0xc0)                                                                         \
    X(fld_st2, 0xd9, 0xc2)                                                                         \
    X(fxch_st1, 0xd9, 0xc9)                                                                        \
    X(fxch_st0, 0xd9, 0xc8)                                                                        \
    X(fnop, 0xd9, 0xd0)                                                                            \
    X(fstpnce_st1, 0xd9, 0xd9)                                                                     \
    X(fchs, 0xd9, 0xe0)                                                                            \
    X(fabs, 0xd9, 0xe1)                                                                            \
    X(ftst, 0xd9, 0xe4)                                                                            \
    X(fxam, 0xd9, 0xe5)                                                                            \
    X(fld1, 0xd9, 0xe8)                                                                            \
    X(fldl2t, 0xd9, 0xe9)                                                                          \
    X(fldl2e, 0xd9, 0xea)                                                                          \
    X(fldpi, 0xd9, 0xeb)                                                                           \
    X(fldlg2, 0xd9, 0xec)                                                                          \
    X(fldln2, 0xd9, 0xed)                                                                          \
    X(fldz, 0xd9, 0xee)                                                                            \
    X(f2xm1, 0xd9, 0xf0)                                                                           \
    X(fyl2x, 0xd9, 0xf1)                                                                           \
    X(fptan, 0xd9, 0xf2)                                                                           \
    X(fpatan, 0xd9, 0xf3)                                                                          \
    X(fxtract, 0xd9, 0xf4)                                                                         \
    X(fprem1, 0xd9, 0xf5)                                                                          \
    X(fdecstp, 0xd9, 0xf6)                                                                         \
    X(fincstp, 0xd9, 0xf7)                                                                         \
    X(fprem, 0xd9, 0xf8)                                                                           \
    X(fyl2xp1, 0xd9, 0xf9)                                                                         \
    X(fsqrt, 0xd9, 0xfa)                                                                           \
    X(fsincos, 0xd9, 0xfb)                                                                         \
    X(frndint, 0xd9, 0xfc)                                                                         \
    X(fscale, 0xd9, 0xfd)                                                                          \
    X(fsin, 0xd9, 0xfe)                                                                            \
    X(fcos, 0xd9, 0xff)                                                                            \
    X(fiadd_m32, 0xda, 0x06)                                                                       \
    X(fimul_m32, 0xda, 0x0e)                                                                       \
    X(ficom_m32, 0xda, 0x16)                                                                       \
    X(ficomp_m32, 0xda, 0x1e)                                                                      \
    X(fisub_m32, 0xda, 0x26)                                                                       \
    X(fisubr_m32, 0xda, 0x2e)                                                                      \
    X(fidiv_m32, 0xda, 0x36)                                                                       \
    X(fidivr_m32, 0xda, 0x3e)                                                                      \
    X(fcmovb_st1, 0xda, 0xc1)                                                                      \
    X(fcmove_st2, 0xda, 0xca)                                                                      \
    X(fcmovbe_st1, 0xda, 0xd1)                                                                     \
    X(fcmovu_st1, 0xda, 0xd9)                                                                      \
    X(fucompp, 0xda, 0xe9)                                                                         \
    X(fild_m32, 0xdb, 0x06)                                                                        \
    X(fisttp_m32, 0xdb, 0x0e)                                                                      \
    X(fist_m32, 0xdb, 0x16)                                                                        \
    X(fistp_m32, 0xdb, 0x1e)                                                                       \
    X(fld_m80, 0xdb, 0x2e)                                                                         \
    X(fstp_m80, 0xdb, 0x3e)                                                                        \
    X(fcmovnb_st1, 0xdb, 0xc1)                                                                     \
    X(fcmovne_st1, 0xdb, 0xc9)                                                                     \
    X(fcmovnbe_st1, 0xdb, 0xd1)                                                                    \
    X(fcmovnu_st1, 0xdb, 0xd9)                                                                     \
    X(fnclex, 0xdb, 0xe2)                                                                          \
    X(fucomi_st1, 0xdb, 0xe9)                                                                      \
    X(fcomi_st1, 0xdb, 0xf1)                                                                       \
    X(fcomi_st0, 0xdb, 0xf0)                                                                       \
    X(fadd_m64, 0xdc, 0x06)                                                                        \
    X(fmul_m64, 0xdc, 0x0e)                                                                        \
    X(fcom_m64, 0xdc, 0x16)                                                                        \
    X(fcomp_m64, 0xdc, 0x1e)                                                                       \
    X(fsub_m64, 0xdc, 0x26)                                                                        \
    X(fsubr_m64, 0xdc, 0x2e)                                                                       \
    X(fdiv_m64, 0xdc, 0x36)                                                                        \
    X(fdivr_m64, 0xdc, 0x3e)                                                                       \
    X(fadd_st1_st0, 0xdc, 0xc1)                                                                    \
    X(fmul_st2_st0, 0xdc, 0xca)                                                                    \
    X(fcom2_st1, 0xdc, 0xd1)                                                                       \
    X(fcomp3_st1, 0xdc, 0xd9)                                                                      \
    X(fsubr_st1_st0, 0xdc, 0xe1)                                                                   \
    X(fsub_st1_st0, 0xdc, 0xe9)                                                                    \
    X(fdivr_st1_st0, 0xdc, 0xf1)                                                                   \
    X(fdiv_st1_st0, 0xdc, 0xf9)                                                                    \
    X(fld_m64, 0xdd, 0x06)                                                                         \
    X(fisttp_m64, 0xdd, 0x0e)                                                                      \
    X(fst_m64, 0xdd, 0x16)                                                                         \
    X(fstp_m64, 0xdd, 0x1e)                                                                        \
    X(fnstsw_m16, 0xdd, 0x3e)                                                                      \
    X(ffree_st1, 0xdd, 0xc1)                                                                       \
    X(fxch4_st1, 0xdd, 0xc9)                                                                       \
    X(fst_st1, 0xdd, 0xd1)                                                                         \
    X(fst_st0, 0xdd, 0xd0)                                                                         \
    X(fstp_st1, 0xdd, 0xd9)                                                                        \
    X(fstp_st0, 0xdd, 0xd8)                                                                        \
    X(fucom_st1, 0xdd, 0xe1)                                                                       \
    X(fucomp_st1, 0xdd, 0xe9)                                                                      \
    X(fiadd_m16, 0xde, 0x06)                                                                       \
    X(fimul_m16, 0xde, 0x0e)                                                                       \
    X(ficom_m16, 0xde, 0x16)                                                                       \
    X(ficomp_m16, 0xde, 0x1e)                                                                      \
    X(fisub_m16, 0xde, 0x26)                                                                       \
    X(fisubr_m16, 0xde, 0x2e)                                                                      \
    X(fidiv_m16, 0xde, 0x36)                                                                       \
    X(fidivr_m16, 0xde, 0x3e)                                                                      \
    X(faddp_st1, 0xde, 0xc1)                                                                       \
    X(faddp_st0, 0xde, 0xc0)                                                                       \
    X(fmulp_st2, 0xde, 0xca)                                                                       \
    X(fcomp5_st1, 0xde, 0xd1)                                                                      \
    X(fcompp, 0xde, 0xd9)                                                                          \
    X(fsubrp_st1, 0xde, 0xe1)                                                                      \
    X(fsubp_st1, 0xde, 0xe9)                                                                       \
    X(fdivrp_st1, 0xde, 0xf1)                                                                      \
    X(fdivp_st1, 0xde, 0xf9)                                                                       \
    X(fild_m16, 0xdf, 0x06)                                                                        \
    X(fisttp_m16, 0xdf, 0x0e)                                                                      \
    X(fist_m16, 0xdf, 0x16)                                                                        \
    X(fistp_m16, 0xdf, 0x1e)                                                                       \
    X(fbld, 0xdf, 0x26)                                                                            \
    X(fild_m64, 0xdf, 0x2e)                                                                        \
    X(fbstp, 0xdf, 0x36)                                                                           \
    X(fistp_m64, 0xdf, 0x3e)                                                                       \
    X(ffreep_st1, 0xdf, 0xc1)                                                                      \
    X(fxch7_st1, 0xdf, 0xc9)                                                                       \
    X(fstp8_st1, 0xdf, 0xd1)                                                                       \
    X(fstp9_st1, 0xdf, 0xd9)                                                                       \
    X(fucomip_st1, 0xdf, 0xe9)                                                                     \
    X(fcomip_st1, 0xdf, 0xf1)
/* clang-format on */

#define X(name, b0, b1)                                                                            \
    static void host_##name(DiffCase *c) {                                                         \
        HOST_INSN(b0, b1);                                                                         \
    }
DIFF_INSNS(X)
#undef X

static const struct {
    const char *name;
    uint8_t bytes[2];
    void (*host)(DiffCase *);
} diff_insns[] = {
#define X(name, b0, b1) {#name, {b0, b1}, host_##name},
    DIFF_INSNS(X)
#undef X
};

enum { DIFF_CASES = 300 };

static uint64_t rng(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A value of one of the interesting classes: zeros, denormals,
 * pseudo-denormals, unnormals, infinities, NaNs, pseudo-NaNs, integers,
 * and normals of small, medium, huge and tiny magnitude. */
static X87Reg random_value(uint64_t *s) {
    uint64_t r = rng(s), sig = rng(s);
    uint16_t sign = (r & 1) ? 0x8000 : 0;
    switch ((r >> 1) % 14) {
    case 0:
        return (X87Reg){0, sign};
    case 1:
        return (X87Reg){sig >> 1 >> (r >> 8 & 31), sign};
    case 2:
        return (X87Reg){sig | UINT64_C(1) << 63, sign};
    case 3:
        return (X87Reg){sig >> 1, (uint16_t)(sign | (0x3fff + (r >> 8 & 63)))};
    case 4:
        return (X87Reg){UINT64_C(1) << 63, (uint16_t)(sign | 0x7fff)};
    case 5:
        return (X87Reg){sig | UINT64_C(3) << 62, (uint16_t)(sign | 0x7fff)};
    case 6:
        return (X87Reg){(sig >> 2 | 1) | UINT64_C(1) << 63, (uint16_t)(sign | 0x7fff)};
    case 7:
        return (X87Reg){sig >> 1, (uint16_t)(sign | 0x7fff)};
    case 8:
        return (X87Reg){(sig | UINT64_C(1) << 63) & ~(UINT64_C(-1) >> (r >> 8 & 15)),
                        (uint16_t)(sign | (0x3fff + (r >> 16 & 15)))};
    case 9:
        return (X87Reg){sig | UINT64_C(1) << 63, (uint16_t)(sign | (0x7ffe - (r >> 8 & 7)))};
    case 10:
        return (X87Reg){sig | UINT64_C(1) << 63, (uint16_t)(sign | (1 + (r >> 8 & 7)))};
    case 11:
        return (X87Reg){sig | UINT64_C(1) << 63, (uint16_t)(sign | (0x403d + (r >> 8 & 3)))};
    default:
        return (X87Reg){sig | UINT64_C(1) << 63, (uint16_t)(sign | (0x3fbf + (r >> 8 & 127)))};
    }
}

/* The memory operand: a float, a double, an 80-bit value, a small integer,
 * or random bytes. */
static void random_mem(uint64_t *s, uint8_t mem[16]) {
    static const uint32_t f32[] = {0,          0x80000000, 1,          0x807fffff,
                                   0x7f800000, 0xff800000, 0x7fc00001, 0x7f800001,
                                   0x3fc00000, 0xc0200000, 0x7f7fffff};
    static const uint64_t f64[] = {0,
                                   1,
                                   UINT64_C(0x7ff0000000000000),
                                   UINT64_C(0x7ff8000000000001),
                                   UINT64_C(0x7ff0000000000001),
                                   UINT64_C(0x3ff8000000000000),
                                   UINT64_C(0xc00c000000000000),
                                   UINT64_C(0x000fffffffffffff)};
    uint64_t r = rng(s), a = rng(s), b = rng(s);
    memcpy(mem, &a, 8);
    memcpy(mem + 8, &b, 8);
    if (r % 5 == 0) {
        memcpy(mem, &f32[(r >> 8) % SIM_ARRAY_SIZE(f32)], 4);
    } else if (r % 5 == 1) {
        memcpy(mem, &f64[(r >> 8) % SIM_ARRAY_SIZE(f64)], 8);
    } else if (r % 5 == 2) {
        X87Reg v = random_value(s);
        memcpy(mem, &v.significand, 8);
        memcpy(mem + 8, &v.sign_exponent, 2);
    } else if (r % 5 == 3) {
        int64_t small = (int64_t)(a % 2001) - 1000;
        memcpy(mem, &small, 8);
    }
}

static void put16le(uint8_t *p, unsigned v) {
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}

/* A state with no unmasked exception pending (the host would trap). */
static void random_case(uint64_t *s, DiffCase *c) {
    uint64_t r = rng(s);
    unsigned masks = (r & 1) ? 0x3f : (unsigned)(r >> 1 & 0x3f);
    unsigned pc = (unsigned)(r >> 8 & 3), rc = (unsigned)(r >> 10 & 3);
    unsigned fcw = 0x40 | masks | pc << 8 | rc << 10;
    unsigned fsw = (unsigned)(rng(s) & (FSW_CC | FSW_TOP)) | (unsigned)(r >> 16 & masks);
    unsigned ftw = 0;
    for (unsigned p = 0; p < 8; p++)
        ftw |= (rng(s) % 3 == 0 ? 3u : 0u) << (2 * p);
    memset(c->img, 0xff, 28);
    put16le(c->img + 0, fcw);
    put16le(c->img + 4, fsw);
    put16le(c->img + 8, ftw);
    memset(c->img + 12, 0, 16);
    for (unsigned i = 0; i < 8; i++) {
        X87Reg v = random_value(s);
        memcpy(c->img + 28 + 10 * i, &v.significand, 8);
        memcpy(c->img + 36 + 10 * i, &v.sign_exponent, 2);
    }
    random_mem(s, c->mem);
    c->flags = (uint8_t)(rng(s) & 0xd5);
}

/* In vmxsim: fninit; mov ah, flags; sahf; frstor [ebx]; <insn>; lahf;
 * fnsave [ebx]; mov [ebx+0x70], ah; exit. */
static void sim_case(Machine *m, unsigned insn, DiffCase *c) {
    uint8_t code[] = {0xdb,
                      0xe3,
                      0xb4,
                      c->flags,
                      0x9e,
                      0xdd,
                      0x23,
                      diff_insns[insn].bytes[0],
                      diff_insns[insn].bytes[1],
                      0x9f,
                      0xdd,
                      0x33,
                      0x88,
                      0x63,
                      0x70,
                      0xb0,
                      0x00,
                      0xe6,
                      0xf4};
    uint64_t at = CODE + 0x40 * insn; /* code stays put across the cases of one encoding */
    test_poke(m, at, code, sizeof(code));
    test_enter_flat32(m, at);
    m->cpu.cr0 |= CR0_NE;
    m->cpu.gpr[GPR_RBX] = IMAGE;
    m->cpu.gpr[GPR_RSI] = MEMOP;
    test_poke(m, IMAGE, c->img, sizeof(c->img));
    test_poke(m, MEMOP, c->mem, sizeof(c->mem));
    ck_assert_int_eq(machine_run(m, 100), STOP_GUEST_EXIT);
    mem_phys_read_bytes(&m->mem, IMAGE, c->img, sizeof(c->img));
    mem_phys_read_bytes(&m->mem, MEMOP, c->mem, sizeof(c->mem));
    c->flags = (uint8_t)(peek(m, IMAGE + 0x70, 1) & 0xd5);
}

static void dump_case(char *buf, size_t n, const char *what, const DiffCase *c) {
    int k = snprintf(buf, n, "%s: cw %02x%02x sw %02x%02x tw %02x%02x fl %02x mem ", what,
                     c->img[1], c->img[0], c->img[5], c->img[4], c->img[9], c->img[8], c->flags);
    for (unsigned i = 0; i < 10 && k > 0 && (size_t)k < n; i++)
        k += snprintf(buf + k, n - (size_t)k, "%02x", c->mem[9 - i]);
    for (unsigned r = 0; r < 8 && k > 0 && (size_t)k < n; r++) {
        k += snprintf(buf + k, n - (size_t)k, " st%u=", r);
        for (unsigned i = 0; i < 10 && k > 0 && (size_t)k < n; i++)
            k += snprintf(buf + k, n - (size_t)k, "%02x", c->img[28 + 10 * r + 9 - i]);
    }
}

/* FCW, FSW, FTW, the registers, the memory operand and the flags; not the
 * pointers (the host's FIP/FDP are 64-bit addresses and its FOP is kept only
 * on unmasked exceptions). */
static bool same_result(const DiffCase *a, const DiffCase *b) {
    return memcmp(a->img, b->img, 12) == 0 && memcmp(a->img + 28, b->img + 28, 80) == 0 &&
           memcmp(a->mem, b->mem, sizeof(a->mem)) == 0 && a->flags == b->flags;
}

START_TEST(test_x87_diff_matches_host) {
    Machine *m = fpu_machine();
    uint64_t seed = UINT64_C(0x9e3779b97f4a7c15) ^ (uint64_t)_i * 0x10001;
    for (unsigned k = 0; k < DIFF_CASES; k++) {
        DiffCase in, host, sim;
        random_case(&seed, &in);
        host = sim = in;
        diff_insns[_i].host(&host);
        host.flags &= 0xd5;
        sim_case(m, (unsigned)_i, &sim);
        if (!same_result(&host, &sim)) {
            char a[400], b[400], c[400];
            dump_case(a, sizeof(a), "input", &in);
            dump_case(b, sizeof(b), "host ", &host);
            dump_case(c, sizeof(c), "sim  ", &sim);
            ck_abort_msg("%s case %u differs\n%s\n%s\n%s", diff_insns[_i].name, k, a, b, c);
        }
    }
    machine_destroy(m);
}
END_TEST

static Suite *x87_suite(void) {
    Suite *s = suite_create("x87");
    TCase *tc = tcase_create("behaviour");
    tcase_add_test(tc, test_x87_ts_set_raises_nm);
    tcase_add_test(tc, test_x87_ts_clear_no_nm);
    tcase_add_test(tc, test_x87_em_set_raises_nm);
    tcase_add_test(tc, test_x87_fwait_mp_and_ts_raises_nm);
    tcase_add_test(tc, test_x87_fwait_ts_without_mp_no_nm);
    tcase_add_test(tc, test_x87_model_without_fpu_raises_ud);
    tcase_add_test(tc, test_x87_fisttp_without_sse3_raises_ud);
    tcase_add_test(tc, test_x87_underflow_masked_gives_indefinite);
    tcase_add_test(tc, test_x87_underflow_unmasked_leaves_stack_and_mf_on_fwait);
    tcase_add_test(tc, test_x87_overflow_masked_sets_c1_and_pushes_indefinite);
    tcase_add_test(tc, test_x87_zero_divide_unmasked_keeps_destination_and_mf_at_fwait);
    tcase_add_test(tc, test_x87_zero_divide_masked_gives_infinity_no_mf);
    tcase_add_test(tc, test_x87_ne_clear_pending_exception_not_delivered);
    tcase_add_test(tc, test_x87_pending_exception_taken_by_next_waiting_instruction);
    tcase_add_test(tc, test_x87_finit_with_pending_exception_faults_at_fwait_prefix);
    tcase_add_test(tc, test_x87_fninit_with_pending_exception_no_mf);
    tcase_add_test(tc, test_x87_fldcw_unmasking_flag_sets_es);
    tcase_add_test(tc, test_x87_fnclex_clears_flags_keeps_condition_codes);
    tcase_add_test(tc, test_x87_fcomi_sets_zf_pf_cf);
    tcase_add_test(tc, test_x87_fcomi_qnan_invalid_fucomi_not);
    tcase_add_test(tc, test_x87_fcomip_pops_and_fucomip_underflow_unordered);
    tcase_add_test(tc, test_x87_fnstsw_ax_after_fcom);
    tcase_add_test(tc, test_x87_fnstsw_m16_and_fnstcw);
    tcase_add_test(tc, test_x87_fxam_empty_and_ftst);
    tcase_add_test(tc, test_x87_fld_m80_specials_are_bit_exact);
    tcase_add_test(tc, test_x87_fld_m64_snan_invalid_denormal_de);
    tcase_add_test(tc, test_x87_fist_rounds_per_rc);
    tcase_add_test(tc, test_x87_fisttp_truncates_whatever_rc);
    tcase_add_test(tc, test_x87_fist_out_of_range_stores_integer_indefinite);
    tcase_add_test(tc, test_x87_fst_m32_overflow_masked_and_unmasked);
    tcase_add_test(tc, test_x87_overflow_unmasked_register_gets_biased_result);
    tcase_add_test(tc, test_x87_fst_memory_fault_changes_nothing);
    tcase_add_test(tc, test_x87_fxch_and_fcmov);
    tcase_add_test(tc, test_x87_ffree_fincstp_fdecstp);
    tcase_add_test(tc, test_x87_constants_and_arithmetic);
    tcase_add_test(tc, test_x87_fnstenv_protected_32bit_layout);
    tcase_add_test(tc, test_x87_fnstenv_protected_16bit_layout_masks_exceptions);
    tcase_add_test(tc, test_x87_fnstenv_real_mode_16bit_layout);
    tcase_add_test(tc, test_x87_fnstenv_real_mode_32bit_layout);
    tcase_add_test(tc, test_x87_fsave_frstor_round_trip);
    tcase_add_test(tc, test_x87_fldenv_recomputes_tags_and_es);
    suite_add_tcase(s, tc);
    TCase *diff = tcase_create("differential");
    tcase_add_loop_test(diff, test_x87_diff_matches_host, 0, (int)SIM_ARRAY_SIZE(diff_insns));
    suite_add_tcase(s, diff);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(x87_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
