/*
 * Unit tests for sim/cpu/exec_muldiv.c: MUL IMUL DIV IDIV, register and
 * immediate forms.  Hand-computed values from SDM Vol. 2 (undefined flags:
 * the docs/flags.md choices), #DE on both sides of each rule, and a
 * comparison of the defined results with the host CPU.
 */
#include "check_main.h"
#include "handler_support.h"


/* One-operand form: op[0] = RCX-family; RAX/RDX implicit. */
static DecodedInsn insn_one(InsnHandler h, unsigned size) {
    DecodedInsn d;
    memset(&d, 0, sizeof(d));
    d.handler = h;
    d.opsize = (uint8_t)size;
    d.addrsize = 8;
    d.op_count = 1;
    d.op[0] = opnd_reg(GPR_RCX, size);
    return d;
}

/* IMUL r, r/m: op[0] = RAX-family, op[1] = RCX-family. */
static DecodedInsn insn_imul2(unsigned size) {
    DecodedInsn d = insn_one(exec_imul, size);
    d.op_count = 2;
    d.op[0] = opnd_reg(GPR_RAX, size);
    d.op[1] = opnd_reg(GPR_RCX, size);
    return d;
}

/* IMUL r, r/m, imm: op[2] is the sign-extended immediate. */
static DecodedInsn insn_imul3(unsigned size, int64_t imm) {
    DecodedInsn d = insn_imul2(size);
    d.op_count = 3;
    d.op[2].kind = OPK_IMM;
    d.op[2].size = (uint16_t)size;
    d.imm = (uint64_t)imm;
    return d;
}

/* ---- MUL / IMUL ---- */

typedef struct MulCase {
    InsnHandler h;
    unsigned size, form; /* form: 1, 2 or 3 operands */
    uint64_t rax, rcx, rdx;
    int64_t imm;
    uint64_t want_rax, want_rdx, wflags;
} MulCase;

/* SF/ZF/AF/PF are undefined: SF = MSB of the low half, ZF = AF = 0, PF =
 * parity of the low byte (doc). */
static const MulCase mul_cases[] = {
    {exec_mul, 1, 1, 0xaaaa0080, 0x02, 7, 0, 0xaaaa0100, 7, CF | OF | PF},
    {exec_mul, 1, 1, 0x0f, 0x11, 7, 0, 0x00ff, 7, SF | PF},
    {exec_mul, 2, 1, 0x1234, 0x0100, 0xffff5555, 0, 0x3400, 0xffff0012, CF | OF | PF},
    {exec_mul, 4, 1, 0xaaaaaaaa80000000, 2, 0xaaaaaaaaaaaaaaaa, 0, 0, 1, CF | OF | PF},
    {exec_mul, 4, 1, 0xaaaaaaaa00000003, 5, 0xaaaaaaaaaaaaaaaa, 0, 15, 0, PF},
    {exec_mul, 8, 1, 0xffffffffffffffff, 0xffffffffffffffff, 0, 0, 1, 0xfffffffffffffffe, CF | OF},
    {exec_mul, 8, 1, 0, 5, 9, 0, 0, 0, PF}, /* zero product: ZF = 0 (doc) */
    {exec_imul, 1, 1, 0xff, 0xff, 7, 0, 0x0001, 7, 0},
    {exec_imul, 1, 1, 0x80, 0xff, 7, 0, 0x0080, 7, CF | OF | SF},
    {exec_imul, 2, 1, 0xfffe, 0x0003, 0, 0, 0xfffa, 0xffff, SF | PF},
    {exec_imul, 4, 1, 0xfffffffd, 5, 0, 0, 0xfffffff1, 0xffffffff, SF},
    {exec_imul, 8, 1, 0x4000000000000000, 2, 0, 0, 0x8000000000000000, 0, CF | OF | SF | PF},
    {exec_imul, 8, 1, 0xffffffffffffffff, 0x8000000000000000, 0, 0, 0x8000000000000000, 0,
     CF | OF | SF | PF},
    {exec_imul, 4, 2, 0xaaaaaaaa40000000, 2, 3, 0, 0x80000000, 3, CF | OF | SF | PF},
    {exec_imul, 2, 2, 0xaaaafffe, 3, 3, 0, 0xaaaafffa, 3, SF | PF},
    {exec_imul, 8, 2, 0xffffffffffffffff, 0x8000000000000000, 3, 0, 0x8000000000000000, 3,
     CF | OF | SF | PF},
    {exec_imul, 8, 2, 0, 0x1234, 3, 0, 0, 3, PF}, /* zero product: ZF = 0 (doc) */
    {exec_imul, 4, 3, 0xaaaaaaaaaaaaaaaa, 0x11, 3, -7, 0xffffff89, 3, SF},
    {exec_imul, 2, 3, 0xaaaaaaaaaaaaaaaa, 0x4000, 3, 4, 0xaaaaaaaaaaaa0000, 3, CF | OF | PF},
};

