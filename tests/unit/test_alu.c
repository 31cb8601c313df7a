/*
 * Unit tests for sim/cpu/exec_alu.c: ADD ADC SUB SBB CMP AND OR XOR TEST INC
 * DEC NEG NOT XADD CMPXCHG CBW..CQO CLC STC CMC LAHF SAHF, register and
 * immediate forms (memory forms need the access layer).  Expected values are
 * hand-computed from SDM Vol. 2 and checked against the host CPU.
 */
#include "check_main.h"
#include "handler_support.h"


/* op[0] = RAX-family, op[1] = immediate (sign-extended, destination size). */
static DecodedInsn insn_ri(InsnHandler h, unsigned size, int64_t imm) {
    DecodedInsn d = insn_rr(h, size);
    d.op[1].kind = OPK_IMM;
    d.op[1].reg = 0;
    d.imm = (uint64_t)imm;
    return d;
}

static DecodedInsn insn_r(InsnHandler h, unsigned size) {
    DecodedInsn d = insn_rr(h, size);
    d.op_count = 1;
    memset(&d.op[1], 0, sizeof(d.op[1]));
    return d;
}

static DecodedInsn insn_none(InsnHandler h, unsigned opsize) {
    DecodedInsn d;
    memset(&d, 0, sizeof(d));
    d.handler = h;
    d.opsize = (uint8_t)opsize;
    return d;
}

/* ---- ADD / ADC / SUB / SBB / CMP ---- */

START_TEST(test_alu_add_32bit_zero_extends_and_sets_flags) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.gpr[GPR_RAX] = 0xffffffff7fffffff;
    cpu.gpr[GPR_RCX] = 0xdead000000000001;
    DecodedInsn d = insn_rr(exec_add, 4);
    ck_assert_int_eq(exec_add(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0x80000000);
    ck_assert_uint_eq(cpu.gpr[GPR_RCX], 0xdead000000000001);
    ck_assert_uint_eq(arith(&cpu), OF | SF | AF | PF);
}
END_TEST

START_TEST(test_alu_add_8bit_high_byte_keeps_other_bits) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.gpr[GPR_RAX] = 0x1111111111118011; /* AH = 0x80 */
    cpu.gpr[GPR_RCX] = 0x80;               /* CL */
    DecodedInsn d = insn_rr(exec_add, 1);
    d.op[0].reg = (uint8_t)(reg_off(GPR_RAX) + 1);
    ck_assert_int_eq(exec_add(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0x1111111111110011);
    ck_assert_uint_eq(arith(&cpu), CF | OF | ZF | PF);
}
END_TEST

START_TEST(test_alu_add_imm_sign_extended_to_64) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.gpr[GPR_RAX] = 5;
    DecodedInsn d = insn_ri(exec_add, 8, -6);
    ck_assert_int_eq(exec_add(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0xffffffffffffffff);
    ck_assert_uint_eq(arith(&cpu), SF | PF); /* 5 + 0xa: no carry out of bit 3 */
}
END_TEST

START_TEST(test_alu_add_16bit_imm_keeps_upper_bits) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.gpr[GPR_RAX] = 0xabcdef000000ffff;
    DecodedInsn d = insn_ri(exec_add, 2, 1);
    ck_assert_int_eq(exec_add(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0xabcdef0000000000);
    ck_assert_uint_eq(arith(&cpu), CF | ZF | AF | PF);
}
END_TEST

START_TEST(test_alu_adc_cf_set_adds_one) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.rflags = 2 | CF;
    cpu.gpr[GPR_RAX] = 0xffffffffffffffff;
    cpu.gpr[GPR_RCX] = 0;
    DecodedInsn d = insn_rr(exec_adc, 8);
    ck_assert_int_eq(exec_adc(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0);
    ck_assert_uint_eq(arith(&cpu), CF | ZF | AF | PF);
}
END_TEST

START_TEST(test_alu_adc_cf_clear_adds_nothing) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.gpr[GPR_RAX] = 0xffffffffffffffff;
    cpu.gpr[GPR_RCX] = 0;
    DecodedInsn d = insn_rr(exec_adc, 8);
    ck_assert_int_eq(exec_adc(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0xffffffffffffffff);
    ck_assert_uint_eq(arith(&cpu), SF | PF);
}
END_TEST

