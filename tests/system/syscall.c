/*
 * syscall-sysret: SYSCALL from a CPL 3 task into the kernel and SYSRETQ back
 * (syscall_task.S), then the two ways they fault.
 *
 * SDM rules checked (Vol. 2 SYSCALL, SYSRET; Vol. 3A 5.8.8 "Fast System
 * Calls in 64-Bit Mode"):
 *   SYSCALL: RCX = RIP of the next instruction, R11 = RFLAGS, RIP =
 *     IA32_LSTAR, RFLAGS = RFLAGS AND NOT IA32_FMASK, CS = IA32_STAR[47:32]
 *     (CPL 0), SS = IA32_STAR[47:32] + 8; RSP is not changed.
 *   SYSRETQ: RIP = RCX, RFLAGS = R11 (with the fixed bits), CS =
 *     IA32_STAR[63:48] + 16 with RPL 3, SS = IA32_STAR[63:48] + 8 with RPL 3.
 *   SYSRET at CPL 3 is #GP(0); SYSCALL with IA32_EFER.SCE = 0 is #UD.
 * The GDT (lib/desc.c) follows the layout SYSRET needs: user code32, user
 * data, user code64 at 0x20, 0x28, 0x30.
 */
#include "guest/guest.h"
#include "lib/desc.h"
#include "lib/systest.h"

#define STACK_SIZE 16384
#define MSR_STAR 0xc0000081u
#define MSR_LSTAR 0xc0000082u
#define MSR_FMASK 0xc0000084u
#define FMASK 0x700ull       /* TF, IF, DF */
#define USER_RFLAGS 0x602ull /* IF, DF, bit 1 */

void enter_user(uint64_t rip, uint64_t rsp); /* user_fault_task.S */
extern const char kernel_resume[], syscall_entry[], syscall_task[], syscall_ud_task[];
extern const char sc_insn[], sc_next[], sr_insn[], sr_next[], scud_insn[], scud_next[];
extern uint64_t kernel_resume_rsp, sc_k_rsp, sc_k_rcx, sc_k_r11, sc_k_cs, sc_k_ss, sc_k_rax,
    sc_k_rflags, sc_u_cs, sc_u_ss, sc_u_rflags, sc_u_rax, sc_u_rcx, sc_u_r11, sc_u_rsp;

static uint8_t rsp0_stack[STACK_SIZE] __attribute__((aligned(16)));
static uint8_t user_stack[STACK_SIZE] __attribute__((aligned(16)));
#define USER_TOP ((uint64_t)user_stack + STACK_SIZE)

/* The one exception each task should raise. */
static struct {
    const char *what;
    unsigned vector;
    const char *rip, *resume;
    unsigned seen;
} expect;

void systest_trap(TrapFrame *f) {
    if (f->vector == 0x80) { /* the task is done: IRETQ to kernel_resume at CPL 0 */
        f->rip = (uint64_t)kernel_resume;
        f->cs = SEL_KCODE64;
        f->ss = SEL_KDATA;
        f->rsp = kernel_resume_rsp;
        f->rflags = 0x2;
        return;
    }
    if (!expect.what) {
        guest_printf("FAIL - unexpected exception %llu, error 0x%llx at rip 0x%llx\n",
                     (unsigned long long)f->vector, (unsigned long long)f->error,
                     (unsigned long long)f->rip);
        guest_exit(3);
    }
    expect.seen++;
    systest_eq(f->vector, expect.vector, "%s: vector %u", expect.what, expect.vector);
    systest_eq(f->error, 0, "%s: error code 0", expect.what);
    systest_eq(f->rip, (uint64_t)expect.rip, "%s: saved RIP = the instruction", expect.what);
    systest_eq(f->cs, SEL_UCODE64, "%s: saved CS = 0x33 (from CPL 3)", expect.what);
    f->rip = (uint64_t)expect.resume;
}

