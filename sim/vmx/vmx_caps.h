/*
 * What the VMX implementation offers, reported by the capability MSRs of
 * SDM Appendix A "VMX Capability Reporting Facility" (IA32_VMX_BASIC 480H
 * ... IA32_VMX_TRUE_ENTRY_CTLS 490H).  A control that vmxsim does not
 * implement is never allowed-1; the VMCS fields that exist follow from the
 * allowed-1 controls (vmcs_fields.def EXISTS column).
 */
#ifndef VMXSIM_VMX_VMX_CAPS_H
#define VMXSIM_VMX_VMX_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/cpu/cpu_model.h"
#include "sim/vmx/vmcs.h"

/* SDM A.1 "Basic VMX Information". */
#define VMX_REVISION_ID UINT32_C(0x00000001)
#define VMX_VMCS_SIZE 4096u

/* SDM A.6 "Miscellaneous Data": bits 24:16 CR3-target values; 27:25 N, with
 * 512 * (N + 1) the recommended maximum MSR-list length. */
#define VMX_CR3_TARGET_COUNT 4u
/* Bits 4:0: the VMX-preemption timer counts down each time TSC bit 5 changes. */
#define VMX_PREEMPTION_TIMER_RATE 5u
#define VMX_MSR_LIST_MAX 512u

typedef struct VmxCaps {
    /* The "TRUE" view (SDM A.3-A.5): allowed0 bits must be 1, allowed1 bits may be 1. */
    uint64_t allowed0[VMX_GROUP_COUNT];
    uint64_t allowed1[VMX_GROUP_COUNT];
    /* The default1 bits that the non-TRUE MSRs report as fixed to 1 (SDM A.2). */
    uint64_t default1[VMX_GROUP_COUNT];
    uint64_t misc, cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
    bool field_exists[VMCS_FIELD_COUNT];
} VmxCaps;

void vmx_caps_init(VmxCaps *c, const CpuModel *m);
/* RDMSR of 480H and on; false: no such MSR on this model (#GP). */
bool vmx_caps_read_msr(const VmxCaps *c, uint32_t index, uint64_t *value);
/* Is the control allowed-1? */
bool vmx_caps_allows(const VmxCaps *c, VmxControlId id);
/* SDM 26.2.1.1-26.2.1.3: a control vector is valid when its allowed-0 bits
 * are 1 and only allowed-1 bits are 1. */
static inline bool vmx_caps_controls_valid(const VmxCaps *c, VmxGroup g, uint64_t v)
{
    return (v & c->allowed0[g]) == c->allowed0[g] && !(v & ~c->allowed1[g]);
}

#endif
