/*
 * Unit tests for lazy flags (sim/cpu/flags.c) and the condition-code users
 * Jcc/SETcc/CMOVcc (sim/cpu/exec_cond.c).  Expected values are computed by
 * hand from SDM Vol. 1 3.4.3.1 and Appendix B Table B-1, and checked against
 * the host CPU (x86-64) where that is easy.
 */
#include "check_main.h"
#include "handler_support.h"


/* ---- lazy flags against hand-computed values ---- */

typedef struct LazyCase {
    LazyOp op;
    unsigned size;
    uint64_t a, b, r;
    uint64_t flags; /* expected CF PF AF ZF SF OF */
} LazyCase;

static const LazyCase lazy_cases[] = {
    /* ADD (and ADC, whose carry-in shows in r) */
    {LAZY_ADD, 1, 0x7f, 0x01, 0x80, OF | SF | AF},
    {LAZY_ADD, 1, 0xff, 0x01, 0x00, CF | ZF | AF | PF},
    {LAZY_ADD, 1, 0x80, 0x80, 0x00, CF | OF | ZF | PF},
    {LAZY_ADD, 1, 0x7f, 0x00, 0x80, OF | SF | AF},      /* ADC 0x7f + 0 + CF=1 */
    {LAZY_ADD, 1, 0xff, 0xff, 0xff, CF | SF | AF | PF}, /* ADC 0xff + 0xff + CF=1 */
    {LAZY_ADD, 1, 0x01, 0x02, 0x03, PF},
    {LAZY_ADD, 2, 0x7fff, 0x0001, 0x8000, OF | SF | AF | PF},
    {LAZY_ADD, 2, 0xffff, 0xffff, 0xfffe, CF | SF | AF},
    {LAZY_ADD, 2, 0x00ff, 0x0001, 0x0100, AF | PF},
    {LAZY_ADD, 4, 0x7fffffff, 1, 0x80000000, OF | SF | AF | PF},
    {LAZY_ADD, 4, 0xffffffff, 1, 0, CF | ZF | AF | PF},
    {LAZY_ADD, 4, 0x80000000, 0x80000000, 0, CF | OF | ZF | PF},
    {LAZY_ADD, 8, 0x7fffffffffffffff, 1, 0x8000000000000000, OF | SF | AF | PF},
    {LAZY_ADD, 8, 0xffffffffffffffff, 1, 0, CF | ZF | AF | PF},
    {LAZY_ADD, 8, 0xffffffff, 1, 0x100000000, AF | PF}, /* no carry out of bit 31 counts */
    /* SUB, CMP, SBB (borrow-in shows in r), NEG (a = 0) */
    {LAZY_SUB, 1, 0x00, 0x01, 0xff, CF | SF | AF | PF},
    {LAZY_SUB, 1, 0x80, 0x01, 0x7f, OF | AF},
    {LAZY_SUB, 1, 0x7f, 0xff, 0x80, CF | OF | SF},
    {LAZY_SUB, 1, 0x05, 0x05, 0x00, ZF | PF},
    {LAZY_SUB, 1, 0x00, 0xff, 0x00, CF | ZF | AF | PF}, /* SBB 0 - 0xff - CF=1 */
    {LAZY_SUB, 1, 0x00, 0x00, 0x00, ZF | PF},           /* NEG 0: CF = 0 */
    {LAZY_SUB, 1, 0x00, 0x80, 0x80, CF | OF | SF},      /* NEG 0x80 */
    {LAZY_SUB, 1, 0x00, 0x01, 0xff, CF | SF | AF | PF}, /* NEG 1 */
    {LAZY_SUB, 2, 0x8000, 0x0001, 0x7fff, OF | AF | PF},
    {LAZY_SUB, 2, 0x0000, 0x8000, 0x8000, CF | OF | SF | PF},
    {LAZY_SUB, 4, 0, 1, 0xffffffff, CF | SF | AF | PF},
    {LAZY_SUB, 4, 0x80000000, 1, 0x7fffffff, OF | AF | PF},
    {LAZY_SUB, 8, 0x8000000000000000, 1, 0x7fffffffffffffff, OF | AF | PF},
    {LAZY_SUB, 8, 0, 1, 0xffffffffffffffff, CF | SF | AF | PF},
    {LAZY_SUB, 8, 0x100000000, 1, 0xffffffff, AF | PF}, /* no borrow at bit 31 counts */
    /* AND/OR/XOR/TEST: CF = OF = 0, AF = 0 (documented choice) */
    {LAZY_LOGIC, 1, 0xff, 0xff, 0x00, ZF | PF},
    {LAZY_LOGIC, 1, 0xff, 0xff, 0x80, SF},
    {LAZY_LOGIC, 1, 0xff, 0xff, 0x03, PF},
    {LAZY_LOGIC, 2, 0, 0, 0x8001, SF},
    {LAZY_LOGIC, 4, 0, 0, 0x80000000, SF | PF},
    {LAZY_LOGIC, 8, 0, 0, 0x8000000000000000, SF | PF},
    {LAZY_LOGIC, 8, 0, 0, 0x0000000100000000, PF},
    /* INC/DEC: src2 is the preserved CF */
    {LAZY_INC, 1, 0x7f, 1, 0x80, CF | OF | SF | AF},
    {LAZY_INC, 1, 0xff, 0, 0x00, ZF | AF | PF},
    {LAZY_INC, 1, 0x0e, 0, 0x0f, PF},
    {LAZY_INC, 2, 0x7fff, 0, 0x8000, OF | SF | AF | PF},
    {LAZY_INC, 4, 0x7fffffff, 1, 0x80000000, CF | OF | SF | AF | PF},
    {LAZY_INC, 8, 0x7fffffffffffffff, 0, 0x8000000000000000, OF | SF | AF | PF},
    {LAZY_INC, 8, 0xffffffffffffffff, 1, 0, CF | ZF | AF | PF},
    {LAZY_DEC, 1, 0x80, 0, 0x7f, OF | AF},
    {LAZY_DEC, 1, 0x00, 1, 0xff, CF | SF | AF | PF},
    {LAZY_DEC, 1, 0x01, 0, 0x00, ZF | PF},
    {LAZY_DEC, 2, 0x8000, 0, 0x7fff, OF | AF | PF},
    {LAZY_DEC, 4, 0x80000000, 1, 0x7fffffff, CF | OF | AF | PF},
    {LAZY_DEC, 8, 0x8000000000000000, 0, 0x7fffffffffffffff, OF | AF | PF},
};

