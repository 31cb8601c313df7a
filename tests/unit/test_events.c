/*
 * Events at instruction boundaries (sim/cpu/events.c, docs/events.md):
 * single-step traps (SDM Vol. 3B 17.3.1.4), the interrupt shadows of STI and
 * MOV SS / POP SS (SDM 6.8.3), NMI and its blocking (SDM 6.7.1), maskable
 * interrupts from an interrupt controller (SDM 6.8.1), HLT wake-up, the
 * priority among simultaneous events (SDM 6.9 Table 6-2) and the RF value
 * pushed for faults (SDM 17.3.1.1).  Every rule is tested on both sides.
 */
#include "check_main.h"
#include "fake_intc.h"
#include "gp_support.h"
#include "sim/cpu/debug_regs.h"
#include "sim/cpu/exceptions.h"

#define IDT_BASE 0x5000u
#define DB_HANDLER 0x2000u
#define NMI_HANDLER 0x2100u
#define INTR_HANDLER 0x2200u
#define SOFT_HANDLER 0x2300u
#define INTR_VECTOR 0x40u

/* --- the fake interrupt controller (fake_intc.h), driven by the test --- */

static void attach_pic(Machine *m, FakePic *p, bool with_nmi)
{
    fake_pic_attach(m, p, INTR_VECTOR, with_nmi);
}

static void pic_set_intr(Machine *m, FakePic *p, bool on)
{
    (void)m;
    fake_pic_set_intr(p, on);
}

/* --- machine set-up --- */

/* 32-bit interrupt (0x8e) or trap (0x8f) gate to 0x08:target (SDM 6.11). */
static void install_gate(Machine *m, unsigned vector, uint32_t target, bool trap_gate)
{
    uint64_t type = trap_gate ? 0x8f : 0x8e;
    uint64_t gate = (target & 0xffffu) | (UINT64_C(0x08) << 16) | (type << 40) |
                    ((uint64_t)(target >> 16) << 48);
    test_poke(m, IDT_BASE + vector * 8, &gate, 8);
}

/* mov al, code ; out 0xf4, al: the run ends with exit code (code << 1) | 1. */
static void install_exit(Machine *m, uint32_t at, uint8_t code)
{
    uint8_t h[] = {0xb0, code, 0xe6, 0xf4};
    test_poke(m, at, h, sizeof(h));
}

static int exit_code_of(uint8_t code) { return (code << 1) | 1; }

/* Flat 32-bit protected mode at CPL 0 with an IDT: #DB, NMI, INTR_VECTOR and
 * 0x30 go to handlers that exit with their vector.  Only #DB stops undelivered. */
static Machine *ev_machine(void)
{
    Machine *m = gp_flat32();
    m->cpu.idtr = (DescTable){IDT_BASE, 256 * 8 - 1};
    install_gate(m, EXC_DB, DB_HANDLER, false);
    install_gate(m, EXC_NMI, NMI_HANDLER, false);
    install_gate(m, INTR_VECTOR, INTR_HANDLER, false);
    install_gate(m, 0x30, SOFT_HANDLER, false);
    install_gate(m, EXC_BP, SOFT_HANDLER, false);
    install_exit(m, DB_HANDLER, EXC_DB);
    install_exit(m, NMI_HANDLER, EXC_NMI);
    install_exit(m, INTR_HANDLER, INTR_VECTOR);
    install_exit(m, SOFT_HANDLER, 0x30);
    m->cpu.exception_stop_mask = UINT32_C(1) << EXC_DB;
    return m;
}

static void set_flags(Machine *m, uint64_t bits) { cpu_set_rflags(&m->cpu, RFLAGS_FIXED1 | bits); }

static uint32_t stack_dword(Machine *m, unsigned index)
{
    return (uint32_t)gp_peek(m, m->cpu.gpr[GPR_RSP] + 4 * index, 4);
}

