/*
 * SIMD floating-point arithmetic and compares (SDM Vol. 2 ADDPS ... CMPSD),
 * and the machinery every SIMD floating-point instruction shares: the
 * operation runs on the host's SSE unit with the guest's MXCSR rounding,
 * DAZ and FTZ and all exceptions masked, so results (NaN propagation,
 * denormals, RCPPS approximations) are the hardware's own; the guest's
 * masks then decide between the masked result and #XM/#UD.
 */
#include <Zydis/Zydis.h>

#include "sim/cpu/flags.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/sse.h"

uint32_t sse_host_run(uint32_t mxcsr, SseHostFn fn, Xmm *dst, const Xmm *src, unsigned imm)
{
    uint32_t saved, out;
    uint32_t run = ((mxcsr & ~MXCSR_FLAGS) | MXCSR_MASKS) & MXCSR_MASK_SUPPORTED;
    __asm__ volatile("stmxcsr %0" : "=m"(saved));
    __asm__ volatile("ldmxcsr %0" : : "m"(run) : "memory");
    fn(dst, src, imm);
    __asm__ volatile("stmxcsr %0" : "=m"(out) : : "memory");
    __asm__ volatile("ldmxcsr %0" : : "m"(saved) : "memory");
    return out & MXCSR_FLAGS;
}

static bool lane_is_denormal(const Xmm *r, unsigned lane, bool f64)
{
    if (f64)
        return (r->q[lane] & UINT64_C(0x7ff0000000000000)) == 0 &&
               (r->q[lane] & UINT64_C(0x000fffffffffffff)) != 0;
    return (r->d[lane] & 0x7f800000u) == 0 && (r->d[lane] & 0x007fffffu) != 0;
}

/* The flags the instruction reports.  SDM Vol. 1 11.5.2.4 "Numeric Underflow
 * Exception (#U)": unmasked, underflow is a tiny result even when exact; the
 * masked host run only reports tiny and inexact, so an exact tiny (denormal)
 * result is checked here.  SDM Vol. 1 11.5.3 "Generating SIMD
 * Floating-Point Exceptions": when an unmasked pre-computation exception
 * (#I, #D, #Z) is detected, the computation is not done, so only the
 * pre-computation flags are reported. */
static uint32_t fp_detected(uint32_t mxcsr, uint32_t raised, const Xmm *r, const SseFpOp *op)
{
    uint32_t unmasked = ~(mxcsr >> MXCSR_MASK_SHIFT) & MXCSR_FLAGS;
    uint32_t pre = raised & (MXCSR_IE | MXCSR_DE | MXCSR_ZE);
    if (pre & unmasked)
        return pre;
    for (unsigned i = 0; (unmasked & MXCSR_UE) && i < op->tiny; i++) {
        if (lane_is_denormal(r, i, op->tiny_f64))
            raised |= MXCSR_UE;
    }
    return raised;
}

/* SDM Vol. 1 11.5.3: the flags are sticky and set in either case; with an
 * unmasked exception the destination is not written and SDM Vol. 3A 6.15
 * "Interrupt 19—SIMD Floating-Point Exception (#XM)" is raised, or #UD when
 * CR4.OSXMMEXCPT = 0. */
static SimStatus fp_exceptions(CpuState *cpu, uint32_t raised, const Xmm *r, const SseFpOp *op)
{
    uint32_t unmasked = ~(cpu->fpu.mxcsr >> MXCSR_MASK_SHIFT) & MXCSR_FLAGS;
    uint32_t flags = fp_detected(cpu->fpu.mxcsr, raised, r, op);
    cpu->fpu.mxcsr |= flags;
    if (!(flags & unmasked))
        return SIM_OK;
    return cpu_raise(cpu, (cpu->cr4 & CR4_OSXMMEXCPT) ? EXC_XM : EXC_UD, 0);
}

SimStatus sse_fp_execute(CpuState *cpu, const DecodedInsn *d, const SseFpOp *op)
{
    Xmm a, b;
    if (op == NULL)
        return exec_unimplemented(cpu, d);
    if (sse_check_xmm_rules(cpu, d, op->feature) != SIM_OK || sse_read(cpu, d, 0, &a) != SIM_OK ||
        sse_read(cpu, d, 1, &b) != SIM_OK)
        return SIM_FAULT;
    if (op->src_low64)
        b.q[1] = 0;
    SseHostFn fn = op->fn[d->opsize == 8 && op->fn[1] != NULL];
    uint32_t raised = sse_host_run(cpu->fpu.mxcsr, fn, &a, &b, (unsigned)d->imm & 0xff);
    if (fp_exceptions(cpu, raised, &a, op) != SIM_OK)
        return SIM_FAULT;
    if (op->kind == FPK_FLAGS) {
        /* SDM Vol. 2 COMISS: ZF, PF, CF from the compare; OF, SF, AF cleared. */
        flags_set_arith(cpu, RFLAGS_ARITH, a.q[0] & (RFLAGS_ZF | RFLAGS_PF | RFLAGS_CF));
        return SIM_OK;
    }
    return sse_commit(cpu, d, 0, &a);
}

