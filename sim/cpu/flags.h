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

/* Fast single-flag reads for Jcc/SETcc/CMOVcc/ADC/SBB. */
bool flags_cf(const CpuState *cpu);
bool flags_zf(const CpuState *cpu);
/* Condition code cc (0..15, the low nibble of Jcc/SETcc/CMOVcc opcodes). */
bool flags_cond(const CpuState *cpu, unsigned cc);

#endif
