/*
 * Protection keys (SDM Vol. 3A 4.6.2 "Protection Keys", 4.7 "Page-Fault
 * Exceptions" PK flag) and RDPKRU/WRPKRU (SDM Vol. 2): the instructions'
 * #UD/#GP rules, the key check on data accesses to user-mode addresses from
 * CPL 3 and CPL 0 (AD, WD with CR0.WP), what keys do not affect
 * (instruction fetches, supervisor-mode addresses, CR4.PKE = 0, paging modes
 * other than IA-32e), and that the software TLB never grants an access the
 * current PKRU denies.
 */
#include "check_main.h"
#include "gp_support.h"
#include "sim/cpu/exceptions.h"
#include "sim/mem/paging.h"

static const uint8_t RDPKRU[] = {0x0f, 0x01, 0xee};
static const uint8_t WRPKRU[] = {0x0f, 0x01, 0xef};
static const uint8_t LOAD[] = {0x8b, 0x06};  /* mov eax, [rsi] */
static const uint8_t STORE[] = {0x89, 0x06}; /* mov [rsi], eax */
static const uint8_t NOP[] = {0x90};

#define PTE_U UINT64_C(0x4)
#define PTE_AD UINT64_C(0x60) /* accessed and dirty */
#define KEY(k) ((uint64_t)(k) << 59)
#define AD(k) (UINT32_C(1) << (2 * (k)))
#define WD(k) (UINT32_C(2) << (2 * (k)))

/* 64-bit mode at CPL 0, CR4.PKE = 1, PKRU = 0; the code and data pages and
 * the tables above them user-accessible. */
static Machine *pku_machine(void) {
    Machine *m = gp_long64();
    gp_poke64(m, GP_PML4, (GP_PML4 + 0x1000) | 7);
    gp_poke64(m, GP_PML4 + 0x1000, (GP_PML4 + 0x2000) | 7);
    gp_poke64(m, GP_PML4 + 0x2000, GP_PT | 7);
    gp_set_pte(m, GP_CODE, 7);
    gp_set_pte(m, GP_DATA, 7 | PTE_AD);
    m->cpu.cr4 |= CR4_PKE;
    m->cpu.gpr[GPR_RSI] = GP_DATA;
    return m;
}

static void enter_cpl3(Machine *m) {
    m->cpu.seg[SEG_CS].ar |= 3u << AR_DPL_SHIFT;
    m->cpu.seg[SEG_CS].selector |= 3;
    m->cpu.seg[SEG_SS].ar |= 3u << AR_DPL_SHIFT;
    m->cpu.seg[SEG_SS].selector |= 3;
    cpu_update_mode(&m->cpu);
    ck_assert_uint_eq(m->cpu.cpl, 3);
}

static MachineStop wrpkru(Machine *m, uint64_t rax, uint64_t rcx, uint64_t rdx) {
    m->cpu.gpr[GPR_RAX] = rax;
    m->cpu.gpr[GPR_RCX] = rcx;
    m->cpu.gpr[GPR_RDX] = rdx;
    return gp_run(m, WRPKRU, sizeof(WRPKRU), 1);
}

/* ---- RDPKRU / WRPKRU ---- */

START_TEST(test_pku_instructions_ud_without_cr4_pke) {
    Machine *m = pku_machine();
    m->cpu.cr4 &= ~CR4_PKE;
    m->cpu.gpr[GPR_RCX] = 0;
    gp_assert_fault(m, gp_run(m, RDPKRU, sizeof(RDPKRU), 1), EXC_UD, 0);
    gp_assert_fault(m, wrpkru(m, 0xc, 0, 0), EXC_UD, 0);
    ck_assert_uint_eq(m->cpu.pkru, 0);
    machine_destroy(m);
}
END_TEST

/* WRPKRU ignores the upper halves; RDPKRU clears RDX and the upper half of
 * RAX; neither is privileged. */
START_TEST(test_pku_wrpkru_rdpkru_round_trip_at_cpl3) {
    Machine *m = pku_machine();
    enter_cpl3(m);
    ck_assert_int_eq(wrpkru(m, UINT64_C(0xffffffff5555000c), UINT64_C(1) << 32, UINT64_C(7) << 32),
                     STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.pkru, 0x5555000c);
    m->cpu.gpr[GPR_RAX] = m->cpu.gpr[GPR_RDX] = ~UINT64_C(0);
    m->cpu.gpr[GPR_RCX] = UINT64_C(1) << 32;
    ck_assert_int_eq(gp_run(m, RDPKRU, sizeof(RDPKRU), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0x5555000c);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RDX], 0);
    machine_destroy(m);
}
END_TEST

START_TEST(test_pku_ecx_or_edx_nonzero_gp) {
    Machine *m = pku_machine();
    gp_assert_fault(m, wrpkru(m, 0xc, 1, 0), EXC_GP, 0);
    gp_assert_fault(m, wrpkru(m, 0xc, 0, 1), EXC_GP, 0);
    ck_assert_uint_eq(m->cpu.pkru, 0);
    m->cpu.gpr[GPR_RCX] = 1;
    gp_assert_fault(m, gp_run(m, RDPKRU, sizeof(RDPKRU), 1), EXC_GP, 0);
    machine_destroy(m);
}
END_TEST

