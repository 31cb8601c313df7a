/*
 * General-purpose instructions in corners the differential harness
 * (tests/diff, docs/differential-testing.md) found vmxsim getting wrong:
 * LOOPcc and REP string instructions with a 32-bit address size in 64-bit
 * mode, REPE CMPS faulting part-way, MOVSXD with a 16-bit operand size,
 * POP of a segment register with a 32-bit operand size.  Each test shows
 * both sides of its rule.
 */
#include "check_main.h"
#include "gp_support.h"
#include "sim/cpu/exceptions.h"

#define HOLE 0x4000u /* not present: the page after GP_DATA */
#define UPPER UINT64_C(0xdead000000000000)

static Machine *corners_long64(void)
{
    Machine *m = gp_long64();
    gp_set_pte(m, HOLE, 0);
    return m;
}

/* SDM Vol. 1 3.4.1.1: LOOP with a 32-bit address size counts in ECX, and
 * writing ECX zero-extends RCX; with a 64-bit one RCX[63:32] count too. */
START_TEST(test_corners_loop_addr32_zero_extends_rcx)
{
    static const uint8_t loop32[] = {0x67, 0xe2, 0x00}; /* loop (ECX) to the next insn */
    static const uint8_t loop64[] = {0xe2, 0x00};
    Machine *m = corners_long64();
    m->cpu.gpr[GPR_RCX] = UPPER | 5;
    ck_assert_int_eq(gp_run(m, loop32, sizeof(loop32), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RCX], 4);
    m->cpu.gpr[GPR_RCX] = UPPER | 5;
    ck_assert_int_eq(gp_run(m, loop64, sizeof(loop64), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RCX], UPPER | 4);
    machine_destroy(m);
}
END_TEST

/* REP with a 32-bit address size writes ECX before the first iteration,
 * zero-extending RCX even when ECX = 0; MOVS does the same with RSI and
 * RDI, STOS with RDI; LODS leaves RSI alone (the Intel core's behaviour:
 * string_repeat.h). */
START_TEST(test_corners_rep_addr32_zero_count_zero_extends)
{
    static const uint8_t rep_movsb[] = {0x67, 0xf3, 0xa4};
    static const uint8_t rep_stosb[] = {0x67, 0xf3, 0xaa};
    static const uint8_t rep_lodsb[] = {0x67, 0xf3, 0xac};
    static const uint8_t movsb[] = {0x67, 0xa4}; /* no REP: one iteration */
    Machine *m = corners_long64();
    const uint64_t rsi = UPPER | GP_DATA, rdi = UPPER | (GP_DATA + 0x100);
    m->cpu.gpr[GPR_RCX] = UPPER, m->cpu.gpr[GPR_RSI] = rsi, m->cpu.gpr[GPR_RDI] = rdi;
    ck_assert_int_eq(gp_run(m, rep_movsb, sizeof(rep_movsb), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RCX], 0);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSI], GP_DATA);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RDI], GP_DATA + 0x100);
    m->cpu.gpr[GPR_RCX] = UPPER, m->cpu.gpr[GPR_RSI] = rsi, m->cpu.gpr[GPR_RDI] = rdi;
    ck_assert_int_eq(gp_run(m, rep_stosb, sizeof(rep_stosb), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSI], rsi);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RDI], GP_DATA + 0x100);
    m->cpu.gpr[GPR_RCX] = UPPER, m->cpu.gpr[GPR_RDI] = rdi;
    ck_assert_int_eq(gp_run(m, rep_lodsb, sizeof(rep_lodsb), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RCX], 0);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSI], rsi);
    m->cpu.gpr[GPR_RCX] = UPPER;
    ck_assert_int_eq(gp_run(m, movsb, sizeof(movsb), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RCX], UPPER); /* no REP: RCX is not the count */
    machine_destroy(m);
}
END_TEST

/* ...and when the first iteration faults: the count is not consumed, but
 * RCX, RSI, RDI have been written as ECX, ESI, EDI. */
START_TEST(test_corners_rep_movs_addr32_fault_zero_extends)
{
    static const uint8_t rep_movsb[] = {0x67, 0xf3, 0xa4};
    Machine *m = corners_long64();
    m->cpu.gpr[GPR_RCX] = UPPER | 3;
    m->cpu.gpr[GPR_RSI] = UPPER | HOLE;
    m->cpu.gpr[GPR_RDI] = UPPER | GP_DATA;
    gp_assert_fault(m, gp_run(m, rep_movsb, sizeof(rep_movsb), 1), EXC_PF, 0);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RCX], 3);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSI], HOLE);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RDI], GP_DATA);
    machine_destroy(m);
}
END_TEST

