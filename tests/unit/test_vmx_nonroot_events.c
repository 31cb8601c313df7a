/*
 * VM exits at instruction boundaries and NMI blocking in VMX non-root
 * operation: interrupt-window and NMI-window exiting (SDM 25.2), virtual
 * NMIs and IRET (25.3, 26.7.1, 27.3.4, 27.2.3 "NMI unblocking due to
 * IRET"), the monitor trap flag (25.5.2, 26.6.2) and the VMX-preemption
 * timer (25.5.1, 26.7.4, 27.3.4), with their priorities among the events of
 * SDM 6.9 Table 6-2 and their waking of HLT (the activity state saved is
 * HLT, 27.3.4).  Each control is tested both ways.
 */
#include <check.h>

#include "check_main.h"
#include "vmx_nonroot_support.h"

#define VMCALL VMCALL_BYTES
#define NOP 0x90
#define IRETQ 0x48, 0xcf
#define INTR_NMI_BLOCKING 8u
#define INJ(type, vector) ((UINT64_C(1) << 31) | ((uint64_t)(type) << 8) | (vector))
#define PENDING_DBG_BS (UINT64_C(1) << 14)

/* SDM 24.9.2: the exit interruption information of a #GP(0) exit. */
#define INFO_GP (UINT64_C(0x80000b0d))
#define INFO_NMI_UNBLOCKED (UINT64_C(1) << 12)

static uint64_t interruptibility(Machine *m) {
    return vmx_get(m, VMCS_GUEST_INTERRUPTIBILITY_STATE);
}

/* ---- interrupt-window exiting (exit reason 7) ---- */

START_TEST(test_interrupt_window_open_at_entry_exits_first) {
    static const uint8_t code[] = {VMCALL};
    Machine *m = nr_machine();
    nr_proc(m, VMX_PROC_INTERRUPT_WINDOW_EXITING);
    vmx_set(m, VMCS_GUEST_RFLAGS, RFLAGS_FIXED1 | RFLAGS_IF);
    nr_assert_exit(m, NR_RUN(m, code), EXIT_REASON_INTERRUPT_WINDOW, 0);
    ck_assert_uint_eq(vmx_get(m, VMCS_EXIT_QUALIFICATION), 0);
    ck_assert_uint_eq(vmx_get(m, VMCS_EXIT_INTERRUPTION_INFO) >> 31, 0);
    machine_destroy(m);
}
END_TEST

/* STI blocks for one instruction: the window opens after the NOP. */
START_TEST(test_interrupt_window_after_sti_blocking) {
    static const uint8_t code[] = {0xfb, NOP, VMCALL};
    Machine *m = nr_machine();
    nr_proc(m, VMX_PROC_INTERRUPT_WINDOW_EXITING);
    nr_assert_exit(m, NR_RUN(m, code), EXIT_REASON_INTERRUPT_WINDOW, 2);
    ck_assert_uint_eq(interruptibility(m), 0);
    machine_destroy(m);
}
END_TEST

START_TEST(test_interrupt_window_off_no_exit) {
    static const uint8_t code[] = {0xfb, NOP, VMCALL};
    Machine *m = nr_machine();
    nr_assert_exit(m, NR_RUN(m, code), EXIT_REASON_VMCALL, 2);
    machine_destroy(m);
}
END_TEST

/* SDM 25.2: the exit wakes HLT; the activity state saved is HLT (27.3.4). */
START_TEST(test_interrupt_window_wakes_hlt) {
    static const uint8_t code[] = {0xfb, 0xf4, VMCALL}; /* sti; hlt */
    Machine *m = nr_machine();
    nr_proc(m, VMX_PROC_INTERRUPT_WINDOW_EXITING);
    nr_assert_exit(m, NR_RUN(m, code), EXIT_REASON_INTERRUPT_WINDOW, 2);
    ck_assert_uint_eq(vmx_get(m, VMCS_GUEST_ACTIVITY_STATE), ACTIVITY_HLT);
    machine_destroy(m);
}
END_TEST

