/*
 * Packed integer operations on MMX and XMM registers, the bitwise and
 * unpack operations on packed floating-point values, and the bit shifts by
 * a register/memory or immediate count (SDM Vol. 2 PADDB ... PXOR, ANDPS ...
 * UNPCKHPD).  None of them can raise a SIMD floating-point exception; the
 * element operation is the host's own SSE2 instruction, which is exact.
 * An MMX form is the XMM form on zero-extended 64-bit operands, with the
 * two layout differences handled by mmx_arrange/mmx_result.
 */
#include <Zydis/Zydis.h>

#include "sim/cpu/handlers.h"
#include "sim/cpu/sse.h"

/* X(MNEMONIC, host SSE2 intrinsic): SDM Vol. 2, one row per instruction.
 * The shifts take the count from the low quadword of b (a count above the
 * element width gives 0, or the sign for PSRAW/PSRAD); the FP bitwise and
 * unpack instructions are the integer ones on the same bits. */
#define SSE_INT_OPS(X)                                                                             \
    X(PADDB, _mm_add_epi8) X(PADDW, _mm_add_epi16) X(PADDD, _mm_add_epi32) X(PADDQ, _mm_add_epi64) \
    X(PSUBB, _mm_sub_epi8) X(PSUBW, _mm_sub_epi16) X(PSUBD, _mm_sub_epi32) X(PSUBQ, _mm_sub_epi64) \
    X(PADDSB, _mm_adds_epi8) X(PADDSW, _mm_adds_epi16) X(PADDUSB, _mm_adds_epu8)                   \
    X(PADDUSW, _mm_adds_epu16) X(PSUBSB, _mm_subs_epi8) X(PSUBSW, _mm_subs_epi16)                  \
    X(PSUBUSB, _mm_subs_epu8) X(PSUBUSW, _mm_subs_epu16) X(PAND, _mm_and_si128)                    \
    X(ANDPS, _mm_and_si128) X(ANDPD, _mm_and_si128) X(PANDN, _mm_andnot_si128)                     \
    X(ANDNPS, _mm_andnot_si128) X(ANDNPD, _mm_andnot_si128) X(POR, _mm_or_si128)                   \
    X(ORPS, _mm_or_si128) X(ORPD, _mm_or_si128) X(PXOR, _mm_xor_si128) X(XORPS, _mm_xor_si128)     \
    X(XORPD, _mm_xor_si128) X(PCMPEQB, _mm_cmpeq_epi8) X(PCMPEQW, _mm_cmpeq_epi16)                 \
    X(PCMPEQD, _mm_cmpeq_epi32) X(PCMPGTB, _mm_cmpgt_epi8) X(PCMPGTW, _mm_cmpgt_epi16)             \
    X(PCMPGTD, _mm_cmpgt_epi32) X(PMULLW, _mm_mullo_epi16) X(PMULHW, _mm_mulhi_epi16)              \
    X(PMULHUW, _mm_mulhi_epu16) X(PMULUDQ, _mm_mul_epu32) X(PMADDWD, _mm_madd_epi16)               \
    X(PMINUB, _mm_min_epu8) X(PMAXUB, _mm_max_epu8) X(PMINSW, _mm_min_epi16)                       \
    X(PMAXSW, _mm_max_epi16) X(PAVGB, _mm_avg_epu8) X(PAVGW, _mm_avg_epu16)                        \
    X(PSADBW, _mm_sad_epu8) X(PSLLW, _mm_sll_epi16) X(PSLLD, _mm_sll_epi32)                        \
    X(PSLLQ, _mm_sll_epi64) X(PSRLW, _mm_srl_epi16) X(PSRLD, _mm_srl_epi32)                        \
    X(PSRLQ, _mm_srl_epi64) X(PSRAW, _mm_sra_epi16) X(PSRAD, _mm_sra_epi32)                        \
    X(PACKSSWB, _mm_packs_epi16) X(PACKSSDW, _mm_packs_epi32) X(PACKUSWB, _mm_packus_epi16)        \
    X(PUNPCKLBW, _mm_unpacklo_epi8) X(PUNPCKHBW, _mm_unpackhi_epi8)                                \
    X(PUNPCKLWD, _mm_unpacklo_epi16) X(PUNPCKHWD, _mm_unpackhi_epi16)                              \
    X(PUNPCKLDQ, _mm_unpacklo_epi32) X(UNPCKLPS, _mm_unpacklo_epi32)                               \
    X(PUNPCKHDQ, _mm_unpackhi_epi32) X(UNPCKHPS, _mm_unpackhi_epi32)                               \
    X(PUNPCKLQDQ, _mm_unpacklo_epi64) X(UNPCKLPD, _mm_unpacklo_epi64)                              \
    X(PUNPCKHQDQ, _mm_unpackhi_epi64) X(UNPCKHPD, _mm_unpackhi_epi64)

