/*
 * Stores of system registers and the machine status word (SDM Vol. 2 SLDT,
 * STR, SGDT, SIDT, SMSW, LMSW, CLTS) with CR4.UMIP (SDM Vol. 3A 2.5): operand
 * sizes, the UMIP #GP(0) at CPL > 0 and its absence otherwise, #UD in the
 * modes that do not recognize an instruction, privilege checks.
 */
#include "check_main.h"
#include "gp_support.h"
#include "sim/cpu/exceptions.h"

static void set_cpl(Machine *m, unsigned cpl) {
    CpuState *c = &m->cpu;
    c->seg[SEG_CS].ar = (c->seg[SEG_CS].ar & ~(3u << AR_DPL_SHIFT)) | (cpl << AR_DPL_SHIFT);
    c->seg[SEG_SS].ar = (c->seg[SEG_SS].ar & ~(3u << AR_DPL_SHIFT)) | (cpl << AR_DPL_SHIFT);
    cpu_update_mode(c);
}

/* Flat 32-bit protected mode (no paging) at `cpl`, LDTR = 0x28, TR = 0x18. */
static Machine *prot32(unsigned cpl) {
    Machine *m = gp_flat32();
    m->cpu.seg[SEG_LDTR] = (Segment){0x28, 0xfff, 0x2 | AR_P, 0x9000};
    set_cpl(m, cpl);
    return m;
}

/* Virtual-8086 mode: real-mode style segments with base 0, CPL 3. */
static Machine *v86(void) {
    Machine *m = gp_flat32();
    CpuState *c = &m->cpu;
    for (unsigned s = 0; s < 6; s++) {
        uint32_t type = 0x3 | (s == SEG_CS ? AR_TYPE_CODE : 0);
        c->seg[s] = (Segment){0, 0xffff, type | AR_S | AR_P | (3u << AR_DPL_SHIFT), 0};
    }
    cpu_set_rflags(c, RFLAGS_FIXED1 | RFLAGS_VM);
    cpu_update_mode(c);
    ck_assert_int_eq(c->mode, MODE_V86);
    return m;
}

static void fill(Machine *m, uint64_t pa, unsigned n) {
    for (unsigned i = 0; i < n; i++)
        test_poke(m, pa + i, "\xee", 1);
}

/* ---- SLDT / STR ---- */

START_TEST(test_sys_sldt_str_register_and_memory_forms) {
    Machine *m = prot32(0);
    CpuState *c = &m->cpu;
    static const uint8_t code[] = {0x0f, 0x00, 0xc0,       /* sldt eax */
                                   0x66, 0x0f, 0x00, 0xca, /* str dx */
                                   0x0f, 0x00, 0x03,       /* sldt [ebx] */
                                   0x0f, 0x00, 0x0e};      /* str [esi] */
    c->gpr[GPR_RAX] = 0xffffffff;
    c->gpr[GPR_RDX] = 0xabcd1234;
    c->gpr[GPR_RBX] = GP_DATA;
    c->gpr[GPR_RSI] = GP_DATA + 8;
    fill(m, GP_DATA, 16);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 4), STOP_BUDGET);
    ck_assert_uint_eq(c->gpr[GPR_RAX], 0x28);              /* r32: upper 16 bits cleared */
    ck_assert_uint_eq(c->gpr[GPR_RDX], 0xabcd0018);        /* r16: upper bits kept */
    ck_assert_uint_eq(gp_peek(m, GP_DATA, 4), 0xeeee0028); /* m16: 2 bytes */
    ck_assert_uint_eq(gp_peek(m, GP_DATA + 8, 4), 0xeeee0018);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sys_sldt_r64_zero_extends) {
    Machine *m = gp_long64();
    static const uint8_t code[] = {0x48, 0x0f, 0x00, 0xc8}; /* str rax */
    m->cpu.gpr[GPR_RAX] = UINT64_MAX;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0x18);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sys_sldt_str_real_mode_ud) {
    static const uint8_t codes[][3] = {{0x0f, 0x00, 0xc0}, {0x0f, 0x00, 0xc8}};
    for (unsigned i = 0; i < 2; i++) {
        Machine *m = gp_real16();
        gp_assert_fault(m, gp_run(m, codes[i], 3, 1), EXC_UD, 0);
        machine_destroy(m);
    }
}
END_TEST