/* SDM 25.2: NMIs take priority over interrupt-window exits. */
START_TEST(test_nmi_before_interrupt_window) {
    static const uint8_t code[] = {VMCALL};
    Machine *m = nr_machine();
    nr_pin(m, VMX_PIN_NMI_EXITING);
    nr_proc(m, VMX_PROC_INTERRUPT_WINDOW_EXITING);
    vmx_set(m, VMCS_GUEST_RFLAGS, RFLAGS_FIXED1 | RFLAGS_IF);
    m->cpu.nmi_blocked = true; /* the host holds the NMI; the guest does not block it */
    machine_raise_nmi(m);
    nr_assert_exit(m, NR_RUN(m, code), EXIT_REASON_EXCEPTION_NMI, 0);
    ck_assert_uint_eq(vmx_get(m, VMCS_EXIT_INTERRUPTION_INFO), 0x80000202);
    nr_assert_exit(m, NR_RUN(m, code), EXIT_REASON_INTERRUPT_WINDOW, 0);
    machine_destroy(m);
}
END_TEST

static bool intr_asserted(void *opaque) {
    (void)opaque;
    return true;
}
static int intr_vector(void *opaque) {
    (void)opaque;
    return 0x30;
}

/* SDM 25.2: interrupt-window exits take priority over external interrupts. */
START_TEST(test_interrupt_window_before_external_interrupt) {
    static const uint8_t code[] = {VMCALL};
    static const IntrController ic = {NULL, intr_asserted, intr_vector, NULL, NULL, NULL, NULL};
    Machine *m = nr_machine();
    machine_attach_intr_controller(m, &ic);
    nr_pin(m, VMX_PIN_EXTERNAL_INTERRUPT_EXITING);
    nr_proc(m, VMX_PROC_INTERRUPT_WINDOW_EXITING);
    vmx_set(m, VMCS_GUEST_RFLAGS, RFLAGS_FIXED1 | RFLAGS_IF);
    nr_assert_exit(m, NR_RUN(m, code), EXIT_REASON_INTERRUPT_WINDOW, 0);
    vmx_set(m, VMCS_PROC_BASED_CONTROLS,
            vmx_get(m, VMCS_PROC_BASED_CONTROLS) & ~VMX_PROC_INTERRUPT_WINDOW_EXITING);
    nr_assert_exit(m, NR_RUN(m, code), EXIT_REASON_EXTERNAL_INTERRUPT, 0);
    machine_destroy(m);
}
END_TEST

/* ---- virtual NMIs, NMI-window exiting (8) and IRET ---- */

static void virtual_nmis(Machine *m) {
    nr_pin(m, VMX_PIN_NMI_EXITING | VMX_PIN_VIRTUAL_NMIS);
}

/* An IRETQ frame on the guest stack returning to GUEST_CODE + 2 (after the
 * IRETQ) with code selector `cs`. */
static void iret_frame(Machine *m, uint64_t cs) {
    uint64_t rsp = GUEST_STACK - 40;
    gp_poke64(m, rsp, GUEST_CODE + 2);
    gp_poke64(m, rsp + 8, cs);
    gp_poke64(m, rsp + 16, RFLAGS_FIXED1);
    gp_poke64(m, rsp + 24, GUEST_STACK);
    gp_poke64(m, rsp + 32, vmx_get(m, VMCS_GUEST_SS_SELECTOR));
    vmx_set(m, VMCS_GUEST_RSP, rsp);
}

START_TEST(test_nmi_window_open_at_entry_exits_first) {
    static const uint8_t code[] = {VMCALL};
    Machine *m = nr_machine();
    virtual_nmis(m);
    nr_proc(m, VMX_PROC_NMI_WINDOW_EXITING);
    nr_assert_exit(m, NR_RUN(m, code), EXIT_REASON_NMI_WINDOW, 0);
    machine_destroy(m);
}
END_TEST