START_TEST(test_alu_adc_carry_in_overflows_signed) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.rflags = 2 | CF;
    cpu.gpr[GPR_RAX] = 0x7f;
    cpu.gpr[GPR_RCX] = 0;
    DecodedInsn d = insn_rr(exec_adc, 1);
    ck_assert_int_eq(exec_adc(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0x80);
    ck_assert_uint_eq(arith(&cpu), OF | SF | AF);
}
END_TEST

START_TEST(test_alu_sub_borrow_sets_cf) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.gpr[GPR_RAX] = 1;
    cpu.gpr[GPR_RCX] = 2;
    DecodedInsn d = insn_rr(exec_sub, 2);
    ck_assert_int_eq(exec_sub(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0xffff);
    ck_assert_uint_eq(arith(&cpu), CF | SF | AF | PF);
}
END_TEST

START_TEST(test_alu_sbb_cf_set_subtracts_one_more) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.rflags = 2 | CF;
    cpu.gpr[GPR_RAX] = 0;
    cpu.gpr[GPR_RCX] = 0xff;
    DecodedInsn d = insn_rr(exec_sbb, 1);
    ck_assert_int_eq(exec_sbb(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0);
    ck_assert_uint_eq(arith(&cpu), CF | ZF | AF | PF);
}
END_TEST

START_TEST(test_alu_sbb_cf_clear_is_sub) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.gpr[GPR_RAX] = 0x80000000;
    cpu.gpr[GPR_RCX] = 1;
    DecodedInsn d = insn_rr(exec_sbb, 4);
    ck_assert_int_eq(exec_sbb(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0x7fffffff);
    ck_assert_uint_eq(arith(&cpu), OF | AF | PF);
}
END_TEST

START_TEST(test_alu_cmp_sets_flags_without_writing) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.gpr[GPR_RAX] = 0xffffffff00000005;
    cpu.gpr[GPR_RCX] = 5;
    DecodedInsn d = insn_rr(exec_cmp, 4);
    ck_assert_int_eq(exec_cmp(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0xffffffff00000005); /* not even zero-extended */
    ck_assert_uint_eq(arith(&cpu), ZF | PF);
}
END_TEST

START_TEST(test_alu_cmp_imm_negative_compares_signed) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.gpr[GPR_RAX] = 0;
    DecodedInsn d = insn_ri(exec_cmp, 8, -1); /* cmp rax, -1 */
    ck_assert_int_eq(exec_cmp(&cpu, &d), SIM_OK);
    ck_assert(flags_cond(&cpu, 2));   /* B: 0 < 0xffff...ff */
    ck_assert(!flags_cond(&cpu, 12)); /* NL: 0 > -1 */
}
END_TEST

/* ---- AND / OR / XOR / TEST ---- */

START_TEST(test_alu_and_clears_cf_of_af) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.rflags = 2 | CF | OF | AF;
    cpu.gpr[GPR_RAX] = 0xf0;
    cpu.gpr[GPR_RCX] = 0x8f;
    DecodedInsn d = insn_rr(exec_and, 1);
    ck_assert_int_eq(exec_and(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0x80);
    ck_assert_uint_eq(arith(&cpu), SF);
}
END_TEST

START_TEST(test_alu_or_sets_sf_pf) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.gpr[GPR_RAX] = 0x8000000000000000;
    cpu.gpr[GPR_RCX] = 0x3;
    DecodedInsn d = insn_rr(exec_or, 8);
    ck_assert_int_eq(exec_or(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0x8000000000000003);
    ck_assert_uint_eq(arith(&cpu), SF | PF);
}
END_TEST

START_TEST(test_alu_xor_self_zeroes_and_sets_zf) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.rflags = 2 | CF | OF;
    cpu.gpr[GPR_RAX] = 0x123456789abcdef0;
    DecodedInsn d = insn_rr(exec_xor, 4);
    d.op[1] = d.op[0];
    ck_assert_int_eq(exec_xor(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0);
    ck_assert_uint_eq(arith(&cpu), ZF | PF);
}
END_TEST