START_TEST(test_flags_lazy_case_matches_hand_value) {
    const LazyCase *c = &lazy_cases[_i];
    CpuState cpu;
    cpu_setup(&cpu);
    flags_set_lazy(&cpu, c->op, c->size, c->a, c->b, c->r);
    ck_assert_msg(flags_compute(&cpu) == c->flags, "case %d: got %#llx want %#llx", _i,
                  (unsigned long long)flags_compute(&cpu), (unsigned long long)c->flags);
    ck_assert_int_eq(flags_cf(&cpu), !!(c->flags & CF));
    ck_assert_int_eq(flags_zf(&cpu), !!(c->flags & ZF));
}
END_TEST

START_TEST(test_flags_lazy_none_reads_rflags) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.rflags = 2 | CF | ZF | RFLAGS_IF;
    ck_assert_uint_eq(flags_compute(&cpu), CF | ZF);
    ck_assert(flags_cf(&cpu));
    ck_assert(flags_zf(&cpu));
    ck_assert_uint_eq(cpu_get_rflags(&cpu), 2 | CF | ZF | RFLAGS_IF);
}
END_TEST

START_TEST(test_flags_result_bits_above_size_ignored) {
    CpuState cpu;
    cpu_setup(&cpu);
    flags_set_lazy(&cpu, LAZY_LOGIC, 1, 0, 0, 0x100);
    ck_assert(flags_zf(&cpu));
    ck_assert_uint_eq(flags_compute(&cpu), ZF | PF);
}
END_TEST

/* ---- RFLAGS read / write / merge ---- */

START_TEST(test_flags_get_rflags_merges_lazy_with_system_bits) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.rflags = 2 | RFLAGS_IF | RFLAGS_DF | OF | CF; /* stale arithmetic bits */
    flags_set_lazy(&cpu, LAZY_SUB, 1, 5, 5, 0);
    ck_assert_uint_eq(cpu_get_rflags(&cpu), 2 | RFLAGS_IF | RFLAGS_DF | ZF | PF);
}
END_TEST