/* ---- SGDT / SIDT ---- */

START_TEST(test_sys_sgdt_sidt_32bit_six_bytes) {
    Machine *m = prot32(0);
    CpuState *c = &m->cpu;
    static const uint8_t code[] = {0x0f, 0x01, 0x03,        /* sgdt [ebx] */
                                   0x66, 0x0f, 0x01, 0x0e}; /* o16 sidt [esi] */
    c->idtr = (DescTable){0x12345678, 0x7ff};
    c->gpr[GPR_RBX] = GP_DATA;
    c->gpr[GPR_RSI] = GP_DATA + 16;
    fill(m, GP_DATA, 32);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 2), STOP_BUDGET);
    ck_assert_uint_eq(gp_peek(m, GP_DATA, 8), UINT64_C(0xeeee000060000037));
    /* 16-bit operand size: 24-bit base, byte 5 zero-filled */
    ck_assert_uint_eq(gp_peek(m, GP_DATA + 16, 8), UINT64_C(0xeeee0034567807ff));
    machine_destroy(m);
}
END_TEST

START_TEST(test_sys_sgdt_sidt_64bit_ten_bytes) {
    Machine *m = gp_long64();
    CpuState *c = &m->cpu;
    static const uint8_t code[] = {0x0f, 0x01, 0x0b}; /* sidt [rbx] */
    c->idtr = (DescTable){UINT64_C(0xffff800012345678), 0xfff};
    c->gpr[GPR_RBX] = GP_DATA;
    fill(m, GP_DATA, 16);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(gp_peek(m, GP_DATA, 8), UINT64_C(0x8000123456780fff));
    ck_assert_uint_eq(gp_peek(m, GP_DATA + 8, 4), 0xeeeeffff);
    machine_destroy(m);
}
END_TEST

/* Real-address mode: SGDT works (16-bit operand size: 24-bit base). */
START_TEST(test_sys_sgdt_real_mode_24bit_base) {
    Machine *m = gp_real16();
    static const uint8_t code[] = {0x0f, 0x01, 0x07}; /* sgdt [bx] */
    m->cpu.gdtr = (DescTable){0x12345678, 0x1234};
    m->cpu.gpr[GPR_RBX] = GP_DATA;
    fill(m, GP_DATA, 8);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(gp_peek(m, GP_DATA, 8), UINT64_C(0xeeee003456781234));
    machine_destroy(m);
}
END_TEST

/* The whole destination is checked first: a #PF on its second page leaves
 * the first page unwritten. */
START_TEST(test_sys_sgdt_page_crossing_fault_writes_nothing) {
    Machine *m = gp_long64();
    static const uint8_t code[] = {0x0f, 0x01, 0x03}; /* sgdt [rbx] */
    m->cpu.gpr[GPR_RBX] = 0x3ffc;
    fill(m, 0x3ff8, 8);
    gp_set_pte(m, 0x4000, PTE_P); /* read-only; CR0.WP = 1 */
    gp_assert_fault(m, gp_run(m, code, sizeof(code), 1), EXC_PF, 0x3);
    ck_assert_uint_eq(m->cpu.fault.address, 0x4000);
    ck_assert_uint_eq(gp_peek(m, 0x3ff8, 8), UINT64_C(0xeeeeeeeeeeeeeeee));
    machine_destroy(m);
}
END_TEST

/* ---- UMIP: SGDT, SIDT, SLDT, SMSW, STR at CPL > 0 ---- */

static const uint8_t umip_insns[][3] = {
    {0x0f, 0x01, 0x03}, /* sgdt [ebx] */
    {0x0f, 0x01, 0x0b}, /* sidt [ebx] */
    {0x0f, 0x00, 0xc0}, /* sldt eax */
    {0x0f, 0x00, 0xc8}, /* str eax */
    {0x0f, 0x01, 0xe0}, /* smsw eax */
};

