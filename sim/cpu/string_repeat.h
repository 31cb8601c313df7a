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

/* Run a string instruction, repeated by REP/REPE/REPNE when present.
 * `conditional`: REPE/REPNE also stop on ZF (CMPS, SCAS). */
static inline SimStatus SIM_MUST_CHECK cpu_string_run(CpuState *cpu, const DecodedInsn *d,
                                                      StringStep step, bool conditional) {
    int64_t delta = (cpu->rflags & RFLAGS_DF) ? -(int64_t)d->opsize : (int64_t)d->opsize;
    if (!(d->prefix & (PFX_REP | PFX_REPNE))) return step(cpu, d, delta);
    uint64_t mask = size_mask(d->addrsize);
    for (unsigned i = 0; i < STRING_CHUNK; i++) {
        uint64_t count = cpu->gpr[GPR_RCX] & mask;
        if (count == 0) return SIM_OK;
        if (step(cpu, d, delta) != SIM_OK) return SIM_FAULT;
        count = (count - 1) & mask;
        cpu->gpr[GPR_RCX] = d->addrsize == 4 ? count : ((cpu->gpr[GPR_RCX] & ~mask) | count);
        if (conditional && flags_zf(cpu) != ((d->prefix & PFX_REP) != 0)) return SIM_OK;
    }
    return (cpu->gpr[GPR_RCX] & mask) ? SIM_REPEAT : SIM_OK;
}

#endif