START_TEST(test_alu_test_sets_flags_without_writing) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.gpr[GPR_RAX] = 0xffffffff00000001;
    DecodedInsn d = insn_ri(exec_test, 4, 2);
    ck_assert_int_eq(exec_test(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0xffffffff00000001);
    ck_assert_uint_eq(arith(&cpu), ZF | PF);
}
END_TEST

/* ---- INC / DEC / NEG / NOT ---- */

START_TEST(test_alu_inc_preserves_cf_set) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.rflags = 2 | CF;
    cpu.gpr[GPR_RAX] = 0x7fff;
    DecodedInsn d = insn_r(exec_inc, 2);
    ck_assert_int_eq(exec_inc(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0x8000);
    ck_assert_uint_eq(arith(&cpu), CF | OF | SF | AF | PF);
}
END_TEST

START_TEST(test_alu_inc_preserves_cf_clear_on_wrap) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.gpr[GPR_RAX] = 0xffffffffffffffff;
    DecodedInsn d = insn_r(exec_inc, 8);
    ck_assert_int_eq(exec_inc(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0);
    ck_assert_uint_eq(arith(&cpu), ZF | AF | PF); /* no CF although it wrapped */
}
END_TEST

START_TEST(test_alu_inc_cf_from_lazy_sub) {
    CpuState cpu;
    cpu_setup(&cpu);
    flags_set_lazy(&cpu, LAZY_SUB, 1, 0, 1, 0xff); /* CF = 1 */
    cpu.gpr[GPR_RAX] = 1;
    DecodedInsn d = insn_r(exec_inc, 1);
    ck_assert_int_eq(exec_inc(&cpu, &d), SIM_OK);
    ck_assert(flags_cf(&cpu));
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 2);
}
END_TEST

START_TEST(test_alu_dec_overflow_and_cf_kept) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.rflags = 2 | CF;
    cpu.gpr[GPR_RAX] = 0xffffffff80000000;
    DecodedInsn d = insn_r(exec_dec, 4);
    ck_assert_int_eq(exec_dec(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0x7fffffff);
    ck_assert_uint_eq(arith(&cpu), CF | OF | AF | PF);
}
END_TEST

START_TEST(test_alu_neg_zero_clears_cf) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.rflags = 2 | CF;
    cpu.gpr[GPR_RAX] = 0;
    DecodedInsn d = insn_r(exec_neg, 8);
    ck_assert_int_eq(exec_neg(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0);
    ck_assert_uint_eq(arith(&cpu), ZF | PF);
}
END_TEST

START_TEST(test_alu_neg_nonzero_sets_cf) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.gpr[GPR_RAX] = 1;
    DecodedInsn d = insn_r(exec_neg, 2);
    ck_assert_int_eq(exec_neg(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0xffff);
    ck_assert_uint_eq(arith(&cpu), CF | SF | AF | PF);
}
END_TEST

START_TEST(test_alu_neg_most_negative_overflows) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.gpr[GPR_RAX] = 0x80;
    DecodedInsn d = insn_r(exec_neg, 1);
    ck_assert_int_eq(exec_neg(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0x80);
    ck_assert_uint_eq(arith(&cpu), CF | OF | SF);
}
END_TEST

START_TEST(test_alu_not_inverts_and_keeps_flags) {
    CpuState cpu;
    cpu_setup(&cpu);
    flags_set_lazy(&cpu, LAZY_ADD, 1, 0xff, 1, 0); /* CF ZF AF PF */
    cpu.gpr[GPR_RAX] = 0xffffffff0000ffff;
    DecodedInsn d = insn_r(exec_not, 4);
    ck_assert_int_eq(exec_not(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0xffff0000);
    ck_assert_uint_eq(arith(&cpu), CF | ZF | AF | PF);
}
END_TEST

/* ---- XADD / CMPXCHG ---- */

START_TEST(test_alu_xadd_exchanges_and_adds) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.gpr[GPR_RAX] = 0xffffffff00000001; /* DEST */
    cpu.gpr[GPR_RCX] = 0xffffffffffffffff; /* SRC */
    DecodedInsn d = insn_rr(exec_xadd, 4);
    ck_assert_int_eq(exec_xadd(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0);
    ck_assert_uint_eq(cpu.gpr[GPR_RCX], 1);
    ck_assert_uint_eq(arith(&cpu), CF | ZF | AF | PF);
}
END_TEST

START_TEST(test_alu_xadd_same_register_gets_sum) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.gpr[GPR_RCX] = 0xffffffff00000003;
    DecodedInsn d = insn_rr(exec_xadd, 4);
    d.op[0] = d.op[1];
    ck_assert_int_eq(exec_xadd(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RCX], 6);
}
END_TEST