/* The run stopped before delivering a single-step #DB at `rip`. */
static void assert_single_step(Machine *m, MachineStop st, uint64_t rip)
{
    ck_assert_int_eq(st, STOP_EXCEPTION);
    ck_assert_uint_eq(m->cpu.fault.vector, EXC_DB);
    ck_assert_uint_eq(m->cpu.RIP, rip);
    ck_assert_uint_eq(m->cpu.dr[6] & DR6_BS, DR6_BS);
}

#define EXIT_CODE 0xb0, 0x11, 0xe6, 0xf4 /* mov al, 0x11; out 0xf4, al */

/* --- single step (SDM 17.3.1.4) --- */

START_TEST(test_events_tf_traps_after_each_instruction)
{
    static const uint8_t code[] = {0x90, 0x90, EXIT_CODE};
    Machine *m = ev_machine();
    set_flags(m, RFLAGS_TF);
    assert_single_step(m, gp_run(m, code, sizeof(code), 10), GP_CODE + 1);
    ck_assert_uint_eq(m->cpu.insns, 1);
    ck_assert_uint_eq(m->cpu.dr[6] & DR6_B_MASK, 0);
    machine_destroy(m);
}
END_TEST

START_TEST(test_events_tf_clear_no_trap)
{
    static const uint8_t code[] = {0x90, 0x90, EXIT_CODE};
    Machine *m = ev_machine();
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 10), STOP_GUEST_EXIT);
    ck_assert_uint_eq(m->cpu.dr[6] & DR6_BS, 0);
    machine_destroy(m);
}
END_TEST

/* The #DB handler runs with TF = 0 (SDM 17.3.1.4: "The processor clears the
 * TF flag before calling the exception handler"), RF = 0 pushed for a trap. */
START_TEST(test_events_tf_trap_delivered_clears_tf)
{
    static const uint8_t code[] = {0x90, 0x90, EXIT_CODE};
    Machine *m = ev_machine();
    m->cpu.exception_stop_mask = 0;
    set_flags(m, RFLAGS_TF);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 10), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), exit_code_of(EXC_DB));
    ck_assert_uint_eq(stack_dword(m, 0), GP_CODE + 1);
    ck_assert_uint_eq(stack_dword(m, 2) & (RFLAGS_TF | RFLAGS_RF), RFLAGS_TF);
    ck_assert_uint_eq(m->cpu.rflags & RFLAGS_TF, 0);
    machine_destroy(m);
}
END_TEST

/* POPF that sets TF: no trap after the POPF, one after the next instruction. */
START_TEST(test_events_popf_setting_tf_traps_after_next)
{
    static const uint8_t code[] = {0x68, 0x02, 0x01, 0x00, 0x00, /* push 0x102 */
                                   0x9d, 0x90, 0x90, EXIT_CODE}; /* popf; nop; nop */
    Machine *m = ev_machine();
    assert_single_step(m, gp_run(m, code, sizeof(code), 10), GP_CODE + 7);
    ck_assert_uint_eq(m->cpu.insns, 3);
    machine_destroy(m);
}
END_TEST

/* The same when the POPF's block has run before and its successor is known:
 * blocks that can change TF are never linked past the event checks. */
START_TEST(test_events_popf_in_loop_sets_tf_on_third_pass)
{
    static const uint8_t code[] = {0x9d, 0x49, 0x75, 0xfc, EXIT_CODE}; /* 1: popf; dec ecx; jnz 1b */
    static const uint32_t images[] = {0x2, 0x2, 0x102};
    Machine *m = ev_machine();
    m->cpu.gpr[GPR_RSP] = 0x7ff4;
    test_poke(m, 0x7ff4, images, sizeof(images));
    m->cpu.gpr[GPR_RCX] = 3;
    assert_single_step(m, gp_run(m, code, sizeof(code), 20), GP_CODE + 2);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RCX], 0);
    machine_destroy(m);
}
END_TEST