/* SDM Vol. 2 CMPPS Table 3-7: predicate imm8[2:0] (bits 7:3 ignored by the
 * legacy SSE encodings). */
#define CMP_CASE(insn, n)                                                                          \
    case n:                                                                                        \
        __asm__ volatile(insn " $" #n ", %1, %0" : "+x"(d->v) : "x"(s->v));                        \
        break;
#define HOST_CMP(name, insn)                                                                       \
    static void name(Xmm *d, const Xmm *s, unsigned imm)                                           \
    {                                                                                              \
        switch (imm & 7) {                                                                         \
            CMP_CASE(insn, 0) CMP_CASE(insn, 1) CMP_CASE(insn, 2) CMP_CASE(insn, 3)                \
            CMP_CASE(insn, 4) CMP_CASE(insn, 5) CMP_CASE(insn, 6) CMP_CASE(insn, 7)                \
        }                                                                                          \
    }

/* X(MNEMONIC, host instruction, CPUID feature, result lanes that can
 * underflow, those lanes are doubles).  SDM Vol. 2 per instruction; the
 * CPUID feature from each instruction's opcode table. */
#define SSE_ARITH_OPS(X)                                                                           \
    X(ADDPS, "addps", SSE, 4, 0) X(ADDSS, "addss", SSE, 1, 0)                                      \
    X(ADDPD, "addpd", SSE2, 2, 1) X(ADDSD, "addsd", SSE2, 1, 1)                                    \
    X(SUBPS, "subps", SSE, 4, 0) X(SUBSS, "subss", SSE, 1, 0)                                      \
    X(SUBPD, "subpd", SSE2, 2, 1) X(SUBSD, "subsd", SSE2, 1, 1)                                    \
    X(MULPS, "mulps", SSE, 4, 0) X(MULSS, "mulss", SSE, 1, 0)                                      \
    X(MULPD, "mulpd", SSE2, 2, 1) X(MULSD, "mulsd", SSE2, 1, 1)                                    \
    X(DIVPS, "divps", SSE, 4, 0) X(DIVSS, "divss", SSE, 1, 0)                                      \
    X(DIVPD, "divpd", SSE2, 2, 1) X(DIVSD, "divsd", SSE2, 1, 1)                                    \
    X(SQRTPS, "sqrtps", SSE, 0, 0) X(SQRTSS, "sqrtss", SSE, 0, 0)                                  \
    X(SQRTPD, "sqrtpd", SSE2, 0, 0) X(SQRTSD, "sqrtsd", SSE2, 0, 0)                                \
    X(MINPS, "minps", SSE, 0, 0) X(MINSS, "minss", SSE, 0, 0)                                      \
    X(MINPD, "minpd", SSE2, 0, 0) X(MINSD, "minsd", SSE2, 0, 0)                                    \
    X(MAXPS, "maxps", SSE, 0, 0) X(MAXSS, "maxss", SSE, 0, 0)                                      \
    X(MAXPD, "maxpd", SSE2, 0, 0) X(MAXSD, "maxsd", SSE2, 0, 0)                                    \
    X(RCPPS, "rcpps", SSE, 0, 0) X(RCPSS, "rcpss", SSE, 0, 0)                                      \
    X(RSQRTPS, "rsqrtps", SSE, 0, 0) X(RSQRTSS, "rsqrtss", SSE, 0, 0)

#define SSE_CMP_OPS(X)                                                                             \
    X(CMPPS, "cmpps", SSE, 0, 0) X(CMPSS, "cmpss", SSE, 0, 0)                                      \
    X(CMPPD, "cmppd", SSE2, 0, 0) X(CMPSD, "cmpsd", SSE2, 0, 0)

#define X(m, insn, feat, lanes, f64) SSE_HOST_OP(host_##m, insn)
SSE_ARITH_OPS(X)
#undef X
#define X(m, insn, feat, lanes, f64) HOST_CMP(host_##m, insn)
SSE_CMP_OPS(X)
#undef X

const SseFpOp *sse_fp_arith_op(unsigned mnemonic)
{
    switch (mnemonic) {
#define X(m, insn, feat, lanes, f64)                                                               \
    case ZYDIS_MNEMONIC_##m: {                                                                     \
        static const SseFpOp op = {{host_##m, NULL}, FEAT_##feat, FPK_OPERAND, lanes, f64, 0};     \
        return &op;                                                                                \
    }
        SSE_ARITH_OPS(X)
        SSE_CMP_OPS(X)
#undef X
    default:
        return NULL;
    }
}

/* Every row of SSE_ARITH_OPS and SSE_CMP_OPS, and the SSE form of CMPSD
 * (decode.c routes it here). */
SimStatus exec_sse_arith(CpuState *cpu, const DecodedInsn *d)
{
    return sse_fp_execute(cpu, d, sse_fp_arith_op(d->mnemonic));
}
