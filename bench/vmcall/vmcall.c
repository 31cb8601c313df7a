/*
 * bench/vmcall: VM exit/VM entry round trips.  A minimal hypervisor enters
 * VMX operation, builds a VMCS for a 64-bit guest that shares its page
 * tables and GDT (guest.S), and resumes it after each VMCALL exit: read
 * EXIT_REASON and EXIT_INSTRUCTION_LENGTH, advance GUEST_RIP, VMRESUME.
 * That loop is the measured hot path (exit.S); bench/run times a short and
 * a long run and divides the difference.
 *
 * Command line: vmcall.iterations=N (default 100000, at least 1).
 * Prints "vmcall: N round trips" and exits with 0; 2 on any failure.
 * Controls come from the capability MSRs (SDM 31.5.1); the guest state is
 * the host's (guest/vmx.h).
 */
#include "vmcall.h"
#include "guest/cmdline.h"
#include "guest/guest.h"
#include "guest/vmx.h"

#define DEFAULT_ITERATIONS 100000

static uint8_t vmxon_region[4096] __attribute__((aligned(4096)));
static uint8_t vmcs_region[4096] __attribute__((aligned(4096)));
static uint8_t guest_stack[4096] __attribute__((aligned(16)));

/* SDM 23.6, 23.7, 24.11.3: VMX operation and a current, clear VMCS (guest/vmx.h). */
static bool enter_vmx(void) {
    return vmx_on(vmxon_region) == VMX_ON_OK && vmx_vmcs_init(vmcs_region) == VMX_SUCCEED;
}

/* Default controls except a 64-bit host and guest (24.7.1, 24.8.1); no
 * exception bitmap bits, CR masks, CR3 targets or MSR lists. */
static bool setup_vmcs(void) {
    const struct {
        uint32_t field;
        uint64_t value;
    } f[] = {
        {VMCS_PIN_BASED_CONTROLS, vmx_adjust_controls(0, vmx_control_capability(VMX_PIN))},
        {VMCS_PROC_BASED_CONTROLS, vmx_adjust_controls(0, vmx_control_capability(VMX_PROC))},
        {VMCS_EXIT_CONTROLS,
         vmx_adjust_controls(EXIT_HOST_ADDRESS_SPACE_SIZE, vmx_control_capability(VMX_EXIT))},
        {VMCS_ENTRY_CONTROLS,
         vmx_adjust_controls(ENTRY_IA32E_MODE_GUEST, vmx_control_capability(VMX_ENTRY))},
        {VMCS_EXCEPTION_BITMAP, 0},
        {VMCS_CR3_TARGET_COUNT, 0},
        {VMCS_CR0_GUEST_HOST_MASK, 0},
        {VMCS_CR4_GUEST_HOST_MASK, 0},
        {VMCS_EXIT_MSR_STORE_COUNT, 0},
        {VMCS_EXIT_MSR_LOAD_COUNT, 0},
        {VMCS_ENTRY_MSR_LOAD_COUNT, 0},
        {VMCS_ENTRY_INTERRUPTION_INFO, 0},
    };
    for (unsigned i = 0; i < sizeof(f) / sizeof(f[0]); i++)
        if (vmx_vmwrite(f[i].field, f[i].value) != VMX_SUCCEED) return false;
    return vmx_write_host_state() == VMX_SUCCEED &&
           vmx_write_guest_state((uint64_t)vmcall_guest,
                                 (uint64_t)guest_stack + sizeof(guest_stack)) == VMX_SUCCEED;
}

int guest_main(const VmxsimBootInfo *info) {
    (void)info;
    uint64_t iterations = DEFAULT_ITERATIONS;
    guest_cmdline_uint("vmcall.iterations", &iterations);
    if (iterations == 0) iterations = 1;
    if (!enter_vmx() || !setup_vmcs()) {
        guest_printf("vmcall: could not enter VMX operation or set up the VMCS\n");
        return 2;
    }
    uint64_t exits = vmcall_run(iterations);
    vmx_vmxoff();
    if (exits != iterations) {
        guest_printf("vmcall: %llu VMCALL exits, expected %llu\n", (unsigned long long)exits,
                     (unsigned long long)iterations);
        return 2;
    }
    guest_printf("vmcall: %llu round trips\n", (unsigned long long)iterations);
    return 0;
}
