/*
 * user-fault-recover: a 64-bit kernel with its own GDT, TSS, IDT and page
 * tables runs a CPL 3 task (user_fault_task.S) that faults again and again;
 * each handler checks what the CPU delivered, skips the instruction (or,
 * for a not-present page, maps it and restarts the instruction) and returns
 * to user mode.  The task comes back with INT 0x80; the kernel then
 * checks #NP error codes and a deliberate #DF on its IST stack.
 *
 * SDM Vol. 3A rules checked:
 *   6.12.1 / 6.14.2 "64-Bit Mode Stack Frame": the frame holds SS, RSP,
 *       RFLAGS, CS, RIP (and the error code); CS and SS carry the RPL of the
 *       interrupted code (3); a fault pushes the RIP of the faulting
 *       instruction, a trap (INT n) the RIP of the next one.
 *   6.14.4 / 8.7 "Task Management in 64-bit Mode": a privilege change loads
 *       RSP from TSS.RSP0; 6.14.5 "Interrupt Stack Table": a gate with IST = n
 *       switches to TSS.ISTn whatever the CPL; RSP is aligned to 16.
 *   6.12.1.3 "Flag Usage By Exception- or Interrupt-Handler Procedure": an
 *       interrupt gate clears IF, a trap gate leaves it.
 *   6.15 "Exception and Interrupt Reference": #DE (no error code), #UD,
 *       #GP(0) for HLT / MOV from CR0 / CLI at CPL 3 (Vol. 2 HLT, MOV CR,
 *       CLI), #GP(selector) for MOV DS of a DPL 0 segment at CPL 3 (Vol. 2
 *       MOV), #GP(vector*8+2) for INT n through a gate with DPL < CPL
 *       (6.12.1.1), #NP(vector*8+2+EXT) for a not-present gate (6.13 "Error
 *       Code": EXT = 1 while delivering an exception, 0 for INT n),
 *       #DF with error code 0.
 *   4.7 "Page-Fault Exceptions": error code P, W/R, U/S, I/D and CR2 = the
 *       linear address; 4.6 "Access Rights": user accesses to a supervisor
 *       page, user writes to a read-only page fault; user reads of a
 *       read-only user page do not; a user fetch from a supervisor page
 *       faults with I/D = 1 (IA32_EFER.NXE = 1).
 *   6.15 Table 6-5 "Conditions for Generating a Double Fault": #GP then
 *       #NP (both contributory) gives #DF; #UD (benign) then #NP is handled
 *       serially.
 */
#include "guest/guest.h"
#include "lib/desc.h"
#include "lib/systest.h"

#define STACK_SIZE 16384
#define SUPERVISOR_PAGE 0x401000u
#define MISSING_PAGE 0x402000u
#define READONLY_PAGE 0x403000u
#define PAGE_VALUE 0x1122334455667788ull
#define MISSING_VALUE 0x8877665544332211ull

/* user_fault_task.S */
void enter_user(uint64_t rip, uint64_t rsp);
void kfault_ud(void);
void kfault_int50(void);
void kfault_gp(void);
extern const char kernel_resume[], user_task[], ut_int80_next[];
extern const char ut_de[], ut_de_next[], ut_pf_read[], ut_pf_read_next[], ut_pf_write[],
    ut_pf_write_next[], ut_pf_np[], ut_pf_ro[], ut_pf_ro_next[], ut_pf_fetch_next[], ut_gp_hlt[],
    ut_gp_hlt_next[], ut_gp_cr[], ut_gp_cr_next[], ut_gp_cli[], ut_gp_cli_next[], ut_gp_sel[],
    ut_gp_sel_next[], ut_gp_int[], ut_gp_int_next[], ut_ud[], ut_ud_next[];
extern const char kfault_ud_insn[], kfault_ud_next[], kfault_int50_insn[], kfault_int50_next[],
    kfault_gp_insn[], kfault_gp_next[];
extern uint64_t kernel_resume_rsp, kfault_rsp, ut_ro_value, ut_np_value;

static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));
static uint64_t pt[512] __attribute__((aligned(4096)));
static uint8_t rsp0_stack[STACK_SIZE] __attribute__((aligned(16)));
static uint8_t ist1_stack[STACK_SIZE] __attribute__((aligned(16)));
static uint8_t user_stack[STACK_SIZE] __attribute__((aligned(16)));

