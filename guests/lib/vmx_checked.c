/* VMREAD/VMWRITE that check for VMfail, and the words for a failure (guest/vmx.h). */
#include "guest/vmx.h"

#include "guest/exit.h"
#include "guest/printf.h"

static void default_fail(const char *what, uint64_t field, VmxResult r) {
    char why[160];
    guest_printf("vmx: %s 0x%llx failed: %s\n", what, (unsigned long long)field,
                 vmx_describe_vmfail(r, why, sizeof(why)));
    guest_exit(VMX_FAIL_EXIT_CODE);
}

static VmxFailHandler fail_handler = default_fail;

VmxFailHandler vmx_set_fail_handler(VmxFailHandler h) {
    VmxFailHandler old = fail_handler;
    fail_handler = h ? h : default_fail;
    return old;
}

VmxResult vmx_check(VmxResult r, const char *what, uint64_t field) {
    if (r != VMX_SUCCEED) fail_handler(what, field, r);
    return r;
}

uint64_t vmx_read(uint32_t field) {
    uint64_t v = 0;
    return vmx_check(vmx_vmread(field, &v), "VMREAD", field) == VMX_SUCCEED ? v : 0;
}

void vmx_write(uint32_t field, uint64_t value) {
    vmx_check(vmx_vmwrite(field, value), "VMWRITE", field);
}

/* 30.2 "Conventions": VMfailValid leaves the error number in the
 * VM-instruction error field of the current VMCS. */
const char *vmx_describe_vmfail(VmxResult r, char *buf, unsigned size) {
    uint64_t error = 0;
    if (r == VMX_SUCCEED)
        guest_snprintf(buf, size, "VMsucceed");
    else if (r == VMX_FAIL_INVALID)
        guest_snprintf(buf, size, "VMfailInvalid (no current VMCS)");
    else if (vmx_vmread(VMCS_VM_INSTRUCTION_ERROR, &error) != VMX_SUCCEED)
        guest_snprintf(buf, size, "VMfailValid, VM-instruction error unreadable");
    else
        guest_snprintf(buf, size, "VMfailValid, VM-instruction error %u (%s)", (unsigned)error,
                       vmx_insn_error_name((uint32_t)error));
    return buf;
}

/* 26.7 "VM-Entry Failures During or After Loading Guest State": exit
 * reason (bit 31 set) and exit qualification are the only information. */
const char *vmx_describe_entry_failure(char *buf, unsigned size) {
    uint64_t reason = 0, qualification = 0;
    vmx_vmread(VMCS_EXIT_REASON, &reason);
    vmx_vmread(VMCS_EXIT_QUALIFICATION, &qualification);
    guest_snprintf(buf, size, "VM-entry failure, exit reason 0x%x (%s), exit qualification %llu",
                   (unsigned)reason, vmx_exit_reason_name((uint32_t)reason & 0xffff),
                   (unsigned long long)qualification);
    return buf;
}
