/*
 * vmx-toolkit: the guest hypervisor toolkit of guests/lib (guest/vmx.h,
 * guest/vmx_guest.h, guest/vmx_dispatch.h; docs/hypervisor-toolkit.md)
 * checked under vmxsim, each helper against the SDM rule it implements:
 *   23.6, 23.7, 24.11.3: vmx_on, vmx_vmcs_init (VMPTRST names the VMCS);
 *   A.3-A.5, 31.5.1: vmx_controls_allowed, vmx_controls_adjust;
 *   30.2, 30.4, 24.11.2: vmx_read/vmx_write call the fail handler on
 *     VMfailValid(12) for a natural-width field with access type "high";
 *   Appendix C Table C-1, 30.4 Table 30-1: the name tables;
 *   24.6.4, 24.6.9: I/O and MSR bitmap bits (wrap past FFFFH; MSR ranges);
 *   Vol. 3A 5.3, 5.5: the 32-bit and 4-level identity maps;
 *   26.3.1, 26.3.1.2: a 32-bit protected-mode guest (vmx_guest_state_32)
 *     enters and runs 32-bit code: CPUID, OUT imm8, VMCALL exits through
 *     vmx_dispatch_run, with the I/O qualification of 27.2.1 Table 27-5;
 *   30.3: the dispatch ends with VMfailValid(4) for VMLAUNCH of a launched
 *     VMCS; 26.3.1.4, 26.7: with a VM-entry failure (RFLAGS bit 1 clear);
 *   a 64-bit guest on its own page tables (vmx_guest_state_64) whose HLT
 *     has no handler ends the dispatch with exit reason 12.
 */
#include "vmx_toolkit.h"

#include "guest/guest.h"
#include "guest/vmx_dispatch.h"
#include "guest/vmx_guest.h"
#include "lib/systest.h"

#define PAGE 4096
#define MIB (1ull << 20)
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define FIELD_HIGH_OF_NATURAL (VMCS_GUEST_CR0 | 1u) /* 24.11.2: access type 1 */

extern char __image_end[];
static uint8_t vmxon_region[PAGE] __attribute__((aligned(PAGE)));
static uint8_t vmcs_region[PAGE] __attribute__((aligned(PAGE)));
static VmxIoBitmaps io_bitmaps;
static VmxMsrBitmap msr_bitmap;
static VmxPageDirectory32 page_dir;
static VmxPageTables64 page_tables;
static VmxGuestTables guest_tables;
static uint8_t guest_stack[8192] __attribute__((aligned(16)));

static bool check_enter(void) {
    uint64_t current = 0;
    systest_eq(vmx_on(vmxon_region), VMX_ON_OK, "vmx_on: VMX operation entered");
    systest_eq(vmx_vmcs_init(vmcs_region), VMX_SUCCEED, "vmx_vmcs_init: VMCLEAR, VMPTRLD");
    vmx_vmptrst(&current);
    systest_eq(current, (uint64_t)vmcs_region, "VMPTRST: the region is the current VMCS");
    return current == (uint64_t)vmcs_region;
}

/* The lowest pin-based control IA32_VMX_TRUE_PINBASED_CTLS does not allow. */
static uint32_t forbidden_pin_control(void) {
    uint32_t must_be_0 = ~(uint32_t)(vmx_control_capability(VMX_PIN) >> 32);
    return must_be_0 & -must_be_0;
}

static void check_controls(void) {
    uint32_t bad = forbidden_pin_control(),
             proc_must_be_1 = (uint32_t)vmx_control_capability(VMX_PROC);
    VmxControlSet want = {.pin = bad, .proc = PROC_HLT_EXITING}, got, missing;
    systest_true(vmx_controls_allowed(VMX_PROC, PROC_HLT_EXITING),
                 "vmx_controls_allowed: HLT exiting may be 1");
    systest_true(!vmx_controls_allowed(VMX_PIN, bad),
                 "vmx_controls_allowed: a pin-based control whose allowed-1 bit is 0");
    systest_true(!vmx_controls_adjust(&want, &got, &missing),
                 "vmx_controls_adjust: false when a wanted control cannot be 1");
    systest_eq(missing.pin, bad, "vmx_controls_adjust: names the missing pin-based control");
    systest_eq(got.pin & bad, 0, "vmx_controls_adjust: the forbidden control is 0");
    systest_eq(got.proc & (PROC_HLT_EXITING | proc_must_be_1), PROC_HLT_EXITING | proc_must_be_1,
               "vmx_controls_adjust: wanted and allowed-0 (must be 1) controls are 1");
}

