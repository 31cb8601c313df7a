/*
 * Cache/TLB control and debug registers (SDM Vol. 2 INVD, WBINVD, INVLPG,
 * INVPCID, CLFLUSHOPT, MOV to/from DR0-DR7; SDM Vol. 3A 4.10.4; Vol. 3B
 * 17.2): privilege and mode checks, INVPCID's descriptor rules, the TLB
 * flushes (a guest rewrites a PTE without flushing, reads the stale
 * translation, then invalidates), the debug-register fixed bits, DR4/DR5
 * aliasing and general detect.
 */
#include "check_main.h"
#include "gp_support.h"
#include "sim/cpu/cpu_model.h"
#include "sim/cpu/exceptions.h"

#define PAGE_X 0x5000u   /* linear page remapped by the tests */
#define PHYS_NEW 0xa000u /* its new physical page */
#define PTE_X (GP_PT + 8 * (PAGE_X >> 12))

static void set_cpl(Machine *m, unsigned cpl) {
    CpuState *c = &m->cpu;
    c->seg[SEG_CS].ar = (c->seg[SEG_CS].ar & ~(3u << AR_DPL_SHIFT)) | (cpl << AR_DPL_SHIFT);
    c->seg[SEG_SS].ar = (c->seg[SEG_SS].ar & ~(3u << AR_DPL_SHIFT)) | (cpl << AR_DPL_SHIFT);
    cpu_update_mode(c);
}

static Machine *prot32(unsigned cpl) {
    Machine *m = gp_flat32();
    set_cpl(m, cpl);
    return m;
}

static Machine *v86(void) {
    Machine *m = gp_flat32();
    CpuState *c = &m->cpu;
    for (unsigned s = 0; s < 6; s++) {
        uint32_t type = 0x3 | (s == SEG_CS ? AR_TYPE_CODE : 0);
        c->seg[s] = (Segment){0, 0xffff, type | AR_S | AR_P | (3u << AR_DPL_SHIFT), 0};
    }
    cpu_set_rflags(c, RFLAGS_FIXED1 | RFLAGS_VM);
    cpu_update_mode(c);
    return m;
}

/* ---- INVD / WBINVD ---- */

START_TEST(test_sys_invd_wbinvd_privilege) {
    static const uint8_t codes[][2] = {{0x0f, 0x08}, {0x0f, 0x09}};
    for (unsigned i = 0; i < 2; i++) {
        Machine *m = prot32(0);
        ck_assert_int_eq(gp_run(m, codes[i], 2, 1), STOP_BUDGET);
        machine_destroy(m);
        m = gp_real16();
        ck_assert_int_eq(gp_run(m, codes[i], 2, 1), STOP_BUDGET);
        machine_destroy(m);
        m = prot32(3);
        gp_assert_fault(m, gp_run(m, codes[i], 2, 1), EXC_GP, 0);
        machine_destroy(m);
    }
}
END_TEST

/* ---- INVLPG / INVPCID: a stale translation and its invalidation ---- */

/* 64-bit machine where PHYS PAGE_X holds 0x1111 and PHYS_NEW 0x2222; the
 * guest reads PAGE_X, rewrites its PTE to PHYS_NEW (no flush), reads again,
 * runs `flush` (at most 9 bytes), reads a third time: RAX, RCX, RDX. */
static Machine *remap_and_run(const uint8_t *flush, size_t n, void (*setup)(Machine *)) {
    uint8_t code[32] = {0x8b, 0x03,             /* mov eax, [rbx] */
                        0x48, 0x89, 0x3e,       /* mov [rsi], rdi */
                        0x8b, 0x0b};            /* mov ecx, [rbx] */
    static const uint8_t tail[] = {0x8b, 0x13}; /* mov edx, [rbx] */
    ck_assert_uint_le(n, 9);
    memcpy(code + 7, flush, n);
    memcpy(code + 7 + n, tail, sizeof(tail));
    Machine *m = gp_long64();
    CpuState *c = &m->cpu;
    gp_poke64(m, PAGE_X, 0x1111);
    gp_poke64(m, PHYS_NEW, 0x2222);
    c->gpr[GPR_RBX] = PAGE_X;
    c->gpr[GPR_RSI] = PTE_X;
    c->gpr[GPR_RDI] = PHYS_NEW | PTE_P | PTE_W;
    if (setup) setup(m);
    ck_assert_int_eq(gp_run(m, code, 7 + n + sizeof(tail), 5), STOP_BUDGET);
    ck_assert_uint_eq(c->gpr[GPR_RAX], 0x1111);
    ck_assert_uint_eq(c->gpr[GPR_RCX], 0x1111); /* stale: no invalidation yet */
    return m;
}

