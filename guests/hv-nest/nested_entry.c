/*
 * VMLAUNCH and VMRESUME of L1 (SDM 30.3): the instruction's own checks,
 * the checks on the controls' reserved bits (26.2.1, against the
 * capability MSRs L1 reads, which are the processor's) and on the host
 * state (26.2.2-26.2.4, host_checks.c); then vmcs02 = vmcs12's controls
 * and guest state with hv-nest's host state, and the processor enters L2.
 * It makes the remaining checks (26.2.1, 26.3) on the same values:
 * VMfailValid(7) is L1's, a VM-entry failure is reflected (26.7).  Every VM
 * exit of L2 is one L1 asked for (hv-nest adds no intercepts), so each is
 * reflected to L1 (reflect.c).
 */
#include "hv_nest.h"

#include "guest/printf.h"

#define NO_VMCS (~0ull)
#define BLOCKING_BY_MOV_SS (1u << 1) /* 24.4.2 Table 24-3 */

static bool controls_ok(uint64_t vmcs) {
    static const uint32_t field[] = {VMCS_PIN_BASED_CONTROLS, VMCS_PROC_BASED_CONTROLS,
                                     VMCS_EXIT_CONTROLS, VMCS_ENTRY_CONTROLS};
    for (unsigned i = 0; i < 4; i++) {
        uint32_t v = (uint32_t)vmcs12_read(vmcs, field[i]);
        if (vmx_adjust_controls(v, vmx_control_capability((VmxControls)i)) != v) return false;
    }
    return true;
}

/* 30.3 VMLAUNCH/VMRESUME, in the order of its Operation section. */
static bool entry_allowed(uint64_t vmcs, bool launch) {
    const char *host;
    if (vmcs == NO_VMCS)
        nest_vmfail_invalid();
    else if (vmx_read(VMCS_GUEST_INTERRUPTIBILITY) & BLOCKING_BY_MOV_SS)
        nest_vmfail(VMERR_ENTRY_MOVSS_BLOCKING);
    else if (launch && vmcs12_launched(vmcs))
        nest_vmfail(VMERR_VMLAUNCH_NONCLEAR);
    else if (!launch && !vmcs12_launched(vmcs))
        nest_vmfail(VMERR_VMRESUME_NONLAUNCHED);
    else if (!controls_ok(vmcs)) {
        guest_printf("hv-nest: L1's %s fails SDM 26.2.1: reserved control bits\n",
                     launch ? "VMLAUNCH" : "VMRESUME");
        nest_vmfail(VMERR_ENTRY_INVALID_CONTROL);
    } else if ((host = nest_check_host_state(vmcs)) != NULL) {
        guest_printf("hv-nest: L1's %s fails SDM %s\n", launch ? "VMLAUNCH" : "VMRESUME", host);
        nest_vmfail(VMERR_ENTRY_INVALID_HOST_STATE);
    } else
        return true;
    return false;
}

static uint64_t copy_from; /* the vmcs12 that copy_field reads */

/* vmcs02's exit controls: hv-nest's host is 64-bit and needs no PAT or
 * EFER loaded (L1's are loaded by reflect.c from vmcs12). */
static void copy_field(uint32_t enc) {
    uint64_t v = vmcs12_read(copy_from, enc);
    if (enc == VMCS_EXIT_CONTROLS)
        v = (v | EXIT_HOST_ADDRESS_SPACE_SIZE) &
            ~(uint64_t)(EXIT_LOAD_IA32_PAT | EXIT_LOAD_IA32_EFER);
    vmx_write(enc, v);
}

/* Makes vmcs02 current and fills it from vmcs12.  A VMLAUNCH, or a vmcs02
 * that last held another vmcs12, starts from a clear vmcs02. */
static void prepare_vmcs02(uint64_t vmcs, bool launch) {
    uint64_t pa = (uint64_t)(uintptr_t)vmcs02_region;
    if (launch || vcpu.vmcs02_owner != vmcs) {
        vmx_check(vmx_vmcs_init(vmcs02_region), "VMCLEAR/VMPTRLD of vmcs02", pa);
        vmx_check(vmx_write_host_state(), "VMWRITE of vmcs02's host state", 0);
        vcpu.vmcs02_owner = vmcs;
        vcpu.vmcs02_launched = false;
    } else {
        vmx_check(vmx_vmptrld(pa), "VMPTRLD of vmcs02", pa);
    }
    copy_from = vmcs;
    vmcs12_each_field(0, copy_field); /* controls */
    vmcs12_each_field(2, copy_field); /* guest state */
}

static void back_to_vmcs01(void) {
    vmx_check(vmx_vmptrld((uint64_t)(uintptr_t)vmcs01_region), "VMPTRLD of vmcs01", 0);
}

/* The processor refused vmcs02 before entering (26.2.1): L1's VMfail. */
static void refused(void) {
    uint64_t error = vmx_read(VMCS_VM_INSTRUCTION_ERROR);
    back_to_vmcs01();
    if (error != VMERR_ENTRY_INVALID_CONTROL)
        guest_printf("hv-nest: vmcs02 refused with error %llu\n", (unsigned long long)error);
    nest_vmfail((uint32_t)error);
}

/* 26.3.1.5: the VMCS link pointer must not be the current-VMCS pointer.
 * For vmcs02 the processor compares it with vmcs02's address, so hv-nest
 * makes this check for L1: a VM-entry failure with qualification 4 (26.7). */
static bool link_is_current(uint64_t vmcs) {
    if (vmcs12_read(vmcs, VMCS_LINK_POINTER) != vmcs) return false;
    vmcs12_write(vmcs, VMCS_EXIT_REASON,
                 EXIT_REASON_ENTRY_FAILURE | EXIT_REASON_INVALID_GUEST_STATE);
    vmcs12_write(vmcs, VMCS_EXIT_QUALIFICATION, 4);
    return true;
}

VmxAction nest_vmentry(bool launch) {
    uint64_t vmcs = vcpu.current_vmcs;
    if (!entry_allowed(vmcs, launch)) return VMX_ACTION_RESUME;
    if (link_is_current(vmcs)) {
        nest_return_to_l1(vmcs);
        return VMX_ACTION_RESUME;
    }
    prepare_vmcs02(vmcs, launch);
    if (vmx_run(&vcpu.regs, vcpu.vmcs02_launched) != VMX_SUCCEED) {
        refused();
        return VMX_ACTION_RESUME;
    }
    uint32_t reason = (uint32_t)vmx_read(VMCS_EXIT_REASON);
    bool failed = reason & EXIT_REASON_ENTRY_FAILURE;
    if (!failed) {
        vcpu.vmcs02_launched = true;
        vmcs12_set_launched(vmcs, true); /* 30.3: a VM entry that succeeds */
        vcpu.l2.exits++;
        if ((reason & 0xffff) < VMX_EXIT_REASON_COUNT) vcpu.l2.count[reason & 0xffff]++;
    }
    nest_reflect_exit(vmcs, failed);
    return VMX_ACTION_RESUME;
}
