/*
 * hv-tiny: a minimal 64-bit hypervisor, written with the guest/vmx*.h
 * toolkit the way one is written for hardware.
 *   1. Enter VMX operation (SDM 23.6, 23.7) and make a VMCS current (24.11.3).
 *   2. Controls from the capability MSRs (31.5.1): HLT exiting, I/O bitmaps
 *      (COM1 exits), MSR bitmaps (IA32_TSC_AUX exits), every exception
 *      exits; a 64-bit host and a 64-bit guest.
 *   3. Host state = the current CPU; guest state = a 64-bit guest with its
 *      own GDT, TSS and page tables mapping the image (26.3.1).
 *   4. Dispatch the guest's VM exits (exits.c) until it stops with a
 *      hypercall; print the exits per basic exit reason (Appendix C),
 *      VMXOFF, exit through the debug-exit port with the guest's status.
 * A VMLAUNCH that fails is diagnosed: the VM-instruction error (30.4) or
 * the VM-entry failure's exit reason and qualification (26.7).
 */
#include "hv_tiny.h"

#include "guest/guest.h"
#include "guest/vmx_guest.h"

#define HV_FAILED 3 /* exit code when hv-tiny itself fails */

extern char __image_end[];

static uint8_t vmxon_region[4096] __attribute__((aligned(4096)));
static uint8_t vmcs_region[4096] __attribute__((aligned(4096)));
static VmxIoBitmaps io_bitmaps;
static VmxMsrBitmap msr_bitmap;
static VmxPageTables64 guest_page_tables;
static VmxGuestTables guest_tables;
static uint8_t guest_stack[16384] __attribute__((aligned(16)));
static VmxDispatch dispatch;

static const char *const vmx_on_errors[] = {
    [VMX_ON_NO_VMX] = "CPUID.1:ECX.VMX = 0",
    [VMX_ON_LOCKED_OFF] = "IA32_FEATURE_CONTROL locked without VMXON outside SMX",
    [VMX_ON_VMFAIL] = "VMXON failed",
};

static bool enter_vmx(void) {
    VmxOnStatus s = vmx_on(vmxon_region);
    if (s != VMX_ON_OK) {
        guest_printf("hv-tiny: cannot enter VMX operation: %s\n", vmx_on_errors[s]);
        return false;
    }
    return vmx_check(vmx_vmcs_init(vmcs_region), "VMCLEAR/VMPTRLD", 0) == VMX_SUCCEED;
}

static const VmxControlSet wanted = {
    .pin = 0,
    .proc = PROC_HLT_EXITING | PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS,
    .exit = EXIT_HOST_ADDRESS_SPACE_SIZE,
    .entry = ENTRY_IA32E_MODE_GUEST,
};

static bool write_controls(void) {
    VmxControlSet c, missing;
    if (!vmx_controls_adjust(&wanted, &c, &missing)) {
        guest_printf("hv-tiny: the CPU cannot set the controls pin 0x%x proc 0x%x exit 0x%x"
                     " entry 0x%x\n",
                     missing.pin, missing.proc, missing.exit, missing.entry);
        return false;
    }
    vmx_io_intercept(&io_bitmaps, GUEST_COM1, 8);
    vmx_msr_intercept(&msr_bitmap, MSR_TSC_AUX, true, true);
    vmx_check(vmx_write_controls(&c), "VMWRITE of the controls", 0);
    vmx_write(VMCS_IO_BITMAP_A, (uint64_t)(uintptr_t)io_bitmaps.a);
    vmx_write(VMCS_IO_BITMAP_B, (uint64_t)(uintptr_t)io_bitmaps.b);
    vmx_write(VMCS_MSR_BITMAP, (uint64_t)(uintptr_t)&msr_bitmap);
    vmx_write(VMCS_EXCEPTION_BITMAP, 0xffffffffu);
    return true;
}

static void write_state(void) {
    VmxGuestSpec g = {
        .rip = (uint64_t)(uintptr_t)hv_guest_main,
        .rsp = (uint64_t)(uintptr_t)(guest_stack + sizeof(guest_stack) - 8), /* as after a CALL */
        .cr3 = vmx_page_tables_64(&guest_page_tables, (uint64_t)(uintptr_t)__image_end),
        .tables = &guest_tables,
    };
    vmx_check(vmx_write_host_state(), "VMWRITE of the host state", 0);
    vmx_check(vmx_guest_state_64(&g), "VMWRITE of the guest state", 0);
}

/* Why the guest stopped or never ran. */
static int report_end(VmxRunEnd end) {
    char why[200];
    switch (end) {
    case VMX_RUN_STOPPED:
        guest_printf("hv-tiny: guest stopped with status %llu after %llu VM exits\n",
                     (unsigned long long)hv_guest_status(), (unsigned long long)dispatch.exits);
        vmx_print_exit_counts(&dispatch, "hv-tiny: ");
        return (int)hv_guest_status();
    case VMX_RUN_VMFAIL:
        guest_printf("hv-tiny: %s failed: %s\n", dispatch.launched ? "VMRESUME" : "VMLAUNCH",
                     vmx_describe_vmfail(dispatch.vmfail, why, sizeof(why)));
        return HV_FAILED;
    case VMX_RUN_ENTRY_FAILURE:
        guest_printf("hv-tiny: %s failed: %s\n", dispatch.launched ? "VMRESUME" : "VMLAUNCH",
                     vmx_describe_entry_failure(why, sizeof(why)));
        return HV_FAILED;
    case VMX_RUN_UNHANDLED:
        break;
    }
    guest_printf("hv-tiny: unhandled VM exit, reason %u (%s)\n", dispatch.exit_reason & 0xffff,
                 vmx_exit_reason_name(dispatch.exit_reason & 0xffff));
    return HV_FAILED;
}

int guest_main(const VmxsimBootInfo *info) {
    (void)info;
    static VmxGuestRegs regs;
    if (!enter_vmx() || !write_controls()) return HV_FAILED;
    write_state();
    hv_exits_install(&dispatch);
    hv_break_vmcs();
    guest_printf("hv-tiny: VMX on, launching a 64-bit guest\n");
    int status = report_end(vmx_dispatch_run(&dispatch, &regs));
    vmx_check(vmx_vmxoff(), "VMXOFF", 0);
    return status;
}
