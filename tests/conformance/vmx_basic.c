/*
 * vmx-basic: a small hypervisor that checks the basic VMX rules of the
 * Intel SDM Vol. 3C, written from the SDM alone.  Every control setting is
 * derived from the capability MSRs (Appendix A, 31.5.1).
 *
 * vmx_basic.c        discovery and entering VMX operation:
 *   23.6 "Discovering Support for VMX": CPUID.1:ECX.VMX[bit 5].
 *   23.7 "Enabling and Entering VMX Operation": VMXON with CR4.VMXE = 0 is
 *     #UD; IA32_FEATURE_CONTROL lock (bit 0) and VMXON outside SMX (bit 2);
 *     WRMSR to the locked MSR is #GP(0) and changes nothing.
 *   23.8 "Restrictions on VMX Operation", A.7, A.8: CR0/CR4 fixed bits.
 *   30.3 "VMXON": VMfailInvalid for a pointer that is not 4-KByte aligned,
 *     that sets bits beyond the physical-address width, or whose region
 *     has a wrong revision identifier (A.1); then VMsucceed.
 * vmx_basic_instr.c  VMX instructions in VMX root operation (30.3 per
 *   instruction, 30.4 error numbers, 24.11.2 field widths), and at CPL 3.
 * vmx_basic_entry.c  the VMCS of a 64-bit guest and VM entries that fail:
 *   26.2.1.1 (control), 26.2.2 and 26.2.4 (host state), 26.3.1.4 and 26.7
 *   (guest state).
 * vmx_basic_exits.c  the guest's VM exits (25.1, 25.3, 27.2, Appendix C),
 *   VMLAUNCH of a launched VMCS, VMXOFF.
 */
#include "vmx_basic.h"

#include "guest/guest.h"
#include "lib/desc.h"
#include "lib/systest.h"

#define NO_FAULT 0xffu
#define PAGE 4096

uint8_t vmxon_region[PAGE] __attribute__((aligned(PAGE)));
uint8_t vmcs_region[PAGE] __attribute__((aligned(PAGE)));
uint8_t bad_revision_region[PAGE] __attribute__((aligned(PAGE)));

static Catch *armed[4];
static unsigned armed_count;

void catch_arm(Catch *c) {
    c->seen = false;
    if (armed_count < sizeof(armed) / sizeof(armed[0])) armed[armed_count++] = c;
}

void catch_disarm(void) {
    armed_count = 0;
}

static bool user_return(TrapFrame *f) {
    if (f->vector != 0x80) return false;
    f->rip = (uint64_t)kernel_resume; /* IRETQ to CPL 0, as syscall.c does */
    f->cs = SEL_KCODE64;
    f->ss = SEL_KDATA;
    f->rsp = kernel_resume_rsp;
    f->rflags = 0x2;
    return true;
}

void systest_trap(TrapFrame *f) {
    for (unsigned i = 0; i < armed_count; i++) {
        Catch *c = armed[i];
        if (c->seen || f->rip != (uint64_t)c->insn) continue;
        c->seen = true;
        c->vector = f->vector;
        c->error = f->error;
        f->rip = (uint64_t)c->next;
        return;
    }
    if (user_return(f)) return;
    guest_printf("FAIL - unexpected exception %llu, error 0x%llx at rip 0x%llx\n",
                 (unsigned long long)f->vector, (unsigned long long)f->error,
                 (unsigned long long)f->rip);
    guest_exit(3);
}

static const char *vector_name(unsigned vector) {
    return vector == EXC_UD ? "#UD" : vector == EXC_GP ? "#GP" : "exception";
}

void check_catch(const Catch *c, const char *what, unsigned vector) {
    systest_eq(c->seen ? c->vector : NO_FAULT, vector, "%s: %s", what, vector_name(vector));
    if (vector == EXC_GP) systest_eq(c->error, 0, "%s: error code 0", what);
}

void check_succeed(VmxResult r, const char *what) {
    systest_eq(r, VMX_SUCCEED, "%s: VMsucceed", what);
}

void check_fail_invalid(VmxResult r, const char *what) {
    systest_eq(r, VMX_FAIL_INVALID, "%s: VMfailInvalid (CF = 1)", what);
}

void check_fail_valid(VmxResult r, uint32_t error, const char *what) {
    systest_eq(r, VMX_FAIL_VALID, "%s: VMfailValid (ZF = 1)", what);
    systest_eq(vmcs_read(VMCS_VM_INSTRUCTION_ERROR), error, "%s: VM-instruction error %u", what,
               error);
}

uint64_t vmcs_read(uint32_t field) {
    uint64_t v = 0;
    return vmx_vmread(field, &v) == VMX_SUCCEED ? v : 0;
}

unsigned vmx_address_width(void) {
    if (rdmsr(MSR_IA32_VMX_BASIC) & (1ull << 48)) return 32;
    return cpuid(0x80000008u, 0).eax & 0xff; /* Vol. 2 CPUID: MAXPHYADDR */
}

/* 23.7: lock IA32_FEATURE_CONTROL with VMXON outside SMX enabled (as a
 * BIOS would) if nobody did; WRMSR to the locked MSR is #GP(0). */