START_TEST(test_flags_set_rflags_ends_lazy) {
    CpuState cpu;
    cpu_setup(&cpu);
    flags_set_lazy(&cpu, LAZY_ADD, 1, 0xff, 1, 0);
    cpu_set_rflags(&cpu, 2 | SF | RFLAGS_IF);
    ck_assert_uint_eq(cpu.lazy.op, LAZY_NONE);
    ck_assert_uint_eq(cpu_get_rflags(&cpu), 2 | SF | RFLAGS_IF);
    ck_assert(!flags_cf(&cpu));
}
END_TEST

START_TEST(test_flags_set_arith_partial_keeps_other_lazy_flags) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.rflags = 2 | RFLAGS_IF;
    flags_set_lazy(&cpu, LAZY_ADD, 1, 0x7f, 1, 0x80); /* OF SF AF */
    flags_set_arith(&cpu, CF | OF, CF);
    ck_assert_uint_eq(cpu.lazy.op, LAZY_NONE);
    ck_assert_uint_eq(cpu_get_rflags(&cpu), 2 | RFLAGS_IF | CF | SF | AF);
}
END_TEST

START_TEST(test_flags_set_arith_full_mask_replaces_all_six) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.rflags = 2 | RFLAGS_TF;
    flags_set_lazy(&cpu, LAZY_ADD, 1, 0xff, 1, 0);
    flags_set_arith(&cpu, RFLAGS_ARITH, PF | RFLAGS_IF); /* IF is outside the mask */
    ck_assert_uint_eq(cpu_get_rflags(&cpu), 2 | RFLAGS_TF | PF);
}
END_TEST

/* ---- condition codes ---- */

/* SDM Vol. 1 Table B-1, evaluated by hand on explicit flag values: the
 * conditions that hold (all others must not). */
typedef struct CondCase {
    uint64_t flags;
    const char *holds;
} CondCase;

static const CondCase cond_cases[] = {
    {0, "NO NB NZ NBE NS NP NL NLE"},       {OF, "O NB NZ NBE NS NP L LE"},
    {CF, "NO B NZ BE NS NP NL NLE"},        {ZF, "NO NB Z BE NS NP NL LE"},
    {SF, "NO NB NZ NBE S NP L LE"},         {PF, "NO NB NZ NBE NS P NL NLE"},
    {AF, "NO NB NZ NBE NS NP NL NLE"},      {SF | OF, "O NB NZ NBE S NP NL NLE"},
    {CF | ZF, "NO B Z BE NS NP NL LE"},     {SF | ZF, "NO NB Z BE S NP L LE"},
    {ZF | SF | OF, "O NB Z BE S NP NL LE"}, {CF | PF | AF | ZF | SF | OF, "O B Z BE S P NL LE"},
};

static const char *const cc_names[16] = {"O", "NO", "B", "NB", "Z", "NZ", "BE", "NBE",
                                         "S", "NS", "P", "NP", "L", "NL", "LE", "NLE"};

static bool cond_listed(const char *list, unsigned cc) {
    size_t n = strlen(cc_names[cc]);
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, " ");
        if (len == n && strncmp(p, cc_names[cc], n) == 0) return true;
        p += len + (p[len] == ' ');
    }
    return false;
}

START_TEST(test_flags_cond_eager_matches_table_b1) {
    const CondCase *c = &cond_cases[_i];
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.rflags = 2 | c->flags;
    for (unsigned cc = 0; cc < 16; cc++)
        ck_assert_msg(flags_cond(&cpu, cc) == cond_listed(c->holds, cc), "case %d: %s", _i,
                      cc_names[cc]);
}
END_TEST

/* Every condition and its negation differ, for every flag combination. */
START_TEST(test_flags_cond_odd_code_negates_even_code) {
    CpuState cpu;
    cpu_setup(&cpu);
    for (unsigned combo = 0; combo < 64; combo++) {
        static const uint64_t bit[6] = {CF, PF, AF, ZF, SF, OF};
        uint64_t f = 0;
        for (unsigned i = 0; i < 6; i++)
            if (combo & (1u << i)) f |= bit[i];
        cpu.rflags = 2 | f;
        for (unsigned cc = 0; cc < 16; cc += 2)
            ck_assert(flags_cond(&cpu, cc) != flags_cond(&cpu, cc + 1));
    }
}
END_TEST

/* Lazy SUB as CMP a, b: the unsigned and signed comparisons. */
typedef struct CmpCase {
    unsigned size;
    uint64_t a, b;
    bool below, less, equal;
} CmpCase;

