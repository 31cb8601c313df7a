/*
 * Shared by the MMX, SSE and SSE2 handlers (exec_sse_*.c, exec_mmx.c,
 * exec_xsave.c): the 128-bit register value, availability checks, operand
 * access with the legacy-SSE alignment rule, the MMX/x87 aliasing, and the
 * SIMD floating-point exception rules of MXCSR.  docs/sse.md describes the
 * design: floating-point results come from the host's own SSE unit, run
 * with the guest's MXCSR controls and every exception masked.
 */
#ifndef VMXSIM_CPU_SSE_H
#define VMXSIM_CPU_SSE_H

#include <emmintrin.h>

#include "sim/cpu/decoded_insn.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/fpu.h"
#include "sim/cpu/x87.h"

/* One XMM value (or an MMX/GPR/memory value zero-extended to 128 bits). */
typedef union Xmm {
    uint8_t b[16];
    uint16_t w[8];
    uint32_t d[4];
    uint64_t q[2];
    __m128i v;
} Xmm;

/* SDM Vol. 1 10.2.3 "MXCSR Control and Status Register", Figure 10-3. */
#define MXCSR_IE 0x0001u
#define MXCSR_DE 0x0002u
#define MXCSR_ZE 0x0004u
#define MXCSR_OE 0x0008u
#define MXCSR_UE 0x0010u
#define MXCSR_PE 0x0020u
#define MXCSR_FLAGS 0x003fu
#define MXCSR_DAZ 0x0040u
#define MXCSR_MASK_SHIFT 7
#define MXCSR_MASKS 0x1f80u
#define MXCSR_RESET 0x1f80u
/* SDM Vol. 1 11.6.6 "Guidelines for Writing to the MXCSR Register": the
 * MXCSR_MASK FXSAVE stores.  Bits 0-15 (flags, DAZ, masks, RC, FTZ) exist;
 * a 1 written to any of bits 16-31 is a #GP(0). */
#define MXCSR_MASK_SUPPORTED 0x0000ffffu

static inline void sse_xmm_get(const CpuState *cpu, unsigned reg, Xmm *v)
{
    v->q[0] = cpu->fpu.xmm[reg][0];
    v->q[1] = cpu->fpu.xmm[reg][1];
}

static inline void sse_xmm_set(CpuState *cpu, unsigned reg, const Xmm *v)
{
    cpu->fpu.xmm[reg][0] = v->q[0];
    cpu->fpu.xmm[reg][1] = v->q[1];
}

/* --- MMX state aliasing (exec_mmx.c), SDM Vol. 3A 12.2 --- */

/* MMi is the significand of physical x87 register Ri. */
static inline uint64_t mmx_get(const CpuState *cpu, unsigned reg)
{
    return cpu->fpu.r[reg & 7].significand;
}
void mmx_set(CpuState *cpu, unsigned reg, uint64_t v);
/* The x87-to-MMX transition every MMX instruction but EMMS makes. */
void mmx_enter(CpuState *cpu);

/* --- availability and operands (sse.c) --- */

bool sse_has_kind(const DecodedInsn *d, OperandKind kind);
/* The checks of an SSE instruction: cpu_sse_available with `feature`, then,
 * with an MMX operand, #MF for a pending x87 exception. */
SimStatus sse_check_xmm_rules(CpuState *cpu, const DecodedInsn *d,
                              CpuFeature feature) SIM_MUST_CHECK;
/* The checks every MMX/SSE integer or move handler makes first: with only
 * MMX operands those of MMX plus mmx_feature (and #MF), otherwise
 * sse_check_xmm_rules with xmm_feature. */
SimStatus sse_check(CpuState *cpu, const DecodedInsn *d, CpuFeature xmm_feature,
                    CpuFeature mmx_feature) SIM_MUST_CHECK;
/* Operand i zero-extended to 128 bits: an XMM register (16 bytes), an MMX
 * register (8), a general register or a memory operand (its size), or the
 * 8-bit immediate. */
SimStatus sse_read(CpuState *cpu, const DecodedInsn *d, unsigned i, Xmm *v) SIM_MUST_CHECK;
/* Write operand i: all of an XMM register, all of an MMX register, a
 * general register or memory at the operand's size.  Commits the MMX
 * transition when the instruction has an MMX operand. */
SimStatus sse_commit(CpuState *cpu, const DecodedInsn *d, unsigned i,
                     const Xmm *v) SIM_MUST_CHECK;
/* seg:offset block accesses checked like an instruction's memory operand,
 * with #GP(0) when `align` is not 0 and the linear address is not a
 * multiple of it. */
SimStatus sse_mem_read(CpuState *cpu, unsigned seg, uint64_t off, void *buf, unsigned size,
                       unsigned align) SIM_MUST_CHECK;
SimStatus sse_mem_write(CpuState *cpu, unsigned seg, uint64_t off, const void *buf, unsigned size,
                        unsigned align) SIM_MUST_CHECK;
/* Every check of a `size`-byte write (at most a page) at seg:offset, with
 * the alignment rule, and nothing written: after it, writes inside the
 * range cannot fault. */
SimStatus sse_mem_probe_write(CpuState *cpu, unsigned seg, uint64_t off, unsigned size,
                              unsigned align) SIM_MUST_CHECK;

/* --- SIMD floating point (sse.c) --- */

/* One host operation: dst = op(dst, src) on the host's SSE unit, with the
 * 8-bit immediate where the instruction has one. */
typedef void (*SseHostFn)(Xmm *dst, const Xmm *src, unsigned imm);

/* A SseHostFn running the register-register form of `insn` (AT&T operand
 * order); a scalar form reads only the low element of src and keeps the
 * rest of dst, as on hardware. */
#define SSE_HOST_OP(name, insn)                                                                    \
    static void name(Xmm *d, const Xmm *s, unsigned imm)                                           \
    {                                                                                              \
        __asm__ volatile(insn " %1, %0" : "+x"(d->v) : "x"(s->v));                                 \
    }

/* How a floating-point operation writes its result. */
typedef enum SseFpKind {
    FPK_OPERAND, /* operand 0 (XMM, MMX or general register) */
    FPK_FLAGS,   /* COMISS family: ZF, PF, CF in dst.q[0]; OF, SF, AF cleared */
} SseFpKind;

typedef struct SseFpOp {
    SseHostFn fn[2];   /* [1]: the 64-bit general-register form (REX.W), if any */
    uint8_t feature;   /* CpuFeature */
    uint8_t kind;      /* SseFpKind */
    uint8_t tiny;      /* result lanes checked for an exact tiny result (0: none) */
    uint8_t tiny_f64;  /* those lanes are doubles */
    uint8_t src_low64; /* only the low quadword of the source is an input */
} SseFpOp;

/* Row of the arithmetic table (exec_sse_fp.c) or the conversion table
 * (exec_sse_cvt.c) for a mnemonic; NULL when it has none. */
const SseFpOp *sse_fp_arith_op(unsigned mnemonic);
const SseFpOp *sse_fp_cvt_op(unsigned mnemonic);
/* Run `op` on the host with the guest's MXCSR controls and all exceptions
 * masked; returns the exception flags the host raised. */
uint32_t sse_host_run(uint32_t mxcsr, SseHostFn fn, Xmm *dst, const Xmm *src, unsigned imm);
/* The whole of a SIMD floating-point instruction: checks, operands, host
 * execution, MXCSR flags, #XM/#UD for unmasked exceptions, commit. */
SimStatus sse_fp_execute(CpuState *cpu, const DecodedInsn *d, const SseFpOp *op) SIM_MUST_CHECK;

#endif
