/* Stack pushes and pops through SS with the stack-address size of the current
 * mode (SDM Vol. 1 6.2 "Stacks"; Vol. 3A 3.4.5 for SS.B). */
#ifndef VMXSIM_CPU_STACK_H
#define VMXSIM_CPU_STACK_H

#include "sim/cpu/operands.h"

static inline unsigned stack_addr_size(const CpuState *cpu)
{
    if (cpu->mode == MODE_LONG64)
        return 8;
    return (cpu->seg[SEG_SS].ar & AR_DB) ? 4 : 2;
}

/* Push `size` bytes; RSP is updated only when the write succeeds. */
static inline SimStatus SIM_MUST_CHECK cpu_push(CpuState *cpu, unsigned size, uint64_t value)
{
    unsigned as = stack_addr_size(cpu);
    uint64_t mask = size_mask(as);
    uint64_t sp = (cpu->gpr[GPR_RSP] - size) & mask;
    if (cpu_mem_write(cpu, SEG_SS, sp, size, value) != SIM_OK)
        return SIM_FAULT;
    cpu->gpr[GPR_RSP] = (cpu->gpr[GPR_RSP] & ~mask) | sp;
    return SIM_OK;
}

/* Read the value at the top of the stack plus `skip` bytes, without popping. */
static inline SimStatus SIM_MUST_CHECK cpu_stack_peek(CpuState *cpu, unsigned skip, unsigned size,
                                                      uint64_t *value)
{
    uint64_t mask = size_mask(stack_addr_size(cpu));
    return cpu_mem_read(cpu, SEG_SS, (cpu->gpr[GPR_RSP] + skip) & mask, size, value);
}

static inline void cpu_stack_adjust(CpuState *cpu, uint64_t bytes)
{
    uint64_t mask = size_mask(stack_addr_size(cpu));
    cpu->gpr[GPR_RSP] = (cpu->gpr[GPR_RSP] & ~mask) | ((cpu->gpr[GPR_RSP] + bytes) & mask);
}

static inline SimStatus SIM_MUST_CHECK cpu_pop(CpuState *cpu, unsigned size, uint64_t *value)
{
    if (cpu_stack_peek(cpu, 0, size, value) != SIM_OK)
        return SIM_FAULT;
    cpu_stack_adjust(cpu, size);
    return SIM_OK;
}

#endif
