/*
 * MMX, SSE and SSE2 instructions run as machine code (sim/cpu/exec_sse_*.c,
 * exec_mmx.c): both sides of every availability rule (CR0.EM, CR0.TS,
 * CR4.OSFXSR, CPUID flags, pending x87 exceptions), the legacy-SSE
 * alignment rule, the SIMD floating-point exception rules (masked and
 * unmasked, #XM vs #UD, flags sticky, destination kept), results against
 * the host's SSE unit for special values, and hand-computed integer,
 * shuffle, move and conversion results (SDM Vol. 2 per instruction).
 */
#include <emmintrin.h>

#include "gp_support.h"
#include "sim/cpu/sse.h"

#define F(name) (UINT64_C(1) << FEAT_##name)

static const CpuModel *sse_model(void)
{
    static const CpuModel m = {"sse-test", "test: FPU MMX FXSR SSE SSE2 XSAVE CLFSH", 0x000906a0,
                               "vmxsim test CPU",
                               F(FPU) | F(MMX) | F(FXSR) | F(SSE) | F(SSE2) | F(XSAVE) | F(CLFSH)};
    return &m;
}

/* SSE without SSE2 (a Pentium III): the SSE2 forms raise #UD. */
static const CpuModel *sse1_model(void)
{
    static const CpuModel m = {"sse1-test", "test: MMX FXSR SSE", 0x000906a0, "vmxsim test CPU",
                               F(FPU) | F(MMX) | F(FXSR) | F(SSE)};
    return &m;
}

static Machine *sse_setup(Machine *m)
{
    m->cpu.model = sse_model();
    m->cpu.cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
    return m;
}

static Machine *sse_flat32(void) { return sse_setup(gp_flat32()); }
static Machine *sse_long64(void) { return sse_setup(gp_long64()); }

static void set_xmm(Machine *m, unsigned r, uint64_t lo, uint64_t hi)
{
    m->cpu.fpu.xmm[r][0] = lo;
    m->cpu.fpu.xmm[r][1] = hi;
}

static void set_xmm_d(Machine *m, unsigned r, uint32_t d0, uint32_t d1, uint32_t d2, uint32_t d3)
{
    set_xmm(m, r, d0 | (uint64_t)d1 << 32, d2 | (uint64_t)d3 << 32);
}

static uint32_t xmm_d(const Machine *m, unsigned r, unsigned lane)
{
    return (uint32_t)(m->cpu.fpu.xmm[r][lane / 2] >> (32 * (lane % 2)));
}

static void assert_xmm(const Machine *m, unsigned r, uint64_t lo, uint64_t hi)
{
    const uint64_t *x = m->cpu.fpu.xmm[r];
    ck_assert_msg(x[0] == lo && x[1] == hi, "xmm%u = %016llx:%016llx, expected %016llx:%016llx", r,
                  (unsigned long long)x[1], (unsigned long long)x[0], (unsigned long long)hi,
                  (unsigned long long)lo);
}