/* Virtual-NMI blocking at entry: IRET removes it, the window opens after it. */
START_TEST(test_nmi_window_opens_after_iret) {
    static const uint8_t code[] = {IRETQ, VMCALL};
    Machine *m = nr_machine();
    virtual_nmis(m);
    nr_proc(m, VMX_PROC_NMI_WINDOW_EXITING);
    vmx_set(m, VMCS_GUEST_INTERRUPTIBILITY_STATE, INTR_NMI_BLOCKING);
    iret_frame(m, vmx_get(m, VMCS_GUEST_CS_SELECTOR));
    nr_assert_exit(m, NR_RUN(m, code), EXIT_REASON_NMI_WINDOW, 2);
    ck_assert_uint_eq(interruptibility(m), 0);
    machine_destroy(m);
}
END_TEST

/* SDM 27.3.4: with "virtual NMIs", bit 3 saved is virtual-NMI blocking,
 * which stays until IRET; without the window nothing exits. */
START_TEST(test_virtual_nmi_blocking_saved_until_iret) {
    static const uint8_t code[] = {NOP, NOP, VMCALL};
    Machine *m = nr_machine();
    virtual_nmis(m);
    vmx_set(m, VMCS_GUEST_INTERRUPTIBILITY_STATE, INTR_NMI_BLOCKING);
    nr_assert_exit(m, NR_RUN(m, code), EXIT_REASON_VMCALL, 2);
    ck_assert_uint_eq(interruptibility(m), INTR_NMI_BLOCKING);
    ck_assert(!m->cpu.nmi_blocked); /* NMIs themselves were never blocked */
    machine_destroy(m);
}
END_TEST

/* SDM 26.6.1.1: injecting an NMI with "virtual NMIs" sets virtual-NMI blocking. */
START_TEST(test_injected_virtual_nmi_blocks_virtual_nmis) {
    static const uint8_t code[] = {VMCALL}, handler[] = {VMCALL};
    Machine *m = nr_machine();
    virtual_nmis(m);
    test_poke(m, GUEST_HANDLER(2), handler, sizeof(handler));
    vmx_set(m, VMCS_ENTRY_INTERRUPTION_INFO, INJ(2, 2));
    nr_assert_exit(m, NR_RUN(m, code), EXIT_REASON_VMCALL, GUEST_HANDLER(2) - GUEST_CODE);
    ck_assert_uint_eq(interruptibility(m), INTR_NMI_BLOCKING);
    machine_destroy(m);
}
END_TEST

/* The NMI handler's IRET ends virtual-NMI blocking: the NMI window opens at
 * the interrupted instruction. */
START_TEST(test_injected_virtual_nmi_iret_opens_window) {
    static const uint8_t code[] = {VMCALL};
    Machine *m = nr_machine();
    virtual_nmis(m);
    nr_proc(m, VMX_PROC_NMI_WINDOW_EXITING);
    vmx_set(m, VMCS_ENTRY_INTERRUPTION_INFO, INJ(2, 2));
    nr_assert_exit(m, NR_RUN(m, code), EXIT_REASON_NMI_WINDOW, 0);
    ck_assert_uint_eq(interruptibility(m), 0);
    machine_destroy(m);
}
END_TEST

/* SDM 25.3 IRET: with "NMI exiting" and no "virtual NMIs", IRET leaves
 * blocking by NMI alone; with neither, it ends it. */
static uint64_t nmi_blocking_after_iret(uint64_t pin) {
    static const uint8_t code[] = {IRETQ, VMCALL};
    Machine *m = nr_machine();
    nr_pin(m, pin);
    vmx_set(m, VMCS_GUEST_INTERRUPTIBILITY_STATE, INTR_NMI_BLOCKING);
    iret_frame(m, vmx_get(m, VMCS_GUEST_CS_SELECTOR));
    nr_assert_exit(m, NR_RUN(m, code), EXIT_REASON_VMCALL, 2);
    uint64_t bit = interruptibility(m) & INTR_NMI_BLOCKING;
    machine_destroy(m);
    return bit;
}

