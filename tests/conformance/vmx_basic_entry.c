/*
 * vmx-basic: the VMCS of the 64-bit guest (vmx_basic_guest.S) and VM
 * entries that fail, each from that known-good VMCS with one field broken:
 *   26.2.1.1 "VM-Execution Control Fields" / A.3.1: a pin-based control at
 *     a setting IA32_VMX_(TRUE_)PINBASED_CTLS forbids -> VMfailValid(7).
 *   26.2.2 "Checks on Host Control Registers and MSRs": HOST_CR4 with a
 *     bit IA32_VMX_CR4_FIXED0 requires (VMXE) clear -> VMfailValid(8).
 *   26.2.4 "Checks Related to Address-Space Size": with "host address-space
 *     size" = 1, HOST_RIP must be canonical -> VMfailValid(8).
 *   26.3.1.4 "Checks on Guest RIP and RFLAGS": RFLAGS bit 1 must be 1; the
 *     failure is a VM-entry failure during guest-state loading (26.7):
 *     host state loaded, EXIT_REASON = bit 31 | 33, qualification 0.
 *   30.3 VMLAUNCH: only a successful VM entry makes the VMCS "launched".
 */
#include "vmx_basic.h"

#include "guest/guest.h"
#include "lib/desc.h"
#include "lib/systest.h"

#define PAGE 4096
#define IO_BITMAP_B_FIRST 0x8000
#define MSR_BITMAP_WRITE_HIGH 3072 /* 24.6.9: read low, read high, write low, write high */

static uint8_t io_bitmap_a[PAGE] __attribute__((aligned(PAGE)));
static uint8_t io_bitmap_b[PAGE] __attribute__((aligned(PAGE)));
static uint8_t msr_bitmap[PAGE] __attribute__((aligned(PAGE)));
static uint64_t alt_pml4[512] __attribute__((aligned(PAGE)));
static uint8_t guest_stack[8192] __attribute__((aligned(16)));
uint64_t guest_cr3, guest_alt_cr3;

static void set_bit(uint8_t *map, unsigned bit) {
    map[bit / 8] |= (uint8_t)(1u << (bit % 8));
}

/* 24.6.4 "I/O-Bitmap Addresses", 24.6.9 "MSR-Bitmap Address". */
static void setup_bitmaps(void) {
    set_bit(io_bitmap_a, PORT_IMM);
    set_bit(io_bitmap_a, PORT_WORD);
    set_bit(io_bitmap_b, PORT_IN - IO_BITMAP_B_FIRST);
    set_bit(io_bitmap_b, 0); /* port 8000H */
    set_bit(msr_bitmap, MSR_READ_EXIT);
    set_bit(msr_bitmap + MSR_BITMAP_WRITE_HIGH, MSR_WRITE_EXIT & 0x1fff);
}

/* A second PML4 with the same entries: loading it changes nothing but CR3. */
static void setup_cr3_target(void) {
    guest_cr3 = read_cr3();
    memcpy(alt_pml4, (const void *)(guest_cr3 & ~0xfffull), PAGE);
    guest_alt_cr3 = (uint64_t)alt_pml4;
}

/* One control vector: the wanted 1-settings adjusted to the capability
 * MSR (31.5.1); one check that the capability allows them. */
static uint32_t controls(VmxControls which, uint32_t want, const char *what) {
    uint32_t v = vmx_adjust_controls(want, vmx_control_capability(which));
    systest_eq(v & want, want, "capability MSR allows %s", what);
    return v;
}