static __m128i int_op(unsigned m, __m128i a, __m128i b)
{
    switch (m) {
#define X(mnemonic, fn)                                                                            \
    case ZYDIS_MNEMONIC_##mnemonic:                                                                \
        return fn(a, b);
        SSE_INT_OPS(X)
#undef X
    default:
        return a;
    }
}

/* The unpack-high MMX forms: the XMM unpack-low of the 64-bit operands
 * interleaves all eight bytes, whose high half is the MMX unpack-high. */
static unsigned mmx_unpack_low(unsigned m)
{
    switch (m) {
    case ZYDIS_MNEMONIC_PUNPCKHBW: return ZYDIS_MNEMONIC_PUNPCKLBW;
    case ZYDIS_MNEMONIC_PUNPCKHWD: return ZYDIS_MNEMONIC_PUNPCKLWD;
    case ZYDIS_MNEMONIC_PUNPCKHDQ: return ZYDIS_MNEMONIC_PUNPCKLDQ;
    default: return m;
    }
}

static bool is_pack(unsigned m)
{
    return m == ZYDIS_MNEMONIC_PACKSSWB || m == ZYDIS_MNEMONIC_PACKSSDW ||
           m == ZYDIS_MNEMONIC_PACKUSWB;
}

/* SDM Vol. 2 PACKSSWB (64-bit form): the packed a then the packed b in one
 * quadword, which is the XMM pack of a:b with itself. */
static void mmx_arrange(unsigned m, Xmm *a, Xmm *b)
{
    if (is_pack(m)) {
        a->q[1] = b->q[0];
        *b = *a;
    }
}

static void mmx_result(unsigned m, Xmm *r)
{
    if (mmx_unpack_low(m) != m)
        r->q[0] = r->q[1];
    r->q[1] = 0;
}

/* CPUID flag of the MMX-register form (SDM Vol. 2 opcode tables): the SSE
 * additions to MMX, the SSE2 additions, or MMX itself. */
static CpuFeature mmx_form_feature(unsigned m)
{
    switch (m) {
    case ZYDIS_MNEMONIC_PAVGB: case ZYDIS_MNEMONIC_PAVGW: case ZYDIS_MNEMONIC_PMAXSW:
    case ZYDIS_MNEMONIC_PMAXUB: case ZYDIS_MNEMONIC_PMINSW: case ZYDIS_MNEMONIC_PMINUB:
    case ZYDIS_MNEMONIC_PMULHUW: case ZYDIS_MNEMONIC_PSADBW:
        return FEAT_SSE;
    case ZYDIS_MNEMONIC_PADDQ: case ZYDIS_MNEMONIC_PSUBQ: case ZYDIS_MNEMONIC_PMULUDQ:
        return FEAT_SSE2;
    default:
        return FEAT_MMX;
    }
}

/* CPUID flag of the XMM form: the PS forms are SSE, everything else SSE2. */
static CpuFeature xmm_form_feature(unsigned m)
{
    switch (m) {
    case ZYDIS_MNEMONIC_ANDPS: case ZYDIS_MNEMONIC_ANDNPS: case ZYDIS_MNEMONIC_ORPS:
    case ZYDIS_MNEMONIC_XORPS: case ZYDIS_MNEMONIC_UNPCKLPS: case ZYDIS_MNEMONIC_UNPCKHPS:
        return FEAT_SSE;
    default:
        return FEAT_SSE2;
    }
}

/* Every packed-integer, FP-bitwise and unpack row of insn_sse.def:
 * op0 = op(op0, op1), op1 an MMX/XMM register, memory or the shift count. */
SimStatus exec_sse_int(CpuState *cpu, const DecodedInsn *d)
{
    unsigned m = d->mnemonic;
    bool mmx = d->op[0].kind == OPK_MMX;
    Xmm a, b, r;
    if (sse_check(cpu, d, xmm_form_feature(m), mmx_form_feature(m)) != SIM_OK ||
        sse_read(cpu, d, 0, &a) != SIM_OK || sse_read(cpu, d, 1, &b) != SIM_OK)
        return SIM_FAULT;
    if (mmx)
        mmx_arrange(m, &a, &b);
    r.v = int_op(mmx ? mmx_unpack_low(m) : m, a.v, b.v);
    if (mmx)
        mmx_result(m, &r);
    return sse_commit(cpu, d, 0, &r);
}
