/*
 * dbg-vmx: a small hypervisor the debugger's tests run (tests/debug).
 * Without fail=N on the command line it runs a 64-bit guest
 * (dbg_vmx_guest.S) through four VM exits, CPUID (10), VMCALL (18), I/O
 * instruction (30) and HLT (12), advancing GUEST_RIP by the VM-exit
 * instruction length after each (SDM 27.2.4), and exits with code 0.
 * With ud=1 it first executes a UD2 that its #UD handler skips (for the
 * debugger's exception breakpoints); with spin=1 it loops forever first
 * (for the GDB stub's Ctrl-C).
 * With fail=N it breaks one rule of one failure family from the known-good
 * VMCS and checks the outcome the SDM gives (exit code 0 when it matches):
 *   1 control: a pin-based control at a setting IA32_VMX_TRUE_PINBASED_CTLS
 *     forbids (26.2.1.1, A.3.1) -> VMfailValid(7) (30.4).
 *   2 host state: HOST_CR4 without VMXE, which IA32_VMX_CR4_FIXED0 requires
 *     (26.2.2, A.8) -> VMfailValid(8).
 *   3 guest state: GUEST_RFLAGS bit 1 clear (26.3.1.4) -> VM-entry failure,
 *     exit reason 80000021H, exit qualification 0 (26.8).
 *   4 MSR loading: a VM-entry MSR-load entry for IA32_FS_BASE (26.4) ->
 *     VM-entry failure, exit reason 80000022H, exit qualification 1 (26.8).
 */
#include "guest/cmdline.h"
#include "guest/guest.h"
#include "guest/vmx.h"
#include "lib/desc.h"

#define PAGE 4096
#define MSR_IA32_FS_BASE 0xC0000100u
#define PROC_UNCONDITIONAL_IO_EXITING (1u << 24) /* 24.6.2 Table 24-6 */

static uint8_t vmxon_region[PAGE] __attribute__((aligned(PAGE)));
static uint8_t vmcs_region[PAGE] __attribute__((aligned(PAGE)));
static uint8_t guest_stack[PAGE] __attribute__((aligned(16)));
static uint64_t msr_load_area[2] __attribute__((aligned(16))) = {MSR_IA32_FS_BASE, 0};
extern const char dbg_guest_code[], dbg_ud2[];
void dbg_raise_ud(void);
volatile uint32_t dbg_exit_count; /* VM exits handled: a watchpoint target */

void systest_trap(TrapFrame *f) {
    if (f->vector == 6 && f->rip == (uint64_t)dbg_ud2) {
        guest_printf("dbg-vmx: #UD at dbg_ud2, skipped\n");
        f->rip += 2; /* UD2 is 0F 0B */
        return;
    }
    guest_printf("dbg-vmx: unexpected exception %llu at rip 0x%llx\n",
                 (unsigned long long)f->vector, (unsigned long long)f->rip);
    guest_exit(3);
}

static uint64_t vmread(uint32_t field) {
    uint64_t v = 0;
    (void)vmx_vmread(field, &v);
    return v;
}

/* SDM 23.6, 23.7, 24.11.3: VMX operation and a current, clear VMCS (guest/vmx.h). */
static bool enter_vmx(void) {
    return vmx_on(vmxon_region) == VMX_ON_OK && vmx_vmcs_init(vmcs_region) == VMX_SUCCEED;
}

/* The known-good VMCS: controls from the capability MSRs (31.5.1), host
 * state = this CPU, guest state = this CPU at dbg_guest_code. */
static bool write_vmcs(void) {
    uint32_t proc = vmx_adjust_controls(PROC_HLT_EXITING | PROC_UNCONDITIONAL_IO_EXITING,
                                        vmx_control_capability(VMX_PROC));
    return vmx_vmwrite(VMCS_PIN_BASED_CONTROLS,
                       vmx_adjust_controls(0, vmx_control_capability(VMX_PIN))) == VMX_SUCCEED &&
           vmx_vmwrite(VMCS_PROC_BASED_CONTROLS, proc) == VMX_SUCCEED &&
           vmx_vmwrite(VMCS_EXIT_CONTROLS, vmx_adjust_controls(EXIT_HOST_ADDRESS_SPACE_SIZE,
                                                               vmx_control_capability(VMX_EXIT))) ==
               VMX_SUCCEED &&
           vmx_vmwrite(VMCS_ENTRY_CONTROLS,
                       vmx_adjust_controls(ENTRY_IA32E_MODE_GUEST,
                                           vmx_control_capability(VMX_ENTRY))) == VMX_SUCCEED &&
           vmx_write_host_state() == VMX_SUCCEED &&
           vmx_write_guest_state((uint64_t)dbg_guest_code, (uint64_t)(guest_stack + PAGE)) ==
               VMX_SUCCEED;
}

