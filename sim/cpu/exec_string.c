/*
 * String instructions: SDM Vol. 2 MOVS, STOS, LODS, CMPS, SCAS, with REP
 * prefixes (the REP loop is sim/cpu/string_repeat.h, shared with INS/OUTS).
 */
#include "sim/cpu/exceptions.h"
#include "sim/cpu/flags.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/operands.h"
#include "sim/cpu/string_repeat.h"

static SimStatus step_movs(CpuState *cpu, const DecodedInsn *d, int64_t delta)
{
    uint64_t v;
    if (cpu_mem_read(cpu, d->seg, cpu_string_index(cpu, d, GPR_RSI), d->opsize, &v) != SIM_OK ||
        cpu_mem_write(cpu, SEG_ES, cpu_string_index(cpu, d, GPR_RDI), d->opsize, v) != SIM_OK)
        return SIM_FAULT;
    cpu_string_advance(cpu, d, GPR_RSI, delta);
    cpu_string_advance(cpu, d, GPR_RDI, delta);
    return SIM_OK;
}

static SimStatus step_stos(CpuState *cpu, const DecodedInsn *d, int64_t delta)
{
    uint64_t v = cpu->gpr[GPR_RAX] & size_mask(d->opsize);
    if (cpu_mem_write(cpu, SEG_ES, cpu_string_index(cpu, d, GPR_RDI), d->opsize, v) != SIM_OK)
        return SIM_FAULT;
    cpu_string_advance(cpu, d, GPR_RDI, delta);
    return SIM_OK;
}

static SimStatus step_lods(CpuState *cpu, const DecodedInsn *d, int64_t delta)
{
    uint64_t v;
    if (cpu_mem_read(cpu, d->seg, cpu_string_index(cpu, d, GPR_RSI), d->opsize, &v) != SIM_OK)
        return SIM_FAULT;
    reg_write(cpu, reg_off(GPR_RAX), d->opsize, v);
    cpu_string_advance(cpu, d, GPR_RSI, delta);
    return SIM_OK;
}

/* CMPS compares [RSI] with ES:[RDI]; flags as CMP src1=[RSI], src2=[RDI]. */
static SimStatus step_cmps(CpuState *cpu, const DecodedInsn *d, int64_t delta)
{
    uint64_t a, b;
    if (cpu_mem_read(cpu, d->seg, cpu_string_index(cpu, d, GPR_RSI), d->opsize, &a) != SIM_OK ||
        cpu_mem_read(cpu, SEG_ES, cpu_string_index(cpu, d, GPR_RDI), d->opsize, &b) != SIM_OK)
        return SIM_FAULT;
    flags_set_lazy(cpu, LAZY_SUB, d->opsize, a, b, (a - b) & size_mask(d->opsize));
    cpu_string_advance(cpu, d, GPR_RSI, delta);
    cpu_string_advance(cpu, d, GPR_RDI, delta);
    return SIM_OK;
}

/* SCAS compares the accumulator with ES:[RDI]. */
static SimStatus step_scas(CpuState *cpu, const DecodedInsn *d, int64_t delta)
{
    uint64_t a = cpu->gpr[GPR_RAX] & size_mask(d->opsize), b;
    if (cpu_mem_read(cpu, SEG_ES, cpu_string_index(cpu, d, GPR_RDI), d->opsize, &b) != SIM_OK)
        return SIM_FAULT;
    flags_set_lazy(cpu, LAZY_SUB, d->opsize, a, b, (a - b) & size_mask(d->opsize));
    cpu_string_advance(cpu, d, GPR_RDI, delta);
    return SIM_OK;
}

SimStatus exec_movs(CpuState *cpu, const DecodedInsn *d)
{
    cpu_string_rep_widen(cpu, d, GPR_RSI);
    cpu_string_rep_widen(cpu, d, GPR_RDI);
    return cpu_string_run(cpu, d, step_movs, false);
}

SimStatus exec_stos(CpuState *cpu, const DecodedInsn *d)
{
    cpu_string_rep_widen(cpu, d, GPR_RDI);
    return cpu_string_run(cpu, d, step_stos, false);
}

SimStatus exec_lods(CpuState *cpu, const DecodedInsn *d)
{
    return cpu_string_run(cpu, d, step_lods, false);
}

SimStatus exec_cmps(CpuState *cpu, const DecodedInsn *d)
{
    return cpu_string_run(cpu, d, step_cmps, true);
}

SimStatus exec_scas(CpuState *cpu, const DecodedInsn *d)
{
    return cpu_string_run(cpu, d, step_scas, true);
}

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
