/*
 * Unit tests for sim/cpu/exec_bit.c: BT BTS BTR BTC BSF BSR BSWAP, register
 * and immediate forms (the memory bit-string form needs the access layer).
 * Hand-computed values from SDM Vol. 2 (undefined results: docs/flags.md)
 * and a comparison of the defined results with the host CPU.
 */
#include "check_main.h"
#include "handler_support.h"

/* ---- BT / BTS / BTR / BTC ---- */

typedef struct BtCase {
    InsnHandler h;
    unsigned size;
    uint64_t rax, rcx;
    uint64_t want_rax;
    bool want_cf;
} BtCase;

static const BtCase bt_cases[] = {
    {exec_bt, 4, 0xffffffff00000010, 4, 0xffffffff00000010, true}, /* BT writes nothing */
    {exec_bt, 4, 0xffffffff00000010, 3, 0xffffffff00000010, false},
    {exec_bt, 2, 0x10, 0x24, 0x10, true},                          /* offset mod 16 */
    {exec_bt, 4, 0x10, 0x24, 0x10, true},                          /* offset mod 32 */
    {exec_bt, 8, UINT64_C(1) << 36, 100, UINT64_C(1) << 36, true}, /* offset mod 64 */
    {exec_bt, 8, UINT64_C(1) << 63, 0xffffffffffffffff, UINT64_C(1) << 63, true},
    {exec_bts, 4, 0x10, 3, 0x18, false},
    {exec_bts, 4, 0xffffffff00000010, 4, 0x10, true}, /* 32-bit write zero-extends */
    {exec_bts, 2, 0xaaaa0000, 15, 0xaaaa8000, false},
    {exec_btr, 4, 0xffffffff00000010, 4, 0, true},
    {exec_btr, 8, 0xffffffffffffffff, 63, 0x7fffffffffffffff, true},
    {exec_btr, 2, 0xaaaa0000, 15, 0xaaaa0000, false},
    {exec_btc, 4, 0xffffffff00000010, 36, 0, true},
    {exec_btc, 2, 0xaaaa0000, 15, 0xaaaa8000, false},
    {exec_btc, 8, 0, 0, 1, false},
};

START_TEST(test_bit_bt_case_sets_cf_keeps_other_flags) {
    const BtCase *c = &bt_cases[_i];
    CpuState cpu;
    cpu_setup(&cpu);
    flags_set_lazy(&cpu, LAZY_SUB, 1, 0, 0x80, 0x80); /* CF OF SF */
    uint64_t before = arith(&cpu);
    cpu.gpr[GPR_RAX] = c->rax;
    cpu.gpr[GPR_RCX] = c->rcx;
    DecodedInsn d = insn_rr(c->h, c->size);
    ck_assert_int_eq(c->h(&cpu, &d), SIM_OK);
    ck_assert_msg(cpu.gpr[GPR_RAX] == c->want_rax, "case %d: rax %#llx", _i,
                  (unsigned long long)cpu.gpr[GPR_RAX]);
    /* ZF unaffected (SDM); OF SF AF PF unchanged (doc) */
    ck_assert_uint_eq(arith(&cpu), (before & ~CF) | (c->want_cf ? CF : 0));
}
END_TEST

START_TEST(test_bit_bt_imm_offset_taken_mod_width) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.gpr[GPR_RAX] = 0x2;
    DecodedInsn d = insn_rr(exec_bt, 8);
    d.op[1].kind = OPK_IMM;
    d.op[1].reg = 0;
    d.imm = 0x41; /* bit 1 */
    ck_assert_int_eq(exec_bt(&cpu, &d), SIM_OK);
    ck_assert(flags_cf(&cpu));
    d.imm = 0x40; /* bit 0 */
    ck_assert_int_eq(exec_bt(&cpu, &d), SIM_OK);
    ck_assert(!flags_cf(&cpu));
}
END_TEST

/* ---- BSF / BSR ---- */

typedef struct ScanCase {
    InsnHandler h;
    unsigned size;
    uint64_t rax, rcx;
    uint64_t want_rax, wflags;
} ScanCase;

