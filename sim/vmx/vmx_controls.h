/* The VMX controls of vmx_controls.def: ids, groups and bit numbers
 * (SDM 24.6 "VM-Execution Control Fields", 24.7.1, 24.8.1). */
#ifndef VMXSIM_VMX_VMX_CONTROLS_H
#define VMXSIM_VMX_VMX_CONTROLS_H

#include <stdint.h>

/* The control vectors, in the order of the capability MSRs. */
typedef enum VmxGroup {
    VMX_GROUP_PIN,
    VMX_GROUP_PROC,
    VMX_GROUP_PROC2,
    VMX_GROUP_PROC3,
    VMX_GROUP_EXIT,
    VMX_GROUP_ENTRY,
    VMX_GROUP_COUNT
} VmxGroup;

/* One id per control; VMXC_ALWAYS names "no control" in vmcs_fields.def. */
typedef enum VmxControlId {
#define X(name, group, bit, text) VMXC_##group##_##name,
#include "sim/vmx/vmx_controls.def"
#undef X
    VMXC_COUNT,
    VMXC_ALWAYS = VMXC_COUNT
} VmxControlId;

/* The bit masks, for the code that tests controls: VMX_PROC_HLT_EXITING ... */
#define X(name, group, bit, text) static const uint64_t VMX_##group##_##name = UINT64_C(1) << (bit);
#include "sim/vmx/vmx_controls.def"
#undef X

typedef struct VmxControlInfo {
    const char *name; /* the SDM's name */
    uint8_t group;    /* VmxGroup */
    uint8_t bit;
} VmxControlInfo;

extern const VmxControlInfo vmx_control_info[VMXC_COUNT];
extern const char *const vmx_group_name[VMX_GROUP_COUNT];

#endif