START_TEST(test_iret_keeps_nmi_blocking_with_nmi_exiting) {
    ck_assert_uint_eq(nmi_blocking_after_iret(VMX_PIN_NMI_EXITING), INTR_NMI_BLOCKING);
}
END_TEST

START_TEST(test_iret_ends_nmi_blocking_without_nmi_exiting) {
    ck_assert_uint_eq(nmi_blocking_after_iret(0), 0);
}
END_TEST

/* SDM 25.3 / 27.2.3: a faulting IRET still removes virtual-NMI blocking; the
 * #GP it raises exits with "NMI unblocking due to IRET" (bit 12) when it did. */
static void faulting_iret(bool blocked) {
    static const uint8_t code[] = {IRETQ};
    Machine *m = nr_machine();
    m->cpu.exception_stop_mask = 0;
    virtual_nmis(m);
    vmx_set(m, VMCS_EXCEPTION_BITMAP, 1u << EXC_GP);
    vmx_set(m, VMCS_GUEST_INTERRUPTIBILITY_STATE, blocked ? INTR_NMI_BLOCKING : 0);
    iret_frame(m, 0); /* a null code selector: #GP(0) */
    nr_assert_exit(m, NR_RUN(m, code), EXIT_REASON_EXCEPTION_NMI, 0);
    ck_assert_uint_eq(vmx_get(m, VMCS_EXIT_INTERRUPTION_INFO),
                      INFO_GP | (blocked ? INFO_NMI_UNBLOCKED : 0));
    ck_assert_uint_eq(interruptibility(m), 0);
    machine_destroy(m);
}

START_TEST(test_faulting_iret_reports_nmi_unblocking) {
    faulting_iret(true);
}
END_TEST

START_TEST(test_faulting_iret_without_blocking_no_unblocking_bit) {
    faulting_iret(false);
}
END_TEST

/* ---- monitor trap flag (37) ---- */

START_TEST(test_mtf_exits_after_one_instruction) {
    static const uint8_t code[] = {NOP, NOP, VMCALL};
    Machine *m = nr_machine();
    nr_proc(m, VMX_PROC_MONITOR_TRAP_FLAG);
    nr_assert_exit(m, NR_RUN(m, code), EXIT_REASON_MONITOR_TRAP_FLAG, 1);
    ck_assert_uint_eq(vmx_get(m, VMCS_EXIT_QUALIFICATION), 0);
    nr_assert_exit(m, NR_RUN(m, code), EXIT_REASON_MONITOR_TRAP_FLAG, 2); /* VMRESUME: one more */
    machine_destroy(m);
}
END_TEST

START_TEST(test_mtf_off_no_exit) {
    static const uint8_t code[] = {NOP, NOP, VMCALL};
    Machine *m = nr_machine();
    nr_assert_exit(m, NR_RUN(m, code), EXIT_REASON_VMCALL, 2);
    machine_destroy(m);
}
END_TEST

/* SDM 25.5.2: with event injection the MTF VM exit is pending before the
 * handler's first instruction. */
START_TEST(test_mtf_after_injected_event) {
    static const uint8_t code[] = {NOP};
    Machine *m = nr_machine();
    nr_proc(m, VMX_PROC_MONITOR_TRAP_FLAG);
    vmx_set(m, VMCS_ENTRY_INTERRUPTION_INFO, INJ(3, EXC_UD));
    nr_assert_exit(m, NR_RUN(m, code), EXIT_REASON_MONITOR_TRAP_FLAG,
                   GUEST_HANDLER(EXC_UD) - GUEST_CODE);
    machine_destroy(m);
}
END_TEST

