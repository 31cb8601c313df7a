/*
 * The MSR areas of VM entries and exits (SDM 24.7.2 "VM-Exit Controls for
 * MSRs", 24.8.2, 26.4 "Loading MSRs", 27.4 "Saving MSRs", 27.6): 16-byte
 * entries {index (bits 31:0), reserved (63:32), value (127:64)}.
 *
 * IA32_VMX_MISC[27:25] = 0 recommends at most 512 entries per list; SDM
 * A.6: beyond it "undefined processor behavior may result (including a
 * machine check during the VMX transition)".  vmxsim takes that machine
 * check: a VM entry fails with exit reason 41, a VM exit aborts with
 * indicator 5 (SDM 27.7) — so no guest drives an unbounded loop.
 */
#ifndef VMXSIM_VMX_VMX_MSR_AREA_H
#define VMXSIM_VMX_VMX_MSR_AREA_H

#include "sim/vmx/vmx_state.h"

/* The list is longer than the recommended maximum (see above). */
static inline bool vmx_msr_area_too_long(uint64_t count) { return count > VMX_MSR_LIST_MAX; }

/* Load `count` entries at pa (SDM 26.4, 27.6): 0, or the 1-based index of
 * the entry that failed.  The caller checked vmx_msr_area_too_long. */
uint32_t vmx_msr_area_load(CpuState *cpu, uint64_t pa, uint64_t count);
/* SDM 27.4: store the MSRs named in the area; false when one cannot be. */
bool vmx_msr_area_store(CpuState *cpu, uint64_t pa, uint64_t count);

#endif