/* ---- the access check (SDM 4.6.2) ---- */

typedef struct KeyCase {
    const char *what;
    bool user; /* CPL 3 */
    bool write;
    uint64_t pte; /* flags of the data page */
    uint32_t pkru;
    bool wp;        /* CR0.WP */
    uint32_t error; /* expected #PF error code, 0: the access succeeds */
} KeyCase;

#define URW (7 | PTE_AD)
#define URO (5 | PTE_AD)
#define SRW (3 | PTE_AD)

static const KeyCase key_cases[] = {
    {"sup read, AD of its key", false, false, URW | KEY(1), AD(1), true, 0x21},
    {"sup read, AD of another key", false, false, URW | KEY(1), AD(2), true, 0},
    {"sup read, WD of its key", false, false, URW | KEY(1), WD(1), true, 0},
    {"sup write, WD, CR0.WP = 1", false, true, URW | KEY(1), WD(1), true, 0x23},
    {"sup write, WD, CR0.WP = 0", false, true, URW | KEY(1), WD(1), false, 0},
    {"sup write, AD, CR0.WP = 0", false, true, URW | KEY(1), AD(1), false, 0x23},
    {"user read, AD", true, false, URW | KEY(1), AD(1), true, 0x25},
    {"user read, WD", true, false, URW | KEY(1), WD(1), true, 0},
    {"user write, WD", true, true, URW | KEY(1), WD(1), true, 0x27},
    {"user write, WD, CR0.WP = 0", true, true, URW | KEY(1), WD(1), false, 0x27},
    {"user read, key 0, every other key AD", true, false, URW, 0xfffffffc, true, 0},
    {"user read, key 15, AD15", true, false, URW | KEY(15), AD(15), true, 0x25},
    {"user write, read-only page, AD", true, true, URO | KEY(1), AD(1), true, 0x27},
    {"user write, read-only page, no key denial", true, true, URO | KEY(1), AD(2), true, 0x7},
    {"sup read of a supervisor page, AD of its key", false, false, SRW | KEY(1), AD(1), true, 0},
};

START_TEST(test_pku_data_access_checked_by_key) {
    const KeyCase *c = &key_cases[_i];
    Machine *m = pku_machine();
    gp_set_pte(m, GP_DATA, c->pte);
    m->cpu.pkru = c->pkru;
    if (!c->wp) m->cpu.cr0 &= ~CR0_WP;
    if (c->user) enter_cpl3(m);
    m->cpu.gpr[GPR_RAX] = 0x1234;
    MachineStop st = c->write ? gp_run(m, STORE, 2, 1) : gp_run(m, LOAD, 2, 1);
    if (!c->error) {
        ck_assert_msg(st == STOP_BUDGET, "%s: #%u %#x", c->what, m->cpu.fault.vector,
                      m->cpu.fault.error);
    } else {
        ck_assert_msg(st == STOP_EXCEPTION && m->cpu.fault.vector == EXC_PF &&
                          m->cpu.fault.error == c->error,
                      "%s: stop %d #%u %#x", c->what, st, m->cpu.fault.vector, m->cpu.fault.error);
        ck_assert_uint_eq(m->cpu.fault.address, GP_DATA);
    }
    machine_destroy(m);
}
END_TEST

/* Instruction fetches are not subject to protection keys. */
START_TEST(test_pku_instruction_fetch_ignores_keys) {
    Machine *m = pku_machine();
    gp_set_pte(m, GP_CODE, 7 | KEY(3));
    m->cpu.pkru = AD(3) | WD(3);
    enter_cpl3(m);
    ck_assert_int_eq(gp_run(m, NOP, 1, 1), STOP_BUDGET);
    static const uint8_t load_code_page[] = {0x8b, 0x05, 0x10, 0x00, 0x00, 0x00};
    /* mov eax, [rip + 16]: a data read of the code page is checked */
    gp_assert_fault(m, gp_run(m, load_code_page, sizeof(load_code_page), 1), EXC_PF, 0x25);
    ck_assert_uint_eq(m->cpu.fault.address, GP_CODE + 6 + 16);
    machine_destroy(m);
}
END_TEST

START_TEST(test_pku_no_effect_with_cr4_pke_clear) {
    Machine *m = pku_machine();
    gp_set_pte(m, GP_DATA, URW | KEY(1));
    m->cpu.pkru = AD(1);
    m->cpu.cr4 &= ~CR4_PKE;
    enter_cpl3(m);
    ck_assert_int_eq(gp_run(m, LOAD, 2, 1), STOP_BUDGET);
    ck_assert_int_eq(gp_run(m, STORE, 2, 1), STOP_BUDGET);
    machine_destroy(m);
}
END_TEST