/* POPF that clears TF still traps: TF was set when it began. */
START_TEST(test_events_popf_clearing_tf_traps_after_popf)
{
    static const uint8_t code[] = {0x9d, 0x90, EXIT_CODE}; /* popf; nop */
    Machine *m = ev_machine();
    m->cpu.gpr[GPR_RSP] = 0x7ffc;
    gp_poke64(m, 0x7ffc, 0x2);
    set_flags(m, RFLAGS_TF);
    assert_single_step(m, gp_run(m, code, sizeof(code), 10), GP_CODE + 1);
    ck_assert_uint_eq(m->cpu.rflags & RFLAGS_TF, 0);
    machine_destroy(m);
}
END_TEST

/* IRET that sets TF: the trap follows the first instruction at the target. */
START_TEST(test_events_iret_setting_tf_traps_after_first_target_insn)
{
    static const uint8_t code[] = {0xcf}; /* iret */
    static const uint8_t target[] = {0x90, 0x90, EXIT_CODE};
    Machine *m = ev_machine();
    test_poke(m, GP_CODE + 0x10, target, sizeof(target));
    m->cpu.gpr[GPR_RSP] = 0x7ff4;
    uint32_t frame[3] = {GP_CODE + 0x10, 0x08, 0x102};
    test_poke(m, 0x7ff4, frame, sizeof(frame));
    assert_single_step(m, gp_run(m, code, sizeof(code), 10), GP_CODE + 0x11);
    ck_assert_uint_eq(m->cpu.insns, 2);
    machine_destroy(m);
}
END_TEST

/* INT n and INT3 clear TF on delivery: no single-step trap into the handler. */
START_TEST(test_events_int_n_with_tf_no_trap_into_handler)
{
    static const uint8_t int30[] = {0xcd, 0x30}, int3[] = {0xcc};
    for (unsigned i = 0; i < 2; i++) {
        Machine *m = ev_machine();
        set_flags(m, RFLAGS_TF);
        MachineStop st = i ? gp_run(m, int3, 1, 10) : gp_run(m, int30, 2, 10);
        ck_assert_int_eq(st, STOP_GUEST_EXIT);
        ck_assert_int_eq(machine_exit_code(m), exit_code_of(0x30));
        ck_assert_uint_eq(m->cpu.dr[6] & DR6_BS, 0);
        machine_destroy(m);
    }
}
END_TEST

/* INTO with OF = 0 delivers nothing: it is single-stepped like any other. */
START_TEST(test_events_into_not_taken_traps)
{
    static const uint8_t code[] = {0xce, EXIT_CODE}; /* into */
    Machine *m = ev_machine();
    set_flags(m, RFLAGS_TF);
    assert_single_step(m, gp_run(m, code, sizeof(code), 10), GP_CODE + 1);
    machine_destroy(m);
}
END_TEST

/* REP STOSB single-steps per iteration; the trap after a non-last iteration
 * leaves RIP at the instruction and pushes RF = 1 (SDM 17.3.1.1). */
START_TEST(test_events_rep_string_traps_after_each_iteration)
{
    static const uint8_t code[] = {0xf3, 0xaa, EXIT_CODE}; /* rep stosb */
    Machine *m = ev_machine();
    m->cpu.gpr[GPR_RCX] = 3;
    m->cpu.gpr[GPR_RDI] = GP_DATA;
    m->cpu.gpr[GPR_RAX] = 0xaa;
    set_flags(m, RFLAGS_TF);
    assert_single_step(m, gp_run(m, code, sizeof(code), 10), GP_CODE);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RCX], 2);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RDI], GP_DATA + 1);
    ck_assert_uint_eq(gp_peek(m, GP_DATA, 2), 0xaa);
    ck_assert_uint_eq(m->cpu.rflags & RFLAGS_RF, RFLAGS_RF);
    machine_destroy(m);
}
END_TEST