START_TEST(test_sys_invlpg_flushes_the_page) {
    static const uint8_t invlpg[] = {0x0f, 0x01, 0x3b}; /* invlpg [rbx] */
    static const uint8_t nop3[] = {0x0f, 0x1f, 0x00};
    Machine *m = remap_and_run(invlpg, sizeof(invlpg), NULL);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RDX], 0x2222);
    machine_destroy(m);
    m = remap_and_run(nop3, sizeof(nop3), NULL); /* without it: still stale */
    ck_assert_uint_eq(m->cpu.gpr[GPR_RDX], 0x1111);
    machine_destroy(m);
}
END_TEST

static void fs_base_page_x(Machine *m) {
    m->cpu.seg[SEG_FS].base = PAGE_X;
}
static void ds_base_page_x(Machine *m) {
    m->cpu.seg[SEG_DS].base = PAGE_X;
}

/* The linear address goes through segmentation: in 64-bit mode FS's base
 * counts, DS's does not (SDM Vol. 3A 3.4.4). */
START_TEST(test_sys_invlpg_linear_address_through_segment_base) {
    static const uint8_t fs0[] = {0x64, 0x0f, 0x01, 0x3c, 0x25, 0, 0, 0, 0}; /* invlpg fs:[0] */
    static const uint8_t ds0[] = {0x0f, 0x01, 0x3c, 0x25, 0, 0, 0, 0};       /* invlpg [0] */
    Machine *m = remap_and_run(fs0, sizeof(fs0), fs_base_page_x);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RDX], 0x2222);
    machine_destroy(m);
    m = remap_and_run(ds0, sizeof(ds0), ds_base_page_x);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RDX], 0x1111);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sys_invlpg_privilege_and_noncanonical) {
    static const uint8_t invlpg[] = {0x0f, 0x01, 0x3b};
    Machine *m = prot32(3);
    gp_assert_fault(m, gp_run(m, invlpg, sizeof(invlpg), 1), EXC_GP, 0);
    machine_destroy(m);
    m = prot32(0);
    ck_assert_int_eq(gp_run(m, invlpg, sizeof(invlpg), 1), STOP_BUDGET);
    machine_destroy(m);
    m = gp_long64(); /* non-canonical: a no-op, no fault */
    m->cpu.gpr[GPR_RBX] = UINT64_C(0x0000800000000000);
    ck_assert_int_eq(gp_run(m, invlpg, sizeof(invlpg), 1), STOP_BUDGET);
    machine_destroy(m);
}
END_TEST

static const uint8_t invpcid[] = {0x66, 0x0f, 0x38, 0x82, 0x03}; /* invpcid rax, [rbx] */

/* INVPCID with type RAX and descriptor {lo, hi} at GP_DATA. */
static MachineStop run_invpcid(Machine *m, uint64_t type, uint64_t lo, uint64_t hi) {
    m->cpu.gpr[GPR_RAX] = type;
    m->cpu.gpr[GPR_RBX] = GP_DATA;
    gp_poke64(m, GP_DATA, lo);
    gp_poke64(m, GP_DATA + 8, hi);
    return gp_run(m, invpcid, sizeof(invpcid), 1);
}

typedef struct InvpcidCase {
    uint64_t type, lo, hi;
    bool pcide, gp;
} InvpcidCase;

static const InvpcidCase invpcid_cases[] = {
    {0, 0, PAGE_X, false, false},
    {1, 0, 0, false, false},
    {2, 0, 0, false, false},
    {3, 0, 0, false, false},
    {4, 0, 0, false, true},                 /* type > 3 */
    {UINT64_C(1) << 32, 0, 0, false, true}, /* all 64 bits of the type count */
    {2, 0x1000, 0, false, true},            /* descriptor bits 63:12 */
    {3, UINT64_C(1) << 63, 0, false, true},
    {0, 1, PAGE_X, false, true}, /* PCID != 0 with CR4.PCIDE = 0 */
    {1, 1, 0, false, true},
    {0, 1, PAGE_X, true, false},                        /* ... allowed with PCIDE = 1 */
    {2, 0xfff, 0, false, false},                        /* types 2, 3: PCID not checked */
    {0, 0, UINT64_C(0x0000800000000000), false, true},  /* type 0: non-canonical address */
    {1, 0, UINT64_C(0x0000800000000000), false, false}, /* other types ignore it */
};