/* SDM 26.6.2: "other event" 0 injects a pending MTF VM exit, without the control. */
START_TEST(test_pending_mtf_injection_exits_at_once) {
    static const uint8_t code[] = {VMCALL};
    Machine *m = nr_machine();
    vmx_set(m, VMCS_ENTRY_INTERRUPTION_INFO, INJ(7, 0));
    nr_assert_exit(m, NR_RUN(m, code), EXIT_REASON_MONITOR_TRAP_FLAG, 0);
    machine_destroy(m);
}
END_TEST

/* SDM 25.5.2: after a faulting instruction, the MTF VM exit follows the
 * delivery of the fault. */
START_TEST(test_mtf_after_fault_delivery) {
    static const uint8_t code[] = {0x0f, 0x0b}; /* ud2 */
    Machine *m = nr_machine();
    m->cpu.exception_stop_mask = 0;
    nr_proc(m, VMX_PROC_MONITOR_TRAP_FLAG);
    nr_assert_exit(m, NR_RUN(m, code), EXIT_REASON_MONITOR_TRAP_FLAG,
                   GUEST_HANDLER(EXC_UD) - GUEST_CODE);
    machine_destroy(m);
}
END_TEST

/* After HLT the MTF VM exit wakes the CPU; HLT is the activity state saved. */
START_TEST(test_mtf_after_hlt) {
    static const uint8_t code[] = {0xf4, VMCALL};
    Machine *m = nr_machine();
    nr_proc(m, VMX_PROC_MONITOR_TRAP_FLAG);
    nr_assert_exit(m, NR_RUN(m, code), EXIT_REASON_MONITOR_TRAP_FLAG, 1);
    ck_assert_uint_eq(vmx_get(m, VMCS_GUEST_ACTIVITY_STATE), ACTIVITY_HLT);
    machine_destroy(m);
}
END_TEST

/* SDM 25.5.2: MTF VM exits take priority over debug traps; the single-step
 * trap is saved as a pending debug exception (27.3.4). */
START_TEST(test_mtf_before_single_step_trap) {
    static const uint8_t code[] = {NOP, VMCALL};
    Machine *m = nr_machine();
    nr_proc(m, VMX_PROC_MONITOR_TRAP_FLAG);
    vmx_set(m, VMCS_GUEST_RFLAGS, RFLAGS_FIXED1 | RFLAGS_TF);
    nr_assert_exit(m, NR_RUN(m, code), EXIT_REASON_MONITOR_TRAP_FLAG, 1);
    ck_assert_uint_eq(vmx_get(m, VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS), PENDING_DBG_BS);
    machine_destroy(m);
}
END_TEST

/* ---- the VMX-preemption timer (52) ---- */

static void timer(Machine *m, uint32_t value) {
    nr_pin(m, VMX_PIN_ACTIVATE_PREEMPTION_TIMER);
    vmx_set(m, VMCS_VMX_PREEMPTION_TIMER_VALUE, value);
}

/* SDM 26.7.4: a value of 0 exits before the first instruction. */
START_TEST(test_timer_zero_exits_at_entry) {
    static const uint8_t code[] = {VMCALL};
    Machine *m = nr_machine();
    timer(m, 0);
    nr_assert_exit(m, NR_RUN(m, code), EXIT_REASON_PREEMPTION_TIMER, 0);
    ck_assert_uint_eq(vmx_get(m, VMCS_EXIT_QUALIFICATION), 0);
    ck_assert_uint_eq(m->cpu.deadline, UINT64_MAX); /* stopped by the VM exit */
    machine_destroy(m);
}
END_TEST

START_TEST(test_timer_off_no_exit) {
    static const uint8_t code[] = {NOP, VMCALL};
    Machine *m = nr_machine();
    vmx_set(m, VMCS_VMX_PREEMPTION_TIMER_VALUE, 0);
    nr_assert_exit(m, NR_RUN(m, code), EXIT_REASON_VMCALL, 1);
    machine_destroy(m);
}
END_TEST

