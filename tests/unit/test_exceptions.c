/* Exception delivery in 32-bit protected mode (SDM Vol. 3A 6.12, 6.15):
 * faults report the faulting EIP, traps the next one, double and triple faults. */
#include "check_main.h"
#include "test_support.h"

#define IDT_BASE 0x5000u
#define GDT_BASE 0x6000u
#define HANDLER 0x2000u

/* GDT: null, 0x08 flat 32-bit code, 0x10 flat data. */
static void install_gdt(Machine *m)
{
    static const uint64_t gdt[] = {0, 0x00cf9b000000ffffull, 0x00cf93000000ffffull};
    test_poke(m, GDT_BASE, gdt, sizeof(gdt));
    m->cpu.gdtr = (DescTable){GDT_BASE, sizeof(gdt) - 1};
}

/* 32-bit interrupt gate for `vector` to 0x08:target (SDM 6.11 Figure 6-2). */
static void install_gate(Machine *m, unsigned vector, uint32_t target, unsigned dpl)
{
    uint64_t gate = (target & 0xffffu) | (UINT64_C(0x08) << 16) | ((uint64_t)(0x8e | dpl << 5) << 40) |
                    ((uint64_t)(target >> 16) << 48);
    test_poke(m, IDT_BASE + vector * 8, &gate, 8);
}

/* Handler: mov al, code ; out 0xf4, al */
static void install_handler(Machine *m, uint32_t at, uint8_t code)
{
    uint8_t h[] = {0xb0, code, 0xe6, 0xf4};
    test_poke(m, at, h, sizeof(h));
}

static Machine *machine_with_idt(void)
{
    Machine *m = test_machine();
    install_gdt(m);
    test_enter_flat32(m, 0x1000);
    m->cpu.idtr = (DescTable){IDT_BASE, 256 * 8 - 1};
    return m;
}

static uint32_t stack_dword(Machine *m, unsigned index)
{
    return (uint32_t)mem_phys_read(&m->mem, m->cpu.gpr[GPR_RSP] + 4 * index, 4);
}

START_TEST(test_exc_ud2_delivered_with_faulting_eip)
{
    Machine *m = machine_with_idt();
    static const uint8_t ud2[] = {0x90, 0x0f, 0x0b};
    test_poke(m, 0x1000, ud2, sizeof(ud2));
    install_gate(m, 6, HANDLER, 0);
    install_handler(m, HANDLER, 0x21);
    ck_assert_int_eq(machine_run(m, 100), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), 0x43);
    ck_assert_uint_eq(stack_dword(m, 0), 0x1001); /* EIP of UD2, not after it */
    ck_assert_uint_eq(stack_dword(m, 1), 0x08);   /* CS */
    ck_assert_uint_eq(m->cpu.rflags & RFLAGS_IF, 0);
    machine_destroy(m);
}
END_TEST

START_TEST(test_exc_unimplemented_instruction_raises_ud)
{
    Machine *m = machine_with_idt();
    /* HADDPS xmm0, xmm1: SSE3, which vmxsim does not implement */
    static const uint8_t haddps[] = {0xf2, 0x0f, 0x7c, 0xc1};
    test_poke(m, 0x1000, haddps, sizeof(haddps));
    install_gate(m, 6, HANDLER, 0);
    install_handler(m, HANDLER, 0x22);
    ck_assert_int_eq(machine_run(m, 100), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), 0x45);
    ck_assert_uint_eq(stack_dword(m, 0), 0x1000);
    machine_destroy(m);
}
END_TEST

START_TEST(test_exc_int_n_pushes_next_eip)
{
    Machine *m = machine_with_idt();
    static const uint8_t code[] = {0xcd, 0x30}; /* int 0x30 */
    test_poke(m, 0x1000, code, sizeof(code));
    install_gate(m, 0x30, HANDLER, 0);
    install_handler(m, HANDLER, 0x23);
    ck_assert_int_eq(machine_run(m, 100), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), 0x47);
    ck_assert_uint_eq(stack_dword(m, 0), 0x1002);
    machine_destroy(m);
}
END_TEST

