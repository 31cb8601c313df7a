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
    bool vnmi_blocked;         /* virtual-NMI blocking ("virtual NMIs" = 1, SDM 24.4.2) */
    bool iret_unblocked;       /* the IRET now faulting removed (virtual-)NMI blocking (SDM 27.2.3) */
    uint8_t mtf;               /* VmxMtf: where the monitor trap flag stands (SDM 25.5.2) */
    uint64_t timer_deadline;   /* the cycle at which the VMX-preemption timer reaches 0 (25.5.1) */
    uint64_t field[VMCS_FIELD_COUNT]; /* the current VMCS's data */
    EntryCheckCache checks;    /* which check inputs changed since the last VM entry */
    /* The guest segment and descriptor-table registers as the last VM entry
     * loaded them, which equal their VMCS fields (vmx_segments.c). */
    Segment entered_seg[SEG_COUNT];
    DescTable entered_gdtr, entered_idtr;
    EntryFailure last_failure; /* the last failed VM entry, for the debugger */
    uint64_t entries, exits;   /* statistics */
    uint64_t exits_by_reason[VMX_EXIT_REASONS]; /* by basic exit reason */
    VmxTraceFn trace; /* vmx_set_tracer */
    void *trace_opaque;
} VmxCpu;

/* SDM 25.5.2: no MTF VM exit; one pending at the next boundary; one pending
 * at the boundary after the next instruction or event delivery. */
typedef enum VmxMtf { VMX_MTF_OFF, VMX_MTF_PENDING, VMX_MTF_AFTER_NEXT } VmxMtf;

static inline uint64_t vmcs_get(const VmxCpu *v, VmcsField f) { return v->field[f]; }

/* SDM 24.6.2: with "activate secondary controls" = 0 the processor behaves
 * as if every secondary processor-based control were 0. */
static inline uint64_t vmx_proc2(const VmxCpu *v)
{
    return (v->field[VMCS_PROC_BASED_CONTROLS] & VMX_PROC_ACTIVATE_SECONDARY_CONTROLS)
               ? v->field[VMCS_SECONDARY_PROC_BASED_CONTROLS]
               : 0;
}

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
