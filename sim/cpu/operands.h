/*
 * Operand access for handlers: registers by byte offset into the register
 * file (so AH..BH and the REX byte registers need no special case), memory
 * by the decoded addressing recipe, immediates pre-extended.
 */
#ifndef VMXSIM_CPU_OPERANDS_H
#define VMXSIM_CPU_OPERANDS_H

#include "sim/cpu/access.h"
#include "sim/cpu/decoded_insn.h"

static inline uint64_t size_mask(unsigned size)
{
    return size >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * size)) - 1;
}

static inline uint64_t sign_extend(uint64_t v, unsigned size)
{
    unsigned shift = 64 - 8 * size;
    return (uint64_t)((int64_t)(v << shift) >> shift);
}

/* Effective address (offset within the segment), wrapped to the address size. */
static inline uint64_t insn_ea(const CpuState *cpu, const DecodedInsn *d)
{
    uint64_t ea = cpu->gpr[d->base] + (cpu->gpr[d->index] << d->scale) + (uint64_t)d->disp;
    return ea & size_mask(d->addrsize);
}

/* `off` is a byte offset into cpu->gpr: a multiple of 8, plus 1 for AH..BH. */
static inline uint64_t reg_read(const CpuState *cpu, unsigned off, unsigned size)
{
    uint64_t r = cpu->gpr[off >> 3];
    switch (size) {
    case 1:
        return (r >> (8 * (off & 7))) & 0xff;
    case 2:
        return r & 0xffff;
    case 4:
        return r & 0xffffffffu;
    default:
        return r;
    }
}

/* SDM Vol. 1 3.4.1.1: 32-bit results zero-extend into the 64-bit register;
 * 8- and 16-bit results leave the other bits alone. */
static inline void reg_write(CpuState *cpu, unsigned off, unsigned size, uint64_t v)
{
    uint64_t *r = &cpu->gpr[off >> 3];
    switch (size) {
    case 1: {
        unsigned shift = 8 * (off & 7);
        *r = (*r & ~(UINT64_C(0xff) << shift)) | ((v & 0xff) << shift);
        return;
    }
    case 2:
        *r = (*r & ~UINT64_C(0xffff)) | (v & 0xffff);
        return;
    case 4:
        *r = (uint32_t)v;
        return;
    default:
        *r = v;
        return;
    }
}

static inline unsigned reg_off(unsigned reg) { return reg * 8; }

static inline SimStatus SIM_MUST_CHECK opnd_read(CpuState *cpu, const DecodedInsn *d, unsigned i,
                                                 uint64_t *v)
{
    const DecodedOperand *o = &d->op[i];
    switch (o->kind) {
    case OPK_REG:
        *v = reg_read(cpu, o->reg, o->size);
        return SIM_OK;
    case OPK_MEM:
        return cpu_mem_read(cpu, d->seg, insn_ea(cpu, d), o->size, v);
    default:
        *v = d->imm & size_mask(o->size);
        return SIM_OK;
    }
}

/* The destination of a read-modify-write instruction: a memory operand is
 * read as cpu_mem_read_rmw reads it (checked, and faulting, as a write). */
static inline SimStatus SIM_MUST_CHECK opnd_read_rmw(CpuState *cpu, const DecodedInsn *d,
                                                     unsigned i, uint64_t *v)
{
    if (d->op[i].kind == OPK_MEM)
        return cpu_mem_read_rmw(cpu, d->seg, insn_ea(cpu, d), d->op[i].size, v);
    return opnd_read(cpu, d, i, v);
}

static inline SimStatus SIM_MUST_CHECK opnd_write(CpuState *cpu, const DecodedInsn *d, unsigned i,
                                                  uint64_t v)
{
    const DecodedOperand *o = &d->op[i];
    if (o->kind == OPK_REG) {
        reg_write(cpu, o->reg, o->size, v);
        return SIM_OK;
    }
    return cpu_mem_write(cpu, d->seg, insn_ea(cpu, d), o->size, v);
}

#endif