/* Only IA-32e paging has keys: with 32-bit paging, AD0 denies nothing. */
START_TEST(test_pku_no_effect_outside_ia32e_paging) {
    Machine *m = gp_flat32();
    gp_poke64(m, 0x24000, 0x25000 | 7);
    gp_poke64(m, 0x25000 + 4 * (GP_CODE >> 12), GP_CODE | 7);
    gp_poke64(m, 0x25000 + 4 * (GP_DATA >> 12), GP_DATA | 7);
    m->cpu.cr3 = 0x24000;
    m->cpu.cr0 |= CR0_PG;
    m->cpu.cr4 = CR4_PKE;
    m->cpu.pkru = AD(0) | WD(0);
    mem_tlb_flush_all(&m->cpu.tlb);
    m->cpu.gpr[GPR_RSI] = GP_DATA;
    ck_assert_int_eq(gp_run(m, LOAD, 2, 1), STOP_BUDGET);
    ck_assert_int_eq(gp_run(m, STORE, 2, 1), STOP_BUDGET);
    machine_destroy(m);
}
END_TEST

/* ---- the TLB fast path ---- */

/* An access that fills the TLB under one PKRU must not let a later access
 * through after WRPKRU denies it. */
START_TEST(test_pku_wrpkru_revokes_cached_permission) {
    Machine *m = pku_machine();
    gp_set_pte(m, GP_DATA, URW | KEY(2));
    enter_cpl3(m);
    ck_assert_int_eq(gp_run(m, LOAD, 2, 1), STOP_BUDGET);
    ck_assert_int_eq(gp_run(m, STORE, 2, 1), STOP_BUDGET);
    ck_assert_int_eq(wrpkru(m, AD(2), 0, 0), STOP_BUDGET);
    m->cpu.gpr[GPR_RSI] = GP_DATA;
    gp_assert_fault(m, gp_run(m, LOAD, 2, 1), EXC_PF, 0x25);
    ck_assert_int_eq(wrpkru(m, 0, 0, 0), STOP_BUDGET);
    m->cpu.gpr[GPR_RSI] = GP_DATA;
    ck_assert_int_eq(gp_run(m, LOAD, 2, 1), STOP_BUDGET);
    /* WRPKRU then the load in one block: the load sees the new PKRU. */
    static const uint8_t wrpkru_load[] = {0x0f, 0x01, 0xef, 0x8b, 0x06};
    m->cpu.gpr[GPR_RAX] = AD(2);
    m->cpu.gpr[GPR_RCX] = m->cpu.gpr[GPR_RDX] = 0;
    MachineStop st = gp_run(m, wrpkru_load, sizeof(wrpkru_load), 2);
    ck_assert_int_eq(st, STOP_EXCEPTION);
    ck_assert_uint_eq(m->cpu.fault.error, 0x25);
    ck_assert_uint_eq(m->cpu.RIP, GP_CODE + 3);
    machine_destroy(m);
}
END_TEST

/* A read allowed under WD fills the TLB; the entry must not carry write
 * permission for a later store (user, and supervisor with CR0.WP = 1). */
START_TEST(test_pku_read_under_wd_caches_no_write) {
    for (unsigned user = 0; user < 2; user++) {
        Machine *m = pku_machine();
        gp_set_pte(m, GP_DATA, URW | KEY(4));
        m->cpu.pkru = WD(4);
        if (user) enter_cpl3(m);
        ck_assert_int_eq(gp_run(m, LOAD, 2, 1), STOP_BUDGET);
        TlbEntry *e = mem_tlb_lookup(&m->cpu.tlb, GP_DATA);
        ck_assert_ptr_nonnull(e);
        ck_assert(e->perm & (user ? TLB_READ_USER : TLB_READ_SUP));
        ck_assert(!(e->perm & (TLB_WRITE_USER | TLB_WRITE_SUP)));
        gp_assert_fault(m, gp_run(m, STORE, 2, 1), EXC_PF, user ? 0x27 : 0x23);
        machine_destroy(m);
    }
}
END_TEST

static Suite *pku_suite(void) {
    Suite *s = suite_create("pku");
    TCase *insns = tcase_create("rdpkru_wrpkru");
    tcase_add_test(insns, test_pku_instructions_ud_without_cr4_pke);
    tcase_add_test(insns, test_pku_wrpkru_rdpkru_round_trip_at_cpl3);
    tcase_add_test(insns, test_pku_ecx_or_edx_nonzero_gp);
    suite_add_tcase(s, insns);
    TCase *check = tcase_create("access_check");
    tcase_add_loop_test(check, test_pku_data_access_checked_by_key, 0,
                        (int)SIM_ARRAY_SIZE(key_cases));
    tcase_add_test(check, test_pku_instruction_fetch_ignores_keys);
    tcase_add_test(check, test_pku_no_effect_with_cr4_pke_clear);
    tcase_add_test(check, test_pku_no_effect_outside_ia32e_paging);
    suite_add_tcase(s, check);
    TCase *tlb = tcase_create("tlb");
    tcase_add_test(tlb, test_pku_wrpkru_revokes_cached_permission);
    tcase_add_test(tlb, test_pku_read_under_wd_caches_no_write);
    suite_add_tcase(s, tlb);
    return s;
}

CHECK_MAIN(pku_suite)
