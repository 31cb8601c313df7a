/*
 * VMX transition traces: one text line per VM entry, VM-entry failure and
 * VM exit (`--trace vmx`, the debugger's `trace on`), and the same events
 * in the Chrome trace event format (`--trace-json FILE`) for Perfetto or
 * chrome://tracing: VMX root and non-root residency as slices of the cpu0
 * thread, VM exits and VM-entry failures as instants named by exit reason.
 * Timestamps ("ts") are simulated cycles (the viewers label them µs).
 */
#ifndef VMXSIM_DEBUG_TRACE_H
#define VMXSIM_DEBUG_TRACE_H

#include <stdio.h>

#include "sim/vmx/vmx.h"

/* One line describing a VMX event, without the counts. */
void dbg_vmx_event_text(const VmxTrace *t, char *buf, size_t len);
/* The text trace line "vmx: insn N cycles C <event>" of an entry, entry
 * failure or exit; other events print nothing. */
void dbg_trace_text(FILE *out, const CpuState *cpu, const VmxTrace *t);

typedef struct DbgTraceJson {
    FILE *f;
    bool nonroot;  /* the open slice is "non-root" */
    uint64_t last; /* ts of the last event: slices never go backwards */
} DbgTraceJson;

/* Create FILE and write the header; false with errno on failure. */
bool dbg_trace_json_open(DbgTraceJson *j, const char *path, const CpuState *cpu) SIM_MUST_CHECK;
/* A VmxTraceFn for the hub. */
void dbg_trace_json_event(void *opaque, const CpuState *cpu, const VmxTrace *t);
/* Close the open slice and the JSON; false when a write failed. */
bool dbg_trace_json_close(DbgTraceJson *j, const CpuState *cpu);

#endif
