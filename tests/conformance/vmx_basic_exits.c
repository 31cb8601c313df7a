/*
 * vmx-basic: the guest's run.  The host expects one VM exit per table
 * entry, in order, then GUEST_VMCALL_LOOPS VMCALL exits, then the last
 * VMCALL; after it VMLAUNCH of the launched VMCS and VMXOFF.
 *
 * SDM rules checked:
 *   Appendix C "VMX Basic Exit Reasons"; 25.1.2 "Instructions That Cause VM
 *     Exits Unconditionally" (CPUID, VMCALL); 25.1.3 "Instructions That Cause
 *     VM Exits Conditionally" (HLT; IN/OUT with I/O bitmaps, including an
 *     access straddling bitmaps A and B and one wrapping past FFFFH; RDMSR
 *     and WRMSR with MSR bitmaps and outside their ranges; MOV to CR0 with
 *     the CR0 guest/host mask; MOV to CR3 with CR3-load exiting and CR3-target
 *     values); 25.2 exceptions and the exception bitmap.
 *   25.1.1 "Relative Priority of Faults and VM Exits": LOCK CPUID is #UD,
 *     not a CPUID exit; RDMSR of a non-existent MSR exits instead of #GP.
 *   25.3 "Changes to Instruction Behavior in VMX Non-Root Operation": MOV
 *     from CR0 returns the read shadow for host-owned bits; MOV to CR0 does
 *     not change them.
 *   27.2.1 Table 27-3 (control-register accesses) and Table 27-5 (I/O
 *     instructions) exit qualifications; 27.2.2 interruption information;
 *     27.2.3 IDT-vectoring information not valid; 27.2.4 instruction length
 *     (defined for instruction exits and software exceptions).
 *   27.3.3 "Saving RIP": the instruction (fault-like exits, INT3);
 *     27.3.1: guest IA32_SYSENTER_ESP saved; 27.3.4: activity state;
 *     27.5.1: host CR3 and IA32_SYSENTER_ESP loaded from the host-state area.
 *   30.3 VMLAUNCH: VMfailValid(4) for a launched VMCS; VMXOFF; VMREAD outside
 *     VMX operation is #UD; 23.7: CR4.VMXE can be cleared after VMXOFF.
 */
#include "vmx_basic.h"

#include "guest/guest.h"
#include "lib/desc.h"
#include "lib/systest.h"

typedef struct Exit {
    const char *what;
    uint32_t reason;
    const char *rip;
    uint64_t length;     /* of the instruction (SDM Vol. 2 encodings) */
    bool length_defined; /* 27.2.4 defines the VM-exit instruction length */
    bool has_qualification;
    uint64_t qualification;
    uint32_t interruption; /* VM-exit interruption information, 0: none */
    void (*action)(VmxGuestRegs *r);
} Exit;

static uint64_t host_sysenter_esp;

static void check_hlt(VmxGuestRegs *r) {
    (void)r;
    systest_eq(vmcs_read(VMCS_GUEST_ACTIVITY_STATE), 0, "HLT exit: activity state saved as active");
}

static void emulate_in(VmxGuestRegs *r) {
    r->rax = IN_EMULATED;
}

static void check_io_done(VmxGuestRegs *r) {
    systest_eq(r->r12, IN_EMULATED, "the guest's IN returned the host's emulated value");
}

static void emulate_rdmsr(VmxGuestRegs *r) {
    systest_eq(r->rcx, MSR_READ_EXIT, "RDMSR exit: guest RCX = 0x%x", MSR_READ_EXIT);
    r->rax = RDMSR_EMULATED;
    r->rdx = 0;
}

static void check_wrmsr(VmxGuestRegs *r) {
    systest_true(r->rcx == MSR_WRITE_EXIT && (uint32_t)r->rax == WRMSR_EXIT_EAX &&
                     (uint32_t)r->rdx == WRMSR_EXIT_EDX,
                 "WRMSR exit: guest ECX, EAX, EDX hold the MSR and the value");
}