/* CMPXCHG: op[0] = RCX (DEST), op[1] = RDX (SRC), accumulator RAX. */
static DecodedInsn cmpxchg_insn(unsigned size) {
    DecodedInsn d = insn_rr(exec_cmpxchg, size);
    d.op[0] = opnd_reg(GPR_RCX, size);
    d.op[1] = opnd_reg(GPR_RDX, size);
    return d;
}

START_TEST(test_alu_cmpxchg_equal_stores_src_sets_zf) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.gpr[GPR_RAX] = 0xffffffff00000005;
    cpu.gpr[GPR_RCX] = 0xeeeeeeee00000005;
    cpu.gpr[GPR_RDX] = 0xdddddddd00000009;
    DecodedInsn d = cmpxchg_insn(4);
    ck_assert_int_eq(exec_cmpxchg(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RCX], 9);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0xffffffff00000005); /* accumulator untouched */
    ck_assert_uint_eq(arith(&cpu), ZF | PF);
}
END_TEST

START_TEST(test_alu_cmpxchg_unequal_loads_accumulator_clears_zf) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.gpr[GPR_RAX] = 0xffffffff00000005;
    cpu.gpr[GPR_RCX] = 0xeeeeeeee00000006;
    cpu.gpr[GPR_RDX] = 0xdddddddd00000009;
    DecodedInsn d = cmpxchg_insn(4);
    ck_assert_int_eq(exec_cmpxchg(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 6);                  /* EAX := DEST, zero-extended */
    ck_assert_uint_eq(cpu.gpr[GPR_RCX], 0xeeeeeeee00000006); /* register DEST untouched */
    ck_assert_uint_eq(arith(&cpu), CF | SF | AF | PF);       /* CMP 5, 6 */
}
END_TEST

START_TEST(test_alu_cmpxchg_8bit_unequal_keeps_upper_rax) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.gpr[GPR_RAX] = 0x1234;
    cpu.gpr[GPR_RCX] = 0x77;
    cpu.gpr[GPR_RDX] = 0x99;
    DecodedInsn d = cmpxchg_insn(1);
    ck_assert_int_eq(exec_cmpxchg(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0x1277);
    ck_assert(!flags_zf(&cpu));
}
END_TEST

/* ---- CBW / CWDE / CDQE / CWD / CDQ / CQO ---- */

typedef struct ExtCase {
    InsnHandler h;
    unsigned opsize;
    uint64_t rax, rdx;           /* in */
    uint64_t want_rax, want_rdx; /* out */
} ExtCase;

static const ExtCase ext_cases[] = {
    {exec_cbw, 2, 0xaaaaaaaaaaaa5580, 7, 0xaaaaaaaaaaaaff80, 7},
    {exec_cbw, 2, 0xaaaaaaaaaaaa557f, 7, 0xaaaaaaaaaaaa007f, 7},
    {exec_cwde, 4, 0xaaaaaaaa55558000, 7, 0xffff8000, 7},
    {exec_cwde, 4, 0xaaaaaaaa55557fff, 7, 0x00007fff, 7},
    {exec_cdqe, 8, 0xaaaaaaaa80000000, 7, 0xffffffff80000000, 7},
    {exec_cdqe, 8, 0xaaaaaaaa7fffffff, 7, 0x7fffffff, 7},
    {exec_cwd, 2, 0x8000, 0xaaaaaaaaaaaa1234, 0x8000, 0xaaaaaaaaaaaaffff},
    {exec_cwd, 2, 0x7fff, 0xaaaaaaaaaaaa1234, 0x7fff, 0xaaaaaaaaaaaa0000},
    {exec_cdq, 4, 0xaaaaaaaa80000000, 0xaaaaaaaa12345678, 0xaaaaaaaa80000000, 0xffffffff},
    {exec_cdq, 4, 0x7fffffff, 0xaaaaaaaa12345678, 0x7fffffff, 0},
    {exec_cqo, 8, 0x8000000000000000, 5, 0x8000000000000000, 0xffffffffffffffff},
    {exec_cqo, 8, 0x7fffffffffffffff, 5, 0x7fffffffffffffff, 0},
};

