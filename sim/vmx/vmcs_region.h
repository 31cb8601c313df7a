/*
 * The VMCS region in memory (SDM 24.2 "Format of the VMCS Region").  The
 * first 8 bytes are architectural: bits 30:0 revision identifier, bit 31
 * shadow-VMCS indicator, then the 32-bit VMX-abort indicator.  The rest is
 * vmxsim's own (docs/vmx.md "VMCS region layout"):
 *   offset  8  launch state (0 clear, 1 launched), 32 bits
 *   offset 16  the fields, 8 bytes each, in vmcs_fields.def order
 */
#ifndef VMXSIM_VMX_VMCS_REGION_H
#define VMXSIM_VMX_VMCS_REGION_H

#include "sim/vmx/vmx_state.h"

#define VMCS_OFF_REVISION 0u
#define VMCS_OFF_ABORT 4u
#define VMCS_OFF_LAUNCH 8u
#define VMCS_OFF_FIELDS 16u

_Static_assert(VMCS_OFF_FIELDS + 8u * VMCS_FIELD_COUNT <= VMX_VMCS_SIZE, "the fields fit the region");

/* Read the region at pa into the current VMCS (VMPTRLD). */
void vmcs_region_load(CpuState *cpu, VmxCpu *v, uint64_t pa);
/* Write the current VMCS's data and launch state back to its region. */
void vmcs_region_store(CpuState *cpu, const VmxCpu *v);
/* SDM 30.3 VMCLEAR: write back the VMCS at pa if it is current, and set the
 * region's launch state to clear. */
void vmcs_region_clear(CpuState *cpu, VmxCpu *v, uint64_t pa);

#endif
