/*
 * 64-bit IDT delivery at CPL 0 (no privilege change): the stack the frame
 * goes to.  SDM Vol. 3A 6.14.5 "Interrupt Stack Table": a gate with IST = n
 * loads RSP from TSS.ISTn whatever the CPL; 6.14.2 "64-Bit Mode Stack
 * Frame": the new RSP is aligned down to 16 bytes before SS, RSP, RFLAGS,
 * CS and RIP are pushed, also when the stack is not switched (IST = 0 at
 * the same CPL).  The saved RSP is the interrupted one, unaligned; SS is
 * not changed without a privilege change (6.14.4 "Stack Switching in
 * IA-32e Mode").
 */
#include "check_main.h"
#include "gp_support.h"
#include "sim/cpu/exceptions.h"

#define IDT_BASE 0x5000u
#define TSS_BASE 0x4000u
#define HANDLER 0x2000u
#define IST1_TOP 0x9008u /* not 16-byte aligned */
#define CS64 0x20u
#define SS_FLAT 0x10u

/* 64-bit interrupt gate (type 0EH) to CS64:target with `ist` (SDM 6.14.1 Figure 6-8). */
static void install_gate64(Machine *m, unsigned vector, uint64_t target, unsigned ist) {
    uint64_t gate[2] = {(target & 0xffffu) | ((uint64_t)CS64 << 16) | ((uint64_t)ist << 32) |
                            (UINT64_C(0x8e) << 40) | (((target >> 16) & 0xffffu) << 48),
                        target >> 32};
    test_poke(m, IDT_BASE + 16 * vector, gate, sizeof(gate));
}

/* 64-bit mode at CPL 0 with a 64-bit TSS (IST1 at offset 36, SDM 7.7
 * "Task Management in 64-bit Mode") and a #UD handler that
 * writes the debug-exit port without touching the stack. */
static Machine *idt64_machine(unsigned ist) {
    Machine *m = gp_long64();
    CpuState *c = &m->cpu;
    uint64_t ist1 = IST1_TOP;
    test_poke(m, TSS_BASE + 36, &ist1, 8);
    c->seg[SEG_TR] = (Segment){0x38, 0x67, 0xb | AR_P, TSS_BASE};
    c->idtr = (DescTable){IDT_BASE, 256 * 16 - 1};
    install_gate64(m, EXC_UD, HANDLER, ist);
    static const uint8_t exit_ud[] = {0xb0, EXC_UD, 0xe6, 0xf4}; /* mov al, 6; out 0xf4, al */
    test_poke(m, HANDLER, exit_ud, sizeof(exit_ud));
    c->exception_stop_mask = 0;
    return m;
}

typedef struct Idt64Case {
    const char *what;
    unsigned ist;
    uint64_t rsp;   /* at the UD2 */
    uint64_t frame; /* where the handler's RSP must point: the pushed RIP */
} Idt64Case;

static const Idt64Case idt64_cases[] = {
    {"IST=1: TSS.IST1 aligned down, even at CPL 0", 1, 0x7ff8, (IST1_TOP & ~0xfu) - 40},
    {"IST=1 with an aligned RSP", 1, 0x8000, (IST1_TOP & ~0xfu) - 40},
    {"IST=0: same stack, RSP aligned down first", 0, 0x7ff8, 0x7ff0 - 40},
    {"IST=0 with an aligned RSP: no gap", 0, 0x8000, 0x8000 - 40},
};

static uint64_t mem64(Machine *m, uint64_t pa) {
    return gp_peek(m, pa, 8);
}

START_TEST(test_idt64_frame_stack) {
    const Idt64Case *t = &idt64_cases[_i];
    Machine *m = idt64_machine(t->ist);
    static const uint8_t ud2[] = {0x0f, 0x0b};
    m->cpu.gpr[GPR_RSP] = t->rsp;
    ck_assert_msg(gp_run(m, ud2, sizeof(ud2), 10) == STOP_GUEST_EXIT, "%s", t->what);
    ck_assert_int_eq(machine_exit_code(m), (EXC_UD << 1) | 1);
    ck_assert_msg(m->cpu.gpr[GPR_RSP] == t->frame, "%s: handler RSP %#llx", t->what,
                  (unsigned long long)m->cpu.gpr[GPR_RSP]);
    ck_assert_uint_eq(mem64(m, t->frame), GP_CODE);
    ck_assert_uint_eq(mem64(m, t->frame + 8), CS64);
    ck_assert_uint_eq(mem64(m, t->frame + 24), t->rsp); /* the interrupted RSP, unaligned */
    ck_assert_uint_eq(mem64(m, t->frame + 32), SS_FLAT);
    ck_assert_uint_eq(m->cpu.seg[SEG_SS].selector, SS_FLAT);
    if (t->ist) /* the interrupted stack was not written */
        ck_assert_uint_eq(mem64(m, t->rsp - 8), 0);
    else /* nor the IST stack */
        ck_assert_uint_eq(mem64(m, (IST1_TOP & ~0xfu) - 8), 0);
    machine_destroy(m);
}
END_TEST

static Suite *suite(void) {
    Suite *s = suite_create("idt64");
    TCase *tc = tcase_create("stack");
    tcase_add_loop_test(tc, test_idt64_frame_stack, 0, SIM_ARRAY_SIZE(idt64_cases));
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(suite)
