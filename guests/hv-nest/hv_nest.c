/*
 * hv-nest: an L1 hypervisor's hypervisor.  It loads module 0 (hv-tiny, or
 * any direct-boot ELF64 linked below 32 MiB) and runs it as its guest with
 * VMX virtualized: CPUID shows VMX, IA32_FEATURE_CONTROL and the
 * capability MSRs read as the processor's, CR4.VMXE is virtual, and the
 * VMX instructions exit to hv-nest, which performs them on L1's VMCSs and
 * runs L1's guest (L2) itself (hv_nest.h).  At the end it prints the VM
 * exits of both levels and exits with L1's status.
 *   vmxsim run hv-nest.elf --module hv-tiny.elf[,ARGS]
 */
#include "hv_nest.h"

#include "guest/guest.h"

Vcpu vcpu = {.current_vmcs = ~0ull, .vmcs02_owner = ~0ull};
uint8_t vmcs01_region[4096] __attribute__((aligned(4096)));
uint8_t vmcs02_region[4096] __attribute__((aligned(4096)));
static uint8_t vmxon_region[4096] __attribute__((aligned(4096)));

static bool enter_vmx(void) {
    if (vmx_on(vmxon_region) != VMX_ON_OK) {
        guest_printf("hv-nest: cannot enter VMX operation\n");
        return false;
    }
    vmx_check(vmx_vmcs_init(vmcs01_region), "VMCLEAR/VMPTRLD of vmcs01", 0);
    vmcs12_probe_fields();
    return true;
}

static int report(VmxRunEnd end) {
    char why[200];
    if (end == VMX_RUN_VMFAIL)
        guest_printf("hv-nest: entering L1 failed: %s\n",
                     vmx_describe_vmfail(vcpu.l1.vmfail, why, sizeof(why)));
    else if (end == VMX_RUN_ENTRY_FAILURE)
        guest_printf("hv-nest: entering L1 failed: %s\n",
                     vmx_describe_entry_failure(why, sizeof(why)));
    else if (end == VMX_RUN_UNHANDLED)
        guest_printf("hv-nest: unhandled VM exit of L1, reason %u\n", vcpu.l1.exit_reason);
    if (!vcpu.stopped) return HV_NEST_FAILED;
    guest_printf("hv-nest: L1 exited with status %u\n", vcpu.status);
    guest_printf("hv-nest: VM exits of L1 (hv-nest's guest), handled by hv-nest:\n");
    vmx_print_exit_counts(&vcpu.l1, "hv-nest: ");
    guest_printf("hv-nest: VM exits of L2 (L1's guest), reflected to L1:\n");
    vmx_print_exit_counts(&vcpu.l2, "hv-nest: ");
    return (int)vcpu.status;
}

int guest_main(const VmxsimBootInfo *info) {
    if (info->module_count < 1) {
        guest_printf("hv-nest: no module to run (vmxsim run hv-nest.elf --module IMAGE)\n");
        return HV_NEST_FAILED;
    }
    if (!enter_vmx() || !nest_load_l1(info)) return HV_NEST_FAILED;
    nest_install_l1_handlers(&vcpu.l1);
    nest_install_vmx_handlers(&vcpu.l1);
    guest_printf("hv-nest: running module 0 as L1, with VMX virtualized\n");
    int status = report(vmx_dispatch_run(&vcpu.l1, &vcpu.regs));
    vmx_vmxoff();
    return status;
}
