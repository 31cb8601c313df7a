/*
 * Lazy arithmetic flags (design.md "Lazy flags").  A flag-producing
 * instruction records its operation, operand size, operands and result;
 * CF/PF/AF/ZF/SF/OF are computed only when something reads them.
 */
#ifndef VMXSIM_CPU_FLAGS_H
#define VMXSIM_CPU_FLAGS_H

#include "sim/cpu/cpu.h"

typedef enum LazyOp {
    LAZY_NONE,  /* arithmetic flags are in cpu->rflags */
    /* ADD and ADC (the carry-in is visible in result, so the carry-out and
     * overflow formulas of the top bit hold for both) */
    LAZY_ADD,
    LAZY_SUB,   /* SUB, SBB, CMP, NEG (src1 = 0), likewise */
    LAZY_LOGIC, /* AND/OR/XOR/TEST: CF=OF=0, AF=0 */
    LAZY_INC,   /* CF preserved: src2 holds the old CF */
    LAZY_DEC,
    /* SHL/SHR/SAR by a nonzero masked count: src1 = the original operand,
     * src2 = the count (exec_shift.c documents the flag rules) */
    LAZY_SHL,
    LAZY_SHR,
    LAZY_SAR,
    LAZY_COUNT
} LazyOp;

/* Record a flag-producing operation; values are truncated to `size` bytes. */
static inline void flags_set_lazy(CpuState *cpu, LazyOp op, unsigned size, uint64_t src1,
                                  uint64_t src2, uint64_t result)
{
    cpu->lazy.op = op;
    cpu->lazy.size = size;
    cpu->lazy.src1 = src1;
    cpu->lazy.src2 = src2;
    cpu->lazy.result = result;
}

/* The six arithmetic flags as RFLAGS bits. */
uint64_t flags_compute(const CpuState *cpu);
/* Full RFLAGS with arithmetic flags materialized. */
uint64_t cpu_get_rflags(const CpuState *cpu);
/* Set RFLAGS wholesale (ends lazy evaluation).  Does not update mode. */
void cpu_set_rflags(CpuState *cpu, uint64_t value);
/* Replace only the arithmetic flags given in `mask` with those in `bits`. */
void flags_set_arith(CpuState *cpu, uint64_t mask, uint64_t bits);

/* MUL/IMUL: CF = OF = `overflow`; SF = top bit of the low half, ZF = AF = 0,
 * PF = parity of the low byte, as Intel cores set the undefined ones
 * (docs/flags.md). */
static inline void flags_set_mul(CpuState *cpu, unsigned size, uint64_t lo, bool overflow)
{
    uint64_t f = overflow ? RFLAGS_CF | RFLAGS_OF : 0;
    if ((lo >> (8 * size - 1)) & 1)
        f |= RFLAGS_SF;
    if (!__builtin_parity((unsigned)(lo & 0xff)))
        f |= RFLAGS_PF;
    flags_set_arith(cpu, RFLAGS_ARITH, f);
}

/*
 * Evaluation of the lazy record, inline so that Jcc/SETcc/CMOVcc/ADC/SBB read
 * one flag without a call.  Every formula works on the top bit (bit
 * 8*size-1) of a bitwise expression, so carries and overflows need no wider
 * arithmetic and hold for ADC/SBB too (the carry-in shows in result):
 *
 *   ADD  CF = top((a & b) | ((a | b) & ~r))     OF = top((a ^ r) & (b ^ r))
 *   SUB  CF = top((~a & b) | ((~a | b) & r))    OF = top((a ^ b) & (a ^ r))
 *   AF   = bit 4 of (a ^ b ^ r) for ADD, SUB, INC, DEC
 *   ZF = (r == 0), SF = top(r), PF = even parity of the low byte of r.
 */
/* Indexed by operand size in bytes (1, 2, 4, 8). */
static const uint64_t lazy_mask[9] = {
    0, 0xff, 0xffff, 0, 0xffffffffu, 0, 0, 0, UINT64_MAX,
};

static inline unsigned lazy_top(const LazyFlags *l) {
    return l->size * 8 - 1;
}

static inline bool lazy_bit_top(const LazyFlags *l, uint64_t x) {
    return (x >> lazy_top(l)) & 1;
}

static inline uint64_t lazy_result(const LazyFlags *l) {
    return l->result & lazy_mask[l->size > 8 ? 8 : l->size];
}

static inline bool lazy_zf(const LazyFlags *l) {
    return lazy_result(l) == 0;
}

static inline bool lazy_sf(const LazyFlags *l) {
    return lazy_bit_top(l, l->result);
}

static inline bool lazy_pf(const LazyFlags *l) {
    return !__builtin_parity((unsigned)(l->result & 0xff));
}