static bool write_controls(void) {
    uint32_t pin = controls(VMX_PIN, 0, "the pin-based controls at their defaults");
    uint32_t proc = controls(VMX_PROC,
                             PROC_HLT_EXITING | PROC_CR3_LOAD_EXITING | PROC_USE_IO_BITMAPS |
                                 PROC_USE_MSR_BITMAPS,
                             "HLT exiting, CR3-load exiting, use I/O and MSR bitmaps");
    uint32_t exit = controls(VMX_EXIT, EXIT_HOST_ADDRESS_SPACE_SIZE, "host address-space size");
    uint32_t entry = controls(VMX_ENTRY, ENTRY_IA32E_MODE_GUEST, "IA-32e mode guest");
    systest_true(VMX_MISC_CR3_TARGETS(rdmsr(MSR_IA32_VMX_MISC)) >= 1,
                 "IA32_VMX_MISC[24:16]: at least one CR3-target value");
    const struct {
        uint32_t field;
        uint64_t value;
    } f[] = {
        {VMCS_PIN_BASED_CONTROLS, pin},
        {VMCS_PROC_BASED_CONTROLS, proc},
        {VMCS_EXIT_CONTROLS, exit},
        {VMCS_ENTRY_CONTROLS, entry},
        {VMCS_EXCEPTION_BITMAP, 0xffffffff}, /* every exception exits (24.6.3) */
        {VMCS_PF_ERROR_CODE_MASK, 0},
        {VMCS_PF_ERROR_CODE_MATCH, 0},
        {VMCS_IO_BITMAP_A, (uint64_t)io_bitmap_a},
        {VMCS_IO_BITMAP_B, (uint64_t)io_bitmap_b},
        {VMCS_MSR_BITMAP, (uint64_t)msr_bitmap},
        {VMCS_CR0_GUEST_HOST_MASK, CR0_TS},
        {VMCS_CR0_READ_SHADOW, read_cr0() | CR0_TS},
        {VMCS_CR4_GUEST_HOST_MASK, 0},
        {VMCS_CR4_READ_SHADOW, read_cr4()},
        {VMCS_CR3_TARGET_COUNT, 1},
        {VMCS_CR3_TARGET_VALUE0, guest_alt_cr3},
        {VMCS_EXIT_MSR_STORE_COUNT, 0},
        {VMCS_EXIT_MSR_LOAD_COUNT, 0},
        {VMCS_ENTRY_MSR_LOAD_COUNT, 0},
        {VMCS_ENTRY_INTERRUPTION_INFO, 0},
    };
    for (unsigned i = 0; i < sizeof(f) / sizeof(f[0]); i++)
        if (vmx_vmwrite(f[i].field, f[i].value) != VMX_SUCCEED) return false;
    return true;
}

bool setup_vmcs(void) {
    write_cr0(read_cr0() & ~CR0_TS); /* the guest starts with TS = 0 */
    setup_bitmaps();
    setup_cr3_target();
    bool ok = write_controls() && vmx_write_host_state() == VMX_SUCCEED &&
              vmx_write_guest_state((uint64_t)guest_entry,
                                    (uint64_t)guest_stack + sizeof(guest_stack)) == VMX_SUCCEED;
    check_succeed(ok ? VMX_SUCCEED : VMX_FAIL_VALID, "VMWRITEs of the guest's VMCS");
    return ok;
}

/* VMLAUNCH with one field replaced by bad, then the field restored. */
static VmxResult launch_with(uint32_t field, uint64_t bad) {
    static VmxGuestRegs regs;
    uint64_t good = vmcs_read(field);
    vmx_vmwrite(field, bad);
    VmxResult r = vmx_run(&regs, false);
    vmx_vmwrite(field, good);
    return r;
}

/* A.3.1: the lowest bit the capability requires to be 1 cleared, or else
 * the lowest bit it requires to be 0 set. */
static uint32_t forbidden_controls(uint32_t value, uint64_t cap) {
    uint32_t must_be_1 = (uint32_t)cap, must_be_0 = ~(uint32_t)(cap >> 32);
    if (must_be_1) return value & ~(must_be_1 & -must_be_1);
    return value | (must_be_0 & -must_be_0);
}

static void check_guest_state_failure(void) {
    static VmxGuestRegs regs;
    VmxResult r = launch_with(VMCS_GUEST_RFLAGS, 0);
    systest_eq(r, VMX_SUCCEED,
               "VMLAUNCH with GUEST_RFLAGS bit 1 clear: continues at HOST_RIP with HOST_RSP");
    systest_eq(vmcs_read(VMCS_EXIT_REASON),
               EXIT_REASON_ENTRY_FAILURE | EXIT_REASON_INVALID_GUEST_STATE,
               "VM-entry failure: exit reason = bit 31 | 33 (invalid guest state)");
    systest_eq(vmcs_read(VMCS_EXIT_QUALIFICATION), 0, "VM-entry failure: exit qualification 0");
    check_fail_valid(vmx_run(&regs, true), VMERR_VMRESUME_NONLAUNCHED,
                     "VMRESUME after the failed VMLAUNCH (VMCS still clear)");
}

void check_entry_failures(void) {
    uint64_t pin = vmcs_read(VMCS_PIN_BASED_CONTROLS);
    uint64_t bad = forbidden_controls((uint32_t)pin, vmx_control_capability(VMX_PIN));
    check_fail_valid(launch_with(VMCS_PIN_BASED_CONTROLS, bad), VMERR_ENTRY_INVALID_CONTROL,
                     "VMLAUNCH with a pin-based control the capability MSR forbids");
    check_fail_valid(launch_with(VMCS_HOST_CR4, read_cr4() & ~CR4_VMXE),
                     VMERR_ENTRY_INVALID_HOST_STATE,
                     "VMLAUNCH with HOST_CR4.VMXE = 0 (IA32_VMX_CR4_FIXED0)");
    check_fail_valid(launch_with(VMCS_HOST_RIP, 0x8000000000000000ull),
                     VMERR_ENTRY_INVALID_HOST_STATE, "VMLAUNCH with a non-canonical HOST_RIP");
    check_guest_state_failure();
}