static void check_msr_done(VmxGuestRegs *r) {
    systest_eq(r->r14, RDMSR_EMULATED, "the guest's RDMSR returned the host's emulated value");
    systest_eq((uint64_t)(uint32_t)r->rdx << 32 | (uint32_t)r->rax, SYSENTER_ESP_VALUE,
               "RDMSR of IA32_SYSENTER_ESP (bitmap bits clear): the guest's WRMSR value");
    systest_eq(vmcs_read(VMCS_GUEST_IA32_SYSENTER_ESP), SYSENTER_ESP_VALUE,
               "VM exit saved the guest's IA32_SYSENTER_ESP");
    systest_eq(rdmsr(MSR_PASS), host_sysenter_esp,
               "VM exit loaded IA32_SYSENTER_ESP from the host-state area");
}

static void check_cr_done(VmxGuestRegs *r) {
    uint64_t cr0 = vmcs_read(VMCS_GUEST_CR0);
    systest_eq(r->r8 & CR0_TS, CR0_TS, "MOV from CR0: host-owned TS from the read shadow (1)");
    systest_eq(r->r8 & ~CR0_TS, cr0 & ~CR0_TS, "MOV from CR0: guest-owned bits from CR0");
    systest_eq(cr0 & CR0_TS, 0, "MOV to CR0 matching the read shadow: no exit, TS still 0");
    systest_eq(vmcs_read(VMCS_GUEST_CR3), guest_alt_cr3,
               "MOV to CR3 of CR3-target value 0: no exit, CR3 loaded");
    systest_eq(read_cr3(), guest_cr3, "VM exit loaded CR3 from HOST_CR3");
}

static void emulate_mov_cr3(VmxGuestRegs *r) {
    vmx_vmwrite(VMCS_GUEST_CR3, r->rax);
}

#define HW_EXCEPTION(v) (INTR_INFO_VALID | INTR_TYPE_HARDWARE_EXCEPTION | (v))
#define SW_EXCEPTION(v) (INTR_INFO_VALID | INTR_TYPE_SOFTWARE_EXCEPTION | (v))
#define GPR_RAX 0
#define GPR_RBX 3
#define MOV_TO_CR(cr, gpr) CR_QUAL(cr, CR_ACCESS_MOV_TO_CR, gpr)

/* An instruction exit without / with an exit qualification; an exception. */
#define INSN(what, reason, rip, len, action)                                                       \
    { what, reason, rip, len, true, false, 0, 0, action }
#define INSN_Q(what, reason, rip, len, qual, action)                                               \
    { what, reason, rip, len, true, true, qual, 0, action }
#define EXCEPTION(what, rip, len, len_defined, info)                                               \
    { what, EXIT_REASON_EXCEPTION_NMI, rip, len, len_defined, false, 0, info, NULL }