#define TOP(stack) ((uint64_t)(stack) + STACK_SIZE)
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* One expected exception: what, where, and where to go on. */
typedef struct Expect {
    const char *what;
    unsigned vector;
    uint32_t error;
    uint64_t cr2; /* #PF only */
    const char *rip;
    const char *resume; /* NULL: return address on the interrupted stack (emulated RET) */
    bool user;          /* from CPL 3 (else CPL 0 on kfault_rsp) */
    enum { ON_SAME_STACK, ON_RSP0, ON_IST1 } stack; /* where the handler's frame must be */
    void (*fix)(void); /* run by the handler before it returns, or NULL */
} Expect;

#define USER(what, vec, err, cr2, at, next)                                                        \
    { what, vec, err, cr2, at, next, true, ON_RSP0, NULL }

/* The not-present fault is repaired, not skipped: the page is mapped and the
 * instruction restarts (6.15 "#PF": the saved RIP is the faulting
 * instruction; 4.10.2.3: not-present entries are not cached, so no INVLPG). */
static void map_missing_page(void);

static const Expect user_faults[] = {
    USER("#DE: DIV ECX with ECX = 0", EXC_DE, 0, 0, ut_de, ut_de_next),
    USER("#PF: user read of a supervisor page", EXC_PF, PFE_P | PFE_U, SUPERVISOR_PAGE, ut_pf_read,
         ut_pf_read_next),
    USER("#PF: user write to a supervisor page", EXC_PF, PFE_P | PFE_W | PFE_U, SUPERVISOR_PAGE,
         ut_pf_write, ut_pf_write_next),
    {"#PF: user read of a not-present page (mapped, restarted)", EXC_PF, PFE_U, MISSING_PAGE,
     ut_pf_np, ut_pf_np, true, ON_RSP0, map_missing_page},
    USER("#PF: user write to a read-only user page", EXC_PF, PFE_P | PFE_W | PFE_U, READONLY_PAGE,
         ut_pf_ro, ut_pf_ro_next),
    USER("#PF: user fetch from a supervisor page", EXC_PF, PFE_P | PFE_U | PFE_I, SUPERVISOR_PAGE,
         (const char *)SUPERVISOR_PAGE, NULL),
    USER("#GP: HLT at CPL 3", EXC_GP, 0, 0, ut_gp_hlt, ut_gp_hlt_next),
    USER("#GP: MOV from CR0 at CPL 3", EXC_GP, 0, 0, ut_gp_cr, ut_gp_cr_next),
    USER("#GP: CLI at CPL 3 > IOPL 0", EXC_GP, 0, 0, ut_gp_cli, ut_gp_cli_next),
    USER("#GP: MOV DS of a DPL 0 segment at CPL 3", EXC_GP, SEL_KDATA, 0, ut_gp_sel,
         ut_gp_sel_next),
    USER("#GP: INT 0x0e through a DPL 0 gate", EXC_GP, 0x0e * 8 + 2, 0, ut_gp_int, ut_gp_int_next),
    USER("#UD: UD2", EXC_UD, 0, 0, ut_ud, ut_ud_next),
};

static const Expect *expect; /* the exception the kernel waits for, or NULL */
static unsigned user_index;  /* next entry of user_faults */
static unsigned delivered;   /* exceptions that matched `expect` */
static bool back_from_user;

static bool has_error_code(unsigned v) {
    return v == EXC_DF || (v >= EXC_TS && v <= EXC_PF) || v == EXC_AC;
}