static struct {
    const char *what;
    uint64_t field;
    VmxResult r;
    unsigned calls;
} failed;

static void record_failure(const char *what, uint64_t field, VmxResult r) {
    failed.what = what;
    failed.field = field;
    failed.r = r;
    failed.calls++;
}

static void check_fail_handler(void) {
    char why[160];
    VmxFailHandler old = vmx_set_fail_handler(record_failure);
    vmx_write(FIELD_HIGH_OF_NATURAL, 1);
    systest_eq(failed.calls, 1, "vmx_write of an unsupported field calls the fail handler");
    systest_true(failed.r == VMX_FAIL_VALID && failed.field == FIELD_HIGH_OF_NATURAL &&
                     failed.what && strcmp(failed.what, "VMWRITE") == 0,
                 "fail handler: VMWRITE, the field, VMfailValid");
    vmx_describe_vmfail(failed.r, why, sizeof(why));
    systest_eq(strcmp(why, "VMfailValid, VM-instruction error 12 (VMREAD/VMWRITE from/to"
                           " unsupported VMCS component)"),
               0, "vmx_describe_vmfail: error 12 and its SDM description");
    systest_eq(vmx_read(FIELD_HIGH_OF_NATURAL), 0, "vmx_read of an unsupported field returns 0");
    systest_eq(failed.calls, 2, "vmx_read of an unsupported field calls the fail handler");
    systest_true(vmx_set_fail_handler(old) == record_failure,
                 "vmx_set_fail_handler returns the handler it replaces");
}

static void check_names(void) {
    systest_eq(strcmp(vmx_exit_reason_name(30), "I/O instruction"), 0,
               "vmx_exit_reason_name(30) = \"I/O instruction\"");
    systest_eq(strcmp(vmx_exit_reason_name(35), "unknown"), 0,
               "vmx_exit_reason_name(35) = \"unknown\" (not used in Table C-1)");
    systest_eq(strcmp(vmx_insn_error_name(8), "VM entry with invalid host-state field(s)"), 0,
               "vmx_insn_error_name(8)");
}

static void check_bitmaps(void) {
    vmx_io_intercept(&io_bitmaps, 0xffff, 2);
    systest_eq(io_bitmaps.b[0xfff], 0x80, "I/O ports FFFFH-0000H: bit 7FFFH of bitmap B");
    systest_eq(io_bitmaps.a[0], 0x01, "I/O ports FFFFH-0000H: bit 0 of bitmap A (wrapped)");
    vmx_io_intercept(&io_bitmaps, TK_PORT, 1);
    systest_eq(io_bitmaps.a[TK_PORT / 8], 0x01, "I/O port 80H: bit 80H of bitmap A");
    systest_true(!vmx_msr_intercept(&msr_bitmap, 0x40000000, true, true),
                 "MSR 40000000H: in neither bitmap range");
    vmx_msr_intercept(&msr_bitmap, 0xC0000080, true, false);
    systest_true(msr_bitmap.read_high[0x10] == 1 && msr_bitmap.write_high[0x10] == 0,
                 "MSR C0000080H read: bit 80H of the high read bitmap only");
    vmx_msr_intercept(&msr_bitmap, 0x10, false, true);
    systest_true(msr_bitmap.write_low[2] == 1 && msr_bitmap.read_low[2] == 0,
                 "MSR 10H write: bit 10H of the low write bitmap only");
}

