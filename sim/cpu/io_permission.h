/*
 * I/O protection for IN, OUT, INS and OUTS (SDM Vol. 1 19.5 "Protected-Mode
 * I/O"): IOPL first, then the I/O permission bit map in the TSS.  Shared by
 * exec_io.c and exec_io_string.c so the rule is written once.
 */
#ifndef VMXSIM_CPU_IO_PERMISSION_H
#define VMXSIM_CPU_IO_PERMISSION_H

#include "sim/cpu/access.h"
#include "sim/cpu/exceptions.h"

/* SDM Vol. 1 19.5.2 "I/O Permission Bit Map": the 16-bit map base is at
 * offset 102 of a 32-bit TSS; every bit for ports port..port+size-1 must be
 * clear, and both bytes read must lie within the TSS limit. */
static inline bool cpu_io_bitmap_allows(CpuState *cpu, uint16_t port, unsigned size) {
    const Segment *tr = &cpu->seg[SEG_TR];
    uint64_t base, bits;
    unsigned type = tr->ar & AR_TYPE_MASK;
    if ((tr->ar & AR_UNUSABLE) || (type != 0x9 && type != 0xb) || tr->limit < 103) return false;
    if (cpu_lin_read_slow(cpu, tr->base + 102, 2, &base, true) != SIM_OK) return false;
    uint64_t byte = (base & 0xffff) + port / 8;
    if (byte + 1 > tr->limit) return false;
    if (cpu_lin_read_slow(cpu, tr->base + byte, 2, &bits, true) != SIM_OK) return false;
    return ((bits >> (port % 8)) & ((1u << size) - 1)) == 0;
}

/* SDM Vol. 1 19.5.1 "I/O Privilege Level": in protected mode with CPL > IOPL,
 * and always in virtual-8086 mode, the bit map decides; a refusal (or a map
 * that cannot be read) is #GP(0).  Real-address mode has no I/O protection. */
static inline SimStatus SIM_MUST_CHECK cpu_io_permitted(CpuState *cpu, uint16_t port,
                                                        unsigned size) {
    unsigned iopl = (unsigned)((cpu->rflags & RFLAGS_IOPL) >> 12);
    if (cpu->mode == MODE_REAL || (cpu->mode != MODE_V86 && cpu->cpl <= iopl)) return SIM_OK;
    PendingFault saved = cpu->fault;
    bool ok = cpu_io_bitmap_allows(cpu, port, size);
    cpu->fault = saved;
    return ok ? SIM_OK : cpu_raise_gp0(cpu);
}

#endif
