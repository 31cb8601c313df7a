/*
 * Shuffles and element moves selected by an immediate (SDM Vol. 2 PSHUFD,
 * PSHUFLW, PSHUFHW, PSHUFW, SHUFPS, SHUFPD, PSLLDQ, PSRLDQ, PINSRW, PEXTRW).
 */
#include <Zydis/Zydis.h>

#include "sim/cpu/handlers.h"
#include "sim/cpu/sse.h"

/* SDM Vol. 2 PSHUFD/PSHUFLW/PSHUFHW/PSHUFW: four doublewords, or the four
 * words starting at word `first`, each chosen within that group of four by
 * its 2-bit field of imm. */
static void shuffle_words(Xmm *r, const Xmm *s, unsigned imm, unsigned first, bool dwords)
{
    for (unsigned i = 0; i < 4; i++) {
        unsigned from = (imm >> (2 * i)) & 3;
        if (dwords)
            r->d[i] = s->d[from];
        else
            r->w[first + i] = s->w[first + from];
    }
}

/* SDM Vol. 2 SHUFPS/SHUFPD: the low half from the destination, the high
 * half from the source. */
static void shuffle_fp(unsigned m, Xmm *r, const Xmm *a, const Xmm *b, unsigned imm)
{
    if (m == ZYDIS_MNEMONIC_SHUFPD) {
        r->q[0] = a->q[imm & 1];
        r->q[1] = b->q[(imm >> 1) & 1];
        return;
    }
    r->d[0] = a->d[imm & 3];
    r->d[1] = a->d[(imm >> 2) & 3];
    r->d[2] = b->d[(imm >> 4) & 3];
    r->d[3] = b->d[(imm >> 6) & 3];
}

/* SDM Vol. 2 PSLLDQ/PSRLDQ: byte shifts, a count above 15 clears. */
static void shift_bytes(Xmm *r, const Xmm *a, unsigned n, bool left)
{
    for (unsigned i = 0; i < 16; i++) {
        unsigned from = left ? i - n : i + n;
        r->b[i] = (left ? i >= n : i + n < 16) ? a->b[from] : 0;
    }
}

/* SDM Vol. 2 PINSRW/PEXTRW: word imm mod 8 (XMM) or mod 4 (MMX). */
static void word_move(unsigned m, Xmm *r, const Xmm *a, const Xmm *b, unsigned imm, bool mmx)
{
    unsigned sel = imm & (mmx ? 3 : 7);
    if (m == ZYDIS_MNEMONIC_PINSRW) {
        *r = *a;
        r->w[sel] = b->w[0];
    } else {
        r->q[0] = b->w[sel];
        r->q[1] = 0;
    }
}

static void shuffle(unsigned m, Xmm *r, const Xmm *a, const Xmm *b, unsigned imm, bool mmx)
{
    *r = *b;
    switch (m) {
    case ZYDIS_MNEMONIC_PSHUFD: shuffle_words(r, b, imm, 0, true); break;
    case ZYDIS_MNEMONIC_PSHUFLW:
    case ZYDIS_MNEMONIC_PSHUFW: shuffle_words(r, b, imm, 0, false); break;
    case ZYDIS_MNEMONIC_PSHUFHW: shuffle_words(r, b, imm, 4, false); break;
    case ZYDIS_MNEMONIC_PSLLDQ: shift_bytes(r, a, imm, true); break;
    case ZYDIS_MNEMONIC_PSRLDQ: shift_bytes(r, a, imm, false); break;
    case ZYDIS_MNEMONIC_PINSRW: case ZYDIS_MNEMONIC_PEXTRW: word_move(m, r, a, b, imm, mmx); break;
    default: shuffle_fp(m, r, a, b, imm); break;
    }
}

/* CPUID flag of the XMM form: SHUFPS is SSE; PEXTRW to memory is SSE4.1;
 * the rest SSE2.  The MMX forms (PSHUFW, PINSRW, PEXTRW) came with SSE. */
static CpuFeature shuffle_xmm_feature(const DecodedInsn *d)
{
    if (d->mnemonic == ZYDIS_MNEMONIC_SHUFPS)
        return FEAT_SSE;
    return d->op[0].kind == OPK_MEM ? FEAT_SSE41 : FEAT_SSE2;
}

/* Every row of this family: op0 = f(op0, op1, imm8). */
SimStatus exec_sse_shuffle(CpuState *cpu, const DecodedInsn *d)
{
    bool mmx = sse_has_kind(d, OPK_MMX);
    Xmm a = {{0}}, b, r;
    if (sse_check(cpu, d, shuffle_xmm_feature(d), FEAT_SSE) != SIM_OK ||
        (d->op[0].kind != OPK_MEM && sse_read(cpu, d, 0, &a) != SIM_OK) ||
        sse_read(cpu, d, 1, &b) != SIM_OK)
        return SIM_FAULT;
    shuffle(d->mnemonic, &r, &a, &b, (unsigned)d->imm & 0xff, mmx);
    return sse_commit(cpu, d, 0, &r);
}