/* SDM 25.5.1: the timer counts down each time TSC bit X changes (X =
 * IA32_VMX_MISC[4:0]); the exit comes at the first instruction boundary at
 * or after it reaches 0, also in the middle of a block of NOPs (1 cycle
 * each). */
START_TEST(test_timer_exits_at_exact_boundary) {
    uint8_t code[402];
    memset(code, NOP, 400);
    code[400] = 0xeb; /* jmp $ */
    code[401] = 0xfe;
    const uint32_t value = 8;
    Machine *m = nr_machine();
    timer(m, value);
    uint64_t c0 = m->cpu.cycles;
    ck_assert_int_eq(vmx_launch(m, code, sizeof(code), 1), STOP_BUDGET); /* VMLAUNCH only */
    uint64_t c1 = m->cpu.cycles;
    uint64_t deadline = ((c0 >> VMX_PREEMPTION_TIMER_RATE) + value) << VMX_PREEMPTION_TIMER_RATE;
    ck_assert_uint_le(c1, deadline);
    nr_assert_exit(m, machine_run(m, 10000), EXIT_REASON_PREEMPTION_TIMER, deadline - c1);
    machine_destroy(m);
}
END_TEST

/* SDM 27.3.4: "save VMX-preemption timer value" stores what is left. */
START_TEST(test_timer_value_saved) {
    static const uint8_t code[] = {NOP, VMCALL};
    const uint32_t value = 1000;
    Machine *m = nr_machine();
    timer(m, value);
    nr_set_bits(m, VMCS_EXIT_CONTROLS, VMX_EXIT_SAVE_VMX_PREEMPTION_TIMER_VALUE);
    uint64_t c0 = m->cpu.cycles;
    ck_assert_int_eq(vmx_launch(m, code, sizeof(code), 1), STOP_BUDGET);
    uint64_t at_vmcall = m->cpu.cycles + 1; /* after the NOP */
    nr_assert_exit(m, machine_run(m, 100), EXIT_REASON_VMCALL, 1);
    uint64_t elapsed = (at_vmcall >> VMX_PREEMPTION_TIMER_RATE) - (c0 >> VMX_PREEMPTION_TIMER_RATE);
    ck_assert_uint_eq(vmx_get(m, VMCS_VMX_PREEMPTION_TIMER_VALUE), value - elapsed);
    machine_destroy(m);
}
END_TEST

/* Without the save control the field keeps the value VM entry loaded. */
START_TEST(test_timer_value_not_saved_without_control) {
    static const uint8_t code[] = {VMCALL};
    Machine *m = nr_machine();
    timer(m, 1000);
    nr_assert_exit(m, NR_RUN(m, code), EXIT_REASON_VMCALL, 0);
    ck_assert_uint_eq(vmx_get(m, VMCS_VMX_PREEMPTION_TIMER_VALUE), 1000);
    machine_destroy(m);
}
END_TEST

/* SDM 25.5.1: the timer counts in HLT (C1) and its exit wakes the CPU; time
 * passes in HLT up to the timer. */
START_TEST(test_timer_exits_from_hlt) {
    static const uint8_t code[] = {0xf4, VMCALL};
    const uint32_t value = 100;
    Machine *m = nr_machine();
    timer(m, value);
    nr_set_bits(m, VMCS_EXIT_CONTROLS, VMX_EXIT_SAVE_VMX_PREEMPTION_TIMER_VALUE);
    uint64_t c0 = m->cpu.cycles;
    nr_assert_exit(m, NR_RUN(m, code), EXIT_REASON_PREEMPTION_TIMER, 1);
    ck_assert_uint_eq(vmx_get(m, VMCS_GUEST_ACTIVITY_STATE), ACTIVITY_HLT);
    ck_assert_uint_eq(vmx_get(m, VMCS_VMX_PREEMPTION_TIMER_VALUE), 0);
    ck_assert_uint_ge(m->cpu.cycles, ((c0 >> VMX_PREEMPTION_TIMER_RATE) + value)
                                         << VMX_PREEMPTION_TIMER_RATE);
    machine_destroy(m);
}
END_TEST