static const CmpCase cmp_cases[] = {
    {1, 0x01, 0x02, true, true, false},
    {1, 0x80, 0x01, false, true, false}, /* -128 < 1 with OF set */
    {1, 0x7f, 0x80, true, false, false}, /* 127 > -128 with OF set */
    {1, 0xff, 0xff, false, false, true},
    {2, 0x8000, 0x7fff, false, true, false},
    {2, 0x0000, 0xffff, true, false, false},
    {4, 0x7fffffff, 0x80000000, true, false, false},
    {4, 0xfffffffe, 0xffffffff, true, true, false},
    {8, 0, 1, true, true, false},
    {8, 0x8000000000000000, 0x7fffffffffffffff, false, true, false},
    {8, 0xffffffffffffffff, 0, false, true, false},
    {8, 42, 42, false, false, true},
};

START_TEST(test_flags_cond_lazy_sub_compares_like_cmp) {
    const CmpCase *c = &cmp_cases[_i];
    CpuState cpu;
    cpu_setup(&cpu);
    uint64_t r = (c->a - c->b) & size_mask(c->size);
    flags_set_lazy(&cpu, LAZY_SUB, c->size, c->a, c->b, r);
    ck_assert_int_eq(flags_cond(&cpu, 2), c->below);               /* B */
    ck_assert_int_eq(flags_cond(&cpu, 3), !c->below);              /* NB */
    ck_assert_int_eq(flags_cond(&cpu, 4), c->equal);               /* Z */
    ck_assert_int_eq(flags_cond(&cpu, 6), c->below || c->equal);   /* BE */
    ck_assert_int_eq(flags_cond(&cpu, 7), !c->below && !c->equal); /* NBE */
    ck_assert_int_eq(flags_cond(&cpu, 12), c->less);               /* L */
    ck_assert_int_eq(flags_cond(&cpu, 13), !c->less);              /* NL */
    ck_assert_int_eq(flags_cond(&cpu, 14), c->less || c->equal);   /* LE */
    ck_assert_int_eq(flags_cond(&cpu, 15), !c->less && !c->equal); /* NLE */
}
END_TEST

START_TEST(test_flags_cond_lazy_logic_below_never_true) {
    CpuState cpu;
    cpu_setup(&cpu);
    flags_set_lazy(&cpu, LAZY_LOGIC, 1, 0, 0, 0x80);
    ck_assert(!flags_cond(&cpu, 0)); /* O */
    ck_assert(!flags_cond(&cpu, 2)); /* B */
    ck_assert(!flags_cond(&cpu, 6)); /* BE */
    ck_assert(flags_cond(&cpu, 8));  /* S */
    ck_assert(flags_cond(&cpu, 11)); /* NP: 0x80 has odd parity */
    ck_assert(flags_cond(&cpu, 12)); /* L: SF != OF */
    ck_assert(flags_cond(&cpu, 14)); /* LE */
}
END_TEST

START_TEST(test_flags_cond_lazy_inc_keeps_old_cf) {
    CpuState cpu;
    cpu_setup(&cpu);
    flags_set_lazy(&cpu, LAZY_INC, 4, 0xffffffff, 1, 0);
    ck_assert(flags_cond(&cpu, 2)); /* B: the CF from before INC */
    ck_assert(flags_cond(&cpu, 4)); /* Z */
    flags_set_lazy(&cpu, LAZY_DEC, 4, 1, 0, 0);
    ck_assert(!flags_cond(&cpu, 2));
    ck_assert(flags_cond(&cpu, 6)); /* BE through ZF */
}
END_TEST

/* ---- host oracle: run ADD/SUB/AND/INC/DEC natively, compare ---- */

/* The asm moves RSP below the red zone before pushing. */
#define DEF_HOST(name, b, w, l, q)                                                                 \
    static uint64_t host_##name##_1(uint64_t *d, uint64_t s, uint64_t f) {                         \
        HOST_BIN(b, *d, s, f);                                                                     \
        return f;                                                                                  \
    }                                                                                              \
    static uint64_t host_##name##_2(uint64_t *d, uint64_t s, uint64_t f) {                         \
        HOST_BIN(w, *d, s, f);                                                                     \
        return f;                                                                                  \
    }                                                                                              \
    static uint64_t host_##name##_4(uint64_t *d, uint64_t s, uint64_t f) {                         \
        HOST_BIN(l, *d, s, f);                                                                     \
        return f;                                                                                  \
    }                                                                                              \
    static uint64_t host_##name##_8(uint64_t *d, uint64_t s, uint64_t f) {                         \
        HOST_BIN(q, *d, s, f);                                                                     \
        return f;                                                                                  \
    }

