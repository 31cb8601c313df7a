/*
 * VMX operation (SDM Vol. 3C chapters 23-30): the layer the machine attaches
 * to a CPU whose model has VMX.  Everything else in sim/vmx is internal.
 */
#ifndef VMXSIM_VMX_VMX_H
#define VMXSIM_VMX_VMX_H

#include <stddef.h>

#include "sim/cpu/cpu.h"

/* Attach VMX to the CPU if its model has CPUID.1:ECX.VMX (installs the
 * hooks of sim/cpu/vmx_hooks.h).  false: out of memory. */
bool vmx_attach(CpuState *cpu) SIM_MUST_CHECK;
void vmx_detach(CpuState *cpu);

/* VMX events for the debugger and the traces (sim/debug): one call per VM
 * entry, failed VM entry, VM exit and VMWRITE/VMREAD, after the event
 * (the CPU holds the new state).  No tracer: no cost but a test. */
typedef enum VmxTraceKind {
    VMX_TRACE_ENTRY,      /* a VM entry succeeded (VMLAUNCH or VMRESUME) */
    VMX_TRACE_ENTRY_FAIL, /* VMfailValid(7/8), or a VM-entry failure (exit reason bit 31) */
    VMX_TRACE_EXIT,       /* a VM exit (also after a VM-entry failure: see exit_reason) */
    VMX_TRACE_VMWRITE,    /* a successful VMWRITE */
    VMX_TRACE_VMREAD,     /* a successful VMREAD */
} VmxTraceKind;

typedef struct VmxTrace {
    VmxTraceKind kind;
    uint32_t exit_reason;   /* EXIT, ENTRY_FAIL after guest-state/MSR checks */
    uint64_t qualification; /* EXIT */
    uint64_t guest_rip;     /* EXIT: the guest RIP saved; VMWRITE/VMREAD/ENTRY: the instruction's RIP */
    unsigned insn_error;    /* ENTRY_FAIL by VMfailValid: 7 or 8, else 0 */
    int field;              /* VMWRITE/VMREAD: the VmcsField */
    uint64_t old_value, new_value; /* VMWRITE; VMREAD: new_value is the value read */
} VmxTrace;

typedef void (*VmxTraceFn)(void *opaque, const CpuState *cpu, const VmxTrace *t);
/* Install (or with fn = NULL remove) the tracer. */
void vmx_set_tracer(CpuState *cpu, VmxTraceFn fn, void *opaque);

/* Basic exit reasons counted by vmx_exit_count (SDM Appendix C: below 80). */
#define VMX_EXIT_REASONS 80u
/* VM exits with basic reason `reason` so far (VM-entry failures included,
 * as reasons 33/34); 0 without VMX. */
uint64_t vmx_exit_count(const CpuState *cpu, unsigned reason);

/* VM entries and exits so far; false when the CPU has no VMX. */
bool vmx_counts(const CpuState *cpu, uint64_t *entries, uint64_t *exits);
/* The VM-entry check that failed last (SDM section, title, rule and the
 * row's name), or NULL when no check failed since the last good entry. */
const char *vmx_describe_failed_check(const CpuState *cpu, char *buf, size_t len);

#endif