static void check_round_trip(void) {
    systest_eq(sc_k_cs, SEL_KCODE64, "SYSCALL: CS = IA32_STAR[47:32] = 0x08 (CPL 0)");
    systest_eq(sc_k_ss, SEL_KDATA, "SYSCALL: SS = IA32_STAR[47:32] + 8 = 0x10");
    systest_eq(sc_k_rcx, (uint64_t)sc_next, "SYSCALL: RCX = RIP of the next instruction");
    systest_eq(sc_k_r11, USER_RFLAGS, "SYSCALL: R11 = the task's RFLAGS (0x602)");
    systest_eq(sc_k_rflags, USER_RFLAGS & ~FMASK, "SYSCALL: RFLAGS = RFLAGS & ~IA32_FMASK");
    systest_eq(sc_k_rsp, USER_TOP, "SYSCALL: RSP unchanged (no stack switch)");
    systest_eq(sc_k_rax, 0x1234, "SYSCALL: RAX passed through");
    systest_eq(sc_u_cs, SEL_UCODE64, "SYSRETQ: CS = IA32_STAR[63:48] + 16, RPL 3 = 0x33");
    systest_eq(sc_u_ss, SEL_UDATA, "SYSRETQ: SS = IA32_STAR[63:48] + 8, RPL 3 = 0x2b");
    systest_eq(sc_u_rflags, USER_RFLAGS, "SYSRETQ: RFLAGS = R11");
    systest_eq(sc_u_rcx, (uint64_t)sc_next, "SYSRETQ: back at RCX with RCX unchanged");
    systest_eq(sc_u_r11, USER_RFLAGS, "SYSRETQ: R11 unchanged");
    systest_eq(sc_u_rax, 0xbeef, "SYSRETQ: the kernel's RAX reached the task");
    systest_eq(sc_u_rsp, USER_TOP, "SYSRETQ: RSP unchanged");
}

int guest_main(const VmxsimBootInfo *info) {
    (void)info;
    systest_init();
    /* SDM Vol. 2 SYSCALL: the instructions exist when CPUID.80000001H:EDX[11] = 1. */
    if (!systest_true(cpuid(0x80000001u, 0).edx & (1u << 11),
                      "CPUID.80000001H:EDX.SYSCALL[bit 11] = 1 (the CPU model has SYSCALL)"))
        return systest_finish();
    systest_load_gdt_tss();
    systest_tss.rsp[0] = (uint64_t)rsp0_stack + STACK_SIZE;
    for (unsigned v = 0; v < 32; v++)
        systest_set_gate(v, GATE_INT, 0, 0, true);
    systest_set_gate(0x80, GATE_TRAP, 3, 0, true);
    systest_load_idt();
    /* The direct-boot page tables are supervisor-only: add U/S on the way to
     * the first 2 MiB (image and stacks), as user_fault.c does with its own. */
    uint64_t *pml4 = (uint64_t *)(read_cr3() & ~0xfffull);
    uint64_t *pdpt = (uint64_t *)(pml4[0] & 0xffffffffff000ull);
    uint64_t *pd = (uint64_t *)(pdpt[0] & 0xffffffffff000ull);
    pml4[0] |= PTE_U;
    pdpt[0] |= PTE_U;
    pd[0] |= PTE_U;
    write_cr3(read_cr3());

    wrmsr(MSR_STAR, (uint64_t)0x20 << 48 | (uint64_t)SEL_KCODE64 << 32);
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    wrmsr(MSR_FMASK, FMASK);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    expect.what = "SYSRETQ at CPL 3";
    expect.vector = EXC_GP;
    expect.rip = sr_insn;
    expect.resume = sr_next;
    enter_user((uint64_t)syscall_task, USER_TOP);
    check_round_trip();
    systest_eq(expect.seen, 1, "SYSRETQ at CPL 3: one #GP(0)");

    wrmsr(MSR_EFER, rdmsr(MSR_EFER) & ~EFER_SCE);
    expect.what = "SYSCALL with IA32_EFER.SCE = 0";
    expect.vector = EXC_UD;
    expect.rip = scud_insn;
    expect.resume = scud_next;
    expect.seen = 0;
    enter_user((uint64_t)syscall_ud_task, USER_TOP);
    systest_eq(expect.seen, 1, "SYSCALL with IA32_EFER.SCE = 0: one #UD");
    return systest_finish();
}
