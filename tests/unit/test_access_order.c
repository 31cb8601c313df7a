/*
 * Which fault an instruction's memory accesses raise, and what they have
 * done by then (sim/cpu/access.c and the handlers that make several
 * accesses).  Where the SDM is silent these follow the Intel core, as the
 * differential harness measured it (docs/differential-testing.md); each
 * test shows both sides of its rule.  64-bit mode at CPL 0 with the page
 * after GP_DATA not present.
 */
#include "check_main.h"
#include "gp_support.h"
#include "sim/cpu/exceptions.h"
#include "sim/mem/paging.h"

#define HOLE 0x4000u /* not present: the page after GP_DATA */
#define RO_PAGE 0x5000u /* present, read-only (CR0.WP = 1) */

static Machine *order_machine(void)
{
    Machine *m = gp_long64();
    gp_set_pte(m, HOLE, 0);
    gp_set_pte(m, RO_PAGE, PTE_P);
    m->cpu.cr4 |= CR4_OSFXSR;
    return m;
}

static void assert_pf(Machine *m, MachineStop st, uint32_t error, uint64_t cr2)
{
    gp_assert_fault(m, st, EXC_PF, error);
    ck_assert_uint_eq(m->cpu.fault.address, cr2);
}

/* ---- SDM 3.3.7.1: canonical addresses ---- */

/* An access whose last byte is beyond the end of the lower half is #GP(0),
 * or #SS(0) through RSP, before any page walk; one that ends just below it
 * is walked (and faults #PF here: nothing is mapped there). */
START_TEST(test_access_straddling_canonical_end_gp_ss)
{
    static const uint8_t load_rbx[] = {0x8b, 0x03};       /* mov eax, [rbx] */
    static const uint8_t add_rbx[] = {0x01, 0x03};        /* add [rbx], eax */
    static const uint8_t load_rsp[] = {0x8b, 0x04, 0x24}; /* mov eax, [rsp] */
    Machine *m = order_machine();
    m->cpu.gpr[GPR_RBX] = UINT64_C(0x7ffffffffffe);
    gp_assert_fault(m, gp_run(m, load_rbx, sizeof(load_rbx), 1), EXC_GP, 0);
    gp_assert_fault(m, gp_run(m, add_rbx, sizeof(add_rbx), 1), EXC_GP, 0);
    m->cpu.gpr[GPR_RSP] = UINT64_C(0x7ffffffffffe);
    gp_assert_fault(m, gp_run(m, load_rsp, sizeof(load_rsp), 1), EXC_SS, 0);
    m->cpu.gpr[GPR_RBX] = UINT64_C(0x7ffffffffffc);
    assert_pf(m, gp_run(m, load_rbx, sizeof(load_rbx), 1), 0, UINT64_C(0x7ffffffffffc));
    machine_destroy(m);
}
END_TEST

/* ---- SDM 4.7: the read of a read-modify-write destination is a write ---- */

typedef struct RmwCase {
    uint8_t code[8];
    size_t n;
    bool write; /* the access faults as a write */
} RmwCase;

/* [rbx]: the fast ALU forms, the generic handlers, and plain reads. */
static const RmwCase rmw_cases[] = {
    {{0x01, 0x03}, 2, true},                   /* add [rbx], eax (fast form) */
    {{0x83, 0x33, 0x05}, 3, true},             /* xor dword [rbx], 5 (fast form) */
    {{0x11, 0x03}, 2, true},                   /* adc [rbx], eax */
    {{0xff, 0x03}, 2, true},                   /* inc dword [rbx] */
    {{0xf7, 0x13}, 2, true},                   /* not dword [rbx] */
    {{0x87, 0x03}, 2, true},                   /* xchg [rbx], eax */
    {{0x0f, 0xc1, 0x03}, 3, true},             /* xadd [rbx], eax */
    {{0x0f, 0xba, 0x2b, 0x01}, 4, true},       /* bts dword [rbx], 1 */
    {{0xd1, 0x23}, 2, true},                   /* shl dword [rbx], 1 */
    {{0x8b, 0x03}, 2, false},                  /* mov eax, [rbx] */
    {{0x39, 0x03}, 2, false},                  /* cmp [rbx], eax */
    {{0x0f, 0xba, 0x23, 0x01}, 4, false},      /* bt dword [rbx], 1 */
};

