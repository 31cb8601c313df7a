/*
 * STAC and CLAC (SDM Vol. 2 "STAC—Set AC Flag in EFLAGS Register", "CLAC—
 * Clear AC Flag in EFLAGS Register") and what RFLAGS.AC does to SMAP (SDM
 * Vol. 3A 4.6.1 "Determination of Access Rights"): each rule both ways.
 */
#include "check_main.h"
#include "gp_support.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/v86.h"
#include "sim/mem/paging.h"

#define PTE_U UINT64_C(0x4)

static const uint8_t STAC[] = {0x0f, 0x01, 0xcb};
static const uint8_t CLAC[] = {0x0f, 0x01, 0xca};

static void assert_ac(Machine *m, const uint8_t *insn, bool ac) {
    ck_assert_int_eq(gp_run(m, insn, 3, 1), STOP_BUDGET);
    ck_assert_uint_eq(!!(m->cpu.rflags & RFLAGS_AC), ac);
}

/* STAC sets AC, CLAC clears it, at CPL 0 in protected and in real-address
 * mode (no CPL check there), and in 64-bit mode. */
START_TEST(test_smap_stac_clac_change_ac) {
    Machine *ms[3] = {gp_flat32(), gp_real16(), gp_long64()};
    for (unsigned i = 0; i < 3; i++) {
        assert_ac(ms[i], STAC, true);
        assert_ac(ms[i], CLAC, false);
        machine_destroy(ms[i]);
    }
}
END_TEST

/* #UD without CPUID.(EAX=07H,ECX=0):EBX.SMAP, at CPL > 0, and in
 * virtual-8086 mode ("not recognized"); AC unchanged. */
START_TEST(test_smap_stac_clac_ud) {
    const uint8_t *insns[2] = {STAC, CLAC};
    for (unsigned i = 0; i < 2; i++) {
        Machine *m = gp_flat32();
        m->cpu.model = gp_model_none();
        gp_assert_fault(m, gp_run(m, insns[i], 3, 1), EXC_UD, 0);
        machine_destroy(m);
        m = gp_flat32();
        m->cpu.seg[SEG_CS].ar |= 3u << AR_DPL_SHIFT;
        m->cpu.seg[SEG_CS].selector |= 3;
        m->cpu.seg[SEG_SS] = (Segment){0x2b, 0xffffffffu, 0xf3 | AR_DB | AR_G, 0};
        cpu_update_mode(&m->cpu);
        ck_assert_uint_eq(m->cpu.cpl, 3);
        gp_assert_fault(m, gp_run(m, insns[i], 3, 1), EXC_UD, 0);
        machine_destroy(m);
        m = gp_flat32();
        static const uint16_t sel[6] = {0, 0, 0, 0, 0, 0};
        cpu_set_rflags(&m->cpu, RFLAGS_FIXED1 | RFLAGS_VM | (i ? RFLAGS_AC : 0));
        cpu_v86_load_segments(&m->cpu, sel);
        cpu_update_mode(&m->cpu);
        gp_assert_fault(m, gp_run(m, insns[i], 3, 1), EXC_UD, 0);
        ck_assert_uint_eq(!!(m->cpu.rflags & RFLAGS_AC), i);
        machine_destroy(m);
    }
}
END_TEST

/* 64-bit mode at CPL 0 with CR4.SMAP and GP_DATA a user-mode page. */
static Machine *smap_machine(void) {
    Machine *m = gp_long64();
    for (unsigned i = 0; i < 3; i++)
        gp_poke64(m, GP_PML4 + 0x1000 * i, gp_peek(m, GP_PML4 + 0x1000 * i, 8) | PTE_U);
    gp_set_pte(m, GP_DATA, GP_DATA | PTE_P | PTE_W | PTE_U);
    gp_poke64(m, GP_DATA, 0x5a5a);
    m->cpu.cr4 |= CR4_SMAP;
    m->cpu.gpr[GPR_RSI] = GP_DATA;
    return m;
}

/* SDM 4.6.1: with CR4.SMAP = 1 a supervisor-mode data read of a user-mode
 * page is allowed only with RFLAGS.AC = 1: #PF(P) after CLAC, the read
 * after STAC, and #PF again after the next CLAC (no stale permission). */
START_TEST(test_smap_stac_opens_user_pages_clac_closes) {
    static const uint8_t load[] = {0x8b, 0x06};                        /* mov eax, [rsi] */
    static const uint8_t stac_load[] = {0x0f, 0x01, 0xcb, 0x8b, 0x06}; /* stac; mov */
    static const uint8_t clac_load[] = {0x0f, 0x01, 0xca, 0x8b, 0x06}; /* clac; mov */
    Machine *m = smap_machine();
    gp_assert_fault(m, gp_run(m, load, sizeof(load), 1), EXC_PF, PF_P);
    ck_assert_uint_eq(m->cpu.fault.address, GP_DATA);
    ck_assert_int_eq(gp_run(m, stac_load, sizeof(stac_load), 2), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0x5a5a);
    m->cpu.gpr[GPR_RAX] = 0;
    ck_assert_int_eq(gp_run(m, clac_load, sizeof(clac_load), 2), STOP_EXCEPTION);
    ck_assert_uint_eq(m->cpu.fault.vector, EXC_PF);
    ck_assert_uint_eq(m->cpu.RIP, GP_CODE + 3);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0);
    machine_destroy(m);
}
END_TEST

static Suite *smap_suite(void) {
    Suite *s = suite_create("sys_smap");
    TCase *tc = tcase_create("stac_clac");
    tcase_add_test(tc, test_smap_stac_clac_change_ac);
    tcase_add_test(tc, test_smap_stac_clac_ud);
    tcase_add_test(tc, test_smap_stac_opens_user_pages_clac_closes);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(smap_suite)
