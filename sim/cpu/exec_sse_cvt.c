/*
 * SIMD floating-point conversions and ordered/unordered compares into
 * EFLAGS (SDM Vol. 2 CVTxx2yy, COMISS/COMISD, UCOMISS/UCOMISD), executed on
 * the host like the arithmetic (exec_sse_fp.c).  The MMX forms (CVTPI2PS,
 * CVTPS2PI ...) run as the packed doubleword forms on the low quadword,
 * which is the same operation (SDM Vol. 2 CVTPI2PS vs CVTDQ2PS).
 */
#include <Zydis/Zydis.h>

#include "sim/cpu/handlers.h"
#include "sim/cpu/sse.h"

/* Integer source in s->d[0] (32-bit form) or s->q[0] (64-bit form). */
#define HOST_FROM_GPR(name, insn, lane)                                                            \
    static void name(Xmm *d, const Xmm *s, unsigned imm)                                           \
    {                                                                                              \
        __asm__ volatile(insn " %1, %0" : "+x"(d->v) : "r"(s->lane));                              \
    }

/* Integer result in d->q[0], zero-extended. */
#define HOST_TO_GPR(name, insn, type)                                                              \
    static void name(Xmm *d, const Xmm *s, unsigned imm)                                           \
    {                                                                                              \
        type r;                                                                                    \
        __asm__ volatile(insn " %1, %0" : "=r"(r) : "x"(s->v));                                    \
        d->q[0] = r;                                                                               \
        d->q[1] = 0;                                                                               \
    }

/* ZF, PF, CF of the host's compare as RFLAGS bits in d->q[0]. */
#define HOST_COMI(name, insn)                                                                      \
    static void name(Xmm *d, const Xmm *s, unsigned imm)                                           \
    {                                                                                              \
        bool z, p, c;                                                                              \
        __asm__ volatile(insn " %3, %4" : "=@ccz"(z), "=@ccp"(p), "=@ccc"(c) : "x"(s->v),          \
                         "x"(d->v));                                                               \
        d->q[0] = (z ? RFLAGS_ZF : 0) | (p ? RFLAGS_PF : 0) | (c ? RFLAGS_CF : 0);                 \
    }

SSE_HOST_OP(host_cvtps2pd, "cvtps2pd")
SSE_HOST_OP(host_cvtpd2ps, "cvtpd2ps")
SSE_HOST_OP(host_cvtdq2ps, "cvtdq2ps")
SSE_HOST_OP(host_cvtps2dq, "cvtps2dq")
SSE_HOST_OP(host_cvttps2dq, "cvttps2dq")
SSE_HOST_OP(host_cvtdq2pd, "cvtdq2pd")
SSE_HOST_OP(host_cvtpd2dq, "cvtpd2dq")
SSE_HOST_OP(host_cvttpd2dq, "cvttpd2dq")
SSE_HOST_OP(host_cvtss2sd, "cvtss2sd")
SSE_HOST_OP(host_cvtsd2ss, "cvtsd2ss")
HOST_FROM_GPR(host_cvtsi2ss32, "cvtsi2ssl", d[0])
HOST_FROM_GPR(host_cvtsi2ss64, "cvtsi2ssq", q[0])
HOST_FROM_GPR(host_cvtsi2sd32, "cvtsi2sdl", d[0])
HOST_FROM_GPR(host_cvtsi2sd64, "cvtsi2sdq", q[0])
HOST_TO_GPR(host_cvtss2si32, "cvtss2si", uint32_t)
HOST_TO_GPR(host_cvtss2si64, "cvtss2si", uint64_t)
HOST_TO_GPR(host_cvttss2si32, "cvttss2si", uint32_t)
HOST_TO_GPR(host_cvttss2si64, "cvttss2si", uint64_t)
HOST_TO_GPR(host_cvtsd2si32, "cvtsd2si", uint32_t)
HOST_TO_GPR(host_cvtsd2si64, "cvtsd2si", uint64_t)
HOST_TO_GPR(host_cvttsd2si32, "cvttsd2si", uint32_t)
HOST_TO_GPR(host_cvttsd2si64, "cvttsd2si", uint64_t)
HOST_COMI(host_comiss, "comiss")
HOST_COMI(host_ucomiss, "ucomiss")
HOST_COMI(host_comisd, "comisd")
HOST_COMI(host_ucomisd, "ucomisd")

/* SDM Vol. 2 CVTPI2PS: two singles into the low quadword; the high
 * quadword of the destination is kept.  The source's high quadword is zero
 * (an MMX register or m64), so lanes 2 and 3 convert exactly. */
static void host_cvtpi2ps(Xmm *d, const Xmm *s, unsigned imm)
{
    Xmm t;
    __asm__ volatile("cvtdq2ps %1, %0" : "=x"(t.v) : "x"(s->v));
    d->q[0] = t.q[0];
}