static MachineStop run_umip(unsigned insn, unsigned cpl, bool umip, bool model_has, Machine **out) {
    Machine *m = prot32(cpl);
    if (!model_has) m->cpu.model = gp_model_none();
    if (umip) m->cpu.cr4 |= CR4_UMIP;
    m->cpu.gpr[GPR_RBX] = GP_DATA;
    *out = m;
    return gp_run(m, umip_insns[insn], 3, 1);
}

START_TEST(test_sys_umip_blocks_only_at_cpl_above_0) {
    Machine *m;
    MachineStop st = run_umip((unsigned)_i, 3, true, true, &m);
    gp_assert_fault(m, st, EXC_GP, 0);
    machine_destroy(m);
    ck_assert_int_eq(run_umip((unsigned)_i, 3, false, true, &m), STOP_BUDGET); /* UMIP off */
    machine_destroy(m);
    ck_assert_int_eq(run_umip((unsigned)_i, 0, true, true, &m), STOP_BUDGET); /* CPL 0 */
    machine_destroy(m);
    ck_assert_int_eq(run_umip((unsigned)_i, 1, true, false, &m), STOP_BUDGET); /* no UMIP */
    machine_destroy(m);
}
END_TEST

/* ---- SMSW ---- */

START_TEST(test_sys_smsw_operand_sizes) {
    Machine *m = gp_long64();
    CpuState *c = &m->cpu;
    static const uint8_t code[] = {0x0f, 0x01, 0x23,        /* smsw [rbx] */
                                   0x0f, 0x01, 0xe0,        /* smsw eax */
                                   0x48, 0x0f, 0x01, 0xe6,  /* smsw rsi */
                                   0x66, 0x0f, 0x01, 0xe2}; /* smsw dx */
    c->cr0 |= CR0_TS;
    c->gpr[GPR_RAX] = UINT64_MAX;
    c->gpr[GPR_RDX] = UINT64_C(0x1234567890abcdef);
    c->gpr[GPR_RBX] = GP_DATA;
    fill(m, GP_DATA, 8);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 4), STOP_BUDGET);
    uint64_t cr0 = c->cr0;
    ck_assert_uint_eq(gp_peek(m, GP_DATA, 4), 0xeeee0000 | (cr0 & 0xffff)); /* m16 */
    ck_assert_uint_eq(c->gpr[GPR_RAX], cr0 & 0xffffffff);
    ck_assert_uint_eq(c->gpr[GPR_RSI], cr0);
    ck_assert_uint_eq(c->gpr[GPR_RDX], UINT64_C(0x1234567890ab0000) | (cr0 & 0xffff));
    machine_destroy(m);
}
END_TEST

/* Virtual-8086 mode is CPL 3: SMSW there is blocked by UMIP only. */
START_TEST(test_sys_smsw_v86_umip) {
    static const uint8_t code[] = {0x0f, 0x01, 0xe0}; /* smsw ax */
    Machine *m = v86();
    m->cpu.gpr[GPR_RAX] = 0xffffffff;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0xffff0000 | (m->cpu.cr0 & 0xffff));
    machine_destroy(m);
    m = v86();
    m->cpu.cr4 |= CR4_UMIP;
    gp_assert_fault(m, gp_run(m, code, sizeof(code), 1), EXC_GP, 0);
    machine_destroy(m);
}
END_TEST

/* ---- LMSW ---- */

static const uint8_t lmsw_cx[] = {0x0f, 0x01, 0xf1};