DEF_HOST(add, "addb %b[s], %b[d]", "addw %w[s], %w[d]", "addl %k[s], %k[d]", "addq %q[s], %q[d]")
DEF_HOST(sub, "subb %b[s], %b[d]", "subw %w[s], %w[d]", "subl %k[s], %k[d]", "subq %q[s], %q[d]")
DEF_HOST(and, "andb %b[s], %b[d]", "andw %w[s], %w[d]", "andl %k[s], %k[d]", "andq %q[s], %q[d]")
DEF_HOST(inc, "incb %b[d]", "incw %w[d]", "incl %k[d]", "incq %q[d]")
DEF_HOST(dec, "decb %b[d]", "decw %w[d]", "decl %k[d]", "decq %q[d]")

typedef struct HostOp {
    LazyOp op;
    HostFn fn[4]; /* sizes 1, 2, 4, 8 */
    uint64_t defined;
} HostOp;

static const HostOp host_ops[] = {
    {LAZY_ADD, {host_add_1, host_add_2, host_add_4, host_add_8}, RFLAGS_ARITH},
    {LAZY_SUB, {host_sub_1, host_sub_2, host_sub_4, host_sub_8}, RFLAGS_ARITH},
    {LAZY_LOGIC, {host_and_1, host_and_2, host_and_4, host_and_8}, RFLAGS_ARITH & ~AF},
    {LAZY_INC, {host_inc_1, host_inc_2, host_inc_4, host_inc_8}, RFLAGS_ARITH},
    {LAZY_DEC, {host_dec_1, host_dec_2, host_dec_4, host_dec_8}, RFLAGS_ARITH},
};

static const uint64_t host_values[] = {
    0,
    1,
    2,
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
    0x123456789abcdef0,
};

static uint64_t sim_result(LazyOp op, uint64_t a, uint64_t b) {
    switch (op) {
    case LAZY_ADD:
        return a + b;
    case LAZY_SUB:
        return a - b;
    case LAZY_LOGIC:
        return a & b;
    case LAZY_INC:
        return a + 1;
    default:
        return a - 1;
    }
}

/* For each op and size, every pair of values, with CF in and CF out: the
 * lazy flags and all 16 conditions equal what the host computes. */
START_TEST(test_flags_lazy_matches_host_cpu) {
    const HostOp *h = &host_ops[_i];
    static const unsigned sizes[4] = {1, 2, 4, 8};
    for (unsigned si = 0; si < 4; si++) {
        unsigned size = sizes[si];
        uint64_t m = size_mask(size);
        for (size_t x = 0; x < SIM_ARRAY_SIZE(host_values); x++) {
            for (size_t y = 0; y < SIM_ARRAY_SIZE(host_values); y++) {
                uint64_t a = host_values[x] & m, b = host_values[y] & m;
                uint64_t fin = 2 | ((x ^ y) & 1 ? CF : 0);
                uint64_t hd = a;
                uint64_t hf = h->fn[si](&hd, b, fin);
                CpuState cpu;
                cpu_setup(&cpu);
                cpu.rflags = fin;
                uint64_t src2 = (h->op == LAZY_INC || h->op == LAZY_DEC) ? (fin & CF) : b;
                uint64_t r = sim_result(h->op, a, b) & m;
                flags_set_lazy(&cpu, h->op, size, a, src2, r);
                ck_assert_uint_eq(r, hd & m);
                ck_assert_msg((flags_compute(&cpu) & h->defined) == (hf & h->defined),
                              "op %d size %u a %#llx b %#llx: sim %#llx host %#llx", _i, size,
                              (unsigned long long)a, (unsigned long long)b,
                              (unsigned long long)flags_compute(&cpu), (unsigned long long)hf);
                CpuState eager;
                cpu_setup(&eager);
                eager.rflags = hf;
                for (unsigned cc = 0; cc < 16; cc++)
                    ck_assert(flags_cond(&cpu, cc) == flags_cond(&eager, cc));
            }
        }
    }
}
END_TEST

/* ---- Jcc ---- */