/* Run one instruction: it must retire without an exception. */
static void run_ok(Machine *m, const uint8_t *code, size_t n)
{
    ck_assert_int_eq(gp_run(m, code, n, 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.RIP, GP_CODE + n);
}

/* Run one instruction: it must fault with `vector` (error code 0). */
static void run_fault(Machine *m, const uint8_t *code, size_t n, unsigned vector)
{
    gp_assert_fault(m, gp_run(m, code, n, 1), vector, 0);
}

/* No instruction here ends in a zero byte: the code is the bytes up to the
 * last non-zero one. */
static size_t code_len(const uint8_t *code, size_t max)
{
    while (max > 0 && code[max - 1] == 0)
        max--;
    return max;
}

#define RUN_OK(m, code) run_ok(m, code, sizeof(code))
#define RUN_FAULT(m, code, vector) run_fault(m, code, sizeof(code), vector)

static const uint8_t ADDPS[] = {0x0f, 0x58, 0xc1};           /* addps xmm0, xmm1 */
static const uint8_t DIVPS[] = {0x0f, 0x5e, 0xc1};           /* divps xmm0, xmm1 */
static const uint8_t SUBSS[] = {0xf3, 0x0f, 0x5c, 0xc1};     /* subss xmm0, xmm1 */
static const uint8_t MULSS[] = {0xf3, 0x0f, 0x59, 0xc1};     /* mulss xmm0, xmm1 */
static const uint8_t ADDSS[] = {0xf3, 0x0f, 0x58, 0xc1};     /* addss xmm0, xmm1 */
static const uint8_t PADDD[] = {0x66, 0x0f, 0xfe, 0xc1};     /* paddd xmm0, xmm1 */
static const uint8_t PADDB_MM[] = {0x0f, 0xfc, 0xc1};        /* paddb mm0, mm1 */
static const uint8_t PAVGB_MM[] = {0x0f, 0xe0, 0xc1};        /* pavgb mm0, mm1 */
static const uint8_t EMMS[] = {0x0f, 0x77};
static const uint8_t COMISS[] = {0x0f, 0x2f, 0xc1};          /* comiss xmm0, xmm1 */
static const uint8_t UCOMISS[] = {0x0f, 0x2e, 0xc1};         /* ucomiss xmm0, xmm1 */
static const uint8_t LDMXCSR[] = {0x0f, 0xae, 0x15, 0x00, 0x30, 0x00, 0x00}; /* ldmxcsr [0x3000] */

/* ---- availability: SDM Vol. 3A 13.1.4, Table 2-2 ---- */

START_TEST(test_sse_addps_osfxsr_clear_raises_ud)
{
    Machine *m = sse_flat32();
    m->cpu.cr4 &= ~CR4_OSFXSR;
    RUN_FAULT(m, ADDPS, EXC_UD);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sse_addps_osfxsr_set_executes)
{
    Machine *m = sse_flat32();
    set_xmm_d(m, 0, 0x3f800000, 0x40000000, 0, 0);
    set_xmm_d(m, 1, 0x3f800000, 0x3f800000, 0, 0x3f800000);
    RUN_OK(m, ADDPS);
    assert_xmm(m, 0, 0x4040000040000000ull, 0x3f80000000000000ull);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sse_addps_ts_raises_nm)
{
    Machine *m = sse_flat32();
    m->cpu.cr0 |= CR0_TS;
    RUN_FAULT(m, ADDPS, EXC_NM);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sse_addps_em_raises_ud_before_nm)
{
    Machine *m = sse_flat32();
    m->cpu.cr0 |= CR0_EM | CR0_TS;
    RUN_FAULT(m, ADDPS, EXC_UD);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sse_paddd_without_sse2_raises_ud)
{
    Machine *m = sse_flat32();
    m->cpu.model = sse1_model();
    RUN_FAULT(m, PADDD, EXC_UD);
    m->cpu.model = sse_model();
    RUN_OK(m, PADDD);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sse_addps_with_sse_only_model_executes)
{
    Machine *m = sse_flat32();
    m->cpu.model = sse1_model();
    RUN_OK(m, ADDPS);
    machine_destroy(m);
}
END_TEST

/* SDM Vol. 3A 13.1.4: the MMX-register forms ignore CR4.OSFXSR. */
START_TEST(test_mmx_paddb_osfxsr_clear_executes)
{
    Machine *m = sse_flat32();
    m->cpu.cr4 &= ~CR4_OSFXSR;
    m->cpu.fpu.r[0].significand = 0x01020304050607f0ull;
    m->cpu.fpu.r[1].significand = 0x0101010101010120ull;
    RUN_OK(m, PADDB_MM);
    ck_assert_uint_eq(m->cpu.fpu.r[0].significand, 0x0203040506070810ull);
    machine_destroy(m);
}
END_TEST

START_TEST(test_mmx_paddb_em_raises_ud_ts_raises_nm)
{
    Machine *m = sse_flat32();
    m->cpu.cr0 |= CR0_EM;
    RUN_FAULT(m, PADDB_MM, EXC_UD);
    m->cpu.cr0 = (m->cpu.cr0 & ~CR0_EM) | CR0_TS;
    RUN_FAULT(m, PADDB_MM, EXC_NM);
    machine_destroy(m);
}
END_TEST

/* SDM Vol. 3A 12.5.1: a pending x87 exception (FSW.ES) is #MF first. */
START_TEST(test_mmx_pending_x87_exception_raises_mf)
{
    Machine *m = sse_flat32();
    m->cpu.fpu.fsw = FSW_ES | 0x0001;
    RUN_FAULT(m, PADDB_MM, EXC_MF);
    RUN_FAULT(m, EMMS, EXC_MF);
    m->cpu.fpu.fsw = 0;
    RUN_OK(m, PADDB_MM);
    machine_destroy(m);
}
END_TEST

/* PAVGB mm came with SSE: #UD on an MMX-only model. */
START_TEST(test_mmx_pavgb_needs_sse_flag)
{
    static const CpuModel mmx_only = {"mmx", "test: MMX", 0x000906a0, "vmxsim test CPU",
                                      F(FPU) | F(MMX)};
    Machine *m = sse_flat32();
    m->cpu.model = &mmx_only;
    RUN_FAULT(m, PAVGB_MM, EXC_UD);
    RUN_OK(m, PADDB_MM);
    m->cpu.model = sse_model();
    m->cpu.fpu.r[0].significand = 0x00ff000000000001ull;
    m->cpu.fpu.r[1].significand = 0x00fe000000000002ull;
    RUN_OK(m, PAVGB_MM);
    ck_assert_uint_eq(m->cpu.fpu.r[0].significand, 0x00ff000000000002ull);
    machine_destroy(m);
}
END_TEST

/* SDM Vol. 3A Table 12-1: TOP = 0, all tags valid, written register's
 * bits 79:64 all ones; EMMS: all tags empty. */
START_TEST(test_mmx_instruction_aliases_x87_state)
{
    Machine *m = sse_flat32();
    m->cpu.fpu.fsw = 5u << 11;
    m->cpu.fpu.ftw = 0xffff;
    m->cpu.fpu.r[0].sign_exponent = 0x4000;
    m->cpu.fpu.r[1].sign_exponent = 0x1234;
    RUN_OK(m, PADDB_MM);
    ck_assert_uint_eq(m->cpu.fpu.fsw & FSW_TOP, 0);
    ck_assert_uint_eq(m->cpu.fpu.ftw, 0);
    ck_assert_uint_eq(m->cpu.fpu.r[0].sign_exponent, 0xffff);
    ck_assert_uint_eq(m->cpu.fpu.r[1].sign_exponent, 0x1234); /* only read */
    RUN_OK(m, EMMS);
    ck_assert_uint_eq(m->cpu.fpu.ftw, 0xffff);
    machine_destroy(m);
}
END_TEST

/* SDM Vol. 3A 12.2: "Each time an MMX instruction is executed, the TOS
 * value is set to 000B", EMMS included. */
START_TEST(test_mmx_emms_sets_top_zero)
{
    Machine *m = sse_flat32();
    m->cpu.fpu.fsw = 5u << 11;
    m->cpu.fpu.ftw = 0;
    RUN_OK(m, EMMS);
    ck_assert_uint_eq(m->cpu.fpu.fsw & FSW_TOP, 0);
    ck_assert_uint_eq(m->cpu.fpu.ftw, 0xffff);
    machine_destroy(m);
}
END_TEST

/* An MMX store sets TOP to 0 even when its write faults; the tags stay
 * (the Intel core's behaviour, sse.c).  A store that completes also
 * makes every tag valid. */
START_TEST(test_mmx_store_sets_top_even_when_faulting)
{
    static const uint8_t movq_store[] = {0x0f, 0x7f, 0x0d, 0x00, 0x30, 0x00, 0x00}; /* movq [0x3000], mm1 */
    Machine *m = sse_flat32();
    m->cpu.fpu.fsw = 5u << 11;
    m->cpu.fpu.ftw = 0xfff0;
    m->cpu.seg[SEG_DS].limit = 0xfff; /* the store is beyond the limit: #GP(0) */
    m->cpu.seg[SEG_DS].ar &= ~(uint32_t)AR_G;
    RUN_FAULT(m, movq_store, EXC_GP);
    ck_assert_uint_eq(m->cpu.fpu.fsw & FSW_TOP, 0);
    ck_assert_uint_eq(m->cpu.fpu.ftw, 0xfff0);
    m->cpu.seg[SEG_DS].limit = 0xffffffffu;
    RUN_OK(m, movq_store);
    ck_assert_uint_eq(m->cpu.fpu.ftw, 0);
    machine_destroy(m);
}
END_TEST

/* ---- alignment: SDM Vol. 3A 13.1.4 ---- */

START_TEST(test_sse_movaps_misaligned_raises_gp)
{
    static const uint8_t movaps[] = {0x0f, 0x28, 0x05, 0x08, 0x30, 0x00, 0x00};
    static const uint8_t movups[] = {0x0f, 0x10, 0x05, 0x08, 0x30, 0x00, 0x00};
    Machine *m = sse_flat32();
    gp_poke64(m, 0x3008, 0x1111111122222222ull);
    gp_poke64(m, 0x3010, 0x3333333344444444ull);
    RUN_FAULT(m, movaps, EXC_GP);
    assert_xmm(m, 0, 0, 0);
    RUN_OK(m, movups);
    assert_xmm(m, 0, 0x1111111122222222ull, 0x3333333344444444ull);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sse_movdqa_store_misaligned_writes_nothing)
{
    static const uint8_t movdqa[] = {0x66, 0x0f, 0x7f, 0x0d, 0x08, 0x30, 0x00, 0x00};
    static const uint8_t movdqu[] = {0xf3, 0x0f, 0x7f, 0x0d, 0x08, 0x30, 0x00, 0x00};
    Machine *m = sse_flat32();
    set_xmm(m, 1, 0xaaaaaaaaaaaaaaaaull, 0xbbbbbbbbbbbbbbbbull);
    RUN_FAULT(m, movdqa, EXC_GP);
    ck_assert_uint_eq(gp_peek(m, 0x3008, 8), 0);
    RUN_OK(m, movdqu);
    ck_assert_uint_eq(gp_peek(m, 0x3008, 8), 0xaaaaaaaaaaaaaaaaull);
    ck_assert_uint_eq(gp_peek(m, 0x3010, 8), 0xbbbbbbbbbbbbbbbbull);
    machine_destroy(m);
}
END_TEST

/* A misaligned stack reference is #GP(0), not #SS (SDM Vol. 3A 13.1.4). */
START_TEST(test_sse_movaps_misaligned_stack_raises_gp_not_ss)
{
    static const uint8_t movaps[] = {0x0f, 0x28, 0x44, 0x24, 0x08}; /* movaps xmm0, [esp+8] */
    Machine *m = sse_flat32();
    m->cpu.gpr[GPR_RSP] = 0x7004;
    RUN_FAULT(m, movaps, EXC_GP);
    m->cpu.gpr[GPR_RSP] = 0x7008;
    RUN_OK(m, movaps);
    machine_destroy(m);
}
END_TEST

/* 64-bit mode: the misalignment #GP(0) comes before the canonical check,
 * so a misaligned non-canonical operand through RSP is #GP, an aligned one
 * #SS(0) (the Intel core's order: sse.c). */
START_TEST(test_sse_misaligned_noncanonical_stack_gp_aligned_ss)
{
    static const uint8_t movaps[] = {0x0f, 0x28, 0x04, 0x24}; /* movaps xmm0, [rsp] */
    Machine *m = sse_long64();
    m->cpu.gpr[GPR_RSP] = UINT64_C(0x800000000008);
    RUN_FAULT(m, movaps, EXC_GP);
    m->cpu.gpr[GPR_RSP] = UINT64_C(0x800000000010);
    RUN_FAULT(m, movaps, EXC_SS);
    machine_destroy(m);
}
END_TEST

/* Arithmetic with m128 must be aligned; the scalar m32 form need not be. */
START_TEST(test_sse_addps_m128_misaligned_raises_gp_addss_m32_does_not)
{
    static const uint8_t addps[] = {0x0f, 0x58, 0x05, 0x08, 0x30, 0x00, 0x00};
    static const uint8_t addss[] = {0xf3, 0x0f, 0x58, 0x05, 0x09, 0x30, 0x00, 0x00};
    Machine *m = sse_flat32();
    RUN_FAULT(m, addps, EXC_GP);
    RUN_OK(m, addss);
    machine_destroy(m);
}
END_TEST

/* ---- SIMD floating-point exceptions: SDM Vol. 1 11.5, Vol. 3A 6.15 ---- */

static void divps_by_zero_setup(Machine *m, uint32_t mxcsr)
{
    m->cpu.fpu.mxcsr = mxcsr;
    set_xmm_d(m, 0, 0x3f800000, 0x3f800000, 0x3f800000, 0x3f800000);
    set_xmm_d(m, 1, 0x00000000, 0x3f800000, 0x3f800000, 0x3f800000);
}

START_TEST(test_sse_divps_zero_unmasked_raises_xm_keeps_destination)
{
    Machine *m = sse_flat32();
    divps_by_zero_setup(m, MXCSR_RESET & ~(MXCSR_ZE << MXCSR_MASK_SHIFT));
    RUN_FAULT(m, DIVPS, EXC_XM);
    assert_xmm(m, 0, 0x3f8000003f800000ull, 0x3f8000003f800000ull);
    ck_assert_uint_eq(m->cpu.fpu.mxcsr & MXCSR_FLAGS, MXCSR_ZE);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sse_divps_zero_unmasked_osxmmexcpt_clear_raises_ud)
{
    Machine *m = sse_flat32();
    m->cpu.cr4 &= ~CR4_OSXMMEXCPT;
    divps_by_zero_setup(m, MXCSR_RESET & ~(MXCSR_ZE << MXCSR_MASK_SHIFT));
    RUN_FAULT(m, DIVPS, EXC_UD);
    ck_assert_uint_eq(m->cpu.fpu.mxcsr & MXCSR_FLAGS, MXCSR_ZE);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sse_divps_zero_masked_gives_infinity_and_flag)
{
    Machine *m = sse_flat32();
    divps_by_zero_setup(m, MXCSR_RESET);
    RUN_OK(m, DIVPS);
    assert_xmm(m, 0, 0x3f8000007f800000ull, 0x3f8000003f800000ull);
    ck_assert_uint_eq(m->cpu.fpu.mxcsr, MXCSR_RESET | MXCSR_ZE);
    RUN_OK(m, ADDPS); /* flags are sticky */
    ck_assert_uint_eq(m->cpu.fpu.mxcsr & MXCSR_ZE, MXCSR_ZE);
    machine_destroy(m);
}
END_TEST

/* SDM Vol. 1 11.5.3: an unmasked pre-computation exception stops the
 * computation: the precision flag of another lane is not reported. */
START_TEST(test_sse_unmasked_invalid_reports_only_precomputation_flags)
{
    Machine *m = sse_flat32();
    m->cpu.fpu.mxcsr = MXCSR_RESET & ~(MXCSR_IE << MXCSR_MASK_SHIFT);
    set_xmm_d(m, 0, 0x7f800001, 0x3f800000, 0, 0); /* SNaN, 1.0 */
    set_xmm_d(m, 1, 0x3f800000, 0x3eaaaaab, 0, 0); /* 1.0, 1/3: 1 + 1/3 is inexact */
    RUN_FAULT(m, ADDPS, EXC_XM);
    ck_assert_uint_eq(m->cpu.fpu.mxcsr & MXCSR_FLAGS, MXCSR_IE);
    m->cpu.fpu.mxcsr = MXCSR_RESET;
    RUN_OK(m, ADDPS);
    ck_assert_uint_eq(m->cpu.fpu.mxcsr & MXCSR_FLAGS, MXCSR_IE | MXCSR_PE);
    ck_assert_uint_eq(xmm_d(m, 0, 0), 0x7fc00001); /* SNaN quieted */
    machine_destroy(m);
}
END_TEST

START_TEST(test_sse_unmasked_precision_raises_xm)
{
    Machine *m = sse_flat32();
    m->cpu.fpu.mxcsr = MXCSR_RESET & ~(MXCSR_PE << MXCSR_MASK_SHIFT);
    set_xmm_d(m, 0, 0x3f800000, 0, 0, 0);
    set_xmm_d(m, 1, 0x3eaaaaab, 0, 0, 0);
    RUN_FAULT(m, ADDSS, EXC_XM);
    ck_assert_uint_eq(xmm_d(m, 0, 0), 0x3f800000);
    ck_assert_uint_eq(m->cpu.fpu.mxcsr & MXCSR_FLAGS, MXCSR_PE);
    machine_destroy(m);
}
END_TEST

/* SDM Vol. 1 11.5.2.4: an exact tiny result underflows only when #U is
 * unmasked. 1.5*2^-126 - 2^-126 = 2^-127, a denormal, exactly. */
START_TEST(test_sse_exact_tiny_result_underflows_only_unmasked)
{
    Machine *m = sse_flat32();
    set_xmm_d(m, 0, 0x00c00000, 0, 0, 0);
    set_xmm_d(m, 1, 0x00800000, 0, 0, 0);
    RUN_OK(m, SUBSS);
    ck_assert_uint_eq(xmm_d(m, 0, 0), 0x00400000);
    ck_assert_uint_eq(m->cpu.fpu.mxcsr & MXCSR_FLAGS, 0);
    set_xmm_d(m, 0, 0x00c00000, 0, 0, 0);
    m->cpu.fpu.mxcsr = MXCSR_RESET & ~(MXCSR_UE << MXCSR_MASK_SHIFT);
    RUN_FAULT(m, SUBSS, EXC_XM);
    ck_assert_uint_eq(xmm_d(m, 0, 0), 0x00c00000);
    ck_assert_uint_eq(m->cpu.fpu.mxcsr & MXCSR_FLAGS, MXCSR_UE);
    machine_destroy(m);
}
END_TEST

/* SDM Vol. 1 10.2.3.3/10.2.3.4: FTZ flushes a tiny result (UE and PE set);
 * DAZ reads a denormal operand as zero (no DE). */
START_TEST(test_sse_ftz_and_daz)
{
    Machine *m = sse_flat32();
    m->cpu.fpu.mxcsr = MXCSR_RESET | 0x8000; /* FTZ */
    set_xmm_d(m, 0, 0x00800000, 0, 0, 0);
    set_xmm_d(m, 1, 0x3f000000, 0, 0, 0); /* 2^-126 * 0.5 */
    RUN_OK(m, MULSS);
    ck_assert_uint_eq(xmm_d(m, 0, 0), 0);
    ck_assert_uint_eq(m->cpu.fpu.mxcsr & MXCSR_FLAGS, MXCSR_UE | MXCSR_PE);
    m->cpu.fpu.mxcsr = MXCSR_RESET | MXCSR_DAZ;
    set_xmm_d(m, 0, 0x00000001, 0, 0, 0);
    set_xmm_d(m, 1, 0x00000000, 0, 0, 0);
    RUN_OK(m, ADDSS);
    ck_assert_uint_eq(xmm_d(m, 0, 0), 0);
    ck_assert_uint_eq(m->cpu.fpu.mxcsr & MXCSR_FLAGS, 0);
    m->cpu.fpu.mxcsr = MXCSR_RESET;
    set_xmm_d(m, 0, 0x00000001, 0, 0, 0);
    RUN_OK(m, ADDSS);
    ck_assert_uint_eq(xmm_d(m, 0, 0), 1);
    ck_assert_uint_eq(m->cpu.fpu.mxcsr & MXCSR_FLAGS, MXCSR_DE);
    machine_destroy(m);
}
END_TEST

/* SDM Vol. 1 10.2.3.2 rounding control, loaded with LDMXCSR. */
START_TEST(test_sse_ldmxcsr_rounding_control_applies)
{
    static const uint32_t rc[4] = {0x1f80, 0x3f80, 0x5f80, 0x7f80}; /* nearest, down, up, zero */
    static const uint32_t want[4] = {0x3f800000, 0x3f800000, 0x3f800001, 0x3f800000};
    Machine *m = sse_flat32();
    for (unsigned i = 0; i < 4; i++) {
        test_poke(m, 0x3000, &rc[i], 4);
        RUN_OK(m, LDMXCSR);
        ck_assert_uint_eq(m->cpu.fpu.mxcsr, rc[i]);
        set_xmm_d(m, 0, 0x3f800000, 0, 0, 0);
        set_xmm_d(m, 1, 0x30800000, 0, 0, 0); /* 1 + 2^-30 */
        RUN_OK(m, ADDSS);
        ck_assert_uint_eq(xmm_d(m, 0, 0), want[i]);
    }
    machine_destroy(m);
}
END_TEST

START_TEST(test_sse_ldmxcsr_reserved_bit_raises_gp_stmxcsr_stores)
{
    static const uint8_t stmxcsr[] = {0x0f, 0xae, 0x1d, 0x04, 0x30, 0x00, 0x00};
    static const uint32_t bad = 0x00011f80, good = 0x0000ffff;
    Machine *m = sse_flat32();
    test_poke(m, 0x3000, &bad, 4);
    RUN_FAULT(m, LDMXCSR, EXC_GP);
    ck_assert_uint_eq(m->cpu.fpu.mxcsr, MXCSR_RESET);
    test_poke(m, 0x3000, &good, 4);
    RUN_OK(m, LDMXCSR); /* unmasked exceptions with their flags set: nothing now */
    ck_assert_uint_eq(m->cpu.fpu.mxcsr, 0xffff);
    RUN_OK(m, stmxcsr);
    ck_assert_uint_eq(gp_peek(m, 0x3004, 4), 0xffff);
    machine_destroy(m);
}
END_TEST

/* ---- results against the host's SSE unit ---- */

static const uint32_t special32[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbfc00000, 0x40400000, 0x3eaaaaab, 0x7149f2ca,
    0x00800000, 0x00000001, 0x807fffff, 0x7f7fffff, 0x7f800000, 0xff800000, 0x7fc00000,
    0xffc12345, 0x7f800001, 0x7fa00000, 0x0da24260,
};
static const uint64_t special64[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff8000000000000ull,
    0x3fd5555555555555ull, 0x7e37e43c8800759cull, 0x0010000000000000ull, 0x0000000000000001ull,
    0x800fffffffffffffull, 0x7fefffffffffffffull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
    0x7ff8000000000000ull, 0xfff8000000012345ull, 0x7ff0000000000001ull, 0x7ff4000000000000ull,
    0x01a56e1fc2f8f359ull,
};

typedef __m128i (*HostOp)(__m128i a, __m128i b);

static __m128 ps(__m128i v) { return _mm_castsi128_ps(v); }
static __m128d pd(__m128i v) { return _mm_castsi128_pd(v); }
static __m128i from_ps(__m128 v) { return _mm_castps_si128(v); }
static __m128i from_pd(__m128d v) { return _mm_castpd_si128(v); }

static __m128i h_addss(__m128i a, __m128i b) { return from_ps(_mm_add_ss(ps(a), ps(b))); }
static __m128i h_subss(__m128i a, __m128i b) { return from_ps(_mm_sub_ss(ps(a), ps(b))); }
static __m128i h_mulss(__m128i a, __m128i b) { return from_ps(_mm_mul_ss(ps(a), ps(b))); }
static __m128i h_divss(__m128i a, __m128i b) { return from_ps(_mm_div_ss(ps(a), ps(b))); }
static __m128i h_minss(__m128i a, __m128i b) { return from_ps(_mm_min_ss(ps(a), ps(b))); }
static __m128i h_maxss(__m128i a, __m128i b) { return from_ps(_mm_max_ss(ps(a), ps(b))); }
static __m128i h_sqrtss(__m128i a, __m128i b)
{
    return from_ps(_mm_move_ss(ps(a), _mm_sqrt_ss(ps(b))));
}
static __m128i h_cmpltss(__m128i a, __m128i b) { return from_ps(_mm_cmplt_ss(ps(a), ps(b))); }
static __m128i h_cvtss2sd(__m128i a, __m128i b) { return from_pd(_mm_cvtss_sd(pd(a), ps(b))); }
static __m128i h_addps(__m128i a, __m128i b) { return from_ps(_mm_add_ps(ps(a), ps(b))); }
static __m128i h_mulps(__m128i a, __m128i b) { return from_ps(_mm_mul_ps(ps(a), ps(b))); }
static __m128i h_addsd(__m128i a, __m128i b) { return from_pd(_mm_add_sd(pd(a), pd(b))); }
static __m128i h_subsd(__m128i a, __m128i b) { return from_pd(_mm_sub_sd(pd(a), pd(b))); }
static __m128i h_mulsd(__m128i a, __m128i b) { return from_pd(_mm_mul_sd(pd(a), pd(b))); }
static __m128i h_divsd(__m128i a, __m128i b) { return from_pd(_mm_div_sd(pd(a), pd(b))); }
static __m128i h_minsd(__m128i a, __m128i b) { return from_pd(_mm_min_sd(pd(a), pd(b))); }
static __m128i h_sqrtsd(__m128i a, __m128i b) { return from_pd(_mm_sqrt_sd(pd(a), pd(b))); }
static __m128i h_cvtsd2ss(__m128i a, __m128i b) { return from_ps(_mm_cvtsd_ss(ps(a), pd(b))); }
static __m128i h_divpd(__m128i a, __m128i b) { return from_pd(_mm_div_pd(pd(a), pd(b))); }

typedef struct HostCase {
    const char *name;
    uint8_t code[4];
    bool f64; /* operands from special64, else special32 */
    HostOp host;
} HostCase;

static const HostCase host_cases[] = {
    {"addss", {0xf3, 0x0f, 0x58, 0xc1}, false, h_addss},
    {"subss", {0xf3, 0x0f, 0x5c, 0xc1}, false, h_subss},
    {"mulss", {0xf3, 0x0f, 0x59, 0xc1}, false, h_mulss},
    {"divss", {0xf3, 0x0f, 0x5e, 0xc1}, false, h_divss},
    {"minss", {0xf3, 0x0f, 0x5d, 0xc1}, false, h_minss},
    {"maxss", {0xf3, 0x0f, 0x5f, 0xc1}, false, h_maxss},
    {"sqrtss", {0xf3, 0x0f, 0x51, 0xc1}, false, h_sqrtss},
    {"cmpltss", {0xf3, 0x0f, 0xc2, 0xc1}, false, h_cmpltss}, /* imm 1 appended below */
    {"cvtss2sd", {0xf3, 0x0f, 0x5a, 0xc1}, false, h_cvtss2sd},
    {"addps", {0x0f, 0x58, 0xc1}, false, h_addps},
    {"mulps", {0x0f, 0x59, 0xc1}, false, h_mulps},
    {"addsd", {0xf2, 0x0f, 0x58, 0xc1}, true, h_addsd},
    {"subsd", {0xf2, 0x0f, 0x5c, 0xc1}, true, h_subsd},
    {"mulsd", {0xf2, 0x0f, 0x59, 0xc1}, true, h_mulsd},
    {"divsd", {0xf2, 0x0f, 0x5e, 0xc1}, true, h_divsd},
    {"minsd", {0xf2, 0x0f, 0x5d, 0xc1}, true, h_minsd},
    {"sqrtsd", {0xf2, 0x0f, 0x51, 0xc1}, true, h_sqrtsd},
    {"cvtsd2ss", {0xf2, 0x0f, 0x5a, 0xc1}, true, h_cvtsd2ss},
    {"divpd", {0x66, 0x0f, 0x5e, 0xc1}, true, h_divpd},
};

/* The host result and flags, with MXCSR at its reset value. */
static __m128i host_eval(HostOp op, __m128i a, __m128i b, uint32_t *flags)
{
    unsigned saved = _mm_getcsr();
    volatile __m128i va = a, vb = b, vr;
    _mm_setcsr(MXCSR_RESET);
    vr = op(va, vb);
    *flags = _mm_getcsr() & MXCSR_FLAGS;
    _mm_setcsr(saved);
    return vr;
}

static __m128i operand(const HostCase *c, unsigned i, unsigned j)
{
    size_t n32 = SIM_ARRAY_SIZE(special32), n64 = SIM_ARRAY_SIZE(special64);
    if (c->f64)
        return _mm_set_epi64x((long long)special64[j % n64], (long long)special64[i % n64]);
    return _mm_set_epi32((int)special32[(i + 3 * j) % n32], (int)special32[(i + 2 * j) % n32],
                         (int)special32[(i + j) % n32], (int)special32[i % n32]);
}

static void check_against_host(Machine *m, const HostCase *c, __m128i a, __m128i b)
{
    uint8_t code[5] = {0};
    uint32_t flags;
    Xmm va = {.v = a}, vb = {.v = b}, want = {.v = host_eval(c->host, a, b, &flags)};
    size_t len = code_len(c->code, sizeof(c->code));
    memcpy(code, c->code, len);
    if (c->host == h_cmpltss)
        code[len++] = 1;
    set_xmm(m, 0, va.q[0], va.q[1]);
    set_xmm(m, 1, vb.q[0], vb.q[1]);
    m->cpu.fpu.mxcsr = MXCSR_RESET;
    run_ok(m, code, len);
    ck_assert_msg(m->cpu.fpu.xmm[0][0] == want.q[0] && m->cpu.fpu.xmm[0][1] == want.q[1],
                  "%s %016llx:%016llx op %016llx:%016llx", c->name, (unsigned long long)va.q[1],
                  (unsigned long long)va.q[0], (unsigned long long)vb.q[1],
                  (unsigned long long)vb.q[0]);
    ck_assert_msg(m->cpu.fpu.mxcsr == (MXCSR_RESET | flags), "%s flags %x, host %x", c->name,
                  m->cpu.fpu.mxcsr & MXCSR_FLAGS, flags);
}

START_TEST(test_sse_fp_special_values_match_host)
{
    const HostCase *c = &host_cases[_i];
    size_t n = c->f64 ? SIM_ARRAY_SIZE(special64) : SIM_ARRAY_SIZE(special32);
    Machine *m = sse_flat32();
    for (unsigned i = 0; i < n; i++) {
        for (unsigned j = 0; j < n; j++)
            check_against_host(m, c, operand(c, i, j), operand(c, j, i + 1));
    }
    machine_destroy(m);
}
END_TEST

/* SDM Vol. 2 ADDPS "SIMD Floating-Point Exceptions" / Vol. 1 Table 4-7:
 * with two NaN operands the first (destination) one is returned, quieted. */
START_TEST(test_sse_addss_two_nans_returns_first_quieted)
{
    Machine *m = sse_flat32();
    set_xmm_d(m, 0, 0x7f800005, 1, 2, 3);
    set_xmm_d(m, 1, 0x7fc00007, 4, 5, 6);
    RUN_OK(m, ADDSS);
    assert_xmm(m, 0, 0x000000017fc00005ull, 0x0000000300000002ull);
    ck_assert_uint_eq(m->cpu.fpu.mxcsr & MXCSR_FLAGS, MXCSR_IE);
    machine_destroy(m);
}
END_TEST

/* SDM Vol. 2 CMPPS Table 3-7: all eight predicates on {1,1}, {1,2},
 * {2,1}, {NaN,1}. */
START_TEST(test_sse_cmpps_predicates)
{
    static const uint8_t want[8] = {0x1, 0x2, 0x3, 0x8, 0xe, 0xd, 0xc, 0x7};
    uint8_t code[] = {0x0f, 0xc2, 0xc1, (uint8_t)_i};
    Machine *m = sse_flat32();
    set_xmm_d(m, 0, 0x3f800000, 0x3f800000, 0x40000000, 0x7fc00000);
    set_xmm_d(m, 1, 0x3f800000, 0x40000000, 0x3f800000, 0x3f800000);
    run_ok(m, code, sizeof(code));
    for (unsigned lane = 0; lane < 4; lane++)
        ck_assert_uint_eq(xmm_d(m, 0, lane), (want[_i] >> lane) & 1 ? 0xffffffffu : 0);
    /* SDM Vol. 2 CMPPS: LT, LE, NLT, NLE signal invalid on a QNaN. */
    bool signaling = _i == 1 || _i == 2 || _i == 5 || _i == 6;
    ck_assert_uint_eq(m->cpu.fpu.mxcsr & MXCSR_IE, signaling ? MXCSR_IE : 0);
    machine_destroy(m);
}
END_TEST

/* decode.c routes the SSE2 CMPSD (F2 0F C2) here, not to the string CMPSD. */
START_TEST(test_sse_cmpsd_sse_form_compares_doubles)
{
    static const uint8_t cmpltsd[] = {0xf2, 0x0f, 0xc2, 0xc1, 0x01};
    Machine *m = sse_flat32();
    set_xmm(m, 0, 0x3ff0000000000000ull, 0x1234);
    set_xmm(m, 1, 0x4000000000000000ull, 0);
    RUN_OK(m, cmpltsd);
    assert_xmm(m, 0, ~0ull, 0x1234);
    machine_destroy(m);
}
END_TEST

/* SDM Vol. 2 COMISS/UCOMISS: ZF,PF,CF = 000 greater, 001 less, 100 equal,
 * 111 unordered; OF, SF, AF cleared.  COMISS signals #I on a QNaN,
 * UCOMISS only on an SNaN. */
START_TEST(test_sse_comiss_flags)
{
    static const uint32_t a[4] = {0x40000000, 0x3f800000, 0x3f800000, 0x7fc00000};
    static const uint64_t want[4] = {0, RFLAGS_CF, RFLAGS_ZF, RFLAGS_ZF | RFLAGS_PF | RFLAGS_CF};
    Machine *m = sse_flat32();
    for (unsigned i = 0; i < 4; i++) {
        cpu_set_rflags(&m->cpu, RFLAGS_FIXED1 | RFLAGS_OF | RFLAGS_SF | RFLAGS_AF);
        set_xmm_d(m, 0, a[i], 0, 0, 0);
        set_xmm_d(m, 1, i == 1 ? 0x40000000 : 0x3f800000, 0, 0, 0);
        m->cpu.fpu.mxcsr = MXCSR_RESET;
        RUN_OK(m, COMISS);
        ck_assert_uint_eq(gp_arith(m), want[i]);
        ck_assert_uint_eq(m->cpu.fpu.mxcsr & MXCSR_IE, i == 3 ? MXCSR_IE : 0);
        m->cpu.fpu.mxcsr = MXCSR_RESET;
        RUN_OK(m, UCOMISS);
        ck_assert_uint_eq(gp_arith(m), want[i]);
        ck_assert_uint_eq(m->cpu.fpu.mxcsr & MXCSR_IE, 0);
    }
    machine_destroy(m);
}
END_TEST

START_TEST(test_sse_comiss_unmasked_invalid_keeps_flags)
{
    Machine *m = sse_flat32();
    cpu_set_rflags(&m->cpu, RFLAGS_FIXED1 | RFLAGS_SF);
    m->cpu.fpu.mxcsr = MXCSR_RESET & ~(MXCSR_IE << MXCSR_MASK_SHIFT);
    set_xmm_d(m, 0, 0x7fc00000, 0, 0, 0);
    set_xmm_d(m, 1, 0x3f800000, 0, 0, 0);
    RUN_FAULT(m, COMISS, EXC_XM);
    ck_assert_uint_eq(gp_arith(m), RFLAGS_SF);
    machine_destroy(m);
}
END_TEST

/* ---- conversions ---- */

START_TEST(test_sse_cvtss2si_rounding_truncation_and_indefinite)
{
    static const uint8_t cvt[] = {0xf3, 0x0f, 0x2d, 0xc1};  /* cvtss2si eax, xmm1 */
    static const uint8_t cvtt[] = {0xf3, 0x0f, 0x2c, 0xc1}; /* cvttss2si eax, xmm1 */
    Machine *m = sse_flat32();
    set_xmm_d(m, 1, 0x40200000, 0, 0, 0); /* 2.5: round to even */
    RUN_OK(m, cvt);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 2);
    set_xmm_d(m, 1, 0xc02ccccd, 0, 0, 0); /* -2.7 */
    RUN_OK(m, cvtt);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0xfffffffe);
    m->cpu.fpu.mxcsr = MXCSR_RESET;
    set_xmm_d(m, 1, 0x4f32d05e, 0, 0, 0); /* 3e9: out of range */
    RUN_OK(m, cvt);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0x80000000u);
    ck_assert_uint_eq(m->cpu.fpu.mxcsr & MXCSR_IE, MXCSR_IE);
    m->cpu.fpu.mxcsr = MXCSR_RESET & ~(MXCSR_IE << MXCSR_MASK_SHIFT);
    m->cpu.gpr[GPR_RAX] = 77;
    RUN_FAULT(m, cvt, EXC_XM);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 77);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sse_cvtsi2sd_and_cvtps2pd)
{
    static const uint8_t cvtsi2sd[] = {0xf2, 0x0f, 0x2a, 0xc0}; /* cvtsi2sd xmm0, eax */
    static const uint8_t cvtps2pd[] = {0x0f, 0x5a, 0xc1};       /* cvtps2pd xmm0, xmm1 */
    Machine *m = sse_flat32();
    set_xmm(m, 0, 0, 0x5555);
    m->cpu.gpr[GPR_RAX] = 0xfffffffb; /* -5 */
    RUN_OK(m, cvtsi2sd);
    assert_xmm(m, 0, 0xc014000000000000ull, 0x5555);
    set_xmm_d(m, 1, 0x3f800000, 0xc0000000, 0x7fc00000, 0x7fc00000);
    RUN_OK(m, cvtps2pd);
    assert_xmm(m, 0, 0x3ff0000000000000ull, 0xc000000000000000ull);
    machine_destroy(m);
}
END_TEST