/* The frame of one exception against its expectation (6.14.2, 6.14.4, 6.14.5). */
static void check_frame(const TrapFrame *f, const Expect *e) {
    systest_eq(f->vector, e->vector, "%s: vector %u", e->what, e->vector);
    if (has_error_code(e->vector))
        systest_eq(f->error, e->error, "%s: error code 0x%x", e->what, e->error);
    if (e->vector == EXC_PF)
        systest_eq(read_cr2(), e->cr2, "%s: CR2 = 0x%llx", e->what, (unsigned long long)e->cr2);
    if (e->vector != EXC_DF) /* 6.15 "#DF": the saved CS:RIP is undefined */
        systest_eq(f->rip, (uint64_t)e->rip, "%s: saved RIP = the faulting instruction", e->what);
    uint64_t cs = e->user ? SEL_UCODE64 : SEL_KCODE64, ss = e->user ? SEL_UDATA : SEL_KDATA;
    systest_eq(f->cs, cs, "%s: saved CS = 0x%llx (RPL %llu)", e->what, (unsigned long long)cs,
               (unsigned long long)(cs & 3));
    systest_eq(f->ss, ss, "%s: saved SS = 0x%llx", e->what, (unsigned long long)ss);
    uint64_t rsp = e->user ? TOP(user_stack) - (e->resume ? 0 : 8) : kfault_rsp;
    systest_eq(f->rsp, rsp, "%s: saved RSP = the interrupted RSP", e->what);
    if (e->stack != ON_SAME_STACK) {
        bool ist = e->stack == ON_IST1;
        systest_eq((uint64_t)&f->rip, (ist ? TOP(ist1_stack) : TOP(rsp0_stack)) - 40,
                   "%s: frame on the %s stack", e->what, ist ? "IST1" : "TSS.RSP0");
    } else { /* 6.14.2: RSP is aligned to 16 before the frame is pushed, even without a switch */
        systest_eq((uint64_t)&f->rip, (kfault_rsp & ~15ull) - 40,
                   "%s: frame on the interrupted stack, 16-byte aligned", e->what);
    }
    systest_eq(read_rflags() & RFLAGS_IF, 0, "%s: IF = 0 in the handler (interrupt gate)", e->what);
}

/* INT 0x80 from the task: a trap through a DPL 3 gate; go back to the kernel. */
static void user_return(TrapFrame *f) {
    systest_eq(user_index, COUNT(user_faults), "task: every expected fault was delivered");
    systest_eq(f->rax, 0x5eed, "INT 0x80: RAX from the task");
    systest_eq(f->rip, (uint64_t)ut_int80_next,
               "INT 0x80: saved RIP = the next instruction (trap)");
    systest_eq(f->cs, SEL_UCODE64, "INT 0x80: saved CS = 0x33 (RPL 3)");
    systest_eq(f->ss, SEL_UDATA, "INT 0x80: saved SS = 0x2b (RPL 3)");
    systest_eq(f->rflags & RFLAGS_IF, RFLAGS_IF, "INT 0x80: saved RFLAGS.IF = 1");
    systest_eq((uint64_t)&f->rip, TOP(rsp0_stack) - 40, "INT 0x80: frame on the TSS.RSP0 stack");
    systest_eq(read_rflags() & RFLAGS_IF, RFLAGS_IF, "INT 0x80: IF = 1 in the handler (trap gate)");
    back_from_user = true;
    f->rip = (uint64_t)kernel_resume; /* IRETQ to CPL 0 */
    f->cs = SEL_KCODE64;
    f->ss = SEL_KDATA;
    f->rsp = kernel_resume_rsp;
    f->rflags = 0x2;
}

void systest_trap(TrapFrame *f) {
    if (f->vector == 0x80 && expect == NULL) {
        user_return(f);
        return;
    }
    const Expect *e = expect;
    if (!e && user_index < COUNT(user_faults)) e = &user_faults[user_index++];
    if (!e) {
        guest_printf("FAIL - unexpected exception %llu, error 0x%llx at rip 0x%llx\n",
                     (unsigned long long)f->vector, (unsigned long long)f->error,
                     (unsigned long long)f->rip);
        guest_exit(3);
    }
    check_frame(f, e);
    delivered++;
    expect = NULL;
    if (e->fix) e->fix();
    if (e->resume) {
        f->rip = (uint64_t)e->resume;
    } else { /* the fetch fault hit the CALL target: emulate its RET */
        f->rip = *(uint64_t *)f->rsp;
        f->rsp += 8;
    }
}

/* 4-level paging: the first 2 MiB (image, stacks) user-accessible, the rest
 * of the first GiB supervisor-only, and 0x400000-0x5fffff in 4 KiB pages
 * with a supervisor page, a missing page (mapped on its fault) and a
 * read-only user page. */