START_TEST(test_sys_invpcid_case) {
    const InvpcidCase *k = &invpcid_cases[_i];
    Machine *m = gp_long64();
    if (k->pcide) m->cpu.cr4 |= CR4_PCIDE;
    MachineStop st = run_invpcid(m, k->type, k->lo, k->hi);
    if (k->gp)
        gp_assert_fault(m, st, EXC_GP, 0);
    else
        ck_assert_int_eq(st, STOP_BUDGET);
    machine_destroy(m);
}
END_TEST

/* Descriptor {PCID 0, PAGE_X} at [RSP] = GP_DATA, the type in R8. */
static void invpcid_desc(Machine *m, uint64_t type) {
    m->cpu.gpr[GPR_R8] = type;
    m->cpu.gpr[GPR_RSP] = GP_DATA;
    gp_poke64(m, GP_DATA, 0);
    gp_poke64(m, GP_DATA + 8, PAGE_X);
}

static void invpcid_type0(Machine *m) {
    invpcid_desc(m, 0);
}
static void invpcid_type3(Machine *m) {
    invpcid_desc(m, 3);
}

/* Type 0 invalidates the address; type 3 every non-global mapping. */
START_TEST(test_sys_invpcid_flushes) {
    static const uint8_t flush[] = {0x66, 0x44, 0x0f, 0x38, 0x82, 0x04, 0x24}; /* r8, [rsp] */
    Machine *m = remap_and_run(flush, sizeof(flush), invpcid_type0);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RDX], 0x2222);
    machine_destroy(m);
    m = remap_and_run(flush, sizeof(flush), invpcid_type3);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RDX], 0x2222);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sys_invpcid_without_feature_ud) {
    Machine *m = gp_long64();
    m->cpu.model = gp_model_none();
    gp_assert_fault(m, run_invpcid(m, 0, 0, 0), EXC_UD, 0);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sys_invpcid_cpl3_and_v86_gp0) {
    Machine *m = prot32(3);
    gp_assert_fault(m, run_invpcid(m, 3, 0, 0), EXC_GP, 0);
    machine_destroy(m);
    m = prot32(0); /* the same in 32-bit protected mode at CPL 0 succeeds */
    ck_assert_int_eq(run_invpcid(m, 3, 0, 0), STOP_BUDGET);
    machine_destroy(m);
    m = v86();
    gp_assert_fault(m, run_invpcid(m, 3, 0, 0), EXC_GP, 0);
    machine_destroy(m);
}
END_TEST

/* The descriptor is read before the type is examined (docs): a #PF on it
 * wins over an invalid type. */
START_TEST(test_sys_invpcid_descriptor_page_fault_first) {
    Machine *m = gp_long64();
    gp_set_pte(m, GP_DATA, 0);
    gp_assert_fault(m, run_invpcid(m, 4, 0, 0), EXC_PF, 0);
    ck_assert_uint_eq(m->cpu.fault.address, GP_DATA);
    machine_destroy(m);
}
END_TEST

/* ---- CLFLUSHOPT ---- */

/* CPUID.(EAX=07H,ECX=0):EBX.CLFLUSHOPT[bit 23] is 0 on every model until
 * cpu_features.def has the row: #UD. */
START_TEST(test_sys_clflushopt_without_cpuid_bit_ud) {
    static const uint8_t code[] = {0x66, 0x0f, 0xae, 0x3b}; /* clflushopt [rbx] */
    Machine *m = gp_long64();
    m->cpu.model = cpu_model_find("nehalem"); /* a model without CLFLUSHOPT */
    m->cpu.gpr[GPR_RBX] = GP_DATA;
    gp_assert_fault(m, gp_run(m, code, sizeof(code), 1), EXC_UD, 0);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sys_clflushopt_with_cpuid_bit_runs) {
    static const uint8_t code[] = {0x66, 0x0f, 0xae, 0x3b}; /* clflushopt [rbx] */
    Machine *m = gp_long64();
    ck_assert(cpu_model_has(m->cpu.model, FEAT_CLFLUSHOPT));
    m->cpu.gpr[GPR_RBX] = GP_DATA;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.RIP, GP_CODE + sizeof(code));
    machine_destroy(m);
}
END_TEST

/* ---- MOV DR ---- */

#define DR6_BD 0x2000u
#define DR7_GD 0x2000u

