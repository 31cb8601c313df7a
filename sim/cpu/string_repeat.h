/*
 * The REP loop shared by every string instruction (SDM Vol. 2 MOVS, STOS,
 * LODS, CMPS, SCAS, INS, OUTS, and "REP/REPE/REPZ/REPNE/REPNZ").  A REP
 * instruction runs in chunks: after each chunk that leaves work, the handler
 * returns SIM_REPEAT so the loop can take events between iterations with the
 * state in registers, as the SDM describes for interruptible string
 * instructions.
 */
#ifndef VMXSIM_CPU_STRING_REPEAT_H
#define VMXSIM_CPU_STRING_REPEAT_H

#include "sim/cpu/flags.h"
#include "sim/cpu/operands.h"

#define STRING_CHUNK 4096 /* iterations per handler call */

/* One iteration; delta is +size or -size from RFLAGS.DF. */
typedef SimStatus (*StringStep)(CpuState *cpu, const DecodedInsn *d, int64_t delta);

/* RSI/ESI/SI or RDI/EDI/DI at the address size. */
static inline uint64_t cpu_string_index(const CpuState *cpu, const DecodedInsn *d, unsigned reg) {
    return cpu->gpr[reg] & size_mask(d->addrsize);
}

/* Advance an index register by delta at the address size (SDM: RSI/ESI/SI). */
static inline void cpu_string_advance(CpuState *cpu, const DecodedInsn *d, unsigned reg,
                                      int64_t delta) {
    uint64_t mask = size_mask(d->addrsize);
    uint64_t v = (cpu->gpr[reg] + (uint64_t)delta) & mask;
    if (d->addrsize == 4)
        cpu->gpr[reg] = v;
    else
        cpu->gpr[reg] = (cpu->gpr[reg] & ~mask) | v;
}

/*
 * A REP string instruction with a 32-bit address size writes its count
 * register as ECX, zero-extending RCX (SDM Vol. 1 3.4.1.1), before the
 * first iteration: also with ECX = 0 and when the first iteration faults.
 * MOVS does the same with RSI and RDI, STOS with RDI; the others leave their
 * index register alone until an iteration advances it.  The SDM is silent
 * (its REP "Operation" writes the count only after an iteration); this is
 * what the Intel core does (docs/differential-testing.md).
 */
static inline void cpu_string_rep_widen(CpuState *cpu, const DecodedInsn *d, unsigned reg) {
    if ((d->prefix & (PFX_REP | PFX_REPNE)) && d->addrsize == 4)
        cpu->gpr[reg] = (uint32_t)cpu->gpr[reg];
}

/* Run a string instruction, repeated by REP/REPE/REPNE when present.
 * `conditional`: REPE/REPNE also stop on ZF (CMPS, SCAS); when one of their
 * iterations faults, RFLAGS are left as they were before the instruction,
 * not as the last completed iteration set them (the SDM is silent; the
 * Intel core does so, docs/differential-testing.md). */
static inline SimStatus SIM_MUST_CHECK cpu_string_run(CpuState *cpu, const DecodedInsn *d,
                                                      StringStep step, bool conditional) {
    int64_t delta = (cpu->rflags & RFLAGS_DF) ? -(int64_t)d->opsize : (int64_t)d->opsize;
    if (!(d->prefix & (PFX_REP | PFX_REPNE))) return step(cpu, d, delta);
    uint64_t mask = size_mask(d->addrsize), rflags = cpu->rflags;
    LazyFlags lazy = cpu->lazy;
    cpu_string_rep_widen(cpu, d, GPR_RCX);
    for (unsigned i = 0; i < STRING_CHUNK; i++) {
        uint64_t count = cpu->gpr[GPR_RCX] & mask;
        if (count == 0) return SIM_OK;
        if (step(cpu, d, delta) != SIM_OK) {
            cpu->lazy = lazy;
            cpu->rflags = rflags;
            return SIM_FAULT;
        }
        count = (count - 1) & mask;
        cpu->gpr[GPR_RCX] = d->addrsize == 4 ? count : ((cpu->gpr[GPR_RCX] & ~mask) | count);
        if (conditional && flags_zf(cpu) != ((d->prefix & PFX_REP) != 0)) return SIM_OK;
    }
    return (cpu->gpr[GPR_RCX] & mask) ? SIM_REPEAT : SIM_OK;
}

#endif
