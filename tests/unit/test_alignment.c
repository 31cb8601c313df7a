/*
 * Alignment checking (SDM Vol. 3A 6.15 "Interrupt 17—Alignment Check
 * Exception (#AC)", Table 6-7): CR0.AM = 1, RFLAGS.AC = 1 and CPL 3 make a
 * misaligned data access fault with #AC(0); implicit supervisor-mode
 * accesses are not checked.  Each condition is tested on both sides.
 */
#include "check_main.h"
#include "gp_support.h"
#include "sim/cpu/exceptions.h"

#define EXIT_CODE 0xb0, 0x11, 0xe6, 0xf4 /* mov al, 0x11; out 0xf4, al */

/* Flat 32-bit protected mode at CPL 3 (IOPL 3, so the exit port is
 * reachable), CR0.AM = 1 and RFLAGS.AC = 1 unless told otherwise. */
static Machine *ac_machine(bool am, bool ac, unsigned cpl)
{
    Machine *m = gp_flat32();
    CpuState *c = &m->cpu;
    c->seg[SEG_SS].ar |= cpl << AR_DPL_SHIFT;
    c->seg[SEG_CS].ar |= cpl << AR_DPL_SHIFT;
    if (am)
        c->cr0 |= CR0_AM;
    cpu_set_rflags(c, RFLAGS_FIXED1 | RFLAGS_IOPL | (ac ? RFLAGS_AC : 0));
    cpu_update_mode(c);
    return m;
}

/* Run one data access (mov eax/ax/al from or to [addr]) and report the stop. */
static MachineStop run_access(Machine *m, const uint8_t *insn, size_t n)
{
    uint8_t code[16];
    static const uint8_t exit_code[] = {EXIT_CODE};
    memcpy(code, insn, n);
    memcpy(code + n, exit_code, sizeof(exit_code));
    return gp_run(m, code, n + sizeof(exit_code), 10);
}

static const uint8_t load_dword_at_1[] = {0xa1, 0x01, 0x30, 0x00, 0x00}; /* mov eax, [DATA+1] */

START_TEST(test_ac_misaligned_dword_at_cpl3_faults)
{
    Machine *m = ac_machine(true, true, 3);
    gp_assert_fault(m, run_access(m, load_dword_at_1, 5), EXC_AC, 0);
    ck_assert_uint_eq(m->cpu.fault.has_error, true);
    machine_destroy(m);
}
END_TEST

/* Each of the three conditions off: no check. */
START_TEST(test_ac_needs_am_ac_and_cpl3)
{
    static const struct {
        bool am, ac;
        unsigned cpl;
    } off[] = {{false, true, 3}, {true, false, 3}, {true, true, 0}, {true, true, 2}};
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(off); i++) {
        Machine *m = ac_machine(off[i].am, off[i].ac, off[i].cpl);
        ck_assert_int_eq(run_access(m, load_dword_at_1, 5), STOP_GUEST_EXIT);
        machine_destroy(m);
    }
}
END_TEST

/* Table 6-7: word 2, doubleword 4; bytes are never misaligned. */
START_TEST(test_ac_alignment_by_operand_size)
{
    static const struct {
        uint8_t insn[6];
        size_t n;
        bool faults;
    } cases[] = {
        {{0x66, 0xa1, 0x01, 0x30, 0x00, 0x00}, 6, true},  /* mov ax, [DATA+1] */
        {{0x66, 0xa1, 0x02, 0x30, 0x00, 0x00}, 6, false}, /* mov ax, [DATA+2] */
        {{0xa1, 0x02, 0x30, 0x00, 0x00}, 5, true},        /* mov eax, [DATA+2] */
        {{0xa1, 0x04, 0x30, 0x00, 0x00}, 5, false},       /* mov eax, [DATA+4] */
        {{0xa3, 0x06, 0x30, 0x00, 0x00}, 5, true},        /* mov [DATA+6], eax */
        {{0xa2, 0x03, 0x30, 0x00, 0x00}, 5, false},       /* mov [DATA+3], al */
    };
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(cases); i++) {
        Machine *m = ac_machine(true, true, 3);
        MachineStop st = run_access(m, cases[i].insn, cases[i].n);
        if (cases[i].faults)
            gp_assert_fault(m, st, EXC_AC, 0);
        else
            ck_assert_int_eq(st, STOP_GUEST_EXIT);
        machine_destroy(m);
    }
}
END_TEST

/* Quadwords must be 8-aligned (64-bit mode, CPL 3, user pages). */
static Machine *ac_long64_user(void)
{
    Machine *m = gp_long64();
    CpuState *c = &m->cpu;
    gp_set_pte(m, GP_CODE, PTE_P | PTE_W | 4);
    gp_set_pte(m, GP_DATA, PTE_P | PTE_W | 4);
    gp_set_pte(m, 0x7000, PTE_P | PTE_W | 4);
    for (uint64_t t = GP_PML4; t <= GP_PML4 + 0x2000; t += 0x1000) /* U in every level */
        gp_poke64(m, t, gp_peek(m, t, 8) | 4);
    c->seg[SEG_SS].ar |= 3u << AR_DPL_SHIFT;
    c->seg[SEG_CS].ar |= 3u << AR_DPL_SHIFT;
    c->cr0 |= CR0_AM;
    cpu_set_rflags(c, RFLAGS_FIXED1 | RFLAGS_IOPL | RFLAGS_AC);
    mem_tlb_flush_all(&c->tlb);
    cpu_update_mode(c);
    return m;
}