/* A pin-based setting the capability forbids: an allowed-0 bit cleared,
 * or, if there is none, a bit the allowed-1 settings do not have (A.3.1). */
static uint32_t forbidden_pin_controls(void) {
    uint64_t cap = vmx_control_capability(VMX_PIN);
    uint32_t must1 = (uint32_t)cap, may1 = (uint32_t)(cap >> 32), v = vmx_adjust_controls(0, cap);
    return must1 ? v & ~(must1 & -must1) : v | (~may1 & -~may1);
}

static void break_rule(uint64_t fail) {
    switch (fail) {
    case 1:
        (void)vmx_vmwrite(VMCS_PIN_BASED_CONTROLS, forbidden_pin_controls());
        break;
    case 2:
        (void)vmx_vmwrite(VMCS_HOST_CR4, vmread(VMCS_HOST_CR4) & ~CR4_VMXE);
        break;
    case 3:
        (void)vmx_vmwrite(VMCS_GUEST_RFLAGS, 0);
        break;
    case 4:
        (void)vmx_vmwrite(VMCS_ENTRY_MSR_LOAD_ADDR, (uint64_t)msr_load_area);
        (void)vmx_vmwrite(VMCS_ENTRY_MSR_LOAD_COUNT, 1);
        break;
    default:
        break;
    }
}

/* The SDM's outcome of each broken rule. */
static int check_failure(uint64_t fail, VmxResult r) {
    static const uint32_t error[3] = {0, 7, 8};
    static const uint32_t reason[5] = {0, 0, 0, EXIT_REASON_ENTRY_FAILURE | 33,
                                       EXIT_REASON_ENTRY_FAILURE | 34};
    static const uint64_t qualification[5] = {0, 0, 0, 0, 1};
    if (fail <= 2) {
        uint32_t e = (uint32_t)vmread(VMCS_VM_INSTRUCTION_ERROR);
        guest_printf("dbg-vmx: VMLAUNCH: %s, VM-instruction error %u\n",
                     r == VMX_FAIL_VALID ? "VMfailValid" : "not VMfailValid", e);
        return r == VMX_FAIL_VALID && e == error[fail] ? 0 : 1;
    }
    uint32_t got = (uint32_t)vmread(VMCS_EXIT_REASON);
    uint64_t q = vmread(VMCS_EXIT_QUALIFICATION);
    guest_printf("dbg-vmx: VM-entry failure: exit reason 0x%x, qualification %llu\n", got,
                 (unsigned long long)q);
    return r == VMX_SUCCEED && got == reason[fail] && q == qualification[fail] ? 0 : 1;
}

/* The guest's four VM exits, each handled by skipping the instruction. */
static int run_guest(void) {
    static const uint32_t expected[] = {EXIT_REASON_CPUID, EXIT_REASON_VMCALL,
                                        EXIT_REASON_IO_INSTRUCTION, EXIT_REASON_HLT};
    VmxGuestRegs regs = {0};
    for (unsigned i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
        if (vmx_run(&regs, i > 0) != VMX_SUCCEED) return 1;
        uint32_t reason = (uint32_t)vmread(VMCS_EXIT_REASON);
        dbg_exit_count++;
        guest_printf("dbg-vmx: VM exit %u\n", reason);
        if (reason != expected[i]) return 1;
        (void)vmx_vmwrite(VMCS_GUEST_RIP,
                          vmread(VMCS_GUEST_RIP) + vmread(VMCS_EXIT_INSTRUCTION_LENGTH));
    }
    return 0;
}

int guest_main(const VmxsimBootInfo *info) {
    uint64_t fail = 0, ud = 0, spin = 0;
    (void)info;
    (void)guest_cmdline_uint("fail", &fail);
    (void)guest_cmdline_uint("ud", &ud);
    (void)guest_cmdline_uint("spin", &spin);
    while (spin)
        __asm__ __volatile__("pause");
    systest_load_gdt_tss();
    for (unsigned v = 0; v < 32; v++)
        systest_set_gate(v, GATE_INT, 0, 0, true);
    systest_load_idt();
    if (ud) dbg_raise_ud();
    if (!enter_vmx() || !write_vmcs()) {
        guest_printf("dbg-vmx: cannot set up VMX\n");
        return 1;
    }
    if (fail == 0) return run_guest();
    break_rule(fail);
    VmxGuestRegs regs = {0};
    return check_failure(fail, vmx_run(&regs, false));
}