START_TEST(test_sys_mov_dr0_round_trip_64bit) {
    Machine *m = gp_long64();
    static const uint8_t code[] = {0x0f, 0x23, 0xc0,  /* mov dr0, rax */
                                   0x0f, 0x21, 0xc1}; /* mov rcx, dr0 */
    m->cpu.gpr[GPR_RAX] = UINT64_C(0xffff800012345678);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 2), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RCX], UINT64_C(0xffff800012345678));
    machine_destroy(m);
}
END_TEST

typedef struct DrFixedCase {
    unsigned dr;
    uint64_t written, read;
} DrFixedCase;

static const DrFixedCase dr_fixed_cases[] = {
    {6, 0, 0xffff0ff0},          /* bits 31:16, 11:4 read as 1 */
    {6, 0xffffffff, 0xffffefff}, /* bit 12 reads as 0 */
    {7, 0, 0x400},               /* bit 10 reads as 1 */
    {7, 0xffffdfff, 0xffff07ff}, /* bits 11, 12, 14, 15 read as 0 (GD left clear) */
};

START_TEST(test_sys_mov_dr6_dr7_fixed_bits) {
    const DrFixedCase *k = &dr_fixed_cases[_i];
    uint8_t code[] = {0x0f, 0x23, (uint8_t)(0xc0 | k->dr << 3),  /* mov drN, rax */
                      0x0f, 0x21, (uint8_t)(0xc1 | k->dr << 3)}; /* mov rcx, drN */
    Machine *m = gp_long64();
    m->cpu.gpr[GPR_RAX] = k->written;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 2), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RCX], k->read);
    machine_destroy(m);
}
END_TEST

/* CR4.DE = 0: DR4/DR5 are DR6/DR7.  CR4.DE = 1: #UD. */
START_TEST(test_sys_mov_dr4_dr5_alias_or_ud) {
    static const uint8_t code[] = {0x0f, 0x23, 0xe8,  /* mov dr5, rax */
                                   0x0f, 0x21, 0xe1}; /* mov rcx, dr4 */
    Machine *m = gp_long64();
    m->cpu.gpr[GPR_RAX] = 0x3;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 2), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.dr[7], 0x403);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RCX], 0xffff0ff0);
    machine_destroy(m);
    for (unsigned i = 0; i < 2; i++) {
        m = gp_long64();
        m->cpu.cr4 |= CR4_DE;
        gp_assert_fault(m, gp_run(m, code + 3 * i, 3, 1), EXC_UD, 0);
        ck_assert_uint_eq(m->cpu.dr[7], 0x400);
        machine_destroy(m);
    }
}
END_TEST

/* 64-bit mode: 1s in bits 63:32 of DR6/DR7 are #GP(0); DR0-DR3 take them. */
START_TEST(test_sys_mov_dr6_dr7_upper_bits_gp0) {
    static const uint8_t codes[][3] = {{0x0f, 0x23, 0xf0}, {0x0f, 0x23, 0xf8}, {0x0f, 0x23, 0xd8}};
    for (unsigned i = 0; i < 3; i++) {
        Machine *m = gp_long64();
        m->cpu.gpr[GPR_RAX] = UINT64_C(1) << 32;
        MachineStop st = gp_run(m, codes[i], 3, 1);
        if (i < 2) {
            gp_assert_fault(m, st, EXC_GP, 0);
        } else {
            ck_assert_int_eq(st, STOP_BUDGET);
            ck_assert_uint_eq(m->cpu.dr[3], UINT64_C(1) << 32);
        }
        machine_destroy(m);
    }
}
END_TEST

START_TEST(test_sys_mov_dr_privilege) {
    static const uint8_t code[] = {0x0f, 0x23, 0xc0}; /* mov dr0, eax */
    Machine *m = prot32(3);
    gp_assert_fault(m, gp_run(m, code, sizeof(code), 1), EXC_GP, 0);
    machine_destroy(m);
    m = v86();
    gp_assert_fault(m, gp_run(m, code, sizeof(code), 1), EXC_GP, 0);
    machine_destroy(m);
    m = prot32(0);
    m->cpu.gpr[GPR_RAX] = 0x12345678;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.dr[0], 0x12345678);
    machine_destroy(m);
    m = gp_real16(); /* real-address mode is CPL 0 */
    m->cpu.gpr[GPR_RAX] = 0x1234;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.dr[0], 0x1234);
    machine_destroy(m);
}
END_TEST