static const Exit exits[] = {
    INSN("CPUID", EXIT_REASON_CPUID, gx_cpuid, 2, NULL),
    INSN("HLT", EXIT_REASON_HLT, gx_hlt, 1, check_hlt),
    INSN_Q("OUT imm8 to port 80H (bit set)", EXIT_REASON_IO_INSTRUCTION, gx_out_imm, 2,
           IO_QUAL(1, 0, 1, PORT_IMM), NULL),
    INSN_Q("OUT DX, AX to port 1234H (bit set)", EXIT_REASON_IO_INSTRUCTION, gx_out_word, 2,
           IO_QUAL(2, 0, 0, PORT_WORD), NULL),
    INSN_Q("IN EAX, DX from port 9000H (bitmap B)", EXIT_REASON_IO_INSTRUCTION, gx_in_dword, 1,
           IO_QUAL(4, 1, 0, PORT_IN), emulate_in),
    INSN_Q("OUT DX, AX to port 7FFFH (touches 8000H, bit set)", EXIT_REASON_IO_INSTRUCTION,
           gx_out_straddle, 2, IO_QUAL(2, 0, 0, PORT_STRADDLE), NULL),
    INSN_Q("OUT DX, AX to port FFFFH (wraps to 0000H)", EXIT_REASON_IO_INSTRUCTION, gx_out_wrap, 2,
           IO_QUAL(2, 0, 0, 0xffff), NULL),
    INSN("VMCALL after IN/OUT to COM1 (bits clear)", EXIT_REASON_VMCALL, gx_io_done, 3,
         check_io_done),
    INSN("RDMSR 174H (read bit set)", EXIT_REASON_RDMSR, gx_rdmsr, 2, emulate_rdmsr),
    INSN("WRMSR C0000103H (high write bit set)", EXIT_REASON_WRMSR, gx_wrmsr, 2, check_wrmsr),
    INSN("RDMSR 40000000H (outside the bitmap ranges, no such MSR)", EXIT_REASON_RDMSR,
         gx_rdmsr_outside, 2, NULL),
    INSN("VMCALL after WRMSR/RDMSR 175H (bits clear)", EXIT_REASON_VMCALL, gx_msr_done, 3,
         check_msr_done),
    INSN_Q("MOV CR0, RBX with TS != read shadow", EXIT_REASON_CR_ACCESS, gx_mov_cr0, 3,
           MOV_TO_CR(0, GPR_RBX), NULL),
    INSN_Q("MOV CR3, RAX (not a CR3-target value)", EXIT_REASON_CR_ACCESS, gx_mov_cr3, 3,
           MOV_TO_CR(3, GPR_RAX), emulate_mov_cr3),
    INSN("VMCALL after MOV from CR0 and MOV to CR0/CR3", EXIT_REASON_VMCALL, gx_cr_done, 3,
         check_cr_done),
    INSN_Q("MOV CR3, RAX back", EXIT_REASON_CR_ACCESS, gx_mov_cr3_back, 3, MOV_TO_CR(3, GPR_RAX),
           emulate_mov_cr3),
    EXCEPTION("UD2 (#UD in the exception bitmap)", gx_ud2, 2, false, HW_EXCEPTION(EXC_UD)),
    EXCEPTION("INT3 (#BP in the exception bitmap)", gx_int3, 1, true, SW_EXCEPTION(EXC_BP)),
    EXCEPTION("LOCK CPUID (#UD before the CPUID exit)", gx_lock_cpuid, 3, false,
              HW_EXCEPTION(EXC_UD)),
};

static unsigned resume_failures;

/* VMLAUNCH the first time, then VMRESUME; false if the instruction failed. */
static bool enter(VmxGuestRegs *r, bool *launched) {
    VmxResult res = vmx_run(r, *launched);
    if (!*launched) {
        systest_eq(res, VMX_SUCCEED, "VMLAUNCH of the guest: VM entry, back through a VM exit");
        systest_eq(vmcs_read(VMCS_EXIT_REASON) & EXIT_REASON_ENTRY_FAILURE, 0,
                   "VMLAUNCH of the guest: not a VM-entry failure");
    } else if (res != VMX_SUCCEED) {
        resume_failures++;
    }
    *launched = true;
    return res == VMX_SUCCEED;
}

static void check_event_fields(const Exit *e) {
    systest_eq(vmcs_read(VMCS_EXIT_INTERRUPTION_INFO), e->interruption,
               "%s: interruption information 0x%x", e->what, e->interruption);
    systest_eq(vmcs_read(VMCS_IDT_VECTORING_INFO) & INTR_INFO_VALID, 0,
               "%s: IDT-vectoring information not valid", e->what);
}

