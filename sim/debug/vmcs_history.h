/*
 * Every VMWRITE, per field: which VMCS, the old and new value, the RIP of
 * the VMWRITE and the instruction count before it (so `vmxsim run
 * --max-insns N` stops right before that VMWRITE: runs are deterministic).
 * The last DBG_HISTORY_DEPTH writes of each field are kept.  This is the
 * record a later reverse-execution step replays against (docs/debugger.md).
 */
#ifndef VMXSIM_DEBUG_VMCS_HISTORY_H
#define VMXSIM_DEBUG_VMCS_HISTORY_H

#include <stdio.h>

#include "sim/debug/dbg_symbols.h"
#include "sim/vmx/vmcs.h"
#include "sim/vmx/vmx.h"

#define DBG_HISTORY_DEPTH 64

typedef struct VmcsWrite {
    uint64_t vmcs, old_value, new_value, rip, insns;
} VmcsWrite;

typedef struct VmcsHistory {
    VmcsWrite (*ring)[DBG_HISTORY_DEPTH]; /* per field */
    uint64_t total[VMCS_FIELD_COUNT];     /* writes ever made */
} VmcsHistory;

bool dbg_history_init(VmcsHistory *h) SIM_MUST_CHECK;
void dbg_history_free(VmcsHistory *h);
/* Record a VMX_TRACE_VMWRITE event. */
void dbg_history_record(VmcsHistory *h, const CpuState *cpu, const VmxTrace *t);
/* The writes of one field, oldest first. */
void dbg_history_print(const VmcsHistory *h, int field, const DbgSymbols *syms, FILE *out);

#endif
