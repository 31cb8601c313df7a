/*
 * String instructions: SDM Vol. 2 MOVS, STOS, LODS, CMPS, SCAS, with REP
 * prefixes.  A REP instruction runs in chunks: after each chunk that leaves
 * work, the handler returns SIM_REPEAT so the loop can take events between
 * iterations with the state in registers, as the SDM describes for
 * interruptible string instructions.
 */
#include "sim/cpu/exceptions.h"
#include "sim/cpu/flags.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/operands.h"

#define STRING_CHUNK 4096 /* iterations per handler call */

typedef SimStatus (*StringStep)(CpuState *cpu, const DecodedInsn *d, int64_t delta);

static uint64_t addr_reg(const CpuState *cpu, const DecodedInsn *d, unsigned reg)
{
    return cpu->gpr[reg] & size_mask(d->addrsize);
}

/* Advance an index register by delta at the address size (SDM: RSI/ESI/SI). */
static void advance(CpuState *cpu, const DecodedInsn *d, unsigned reg, int64_t delta)
{
    uint64_t mask = size_mask(d->addrsize);
    uint64_t v = (cpu->gpr[reg] + (uint64_t)delta) & mask;
    if (d->addrsize == 4)
        cpu->gpr[reg] = v;
    else
        cpu->gpr[reg] = (cpu->gpr[reg] & ~mask) | v;
}

static SimStatus step_movs(CpuState *cpu, const DecodedInsn *d, int64_t delta)
{
    uint64_t v;
    if (cpu_mem_read(cpu, d->seg, addr_reg(cpu, d, REG_RSI), d->opsize, &v) != SIM_OK ||
        cpu_mem_write(cpu, SEG_ES, addr_reg(cpu, d, REG_RDI), d->opsize, v) != SIM_OK)
        return SIM_FAULT;
    advance(cpu, d, REG_RSI, delta);
    advance(cpu, d, REG_RDI, delta);
    return SIM_OK;
}

static SimStatus step_stos(CpuState *cpu, const DecodedInsn *d, int64_t delta)
{
    uint64_t v = cpu->gpr[REG_RAX] & size_mask(d->opsize);
    if (cpu_mem_write(cpu, SEG_ES, addr_reg(cpu, d, REG_RDI), d->opsize, v) != SIM_OK)
        return SIM_FAULT;
    advance(cpu, d, REG_RDI, delta);
    return SIM_OK;
}

static SimStatus step_lods(CpuState *cpu, const DecodedInsn *d, int64_t delta)
{
    uint64_t v;
    if (cpu_mem_read(cpu, d->seg, addr_reg(cpu, d, REG_RSI), d->opsize, &v) != SIM_OK)
        return SIM_FAULT;
    reg_write(cpu, reg_off(REG_RAX), d->opsize, v);
    advance(cpu, d, REG_RSI, delta);
    return SIM_OK;
}

/* CMPS compares [RSI] with ES:[RDI]; flags as CMP src1=[RSI], src2=[RDI]. */
static SimStatus step_cmps(CpuState *cpu, const DecodedInsn *d, int64_t delta)
{
    uint64_t a, b;
    if (cpu_mem_read(cpu, d->seg, addr_reg(cpu, d, REG_RSI), d->opsize, &a) != SIM_OK ||
        cpu_mem_read(cpu, SEG_ES, addr_reg(cpu, d, REG_RDI), d->opsize, &b) != SIM_OK)
        return SIM_FAULT;
    flags_set_lazy(cpu, LAZY_SUB, d->opsize, a, b, (a - b) & size_mask(d->opsize));
    advance(cpu, d, REG_RSI, delta);
    advance(cpu, d, REG_RDI, delta);
    return SIM_OK;
}

/* SCAS compares the accumulator with ES:[RDI]. */
static SimStatus step_scas(CpuState *cpu, const DecodedInsn *d, int64_t delta)
{
    uint64_t a = cpu->gpr[REG_RAX] & size_mask(d->opsize), b;
    if (cpu_mem_read(cpu, SEG_ES, addr_reg(cpu, d, REG_RDI), d->opsize, &b) != SIM_OK)
        return SIM_FAULT;
    flags_set_lazy(cpu, LAZY_SUB, d->opsize, a, b, (a - b) & size_mask(d->opsize));
    advance(cpu, d, REG_RDI, delta);
    return SIM_OK;
}

/* Run a string instruction, repeated by REP/REPE/REPNE when present.
 * `conditional`: REPE/REPNE also stop on ZF (CMPS, SCAS). */
static SimStatus run_string(CpuState *cpu, const DecodedInsn *d, StringStep step, bool conditional)
{
    int64_t delta = (cpu->rflags & RFLAGS_DF) ? -(int64_t)d->opsize : (int64_t)d->opsize;
    if (!(d->prefix & (PFX_REP | PFX_REPNE)))
        return step(cpu, d, delta);
    uint64_t mask = size_mask(d->addrsize);
    for (unsigned i = 0; i < STRING_CHUNK; i++) {
        uint64_t count = cpu->gpr[REG_RCX] & mask;
        if (count == 0)
            return SIM_OK;
        if (step(cpu, d, delta) != SIM_OK)
            return SIM_FAULT;
        count = (count - 1) & mask;
        cpu->gpr[REG_RCX] = d->addrsize == 4 ? count : ((cpu->gpr[REG_RCX] & ~mask) | count);
        if (conditional && flags_zf(cpu) != ((d->prefix & PFX_REP) != 0))
            return SIM_OK;
    }
    return (cpu->gpr[REG_RCX] & mask) ? SIM_REPEAT : SIM_OK;
}

SimStatus exec_movs(CpuState *cpu, const DecodedInsn *d) { return run_string(cpu, d, step_movs, false); }
SimStatus exec_stos(CpuState *cpu, const DecodedInsn *d) { return run_string(cpu, d, step_stos, false); }
SimStatus exec_lods(CpuState *cpu, const DecodedInsn *d) { return run_string(cpu, d, step_lods, false); }
SimStatus exec_cmps(CpuState *cpu, const DecodedInsn *d) { return run_string(cpu, d, step_cmps, true); }
SimStatus exec_scas(CpuState *cpu, const DecodedInsn *d) { return run_string(cpu, d, step_scas, true); }

/* SDM Vol. 2 CLD/STD. */
SimStatus exec_cld(CpuState *cpu, const DecodedInsn *d)
{
    cpu->rflags &= ~(uint64_t)RFLAGS_DF;
    return SIM_OK;
}

SimStatus exec_std(CpuState *cpu, const DecodedInsn *d)
{
    cpu->rflags |= RFLAGS_DF;
    return SIM_OK;
}
