/*
 * Watchpoints.  The run goes one instruction at a time while one is set
 * (run_control.c).  Before each instruction its memory operands, explicit
 * and implicit as Zydis lists them, are computed from the registers; after
 * it, a watchpoint hits when one of them overlaps its range with a matching
 * access, or, for a write watchpoint, when the watched bytes changed
 * (whoever wrote them: a string instruction past its first element, event
 * delivery, a VM exit storing MSRs).
 */
#ifndef VMXSIM_DEBUG_WATCH_H
#define VMXSIM_DEBUG_WATCH_H

#include "sim/debug/breakpoints.h"

#define DBG_MAX_ACCESSES 6

typedef struct DbgAccess {
    uint64_t lin;
    unsigned size;
    unsigned kind; /* WATCH_READ | WATCH_WRITE */
} DbgAccess;

typedef struct DbgAccesses {
    DbgAccess a[DBG_MAX_ACCESSES];
    unsigned count;
} DbgAccesses;

/* The memory accesses the CPU's next instruction will make. */
void dbg_watch_before(DbgBreakpoints *l, const CpuState *cpu, DbgAccesses *acc);
/* The first watchpoint the instruction just executed hit, or NULL. */
DbgBreakpoint *dbg_watch_after(DbgBreakpoints *l, const CpuState *cpu, const DbgAccesses *acc);

#endif