/* The checks of one exit; false (stop the run) if it was not the expected one. */
static bool handle_exit(const Exit *e, VmxGuestRegs *r) {
    uint64_t reason = vmcs_read(VMCS_EXIT_REASON), rip = vmcs_read(VMCS_GUEST_RIP);
    uint64_t length = vmcs_read(VMCS_EXIT_INSTRUCTION_LENGTH);
    systest_eq(reason, e->reason, "%s: exit reason %u", e->what, e->reason);
    systest_eq(rip, (uint64_t)e->rip, "%s: GUEST_RIP = the instruction", e->what);
    if (reason != e->reason || rip != (uint64_t)e->rip) return false;
    if (e->length_defined)
        systest_eq(length, e->length, "%s: VM-exit instruction length %llu", e->what,
                   (unsigned long long)e->length);
    if (e->has_qualification)
        systest_eq(vmcs_read(VMCS_EXIT_QUALIFICATION), e->qualification,
                   "%s: exit qualification 0x%llx", e->what, (unsigned long long)e->qualification);
    if (e->interruption) check_event_fields(e);
    if (e->action) e->action(r);
    /* The host skips the instruction: by the VM-exit instruction length
     * where 27.2.4 defines it, else by the length it knows. */
    vmx_vmwrite(VMCS_GUEST_RIP, rip + (e->length_defined ? length : e->length));
    return true;
}

/* GUEST_VMCALL_LOOPS VMCALL exits at gx_loop, each skipped by its length. */
static bool run_vmcall_loop(VmxGuestRegs *r, bool *launched) {
    unsigned seen = 0, good_length = 0;
    for (unsigned i = 0; i < GUEST_VMCALL_LOOPS; i++) {
        if (!enter(r, launched)) break;
        uint64_t reason = vmcs_read(VMCS_EXIT_REASON), rip = vmcs_read(VMCS_GUEST_RIP);
        uint64_t length = vmcs_read(VMCS_EXIT_INSTRUCTION_LENGTH);
        if (reason != EXIT_REASON_VMCALL || rip != (uint64_t)gx_loop) break;
        seen++;
        good_length += length == 3;
        vmx_vmwrite(VMCS_GUEST_RIP, rip + length);
    }
    systest_eq(seen, GUEST_VMCALL_LOOPS, "VMCALL loop: %u exits with reason 18 at the VMCALL",
               GUEST_VMCALL_LOOPS);
    systest_eq(good_length, GUEST_VMCALL_LOOPS, "VMCALL loop: each with instruction length 3");
    return seen == GUEST_VMCALL_LOOPS;
}

static void check_last_vmcall(VmxGuestRegs *r, bool *launched) {
    bool entered = enter(r, launched);
    systest_eq(entered ? vmcs_read(VMCS_EXIT_REASON) : ~0ull, EXIT_REASON_VMCALL,
               "last VMCALL: exit reason 18");
    systest_eq(vmcs_read(VMCS_GUEST_RIP), (uint64_t)gx_done, "last VMCALL: GUEST_RIP");
    systest_eq(r->rax, GUEST_DONE, "last VMCALL: guest RAX = 0x%x", GUEST_DONE);
    systest_eq(resume_failures, 0, "every VMRESUME entered the guest");
}

/* 30.3 VMLAUNCH, VMXOFF, VMREAD; 23.7. */
static void leave_vmx(VmxGuestRegs *r) {
    check_fail_valid(vmx_run(r, false), VMERR_VMLAUNCH_NONCLEAR, "VMLAUNCH of the launched VMCS");
    check_succeed(vmx_vmxoff(), "VMXOFF");
    Catch c = {probe_vmread_insn, probe_vmread_next, false, 0, 0};
    catch_arm(&c);
    probe_vmread();
    catch_disarm();
    check_catch(&c, "VMREAD after VMXOFF", EXC_UD);
    write_cr4(read_cr4() & ~CR4_VMXE);
    systest_eq(read_cr4() & CR4_VMXE, 0, "CR4.VMXE cleared after VMXOFF");
}

void run_guest(void) {
    static VmxGuestRegs regs;
    bool launched = false;
    host_sysenter_esp = rdmsr(MSR_PASS);
    systest_note("guest: %u VM exits, then %u VMCALLs, then the last VMCALL",
                 (unsigned)(sizeof(exits) / sizeof(exits[0])), GUEST_VMCALL_LOOPS);
    for (unsigned i = 0; i < sizeof(exits) / sizeof(exits[0]); i++)
        if (!enter(&regs, &launched) || !handle_exit(&exits[i], &regs)) return;
    if (!run_vmcall_loop(&regs, &launched)) return;
    check_last_vmcall(&regs, &launched);
    leave_vmx(&regs);
}