START_TEST(test_ac_quadword_needs_8_alignment)
{
    static const uint8_t at4[] = {0x48, 0x8b, 0x04, 0x25, 0x04, 0x30, 0x00, 0x00}; /* mov rax, [DATA+4] */
    static const uint8_t at8[] = {0x48, 0x8b, 0x04, 0x25, 0x08, 0x30, 0x00, 0x00}; /* mov rax, [DATA+8] */
    Machine *m = ac_long64_user();
    gp_assert_fault(m, run_access(m, at4, sizeof(at4)), EXC_AC, 0);
    machine_destroy(m);
    m = ac_long64_user();
    ck_assert_int_eq(run_access(m, at8, sizeof(at8)), STOP_GUEST_EXIT);
    machine_destroy(m);
}
END_TEST

/* Stack accesses are data accesses: a PUSH to a misaligned stack faults. */
START_TEST(test_ac_push_to_misaligned_stack)
{
    static const uint8_t push[] = {0x50}; /* push eax */
    Machine *m = ac_machine(true, true, 3);
    m->cpu.gpr[GPR_RSP] = 0x7ffe;
    gp_assert_fault(m, run_access(m, push, 1), EXC_AC, 0);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x7ffe); /* nothing pushed */
    machine_destroy(m);
    m = ac_machine(true, true, 3);
    m->cpu.gpr[GPR_RSP] = 0x7ffc;
    ck_assert_int_eq(run_access(m, push, 1), STOP_GUEST_EXIT);
    machine_destroy(m);
}
END_TEST

/* Accesses that default to privilege level 0 are not checked: a descriptor
 * read from a misaligned GDT while loading DS at CPL 3. */
START_TEST(test_ac_descriptor_load_not_checked)
{
    static const uint8_t mov_ds[] = {0x8e, 0xd8}; /* mov ds, ax */
    static const uint8_t read_gdt[] = {0xa1, 0x29, 0x60, 0x00, 0x00}; /* mov eax, [GDT+0x29] */
    Machine *m = ac_machine(true, true, 3);
    uint8_t gdt[0x38];
    for (unsigned i = 0; i < sizeof(gdt); i++)
        gdt[i] = (uint8_t)gp_peek(m, GP_GDT + i, 1);
    test_poke(m, GP_GDT + 1, gdt, sizeof(gdt));
    m->cpu.gdtr.base = GP_GDT + 1;
    m->cpu.gpr[GPR_RAX] = 0x2b; /* flat data, DPL 3 */
    ck_assert_int_eq(run_access(m, mov_ds, sizeof(mov_ds)), STOP_GUEST_EXIT);
    ck_assert_uint_eq(m->cpu.seg[SEG_DS].selector, 0x2b);
    machine_destroy(m);
    m = ac_machine(true, true, 3); /* the same bytes read by the program: checked */
    gp_assert_fault(m, run_access(m, read_gdt, sizeof(read_gdt)), EXC_AC, 0);
    machine_destroy(m);
}
END_TEST

/* POPF at CPL 3 turns checking on for the next instruction, and off. */
START_TEST(test_ac_popf_switches_checking)
{
    static const uint8_t on[] = {0x68, 0x02, 0x30, 0x04, 0x00, 0x9d,  /* push 0x43002; popf */
                                 0xa1, 0x01, 0x30, 0x00, 0x00};        /* mov eax, [DATA+1] */
    static const uint8_t off[] = {0x68, 0x02, 0x30, 0x00, 0x00, 0x9d, /* push 0x3002; popf */
                                  0xa1, 0x01, 0x30, 0x00, 0x00};
    Machine *m = ac_machine(true, false, 3);
    MachineStop st = run_access(m, on, sizeof(on));
    ck_assert_int_eq(st, STOP_EXCEPTION);
    ck_assert_uint_eq(m->cpu.fault.vector, EXC_AC);
    ck_assert_uint_eq(m->cpu.RIP, GP_CODE + 6);
    ck_assert_uint_eq(m->cpu.ev.tlb_row, 3); /* user, checked */
    machine_destroy(m);
    m = ac_machine(true, true, 3);
    ck_assert_int_eq(run_access(m, off, sizeof(off)), STOP_GUEST_EXIT);
    ck_assert_uint_eq(m->cpu.ev.tlb_row, 1); /* user, fast path again */
    machine_destroy(m);
}
END_TEST

static Suite *alignment_suite(void)
{
    Suite *s = suite_create("alignment");
    TCase *tc = tcase_create("ac");
    tcase_add_test(tc, test_ac_misaligned_dword_at_cpl3_faults);
    tcase_add_test(tc, test_ac_needs_am_ac_and_cpl3);
    tcase_add_test(tc, test_ac_alignment_by_operand_size);
    tcase_add_test(tc, test_ac_quadword_needs_8_alignment);
    tcase_add_test(tc, test_ac_push_to_misaligned_stack);
    tcase_add_test(tc, test_ac_descriptor_load_not_checked);
    tcase_add_test(tc, test_ac_popf_switches_checking);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(alignment_suite)
