/*
 * Check that a write to seg:offset would succeed, without writing: the
 * segment checks and the page walk of every page the access touches, with
 * the fault (#GP, #SS, #PF with W = 1) the write itself would raise.  For
 * instructions whose side effects must not happen before a fault of a later
 * write: INS reads the port only once the destination is known to be
 * writable; ENTER checks the final stack pointer (SDM Vol. 2 ENTER,
 * "Protected Mode Exceptions": "#PF(fault-code) ... if a write using the
 * final value of the stack pointer (within the current stack segment) would
 * cause a page fault"); CMPXCHG8B/16B fault as writes.
 */
#ifndef VMXSIM_CPU_WRITE_PROBE_H
#define VMXSIM_CPU_WRITE_PROBE_H

#include "sim/cpu/access.h"

static inline SimStatus SIM_MUST_CHECK cpu_probe_write(CpuState *cpu, unsigned seg, uint64_t offset,
                                                       unsigned size) {
    uint64_t lin, phys;
    if (cpu_seg_linear(cpu, seg, offset, size, ACC_WRITE, &lin) != SIM_OK) return SIM_FAULT;
    uint64_t last = lin + size - 1;
    if (cpu->mode != MODE_LONG64) last &= 0xffffffffu;
    if (!(cpu->cr0 & CR0_PG)) return SIM_OK;
    if (cpu_translate(cpu, lin, ACC_WRITE, false, &phys) != SIM_OK) return SIM_FAULT;
    /* SDM 4.7: CR2 is the faulting linear address, the first byte of the
     * access on the second page, not the access's last byte. */
    if ((last & PAGE_MASK) != (lin & PAGE_MASK))
        return cpu_translate(cpu, last & PAGE_MASK, ACC_WRITE, false, &phys);
    return SIM_OK;
}

#endif
