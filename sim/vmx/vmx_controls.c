/* The control table (vmx_controls.def) as data for the capability MSRs,
 * the VMCS field-existence rule and the debugger. */
#include "sim/vmx/vmx_controls.h"

const VmxControlInfo vmx_control_info[VMXC_COUNT] = {
#define X(name, group, bit, text) [VMXC_##group##_##name] = {text, VMX_GROUP_##group, bit},
#include "sim/vmx/vmx_controls.def"
#undef X
};

const char *const vmx_group_name[VMX_GROUP_COUNT] = {
    [VMX_GROUP_PIN] = "pin-based VM-execution controls",
    [VMX_GROUP_PROC] = "primary processor-based VM-execution controls",
    [VMX_GROUP_PROC2] = "secondary processor-based VM-execution controls",
    [VMX_GROUP_PROC3] = "tertiary processor-based VM-execution controls",
    [VMX_GROUP_EXIT] = "VM-exit controls",
    [VMX_GROUP_ENTRY] = "VM-entry controls",
};
