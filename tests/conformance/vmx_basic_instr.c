/*
 * vmx-basic: the VMX instructions in VMX root operation (SDM 30.3 "VMX
 * Instructions" per instruction; 30.2 "Conventions"; 30.4 "VM Instruction
 * Error Numbers"; 24.11.2 "VMREAD, VMWRITE, and Encodings of VMCS Fields"),
 * and at CPL 3 (#GP(0) before any other check of the instruction).
 */
#include "vmx_basic.h"

#include "guest/guest.h"
#include "lib/desc.h"
#include "lib/systest.h"

#define NO_CURRENT_VMCS 0xffffffffffffffffull

/* Before any VMPTRLD: VMXON left no current VMCS (30.3 VMXON). */
static void check_without_vmcs(void) {
    uint64_t ptr = 0, v;
    check_fail_invalid(vmx_vmxon((uint64_t)vmxon_region),
                       "VMXON in VMX root operation without a current VMCS");
    check_succeed(vmx_vmptrst(&ptr), "VMPTRST without a current VMCS");
    systest_eq(ptr, NO_CURRENT_VMCS, "VMPTRST without a current VMCS stores FFFFFFFF_FFFFFFFFH");
    check_fail_invalid(vmx_vmread(VMCS_GUEST_RIP, &v), "VMREAD without a current VMCS");
}

static void check_make_current(void) {
    uint64_t ptr = 0;
    vmx_region_init(vmcs_region);
    check_succeed(vmx_vmclear((uint64_t)vmcs_region), "VMCLEAR of a VMCS region");
    check_succeed(vmx_vmptrld((uint64_t)vmcs_region), "VMPTRLD of the cleared VMCS");
    vmx_vmptrst(&ptr);
    systest_eq(ptr, (uint64_t)vmcs_region, "VMPTRST stores the current-VMCS pointer");
    check_fail_valid(vmx_vmxon((uint64_t)vmxon_region), VMERR_VMXON_IN_ROOT,
                     "VMXON in VMX root operation");
    /* 30.3 VMCALL: outside SMM with IA32_SMM_MONITOR_CTL[0] = 0 (its reset value). */
    check_fail_valid(vmx_vmcall(), VMERR_VMCALL_IN_ROOT, "VMCALL in VMX root operation");
}

/* 24.11.2: a VMWRITE of 64 bits keeps what the field's width holds; the
 * high access type (bit 0 = 1) of a 64-bit field reads bits 63:32. */
static void check_field_widths(void) {
    const uint64_t v = 0x8877665544332211ull;
    vmx_vmwrite(VMCS_GUEST_RIP, v);
    systest_eq(vmcs_read(VMCS_GUEST_RIP), v, "VMWRITE/VMREAD of natural-width GUEST_RIP");
    vmx_vmwrite(VMCS_GUEST_ES_SELECTOR, v);
    systest_eq(vmcs_read(VMCS_GUEST_ES_SELECTOR), v & 0xffff,
               "16-bit GUEST_ES_SELECTOR keeps bits 15:0 of the VMWRITE");
    vmx_vmwrite(VMCS_GUEST_ES_LIMIT, v);
    systest_eq(vmcs_read(VMCS_GUEST_ES_LIMIT), v & 0xffffffff,
               "32-bit GUEST_ES_LIMIT keeps bits 31:0 of the VMWRITE");
    vmx_vmwrite(VMCS_TSC_OFFSET, v);
    systest_eq(vmcs_read(VMCS_TSC_OFFSET_HIGH), v >> 32,
               "VMREAD of TSC_OFFSET with the high access type: bits 63:32");
}

/* 30.3 VMREAD/VMWRITE: in 64-bit mode an encoding with bits 63:32 set is
 * an unsupported component; VM-exit information fields are read-only
 * unless IA32_VMX_MISC[29] = 1 (A.6). */