/* The MMX conversions: CVTPI2PS keeps the destination's high quadword and
 * moves to MMX state; CVTPS2PI converts only the two low singles (a NaN in
 * the high lanes raises nothing). */
START_TEST(test_sse_cvtpi2ps_and_cvtps2pi)
{
    static const uint8_t cvtpi2ps[] = {0x0f, 0x2a, 0xc1}; /* cvtpi2ps xmm0, mm1 */
    static const uint8_t cvtps2pi[] = {0x0f, 0x2d, 0xc1}; /* cvtps2pi mm0, xmm1 */
    Machine *m = sse_flat32();
    m->cpu.fpu.ftw = 0xffff;
    m->cpu.fpu.r[1].significand = 0xfffffffd00000003ull; /* {3, -3} */
    set_xmm(m, 0, 0, 0x9999);
    RUN_OK(m, cvtpi2ps);
    assert_xmm(m, 0, 0xc040000040400000ull, 0x9999);
    ck_assert_uint_eq(m->cpu.fpu.ftw, 0);
    set_xmm_d(m, 1, 0x3fc00000, 0xc0200000, 0x7f800001, 0x7f800001); /* 1.5, -2.5, SNaN */
    m->cpu.fpu.mxcsr = MXCSR_RESET;
    RUN_OK(m, cvtps2pi);
    ck_assert_uint_eq(m->cpu.fpu.r[0].significand, 0xfffffffe00000002ull);
    ck_assert_uint_eq(m->cpu.fpu.mxcsr & MXCSR_FLAGS, MXCSR_PE);
    machine_destroy(m);
}
END_TEST