static void check_feature_control(void) {
    uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
    systest_note("IA32_FEATURE_CONTROL: set lock and VMXON outside SMX if unlocked (SDM 23.7)");
    if (!(fc & FEATURE_CONTROL_LOCK))
        wrmsr(MSR_IA32_FEATURE_CONTROL,
              fc | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
    fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
    uint64_t need = FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX;
    systest_eq(fc & need, need, "IA32_FEATURE_CONTROL: lock (bit 0) and VMXON outside SMX (bit 2)");
    Catch c = {probe_wrmsr_insn, probe_wrmsr_next, false, 0, 0};
    catch_arm(&c);
    probe_wrmsr(MSR_IA32_FEATURE_CONTROL, fc & ~FEATURE_CONTROL_VMX_OUTSIDE_SMX);
    catch_disarm();
    check_catch(&c, "WRMSR to IA32_FEATURE_CONTROL with the lock bit set", EXC_GP);
    systest_eq(rdmsr(MSR_IA32_FEATURE_CONTROL), fc,
               "IA32_FEATURE_CONTROL unchanged by the faulting WRMSR");
}

/* 23.8, A.7, A.8: every FIXED0 bit set, no bit outside FIXED1. */
static void check_fixed_cr(const char *name, uint64_t value, uint32_t fixed0_msr) {
    uint64_t fixed0 = rdmsr(fixed0_msr), fixed1 = rdmsr(fixed0_msr + 1);
    systest_eq(value & fixed0, fixed0, "%s has every bit of IA32_VMX_%s_FIXED0 set", name, name);
    systest_eq(value & ~fixed1, 0, "%s has no bit outside IA32_VMX_%s_FIXED1", name, name);
}

/* 30.3 VMXON: the pointer and the region are checked before VMX operation
 * is entered; with no current VMCS a failure is VMfailInvalid. */
static bool enter_vmx_operation(void) {
    uint64_t basic = rdmsr(MSR_IA32_VMX_BASIC);
    vmx_region_init(vmxon_region);
    *(volatile uint32_t *)bad_revision_region = (VMX_BASIC_REVISION(basic) + 1) & 0x7fffffffu;
    check_fail_invalid(vmx_vmxon((uint64_t)vmxon_region + 8),
                       "VMXON with a pointer not 4-KByte aligned");
    check_fail_invalid(vmx_vmxon((uint64_t)vmxon_region | 1ull << vmx_address_width()),
                       "VMXON with a pointer beyond the physical-address width");
    check_fail_invalid(vmx_vmxon((uint64_t)bad_revision_region),
                       "VMXON of a region with a wrong VMCS revision identifier");
    VmxResult r = vmx_vmxon((uint64_t)vmxon_region);
    check_succeed(r, "VMXON");
    return r == VMX_SUCCEED;
}

static bool enable_vmx(void) {
    bool vmx = cpuid(1, 0).ecx & CPUID_1_ECX_VMX;
    systest_true(vmx, "CPUID.1:ECX.VMX[bit 5] = 1");
    if (!vmx) return false;
    write_cr4(read_cr4() & ~CR4_VMXE);
    Catch c = {probe_vmxon_insn, probe_vmxon_next, false, 0, 0};
    catch_arm(&c);
    probe_vmxon((uint64_t)vmxon_region);
    catch_disarm();
    check_catch(&c, "VMXON with CR4.VMXE = 0", EXC_UD);
    check_feature_control();
    vmx_enable_cr();
    systest_true(read_cr4() & CR4_VMXE, "CR4.VMXE = 1 after MOV to CR4");
    check_fixed_cr("CR0", read_cr0(), MSR_IA32_VMX_CR0_FIXED0);
    check_fixed_cr("CR4", read_cr4(), MSR_IA32_VMX_CR4_FIXED0);
    return enter_vmx_operation();
}

/* The direct-boot page tables are supervisor-only: the CPL 3 task needs
 * U/S on the way to the first 2 MiB (image and stacks), as in syscall.c. */
static void allow_user_access(void) {
    uint64_t *pml4 = (uint64_t *)(read_cr3() & ~0xfffull);
    uint64_t *pdpt = (uint64_t *)(pml4[0] & 0xffffffffff000ull);
    uint64_t *pd = (uint64_t *)(pdpt[0] & 0xffffffffff000ull);
    pml4[0] |= PTE_U;
    pdpt[0] |= PTE_U;
    pd[0] |= PTE_U;
    write_cr3(read_cr3());
}

static uint8_t rsp0_stack[16384] __attribute__((aligned(16)));

static void setup_system(void) {
    systest_load_gdt_tss();
    systest_tss.rsp[0] = (uint64_t)rsp0_stack + sizeof(rsp0_stack);
    for (unsigned v = 0; v < 32; v++)
        systest_set_gate(v, GATE_INT, 0, 0, true);
    systest_set_gate(0x80, GATE_TRAP, 3, 0, true);
    systest_load_idt();
    allow_user_access();
}

int guest_main(const VmxsimBootInfo *info) {
    (void)info;
    systest_init();
    setup_system();
    if (!enable_vmx()) return systest_finish();
    check_instructions();
    check_cpl3();
    if (setup_vmcs()) {
        check_entry_failures();
        run_guest();
    }
    return systest_finish();
}
