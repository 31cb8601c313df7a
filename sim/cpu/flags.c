/*
 * Lazy arithmetic flags (design.md "Lazy flags").
 *
 * A flag-producing instruction records {op, size, src1, src2, result}; the
 * six arithmetic flags are derived only when read.  Handlers pass values
 * already truncated to `size`; ZF/SF/PF mask the result again so a caller
 * that forgets cannot corrupt them.  The per-flag formulas are inline in
 * flags.h; this file materializes and replaces whole RFLAGS.
 *
 * SDM Vol. 1 3.4.3.1 "Status Flags"; SDM Vol. 2 ADD/ADC/SUB/SBB/CMP/NEG/INC/
 * DEC/AND/OR/XOR/TEST "Flags Affected".  AND/OR/XOR/TEST leave AF undefined;
 * LAZY_LOGIC produces AF = 0, which is what Intel cores produce (docs/flags.md).
 */
#include "sim/cpu/flags.h"

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

