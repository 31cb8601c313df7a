/* Segment and descriptor-table registers across VM entries and exits (SDM
 * 26.3.2.2, 27.3.2, 27.5.2). */
#ifndef VMXSIM_VMX_VMX_SEGMENTS_H
#define VMXSIM_VMX_VMX_SEGMENTS_H

#include "sim/vmx/vmx_state.h"

/* SDM 27.3.2 "Saving Segment Registers and Descriptor-Table Registers". */
void vmx_segments_save(const CpuState *cpu, VmxCpu *v);
/* SDM 26.3.2.2 "Loading Guest Segment Registers and Descriptor-Table Registers". */
void vmx_segments_load_guest(CpuState *cpu, VmxCpu *v);
/* SDM 27.5.2 "Loading Host Segment and Descriptor-Table Registers". */
void vmx_segments_load_host(CpuState *cpu, const VmxCpu *v);

#endif
