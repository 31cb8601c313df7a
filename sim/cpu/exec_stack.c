/* Stack instructions: SDM Vol. 2 PUSH, POP, PUSHF, POPF, LEAVE. */
#include "sim/cpu/exceptions.h"
#include "sim/cpu/flags.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/segmentation.h"
#include "sim/cpu/stack.h"
#include "sim/cpu/v86.h"

/* SDM Vol. 2 PUSH: a segment register pushed with a 64-bit operand size is
 * zero-extended; with a 32-bit one it is written with a 16-bit move, leaving
 * the rest of the slot unmodified, as all recent Intel Core processors do.
 * The whole slot must be writable; the alignment check is the 2-byte
 * write's (the Intel core's, docs/differential-testing.md). */
static SimStatus push_segment(CpuState *cpu, const DecodedInsn *d)
{
    unsigned as = stack_addr_size(cpu);
    uint64_t mask = size_mask(as), sp = (cpu->gpr[GPR_RSP] - d->opsize) & mask;
    if (d->opsize == 8)
        return cpu_push(cpu, 8, cpu->seg[d->op[0].reg].selector);
    if (cpu_mem_probe_image(cpu, SEG_SS, sp, d->opsize, 2, ACC_WRITE) != SIM_OK)
        return SIM_FAULT;
    if (cpu_mem_write(cpu, SEG_SS, sp, 2, cpu->seg[d->op[0].reg].selector) != SIM_OK)
        return SIM_FAULT;
    cpu->gpr[GPR_RSP] = (cpu->gpr[GPR_RSP] & ~mask) | sp;
    return SIM_OK;
}

SimStatus exec_push(CpuState *cpu, const DecodedInsn *d)
{
    uint64_t v;
    if (d->op[0].kind == OPK_SREG)
        return push_segment(cpu, d);
    if (d->op[0].kind == OPK_IMM)
        v = d->imm;
    else if (opnd_read(cpu, d, 0, &v) != SIM_OK)
        return SIM_FAULT;
    return cpu_push(cpu, d->opsize, v);
}

/* SDM Vol. 2 POP: a memory destination addressed through RSP sees the
 * incremented RSP; a segment register is loaded with every check.  A
 * segment register is popped by reading the 2-byte selector only, RSP
 * moving by the operand size: the SDM does not say how much of the slot is
 * read; the Intel core (docs/differential-testing.md) reads the selector,
 * so the rest of the slot can be on a page that is not present. */
SimStatus exec_pop(CpuState *cpu, const DecodedInsn *d)
{
    uint64_t v, old_rsp = cpu->gpr[GPR_RSP];
    bool sreg = d->op[0].kind == OPK_SREG;
    if (cpu_stack_peek(cpu, 0, sreg ? 2 : d->opsize, &v) != SIM_OK)
        return SIM_FAULT;
    cpu_stack_adjust(cpu, d->opsize);
    SimStatus st;
    if (sreg)
        st = cpu_load_data_segment(cpu, d->op[0].reg, (uint16_t)v);
    else
        st = opnd_write(cpu, d, 0, v);
    if (st != SIM_OK)
        cpu->gpr[GPR_RSP] = old_rsp;
    else if (d->op[0].kind == OPK_SREG && d->op[0].reg == SEG_SS)
        cpu->movss_shadow = true; /* SDM 6.8.3: POP SS blocks events like MOV SS */
    return st;
}

/* SDM Vol. 2 PUSHF: VM and RF are cleared in the image.  In virtual-8086
 * mode with IOPL < 3 it is #GP(0), or with CR4.VME a 16-bit PUSHF of the
 * virtual flags (v86.c, SDM 20.3.2). */
SimStatus exec_pushf(CpuState *cpu, const DecodedInsn *d)
{
    uint64_t f = cpu_get_rflags(cpu);
    if (cpu->mode == MODE_V86 && ((f & RFLAGS_IOPL) >> 12) < 3)
        return cpu_v86_pushf(cpu, d->opsize);
    return cpu_push(cpu, d->opsize, f & ~(uint64_t)(RFLAGS_VM | RFLAGS_RF));
}

/* SDM Vol. 2 POPF "Operation": which bits may change depends on mode, CPL, IOPL. */
static uint64_t popf_mask(const CpuState *cpu, unsigned size)
{
    uint64_t mask = RFLAGS_ARITH | RFLAGS_TF | RFLAGS_DF | RFLAGS_NT | RFLAGS_AC | RFLAGS_ID;
    unsigned iopl = (unsigned)((cpu->rflags & RFLAGS_IOPL) >> 12);
    if (cpu->mode == MODE_REAL || cpu->cpl == 0)
        mask |= RFLAGS_IOPL | RFLAGS_IF;
    else if (cpu->cpl <= iopl)
        mask |= RFLAGS_IF;
    if (size == 2)
        mask &= 0xffff;
    return mask;
}

/* In virtual-8086 mode with IOPL < 3: #GP(0), or with CR4.VME a 16-bit
 * POPF into the virtual flags (v86.c, SDM 20.3.2). */
SimStatus exec_popf(CpuState *cpu, const DecodedInsn *d)
{
    uint64_t v;
    if (cpu->mode == MODE_V86 && ((cpu->rflags & RFLAGS_IOPL) >> 12) < 3)
        return cpu_v86_popf(cpu, d->opsize);
    if (cpu_pop(cpu, d->opsize, &v) != SIM_OK)
        return SIM_FAULT;
    uint64_t mask = popf_mask(cpu, d->opsize);
    uint64_t f = (cpu_get_rflags(cpu) & ~mask) | (v & mask);
    cpu_set_rflags(cpu, f & ~(uint64_t)RFLAGS_RF);
    return SIM_OK;
}

/* SDM Vol. 2 LEAVE: RSP = RBP (stack-address size), then POP RBP. */
SimStatus exec_leave(CpuState *cpu, const DecodedInsn *d)
{
    uint64_t v, mask = size_mask(stack_addr_size(cpu));
    uint64_t old_rsp = cpu->gpr[GPR_RSP];
    cpu->gpr[GPR_RSP] = (old_rsp & ~mask) | (cpu->gpr[GPR_RBP] & mask);
    if (cpu_pop(cpu, d->opsize, &v) != SIM_OK) {
        cpu->gpr[GPR_RSP] = old_rsp;
        return SIM_FAULT;
    }
    reg_write(cpu, reg_off(GPR_RBP), d->opsize, v);
    return SIM_OK;
}