static void setup_paging(void) {
    pml4[0] = (uint64_t)pdpt | PTE_P | PTE_W | PTE_U;
    pdpt[0] = (uint64_t)pd | PTE_P | PTE_W | PTE_U;
    for (uint64_t i = 0; i < 512; i++)
        pd[i] = (i << 21) | PTE_P | PTE_W | PTE_PS;
    pd[0] |= PTE_U;
    pd[2] = (uint64_t)pt | PTE_P | PTE_W | PTE_U;
    for (uint64_t i = 0; i < 512; i++)
        pt[i] = (0x400000 + (i << 12)) | PTE_P | PTE_W | PTE_U;
    pt[1] = SUPERVISOR_PAGE | PTE_P | PTE_W;
    pt[2] = 0;
    pt[3] = READONLY_PAGE | PTE_P | PTE_U;
    /* Still under the boot identity map, where both pages are writable. */
    *(volatile uint64_t *)SUPERVISOR_PAGE = PAGE_VALUE;
    *(volatile uint64_t *)READONLY_PAGE = PAGE_VALUE;
    *(volatile uint64_t *)MISSING_PAGE = MISSING_VALUE;
    write_cr3((uint64_t)pml4);
}

static void map_missing_page(void) {
    pt[2] = MISSING_PAGE | PTE_P | PTE_W | PTE_U;
}

static void setup_idt(void) {
    for (unsigned v = 0; v < 32; v++)
        systest_set_gate(v, GATE_INT, 0, v == EXC_DF ? 1 : 0, true);
    systest_set_gate(0x80, GATE_TRAP, 3, 0, true);
    systest_set_gate(0x50, GATE_INT, 0, 0, false);
    systest_load_idt();
}

static void run_user_task(void) {
    systest_note("CPL 3 task: %u faults, then INT 0x80", (unsigned)COUNT(user_faults));
    enter_user((uint64_t)user_task, TOP(user_stack));
    systest_true(back_from_user, "kernel: back from the task through INT 0x80");
    systest_eq(ut_ro_value, PAGE_VALUE, "task: read of the read-only user page returned its data");
    systest_eq(ut_np_value, MISSING_VALUE,
               "task: the restarted read of the mapped page got its data");
}

/* One kernel-mode exception (CPL 0) and the check that it was delivered. */
static void kernel_fault(const Expect *e, void (*trigger)(void)) {
    unsigned before = delivered;
    expect = e;
    trigger();
    systest_eq(delivered - before, 1, "%s: delivered once", e->what);
    expect = NULL;
}

static void run_kernel_faults(void) {
    static const Expect ud_np = {"#NP: #UD through a not-present gate",
                                 EXC_NP,
                                 EXC_UD * 8 + 2 + 1,
                                 0,
                                 kfault_ud_insn,
                                 kfault_ud_next,
                                 false,
                                 ON_SAME_STACK,
                                 NULL};
    static const Expect int_np = {"#NP: INT 0x50 through a not-present gate",
                                  EXC_NP,
                                  0x50 * 8 + 2,
                                  0,
                                  kfault_int50_insn,
                                  kfault_int50_next,
                                  false,
                                  ON_SAME_STACK,
                                  NULL};
    static const Expect df = {"#DF: #GP through a not-present gate",
                              EXC_DF,
                              0,
                              0,
                              kfault_gp_insn,
                              kfault_gp_next,
                              false,
                              ON_IST1,
                              NULL};
    static const Expect gp = {"#GP: non-canonical read at CPL 0",
                              EXC_GP,
                              0,
                              0,
                              kfault_gp_insn,
                              kfault_gp_next,
                              false,
                              ON_SAME_STACK,
                              NULL};
    systest_set_gate_present(EXC_UD, false);
    kernel_fault(&ud_np, kfault_ud);
    systest_set_gate_present(EXC_UD, true);
    kernel_fault(&int_np, kfault_int50);
    systest_set_gate_present(EXC_GP, false);
    kernel_fault(&df, kfault_gp);
    systest_set_gate_present(EXC_GP, true);
    kernel_fault(&gp, kfault_gp);
}

int guest_main(const VmxsimBootInfo *info) {
    (void)info;
    systest_init();
    systest_load_gdt_tss();
    systest_tss.rsp[0] = TOP(rsp0_stack);
    systest_tss.ist[0] = TOP(ist1_stack);
    setup_idt();
    setup_paging();
    run_user_task();
    run_kernel_faults();
    return systest_finish();
}
