/* Port I/O: SDM Vol. 2 IN, OUT, with the protection of SDM Vol. 1 19.5
 * "Protected-Mode I/O" (IOPL, then the TSS I/O permission bitmap) and the I/O
 * breakpoints of SDM Vol. 3B 17.3.1.2 (debug_regs.h). */
#include "sim/cpu/debug_regs.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/io_permission.h"
#include "sim/cpu/operands.h"
#include "sim/cpu/vmx_hooks.h"

/* The port: an imm8 operand or DX. */
static uint16_t io_port(const CpuState *cpu, const DecodedOperand *o, const DecodedInsn *d)
{
    if (o->kind == OPK_IMM)
        return (uint16_t)(d->imm & 0xff);
    return (uint16_t)cpu->gpr[GPR_RDX];
}

/* SDM Vol. 2 IN: op[0] is AL/AX/EAX, op[1] the port. */
SimStatus exec_in(CpuState *cpu, const DecodedInsn *d)
{
    uint16_t port = io_port(cpu, &d->op[1], d);
    unsigned size = d->op[0].size;
    uint64_t unused = 0;
    if (cpu_io_permitted(cpu, port, size) != SIM_OK)
        return SIM_FAULT;
    SimStatus st = cpu_vmx_intercept(cpu, d, VMX_ICPT_IO, &unused);
    if (st != SIM_OK)
        return st;
    reg_write(cpu, d->op[0].reg, size, dev_io_read(cpu->io, port, size));
    cpu_dr_note_io(cpu, port, size);
    return SIM_OK;
}

/* SDM Vol. 2 OUT: op[0] is the port, op[1] AL/AX/EAX. */
SimStatus exec_out(CpuState *cpu, const DecodedInsn *d)
{
    uint16_t port = io_port(cpu, &d->op[0], d);
    unsigned size = d->op[1].size;
    uint64_t unused = 0;
    if (cpu_io_permitted(cpu, port, size) != SIM_OK)
        return SIM_FAULT;
    SimStatus st = cpu_vmx_intercept(cpu, d, VMX_ICPT_IO, &unused);
    if (st != SIM_OK)
        return st;
    dev_io_write(cpu->io, port, size, (uint32_t)reg_read(cpu, d->op[1].reg, size));
    cpu_dr_note_io(cpu, port, size);
    return SIM_OK;
}
