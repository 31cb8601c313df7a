/* Port I/O: SDM Vol. 2 IN, OUT, with the protection of SDM Vol. 1 19.5
 * "Protected-Mode I/O" (IOPL, then the TSS I/O permission bitmap). */
#include "sim/cpu/access.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/operands.h"

/* SDM Vol. 1 19.5.2: every bit for ports port..port+size-1 must be clear. */
static bool bitmap_allows(CpuState *cpu, uint16_t port, unsigned size)
{
    const Segment *tr = &cpu->seg[SEG_TR];
    uint64_t base, bits;
    unsigned type = tr->ar & AR_TYPE_MASK;
    if ((tr->ar & AR_UNUSABLE) || (type != 0x9 && type != 0xb) || tr->limit < 103)
        return false;
    if (cpu_lin_read_slow(cpu, tr->base + 102, 2, &base, true) != SIM_OK)
        return false;
    uint64_t byte = (base & 0xffff) + port / 8;
    if (byte + 1 > tr->limit)
        return false;
    if (cpu_lin_read_slow(cpu, tr->base + byte, 2, &bits, true) != SIM_OK)
        return false;
    return ((bits >> (port % 8)) & ((1u << size) - 1)) == 0;
}

static SimStatus io_permitted(CpuState *cpu, uint16_t port, unsigned size)
{
    unsigned iopl = (unsigned)((cpu->rflags & RFLAGS_IOPL) >> 12);
    if (cpu->mode == MODE_REAL || (cpu->mode != MODE_V86 && cpu->cpl <= iopl))
        return SIM_OK;
    PendingFault saved = cpu->fault;
    bool ok = bitmap_allows(cpu, port, size);
    cpu->fault = saved;
    return ok ? SIM_OK : cpu_raise_gp0(cpu);
}

/* The port: an imm8 operand or DX. */
static uint16_t io_port(const CpuState *cpu, const DecodedOperand *o, const DecodedInsn *d)
{
    if (o->kind == OPK_IMM)
        return (uint16_t)(d->imm & 0xff);
    return (uint16_t)cpu->gpr[REG_RDX];
}

/* SDM Vol. 2 IN: op[0] is AL/AX/EAX, op[1] the port. */
SimStatus exec_in(CpuState *cpu, const DecodedInsn *d)
{
    uint16_t port = io_port(cpu, &d->op[1], d);
    unsigned size = d->op[0].size;
    if (io_permitted(cpu, port, size) != SIM_OK)
        return SIM_FAULT;
    reg_write(cpu, d->op[0].reg, size, dev_io_read(cpu->io, port, size));
    return SIM_OK;
}

/* SDM Vol. 2 OUT: op[0] is the port, op[1] AL/AX/EAX. */
SimStatus exec_out(CpuState *cpu, const DecodedInsn *d)
{
    uint16_t port = io_port(cpu, &d->op[0], d);
    unsigned size = d->op[1].size;
    if (io_permitted(cpu, port, size) != SIM_OK)
        return SIM_FAULT;
    dev_io_write(cpu->io, port, size, (uint32_t)reg_read(cpu, d->op[1].reg, size));
    return SIM_OK;
}