START_TEST(test_events_rep_string_last_iteration_trap_after_insn)
{
    static const uint8_t code[] = {0xf3, 0xaa, EXIT_CODE};
    for (uint64_t count = 0; count < 2; count++) {
        Machine *m = ev_machine();
        m->cpu.gpr[GPR_RCX] = count;
        m->cpu.gpr[GPR_RDI] = GP_DATA;
        set_flags(m, RFLAGS_TF);
        assert_single_step(m, gp_run(m, code, sizeof(code), 10), GP_CODE + 2);
        ck_assert_uint_eq(m->cpu.gpr[GPR_RCX], 0);
        ck_assert_uint_eq(m->cpu.gpr[GPR_RDI], GP_DATA + count);
        ck_assert_uint_eq(m->cpu.rflags & RFLAGS_RF, 0);
        machine_destroy(m);
    }
}
END_TEST

/* REPE CMPSB stops on the first mismatch, single-stepped too. */
START_TEST(test_events_repe_cmps_single_step_stops_on_mismatch)
{
    static const uint8_t code[] = {0xf3, 0xa6, EXIT_CODE}; /* repe cmpsb */
    static const uint8_t a[] = {1, 2, 3}, b[] = {1, 9, 3};
    Machine *m = ev_machine();
    test_poke(m, GP_DATA, a, 3);
    test_poke(m, GP_DATA + 0x10, b, 3);
    m->cpu.gpr[GPR_RCX] = 3;
    m->cpu.gpr[GPR_RSI] = GP_DATA;
    m->cpu.gpr[GPR_RDI] = GP_DATA + 0x10;
    set_flags(m, RFLAGS_TF);
    assert_single_step(m, gp_run(m, code, sizeof(code), 10), GP_CODE);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RCX], 2);
    m->cpu.ev.dr6_pending = 0; /* as if a debugger had taken the trap */
    assert_single_step(m, machine_run(m, 10), GP_CODE + 2);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RCX], 1);
    machine_destroy(m);
}
END_TEST

/* MOV SS and POP SS hold the single-step trap until after the next
 * instruction (SDM 6.8.3); MOV DS does not. */
START_TEST(test_events_mov_ss_delays_single_step)
{
    static const uint8_t mov_ss[] = {0x8e, 0xd0, 0x90, 0x90, EXIT_CODE}; /* mov ss, ax; nop */
    static const uint8_t pop_ss[] = {0x17, 0x90, 0x90, EXIT_CODE};       /* pop ss; nop */
    Machine *m = ev_machine();
    m->cpu.gpr[GPR_RAX] = 0x10;
    set_flags(m, RFLAGS_TF);
    assert_single_step(m, gp_run(m, mov_ss, sizeof(mov_ss), 10), GP_CODE + 3);
    ck_assert_uint_eq(m->cpu.insns, 2);
    machine_destroy(m);
    m = ev_machine();
    m->cpu.gpr[GPR_RSP] = 0x7ffc;
    gp_poke64(m, 0x7ffc, 0x10);
    set_flags(m, RFLAGS_TF);
    assert_single_step(m, gp_run(m, pop_ss, sizeof(pop_ss), 10), GP_CODE + 2);
    machine_destroy(m);
}
END_TEST

START_TEST(test_events_mov_ds_does_not_delay_single_step)
{
    static const uint8_t code[] = {0x8e, 0xd8, 0x90, EXIT_CODE}; /* mov ds, ax; nop */
    Machine *m = ev_machine();
    m->cpu.gpr[GPR_RAX] = 0x10;
    set_flags(m, RFLAGS_TF);
    assert_single_step(m, gp_run(m, code, sizeof(code), 10), GP_CODE + 2);
    machine_destroy(m);
}
END_TEST

/* --- maskable interrupts and the STI / MOV SS shadows --- */

/* IF = 1 and INTR asserted: delivered at the first boundary, through the
 * vector the controller acknowledges, with the RIP of the next instruction. */
START_TEST(test_events_intr_delivered_when_if_set)
{
    static const uint8_t code[] = {0x90, EXIT_CODE};
    FakePic pic = {0};
    Machine *m = ev_machine();
    attach_pic(m, &pic, false);
    set_flags(m, RFLAGS_IF);
    pic_set_intr(m, &pic, true);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 10), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), exit_code_of(INTR_VECTOR));
    ck_assert_int_eq(pic.acks, 1);
    ck_assert_uint_eq(stack_dword(m, 0), GP_CODE);
    ck_assert_uint_eq(m->cpu.rflags & RFLAGS_IF, 0); /* interrupt gate */
    machine_destroy(m);
}
END_TEST

