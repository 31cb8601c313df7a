/*
 * Lazy arithmetic flags (design.md "Lazy flags").
 *
 * A flag-producing instruction records {op, size, src1, src2, result}; the
 * six arithmetic flags are derived here only when read.  Handlers pass values
 * already truncated to `size`; ZF/SF/PF mask the result again so a caller
 * that forgets cannot corrupt them.  Every formula works on the top bit
 * (bit 8*size-1) of a bitwise expression, so carries and overflows need no
 * wider arithmetic and hold for ADC/SBB too (the carry-in shows in result):
 *
 *   ADD  CF = top((a & b) | ((a | b) & ~r))     OF = top((a ^ r) & (b ^ r))
 *   SUB  CF = top((~a & b) | ((~a | b) & r))    OF = top((a ^ b) & (a ^ r))
 *   AF   = bit 4 of (a ^ b ^ r) for ADD, SUB, INC, DEC
 *   ZF = (r == 0), SF = top(r), PF = even parity of the low byte of r.
 *
 * SDM Vol. 1 3.4.3.1 "Status Flags"; SDM Vol. 2 ADD/ADC/SUB/SBB/CMP/NEG/INC/
 * DEC/AND/OR/XOR/TEST "Flags Affected".  AND/OR/XOR/TEST leave AF undefined;
 * LAZY_LOGIC produces AF = 0, which is what Intel cores produce (docs/flags.md).
 */
#include "sim/cpu/flags.h"

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
    default:          /* LAZY_LOGIC */
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
    default: /* LAZY_LOGIC */
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

uint64_t flags_compute(const CpuState *cpu) {
    const LazyFlags *l = &cpu->lazy;
    if (l->op == LAZY_NONE) return cpu->rflags & RFLAGS_ARITH;
    return (lazy_cf(l) ? RFLAGS_CF : 0) | (lazy_pf(l) ? RFLAGS_PF : 0) |
           (lazy_af(l) ? RFLAGS_AF : 0) | (lazy_zf(l) ? RFLAGS_ZF : 0) |
           (lazy_sf(l) ? RFLAGS_SF : 0) | (lazy_of(l) ? RFLAGS_OF : 0);
}

uint64_t cpu_get_rflags(const CpuState *cpu) {
    if (cpu->lazy.op == LAZY_NONE) return cpu->rflags;
    return (cpu->rflags & ~(uint64_t)RFLAGS_ARITH) | flags_compute(cpu);
}

void cpu_set_rflags(CpuState *cpu, uint64_t value) {
    cpu->rflags = value;
    cpu->lazy.op = LAZY_NONE;
}

void flags_set_arith(CpuState *cpu, uint64_t mask, uint64_t bits) {
    mask &= RFLAGS_ARITH;
    /* Replacing all six needs none of the old ones: skip the evaluation. */
    uint64_t old = mask == RFLAGS_ARITH ? cpu->rflags : cpu_get_rflags(cpu);
    cpu->rflags = (old & ~mask) | (bits & mask);
    cpu->lazy.op = LAZY_NONE;
}

bool flags_cf(const CpuState *cpu) {
    if (cpu->lazy.op == LAZY_NONE) return cpu->rflags & RFLAGS_CF;
    return lazy_cf(&cpu->lazy);
}

bool flags_zf(const CpuState *cpu) {
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

bool flags_cond(const CpuState *cpu, unsigned cc) {
    return cond_even(cpu, (cc >> 1) & 7) != (cc & 1);
}