START_TEST(test_muldiv_mul_case_matches_hand_value) {
    const MulCase *c = &mul_cases[_i];
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.rflags = 2 | ZF | AF; /* both must end up 0 */
    cpu.gpr[GPR_RAX] = c->rax;
    cpu.gpr[GPR_RCX] = c->rcx;
    cpu.gpr[GPR_RDX] = c->rdx;
    DecodedInsn d = c->form == 1   ? insn_one(c->h, c->size)
                    : c->form == 2 ? insn_imul2(c->size)
                                   : insn_imul3(c->size, c->imm);
    ck_assert_int_eq(c->h(&cpu, &d), SIM_OK);
    ck_assert_msg(cpu.gpr[GPR_RAX] == c->want_rax, "case %d: rax %#llx", _i,
                  (unsigned long long)cpu.gpr[GPR_RAX]);
    ck_assert_msg(cpu.gpr[GPR_RDX] == c->want_rdx, "case %d: rdx %#llx", _i,
                  (unsigned long long)cpu.gpr[GPR_RDX]);
    ck_assert_msg(arith(&cpu) == c->wflags, "case %d: flags %#llx", _i,
                  (unsigned long long)arith(&cpu));
    ck_assert_uint_eq(cpu.gpr[GPR_RCX], c->rcx);
}
END_TEST

/* ---- DIV / IDIV ---- */

typedef struct DivCase {
    InsnHandler h;
    unsigned size;
    uint64_t rax, rdx, rcx;
    bool de;                     /* #DE expected */
    uint64_t want_rax, want_rdx; /* when no #DE */
} DivCase;

static const DivCase div_cases[] = {
    /* divide by zero */
    {exec_div, 1, 0x1234, 0, 0, true, 0, 0},
    {exec_div, 2, 0x1234, 0, 0xffffffffffff0000, true, 0, 0}, /* CX = 0 */
    {exec_div, 4, 1, 0, 0, true, 0, 0},
    {exec_div, 8, 1, 0, 0, true, 0, 0},
    {exec_idiv, 1, 0x1234, 0, 0x100, true, 0, 0}, /* CL = 0 */
    {exec_idiv, 8, 1, 0, 0, true, 0, 0},
    /* unsigned quotient overflow, and the largest quotient that fits */
    {exec_div, 1, 0x1000, 0, 0x10, true, 0, 0},
    {exec_div, 1, 0xaaaa0fff, 9, 0x10, false, 0xaaaa0fff, 9},
    {exec_div, 2, 0, 1, 1, true, 0, 0},
    {exec_div, 4, 0, 1, 1, true, 0, 0},
    {exec_div, 8, 0, 1, 1, true, 0, 0},
    {exec_div, 8, 0xffffffffffffffff, 0, 1, false, 0xffffffffffffffff, 0},
    /* valid unsigned divides */
    {exec_div, 1, 0xaaaa1234, 9, 0x80, false, 0xaaaa3424, 9},
    {exec_div, 2, 0xaaaa0000, 0xbbbb0001, 0x0002, false, 0xaaaa8000, 0xbbbb0000},
    {exec_div, 4, 0xaaaaaaaaffffffff, 0xbbbbbbbb00000003, 0x10, false, 0x3fffffff, 0xf},
    {exec_div, 8, 0, 1, 2, false, 0x8000000000000000, 0},
    /* signed overflow: the most negative quotient's negation */
    {exec_idiv, 1, 0xff80, 0, 0xff, true, 0, 0},        /* -128 / -1 */
    {exec_idiv, 2, 0x8000, 0xffff, 0xffff, true, 0, 0}, /* -32768 / -1 */
    {exec_idiv, 4, 0x80000000, 0xffffffff, 0xffffffff, true, 0, 0},
    {exec_idiv, 8, 0x8000000000000000, 0xffffffffffffffff, 0xffffffffffffffff, true, 0, 0},
    {exec_idiv, 8, 0, 0x8000000000000000, 0xffffffffffffffff, true, 0, 0}, /* -2^127 / -1 */
    {exec_idiv, 2, 0x8000, 0, 1, true, 0, 0},                              /* +32768 / 1 */
    /* valid signed divides: truncation toward zero, remainder sign = dividend */
    {exec_idiv, 1, 0xff80, 0, 1, false, 0x0080, 0},    /* -128 / 1 */
    {exec_idiv, 1, 0x0080, 0, 0xff, false, 0x0080, 0}, /* 128 / -1 = -128 */
    {exec_idiv, 2, 0x7fff, 0, 1, false, 0x7fff, 0},
    {exec_idiv, 4, 0xfffffff9, 0xffffffff, 2, false, 0xfffffffd, 0xffffffff}, /* -7 / 2 */
    {exec_idiv, 4, 7, 0, 0xfffffffe, false, 0xfffffffd, 1},                   /* 7 / -2 */
    {exec_idiv, 8, 0xfffffffffffffff9, 0xffffffffffffffff, 0xfffffffffffffffe, false, 3,
     0xffffffffffffffff}, /* -7 / -2 = 3 rem -1 */
};