START_TEST(test_events_intr_masked_when_if_clear)
{
    static const uint8_t code[] = {0x90, EXIT_CODE};
    FakePic pic = {0};
    Machine *m = ev_machine();
    attach_pic(m, &pic, false);
    pic_set_intr(m, &pic, true);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 10), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), exit_code_of(0x11));
    ck_assert_int_eq(pic.acks, 0);
    machine_destroy(m);
}
END_TEST

/* The interrupt request went away before the acknowledge: nothing is delivered. */
static int pic_ack_spurious(void *o)
{
    ((FakePic *)o)->acks++;
    return -1;
}

START_TEST(test_events_intr_withdrawn_delivers_nothing)
{
    static const uint8_t code[] = {0x90, EXIT_CODE};
    FakePic pic = {.intr = true};
    Machine *m = ev_machine();
    IntrController ic = {&pic, fake_pic_intr, pic_ack_spurious, NULL, NULL, NULL, NULL};
    machine_attach_intr_controller(m, &ic);
    set_flags(m, RFLAGS_IF);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 10), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), exit_code_of(0x11));
    ck_assert_int_eq(pic.acks, 1);
    machine_destroy(m);
}
END_TEST

/* STI with IF = 0 blocks INTR until after the next instruction. */
START_TEST(test_events_sti_shadow_delays_intr_one_instruction)
{
    static const uint8_t code[] = {0xfb, 0x90, 0x90, EXIT_CODE}; /* sti; nop; nop */
    FakePic pic = {0};
    Machine *m = ev_machine();
    attach_pic(m, &pic, false);
    pic_set_intr(m, &pic, true);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 10), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), exit_code_of(INTR_VECTOR));
    ck_assert_uint_eq(stack_dword(m, 0), GP_CODE + 2);
    machine_destroy(m);
}
END_TEST

/* STI with IF = 1 already makes no shadow. */
START_TEST(test_events_sti_with_if_set_no_shadow)
{
    static const uint8_t code[] = {0xfb, 0x90, 0x90, EXIT_CODE};
    FakePic pic = {0};
    Machine *m = ev_machine();
    attach_pic(m, &pic, false);
    set_flags(m, RFLAGS_IF);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET); /* the STI */
    ck_assert(!m->cpu.sti_shadow);
    pic_set_intr(m, &pic, true);
    ck_assert_int_eq(machine_run(m, 10), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), exit_code_of(INTR_VECTOR));
    ck_assert_uint_eq(stack_dword(m, 0), GP_CODE + 1);
    machine_destroy(m);
}
END_TEST

/* MOV SS blocks INTR and NMI for one instruction; MOV DS blocks nothing. */
static void check_ss_shadow(bool nmi, bool ss)
{
    uint8_t code[] = {0x8e, ss ? 0xd0 : 0xd8, 0x90, 0x90, EXIT_CODE};
    FakePic pic = {0};
    Machine *m = ev_machine();
    attach_pic(m, &pic, false);
    set_flags(m, RFLAGS_IF);
    m->cpu.gpr[GPR_RAX] = 0x10;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    if (nmi)
        machine_raise_nmi(m);
    else
        pic_set_intr(m, &pic, true);
    ck_assert_int_eq(machine_run(m, 10), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), exit_code_of(nmi ? EXC_NMI : INTR_VECTOR));
    ck_assert_uint_eq(stack_dword(m, 0), GP_CODE + (ss ? 3 : 2));
    machine_destroy(m);
}

START_TEST(test_events_mov_ss_shadow_blocks_intr)
{
    check_ss_shadow(false, true);
    check_ss_shadow(false, false);
}
END_TEST

START_TEST(test_events_mov_ss_shadow_blocks_nmi)
{
    check_ss_shadow(true, true);
    check_ss_shadow(true, false);
}
END_TEST

