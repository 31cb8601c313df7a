/* Entering VMX operation, a fresh VMCS and its control fields (guest/vmx.h). */
#include "guest/vmx.h"

#include "guest/io.h"

bool vmx_controls_allowed(VmxControls which, uint32_t want) {
    uint32_t allowed1 = (uint32_t)(vmx_control_capability(which) >> 32);
    return (want & ~allowed1) == 0;
}

/* 31.5.1 "Algorithms for Determining VMX Capabilities", per vector. */
bool vmx_controls_adjust(const VmxControlSet *want, VmxControlSet *out, VmxControlSet *missing) {
    const uint32_t w[] = {want->pin, want->proc, want->exit, want->entry};
    uint32_t got[4], lost[4];
    bool ok = true;
    for (unsigned i = 0; i < 4; i++) {
        got[i] = vmx_adjust_controls(w[i], vmx_control_capability((VmxControls)i));
        lost[i] = w[i] & ~got[i];
        ok = ok && lost[i] == 0;
    }
    *out = (VmxControlSet){got[VMX_PIN], got[VMX_PROC], got[VMX_EXIT], got[VMX_ENTRY]};
    if (missing)
        *missing = (VmxControlSet){lost[VMX_PIN], lost[VMX_PROC], lost[VMX_EXIT], lost[VMX_ENTRY]};
    return ok;
}

VmxResult vmx_write_controls(const VmxControlSet *c) {
    const VmxField f[] = {
        {VMCS_PIN_BASED_CONTROLS, c->pin},
        {VMCS_PROC_BASED_CONTROLS, c->proc},
        {VMCS_EXIT_CONTROLS, c->exit},
        {VMCS_ENTRY_CONTROLS, c->entry},
        {VMCS_EXCEPTION_BITMAP, 0},   /* 24.6.3: no exception exits */
        {VMCS_PF_ERROR_CODE_MASK, 0}, /* with bit 14 clear: no #PF exits */
        {VMCS_PF_ERROR_CODE_MATCH, 0},
        {VMCS_CR0_GUEST_HOST_MASK, 0}, /* 24.6.6: the guest owns every bit */
        {VMCS_CR4_GUEST_HOST_MASK, 0},
        {VMCS_CR3_TARGET_COUNT, 0},     /* 24.6.7 */
        {VMCS_EXIT_MSR_STORE_COUNT, 0}, /* 24.7.2 */
        {VMCS_EXIT_MSR_LOAD_COUNT, 0},
        {VMCS_ENTRY_MSR_LOAD_COUNT, 0},    /* 24.8.2 */
        {VMCS_ENTRY_INTERRUPTION_INFO, 0}, /* 24.8.3: no event injection */
    };
    return vmx_write_fields(f, VMX_COUNT(f));
}

/* 23.7: firmware normally locks IA32_FEATURE_CONTROL; a hypervisor that
 * boots first locks it itself with "VMXON outside SMX" (bit 2). */
static bool feature_control_allows_vmxon(void) {
    uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
    if (!(fc & FEATURE_CONTROL_LOCK)) {
        fc |= FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX;
        wrmsr(MSR_IA32_FEATURE_CONTROL, fc);
    }
    return fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX;
}

VmxOnStatus vmx_on(void *vmxon_region) {
    if (!(cpuid(1, 0).ecx & CPUID_1_ECX_VMX)) return VMX_ON_NO_VMX;
    if (!feature_control_allows_vmxon()) return VMX_ON_LOCKED_OFF;
    vmx_enable_cr();
    vmx_region_init(vmxon_region);
    return vmx_vmxon((uint64_t)(uintptr_t)vmxon_region) == VMX_SUCCEED ? VMX_ON_OK : VMX_ON_VMFAIL;
}

VmxResult vmx_vmcs_init(void *vmcs_region) {
    uint64_t pa = (uint64_t)(uintptr_t)vmcs_region;
    vmx_region_init(vmcs_region);
    VmxResult r = vmx_vmclear(pa);
    return r != VMX_SUCCEED ? r : vmx_vmptrld(pa);
}