START_TEST(test_muldiv_div_case_matches_hand_value) {
    const DivCase *c = &div_cases[_i];
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.rflags = 2 | RFLAGS_IF;
    flags_set_lazy(&cpu, LAZY_SUB, 1, 0x80, 1, 0x7f); /* OF AF: must survive */
    cpu.gpr[GPR_RAX] = c->rax;
    cpu.gpr[GPR_RDX] = c->rdx;
    cpu.gpr[GPR_RCX] = c->rcx;
    DecodedInsn d = insn_one(c->h, c->size);
    SimStatus st = c->h(&cpu, &d);
    if (c->de) {
        ck_assert_msg(st == SIM_FAULT, "case %d: no #DE", _i);
        ck_assert_uint_eq(cpu.fault.vector, EXC_DE);
        ck_assert(!cpu.fault.has_error);
        ck_assert_uint_eq(cpu.gpr[GPR_RAX], c->rax);
        ck_assert_uint_eq(cpu.gpr[GPR_RDX], c->rdx);
    } else {
        ck_assert_msg(st == SIM_OK, "case %d: unexpected fault", _i);
        ck_assert_msg(cpu.gpr[GPR_RAX] == c->want_rax, "case %d: rax %#llx", _i,
                      (unsigned long long)cpu.gpr[GPR_RAX]);
        ck_assert_msg(cpu.gpr[GPR_RDX] == c->want_rdx, "case %d: rdx %#llx", _i,
                      (unsigned long long)cpu.gpr[GPR_RDX]);
    }
    ck_assert_uint_eq(cpu.gpr[GPR_RCX], c->rcx);
    ck_assert_uint_eq(cpu_get_rflags(&cpu), 2 | RFLAGS_IF | OF | AF); /* flags unchanged (doc) */
}
END_TEST

/* ---- host oracle ---- */

#define HOST_MD(insn, rax, rdx, src, fl)                                                           \
    __asm__ volatile("lea -128(%%rsp), %%rsp\n\tpush %[f]\n\tpopfq\n\t" insn                       \
                     "\n\tpushfq\n\tpop %[f]\n\tlea 128(%%rsp), %%rsp"                             \
                     : "+a"(rax), "+d"(rdx), [f] "+r"(fl)                                          \
                     : [s] "r"(src)                                                                \
                     : "cc", "memory")

typedef uint64_t (*HostMdFn)(uint64_t *rax, uint64_t *rdx, uint64_t s, uint64_t f);

#define DEF_HOST_MD_SIZE(name, sz, text)                                                              \
    static uint64_t host_##name##_##sz(uint64_t *rax, uint64_t *rdx, uint64_t s, uint64_t f) {     \
        HOST_MD(text, *rax, *rdx, s, f);                                                           \
        return f;                                                                                  \
    }
#define DEF_HOST(name, m)                                                                          \
    DEF_HOST_MD_SIZE(name, 1, m "b %b[s]")                                                            \
    DEF_HOST_MD_SIZE(name, 2, m "w %w[s]")                                                            \
    DEF_HOST_MD_SIZE(name, 4, m "l %k[s]")                                                            \
    DEF_HOST_MD_SIZE(name, 8, m "q %q[s]")

DEF_HOST(mul, "mul")
DEF_HOST(imul, "imul")
DEF_HOST(div, "div")
DEF_HOST(idiv, "idiv")
DEF_HOST_MD_SIZE(imul2, 2, "imulw %w[s], %%ax")
DEF_HOST_MD_SIZE(imul2, 4, "imull %k[s], %%eax")
DEF_HOST_MD_SIZE(imul2, 8, "imulq %q[s], %%rax")

static const uint64_t host_values[] = {
    0,
    1,
    2,
    3,
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
    0xfffffffffffffffe,
    0xffffffffffffffff,
    0x0123456789abcdef,
};