static inline bool lazy_cf(const LazyFlags *l) {
    uint64_t a = l->src1, b = l->src2, r = l->result;
    switch (l->op) {
    case LAZY_ADD:
        return lazy_bit_top(l, (a & b) | ((a | b) & ~r));
    case LAZY_SUB:
        return lazy_bit_top(l, (~a & b) | ((~a | b) & r));
    case LAZY_INC:
    case LAZY_DEC:
        return b & 1; /* the CF before the instruction */
    case LAZY_SHL:    /* last bit out; 0 past the width of an 8/16-bit operand */
        return b <= l->size * 8u && ((a >> (l->size * 8u - b)) & 1);
    case LAZY_SHR:
        return (a >> (b - 1)) & 1;
    case LAZY_SAR: /* the sign fills in beyond the width */
        return ((uint64_t)((int64_t)(a << (64 - l->size * 8u)) >> (64 - l->size * 8u)) >> (b - 1)) & 1;
    default: /* LAZY_LOGIC */
        return false;
    }
}

static inline bool lazy_of(const LazyFlags *l) {
    uint64_t a = l->src1, b = l->src2, r = l->result;
    switch (l->op) {
    case LAZY_ADD:
        return lazy_bit_top(l, (a ^ r) & (b ^ r));
    case LAZY_SUB:
        return lazy_bit_top(l, (a ^ b) & (a ^ r));
    case LAZY_INC: /* INC overflows only into the sign: 0111..1 + 1 */
        return lazy_bit_top(l, r & ~a);
    case LAZY_DEC: /* DEC overflows only out of the sign: 1000..0 - 1 */
        return lazy_bit_top(l, a & ~r);
    case LAZY_SHL: /* OF of a 1-bit step on the original: MSB XOR the bit below */
        return lazy_bit_top(l, a ^ (a << 1));
    case LAZY_SHR: /* MSB of the original */
        return lazy_bit_top(l, a);
    default: /* LAZY_LOGIC, LAZY_SAR */
        return false;
    }
}

static inline bool lazy_af(const LazyFlags *l) {
    switch (l->op) {
    case LAZY_ADD:
    case LAZY_SUB:
        return ((l->src1 ^ l->src2 ^ l->result) >> 4) & 1;
    case LAZY_INC:
    case LAZY_DEC:
        return ((l->src1 ^ l->result) >> 4) & 1; /* the other operand is 1 */
    default:
        return false;
    }
}

static inline bool flags_cf(const CpuState *cpu) {
    if (cpu->lazy.op == LAZY_NONE) return cpu->rflags & RFLAGS_CF;
    return lazy_cf(&cpu->lazy);
}

static inline bool flags_zf(const CpuState *cpu) {
    if (cpu->lazy.op == LAZY_NONE) return cpu->rflags & RFLAGS_ZF;
    return lazy_zf(&cpu->lazy); /* result == 0 for every lazy op */
}

static inline bool flags_sf(const CpuState *cpu) {
    if (cpu->lazy.op == LAZY_NONE) return cpu->rflags & RFLAGS_SF;
    return lazy_sf(&cpu->lazy);
}

static inline bool flags_of(const CpuState *cpu) {
    if (cpu->lazy.op == LAZY_NONE) return cpu->rflags & RFLAGS_OF;
    return lazy_of(&cpu->lazy);
}

static inline bool flags_pf(const CpuState *cpu) {
    if (cpu->lazy.op == LAZY_NONE) return cpu->rflags & RFLAGS_PF;
    return lazy_pf(&cpu->lazy);
}

/* SDM Vol. 1 Appendix B "EFLAGS Condition Codes", Table B-1: the even code
 * of each pair (cc >> 1) is the condition, the odd code its negation. */
static inline bool cond_even(const CpuState *cpu, unsigned pair) {
    switch (pair) {
    case 0: /* O: OF */
        return flags_of(cpu);
    case 1: /* B: CF */
        return flags_cf(cpu);
    case 2: /* Z: ZF */
        return flags_zf(cpu);
    case 3: /* BE: CF or ZF */
        return flags_cf(cpu) || flags_zf(cpu);
    case 4: /* S: SF */
        return flags_sf(cpu);
    case 5: /* P: PF */
        return flags_pf(cpu);
    case 6: /* L: SF != OF */
        return flags_sf(cpu) != flags_of(cpu);
    default: /* LE: ZF or SF != OF */
        return flags_zf(cpu) || flags_sf(cpu) != flags_of(cpu);
    }
}

static inline bool flags_cond(const CpuState *cpu, unsigned cc) {
    return cond_even(cpu, (cc >> 1) & 7) != (cc & 1);
}



#endif