/* REX.W forms in 64-bit mode: 64-bit integer sources and results. */
START_TEST(test_sse_cvt_64bit_gpr_forms)
{
    static const uint8_t cvtsi2ssq[] = {0xf3, 0x48, 0x0f, 0x2a, 0xc0};  /* cvtsi2ss xmm0, rax */
    static const uint8_t cvttsd2siq[] = {0xf2, 0x48, 0x0f, 0x2c, 0xc1}; /* cvttsd2si rax, xmm1 */
    static const uint8_t movq_rax[] = {0x66, 0x48, 0x0f, 0x7e, 0xc8};   /* movq rax, xmm1 */
    Machine *m = sse_long64();
    m->cpu.gpr[GPR_RAX] = 1ull << 40;
    RUN_OK(m, cvtsi2ssq);
    ck_assert_uint_eq(xmm_d(m, 0, 0), 0x53800000);
    set_xmm(m, 1, 0xc2a0000000000000ull, 0); /* -2^43 */
    RUN_OK(m, cvttsd2siq);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], (uint64_t)-(INT64_C(1) << 43));
    RUN_OK(m, movq_rax);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0xc2a0000000000000ull);
    machine_destroy(m);
}
END_TEST

/* ---- integer operations, hand-computed (SDM Vol. 2 per instruction) ---- */

