/*
 * MMX/SSE/SSE2 data movement (SDM Vol. 2 MOVAPS ... MOVDQU, MOVD/MOVQ,
 * MOVSS/MOVSD, MOVLPS ... MOVHLPS, MOVNTxx, MOVQ2DQ/MOVDQ2Q, MOVMSKPS,
 * MOVMSKPD, PMOVMSKB).  Alignment of 16-byte memory operands follows the
 * legacy-SSE rule in sse.c (MOVUPS/MOVUPD/MOVDQU are the unaligned forms).
 */
#include <Zydis/Zydis.h>

#include "sim/cpu/handlers.h"
#include "sim/cpu/operands.h"
#include "sim/cpu/sse.h"

/* CPUID flag of the XMM form (SDM Vol. 2 opcode tables): the PS forms are
 * SSE, the rest SSE2. */
static CpuFeature move_xmm_feature(unsigned m)
{
    switch (m) {
    case ZYDIS_MNEMONIC_MOVAPS: case ZYDIS_MNEMONIC_MOVUPS: case ZYDIS_MNEMONIC_MOVSS:
    case ZYDIS_MNEMONIC_MOVNTPS: case ZYDIS_MNEMONIC_MOVLPS: case ZYDIS_MNEMONIC_MOVHPS:
    case ZYDIS_MNEMONIC_MOVHLPS: case ZYDIS_MNEMONIC_MOVLHPS: case ZYDIS_MNEMONIC_MOVMSKPS:
        return FEAT_SSE;
    default:
        return FEAT_SSE2;
    }
}

/* CPUID flag of the MMX-register form: MOVNTQ and PMOVMSKB mm came with SSE. */
static CpuFeature move_mmx_feature(unsigned m)
{
    return m == ZYDIS_MNEMONIC_MOVNTQ || m == ZYDIS_MNEMONIC_PMOVMSKB ? FEAT_SSE : FEAT_MMX;
}

static SimStatus move_check(CpuState *cpu, const DecodedInsn *d)
{
    return sse_check(cpu, d, move_xmm_feature(d->mnemonic), move_mmx_feature(d->mnemonic));
}

/* Full and zero-extending moves: the narrower operand gives the width (16
 * for MOVAPS, 8 for MOVQ, 4 for MOVD); an XMM or MMX destination is
 * zero-extended (SDM Vol. 2 MOVD/MOVQ, MOVQ2DQ, MOVSS/MOVSD from memory),
 * except MOVSS/MOVSD between registers, which replace only the low element. */
SimStatus exec_sse_mov(CpuState *cpu, const DecodedInsn *d)
{
    unsigned m = d->mnemonic;
    unsigned width = d->op[0].size < d->op[1].size ? d->op[0].size : d->op[1].size;
    bool merge = (m == ZYDIS_MNEMONIC_MOVSS || m == ZYDIS_MNEMONIC_MOVSD) &&
                 d->op[0].kind == OPK_XMM && d->op[1].kind == OPK_XMM;
    Xmm r = {{0}}, s;
    if (move_check(cpu, d) != SIM_OK || sse_read(cpu, d, 1, &s) != SIM_OK)
        return SIM_FAULT;
    if (merge)
        sse_xmm_get(cpu, d->op[0].reg, &r);
    memcpy(r.b, s.b, width < sizeof(r) ? width : sizeof(r));
    return sse_commit(cpu, d, 0, &r);
}

/* SDM Vol. 2 MOVLPS/MOVLPD/MOVHPS/MOVHPD (load: one quadword of the
 * register replaced; store: that quadword to m64), MOVHLPS (high quadword
 * of the source to the low one of the destination), MOVLHPS (low to high). */
SimStatus exec_sse_mov_half(CpuState *cpu, const DecodedInsn *d)
{
    unsigned m = d->mnemonic;
    bool high = m == ZYDIS_MNEMONIC_MOVHPS || m == ZYDIS_MNEMONIC_MOVHPD;
    bool store = d->op[0].kind == OPK_MEM;
    unsigned src_half = m == ZYDIS_MNEMONIC_MOVHLPS || (high && store);
    unsigned dst_half = m == ZYDIS_MNEMONIC_MOVLHPS || (high && !store);
    Xmm r = {{0}}, s;
    if (move_check(cpu, d) != SIM_OK || sse_read(cpu, d, 1, &s) != SIM_OK)
        return SIM_FAULT;
    if (!store)
        sse_xmm_get(cpu, d->op[0].reg, &r);
    r.q[store ? 0 : dst_half] = s.q[src_half];
    return sse_commit(cpu, d, 0, &r);
}

/* SDM Vol. 2 MOVMSKPS/MOVMSKPD/PMOVMSKB: the sign bit of each element into
 * the low bits of the general register, the rest zero. */
SimStatus exec_sse_movmsk(CpuState *cpu, const DecodedInsn *d)
{
    unsigned m = d->mnemonic;
    unsigned elem = m == ZYDIS_MNEMONIC_MOVMSKPS ? 4 : m == ZYDIS_MNEMONIC_MOVMSKPD ? 8 : 1;
    unsigned width = d->op[1].kind == OPK_MMX ? 8 : 16;
    Xmm r = {{0}}, s;
    if (move_check(cpu, d) != SIM_OK || sse_read(cpu, d, 1, &s) != SIM_OK)
        return SIM_FAULT;
    for (unsigned i = 0; i < width / elem; i++)
        r.q[0] |= (uint64_t)(s.b[(i + 1) * elem - 1] >> 7) << i;
    return sse_commit(cpu, d, 0, &r);
}

/* SDM Vol. 2 MOVNTI: a general-register store; SDM Vol. 3A 13.1.4: only the
 * SSE2 flag matters (CR0.EM, CR0.TS and CR4.OSFXSR do not). */
SimStatus exec_movnti(CpuState *cpu, const DecodedInsn *d)
{
    uint64_t v;
    if (!cpu_model_has(cpu->model, FEAT_SSE2))
        return cpu_raise_ud(cpu);
    if (opnd_read(cpu, d, 1, &v) != SIM_OK)
        return SIM_FAULT;
    return opnd_write(cpu, d, 0, v);
}