/* X(MNEMONIC, host fn, host fn for the 64-bit GPR form, CPUID feature,
 * result kind, lanes that can underflow, those lanes are doubles, only the
 * source's low quadword is an input). */
#define SSE_CVT_OPS(X)                                                                             \
    X(CVTPS2PD, host_cvtps2pd, NULL, SSE2, FPK_OPERAND, 0, 0, 0)                                   \
    X(CVTPD2PS, host_cvtpd2ps, NULL, SSE2, FPK_OPERAND, 2, 0, 0)                                   \
    X(CVTDQ2PS, host_cvtdq2ps, NULL, SSE2, FPK_OPERAND, 0, 0, 0)                                   \
    X(CVTPS2DQ, host_cvtps2dq, NULL, SSE2, FPK_OPERAND, 0, 0, 0)                                   \
    X(CVTTPS2DQ, host_cvttps2dq, NULL, SSE2, FPK_OPERAND, 0, 0, 0)                                 \
    X(CVTDQ2PD, host_cvtdq2pd, NULL, SSE2, FPK_OPERAND, 0, 0, 0)                                   \
    X(CVTPD2DQ, host_cvtpd2dq, NULL, SSE2, FPK_OPERAND, 0, 0, 0)                                   \
    X(CVTTPD2DQ, host_cvttpd2dq, NULL, SSE2, FPK_OPERAND, 0, 0, 0)                                 \
    X(CVTSS2SD, host_cvtss2sd, NULL, SSE2, FPK_OPERAND, 0, 0, 0)                                   \
    X(CVTSD2SS, host_cvtsd2ss, NULL, SSE2, FPK_OPERAND, 1, 0, 0)                                   \
    X(CVTSI2SS, host_cvtsi2ss32, host_cvtsi2ss64, SSE, FPK_OPERAND, 0, 0, 0)                       \
    X(CVTSI2SD, host_cvtsi2sd32, host_cvtsi2sd64, SSE2, FPK_OPERAND, 0, 0, 0)                      \
    X(CVTSS2SI, host_cvtss2si32, host_cvtss2si64, SSE, FPK_OPERAND, 0, 0, 0)                       \
    X(CVTTSS2SI, host_cvttss2si32, host_cvttss2si64, SSE, FPK_OPERAND, 0, 0, 0)                    \
    X(CVTSD2SI, host_cvtsd2si32, host_cvtsd2si64, SSE2, FPK_OPERAND, 0, 0, 0)                      \
    X(CVTTSD2SI, host_cvttsd2si32, host_cvttsd2si64, SSE2, FPK_OPERAND, 0, 0, 0)                   \
    X(CVTPI2PS, host_cvtpi2ps, NULL, SSE, FPK_OPERAND, 0, 0, 0)                                    \
    X(CVTPI2PD, host_cvtdq2pd, NULL, SSE2, FPK_OPERAND, 0, 0, 0)                                   \
    X(CVTPS2PI, host_cvtps2dq, NULL, SSE, FPK_OPERAND, 0, 0, 1)                                    \
    X(CVTTPS2PI, host_cvttps2dq, NULL, SSE, FPK_OPERAND, 0, 0, 1)                                  \
    X(CVTPD2PI, host_cvtpd2dq, NULL, SSE2, FPK_OPERAND, 0, 0, 0)                                   \
    X(CVTTPD2PI, host_cvttpd2dq, NULL, SSE2, FPK_OPERAND, 0, 0, 0)                                 \
    X(COMISS, host_comiss, NULL, SSE, FPK_FLAGS, 0, 0, 0)                                          \
    X(UCOMISS, host_ucomiss, NULL, SSE, FPK_FLAGS, 0, 0, 0)                                        \
    X(COMISD, host_comisd, NULL, SSE2, FPK_FLAGS, 0, 0, 0)                                         \
    X(UCOMISD, host_ucomisd, NULL, SSE2, FPK_FLAGS, 0, 0, 0)

const SseFpOp *sse_fp_cvt_op(unsigned mnemonic)
{
    switch (mnemonic) {
#define X(m, fn32, fn64, feat, kind, lanes, f64, low64)                                            \
    case ZYDIS_MNEMONIC_##m: {                                                                     \
        static const SseFpOp op = {{fn32, fn64}, FEAT_##feat, kind, lanes, f64, low64};            \
        return &op;                                                                                \
    }
        SSE_CVT_OPS(X)
#undef X
    default:
        return NULL;
    }
}

/* Every row of SSE_CVT_OPS. */
SimStatus exec_sse_cvt(CpuState *cpu, const DecodedInsn *d)
{
    return sse_fp_execute(cpu, d, sse_fp_cvt_op(d->mnemonic));
}