/* STI blocks INTR, not NMI (vmxsim's choice where SDM Vol. 2 STI says NMIs
 * "may be blocked"): an NMI right after STI is taken at once. */
START_TEST(test_events_sti_shadow_does_not_block_nmi)
{
    static const uint8_t code[] = {0xfb, 0x90, 0x90, EXIT_CODE};
    Machine *m = ev_machine();
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert(m->cpu.sti_shadow);
    machine_raise_nmi(m);
    ck_assert_int_eq(machine_run(m, 10), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), exit_code_of(EXC_NMI));
    ck_assert_uint_eq(stack_dword(m, 0), GP_CODE + 1);
    machine_destroy(m);
}
END_TEST

/* --- NMI (SDM 6.7, 6.7.1) --- */

START_TEST(test_events_nmi_ignores_if)
{
    static const uint8_t code[] = {0x90, EXIT_CODE};
    Machine *m = ev_machine();
    machine_raise_nmi(m);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 10), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), exit_code_of(EXC_NMI));
    ck_assert_uint_eq(stack_dword(m, 0), GP_CODE);
    ck_assert(m->cpu.nmi_blocked);
    machine_destroy(m);
}
END_TEST

/* An NMI during the NMI handler waits for the IRET. */
START_TEST(test_events_nmi_blocked_until_iret)
{
    static const uint8_t code[] = {0xeb, 0xfe};                              /* jmp $ */
    static const uint8_t handler[] = {0xff, 0x05, 0x00, 0x30, 0, 0, 0x90, 0xcf}; /* inc [DATA]; nop; iret */
    Machine *m = ev_machine();
    test_poke(m, NMI_HANDLER, handler, sizeof(handler));
    machine_raise_nmi(m);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET); /* NMI, then the INC */
    ck_assert_uint_eq(gp_peek(m, GP_DATA, 4), 1);
    machine_raise_nmi(m);
    ck_assert_int_eq(machine_run(m, 1), STOP_BUDGET); /* NOP: the NMI is held */
    ck_assert_uint_eq(m->cpu.RIP, NMI_HANDLER + 7);
    ck_assert_int_eq(machine_run(m, 1), STOP_BUDGET); /* IRET ends the blocking */
    ck_assert(!m->cpu.nmi_blocked);
    ck_assert_int_eq(machine_run(m, 1), STOP_BUDGET); /* the held NMI, then the INC */
    ck_assert_uint_eq(gp_peek(m, GP_DATA, 4), 2);
    machine_destroy(m);
}
END_TEST

/* An NMI edge latched by the controller is taken at the next boundary. */
START_TEST(test_events_nmi_from_controller)
{
    static const uint8_t code[] = {0x90, EXIT_CODE};
    FakePic pic = {0};
    Machine *m = ev_machine();
    attach_pic(m, &pic, true);
    pic.nmi = true;
    signals_raise(&m->signals, SIGNAL_INTR);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 10), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), exit_code_of(EXC_NMI));
    machine_destroy(m);
}
END_TEST

/* --- priority (SDM 6.9 Table 6-2) --- */

START_TEST(test_events_nmi_before_intr)
{
    static const uint8_t code[] = {0x90, EXIT_CODE};
    FakePic pic = {0};
    Machine *m = ev_machine();
    attach_pic(m, &pic, false);
    set_flags(m, RFLAGS_IF);
    pic_set_intr(m, &pic, true);
    machine_raise_nmi(m);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 10), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), exit_code_of(EXC_NMI));
    ck_assert_int_eq(pic.acks, 0); /* the NMI gate cleared IF: INTR still pending */
    machine_destroy(m);
}
END_TEST

/* A single-step trap (class 4) comes before INTR (class 6); with a trap gate
 * (IF stays 1) the interrupt is taken before the #DB handler's first
 * instruction (SDM 17.3.1.4). */
