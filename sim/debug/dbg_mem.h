/*
 * Guest memory as the debugger sees it: linear addresses translated with the
 * CPU's current paging, or physical addresses ("g:" in commands).  No side
 * effects: no accessed/dirty bits, no faults, no TLB fills, and only RAM is
 * touched (reading a device register could change the device).
 */
#ifndef VMXSIM_DEBUG_DBG_MEM_H
#define VMXSIM_DEBUG_DBG_MEM_H

#include "sim/cpu/cpu.h"

typedef struct DbgAddr {
    uint64_t addr;
    bool phys; /* guest-physical; else linear */
} DbgAddr;

/* Linear to physical through the current paging structures (SDM Vol. 3A
 * chapter 4); false when not mapped. */
bool dbg_translate(const CpuState *cpu, uint64_t lin, uint64_t *pa);
/* Bytes read (or written) before the first byte that is unmapped or not RAM. */
size_t dbg_mem_read(const CpuState *cpu, DbgAddr a, void *buf, size_t len);
size_t dbg_mem_write(CpuState *cpu, DbgAddr a, const void *buf, size_t len);

#endif