typedef struct IntCase {
    const char *name;
    uint8_t code[5];
    uint64_t a[2], b[2], want[2];
} IntCase;

static const IntCase int_cases[] = {
    {"paddusb", {0x66, 0x0f, 0xdc, 0xc1}, {0x00000000000080f0ull, 0}, {0x0000000000008020ull, 0},
     {0x000000000000ffffull, 0}},
    {"psubsw", {0x66, 0x0f, 0xe9, 0xc1}, {0x8000000000007fffull, 0}, {0x000100000000ffffull, 0},
     {0x8000000000007fffull, 0}},
    {"packsswb", {0x66, 0x0f, 0x63, 0xc1}, {0xff80007f0100fffeull, 0}, {0x0000000000000005ull, 0},
     {0x00000000807f7ffeull, 0x0000000000000005ull}},
    {"packuswb", {0x66, 0x0f, 0x67, 0xc1}, {0x0100ffff00800010ull, 0}, {0, 0},
     {0x00000000ff008010ull, 0}},
    {"punpcklbw", {0x66, 0x0f, 0x60, 0xc1}, {0x0706050403020100ull, 0}, {0x1716151413121110ull, 0},
     {0x1303120211011000ull, 0x1707160615051404ull}},
    {"punpckhqdq", {0x66, 0x0f, 0x6d, 0xc1}, {1, 2}, {3, 4}, {2, 4}},
    {"pmaddwd", {0x66, 0x0f, 0xf5, 0xc1}, {0x00030002ffff8000ull, 0}, {0x000500048000ffffull, 0},
     {0x0000001700010000ull, 0}},
    {"psadbw", {0x66, 0x0f, 0xf6, 0xc1}, {0x00ff000000000010ull, 1}, {0x0000ff0000000001ull, 3},
     {0x000000000000020dull, 2}},
    {"pmuludq", {0x66, 0x0f, 0xf4, 0xc1}, {0xdeadbeefffffffffull, 3}, {0x12345678ffffffffull, 5},
     {0xfffffffe00000001ull, 15}},
    {"pmulhuw", {0x66, 0x0f, 0xe4, 0xc1}, {0xffff, 0}, {0xffff, 0}, {0xfffe, 0}},
    {"pcmpgtb", {0x66, 0x0f, 0x64, 0xc1}, {0x0000000000007f80ull, 0}, {0x0000000000000080ull, 0},
     {0x000000000000ff00ull, 0}},
    {"psllw xmm", {0x66, 0x0f, 0xf1, 0xc1}, {0x8001800180018001ull, 1}, {4, 0},
     {0x0010001000100010ull, 0x10}},
    {"psllw >15", {0x66, 0x0f, 0xf1, 0xc1}, {0x8001800180018001ull, 1}, {16, 0}, {0, 0}},
    {"psraw imm", {0x66, 0x0f, 0x71, 0xe0, 0x14}, {0x80007fff00018000ull, 0}, {0, 0},
     {0xffff00000000ffffull, 0}},
    {"pslldq", {0x66, 0x0f, 0x73, 0xf8, 0x03}, {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull},
     {0, 0}, {0x0403020100000000ull, 0x0c0b0a0908070605ull}},
    {"psrldq", {0x66, 0x0f, 0x73, 0xd8, 0x03}, {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull},
     {0, 0}, {0x0a09080706050403ull, 0x0000000f0e0d0c0bull}},
    {"pshufd", {0x66, 0x0f, 0x70, 0xc1, 0x1b}, {0, 0},
     {0x0000000100000000ull, 0x0000000300000002ull},
     {0x0000000200000003ull, 0x0000000000000001ull}},
    {"pshufhw", {0xf3, 0x0f, 0x70, 0xc1, 0x1b}, {0, 0}, {0x1111, 0x0003000200010000ull},
     {0x1111, 0x0000000100020003ull}},
    {"shufps", {0x0f, 0xc6, 0xc1, 0x4e}, {0x1111111100000000ull, 0x3333333322222222ull},
     {0x5555555544444444ull, 0x7777777766666666ull},
     {0x3333333322222222ull, 0x5555555544444444ull}},
    {"andnps", {0x0f, 0x55, 0xc1}, {0xff00ff00ff00ff00ull, 0}, {0xffffffff00000000ull, 5},
     {0x00ff00ff00000000ull, 5}},
    {"unpcklps", {0x0f, 0x14, 0xc1}, {0x1111111100000000ull, 0}, {0x3333333322222222ull, 0},
     {0x2222222200000000ull, 0x3333333311111111ull}},
    {"pextrw", {0x66, 0x0f, 0xc5, 0xc1, 0x0d}, {0, 0},
     {0x0003000200010000ull, 0x0007000600050004ull},
     {0, 0}},
    /* MMX forms: mm0 = op(mm0, mm1) */
    {"punpckhbw mm", {0x0f, 0x68, 0xc1}, {0x0706050403020100ull, 0}, {0x1716151413121110ull, 0},
     {0x1707160615051404ull, 0}},
    {"packsswb mm", {0x0f, 0x63, 0xc1}, {0x0100fffe00050004ull, 0}, {0xff7f0080ffff0003ull, 0},
     {0x807fff037ffe0504ull, 0}},
    {"pshufw mm", {0x0f, 0x70, 0xc1, 0x1b}, {0, 0}, {0x0003000200010000ull, 0},
     {0x0000000100020003ull, 0}},
    {"paddq mm", {0x0f, 0xd4, 0xc1}, {0xffffffffffffffffull, 0}, {2, 0}, {1, 0}},
    {"psrlq imm mm", {0x0f, 0x73, 0xd0, 0x01}, {0x8000000000000002ull, 0}, {0, 0},
     {0x4000000000000001ull, 0}},
};