START_TEST(test_events_single_step_before_intr)
{
    static const uint8_t code[] = {0x90, 0x90, EXIT_CODE};
    FakePic pic = {0};
    Machine *m = ev_machine();
    m->cpu.exception_stop_mask = 0;
    install_gate(m, EXC_DB, DB_HANDLER, true);
    attach_pic(m, &pic, false);
    set_flags(m, RFLAGS_IF | RFLAGS_TF);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET); /* the NOP; trap pending */
    pic_set_intr(m, &pic, true);
    ck_assert_int_eq(machine_run(m, 10), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), exit_code_of(INTR_VECTOR));
    ck_assert_uint_eq(stack_dword(m, 0), DB_HANDLER);  /* interrupted the #DB handler */
    ck_assert_uint_eq(stack_dword(m, 3), GP_CODE + 1); /* the #DB frame below */
    machine_destroy(m);
}
END_TEST

/* --- HLT (SDM Vol. 2 HLT) --- */

START_TEST(test_events_hlt_woken_by_intr)
{
    static const uint8_t code[] = {0xf4, EXIT_CODE}; /* hlt */
    FakePic pic = {0};
    Machine *m = ev_machine();
    attach_pic(m, &pic, false);
    set_flags(m, RFLAGS_IF);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 10), STOP_BUDGET); /* waiting */
    ck_assert_int_eq(m->cpu.activity, ACTIVITY_HLT);
    pic_set_intr(m, &pic, true);
    ck_assert_int_eq(machine_run(m, 10), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), exit_code_of(INTR_VECTOR));
    ck_assert_uint_eq(stack_dword(m, 0), GP_CODE + 1); /* the instruction after HLT */
    machine_destroy(m);
}
END_TEST

/* STI; HLT with INTR already asserted: the shadow covers HLT, then the
 * interrupt wakes the CPU at once. */
START_TEST(test_events_sti_hlt_wakes_with_pending_intr)
{
    static const uint8_t code[] = {0xfb, 0xf4, EXIT_CODE}; /* sti; hlt */
    FakePic pic = {0};
    Machine *m = ev_machine();
    attach_pic(m, &pic, false);
    pic_set_intr(m, &pic, true);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 10), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), exit_code_of(INTR_VECTOR));
    ck_assert_uint_eq(stack_dword(m, 0), GP_CODE + 2);
    machine_destroy(m);
}
END_TEST

START_TEST(test_events_hlt_halted_when_nothing_can_wake)
{
    static const uint8_t code[] = {0xf4, EXIT_CODE};
    FakePic pic = {0};
    Machine *m = ev_machine(); /* no controller */
    set_flags(m, RFLAGS_IF);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 10), STOP_HALTED);
    machine_destroy(m);
    m = ev_machine(); /* a controller that can request nothing */
    attach_pic(m, &pic, false);
    pic.can_request = false;
    set_flags(m, RFLAGS_IF);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 10), STOP_HALTED);
    machine_destroy(m);
    m = ev_machine(); /* IF = 0 and no NMI source */
    attach_pic(m, &pic, false);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 10), STOP_HALTED);
    machine_destroy(m);
}
END_TEST

START_TEST(test_events_hlt_with_if_clear_woken_by_nmi)
{
    static const uint8_t code[] = {0xf4, EXIT_CODE};
    Machine *m = ev_machine();
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 10), STOP_HALTED);
    machine_raise_nmi(m);
    ck_assert_int_eq(machine_run(m, 10), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), exit_code_of(EXC_NMI));
    ck_assert_uint_eq(stack_dword(m, 0), GP_CODE + 1);
    machine_destroy(m);
}
END_TEST

/* --- RF in the pushed image (SDM 17.3.1.1) --- */

