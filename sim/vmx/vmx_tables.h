/* Exit reasons (SDM Appendix C "VMX Basic Exit Reasons") and VM-instruction
 * error numbers (SDM 30.4 "VM Instruction Error Numbers") from their tables. */
#ifndef VMXSIM_VMX_VMX_TABLES_H
#define VMXSIM_VMX_VMX_TABLES_H

typedef enum ExitReason {
#define X(name, number, text) EXIT_REASON_##name = number,
#include "sim/vmx/exit_reasons.def"
#undef X
} ExitReason;

typedef enum VmxInsnError {
#define X(name, number, text) VMXERR_##name = number,
#include "sim/vmx/vm_insn_errors.def"
#undef X
} VmxInsnError;

/* SDM 24.9.1 "Basic VM-Exit Information": bit 31 of the exit reason is set
 * when the VM entry failed. */
#define EXIT_REASON_ENTRY_FAILURE_BIT (UINT32_C(1) << 31)

/* The SDM's text for a basic exit reason or an error number; NULL if none. */
const char *vmx_exit_reason_name(unsigned reason);
const char *vmx_insn_error_name(unsigned error);

#endif