static bool int_case_is_mmx(const IntCase *c) { return strstr(c->name, " mm") != NULL; }

START_TEST(test_sse_integer_ops_hand_values)
{
    const IntCase *c = &int_cases[_i];
    size_t len = code_len(c->code, sizeof(c->code));
    Machine *m = sse_flat32();
    if (int_case_is_mmx(c)) {
        m->cpu.fpu.r[0].significand = c->a[0];
        m->cpu.fpu.r[1].significand = c->b[0];
    } else {
        set_xmm(m, 0, c->a[0], c->a[1]);
        set_xmm(m, 1, c->b[0], c->b[1]);
    }
    m->cpu.gpr[GPR_RAX] = 0xdeadbeefdeadbeefull;
    run_ok(m, c->code, len);
    if (strcmp(c->name, "pextrw") == 0)
        ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 5); /* r32 destination zero-extends */
    else if (int_case_is_mmx(c))
        ck_assert_msg(m->cpu.fpu.r[0].significand == c->want[0], "%s: %016llx", c->name,
                      (unsigned long long)m->cpu.fpu.r[0].significand);
    else
        assert_xmm(m, 0, c->want[0], c->want[1]);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sse_pinsrw_and_movemasks)
{
    static const uint8_t pinsrw_mm[] = {0x0f, 0xc4, 0xc0, 0x06};   /* pinsrw mm0, eax, 6 (mod 4) */
    static const uint8_t pmovmskb[] = {0x66, 0x0f, 0xd7, 0xc1};    /* pmovmskb eax, xmm1 */
    static const uint8_t movmskpd[] = {0x66, 0x0f, 0x50, 0xc1};    /* movmskpd eax, xmm1 */
    Machine *m = sse_flat32();
    m->cpu.gpr[GPR_RAX] = 0x12345678;
    RUN_OK(m, pinsrw_mm);
    ck_assert_uint_eq(m->cpu.fpu.r[0].significand, 0x0000567800000000ull);
    set_xmm(m, 1, 0x80000000000000ffull, 0x8000000000000000ull);
    RUN_OK(m, pmovmskb);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0x8081);
    RUN_OK(m, movmskpd);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0x3);
    machine_destroy(m);
}
END_TEST

/* ---- moves ---- */

START_TEST(test_sse_movd_movq_zero_extend)
{
    static const uint8_t movd_xmm[] = {0x66, 0x0f, 0x6e, 0xc0}; /* movd xmm0, eax */
    static const uint8_t movd_eax[] = {0x66, 0x0f, 0x7e, 0xc8}; /* movd eax, xmm1 */
    static const uint8_t movq_xx[] = {0xf3, 0x0f, 0x7e, 0xc1};  /* movq xmm0, xmm1 */
    static const uint8_t movq_st[] = {0x66, 0x0f, 0xd6, 0x0d, 0x00, 0x30, 0x00, 0x00};
    Machine *m = sse_flat32();
    set_xmm(m, 0, ~0ull, ~0ull);
    m->cpu.gpr[GPR_RAX] = 0x89abcdef;
    RUN_OK(m, movd_xmm);
    assert_xmm(m, 0, 0x89abcdef, 0);
    set_xmm(m, 1, 0x1122334455667788ull, 0x99);
    RUN_OK(m, movd_eax);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0x55667788);
    RUN_OK(m, movq_xx);
    assert_xmm(m, 0, 0x1122334455667788ull, 0);
    gp_poke64(m, 0x3008, 0x5a5a);
    RUN_OK(m, movq_st);
    ck_assert_uint_eq(gp_peek(m, 0x3000, 8), 0x1122334455667788ull);
    ck_assert_uint_eq(gp_peek(m, 0x3008, 8), 0x5a5a);
    machine_destroy(m);
}
END_TEST

/* SDM Vol. 2 MOVSS/MOVSD: register to register keeps the upper elements,
 * a load clears them.  MOVSD F2 0F 10 is routed here by decode.c. */