static void check_page_tables(void) {
    uint64_t cr3 = vmx_page_directory_32(&page_dir, 5 * MIB);
    systest_eq(cr3, (uint64_t)page_dir.pde, "vmx_page_directory_32: CR3 = the directory");
    systest_true(page_dir.pde[0] == 0x83 && page_dir.pde[1] == 0x400083 && page_dir.pde[2] == 0,
                 "5 MBytes: two 4-MByte PDEs (P, R/W, PS), then not present");
    cr3 = vmx_page_tables_64(&page_tables, 3 * MIB);
    systest_eq(cr3, (uint64_t)page_tables.pml4, "vmx_page_tables_64: CR3 = the PML4");
    systest_true(page_tables.pml4[0] == ((uint64_t)page_tables.pdpt | 3) &&
                     page_tables.pdpt[0] == ((uint64_t)page_tables.pd[0] | 3) &&
                     page_tables.pdpt[1] == 0 && page_tables.pd[0][1] == 0x200083 &&
                     page_tables.pd[0][2] == 0,
                 "3 MBytes: PML4E -> PDPTE -> two 2-MByte PDEs, then not present");
    vmx_page_tables_64(&page_tables, 4ull << 30);
    systest_true(page_tables.pdpt[3] == ((uint64_t)page_tables.pd[3] | 3) &&
                     page_tables.pd[3][511] == (0xFFE00000ull | 0x83) && page_tables.pdpt[4] == 0,
                 "4 GBytes: four PDPTEs, the last PDE maps FFE00000H");
}

/* ---- Guests through the dispatch loop ---- */

static struct { uint64_t io_qualification, rax, rbx, cr4; } seen;

static VmxAction on_cpuid(VmxExit *e) {
    e->regs->rax = e->regs->rbx = e->regs->rcx = e->regs->rdx = 0;
    vmx_exit_skip_instruction(e);
    return VMX_ACTION_RESUME;
}

static VmxAction on_io(VmxExit *e) {
    seen.io_qualification = e->qualification;
    vmx_exit_skip_instruction(e);
    return VMX_ACTION_RESUME;
}

static VmxAction on_vmcall(VmxExit *e) {
    seen.rax = e->regs->rax;
    seen.rbx = e->regs->rbx;
    seen.cr4 = e->regs->rcx;
    return VMX_ACTION_STOP;
}

static bool setup_vmcs(uint32_t entry, const VmxGuestSpec *g, bool guest64) {
    const VmxControlSet want = {0, PROC_HLT_EXITING | PROC_USE_IO_BITMAPS,
                                EXIT_HOST_ADDRESS_SPACE_SIZE, entry};
    VmxControlSet c;
    vmx_controls_adjust(&want, &c, NULL);
    return vmx_write_controls(&c) == VMX_SUCCEED &&
           vmx_vmwrite(VMCS_IO_BITMAP_A, (uint64_t)io_bitmaps.a) == VMX_SUCCEED &&
           vmx_vmwrite(VMCS_IO_BITMAP_B, (uint64_t)io_bitmaps.b) == VMX_SUCCEED &&
           vmx_write_host_state() == VMX_SUCCEED &&
           (guest64 ? vmx_guest_state_64(g) : vmx_guest_state_32(g)) == VMX_SUCCEED;
}

