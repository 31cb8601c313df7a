/*
 * hv-tiny's deliberately broken VMCSs, one per class of VM-entry failure,
 * selected with break=N on the command line:
 *   1  a control: the primary processor-based controls written as wanted,
 *      without the capability adjustment of SDM 31.5.1, so a bit that
 *      IA32_VMX_TRUE_PROCBASED_CTLS requires to be 1 is 0 (or, should it
 *      require none, a bit it requires to be 0 is 1): 26.2.1.1, VMLAUNCH
 *      VMfailValid(7);
 *   2  host state: HOST_TR_SELECTOR left 0000H: 26.2.3, VMfailValid(8);
 *   3  guest state: GUEST_CR4.PAE = 0 with "IA-32e mode guest" = 1:
 *      26.3.1.1, VM-entry failure, exit reason 80000021H, qualification 0.
 */
#include "hv_tiny.h"

#include "guest/cmdline.h"
#include "guest/printf.h"

#define CR4_PAE (1ull << 5)

/* A.3.2: the wanted controls, or else with the lowest bit the capability
 * requires to be 0 set. */
static uint32_t unadjusted_proc_controls(void) {
    uint32_t want = PROC_HLT_EXITING | PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS;
    uint64_t cap = vmx_control_capability(VMX_PROC);
    if (vmx_adjust_controls(want, cap) != want) return want;
    uint32_t must_be_0 = ~(uint32_t)(cap >> 32);
    return want | (must_be_0 & -must_be_0);
}

void hv_break_vmcs(void) {
    uint64_t n = 0;
    guest_cmdline_uint("break", &n);
    switch (n) {
    case 1:
        vmx_write(VMCS_PROC_BASED_CONTROLS, unadjusted_proc_controls());
        guest_printf("hv-tiny: break=1: processor-based controls not adjusted to the"
                     " capability MSR\n");
        break;
    case 2:
        vmx_write(VMCS_HOST_TR_SELECTOR, 0);
        guest_printf("hv-tiny: break=2: HOST_TR_SELECTOR = 0\n");
        break;
    case 3:
        vmx_write(VMCS_GUEST_CR4, vmx_read(VMCS_GUEST_CR4) & ~CR4_PAE);
        guest_printf("hv-tiny: break=3: GUEST_CR4.PAE = 0 in a 64-bit guest\n");
        break;
    }
}