START_TEST(test_alu_extend_case_matches_hand_value) {
    const ExtCase *c = &ext_cases[_i];
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.rflags = 2 | CF | OF;
    cpu.gpr[GPR_RAX] = c->rax;
    cpu.gpr[GPR_RDX] = c->rdx;
    DecodedInsn d = insn_none(c->h, c->opsize);
    ck_assert_int_eq(c->h(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], c->want_rax);
    ck_assert_uint_eq(cpu.gpr[GPR_RDX], c->want_rdx);
    ck_assert_uint_eq(arith(&cpu), CF | OF);
}
END_TEST

/* ---- CLC / STC / CMC / LAHF / SAHF ---- */

START_TEST(test_alu_clc_stc_cmc_touch_only_cf) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.rflags = 2 | RFLAGS_IF;
    flags_set_lazy(&cpu, LAZY_ADD, 1, 0x7f, 1, 0x80); /* OF SF AF */
    DecodedInsn d = insn_none(exec_stc, 4);
    ck_assert_int_eq(exec_stc(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu_get_rflags(&cpu), 2 | RFLAGS_IF | CF | OF | SF | AF);
    ck_assert_int_eq(exec_cmc(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu_get_rflags(&cpu), 2 | RFLAGS_IF | OF | SF | AF);
    ck_assert_int_eq(exec_cmc(&cpu, &d), SIM_OK);
    ck_assert(flags_cf(&cpu));
    ck_assert_int_eq(exec_clc(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu_get_rflags(&cpu), 2 | RFLAGS_IF | OF | SF | AF);
}
END_TEST

START_TEST(test_alu_lahf_loads_ah_from_flags) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.gpr[GPR_RAX] = 0x1111111111111111;
    flags_set_lazy(&cpu, LAZY_SUB, 1, 0, 1, 0xff); /* CF SF AF PF */
    DecodedInsn d = insn_none(exec_lahf, 4);
    ck_assert_int_eq(exec_lahf(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0x1111111111119711); /* SF|AF|PF|1|CF = 0x97 */
}
END_TEST

START_TEST(test_alu_lahf_with_of_only_gives_fixed_bit) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.rflags = 2 | OF;
    DecodedInsn d = insn_none(exec_lahf, 4);
    ck_assert_int_eq(exec_lahf(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0x0200);
}
END_TEST

START_TEST(test_alu_sahf_stores_five_flags_keeps_of) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.rflags = 2 | OF | RFLAGS_DF;
    cpu.gpr[GPR_RAX] = 0xffff; /* AH = 0xff: bits 1, 3, 5 must be ignored */
    DecodedInsn d = insn_none(exec_sahf, 4);
    ck_assert_int_eq(exec_sahf(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu_get_rflags(&cpu), 2 | RFLAGS_DF | OF | SF | ZF | AF | PF | CF);
    cpu.gpr[GPR_RAX] = 0x00ff;
    ck_assert_int_eq(exec_sahf(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu_get_rflags(&cpu), 2 | RFLAGS_DF | OF);
}
END_TEST

/* ---- host oracle ---- */

#define DEF_HOST2(name, m)                                                                         \
    DEF_HOST_SIZE(name, 1, m "b %b[s], %b[d]")                                                     \
    DEF_HOST_SIZE(name, 2, m "w %w[s], %w[d]")                                                     \
    DEF_HOST_SIZE(name, 4, m "l %k[s], %k[d]")                                                     \
    DEF_HOST_SIZE(name, 8, m "q %q[s], %q[d]")
#define DEF_HOST1(name, m)                                                                         \
    DEF_HOST_SIZE(name, 1, m "b %b[d]")                                                            \
    DEF_HOST_SIZE(name, 2, m "w %w[d]")                                                            \
    DEF_HOST_SIZE(name, 4, m "l %k[d]")                                                            \
    DEF_HOST_SIZE(name, 8, m "q %q[d]")

DEF_HOST2(add, "add")
DEF_HOST2(adc, "adc")
DEF_HOST2(sub, "sub")
DEF_HOST2(sbb, "sbb")
DEF_HOST2(cmp, "cmp")
DEF_HOST2(and, "and")
DEF_HOST2(or, "or")
DEF_HOST2(xor, "xor")
DEF_HOST2(test, "test")
DEF_HOST1(inc, "inc")
DEF_HOST1(dec, "dec")
DEF_HOST1(neg, "neg")
DEF_HOST1(not, "not")

typedef struct HostAlu {
    InsnHandler h;
    bool unary;
    HostFn fn[4];
    uint64_t defined; /* flags the SDM defines */
} HostAlu;

#define HOST_FNS(name)                                                                             \
    { host_##name##_1, host_##name##_2, host_##name##_4, host_##name##_8 }

static const HostAlu host_alu[] = {
    {exec_add, false, HOST_FNS(add), RFLAGS_ARITH},
    {exec_adc, false, HOST_FNS(adc), RFLAGS_ARITH},
    {exec_sub, false, HOST_FNS(sub), RFLAGS_ARITH},
    {exec_sbb, false, HOST_FNS(sbb), RFLAGS_ARITH},
    {exec_cmp, false, HOST_FNS(cmp), RFLAGS_ARITH},
    {exec_and, false, HOST_FNS(and), RFLAGS_ARITH & ~AF},
    {exec_or, false, HOST_FNS(or), RFLAGS_ARITH & ~AF},
    {exec_xor, false, HOST_FNS(xor), RFLAGS_ARITH & ~AF},
    {exec_test, false, HOST_FNS(test), RFLAGS_ARITH & ~AF},
    {exec_inc, true, HOST_FNS(inc), RFLAGS_ARITH},
    {exec_dec, true, HOST_FNS(dec), RFLAGS_ARITH},
    {exec_neg, true, HOST_FNS(neg), RFLAGS_ARITH},
    {exec_not, true, HOST_FNS(not ), RFLAGS_ARITH},
};

static const uint64_t host_values[] = {
    0,
    1,
    0xf,
    0x10,
    0x7f,
    0x80,
    0xff,
    0x7fff,
    0x8000,
    0xffff,
    0x7fffffff,
    0x80000000,
    0xffffffff,
    0x7fffffffffffffff,
    0x8000000000000000,
    0xffffffffffffffff,
    0x0123456789abcdef,
};

/* Every value pair, each size, CF in = 0 and 1: the register result (all 64
 * bits) and the SDM-defined flags equal the host's. */
START_TEST(test_alu_matches_host_cpu) {
    const HostAlu *h = &host_alu[_i];
    static const unsigned sizes[4] = {1, 2, 4, 8};
    for (unsigned si = 0; si < 4; si++) {
        for (size_t x = 0; x < SIM_ARRAY_SIZE(host_values); x++) {
            for (size_t y = 0; y < SIM_ARRAY_SIZE(host_values); y++) {
                for (uint64_t cin = 0; cin < 2; cin++) {
                    uint64_t a = host_values[x] ^ 0x5a5a5a5a5a5a5a00, b = host_values[y];
                    uint64_t fin = 2 | cin | (cin ? OF : SF);
                    uint64_t hd = a;
                    uint64_t hf = h->fn[si](&hd, b, fin);
                    CpuState cpu;
                    cpu_setup(&cpu);
                    cpu.rflags = fin;
                    cpu.gpr[GPR_RAX] = a;
                    cpu.gpr[GPR_RCX] = b;
                    DecodedInsn d = h->unary ? insn_r(h->h, sizes[si]) : insn_rr(h->h, sizes[si]);
                    ck_assert_int_eq(h->h(&cpu, &d), SIM_OK);
                    ck_assert_uint_eq(cpu.gpr[GPR_RAX], hd);
                    ck_assert_msg((arith(&cpu) & h->defined) == (hf & h->defined),
                                  "insn %d size %u a %#llx b %#llx cf %u", _i, sizes[si],
                                  (unsigned long long)a, (unsigned long long)b, (unsigned)cin);
                }
            }
        }
    }
}
END_TEST

static TCase *alu_tcase_arith(void) {
    TCase *tc = tcase_create("arith");
    tcase_add_test(tc, test_alu_add_32bit_zero_extends_and_sets_flags);
    tcase_add_test(tc, test_alu_add_8bit_high_byte_keeps_other_bits);
    tcase_add_test(tc, test_alu_add_imm_sign_extended_to_64);
    tcase_add_test(tc, test_alu_add_16bit_imm_keeps_upper_bits);
    tcase_add_test(tc, test_alu_adc_cf_set_adds_one);
    tcase_add_test(tc, test_alu_adc_cf_clear_adds_nothing);
    tcase_add_test(tc, test_alu_adc_carry_in_overflows_signed);
    tcase_add_test(tc, test_alu_sub_borrow_sets_cf);
    tcase_add_test(tc, test_alu_sbb_cf_set_subtracts_one_more);
    tcase_add_test(tc, test_alu_sbb_cf_clear_is_sub);
    tcase_add_test(tc, test_alu_cmp_sets_flags_without_writing);
    tcase_add_test(tc, test_alu_cmp_imm_negative_compares_signed);
    return tc;
}

static TCase *alu_tcase_logic(void) {
    TCase *tc = tcase_create("logic");
    tcase_add_test(tc, test_alu_and_clears_cf_of_af);
    tcase_add_test(tc, test_alu_or_sets_sf_pf);
    tcase_add_test(tc, test_alu_xor_self_zeroes_and_sets_zf);
    tcase_add_test(tc, test_alu_test_sets_flags_without_writing);
    return tc;
}

static TCase *alu_tcase_unary(void) {
    TCase *tc = tcase_create("unary");
    tcase_add_test(tc, test_alu_inc_preserves_cf_set);
    tcase_add_test(tc, test_alu_inc_preserves_cf_clear_on_wrap);
    tcase_add_test(tc, test_alu_inc_cf_from_lazy_sub);
    tcase_add_test(tc, test_alu_dec_overflow_and_cf_kept);
    tcase_add_test(tc, test_alu_neg_zero_clears_cf);
    tcase_add_test(tc, test_alu_neg_nonzero_sets_cf);
    tcase_add_test(tc, test_alu_neg_most_negative_overflows);
    tcase_add_test(tc, test_alu_not_inverts_and_keeps_flags);
    return tc;
}

static TCase *alu_tcase_exchange(void) {
    TCase *tc = tcase_create("exchange");
    tcase_add_test(tc, test_alu_xadd_exchanges_and_adds);
    tcase_add_test(tc, test_alu_xadd_same_register_gets_sum);
    tcase_add_test(tc, test_alu_cmpxchg_equal_stores_src_sets_zf);
    tcase_add_test(tc, test_alu_cmpxchg_unequal_loads_accumulator_clears_zf);
    tcase_add_test(tc, test_alu_cmpxchg_8bit_unequal_keeps_upper_rax);
    return tc;
}

static TCase *alu_tcase_extend_and_flags(void) {
    TCase *tc = tcase_create("extend_and_flags");
    tcase_add_loop_test(tc, test_alu_extend_case_matches_hand_value, 0,
                        (int)SIM_ARRAY_SIZE(ext_cases));
    tcase_add_test(tc, test_alu_clc_stc_cmc_touch_only_cf);
    tcase_add_test(tc, test_alu_lahf_loads_ah_from_flags);
    tcase_add_test(tc, test_alu_lahf_with_of_only_gives_fixed_bit);
    tcase_add_test(tc, test_alu_sahf_stores_five_flags_keeps_of);
    return tc;
}

static TCase *alu_tcase_host(void) {
    TCase *tc = tcase_create("host");
    tcase_add_loop_test(tc, test_alu_matches_host_cpu, 0, (int)SIM_ARRAY_SIZE(host_alu));
    return tc;
}

static Suite *alu_suite(void) {
    Suite *s = suite_create("alu");
    suite_add_tcase(s, alu_tcase_arith());
    suite_add_tcase(s, alu_tcase_logic());
    suite_add_tcase(s, alu_tcase_unary());
    suite_add_tcase(s, alu_tcase_exchange());
    suite_add_tcase(s, alu_tcase_extend_and_flags());
    suite_add_tcase(s, alu_tcase_host());
    return s;
}

CHECK_MAIN(alu_suite)