START_TEST(test_sse_movss_movsd_merge_or_zero)
{
    static const uint8_t movss_rr[] = {0xf3, 0x0f, 0x10, 0xc1};
    static const uint8_t movsd_rr[] = {0xf2, 0x0f, 0x10, 0xc1};
    static const uint8_t movsd_ld[] = {0xf2, 0x0f, 0x10, 0x05, 0x00, 0x30, 0x00, 0x00};
    Machine *m = sse_flat32();
    set_xmm(m, 0, 0xaaaaaaaaaaaaaaaaull, 0xbbbbbbbbbbbbbbbbull);
    set_xmm(m, 1, 0x1111111122222222ull, 0x3333333344444444ull);
    RUN_OK(m, movss_rr);
    assert_xmm(m, 0, 0xaaaaaaaa22222222ull, 0xbbbbbbbbbbbbbbbbull);
    RUN_OK(m, movsd_rr);
    assert_xmm(m, 0, 0x1111111122222222ull, 0xbbbbbbbbbbbbbbbbull);
    gp_poke64(m, 0x3000, 0x4010000000000000ull);
    RUN_OK(m, movsd_ld);
    assert_xmm(m, 0, 0x4010000000000000ull, 0);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sse_half_moves)
{
    static const uint8_t movhlps[] = {0x0f, 0x12, 0xc1};
    static const uint8_t movlhps[] = {0x0f, 0x16, 0xc1};
    static const uint8_t movhps_st[] = {0x0f, 0x17, 0x0d, 0x00, 0x30, 0x00, 0x00};
    Machine *m = sse_flat32();
    set_xmm(m, 0, 1, 2);
    set_xmm(m, 1, 3, 4);
    RUN_OK(m, movhlps);
    assert_xmm(m, 0, 4, 2);
    RUN_OK(m, movlhps);
    assert_xmm(m, 0, 4, 3);
    RUN_OK(m, movhps_st);
    ck_assert_uint_eq(gp_peek(m, 0x3000, 8), 4);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sse_movq2dq_movdq2q_and_mmx_moves)
{
    static const uint8_t movq2dq[] = {0xf3, 0x0f, 0xd6, 0xc1}; /* movq2dq xmm0, mm1 */
    static const uint8_t movdq2q[] = {0xf2, 0x0f, 0xd6, 0xc1}; /* movdq2q mm0, xmm1 */
    static const uint8_t movd_mm[] = {0x0f, 0x6e, 0xc0};       /* movd mm0, eax */
    Machine *m = sse_flat32();
    m->cpu.fpu.r[1].significand = 0x1234;
    set_xmm(m, 0, 9, 9);
    RUN_OK(m, movq2dq);
    assert_xmm(m, 0, 0x1234, 0);
    set_xmm(m, 1, 0x5678, 0x9999);
    RUN_OK(m, movdq2q);
    ck_assert_uint_eq(m->cpu.fpu.r[0].significand, 0x5678);
    m->cpu.gpr[GPR_RAX] = 0xffffffff;
    m->cpu.fpu.r[0].sign_exponent = 0;
    RUN_OK(m, movd_mm);
    ck_assert_uint_eq(m->cpu.fpu.r[0].significand, 0xffffffff);
    ck_assert_uint_eq(m->cpu.fpu.r[0].sign_exponent, 0xffff);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sse_xmm8_in_64bit_mode)
{
    static const uint8_t addps[] = {0x45, 0x0f, 0x58, 0xc1}; /* addps xmm8, xmm9 */
    Machine *m = sse_long64();
    set_xmm_d(m, 8, 0x3f800000, 0, 0, 0);
    set_xmm_d(m, 9, 0x3f800000, 0, 0, 0);
    RUN_OK(m, addps);
    ck_assert_uint_eq(xmm_d(m, 8, 0), 0x40000000);
    machine_destroy(m);
}
END_TEST

/* ---- ordering, cache control, MOVNTI ---- */

START_TEST(test_sse_fences_need_cpuid_flag_not_cr0)
{
    static const uint8_t sfence[] = {0x0f, 0xae, 0xf8};
    static const uint8_t lfence[] = {0x0f, 0xae, 0xe8};
    static const uint8_t mfence[] = {0x0f, 0xae, 0xf0};
    Machine *m = sse_flat32();
    m->cpu.cr0 |= CR0_EM | CR0_TS;
    m->cpu.cr4 &= ~CR4_OSFXSR;
    RUN_OK(m, sfence);
    RUN_OK(m, lfence);
    RUN_OK(m, mfence);
    m->cpu.model = sse1_model();
    RUN_OK(m, sfence);
    RUN_FAULT(m, lfence, EXC_UD);
    RUN_FAULT(m, mfence, EXC_UD);
    machine_destroy(m);
}
END_TEST

/* CLFLUSH faults like a byte load: #PF on a non-present page. */
START_TEST(test_sse_clflush_checks_like_a_load)
{
    static const uint8_t clflush[] = {0x0f, 0xae, 0x3c, 0x25, 0x00, 0x30, 0x00, 0x00};
    static const uint8_t prefetch[] = {0x0f, 0x18, 0x0c, 0x25, 0x00, 0x30, 0x00, 0x00};
    Machine *m = sse_long64();
    m->cpu.cr0 |= CR0_EM | CR0_TS;
    RUN_OK(m, clflush);
    gp_set_pte(m, 0x3000, 0);
    gp_assert_fault(m, gp_run(m, clflush, sizeof(clflush), 1), EXC_PF, 0);
    RUN_OK(m, prefetch); /* prefetches never fault */
    m->cpu.model = sse1_model();
    gp_set_pte(m, 0x3000, PTE_P | PTE_W);
    RUN_FAULT(m, clflush, EXC_UD);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sse_movnti_ignores_cr0)
{
    static const uint8_t movnti[] = {0x0f, 0xc3, 0x05, 0x00, 0x30, 0x00, 0x00};
    Machine *m = sse_flat32();
    m->cpu.cr0 |= CR0_EM | CR0_TS;
    m->cpu.gpr[GPR_RAX] = 0xcafef00d;
    RUN_OK(m, movnti);
    ck_assert_uint_eq(gp_peek(m, 0x3000, 4), 0xcafef00d);
    machine_destroy(m);
}
END_TEST

/* ---- compiler output: gcc 12.2 -O2 -ffreestanding -fno-pic -mno-red-zone
 * -fcf-protection=none (x86-64 baseline: SSE2) for kernel_native below,
 * linked at GP_CODE behind "call kernel; hlt" with its constants after it.
 * It copies a struct with MOVDQU/MOVUPS, sums a vectorized integer loop
 * (PADDD, PSLLD, PSRAD, PSRLDQ, MOVD), and does scalar and packed double
 * and single arithmetic, conversions and compares. ---- */

typedef struct KernelData {
    double d[4];
    int i[8];
} KernelData;

static long kernel_native(KernelData *out, const KernelData *in, const int *v, float f,
                          const double *dv)
{
    *out = *in;
    int si = 0;
    for (int k = 0; k < 16; k++)
        si += v[k] * 3 + (v[k] >> 1);
    double s = 0;
    for (int k = 0; k < 4; k++)
        s += dv[k] * 1.5;
    out->d[0] = s / 3.0;
    out->d[1] = f * 0.25f;
    out->i[7] = (int)(s * 7.25);
    return si + (long)(s * 100.0) + (s > 2.0) + (s != s) + (f < 1.0f);
}