/* Nonzero source: ZF = 0, PF = parity of the index, CF OF SF AF = 0 (doc).
 * Zero source: ZF = 1, PF = 1, others 0 (doc); DEST untouched (doc). */
static const ScanCase scan_cases[] = {
    {exec_bsf, 4, 0xffffffffffffffff, 0x18, 3, PF},
    {exec_bsr, 4, 0xffffffffffffffff, 0x18, 4, 0},
    {exec_bsr, 4, 0, 0x80000000, 31, 0},
    {exec_bsf, 8, 0, 0x8000000000000000, 63, PF},
    {exec_bsr, 8, 0, 0xffffffffffffffff, 63, PF},
    {exec_bsf, 2, 0xaaaaaaaaaaaaaaaa, 0x8000, 0xaaaaaaaaaaaa000f, PF},
    {exec_bsr, 2, 0xaaaaaaaaaaaaaaaa, 0x0001, 0xaaaaaaaaaaaa0000, PF}, /* index 0, ZF = 0 */
    {exec_bsf, 4, 0xffffffffffffffff, 0, 0xffffffffffffffff, ZF | PF},
    {exec_bsr, 8, 0x1234, 0, 0x1234, ZF | PF},
    {exec_bsf, 2, 0xaaaaaaaaaaaaaaaa, 0xffffffffffff0000, 0xaaaaaaaaaaaaaaaa, ZF | PF},
};

START_TEST(test_bit_scan_case_matches_hand_value) {
    const ScanCase *c = &scan_cases[_i];
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.rflags = 2 | CF | OF | SF | AF | (c->wflags & ZF ? 0 : ZF);
    cpu.gpr[GPR_RAX] = c->rax;
    cpu.gpr[GPR_RCX] = c->rcx;
    DecodedInsn d = insn_rr(c->h, c->size);
    ck_assert_int_eq(c->h(&cpu, &d), SIM_OK);
    ck_assert_msg(cpu.gpr[GPR_RAX] == c->want_rax, "case %d: rax %#llx", _i,
                  (unsigned long long)cpu.gpr[GPR_RAX]);
    ck_assert_msg(arith(&cpu) == c->wflags, "case %d: flags %#llx", _i,
                  (unsigned long long)arith(&cpu));
}
END_TEST

/* ---- BSWAP ---- */

START_TEST(test_bit_bswap_32_zero_extends) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.gpr[GPR_RAX] = 0xffffffff11223344;
    DecodedInsn d = insn_rr(exec_bswap, 4);
    d.op_count = 1;
    ck_assert_int_eq(exec_bswap(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0x44332211);
}
END_TEST