START_TEST(test_sys_lmsw_loads_bits_3_0_only) {
    Machine *m = prot32(0);
    CpuState *c = &m->cpu;
    c->cr0 |= CR0_NE;
    c->gpr[GPR_RCX] = 0xffee; /* MP | EM | TS, PE clear, bits 15:4 set */
    ck_assert_int_eq(gp_run(m, lmsw_cx, sizeof(lmsw_cx), 1), STOP_BUDGET);
    ck_assert_uint_eq(c->cr0, CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE);
    c->gpr[GPR_RCX] = 0x0000; /* PE cannot be cleared */
    ck_assert_int_eq(gp_run(m, lmsw_cx, sizeof(lmsw_cx), 1), STOP_BUDGET);
    ck_assert_uint_eq(c->cr0, CR0_PE | CR0_ET | CR0_NE);
    ck_assert_int_eq(c->mode, MODE_PROT32);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sys_lmsw_sets_pe_from_real_mode) {
    Machine *m = gp_real16();
    static const uint8_t code[] = {0x0f, 0x01, 0x37}; /* lmsw [bx] */
    m->cpu.gpr[GPR_RBX] = GP_DATA;
    gp_poke64(m, GP_DATA, 0x0001);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert(m->cpu.cr0 & CR0_PE);
    ck_assert_int_eq(m->cpu.mode, MODE_PROT16);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sys_lmsw_at_cpl3_gp0) {
    Machine *m = prot32(3);
    m->cpu.gpr[GPR_RCX] = 0x000f;
    gp_assert_fault(m, gp_run(m, lmsw_cx, sizeof(lmsw_cx), 1), EXC_GP, 0);
    ck_assert_uint_eq(m->cpu.cr0, CR0_PE | CR0_ET);
    machine_destroy(m);
}
END_TEST

/* ---- CLTS ---- */

static const uint8_t clts[] = {0x0f, 0x06};

START_TEST(test_sys_clts_clears_ts_at_cpl0_and_real_mode) {
    Machine *m = prot32(0);
    m->cpu.cr0 |= CR0_TS;
    ck_assert_int_eq(gp_run(m, clts, sizeof(clts), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.cr0 & CR0_TS, 0);
    machine_destroy(m);
    m = gp_real16();
    m->cpu.cr0 |= CR0_TS;
    ck_assert_int_eq(gp_run(m, clts, sizeof(clts), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.cr0 & CR0_TS, 0);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sys_clts_at_cpl3_and_v86_gp0) {
    Machine *m = prot32(3);
    m->cpu.cr0 |= CR0_TS;
    gp_assert_fault(m, gp_run(m, clts, sizeof(clts), 1), EXC_GP, 0);
    ck_assert(m->cpu.cr0 & CR0_TS);
    machine_destroy(m);
    m = v86();
    m->cpu.cr0 |= CR0_TS;
    gp_assert_fault(m, gp_run(m, clts, sizeof(clts), 1), EXC_GP, 0);
    ck_assert(m->cpu.cr0 & CR0_TS);
    machine_destroy(m);
}
END_TEST

static Suite *sys_tables_suite(void) {
    Suite *s = suite_create("sys_tables");
    TCase *st = tcase_create("stores");
    tcase_add_test(st, test_sys_sldt_str_register_and_memory_forms);
    tcase_add_test(st, test_sys_sldt_r64_zero_extends);
    tcase_add_test(st, test_sys_sldt_str_real_mode_ud);
    tcase_add_test(st, test_sys_sgdt_sidt_32bit_six_bytes);
    tcase_add_test(st, test_sys_sgdt_sidt_64bit_ten_bytes);
    tcase_add_test(st, test_sys_sgdt_real_mode_24bit_base);
    tcase_add_test(st, test_sys_sgdt_page_crossing_fault_writes_nothing);
    tcase_add_test(st, test_sys_smsw_operand_sizes);
    tcase_add_test(st, test_sys_smsw_v86_umip);
    suite_add_tcase(s, st);
    TCase *u = tcase_create("umip");
    tcase_add_loop_test(u, test_sys_umip_blocks_only_at_cpl_above_0, 0,
                        (int)SIM_ARRAY_SIZE(umip_insns));
    suite_add_tcase(s, u);
    TCase *cr0 = tcase_create("lmsw_clts");
    tcase_add_test(cr0, test_sys_lmsw_loads_bits_3_0_only);
    tcase_add_test(cr0, test_sys_lmsw_sets_pe_from_real_mode);
    tcase_add_test(cr0, test_sys_lmsw_at_cpl3_gp0);
    tcase_add_test(cr0, test_sys_clts_clears_ts_at_cpl0_and_real_mode);
    tcase_add_test(cr0, test_sys_clts_at_cpl3_and_v86_gp0);
    suite_add_tcase(s, cr0);
    return s;
}

CHECK_MAIN(sys_tables_suite)