/* SDM 25.2: the timer's exit comes before NMI-window exiting. */
START_TEST(test_timer_before_nmi_window) {
    static const uint8_t code[] = {VMCALL};
    Machine *m = nr_machine();
    timer(m, 0);
    virtual_nmis(m);
    nr_proc(m, VMX_PROC_NMI_WINDOW_EXITING);
    nr_assert_exit(m, NR_RUN(m, code), EXIT_REASON_PREEMPTION_TIMER, 0);
    vmx_set(m, VMCS_PIN_BASED_CONTROLS,
            vmx_get(m, VMCS_PIN_BASED_CONTROLS) & ~VMX_PIN_ACTIVATE_PREEMPTION_TIMER);
    nr_assert_exit(m, NR_RUN(m, code), EXIT_REASON_NMI_WINDOW, 0);
    machine_destroy(m);
}
END_TEST

static Suite *vmx_nonroot_events_suite(void) {
    Suite *s = suite_create("vmx_nonroot_events");
    TCase *t = tcase_create("windows");
    tcase_add_test(t, test_interrupt_window_open_at_entry_exits_first);
    tcase_add_test(t, test_interrupt_window_after_sti_blocking);
    tcase_add_test(t, test_interrupt_window_off_no_exit);
    tcase_add_test(t, test_interrupt_window_wakes_hlt);
    tcase_add_test(t, test_nmi_before_interrupt_window);
    tcase_add_test(t, test_interrupt_window_before_external_interrupt);
    tcase_add_test(t, test_nmi_window_open_at_entry_exits_first);
    tcase_add_test(t, test_nmi_window_opens_after_iret);
    tcase_add_test(t, test_virtual_nmi_blocking_saved_until_iret);
    tcase_add_test(t, test_injected_virtual_nmi_blocks_virtual_nmis);
    tcase_add_test(t, test_injected_virtual_nmi_iret_opens_window);
    tcase_add_test(t, test_iret_keeps_nmi_blocking_with_nmi_exiting);
    tcase_add_test(t, test_iret_ends_nmi_blocking_without_nmi_exiting);
    tcase_add_test(t, test_faulting_iret_reports_nmi_unblocking);
    tcase_add_test(t, test_faulting_iret_without_blocking_no_unblocking_bit);
    suite_add_tcase(s, t);
    t = tcase_create("mtf");
    tcase_add_test(t, test_mtf_exits_after_one_instruction);
    tcase_add_test(t, test_mtf_off_no_exit);
    tcase_add_test(t, test_mtf_after_injected_event);
    tcase_add_test(t, test_pending_mtf_injection_exits_at_once);
    tcase_add_test(t, test_mtf_after_fault_delivery);
    tcase_add_test(t, test_mtf_after_hlt);
    tcase_add_test(t, test_mtf_before_single_step_trap);
    suite_add_tcase(s, t);
    t = tcase_create("preemption_timer");
    tcase_add_test(t, test_timer_zero_exits_at_entry);
    tcase_add_test(t, test_timer_off_no_exit);
    tcase_add_test(t, test_timer_exits_at_exact_boundary);
    tcase_add_test(t, test_timer_value_saved);
    tcase_add_test(t, test_timer_value_not_saved_without_control);
    tcase_add_test(t, test_timer_exits_from_hlt);
    tcase_add_test(t, test_timer_before_nmi_window);
    suite_add_tcase(s, t);
    return s;
}

CHECK_MAIN(vmx_nonroot_events_suite)