START_TEST(test_events_fault_pushes_rf_soft_int_does_not)
{
    static const uint8_t ud2[] = {0x0f, 0x0b}, int30[] = {0xcd, 0x30};
    Machine *m = ev_machine();
    install_gate(m, EXC_UD, SOFT_HANDLER, false);
    ck_assert_int_eq(gp_run(m, ud2, sizeof(ud2), 10), STOP_GUEST_EXIT);
    ck_assert_uint_eq(stack_dword(m, 0), GP_CODE);
    ck_assert_uint_eq(stack_dword(m, 2) & RFLAGS_RF, RFLAGS_RF);
    ck_assert_uint_eq(m->cpu.rflags & RFLAGS_RF, 0); /* the handler runs with RF = 0 */
    machine_destroy(m);
    m = ev_machine();
    ck_assert_int_eq(gp_run(m, int30, sizeof(int30), 10), STOP_GUEST_EXIT);
    ck_assert_uint_eq(stack_dword(m, 2) & RFLAGS_RF, 0);
    machine_destroy(m);
}
END_TEST

/* RF is cleared by the next instruction that completes. */
START_TEST(test_events_rf_cleared_after_next_instruction)
{
    static const uint8_t code[] = {0x90, 0x90, EXIT_CODE};
    Machine *m = ev_machine();
    set_flags(m, RFLAGS_RF);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.rflags & RFLAGS_RF, 0);
    machine_destroy(m);
}
END_TEST

static Suite *events_suite(void)
{
    Suite *s = suite_create("events");
    TCase *tc = tcase_create("single_step");
    tcase_add_test(tc, test_events_tf_traps_after_each_instruction);
    tcase_add_test(tc, test_events_tf_clear_no_trap);
    tcase_add_test(tc, test_events_tf_trap_delivered_clears_tf);
    tcase_add_test(tc, test_events_popf_setting_tf_traps_after_next);
    tcase_add_test(tc, test_events_popf_in_loop_sets_tf_on_third_pass);
    tcase_add_test(tc, test_events_popf_clearing_tf_traps_after_popf);
    tcase_add_test(tc, test_events_iret_setting_tf_traps_after_first_target_insn);
    tcase_add_test(tc, test_events_int_n_with_tf_no_trap_into_handler);
    tcase_add_test(tc, test_events_into_not_taken_traps);
    tcase_add_test(tc, test_events_rep_string_traps_after_each_iteration);
    tcase_add_test(tc, test_events_rep_string_last_iteration_trap_after_insn);
    tcase_add_test(tc, test_events_repe_cmps_single_step_stops_on_mismatch);
    tcase_add_test(tc, test_events_mov_ss_delays_single_step);
    tcase_add_test(tc, test_events_mov_ds_does_not_delay_single_step);
    suite_add_tcase(s, tc);
    tc = tcase_create("interrupts");
    tcase_add_test(tc, test_events_intr_delivered_when_if_set);
    tcase_add_test(tc, test_events_intr_masked_when_if_clear);
    tcase_add_test(tc, test_events_intr_withdrawn_delivers_nothing);
    tcase_add_test(tc, test_events_sti_shadow_delays_intr_one_instruction);
    tcase_add_test(tc, test_events_sti_with_if_set_no_shadow);
    tcase_add_test(tc, test_events_sti_shadow_does_not_block_nmi);
    tcase_add_test(tc, test_events_mov_ss_shadow_blocks_intr);
    tcase_add_test(tc, test_events_mov_ss_shadow_blocks_nmi);
    tcase_add_test(tc, test_events_nmi_ignores_if);
    tcase_add_test(tc, test_events_nmi_blocked_until_iret);
    tcase_add_test(tc, test_events_nmi_from_controller);
    tcase_add_test(tc, test_events_nmi_before_intr);
    tcase_add_test(tc, test_events_single_step_before_intr);
    suite_add_tcase(s, tc);
    tc = tcase_create("halt_and_rf");
    tcase_add_test(tc, test_events_hlt_woken_by_intr);
    tcase_add_test(tc, test_events_sti_hlt_wakes_with_pending_intr);
    tcase_add_test(tc, test_events_hlt_halted_when_nothing_can_wake);
    tcase_add_test(tc, test_events_hlt_with_if_clear_woken_by_nmi);
    tcase_add_test(tc, test_events_fault_pushes_rf_soft_int_does_not);
    tcase_add_test(tc, test_events_rf_cleared_after_next_instruction);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(events_suite)
