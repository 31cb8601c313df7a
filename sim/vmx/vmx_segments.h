/* Segment and descriptor-table registers across VM entries and exits (SDM
 * 26.3.2.2, 27.3.2, 27.5.2), and the MSR-area rules both share. */
#ifndef VMXSIM_VMX_VMX_SEGMENTS_H
#define VMXSIM_VMX_VMX_SEGMENTS_H

#include "sim/vmx/vmx_state.h"

/* SDM 27.3.2 "Saving Segment Registers and Descriptor-Table Registers". */
void vmx_segments_save(const CpuState *cpu, VmxCpu *v);
/* SDM 26.3.2.2 "Loading Guest Segment Registers and Descriptor-Table Registers". */
void vmx_segments_load_guest(CpuState *cpu, VmxCpu *v);
/* SDM 27.5.2 "Loading Host Segment and Descriptor-Table Registers". */
void vmx_segments_load_host(CpuState *cpu, const VmxCpu *v);

/* SDM 26.4 "Loading MSRs" / 27.6: an MSR-load entry fails for IA32_FS_BASE,
 * IA32_GS_BASE, IA32_SMM_MONITOR_CTL (9BH), the x2APIC range (bits 31:8 =
 * 008H) and a nonzero reserved half (bits 63:32 of the first quadword). */
static inline bool vmx_msr_loadable(uint64_t first_quadword)
{
    uint32_t index = (uint32_t)first_quadword;
    return (first_quadword >> 32) == 0 && index != 0xc0000100u && index != 0xc0000101u &&
           index != 0x9bu && (index >> 8) != 0x8;
}

#endif