static void check_guest32(VmxDispatch *d, VmxGuestRegs *regs) {
    VmxGuestSpec g = {(uint64_t)tk_guest32, (uint64_t)guest_stack + sizeof(guest_stack),
                      vmx_page_directory_32(&page_dir, (uint64_t)__image_end), &guest_tables};
    systest_true(setup_vmcs(0, &g, false), "VMCS of a 32-bit guest: controls, host, guest state");
    d->handler[EXIT_REASON_CPUID] = on_cpuid;
    d->handler[EXIT_REASON_IO_INSTRUCTION] = on_io;
    d->handler[EXIT_REASON_VMCALL] = on_vmcall;
    systest_eq(vmx_dispatch_run(d, regs), VMX_RUN_STOPPED, "32-bit guest: stopped by its VMCALL");
    systest_true(d->exits == 3 && d->count[EXIT_REASON_CPUID] == 1 &&
                     d->count[EXIT_REASON_IO_INSTRUCTION] == 1 && d->count[EXIT_REASON_VMCALL] == 1,
                 "32-bit guest: 3 VM exits, one each of CPUID, I/O instruction, VMCALL");
    vmx_print_exit_counts(d, "# ");
    systest_eq(seen.io_qualification, IO_QUAL(1, 0, 1, TK_PORT),
               "OUT imm8, AL to port 80H: exit qualification (Table 27-5)");
    systest_eq(seen.rax, TK_DONE32, "32-bit guest: RAX at its VMCALL");
    systest_eq(seen.rbx, TK_MODE_BYTE_INC, "32-bit guest: byte 40H executed as INC EAX");
    systest_eq(seen.cr4 & (CR4_PSE | CR4_PAE), CR4_PSE, "32-bit guest: CR4.PSE = 1, CR4.PAE = 0");
    systest_eq(vmx_read(VMCS_GUEST_CS_AR), 0xC09B, "32-bit guest: CS access rights C09BH (D = 1)");
}

/* The dispatch loop's two failure ends (30.3 VMLAUNCH; 26.7). */
static void check_entry_ends(VmxDispatch *d, VmxGuestRegs *regs) {
    char why[160];
    d->launched = false;
    systest_eq(vmx_dispatch_run(d, regs), VMX_RUN_VMFAIL, "VMLAUNCH of the launched VMCS: VMfail");
    systest_eq(vmx_read(VMCS_VM_INSTRUCTION_ERROR), VMERR_VMLAUNCH_NONCLEAR,
               "VMLAUNCH of the launched VMCS: VM-instruction error 4");
    d->launched = true;
    vmx_write(VMCS_GUEST_RFLAGS, 0);
    systest_eq(vmx_dispatch_run(d, regs), VMX_RUN_ENTRY_FAILURE,
               "VMRESUME with RFLAGS bit 1 clear: VM-entry failure");
    vmx_describe_entry_failure(why, sizeof(why));
    systest_eq(strcmp(why, "VM-entry failure, exit reason 0x80000021 (VM-entry failure due to"
                           " invalid guest state), exit qualification 0"),
               0, "vmx_describe_entry_failure: exit reason 80000021H, qualification 0");
}

static void check_guest64(VmxGuestRegs *regs) {
    static VmxDispatch d = {.launched = true};
    uint64_t cr3 = vmx_page_tables_64(&page_tables, (uint64_t)__image_end);
    VmxGuestSpec g = {(uint64_t)tk_guest64, (uint64_t)guest_stack + sizeof(guest_stack), cr3,
                      &guest_tables};
    systest_true(setup_vmcs(ENTRY_IA32E_MODE_GUEST, &g, true),
                 "VMCS of a 64-bit guest: controls, host, guest state");
    systest_eq(vmx_dispatch_run(&d, regs), VMX_RUN_UNHANDLED, "64-bit guest: HLT has no handler");
    systest_true(d.exit_reason == EXIT_REASON_HLT && d.count[EXIT_REASON_HLT] == 1 && d.exits == 1,
                 "64-bit guest: one VM exit, reason 12 (HLT)");
    systest_eq(vmx_read(VMCS_GUEST_CR3), cr3, "64-bit guest: GUEST_CR3 = its own PML4");
    systest_eq(vmx_read(VMCS_GUEST_CS_AR), 0xA09B, "64-bit guest: CS access rights A09BH (L = 1)");
}

int guest_main(const VmxsimBootInfo *info) {
    (void)info;
    static VmxDispatch d;
    static VmxGuestRegs regs;
    systest_init();
    if (!check_enter()) return systest_finish();
    check_controls();
    check_fail_handler();
    check_names();
    check_bitmaps();
    check_page_tables();
    check_guest32(&d, &regs);
    check_entry_ends(&d, &regs);
    check_guest64(&regs);
    systest_eq(vmx_vmxoff(), VMX_SUCCEED, "VMXOFF");
    return systest_finish();
}