/* REPE CMPSB that faults after two matching iterations: RSI, RDI, RCX
 * show the progress, RFLAGS are as before the instruction (the Intel
 * core's behaviour: string_repeat.h); completed, the flags are CMP's. */
START_TEST(test_corners_repe_cmps_fault_keeps_rflags)
{
    static const uint8_t repe_cmpsb[] = {0xf3, 0xa6};
    static const uint8_t same[2] = {0x5a, 0x5a};
    Machine *m = corners_long64();
    test_poke(m, HOLE - 2, same, 2);
    test_poke(m, GP_DATA, same, 2);
    m->cpu.gpr[GPR_RSI] = HOLE - 2;
    m->cpu.gpr[GPR_RDI] = GP_DATA;
    m->cpu.gpr[GPR_RCX] = 5;
    cpu_set_rflags(&m->cpu, RFLAGS_FIXED1 | RFLAGS_CF | RFLAGS_SF);
    gp_assert_fault(m, gp_run(m, repe_cmpsb, sizeof(repe_cmpsb), 1), EXC_PF, 0);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSI], HOLE);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RCX], 3);
    ck_assert_uint_eq(gp_arith(m), RFLAGS_CF | RFLAGS_SF);
    m->cpu.gpr[GPR_RSI] = HOLE - 2;
    m->cpu.gpr[GPR_RDI] = GP_DATA;
    m->cpu.gpr[GPR_RCX] = 2;
    ck_assert_int_eq(gp_run(m, repe_cmpsb, sizeof(repe_cmpsb), 1), STOP_BUDGET);
    ck_assert_uint_eq(gp_arith(m), RFLAGS_ZF | RFLAGS_PF);
    machine_destroy(m);
}
END_TEST

/* MOVSXD r16, r/m16 (66 63 /r) reads a word: one that ends just before a
 * page that is not present does not fault; MOVSXD r32, r/m32 there does. */
START_TEST(test_corners_movsxd_16bit_reads_word)
{
    static const uint8_t movsxd16[] = {0x66, 0x63, 0x03}; /* movsxd ax, word [rbx] */
    static const uint8_t movsxd32[] = {0x63, 0x03};       /* movsxd eax, dword [rbx] */
    static const uint16_t v = 0x8765;
    Machine *m = corners_long64();
    test_poke(m, HOLE - 2, &v, sizeof(v));
    m->cpu.gpr[GPR_RBX] = HOLE - 2;
    m->cpu.gpr[GPR_RAX] = UPPER;
    ck_assert_int_eq(gp_run(m, movsxd16, sizeof(movsxd16), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], UPPER | 0x8765);
    gp_assert_fault(m, gp_run(m, movsxd32, sizeof(movsxd32), 1), EXC_PF, 0);
    machine_destroy(m);
}
END_TEST

/* POP DS with a 32-bit operand size reads the 2-byte selector only (ESP
 * still moves by 4): a slot whose upper half is beyond the SS limit pops;
 * a selector beyond it is #SS(0). */
START_TEST(test_corners_pop_segment_reads_selector_only)
{
    static const uint8_t pop_ds[] = {0x1f};
    Machine *m = gp_flat32();
    uint16_t sel = 0x10;
    test_poke(m, 0x7000, &sel, sizeof(sel));
    m->cpu.gpr[GPR_RSP] = 0x7000;
    m->cpu.seg[SEG_SS].limit = 0x7001;
    m->cpu.seg[SEG_SS].ar &= ~(uint32_t)AR_G;
    ck_assert_int_eq(gp_run(m, pop_ds, sizeof(pop_ds), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x7004);
    ck_assert_uint_eq(m->cpu.seg[SEG_DS].selector, 0x10);
    m->cpu.gpr[GPR_RSP] = 0x7000;
    m->cpu.seg[SEG_SS].limit = 0x7000;
    gp_assert_fault(m, gp_run(m, pop_ds, sizeof(pop_ds), 1), EXC_SS, 0);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x7000);
    machine_destroy(m);
}
END_TEST

static Suite *corners_suite(void)
{
    Suite *s = suite_create("gp_corners");
    TCase *tc = tcase_create("corners");
    tcase_add_test(tc, test_corners_loop_addr32_zero_extends_rcx);
    tcase_add_test(tc, test_corners_rep_addr32_zero_count_zero_extends);
    tcase_add_test(tc, test_corners_rep_movs_addr32_fault_zero_extends);
    tcase_add_test(tc, test_corners_repe_cmps_fault_keeps_rflags);
    tcase_add_test(tc, test_corners_movsxd_16bit_reads_word);
    tcase_add_test(tc, test_corners_pop_segment_reads_selector_only);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(corners_suite)