/* #GP pushes an error code; the IDT-limit fault has IDT (bit 1) set (SDM 6.13). */
START_TEST(test_exc_gate_beyond_idt_limit_gp_with_idt_bit)
{
    Machine *m = machine_with_idt();
    static const uint8_t code[] = {0xcd, 0x40}; /* int 0x40, beyond the limit below */
    test_poke(m, 0x1000, code, sizeof(code));
    m->cpu.idtr.limit = 0x40 * 8 - 1;
    install_gate(m, 13, HANDLER, 0);
    install_handler(m, HANDLER, 0x24);
    ck_assert_int_eq(machine_run(m, 100), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), 0x49);
    ck_assert_uint_eq(stack_dword(m, 0), 0x40 * 8 + 2); /* error code */
    ck_assert_uint_eq(stack_dword(m, 1), 0x1000);       /* EIP of INT */
    machine_destroy(m);
}
END_TEST

/* INT n through a gate with DPL < CPL is #GP(vector*8+2) (SDM 6.12.1.1); the
 * #GP handler runs at CPL 0 on the stack from the TSS (SS0:ESP0). */
START_TEST(test_exc_int_n_from_cpl3_to_dpl0_gate_gp)
{
    Machine *m = machine_with_idt();
    uint32_t tss[26] = {0};
    tss[1] = 0x9000; /* ESP0 */
    tss[2] = 0x10;   /* SS0 */
    test_poke(m, 0x7000, tss, sizeof(tss));
    m->cpu.seg[SEG_TR] = (Segment){0x18, 0x67, 0xb | AR_P, 0x7000};
    install_gate(m, 0x30, HANDLER, 0);
    install_gate(m, 13, HANDLER, 0);
    install_handler(m, HANDLER, 0x26);
    m->cpu.seg[SEG_SS].ar |= 3u << AR_DPL_SHIFT; /* CPL 3 */
    cpu_update_mode(&m->cpu);
    static const uint8_t code[] = {0xcd, 0x30};
    test_poke(m, 0x1000, code, sizeof(code));
    ck_assert_int_eq(machine_run(m, 100), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), 0x4d);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x9000 - 6 * 4);
    ck_assert_uint_eq(stack_dword(m, 0), 0x30 * 8 + 2); /* error code */
    ck_assert_uint_eq(stack_dword(m, 1), 0x1000);       /* EIP of INT */
    ck_assert_uint_eq(stack_dword(m, 4), 0x8000);       /* old ESP */
    ck_assert_uint_eq(m->cpu.cpl, 0);
    machine_destroy(m);
}
END_TEST

/* #NP of the #UD gate then #NP of the #NP gate: contributory + contributory
 * is a double fault (SDM 6.15 Table 6-5). */
START_TEST(test_exc_contributory_pair_gives_double_fault)
{
    Machine *m = machine_with_idt();
    static const uint8_t ud2[] = {0x0f, 0x0b};
    test_poke(m, 0x1000, ud2, sizeof(ud2));
    install_gate(m, 8, HANDLER, 0); /* only #DF is present */
    install_handler(m, HANDLER, 0x25);
    ck_assert_int_eq(machine_run(m, 100), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), 0x4b);
    ck_assert_uint_eq(stack_dword(m, 0), 0); /* #DF error code is 0 */
    machine_destroy(m);
}
END_TEST

/* No usable IDT at all: #UD -> #GP -> #DF -> shutdown (triple fault). */
START_TEST(test_exc_no_idt_triple_fault_shutdown)
{
    Machine *m = test_machine();
    static const uint8_t ud2[] = {0x0f, 0x0b};
    test_poke(m, 0x1000, ud2, sizeof(ud2));
    test_enter_flat32(m, 0x1000);
    ck_assert_int_eq(machine_run(m, 100), STOP_SHUTDOWN);
    ck_assert_int_eq(m->cpu.activity, ACTIVITY_SHUTDOWN);
    ck_assert_uint_eq(m->cpu.RIP, 0x1000);
    machine_destroy(m);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("exceptions");
    TCase *tc = tcase_create("protected32");
    tcase_add_test(tc, test_exc_ud2_delivered_with_faulting_eip);
    tcase_add_test(tc, test_exc_unimplemented_instruction_raises_ud);
    tcase_add_test(tc, test_exc_int_n_pushes_next_eip);
    tcase_add_test(tc, test_exc_gate_beyond_idt_limit_gp_with_idt_bit);
    tcase_add_test(tc, test_exc_int_n_from_cpl3_to_dpl0_gate_gp);
    tcase_add_test(tc, test_exc_contributory_pair_gives_double_fault);
    tcase_add_test(tc, test_exc_no_idt_triple_fault_shutdown);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(suite)