/* MUL/IMUL (one- and two-operand): results and CF/OF equal the host's. */
START_TEST(test_muldiv_mul_matches_host_cpu) {
    static const unsigned sizes[4] = {1, 2, 4, 8};
    static const HostMdFn mul[4] = {host_mul_1, host_mul_2, host_mul_4, host_mul_8};
    static const HostMdFn imul[4] = {host_imul_1, host_imul_2, host_imul_4, host_imul_8};
    static const HostMdFn imul2[4] = {NULL, host_imul2_2, host_imul2_4, host_imul2_8};
    for (unsigned si = 0; si < 4; si++) {
        for (size_t x = 0; x < SIM_ARRAY_SIZE(host_values); x++) {
            for (size_t y = 0; y < SIM_ARRAY_SIZE(host_values); y++) {
                HostMdFn fn = _i == 0 ? mul[si] : _i == 1 ? imul[si] : imul2[si];
                if (!fn) continue;
                uint64_t ha = host_values[x], hd = 0x5555555555555555, s = host_values[y];
                uint64_t hf = fn(&ha, &hd, s, 2);
                CpuState cpu;
                cpu_setup(&cpu);
                cpu.gpr[GPR_RAX] = host_values[x];
                cpu.gpr[GPR_RDX] = 0x5555555555555555;
                cpu.gpr[GPR_RCX] = s;
                DecodedInsn d = _i == 2 ? insn_imul2(sizes[si])
                                        : insn_one(_i == 0 ? exec_mul : exec_imul, sizes[si]);
                ck_assert_int_eq(d.handler(&cpu, &d), SIM_OK);
                ck_assert_msg(cpu.gpr[GPR_RAX] == ha && cpu.gpr[GPR_RDX] == hd,
                              "form %d size %u a %#llx b %#llx", _i, sizes[si],
                              (unsigned long long)host_values[x], (unsigned long long)s);
                ck_assert_uint_eq(arith(&cpu) & (CF | OF), hf & (CF | OF));
            }
        }
    }
}
END_TEST

/* DIV/IDIV with dividends that cannot overflow: quotient and remainder
 * equal the host's. */
START_TEST(test_muldiv_div_matches_host_cpu) {
    static const unsigned sizes[4] = {1, 2, 4, 8};
    static const HostMdFn div[4] = {host_div_1, host_div_2, host_div_4, host_div_8};
    static const HostMdFn idiv[4] = {host_idiv_1, host_idiv_2, host_idiv_4, host_idiv_8};
    bool is_signed = _i == 1;
    for (unsigned si = 0; si < 4; si++) {
        unsigned size = sizes[si];
        uint64_t m = size_mask(size);
        for (size_t x = 0; x < SIM_ARRAY_SIZE(host_values); x++) {
            for (size_t y = 0; y < SIM_ARRAY_SIZE(host_values); y++) {
                uint64_t lo = host_values[x] & m, s = host_values[y] & m;
                uint64_t smin = UINT64_C(1) << (8 * size - 1);
                if (s == 0 || (is_signed && s == m && lo == smin))
                    continue; /* #DE cases are covered above */
                /* high half: 0 (unsigned) or the sign of lo (signed) */
                uint64_t hi = is_signed && (lo & smin) ? m : 0;
                uint64_t rax = size == 1 ? (hi << 8) | lo : lo, rdx = size == 1 ? 0 : hi;
                uint64_t ha = rax, hd = rdx;
                (is_signed ? idiv : div)[si](&ha, &hd, s, 2);
                CpuState cpu;
                cpu_setup(&cpu);
                cpu.gpr[GPR_RAX] = rax;
                cpu.gpr[GPR_RDX] = rdx;
                cpu.gpr[GPR_RCX] = s;
                DecodedInsn d = insn_one(is_signed ? exec_idiv : exec_div, size);
                ck_assert_int_eq(d.handler(&cpu, &d), SIM_OK);
                ck_assert_msg(cpu.gpr[GPR_RAX] == ha && cpu.gpr[GPR_RDX] == hd,
                              "%s size %u n %#llx d %#llx", is_signed ? "idiv" : "div", size,
                              (unsigned long long)lo, (unsigned long long)s);
            }
        }
    }
}
END_TEST

static Suite *muldiv_suite(void) {
    Suite *s = suite_create("muldiv");
    TCase *tc = tcase_create("cases");
    tcase_add_loop_test(tc, test_muldiv_mul_case_matches_hand_value, 0,
                        (int)SIM_ARRAY_SIZE(mul_cases));
    tcase_add_loop_test(tc, test_muldiv_div_case_matches_hand_value, 0,
                        (int)SIM_ARRAY_SIZE(div_cases));
    suite_add_tcase(s, tc);

    tc = tcase_create("host");
    tcase_add_loop_test(tc, test_muldiv_mul_matches_host_cpu, 0, 3);
    tcase_add_loop_test(tc, test_muldiv_div_matches_host_cpu, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(muldiv_suite)