START_TEST(test_bit_bswap_64_reverses_and_keeps_flags) {
    CpuState cpu;
    cpu_setup(&cpu);
    flags_set_lazy(&cpu, LAZY_ADD, 1, 0xff, 1, 0); /* CF ZF AF PF */
    cpu.gpr[GPR_RAX] = 0x1122334455667788;
    DecodedInsn d = insn_rr(exec_bswap, 8);
    d.op_count = 1;
    ck_assert_int_eq(exec_bswap(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0x8877665544332211);
    ck_assert_uint_eq(arith(&cpu), CF | ZF | AF | PF);
}
END_TEST

START_TEST(test_bit_bswap_16_clears_low_word) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.gpr[GPR_RAX] = 0x1122334455667788;
    DecodedInsn d = insn_rr(exec_bswap, 2);
    d.op_count = 1;
    ck_assert_int_eq(exec_bswap(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0x1122334455660000); /* (doc) */
}
END_TEST

/* ---- host oracle ---- */

#define DEF_HOST(name, m)                                                                          \
    DEF_HOST_SIZE(name, 2, m "w %w[s], %w[d]")                                                     \
    DEF_HOST_SIZE(name, 4, m "l %k[s], %k[d]")                                                     \
    DEF_HOST_SIZE(name, 8, m "q %q[s], %q[d]")

DEF_HOST(bt, "bt")
DEF_HOST(bts, "bts")
DEF_HOST(btr, "btr")
DEF_HOST(btc, "btc")
DEF_HOST(bsf, "bsf")
DEF_HOST(bsr, "bsr")
DEF_HOST_SIZE(bswap, 4, "bswapl %k[d]")
DEF_HOST_SIZE(bswap, 8, "bswapq %q[d]")

typedef struct HostBit {
    InsnHandler h;
    HostFn fn[3]; /* sizes 2, 4, 8 */
    uint64_t defined;
} HostBit;

#define HOST_FNS(name)                                                                             \
    { host_##name##_2, host_##name##_4, host_##name##_8 }

static const HostBit host_bits[] = {
    {exec_bt, HOST_FNS(bt), CF | ZF},
    {exec_bts, HOST_FNS(bts), CF | ZF},
    {exec_btr, HOST_FNS(btr), CF | ZF},
    {exec_btc, HOST_FNS(btc), CF | ZF},
    {exec_bsf, HOST_FNS(bsf), ZF},
    {exec_bsr, HOST_FNS(bsr), ZF},
    {exec_bswap, {NULL, host_bswap_4, host_bswap_8}, RFLAGS_ARITH},
};

static const uint64_t host_values[] = {
    0,
    1,
    0x10,
    0x80,
    0x8000,
    0xffff,
    0x80000000,
    0xffffffff,
    0x100000000,
    0x8000000000000000,
    0xffffffffffffffff,
    0x0123456789abcdef,
    35,
    63,
    64,
    100,
};

/* Every pair, each size: the register result (all 64 bits) and the defined
 * flags equal the host's. */
START_TEST(test_bit_matches_host_cpu) {
    const HostBit *h = &host_bits[_i];
    static const unsigned sizes[3] = {2, 4, 8};
    for (unsigned si = 0; si < 3; si++) {
        if (!h->fn[si]) continue;
        for (size_t x = 0; x < SIM_ARRAY_SIZE(host_values); x++) {
            for (size_t y = 0; y < SIM_ARRAY_SIZE(host_values); y++) {
                uint64_t a = host_values[x], b = host_values[y];
                uint64_t fin = 2 | (y & 1 ? ZF | CF : SF | OF);
                uint64_t hd = a;
                uint64_t hf = h->fn[si](&hd, b, fin);
                CpuState cpu;
                cpu_setup(&cpu);
                cpu.rflags = fin;
                cpu.gpr[GPR_RAX] = a;
                cpu.gpr[GPR_RCX] = b;
                DecodedInsn d = insn_rr(h->h, sizes[si]);
                ck_assert_int_eq(h->h(&cpu, &d), SIM_OK);
                ck_assert_msg(cpu.gpr[GPR_RAX] == hd &&
                                  (arith(&cpu) & h->defined) == (hf & h->defined),
                              "insn %d size %u a %#llx b %#llx", _i, sizes[si],
                              (unsigned long long)a, (unsigned long long)b);
            }
        }
    }
}
END_TEST

static Suite *bit_suite(void) {
    Suite *s = suite_create("bit");
    TCase *tc = tcase_create("cases");
    tcase_add_loop_test(tc, test_bit_bt_case_sets_cf_keeps_other_flags, 0,
                        (int)SIM_ARRAY_SIZE(bt_cases));
    tcase_add_test(tc, test_bit_bt_imm_offset_taken_mod_width);
    tcase_add_loop_test(tc, test_bit_scan_case_matches_hand_value, 0,
                        (int)SIM_ARRAY_SIZE(scan_cases));
    tcase_add_test(tc, test_bit_bswap_32_zero_extends);
    tcase_add_test(tc, test_bit_bswap_64_reverses_and_keeps_flags);
    tcase_add_test(tc, test_bit_bswap_16_clears_low_word);
    suite_add_tcase(s, tc);

    tc = tcase_create("host");
    tcase_add_loop_test(tc, test_bit_matches_host_cpu, 0, (int)SIM_ARRAY_SIZE(host_bits));
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(bit_suite)
