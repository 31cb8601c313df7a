/*
 * Alignment checking (SDM Vol. 3A 6.15 "Interrupt 17—Alignment Check
 * Exception (#AC)", Table 6-7): CR0.AM = 1, RFLAGS.AC = 1 and CPL 3 make a
 * misaligned data access fault with #AC(0); implicit supervisor-mode
 * accesses are not checked.  Each condition is tested on both sides.
 */
#include "check_main.h"
#include "gp_support.h"
#include "sim/cpu/exceptions.h"
#include "sim/mem/paging.h"

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

/* ---- the order of #AC among the other faults, and the data types
 * checked (the Intel core's behaviour, docs/differential-testing.md) ---- */

#define NOT_PRESENT_PAGE 0x4000u /* the page after GP_DATA */

/* The 64-bit CPL-3 machine with the page after GP_DATA not present. */
static Machine *ac_long64_hole(bool ac)
{
    Machine *m = ac_long64_user();
    gp_set_pte(m, NOT_PRESENT_PAGE, 0);
    if (!ac)
        cpu_set_rflags(&m->cpu, RFLAGS_FIXED1 | RFLAGS_IOPL);
    return m;
}

/* A misaligned access that would also #PF takes #AC: the alignment check
 * comes before the page walk.  Without checking it is the #PF. */
START_TEST(test_ac_comes_before_page_fault)
{
    static const uint8_t load[] = {0x8b, 0x04, 0x25, 0xfe, 0x3f, 0x00, 0x00}; /* mov eax, [0x3ffe] */
    Machine *m = ac_long64_hole(true);
    gp_assert_fault(m, run_access(m, load, sizeof(load)), EXC_AC, 0);
    machine_destroy(m);
    m = ac_long64_hole(false);
    gp_assert_fault(m, run_access(m, load, sizeof(load)), EXC_PF, PF_U);
    ck_assert_uint_eq(m->cpu.fault.address, NOT_PRESENT_PAGE);
    machine_destroy(m);
}
END_TEST

/* 64-bit mode: a non-canonical first byte is #GP before #AC; a misaligned
 * operand whose last byte only is beyond the canonical boundary is #AC
 * (#GP without checking). */
START_TEST(test_ac_canonical_first_byte_then_ac_then_last_byte)
{
    static const uint8_t load[] = {0x8b, 0x03}; /* mov eax, [rbx] */
    static const struct {
        uint64_t rbx;
        bool ac;
        unsigned vector;
    } cases[] = {
        {UINT64_C(0x800000000001), true, EXC_GP},
        {UINT64_C(0x7ffffffffffe), true, EXC_AC},
        {UINT64_C(0x7ffffffffffe), false, EXC_GP},
    };
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(cases); i++) {
        Machine *m = ac_long64_hole(cases[i].ac);
        m->cpu.gpr[GPR_RBX] = cases[i].rbx;
        gp_assert_fault(m, run_access(m, load, sizeof(load)), cases[i].vector, 0);
        machine_destroy(m);
    }
}
END_TEST

/* A write to a code segment (a CS override) is #GP(0) before #AC. */
START_TEST(test_ac_code_segment_write_gp_first)
{
    static const uint8_t cs_store[] = {0x2e, 0xa3, 0x01, 0x30, 0x00, 0x00}; /* mov cs:[DATA+1], eax */
    static const uint8_t ds_store[] = {0xa3, 0x01, 0x30, 0x00, 0x00};       /* mov [DATA+1], eax */
    Machine *m = ac_machine(true, true, 3);
    gp_assert_fault(m, run_access(m, cs_store, sizeof(cs_store)), EXC_GP, 0);
    machine_destroy(m);
    m = ac_machine(true, true, 3);
    gp_assert_fault(m, run_access(m, ds_store, sizeof(ds_store)), EXC_AC, 0);
    machine_destroy(m);
}
END_TEST

/* ENTER checks a write at its final stack pointer (SDM Vol. 2 ENTER):
 * that check includes the alignment of an operand-sized access. */
START_TEST(test_ac_enter_final_rsp)
{
    static const uint8_t enter3[] = {0xc8, 0x03, 0x00, 0x00}; /* enter 3, 0 */
    static const uint8_t enter8[] = {0xc8, 0x08, 0x00, 0x00}; /* enter 8, 0 */
    Machine *m = ac_long64_user();
    m->cpu.gpr[GPR_RSP] = 0x7800;
    gp_assert_fault(m, run_access(m, enter3, sizeof(enter3)), EXC_AC, 0);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x7800);
    machine_destroy(m);
    m = ac_long64_user();
    m->cpu.gpr[GPR_RSP] = 0x7800;
    ck_assert_int_eq(run_access(m, enter8, sizeof(enter8)), STOP_GUEST_EXIT);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x7800 - 16);
    machine_destroy(m);
}
END_TEST

/* PUSH Sreg: with a 32-bit operand size only the selector is written (a
 * word: 2-aligned is enough); with a 64-bit one the zero-extended
 * selector fills the slot (a quadword). */