START_TEST(test_access_rmw_read_faults_as_write)
{
    const RmwCase *c = &rmw_cases[_i];
    uint32_t w = c->write ? PF_W : 0;
    Machine *m = order_machine();
    m->cpu.gpr[GPR_RBX] = HOLE + 8;
    assert_pf(m, gp_run(m, c->code, c->n, 1), w, HOLE + 8);
    m->cpu.gpr[GPR_RBX] = RO_PAGE + 8; /* present, read-only: only the write faults */
    MachineStop st = gp_run(m, c->code, c->n, 1);
    if (c->write)
        assert_pf(m, st, PF_P | PF_W, RO_PAGE + 8);
    else
        ck_assert_int_eq(st, STOP_BUDGET);
    machine_destroy(m);
}
END_TEST

/* ---- SDM 4.7: CR2 of a fault on the second page ---- */

/* CMPXCHG8B is checked as a write; crossing into a page that is not
 * present, CR2 is the first byte on that page, not the operand's last. */
START_TEST(test_access_cmpxchg8b_cr2_first_byte_on_page)
{
    static const uint8_t cx8[] = {0x0f, 0xc7, 0x0b}; /* cmpxchg8b [rbx] */
    Machine *m = order_machine();
    m->cpu.gpr[GPR_RBX] = HOLE - 4;
    assert_pf(m, gp_run(m, cx8, sizeof(cx8), 1), PF_W, HOLE);
    m->cpu.gpr[GPR_RBX] = HOLE - 8; /* within the page: no fault */
    ck_assert_int_eq(gp_run(m, cx8, sizeof(cx8), 1), STOP_BUDGET);
    machine_destroy(m);
}
END_TEST

/* ---- state images: first field, then last byte ---- */

/* FNSTENV, FLDENV and FXSAVE touch the image's first field, then its last
 * byte: an image whose last page is not present reports its last byte in
 * CR2, unless the first field already reaches that page; nothing is
 * stored before the fault. */
START_TEST(test_access_state_image_cr2_last_byte)
{
    static const uint8_t fnstenv[] = {0xd9, 0x33};            /* fnstenv [rbx] (28 bytes) */
    static const uint8_t fnstenv16[] = {0x66, 0xd9, 0x33};    /* 14 bytes */
    static const uint8_t fldenv[] = {0xd9, 0x23};             /* fldenv [rbx] */
    static const uint8_t fxsave[] = {0x0f, 0xae, 0x03};       /* fxsave [rbx] (512 bytes) */
    Machine *m = order_machine();
    m->cpu.gpr[GPR_RBX] = HOLE - 0x10;
    assert_pf(m, gp_run(m, fnstenv, sizeof(fnstenv), 1), PF_W, HOLE + 0xb);
    ck_assert_uint_eq(gp_peek(m, HOLE - 0x10, 8), 0);
    assert_pf(m, gp_run(m, fldenv, sizeof(fldenv), 1), 0, HOLE + 0xb);
    m->cpu.gpr[GPR_RBX] = HOLE - 1; /* the first field (FCW) crosses: its page start */
    assert_pf(m, gp_run(m, fnstenv16, sizeof(fnstenv16), 1), PF_W, HOLE);
    m->cpu.gpr[GPR_RBX] = HOLE - 0x100;
    assert_pf(m, gp_run(m, fxsave, sizeof(fxsave), 1), PF_W, HOLE + 0xff);
    m->cpu.gpr[GPR_RBX] = HOLE - 0x200; /* within the page: no fault */
    ck_assert_int_eq(gp_run(m, fxsave, sizeof(fxsave), 1), STOP_BUDGET);
    machine_destroy(m);
}
END_TEST

/* FSTP m80 stores the significand, then the sign-exponent: a fault on the
 * second part leaves the first written (and the stack unpopped); when the
 * first part faults nothing is written. */
START_TEST(test_access_fstp_m80_partial_store)
{
    static const uint8_t fld1[] = {0xdb, 0xe3, 0xd9, 0xe8}; /* fninit; fld1 */
    static const uint8_t fstp80[] = {0xdb, 0x3b};             /* fstp tword [rbx] */
    Machine *m = order_machine();
    ck_assert_int_eq(gp_run(m, fld1, sizeof(fld1), 2), STOP_BUDGET);
    uint16_t fsw = m->cpu.fpu.fsw;
    m->cpu.gpr[GPR_RBX] = HOLE - 8;
    assert_pf(m, gp_run(m, fstp80, sizeof(fstp80), 1), PF_W, HOLE);
    ck_assert_uint_eq(gp_peek(m, HOLE - 8, 8), UINT64_C(0x8000000000000000)); /* 1.0 */
    ck_assert_uint_eq(m->cpu.fpu.fsw, fsw);
    gp_poke64(m, HOLE - 8, 0);
    m->cpu.gpr[GPR_RBX] = HOLE - 4; /* the significand crosses: nothing written */
    assert_pf(m, gp_run(m, fstp80, sizeof(fstp80), 1), PF_W, HOLE);
    ck_assert_uint_eq(gp_peek(m, HOLE - 4, 4), 0);
    machine_destroy(m);
}
END_TEST

