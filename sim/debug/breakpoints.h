/*
 * The debugger's breakpoints: code addresses, watched memory, and VMX
 * events (VM entry, VM exit by basic reason, VM-entry failure, VMWRITE and
 * VMREAD by field) and exceptions by vector.  None of them changes guest
 * memory or the debug registers: the guest cannot see them.
 */
#ifndef VMXSIM_DEBUG_BREAKPOINTS_H
#define VMXSIM_DEBUG_BREAKPOINTS_H

#include <stdio.h>

#include "sim/debug/dbg_mem.h"
#include "sim/debug/dbg_symbols.h"
#include "sim/vmx/vmx.h"

typedef enum DbgBpKind {
    BP_CODE,
    BP_WATCH,
    BP_VMENTRY,
    BP_VMEXIT,
    BP_ENTRY_FAIL,
    BP_VMWRITE,
    BP_VMREAD,
    BP_EXCEPTION,
} DbgBpKind;

enum { WATCH_READ = 1, WATCH_WRITE = 2 };
#define DBG_MAX_REASONS 8
#define DBG_WATCH_MAX 64

typedef struct DbgBreakpoint {
    unsigned id;
    DbgBpKind kind;
    DbgAddr addr;          /* CODE, WATCH */
    unsigned len;          /* WATCH: bytes watched, 1..DBG_WATCH_MAX */
    unsigned access;       /* WATCH: WATCH_READ | WATCH_WRITE */
    int field;             /* VMWRITE, VMREAD: the VmcsField, or -1 for any */
    int vector;            /* EXCEPTION: 0-31, or -1 for any */
    unsigned reason_count; /* VMEXIT: 0 for any basic reason */
    uint16_t reasons[DBG_MAX_REASONS];
    uint8_t seen[DBG_WATCH_MAX]; /* WATCH: the bytes when last checked */
    bool seen_valid;
    uint64_t hits;
} DbgBreakpoint;

typedef struct DbgBreakpoints {
    DbgBreakpoint *bp;
    size_t count, cap;
    unsigned next_id;
} DbgBreakpoints;

/* Add a copy of *b with a new id; 0 when out of memory. */
unsigned dbg_bp_add(DbgBreakpoints *l, const DbgBreakpoint *b);
bool dbg_bp_delete(DbgBreakpoints *l, unsigned id);
void dbg_bp_clear(DbgBreakpoints *l);
void dbg_bp_free(DbgBreakpoints *l);
DbgBreakpoint *dbg_bp_find(DbgBreakpoints *l, unsigned id);
/* What the breakpoint stops at: "vmexit CPUID (10), HLT (12)" (no newline). */
void dbg_bp_describe(const DbgBreakpoint *b, const DbgSymbols *syms, FILE *out);
/* The list of `info breakpoints`. */
void dbg_bp_list(const DbgBreakpoints *l, const DbgSymbols *syms, FILE *out);
/* The first breakpoint a VMX event meets, or NULL. */
DbgBreakpoint *dbg_bp_match_vmx(DbgBreakpoints *l, const VmxTrace *t);
/* The first code breakpoint at the CPU's current instruction, or NULL. */
DbgBreakpoint *dbg_bp_match_code(DbgBreakpoints *l, const CpuState *cpu);
/* Do the breakpoints need the run to go one instruction at a time (code,
 * watch, VMWRITE and VMREAD breakpoints stop right after their instruction)? */
bool dbg_bp_need_steps(const DbgBreakpoints *l);
/* The vectors of the exception breakpoints (CpuState.exception_stop_mask). */
uint32_t dbg_bp_exception_mask(const DbgBreakpoints *l);
#endif