/* DR7.GD: the next MOV DR faults with #DB before executing, DR6.BD set and
 * GD cleared; retried, it then succeeds. */
START_TEST(test_sys_mov_dr_general_detect_db) {
    static const uint8_t code[] = {0x0f, 0x23, 0xf8,  /* mov dr7, rax */
                                   0x0f, 0x21, 0xc1}; /* mov rcx, dr0 */
    Machine *m = gp_long64();
    CpuState *c = &m->cpu;
    c->gpr[GPR_RAX] = DR7_GD;
    c->gpr[GPR_RCX] = 0x5555;
    c->dr[0] = 0x1234;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 2), STOP_EXCEPTION);
    ck_assert_uint_eq(c->fault.vector, EXC_DB);
    ck_assert_uint_eq(c->RIP, GP_CODE + 3); /* a fault: the MOV is not done */
    ck_assert_uint_eq(c->gpr[GPR_RCX], 0x5555);
    ck_assert_uint_eq(c->dr[6], 0xffff0ff0 | DR6_BD);
    ck_assert_uint_eq(c->dr[7], 0x400);
    ck_assert_int_eq(machine_run(m, 1), STOP_BUDGET);
    ck_assert_uint_eq(c->gpr[GPR_RCX], 0x1234);
    machine_destroy(m);
}
END_TEST

/* Order: #GP(0) for CPL > 0 and #UD for DR4 with CR4.DE come before the
 * general-detect #DB, which then leaves DR6/DR7 alone. */
START_TEST(test_sys_mov_dr_gp_and_ud_before_general_detect) {
    static const uint8_t rd0[] = {0x0f, 0x21, 0xc1}, rd4[] = {0x0f, 0x21, 0xe1};
    Machine *m = prot32(3);
    m->cpu.dr[7] = 0x400 | DR7_GD;
    gp_assert_fault(m, gp_run(m, rd0, 3, 1), EXC_GP, 0);
    ck_assert_uint_eq(m->cpu.dr[7], 0x400 | DR7_GD);
    machine_destroy(m);
    m = prot32(0);
    m->cpu.dr[7] = 0x400 | DR7_GD;
    m->cpu.cr4 |= CR4_DE;
    gp_assert_fault(m, gp_run(m, rd4, 3, 1), EXC_UD, 0);
    ck_assert_uint_eq(m->cpu.dr[6], 0xffff0ff0);
    machine_destroy(m);
}
END_TEST

static Suite *sys_cache_dr_suite(void) {
    Suite *s = suite_create("sys_cache_dr");
    TCase *c = tcase_create("cache_tlb");
    tcase_add_test(c, test_sys_invd_wbinvd_privilege);
    tcase_add_test(c, test_sys_invlpg_flushes_the_page);
    tcase_add_test(c, test_sys_invlpg_linear_address_through_segment_base);
    tcase_add_test(c, test_sys_invlpg_privilege_and_noncanonical);
    tcase_add_loop_test(c, test_sys_invpcid_case, 0, (int)SIM_ARRAY_SIZE(invpcid_cases));
    tcase_add_test(c, test_sys_invpcid_flushes);
    tcase_add_test(c, test_sys_invpcid_without_feature_ud);
    tcase_add_test(c, test_sys_invpcid_cpl3_and_v86_gp0);
    tcase_add_test(c, test_sys_invpcid_descriptor_page_fault_first);
    tcase_add_test(c, test_sys_clflushopt_without_cpuid_bit_ud);
    tcase_add_test(c, test_sys_clflushopt_with_cpuid_bit_runs);
    suite_add_tcase(s, c);
    TCase *d = tcase_create("debug_registers");
    tcase_add_test(d, test_sys_mov_dr0_round_trip_64bit);
    tcase_add_loop_test(d, test_sys_mov_dr6_dr7_fixed_bits, 0, (int)SIM_ARRAY_SIZE(dr_fixed_cases));
    tcase_add_test(d, test_sys_mov_dr4_dr5_alias_or_ud);
    tcase_add_test(d, test_sys_mov_dr6_dr7_upper_bits_gp0);
    tcase_add_test(d, test_sys_mov_dr_privilege);
    tcase_add_test(d, test_sys_mov_dr_general_detect_db);
    tcase_add_test(d, test_sys_mov_dr_gp_and_ud_before_general_detect);
    suite_add_tcase(s, d);
    return s;
}

CHECK_MAIN(sys_cache_dr_suite)