static const uint8_t kernel_o2[] = {
    0xe8, 0x0b, 0x00, 0x00, 0x00, 0xf4, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xf3, 0x0f, 0x6f, 0x36, 0x0f, 0x28, 0xe0, 0x48,
    0x89, 0xf8, 0x66, 0x0f, 0xef, 0xc0, 0x0f, 0x11, 0x37, 0xf3, 0x0f, 0x6f,
    0x7e, 0x10, 0x0f, 0x11, 0x7f, 0x10, 0xf3, 0x0f, 0x6f, 0x6e, 0x20, 0x0f,
    0x11, 0x6f, 0x20, 0xf3, 0x0f, 0x6f, 0x76, 0x30, 0x48, 0x8d, 0x72, 0x40,
    0x0f, 0x11, 0x77, 0x30, 0xf3, 0x0f, 0x6f, 0x1a, 0x48, 0x83, 0xc2, 0x10,
    0x66, 0x0f, 0x6f, 0xd3, 0x66, 0x0f, 0x6f, 0xcb, 0x66, 0x0f, 0x72, 0xf2,
    0x01, 0x66, 0x0f, 0x72, 0xe1, 0x01, 0x66, 0x0f, 0xfe, 0xd3, 0x66, 0x0f,
    0xfe, 0xca, 0x66, 0x0f, 0xfe, 0xc1, 0x48, 0x39, 0xd6, 0x75, 0xd5, 0x66,
    0x0f, 0x6f, 0xc8, 0xf2, 0x0f, 0x10, 0x1d, 0xd1, 0x00, 0x00, 0x00, 0x66,
    0x0f, 0xef, 0xed, 0x66, 0x0f, 0x73, 0xd9, 0x08, 0x66, 0x0f, 0xfe, 0xc1,
    0x66, 0x0f, 0x10, 0x09, 0x66, 0x0f, 0x14, 0xdb, 0x66, 0x0f, 0x59, 0xcb,
    0x66, 0x0f, 0x28, 0xd1, 0x66, 0x0f, 0x15, 0xc9, 0xf2, 0x0f, 0x58, 0xd5,
    0xf2, 0x0f, 0x58, 0xd1, 0x66, 0x0f, 0x10, 0x49, 0x10, 0x66, 0x0f, 0x59,
    0xcb, 0xf3, 0x0f, 0x10, 0x1d, 0xbf, 0x00, 0x00, 0x00, 0xf3, 0x0f, 0x59,
    0xdc, 0xf2, 0x0f, 0x58, 0xd1, 0x66, 0x0f, 0x15, 0xc9, 0xf3, 0x0f, 0x5a,
    0xdb, 0xf2, 0x0f, 0x58, 0xca, 0x66, 0x0f, 0x28, 0xd1, 0xf2, 0x0f, 0x5e,
    0x15, 0x7f, 0x00, 0x00, 0x00, 0x66, 0x0f, 0x14, 0xd3, 0x0f, 0x11, 0x10,
    0xf2, 0x0f, 0x10, 0x15, 0x78, 0x00, 0x00, 0x00, 0xf2, 0x0f, 0x59, 0xd1,
    0xf2, 0x0f, 0x2c, 0xd2, 0x66, 0x0f, 0x6f, 0xd0, 0x66, 0x0f, 0x73, 0xda,
    0x04, 0x66, 0x0f, 0xfe, 0xc2, 0x89, 0x50, 0x3c, 0x66, 0x0f, 0x7e, 0xc0,
    0xf2, 0x0f, 0x10, 0x05, 0x5c, 0x00, 0x00, 0x00, 0x48, 0x98, 0xf2, 0x0f,
    0x59, 0xc1, 0xf2, 0x48, 0x0f, 0x2c, 0xd0, 0xf3, 0x0f, 0x10, 0x05, 0x5d,
    0x00, 0x00, 0x00, 0x48, 0x01, 0xd0, 0x31, 0xd2, 0x66, 0x0f, 0x2f, 0x0d,
    0x44, 0x00, 0x00, 0x00, 0x0f, 0x97, 0xc2, 0x48, 0x01, 0xd0, 0x31, 0xd2,
    0x66, 0x0f, 0x2e, 0xc9, 0x0f, 0x9a, 0xc2, 0x48, 0x01, 0xd0, 0x31, 0xd2,
    0x0f, 0x2f, 0xc4, 0x0f, 0x97, 0xc2, 0x48, 0x01, 0xd0, 0xc3, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf8, 0x3f,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x40, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x1d, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x59, 0x40,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x80, 0x3e,
    0x00, 0x00, 0x80, 0x3f,
};

START_TEST(test_sse_gcc_o2_kernel_matches_native)
{
    static const KernelData in = {{1.25, -2.0, 3e10, 0.1}, {1, -2, 3, -4, 5, -6, 7, 1 << 20}};
    static const int v[16] = {1, -1, 7, -7, 100, -100, 12345, -12345, 0, 3, 5, 9, -65536, 2, 4, 8};
    static const double dv[4] = {1.0, 2.5, -0.125, 1e-310};
    const float f = 0.75f;
    KernelData want, got;
    long ret = kernel_native(&want, &in, v, f, dv);
    Machine *m = sse_long64();
    test_poke(m, 0x3000, &in, sizeof(in));
    test_poke(m, 0x3200, v, sizeof(v));
    test_poke(m, 0x3300, dv, sizeof(dv));
    m->cpu.gpr[GPR_RDI] = 0x3100;
    m->cpu.gpr[GPR_RSI] = 0x3000;
    m->cpu.gpr[GPR_RDX] = 0x3200;
    m->cpu.gpr[GPR_RCX] = 0x3300;
    memcpy(&m->cpu.fpu.xmm[0][0], &f, sizeof(f));
    ck_assert_int_eq(gp_run(m, kernel_o2, sizeof(kernel_o2), 1000), STOP_HALTED);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], (uint64_t)ret);
    mem_phys_read_bytes(&m->mem, 0x3100, &got, sizeof(got));
    ck_assert_mem_eq(&got, &want, sizeof(want));
    machine_destroy(m);
}
END_TEST

static Suite *sse_suite(void)
{
    Suite *s = suite_create("sse");
    TCase *t = tcase_create("availability");
    tcase_add_test(t, test_sse_addps_osfxsr_clear_raises_ud);
    tcase_add_test(t, test_sse_addps_osfxsr_set_executes);
    tcase_add_test(t, test_sse_addps_ts_raises_nm);
    tcase_add_test(t, test_sse_addps_em_raises_ud_before_nm);
    tcase_add_test(t, test_sse_paddd_without_sse2_raises_ud);
    tcase_add_test(t, test_sse_addps_with_sse_only_model_executes);
    tcase_add_test(t, test_mmx_paddb_osfxsr_clear_executes);
    tcase_add_test(t, test_mmx_paddb_em_raises_ud_ts_raises_nm);
    tcase_add_test(t, test_mmx_pending_x87_exception_raises_mf);
    tcase_add_test(t, test_mmx_pavgb_needs_sse_flag);
    tcase_add_test(t, test_mmx_instruction_aliases_x87_state);
    tcase_add_test(t, test_mmx_emms_sets_top_zero);
    tcase_add_test(t, test_mmx_store_sets_top_even_when_faulting);
    suite_add_tcase(s, t);
    t = tcase_create("alignment");
    tcase_add_test(t, test_sse_movaps_misaligned_raises_gp);
    tcase_add_test(t, test_sse_movdqa_store_misaligned_writes_nothing);
    tcase_add_test(t, test_sse_movaps_misaligned_stack_raises_gp_not_ss);
    tcase_add_test(t, test_sse_misaligned_noncanonical_stack_gp_aligned_ss);
    tcase_add_test(t, test_sse_addps_m128_misaligned_raises_gp_addss_m32_does_not);
    suite_add_tcase(s, t);
    t = tcase_create("simd_fp_exceptions");
    tcase_add_test(t, test_sse_divps_zero_unmasked_raises_xm_keeps_destination);
    tcase_add_test(t, test_sse_divps_zero_unmasked_osxmmexcpt_clear_raises_ud);
    tcase_add_test(t, test_sse_divps_zero_masked_gives_infinity_and_flag);
    tcase_add_test(t, test_sse_unmasked_invalid_reports_only_precomputation_flags);
    tcase_add_test(t, test_sse_unmasked_precision_raises_xm);
    tcase_add_test(t, test_sse_exact_tiny_result_underflows_only_unmasked);
    tcase_add_test(t, test_sse_ftz_and_daz);
    tcase_add_test(t, test_sse_ldmxcsr_rounding_control_applies);
    tcase_add_test(t, test_sse_ldmxcsr_reserved_bit_raises_gp_stmxcsr_stores);
    suite_add_tcase(s, t);
    t = tcase_create("fp_results");
    tcase_add_loop_test(t, test_sse_fp_special_values_match_host, 0, SIM_ARRAY_SIZE(host_cases));
    tcase_add_test(t, test_sse_addss_two_nans_returns_first_quieted);
    tcase_add_loop_test(t, test_sse_cmpps_predicates, 0, 8);
    tcase_add_test(t, test_sse_cmpsd_sse_form_compares_doubles);
    tcase_add_test(t, test_sse_comiss_flags);
    tcase_add_test(t, test_sse_comiss_unmasked_invalid_keeps_flags);
    tcase_add_test(t, test_sse_cvtss2si_rounding_truncation_and_indefinite);
    tcase_add_test(t, test_sse_cvtsi2sd_and_cvtps2pd);
    tcase_add_test(t, test_sse_cvtpi2ps_and_cvtps2pi);
    tcase_add_test(t, test_sse_cvt_64bit_gpr_forms);
    suite_add_tcase(s, t);
    t = tcase_create("integer_and_moves");
    tcase_add_loop_test(t, test_sse_integer_ops_hand_values, 0, SIM_ARRAY_SIZE(int_cases));
    tcase_add_test(t, test_sse_pinsrw_and_movemasks);
    tcase_add_test(t, test_sse_movd_movq_zero_extend);
    tcase_add_test(t, test_sse_movss_movsd_merge_or_zero);
    tcase_add_test(t, test_sse_half_moves);
    tcase_add_test(t, test_sse_movq2dq_movdq2q_and_mmx_moves);
    tcase_add_test(t, test_sse_xmm8_in_64bit_mode);
    tcase_add_test(t, test_sse_fences_need_cpuid_flag_not_cr0);
    tcase_add_test(t, test_sse_clflush_checks_like_a_load);
    tcase_add_test(t, test_sse_movnti_ignores_cr0);
    suite_add_tcase(s, t);
    t = tcase_create("compiler_output");
    tcase_add_test(t, test_sse_gcc_o2_kernel_matches_native);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(sse_suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