static void check_field_errors(void) {
    const uint64_t unsupported = 1ull << 32 | VMCS_GUEST_RIP;
    uint64_t v;
    check_fail_valid(vmx_vmread(unsupported, &v), VMERR_UNSUPPORTED_COMPONENT,
                     "VMREAD of an encoding with bits 63:32 set");
    check_fail_valid(vmx_vmwrite(unsupported, 0), VMERR_UNSUPPORTED_COMPONENT,
                     "VMWRITE of an encoding with bits 63:32 set");
    bool any = rdmsr(MSR_IA32_VMX_MISC) & VMX_MISC_VMWRITE_ANY_FIELD;
    VmxResult r = vmx_vmwrite(VMCS_EXIT_QUALIFICATION, 0x1234);
    systest_eq(r, any ? VMX_SUCCEED : VMX_FAIL_VALID,
               "VMWRITE to EXIT_QUALIFICATION: VMfailValid unless IA32_VMX_MISC[29]");
    systest_eq(any ? vmcs_read(VMCS_EXIT_QUALIFICATION) : vmcs_read(VMCS_VM_INSTRUCTION_ERROR),
               any ? 0x1234 : VMERR_VMWRITE_READ_ONLY,
               "VMWRITE to EXIT_QUALIFICATION: error 13, or the value written if "
               "IA32_VMX_MISC[29]");
}

/* 30.3 VMPTRLD, VMCLEAR: pointer checks, each VMfailValid with the current
 * VMCS still current. */
static void check_pointer_errors(void) {
    uint64_t beyond = (uint64_t)vmcs_region | 1ull << vmx_address_width(), ptr = 0;
    check_fail_valid(vmx_vmptrld((uint64_t)vmxon_region), VMERR_VMPTRLD_VMXON_POINTER,
                     "VMPTRLD of the VMXON pointer");
    check_fail_valid(vmx_vmptrld((uint64_t)bad_revision_region), VMERR_VMPTRLD_BAD_REVISION,
                     "VMPTRLD of a region with a wrong VMCS revision identifier");
    check_fail_valid(vmx_vmptrld((uint64_t)vmcs_region + 8), VMERR_VMPTRLD_INVALID_ADDRESS,
                     "VMPTRLD of an address not 4-KByte aligned");
    check_fail_valid(vmx_vmptrld(beyond), VMERR_VMPTRLD_INVALID_ADDRESS,
                     "VMPTRLD of an address beyond the physical-address width");
    vmx_vmptrst(&ptr);
    systest_eq(ptr, (uint64_t)vmcs_region, "the failed VMPTRLDs left the current VMCS");
    check_fail_valid(vmx_vmclear((uint64_t)vmxon_region), VMERR_VMCLEAR_VMXON_POINTER,
                     "VMCLEAR of the VMXON pointer");
    check_fail_valid(vmx_vmclear((uint64_t)vmcs_region + 8), VMERR_VMCLEAR_INVALID_ADDRESS,
                     "VMCLEAR of an address not 4-KByte aligned");
    /* 26.1 "Basic VM-Entry Checks": the launch state before the VMCS contents. */
    check_fail_valid(vmx_vmresume(), VMERR_VMRESUME_NONLAUNCHED, "VMRESUME of a clear VMCS");
}

void check_instructions(void) {
    check_without_vmcs();
    check_make_current();
    check_field_widths();
    check_field_errors();
    check_pointer_errors();
}

/* 30.3 VMREAD, VMXON, VMCALL: in VMX root operation, CPL > 0 is #GP(0). */
void check_cpl3(void) {
    static uint8_t user_stack[8192] __attribute__((aligned(16)));
    Catch vmread = {uv_vmread, uv_vmread_next, false, 0, 0};
    Catch vmxon = {uv_vmxon, uv_vmxon_next, false, 0, 0};
    Catch vmcall = {uv_vmcall, uv_vmcall_next, false, 0, 0};
    catch_arm(&vmread);
    catch_arm(&vmxon);
    catch_arm(&vmcall);
    enter_user((uint64_t)user_vmx_task, (uint64_t)user_stack + sizeof(user_stack));
    catch_disarm();
    check_catch(&vmread, "VMREAD at CPL 3 in VMX root operation", EXC_GP);
    check_catch(&vmxon, "VMXON at CPL 3 in VMX root operation", EXC_GP);
    check_catch(&vmcall, "VMCALL at CPL 3 in VMX root operation", EXC_GP);
}
