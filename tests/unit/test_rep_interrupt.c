/*
 * RF in the RFLAGS image an ordinary interrupt gate pushes for an external
 * interrupt taken inside a REP string instruction (SDM Vol. 3B 17.3.1.1
 * "Instruction-Breakpoint Exception Condition": the processor sets RF in
 * the image pushed for "any interrupt that occurs after any iteration of a
 * repeated string instruction but the last", so the restarted instruction
 * does not raise its instruction breakpoint again; SDM Vol. 2 "REP":
 * the saved RIP is that of the string instruction, the count register
 * holds the iterations left).  The other side: an interrupt taken after the
 * last iteration pushes the RF of the next boundary (0) and the next RIP.
 * Delivered through a 32-bit gate (6.12.1) and a 64-bit gate (6.14.2).
 * The interrupt is raised by the string instruction itself: REP OUTSB to a
 * port whose write asserts INTR, so it becomes pending during the first
 * chunk of STRING_CHUNK iterations (string_repeat.h).
 */
#include "check_main.h"
#include "fake_intc.h"
#include "gp_support.h"
#include "sim/cpu/string_repeat.h"

#define IDT_BASE 0x5000u
#define HANDLER 0x2000u
#define INTR_VECTOR 0x40u
#define INTR_PORT 0xe0u

/* --- machines: an interrupt gate for INTR_VECTOR to a handler that exits --- */

static void install_handler(Machine *m) {
    static const uint8_t exit_intr[] = {0xb0, INTR_VECTOR, 0xe6, 0xf4}; /* mov al; out 0xf4 */
    test_poke(m, HANDLER, exit_intr, sizeof(exit_intr));
    m->cpu.exception_stop_mask = 0;
}

/* 32-bit interrupt gate (type 0EH) to 08H:HANDLER (SDM 6.11 Figure 6-2). */
static Machine *rep_machine32(void) {
    Machine *m = gp_flat32();
    uint64_t gate = HANDLER | (UINT64_C(0x08) << 16) | (UINT64_C(0x8e) << 40);
    test_poke(m, IDT_BASE + 8 * INTR_VECTOR, &gate, 8);
    m->cpu.idtr = (DescTable){IDT_BASE, 256 * 8 - 1};
    install_handler(m);
    return m;
}

/* 64-bit interrupt gate to 20H:HANDLER, IST = 0 (SDM 6.14.1 Figure 6-8). */
static Machine *rep_machine64(void) {
    Machine *m = gp_long64();
    uint64_t gate[2] = {HANDLER | (UINT64_C(0x20) << 16) | (UINT64_C(0x8e) << 40), 0};
    test_poke(m, IDT_BASE + 16 * INTR_VECTOR, gate, sizeof(gate));
    m->cpu.idtr = (DescTable){IDT_BASE, 256 * 16 - 1};
    install_handler(m);
    return m;
}

typedef struct RepCase {
    const char *what;
    bool long_mode;
    uint64_t count; /* RCX before REP OUTSB */
    uint64_t rip;   /* the pushed RIP */
    uint64_t rf;    /* RF in the pushed RFLAGS */
    uint64_t left;  /* RCX in the handler */
} RepCase;

static const RepCase rep_cases[] = {
    {"32-bit gate, between iterations", false, STRING_CHUNK + 2, GP_CODE, RFLAGS_RF, 2},
    {"32-bit gate, after the last iteration", false, 1, GP_CODE + 2, 0, 0},
    {"64-bit gate, between iterations", true, STRING_CHUNK + 2, GP_CODE, RFLAGS_RF, 2},
    {"64-bit gate, after the last iteration", true, 1, GP_CODE + 2, 0, 0},
};

/* The pushed RIP and RFLAGS: slots 0 and 2 of the frame (4 or 8 bytes). */
static uint64_t frame_slot(Machine *m, const RepCase *t, unsigned slot) {
    unsigned size = t->long_mode ? 8 : 4;
    return gp_peek(m, m->cpu.gpr[GPR_RSP] + size * slot, size);
}

START_TEST(test_rep_intr_pushes_rf) {
    const RepCase *t = &rep_cases[_i];
    Machine *m = t->long_mode ? rep_machine64() : rep_machine32();
    FakePic pic = {0};
    fake_pic_attach(m, &pic, INTR_VECTOR, false);
    fake_pic_raise_on_port(&pic, INTR_PORT);
    cpu_set_rflags(&m->cpu, RFLAGS_FIXED1 | RFLAGS_IF);
    m->cpu.gpr[GPR_RCX] = t->count;
    m->cpu.gpr[GPR_RDX] = INTR_PORT;
    m->cpu.gpr[GPR_RSI] = GP_DATA;
    static const uint8_t rep_outsb_nop[] = {0xf3, 0x6e, 0x90};
    ck_assert_msg(gp_run(m, rep_outsb_nop, sizeof(rep_outsb_nop), 10) == STOP_GUEST_EXIT, "%s",
                  t->what);
    ck_assert_int_eq(machine_exit_code(m), (INTR_VECTOR << 1) | 1);
    ck_assert_msg(frame_slot(m, t, 0) == t->rip, "%s: pushed RIP %#llx", t->what,
                  (unsigned long long)frame_slot(m, t, 0));
    ck_assert_msg((frame_slot(m, t, 2) & RFLAGS_RF) == t->rf, "%s: pushed RFLAGS %#llx", t->what,
                  (unsigned long long)frame_slot(m, t, 2));
    ck_assert_uint_eq(frame_slot(m, t, 2) & RFLAGS_IF, RFLAGS_IF);
    ck_assert_uint_eq(m->cpu.rflags & (RFLAGS_RF | RFLAGS_IF), 0); /* interrupt gate */
    ck_assert_uint_eq(m->cpu.gpr[GPR_RCX], t->left);
    machine_destroy(m);
}
END_TEST

static Suite *suite(void) {
    Suite *s = suite_create("rep_interrupt");
    TCase *tc = tcase_create("rf");
    tcase_add_loop_test(tc, test_rep_intr_pushes_rf, 0, SIM_ARRAY_SIZE(rep_cases));
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(suite)