static DecodedInsn jcc_insn(unsigned cc, int64_t disp, unsigned opsize) {
    DecodedInsn d;
    memset(&d, 0, sizeof(d));
    d.handler = exec_jcc;
    d.opsize = (uint8_t)opsize;
    d.op_count = 1;
    d.op[0].kind = OPK_IMM;
    d.op[0].size = (uint16_t)opsize;
    d.imm = (uint64_t)disp;
    d.aux = (uint16_t)cc;
    return d;
}

START_TEST(test_cond_jcc_true_jumps_to_next_rip_plus_disp) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.RIP = 0x401002;
    cpu.rflags = 2 | ZF;
    DecodedInsn d = jcc_insn(4, -0x12, 8); /* JZ */
    ck_assert_int_eq(exec_jcc(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.RIP, 0x400ff0);
}
END_TEST

START_TEST(test_cond_jcc_false_falls_through) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.RIP = 0x401002;
    cpu.rflags = 2 | ZF;
    DecodedInsn d = jcc_insn(5, 0x100, 8); /* JNZ */
    ck_assert_int_eq(exec_jcc(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.RIP, 0x401002);
}
END_TEST

START_TEST(test_cond_jcc_lazy_cmp_jl_taken) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.RIP = 0x1000;
    flags_set_lazy(&cpu, LAZY_SUB, 4, 0xffffffff, 1, 0xfffffffe); /* cmp -1, 1 */
    DecodedInsn d = jcc_insn(12, 0x20, 8);                        /* JL */
    ck_assert_int_eq(exec_jcc(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.RIP, 0x1020);
    d = jcc_insn(2, 0x20, 8); /* JB: 0xffffffff is not below 1 */
    ck_assert_int_eq(exec_jcc(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.RIP, 0x1020);
}
END_TEST

START_TEST(test_cond_jcc_noncanonical_target_raises_gp) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.RIP = 0x00007ffffffffff0;
    cpu.rflags = 2 | CF;
    DecodedInsn d = jcc_insn(2, 0x20, 8); /* JB */
    ck_assert_int_eq(exec_jcc(&cpu, &d), SIM_FAULT);
    ck_assert_uint_eq(cpu.fault.vector, EXC_GP);
    ck_assert_uint_eq(cpu.RIP, 0x00007ffffffffff0);
}
END_TEST

START_TEST(test_cond_jcc_16bit_operand_wraps_ip) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.mode = MODE_PROT32;
    cpu.RIP = 0xfff0;
    DecodedInsn d = jcc_insn(1, 0x20, 2); /* JNO, 16-bit operand size */
    ck_assert_int_eq(exec_jcc(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.RIP, 0x0010);
}
END_TEST

START_TEST(test_cond_jcc_beyond_cs_limit_raises_gp) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.mode = MODE_PROT32;
    cpu.seg[SEG_CS].limit = 0xffff;
    cpu.RIP = 0xfff0;
    DecodedInsn d = jcc_insn(1, 0x20, 4);
    ck_assert_int_eq(exec_jcc(&cpu, &d), SIM_FAULT);
    ck_assert_uint_eq(cpu.fault.vector, EXC_GP);
    ck_assert_uint_eq(cpu.RIP, 0xfff0);
}
END_TEST

/* ---- SETcc / CMOVcc ---- */