/* ---- far returns: the order of the frame's slots ---- */

/* RETF reads the CS slot before the RIP slot. */
START_TEST(test_access_retf_reads_cs_slot_first)
{
    static const uint8_t retf[] = {0x48, 0xcb}; /* retfq */
    Machine *m = order_machine();
    m->cpu.gpr[GPR_RSP] = HOLE - 4; /* RIP slot crosses, CS slot at HOLE + 4 */
    assert_pf(m, gp_run(m, retf, sizeof(retf), 1), 0, HOLE + 4);
    m->cpu.gpr[GPR_RSP] = HOLE - 16; /* both slots present: returns to 0x20:GP_CODE */
    gp_poke64(m, HOLE - 16, GP_CODE);
    gp_poke64(m, HOLE - 8, 0x20);
    ck_assert_int_eq(gp_run(m, retf, sizeof(retf), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.RIP, GP_CODE);
    machine_destroy(m);
}
END_TEST

/* IRETQ reads RFLAGS, CS and RIP, checks CS, then reads SS before RSP: a
 * bad CS is #GP even when the SS:RSP slots are not present. */
START_TEST(test_access_iret_checks_cs_before_stack_slots)
{
    static const uint8_t iretq[] = {0x48, 0xcf};
    Machine *m = order_machine();
    m->cpu.gpr[GPR_RSP] = HOLE - 24; /* RIP, CS, RFLAGS present; RSP, SS in the hole */
    gp_poke64(m, HOLE - 24, GP_CODE);
    gp_poke64(m, HOLE - 16, 0); /* null CS */
    gp_poke64(m, HOLE - 8, RFLAGS_FIXED1);
    gp_assert_fault(m, gp_run(m, iretq, sizeof(iretq), 1), EXC_GP, 0);
    gp_poke64(m, HOLE - 16, 0x20); /* a good CS: the SS slot faults first */
    assert_pf(m, gp_run(m, iretq, sizeof(iretq), 1), 0, HOLE + 8);
    machine_destroy(m);
}
END_TEST

/* ---- near CALL: the push before the target check ---- */

/* CALL to a non-canonical target pushes first: with a writable stack the
 * #GP(0) leaves the slot written and RSP unchanged; a push that faults
 * wins over the #GP. */
START_TEST(test_access_call_pushes_before_target_check)
{
    static const uint8_t call_rax[] = {0xff, 0xd0}; /* call rax */
    Machine *m = order_machine();
    m->cpu.gpr[GPR_RAX] = UINT64_C(0x800000000000);
    m->cpu.gpr[GPR_RSP] = 0x8000;
    gp_assert_fault(m, gp_run(m, call_rax, sizeof(call_rax), 1), EXC_GP, 0);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x8000);
    ck_assert_uint_eq(gp_peek(m, 0x8000 - 8, 8), GP_CODE + sizeof(call_rax));
    m->cpu.gpr[GPR_RSP] = HOLE + 8;
    assert_pf(m, gp_run(m, call_rax, sizeof(call_rax), 1), PF_W, HOLE);
    machine_destroy(m);
}
END_TEST

static Suite *access_order_suite(void)
{
    Suite *s = suite_create("access_order");
    TCase *tc = tcase_create("faults");
    tcase_add_test(tc, test_access_straddling_canonical_end_gp_ss);
    tcase_add_loop_test(tc, test_access_rmw_read_faults_as_write, 0,
                        (int)SIM_ARRAY_SIZE(rmw_cases));
    tcase_add_test(tc, test_access_cmpxchg8b_cr2_first_byte_on_page);
    tcase_add_test(tc, test_access_state_image_cr2_last_byte);
    tcase_add_test(tc, test_access_fstp_m80_partial_store);
    tcase_add_test(tc, test_access_retf_reads_cs_slot_first);
    tcase_add_test(tc, test_access_iret_checks_cs_before_stack_slots);
    tcase_add_test(tc, test_access_call_pushes_before_target_check);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(access_order_suite)
