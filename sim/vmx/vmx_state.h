/*
 * The VMX state of one logical processor (SDM 23.x, 24.1 "Overview"): the
 * VMXON pointer, the current-VMCS pointer, and the current VMCS's data,
 * which the processor keeps cached (SDM 24.11.1 "Software Use of Virtual-
 * Machine Control Structures") and writes back to its region in memory on
 * VMCLEAR and when VMPTRLD makes another VMCS current (vmcs_region.c).
 */
#ifndef VMXSIM_VMX_VMX_STATE_H
#define VMXSIM_VMX_VMX_STATE_H

#include "sim/cpu/cpu.h"
#include "sim/vmx/entry_checks.h"
#include "sim/vmx/vmx.h"
#include "sim/vmx/vmx_caps.h"

/* SDM 24.1: FFFFFFFF_FFFFFFFFH means "no current VMCS". */
#define VMCS_POINTER_INVALID (~UINT64_C(0))

typedef struct VmxCpu {
    VmxCaps caps;
    uint64_t vmxon_pointer;
    uint64_t current_vmcs;     /* VMCS_POINTER_INVALID when none */
    bool launched;             /* launch state of the current VMCS (SDM 24.1) */
    bool injecting;            /* delivering the event VM entry injects (SDM 26.6) */
    bool skip_bitmap_once;     /* the injected exception is not subject to the bitmap */
    uint64_t field[VMCS_FIELD_COUNT]; /* the current VMCS's data */
    EntryCheckCache checks;    /* which check inputs changed since the last VM entry */
    EntryFailure last_failure; /* the last failed VM entry, for the debugger */
    uint64_t entries, exits;   /* statistics */
    VmxTraceFn trace; /* vmx_set_tracer */
    void *trace_opaque;
} VmxCpu;

static inline uint64_t vmcs_get(const VmxCpu *v, VmcsField f) { return v->field[f]; }
/* Every write of a field goes through here so the entry-check cache sees it. */
static inline void vmcs_set(VmxCpu *v, VmcsField f, uint64_t value)
{
    if (v->field[f] != value) {
        /* Rows that read only RFLAGS.VM of the guest RFLAGS (the virtual-8086
         * segment rules) need not re-run when other flags change. */
        if (f == VMCS_GUEST_RFLAGS && ((v->field[f] ^ value) & RFLAGS_VM))
            v->checks.dirty |= CK_GUEST_V86;
        v->field[f] = value;
        entry_checks_touch(&v->checks, f);
    }
}

#endif