START_TEST(test_cond_setcc_writes_one_or_zero_byte) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.gpr[GPR_RAX] = 0x1122334455667788;
    cpu.rflags = 2 | CF;
    DecodedInsn d;
    memset(&d, 0, sizeof(d));
    d.op_count = 1;
    d.op[0] = opnd_reg(GPR_RAX, 1);
    d.aux = 2; /* SETB */
    ck_assert_int_eq(exec_setcc(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0x1122334455667701);
    d.aux = 3; /* SETNB */
    ck_assert_int_eq(exec_setcc(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0x1122334455667700);
    d.op[0].reg = (uint8_t)(reg_off(GPR_RAX) + 1); /* AH */
    d.aux = 2;
    ck_assert_int_eq(exec_setcc(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0x1122334455660100);
    ck_assert_uint_eq(cpu_get_rflags(&cpu), 2 | CF);
}
END_TEST

static DecodedInsn cmov_insn(unsigned cc, unsigned size) {
    DecodedInsn d;
    memset(&d, 0, sizeof(d));
    d.op_count = 2;
    d.opsize = (uint8_t)size;
    d.op[0] = opnd_reg(GPR_RAX, size);
    d.op[1] = opnd_reg(GPR_RCX, size);
    d.aux = (uint16_t)cc;
    return d;
}

START_TEST(test_cond_cmovcc_true_moves) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.gpr[GPR_RAX] = 0xaaaaaaaaaaaaaaaa;
    cpu.gpr[GPR_RCX] = 0x1111111122222222;
    cpu.rflags = 2 | ZF;
    DecodedInsn d = cmov_insn(4, 8); /* CMOVZ */
    ck_assert_int_eq(exec_cmovcc(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0x1111111122222222);
    cpu.gpr[GPR_RAX] = 0xaaaaaaaaaaaaaaaa;
    d = cmov_insn(4, 2);
    ck_assert_int_eq(exec_cmovcc(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0xaaaaaaaaaaaa2222);
}
END_TEST

START_TEST(test_cond_cmovcc_false_32bit_zero_extends_dest) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.gpr[GPR_RAX] = 0xaaaaaaaabbbbbbbb;
    cpu.gpr[GPR_RCX] = 0x1111111122222222;
    DecodedInsn d = cmov_insn(4, 4); /* CMOVZ with ZF = 0 */
    ck_assert_int_eq(exec_cmovcc(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0xbbbbbbbb);
}
END_TEST

START_TEST(test_cond_cmovcc_false_64_and_16bit_leave_dest) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.gpr[GPR_RAX] = 0xaaaaaaaabbbbbbbb;
    cpu.gpr[GPR_RCX] = 0x1111111122222222;
    DecodedInsn d = cmov_insn(4, 8);
    ck_assert_int_eq(exec_cmovcc(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0xaaaaaaaabbbbbbbb);
    d = cmov_insn(4, 2);
    ck_assert_int_eq(exec_cmovcc(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0xaaaaaaaabbbbbbbb);
}
END_TEST

static Suite *flags_suite(void) {
    Suite *s = suite_create("flags");
    TCase *tc = tcase_create("lazy");
    tcase_add_loop_test(tc, test_flags_lazy_case_matches_hand_value, 0,
                        (int)SIM_ARRAY_SIZE(lazy_cases));
    tcase_add_test(tc, test_flags_lazy_none_reads_rflags);
    tcase_add_test(tc, test_flags_result_bits_above_size_ignored);
    tcase_add_test(tc, test_flags_get_rflags_merges_lazy_with_system_bits);
    tcase_add_test(tc, test_flags_set_rflags_ends_lazy);
    tcase_add_test(tc, test_flags_set_arith_partial_keeps_other_lazy_flags);
    tcase_add_test(tc, test_flags_set_arith_full_mask_replaces_all_six);
    tcase_add_loop_test(tc, test_flags_lazy_matches_host_cpu, 0, (int)SIM_ARRAY_SIZE(host_ops));
    suite_add_tcase(s, tc);

    tc = tcase_create("cond");
    tcase_add_loop_test(tc, test_flags_cond_eager_matches_table_b1, 0,
                        (int)SIM_ARRAY_SIZE(cond_cases));
    tcase_add_test(tc, test_flags_cond_odd_code_negates_even_code);
    tcase_add_loop_test(tc, test_flags_cond_lazy_sub_compares_like_cmp, 0,
                        (int)SIM_ARRAY_SIZE(cmp_cases));
    tcase_add_test(tc, test_flags_cond_lazy_logic_below_never_true);
    tcase_add_test(tc, test_flags_cond_lazy_inc_keeps_old_cf);
    suite_add_tcase(s, tc);

    tc = tcase_create("exec_cond");
    tcase_add_test(tc, test_cond_jcc_true_jumps_to_next_rip_plus_disp);
    tcase_add_test(tc, test_cond_jcc_false_falls_through);
    tcase_add_test(tc, test_cond_jcc_lazy_cmp_jl_taken);
    tcase_add_test(tc, test_cond_jcc_noncanonical_target_raises_gp);
    tcase_add_test(tc, test_cond_jcc_16bit_operand_wraps_ip);
    tcase_add_test(tc, test_cond_jcc_beyond_cs_limit_raises_gp);
    tcase_add_test(tc, test_cond_setcc_writes_one_or_zero_byte);
    tcase_add_test(tc, test_cond_cmovcc_true_moves);
    tcase_add_test(tc, test_cond_cmovcc_false_32bit_zero_extends_dest);
    tcase_add_test(tc, test_cond_cmovcc_false_64_and_16bit_leave_dest);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(flags_suite)
