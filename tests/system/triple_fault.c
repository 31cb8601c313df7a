/*
 * triple-fault: a #DF that is delivered, then one that cannot be, on
 * purpose.  The guest first checks a double fault (#GP through a
 * not-present gate gives #NP, both contributory: #DF on IST1), then marks
 * the #DF gate not present as well and repeats the #GP.  Delivering the #DF
 * now raises #NP, and "if another exception occurs while attempting to call
 * the double-fault handler, the processor enters shutdown mode" (SDM Vol. 3A
 * 6.15 "Interrupt 8—Double Fault Exception (#DF)"; 6.15 Table 6-5).  vmxsim
 * reports the shutdown as exit status 6 with one line on stderr; the ctest
 * (tests/system/CMakeLists.txt) checks both, and that the line names the RIP
 * printed here.  If the CPU survives, the guest exits with code 3.
 *
 * SDM Vol. 3A rules checked: 6.15 Table 6-5 (contributory + contributory =
 * #DF), "#DF" error code 0, 6.14.5 IST stack use, and the shutdown on a
 * fault during #DF delivery (triple fault).
 */
#include "guest/guest.h"
#include "lib/desc.h"
#include "lib/systest.h"

#define STACK_SIZE 16384

void kfault_gp(void); /* user_fault_task.S: MOV (non-canonical), RAX */
extern const char kfault_gp_insn[], kfault_gp_next[];
extern uint64_t kfault_rsp;

static uint8_t ist1_stack[STACK_SIZE] __attribute__((aligned(16)));
static unsigned double_faults;

void systest_trap(TrapFrame *f) {
    if (f->vector != EXC_DF) {
        guest_printf("FAIL - unexpected exception %llu, error 0x%llx at rip 0x%llx\n",
                     (unsigned long long)f->vector, (unsigned long long)f->error,
                     (unsigned long long)f->rip);
        guest_exit(3);
    }
    double_faults++;
    systest_eq(f->error, 0, "#DF: error code 0");
    systest_eq((uint64_t)&f->rip, (uint64_t)ist1_stack + STACK_SIZE - 40, "#DF: frame on IST1");
    systest_eq(f->rsp, kfault_rsp, "#DF: saved RSP = the interrupted RSP");
    f->rip = (uint64_t)kfault_gp_next; /* the saved RIP is undefined for #DF: go on */
}

int guest_main(const VmxsimBootInfo *info) {
    (void)info;
    systest_init();
    systest_load_gdt_tss();
    systest_tss.ist[0] = (uint64_t)ist1_stack + STACK_SIZE;
    for (unsigned v = 0; v < 32; v++)
        systest_set_gate(v, GATE_INT, 0, v == EXC_DF ? 1 : 0, true);
    systest_load_idt();

    systest_set_gate_present(EXC_GP, false);
    kfault_gp();
    systest_eq(double_faults, 1, "#GP through a not-present gate: one #DF delivered");
    int result = systest_finish();
    if (result != 0) /* do not hide a failure behind the shutdown */
        return result;

    systest_set_gate_present(EXC_DF, false);
    guest_printf("# #GP, #NP, #DF gate not present: expecting a triple fault at rip 0x%llx\n",
                 (unsigned long long)(uint64_t)kfault_gp_insn);
    kfault_gp();
    guest_printf("FAIL - the CPU survived a fault during #DF delivery\n");
    return 3;
}