START_TEST(test_ac_push_segment_register)
{
    static const uint8_t push_ds[] = {0x1e};       /* push ds (32-bit mode) */
    static const uint8_t push_fs[] = {0x0f, 0xa0}; /* push fs (64-bit mode) */
    Machine *m = ac_machine(true, true, 3);
    m->cpu.gpr[GPR_RSP] = 0x7ffe;
    ck_assert_int_eq(run_access(m, push_ds, sizeof(push_ds)), STOP_GUEST_EXIT);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x7ffa);
    machine_destroy(m);
    m = ac_long64_user();
    m->cpu.gpr[GPR_RSP] = 0x7ffc;
    gp_assert_fault(m, run_access(m, push_fs, sizeof(push_fs)), EXC_AC, 0);
    machine_destroy(m);
    m = ac_long64_user();
    m->cpu.gpr[GPR_RSP] = 0x7ff8;
    ck_assert_int_eq(run_access(m, push_fs, sizeof(push_fs)), STOP_GUEST_EXIT);
    machine_destroy(m);
}
END_TEST

/* 16-byte SSE operands are not alignment-checked (MOVUPS: SDM 6.15 leaves
 * it to the implementation; the Intel core does not check); an 8-byte one
 * is, as a quadword. */
START_TEST(test_ac_sse_16_byte_unchecked_8_byte_checked)
{
    static const uint8_t movups[] = {0x0f, 0x10, 0x04, 0x25, 0x04, 0x30, 0x00, 0x00};
    static const uint8_t movq[] = {0xf3, 0x0f, 0x7e, 0x04, 0x25, 0x04, 0x30, 0x00, 0x00};
    Machine *m = ac_long64_user();
    m->cpu.cr4 |= CR4_OSFXSR;
    ck_assert_int_eq(run_access(m, movups, sizeof(movups)), STOP_GUEST_EXIT);
    gp_assert_fault(m, run_access(m, movq, sizeof(movq)), EXC_AC, 0);
    machine_destroy(m);
}
END_TEST

/* SDM 6.15 Table 6-7: an FSTENV/FLDENV save area must be 4-aligned with a
 * 32-bit operand size, 2-aligned with a 16-bit one (not 8). */
START_TEST(test_ac_x87_environment_by_operand_size)
{
    static const struct {
        uint8_t insn[9];
        size_t n;
        bool faults;
    } cases[] = {
        {{0xd9, 0x34, 0x25, 0x04, 0x30, 0x00, 0x00}, 7, false},      /* fnstenv [DATA+4] */
        {{0xd9, 0x34, 0x25, 0x02, 0x30, 0x00, 0x00}, 7, true},       /* fnstenv [DATA+2] */
        {{0x66, 0xd9, 0x34, 0x25, 0x02, 0x30, 0x00, 0x00}, 8, false}, /* 16-bit image */
        {{0x66, 0xd9, 0x34, 0x25, 0x01, 0x30, 0x00, 0x00}, 8, true},
    };
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(cases); i++) {
        Machine *m = ac_long64_user();
        MachineStop st = run_access(m, cases[i].insn, cases[i].n);
        if (cases[i].faults)
            gp_assert_fault(m, st, EXC_AC, 0);
        else
            ck_assert_int_eq(st, STOP_GUEST_EXIT);
        machine_destroy(m);
    }
}
END_TEST

/* FXSAVE: SDM 6.15 lets a misaligned image raise #AC or #GP with checking
 * on; the Intel core raises #AC when the image is not even 4-aligned,
 * #GP(0) when it is, and #GP(0) without checking. */
START_TEST(test_ac_fxsave_misaligned)
{
    static const struct {
        uint8_t disp;
        bool ac;
        unsigned vector;
    } cases[] = {{0x02, true, EXC_AC}, {0x04, true, EXC_GP}, {0x02, false, EXC_GP}};
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(cases); i++) {
        const uint8_t fxsave[] = {0x0f, 0xae, 0x04, 0x25, cases[i].disp, 0x30, 0x00, 0x00};
        Machine *m = ac_long64_hole(cases[i].ac);
        m->cpu.cr4 |= CR4_OSFXSR;
        gp_assert_fault(m, run_access(m, fxsave, sizeof(fxsave)), cases[i].vector, 0);
        machine_destroy(m);
    }
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
    tc = tcase_create("order_and_types");
    tcase_add_test(tc, test_ac_comes_before_page_fault);
    tcase_add_test(tc, test_ac_canonical_first_byte_then_ac_then_last_byte);
    tcase_add_test(tc, test_ac_code_segment_write_gp_first);
    tcase_add_test(tc, test_ac_enter_final_rsp);
    tcase_add_test(tc, test_ac_push_segment_register);
    tcase_add_test(tc, test_ac_sse_16_byte_unchecked_8_byte_checked);
    tcase_add_test(tc, test_ac_x87_environment_by_operand_size);
    tcase_add_test(tc, test_ac_fxsave_misaligned);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(alignment_suite)
